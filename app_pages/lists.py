"""Sentences and short tables as escaped HTML (a data grid costs a first-time reader a second
to load), and the Explore grid; every text from a letter is escaped, never rendered as markdown."""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from app_pages import html_parts, names
from app_pages.readings import plural

SHOW_ROWS = 1000  # sentences sent to the browser per table; its CSV download has them all
# Sentences drawn as a reading list; the CSV download beside it has them all. A hundred is more
# than a screenful, and each one more costs every first-time reader of the page time.
LIST_ROWS = 100


def first_rows(df: pd.DataFrame, limit: int, noun: str, total: int | None = None) -> pd.DataFrame:
    """The rows a page draws, saying so when the CSV beside them has more (``total``: how
    many there are when ``df`` holds only the first ones)."""
    total = len(df) if total is None else total
    if total > limit:
        st.caption(
            f"Showing the first {limit:,} of {total:,} {noun}; the CSV download has them all."
        )
    return df.head(limit)


def finding_table(
    df: pd.DataFrame,
    key: str,
    height: int | None = None,
    total: int | None = None,
    la_names: Mapping[str, str] | None = None,
) -> None:
    """Findings in a grid, names not codes, with a link to the source page. Long results
    show their first SHOW_ROWS rows (every row costs the reader's browser time)."""
    view = first_rows(df, SHOW_ROWS, "sentences", total).copy()
    view["link"] = [
        sentence_address(u, p, n)
        for u, p, n in zip(view["source_url"], view["page"], view["urn"], strict=True)
    ]
    view["like"] = "similar?finding=" + view["finding_id"].astype(str)  # findings like this
    view["label"] = view["label"].map(names.label_name)
    view["theme"] = view["theme"].map(names.theme_name)
    view["section"] = view["section"].map(names.section_name)
    view["agencies"] = view["agencies"].map(lambda v: names.tag_names(v, names.agency_name))
    view["topics"] = view["topics"].map(lambda v: names.tag_names(v, names.topic_name))
    view["local_authority"] = [
        names.area_name(u, la_names or {}, a)
        for u, a in zip(view["urn"], view["local_authority"], strict=False)
    ]
    cols = [
        "published",
        "local_authority",
        "text",
        "label",
        "page",
        "link",
        "like",
        "theme",
        "section",
        "label_confidence",
        "agencies",
        "topics",
    ]
    header = names.headers(cols)
    st.dataframe(
        view[cols],
        hide_index=True,
        width="stretch",
        key=key,
        height=height or "auto",
        column_config={
            **{c: header[c] for c in cols},
            "text": st.column_config.TextColumn("Sentence", width="large"),
            "link": st.column_config.LinkColumn("Source", display_text="open"),
            "like": st.column_config.LinkColumn("Elsewhere", display_text="findings like this"),
            "label_confidence": st.column_config.NumberColumn("Confidence", format="%.2f"),
        },
    )


def sentence_address(source_url: object, page: int, urn: str) -> str:
    """The sentence's page in its letter, or (no known file address) the area's page on the
    reports website, where its letters are listed."""
    return html_parts.page_link(source_url, page) or names.provider_page(urn)


def sentence_list(
    rows: pd.DataFrame,
    with_letter: bool = True,
    total: int | None = None,
    limit: int | None = LIST_ROWS,
    la_names: Mapping[str, str] | None = None,
) -> None:
    """Sentences as a list to read, each with its label and a link to its page in the letter
    (plain HTML: a data grid would cost a first-time reader a second to load); the first
    ``limit`` of them, or all with None."""
    shown = rows if limit is None else first_rows(rows, limit, "sentences", total)
    st.html(
        html_parts.STYLE
        + "<ul class='jt-sentences'>"
        + "".join(
            html_parts.sentence_item(r, with_letter, la_names=la_names)
            for r in shown.to_dict("records")
        )
        + "</ul>"
    )


def _cell(value: object, link_text: str | None, row_name: str = "") -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if link_text is None or not text:
        return html.escape(text)
    # Only web links and this app's own relative page links: a cell never carries a script.
    if not text.startswith(("https://", "http://", "area?")):
        return html.escape(text)
    external = text.startswith("http")
    attrs = " target='_blank' rel='noopener'" if external else " target='_self'"
    if row_name:
        attrs += f" aria-label='{html.escape(f'{link_text}: {row_name}', quote=True)}'"
    return f"<a href='{html.escape(text)}'{attrs}>{html.escape(link_text)}</a>"


def table_html(
    df: pd.DataFrame, links: dict[str, str] | None = None, row_names: list[str] | None = None
) -> str:
    """``df`` as an HTML table, every cell escaped; ``links`` maps a column of URLs to the
    text its links show, and ``row_names`` say, for a screen reader, what each row's links
    are about ("PDF: Liverpool, 2016-08-03")."""
    links = links or {}
    head = "".join(f"<th style='text-align:left'>{html.escape(str(c))}</th>" for c in df.columns)
    columns = [str(c) for c in df.columns]
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{_cell(row[i], links.get(c), row_names[n] if row_names else '')}</td>"
            for i, c in enumerate(columns)
        )
        + "</tr>"
        for n, row in enumerate(df.itertuples(index=False))
    )
    return (
        "<div style='overflow-x:auto'><table style='border-collapse:collapse;width:100%;"
        "font-size:0.9em'><thead><tr>" + head + "</tr></thead><tbody>" + body + "</tbody></table>"
        "</div><style>td,th{padding:2px 8px;border-bottom:1px solid rgba(128,128,128,0.3)}</style>"
    )


def html_table(
    df: pd.DataFrame, links: dict[str, str] | None = None, row_names: list[str] | None = None
) -> None:
    """A short table as plain HTML (a data grid costs a first-time reader a second)."""
    shown = first_rows(df, LIST_ROWS, "rows")
    st.html(table_html(shown, links, row_names[: len(shown)] if row_names else None))


def letter_list_html(view: pd.DataFrame) -> str:
    """Letters as a list to read on a phone; ``view``: published, local_authority (a name),
    theme (a name), letter (its URL) and profile (this app's link), every value escaped."""
    items = []
    for r in view.itertuples(index=False):
        area = html.escape(str(r.local_authority))
        links = [
            _cell(r.letter, "letter", f"{r.local_authority}, {r.published}"),
            _cell(r.profile, "profile", f"{r.local_authority}, {r.published}"),
        ]
        items.append(
            f"<li><strong>{area}</strong>, {html.escape(str(r.published))}: "
            f"{html.escape(str(r.theme))} <small>[{' · '.join(x for x in links if x)}]</small></li>"
        )
    return "<ul style='margin:0'>" + "".join(items) + "</ul>"


def area_letters_html(view: pd.DataFrame, area: str) -> str:
    """An area's letters as a list to read on a phone (its table scrolls sideways there);
    ``view``: published, theme (a name), n_strengths, n_improvements, n_priority_actions,
    pages and letter (its URL), every value escaped."""
    items = []
    for r in view.itertuples(index=False):
        # Bullets, as the table's headers say: the findings below count sentences.
        counts = "Bullets: " + ", ".join(
            [
                plural(r.n_strengths, "strength"),
                plural(r.n_improvements, "area for improvement", "areas for improvement"),
                plural(r.n_priority_actions, "priority action"),
            ]
        )
        counts += f"; {plural(r.pages, 'page')}"
        link = _cell(r.letter, "letter", f"{area}, {r.published}")
        items.append(
            f"<li><strong>{html.escape(str(r.published))}</strong>: "
            f"{html.escape(str(r.theme))}. {html.escape(counts)}"
            + (f" <small>[{link}]</small>" if link else "")
            + "</li>"
        )
    return "<ul class='area-letters' style='margin:0'>" + "".join(items) + "</ul>"
