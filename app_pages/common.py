"""Streamlit glue shared by the pages: the cached database, URL state <-> widgets, downloads,
charts with their table alternative, and the copy-link control."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import config
from analysis import store
from app_pages import data, plotly_basic
from app_pages.state import Filters, Vocab, describe, md_escape, parse_query, to_query

_LOCK = threading.Lock()  # one sqlite connection is shared by all sessions' threads

Sig = tuple[str, int, int]


class DatabaseSwapped(RuntimeError):
    """A rebuild swapped the file in between reading its signature and opening it."""


@st.cache_resource(max_entries=4, show_spinner=False)
def _connection(sig: Sig):  # noqa: ANN202
    # Keyed on (path, mtime, inode): a rebuilt database is a new key, so it is opened anew
    # and the old connection falls out of the cache. The path may already name a newer file
    # than ``sig`` (a rebuild in between): a connection cached under ``sig`` must be to the
    # file ``sig`` names, or one page could mix two corpora's numbers.
    conn = store.connect_readonly(Path(sig[0]))
    conn.execute("SELECT 1 FROM meta LIMIT 1").fetchall()  # the file is open from here on
    if data.db_signature(Path(sig[0])) != sig:
        conn.close()
        raise DatabaseSwapped(sig[0])
    return conn


@st.cache_data(max_entries=512, show_spinner=False)
def query(sig: Sig, sql: str, params: tuple = ()) -> pd.DataFrame:
    with _LOCK:
        return data.read_df(_connection(sig), sql, params)


def run(sig: Sig, fn: Callable, *args: object) -> object:
    """Run a data.* function on the shared connection (callers cache the result)."""
    with _LOCK:
        return fn(_connection(sig), *args)


@st.cache_data(max_entries=128, show_spinner=False)
def compare_counts(sig: Sig, filters: Filters, topic: str) -> pd.DataFrame:
    return run(sig, data.compare_counts, filters, topic)  # type: ignore[return-value]


@st.cache_data(max_entries=4, show_spinner=False)
def vocab(sig: Sig) -> Vocab:
    return run(sig, data.vocab_from)  # type: ignore[return-value]


@st.cache_data(max_entries=4, show_spinner=False)
def meta(sig: Sig) -> dict[str, str]:
    df = query(sig, "SELECT key, value FROM meta")
    return dict(zip(df["key"], df["value"], strict=False))


@st.cache_data(max_entries=4, show_spinner=False)
def corpus_span(sig: Sig) -> dict[str, object]:
    df = query(
        sig,
        "SELECT COUNT(*) AS letters, COUNT(DISTINCT urn) AS areas, "
        "MIN(published) AS first, MAX(published) AS last FROM letters",
    )
    n = query(sig, "SELECT COUNT(*) AS n FROM findings")
    return {**df.iloc[0].to_dict(), "findings": int(n.iloc[0]["n"])}


def database() -> Sig:
    """The current database's signature (its connection open), or an explanation and stop
    when there is none."""
    for _ in range(5):  # a rebuild swaps once in seconds: a retry or two settles it
        sig = data.db_signature(config.db_path())
        if sig is None:
            break
        try:
            with _LOCK:
                _connection(sig)
            break
        except DatabaseSwapped:
            continue
    else:
        st.info("The corpus is being rebuilt right now: reload this page in a moment.")
        st.stop()
    if sig is None:
        st.info(
            f"No corpus yet: there is no database at `{config.db_path()}`. Build it with "
            "`make run`, or `python -m scrapers ingest LETTERS_DIR && python -m analysis build` "
            "(set `JTAI_DATA_DIR` to use another data directory), then reload this page."
        )
        st.stop()
    version = meta(sig).get("schema_version")  # type: ignore[arg-type]
    if version != store.SCHEMA_VERSION:
        st.info(
            f"The database at `{config.db_path()}` was built by another version of this tool "
            f"(its schema is {md_escape(str(version))}, this dashboard reads "
            f"{store.SCHEMA_VERSION}). Rebuild it with `python -m analysis build` (or "
            "`make run`), then reload this page."
        )
        st.stop()
    return sig  # type: ignore[return-value]


def open_page(charts: bool = False) -> tuple[Sig, Vocab, dict[str, object]]:
    """What every page starts with: the database (or the empty-state notice and stop), the
    sidebar, and the cached vocabulary and corpus span. A page with ``charts`` starts
    loading the chart library at once."""
    sig = database()
    sidebar(sig)
    if charts:
        with st.sidebar:
            plotly_basic.preload()
    return sig, vocab(sig), corpus_span(sig)


# ---------------------------------------------------------------- URL state


def _raw_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def url_filters(page: str, voc: Vocab, accepted: Iterable[str]) -> tuple[Filters, bool]:
    """Filters from the URL, notices for what was ignored, and whether widgets must be
    (re)seeded: true on first load and when the URL was changed from outside (a new link),
    false when it is the URL this page itself wrote on the previous run."""
    raw = _raw_params()
    filters, notices = parse_query(raw, voc, accepted)
    for n in notices:
        st.warning("Link: " + md_escape(n), icon="⚠️")
    written = st.session_state.get(f"_url_{page}")
    current = {k: ",".join(v) for k, v in raw.items()}
    return filters, written != current


def write_url(page: str, filters: Filters) -> None:
    params = to_query(filters)
    if {k: st.query_params.get(k) for k in st.query_params} != params:
        st.query_params.from_dict(params)
    st.session_state[f"_url_{page}"] = params


def seed(key: str, value: object, reseed: bool) -> None:
    """Give a widget its value from the URL without also passing a default (Streamlit warns
    when both set a widget's value)."""
    if reseed or key not in st.session_state:
        st.session_state[key] = value


def show_description(filters: Filters, voc: Vocab, noun: str = "findings") -> None:
    st.markdown("**Showing:** " + md_escape(describe(filters, voc, noun)))


def _md_url(url: str) -> str:
    # Markdown link targets end at a space or an unbalanced parenthesis: percent-encode both.
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def copy_link(url_path: str, filters: Filters | dict[str, str]) -> None:
    """The link to exactly this view, for a reader to copy and send on."""
    params = filters if isinstance(filters, dict) else to_query(filters)
    qs = urlencode(params, safe=",")
    base = st.context.url or ""
    if base:
        parts = urlsplit(base)
        # st.context.url includes the current page's path; replace it with this page's.
        root = parts.path
        for suffix in (
            "compare",
            "agencies",
            "area",
            "explore",
            "new",
            "about",
            "recurring",
            "similar",
            "brief",
        ):
            if root.rstrip("/").endswith("/" + suffix):
                root = root.rstrip("/")[: -len(suffix)]
        root = root if root.endswith("/") else root + "/"
        link = urlunsplit((parts.scheme, parts.netloc, root + url_path, qs, ""))
    else:
        link = "/" + url_path + ("?" + qs if qs else "")
    # A plain link, not st.code: its copy button costs every first-time reader a 1.5 MB
    # syntax highlighter. The text is the URL itself, so it can be selected and copied too.
    st.markdown(f"Link to this view (copy it to share): [{md_escape(link)}]({_md_url(link)})")


# ---------------------------------------------------------------- output helpers


def download_csv(
    df: pd.DataFrame | Callable[[], pd.DataFrame],
    filename: str,
    key: str,
    label: str = "Download CSV",
) -> None:
    """A CSV download of ``df``, or of what ``df()`` returns when the reader clicks."""
    st.download_button(
        label,
        data=lambda: data.csv_bytes(df() if callable(df) else df),
        file_name=filename,
        mime="text/csv",
        key=key,
        on_click="ignore",
    )


@st.cache_data(max_entries=256, show_spinner=False)
def figure(name: str, args: tuple, _build: Callable[..., go.Figure]) -> tuple[str, str]:
    """The chart ``_build(*args)`` (named ``name``: functions are not hashed) as the JSON the
    page draws, and its title: built once for each distinct input (a rebuilt corpus gives
    new rows, so a new entry), then shared by every reader."""
    fig = _build(*args)
    # Plotly's own legend place (right of the plot) pushes the margin: one under the plot
    # collides with the x-axis title on short charts.
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return plotly_basic.figure_json(fig), fig.layout.title.text or ""


def chart(
    build: Callable[..., go.Figure],
    args: tuple,
    table: pd.DataFrame,
    name: str,
    key: str,
    caption: str | None = None,
    column_config: dict | None = None,
) -> None:
    """The chart ``build(*args)``, its table alternative and the CSV of exactly those rows."""
    fig_json, title = figure(f"{build.__module__}.{build.__qualname__}", args, build)
    plotly_basic.draw(fig_json, key=f"fig_{key}")
    if caption:
        st.caption(caption)
    # Drawn only once opened: a closed table would still load the grid's script for every
    # first-time reader of the page.
    with st.expander(f"Table: {title or name}", key=f"table_{key}", on_change="rerun") as box:
        if box.open:
            st.dataframe(table, hide_index=True, width="stretch", column_config=column_config)
    download_csv(table, f"{name}.csv", key=f"dl_{key}", label=f"Download CSV ({len(table)} rows)")


def _first_rows(df: pd.DataFrame, limit: int, noun: str, total: int | None = None) -> pd.DataFrame:
    """The rows a page draws, saying so when the CSV beside them has more (``total``: how
    many there are when ``df`` holds only the first ones)."""
    total = len(df) if total is None else total
    if total > limit:
        st.caption(
            f"Showing the first {limit:,} of {total:,} {noun}; the CSV download has them all."
        )
    return df.head(limit)


def findings(sig: Sig, filters: Filters, limit: int) -> tuple[pd.DataFrame, int]:
    """The first ``limit`` findings matching ``filters`` and how many match in all. A page
    draws only the first ones; reading every row of a broad selection (thousands of
    sentences) would cost its first reader a fraction of a second for nothing."""
    sql, params = data.findings_sql(filters, limit=limit, with_total=True)
    head = query(sig, sql, tuple(params))
    total = int(head["matching"].iloc[0]) if len(head) else 0
    return head.drop(columns="matching"), total


def findings_csv(sig: Sig, filters: Filters, filename: str, key: str, label: str) -> None:
    """A CSV download of every finding matching ``filters``, read when it is clicked."""
    sql, params = data.findings_sql(filters)
    download_csv(lambda: query(sig, sql, tuple(params)), filename, key=key, label=label)


SHOW_ROWS = 1000  # sentences sent to the browser per table; its CSV download has them all


def finding_table(
    df: pd.DataFrame, key: str, height: int | None = None, total: int | None = None
) -> None:
    """Findings with a link to the source page; text is never rendered as markdown. Long
    results show their first SHOW_ROWS rows (every row costs the reader's browser time)."""
    view = _first_rows(df, SHOW_ROWS, "sentences", total).copy()
    view["link"] = [
        data.source_link(u, p) for u, p in zip(view["source_url"], view["page"], strict=False)
    ]
    view["label"] = view["label"].map(data.label_name)
    view["like"] = "similar?finding=" + view["finding_id"].astype(str)  # findings like this
    cols = [
        c
        for c in [
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
            "letter_id",
        ]
        if c in view.columns
    ]
    st.dataframe(
        view[cols],
        hide_index=True,
        width="stretch",
        key=key,
        height=height or "auto",
        column_config={
            "text": st.column_config.TextColumn("sentence", width="large"),
            "link": st.column_config.LinkColumn("source", display_text="PDF page"),
            "like": st.column_config.LinkColumn("elsewhere", display_text="findings like this"),
            "label_confidence": st.column_config.NumberColumn("confidence", format="%.2f"),
        },
    )


# Sentences drawn as a reading list; the CSV download beside it has them all. A hundred is more
# than a screenful, and each one more costs every first-time reader of the page time.
LIST_ROWS = 100


def badge(label: str) -> str:
    colour = data.LABEL_COLOURS.get(label or "unlabelled", "#CCCCCC")
    text_colour = "#000" if label in ("", "context", "improvement") else "#fff"
    return (
        f"<span style='background:{colour};color:{text_colour};border-radius:4px;"
        f"padding:0 4px;font-size:0.8em;white-space:nowrap'>"
        f"{html.escape(data.label_name(label))}</span>"
    )


def sentence_html(r: pd.Series, with_letter: bool = True) -> str:
    # Escaped: sentence text comes from PDFs and is rendered as HTML here.
    link = data.source_link(r["source_url"], r["page"])
    where = (
        f"<a href='{html.escape(link)}' target='_blank' rel='noopener'>p. {r['page']}</a>"
        if link
        else f"p. {r['page']} (local file {html.escape(str(r['file_id']))}.pdf)"
    )
    if with_letter:
        where = (
            f"{html.escape(str(r['local_authority']))}, {html.escape(str(r['published']))}, {where}"
        )
    # The same finding elsewhere, one click away (the /similar page).
    like = (
        f" · <a href='similar?finding={html.escape(str(r['finding_id']))}' target='_self' "
        "aria-label='findings like this one in other letters'>findings like this</a>"
    )
    return f"<li>{badge(r['label'])} {html.escape(r['text'])} <small>[{where}{like}]</small></li>"


def sentence_list(
    rows: pd.DataFrame,
    with_letter: bool = True,
    total: int | None = None,
    limit: int | None = LIST_ROWS,
) -> None:
    """Sentences as a list to read, each with its label and a link to its page in the letter
    (plain HTML: a data grid would cost a first-time reader a second to load); the first
    ``limit`` of them, or all with None."""
    shown = rows if limit is None else _first_rows(rows, limit, "sentences", total)
    st.html(
        "<ul style='margin:0'>"
        + "".join(sentence_html(r, with_letter) for _, r in shown.iterrows())
        + "</ul>"
    )


def _cell(value: object, link_text: str | None) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if link_text is None or not text:
        return html.escape(text)
    # Only web links and this app's own relative page links: a cell never carries a script.
    if not text.startswith(("https://", "http://", "area?")):
        return html.escape(text)
    external = text.startswith("http")
    attrs = " target='_blank' rel='noopener'" if external else " target='_self'"
    return f"<a href='{html.escape(text)}'{attrs}>{html.escape(link_text)}</a>"


def table_html(df: pd.DataFrame, links: dict[str, str] | None = None) -> str:
    """``df`` as an HTML table, every cell escaped; ``links`` maps a column of URLs to the
    text its links show."""
    links = links or {}
    head = "".join(f"<th style='text-align:left'>{html.escape(str(c))}</th>" for c in df.columns)
    columns = [str(c) for c in df.columns]
    body = "".join(
        "<tr>"
        + "".join(f"<td>{_cell(row[i], links.get(c))}</td>" for i, c in enumerate(columns))
        + "</tr>"
        for row in df.itertuples(index=False)
    )
    return (
        "<div style='overflow-x:auto'><table style='border-collapse:collapse;width:100%;"
        "font-size:0.9em'><thead><tr>" + head + "</tr></thead><tbody>" + body + "</tbody></table>"
        "</div><style>td,th{padding:2px 8px;border-bottom:1px solid rgba(128,128,128,0.3)}</style>"
    )


def html_table(df: pd.DataFrame, links: dict[str, str] | None = None) -> None:
    """A short table as plain HTML (a data grid costs a first-time reader a second)."""
    st.html(table_html(_first_rows(df, LIST_ROWS, "rows"), links))


def sidebar(sig: Sig) -> None:
    span = corpus_span(sig)
    m = meta(sig)
    with st.sidebar:
        st.markdown(
            f"**Corpus:** {span['letters']} letters, {span['findings']:,} findings  \n"
            f"Letters published {span['first']} to {span['last']}  \n"
            f"Last refreshed {md_escape(m.get('built_at', 'unknown'))}"
        )
        st.caption("Whole corpus download (CSV + data dictionary): see *About the data*.")


def iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def filter_box(
    page: str,
    filters: Filters,
    reseed: bool,
    voc: Vocab,
    keys: Iterable[str],
    span: dict[str, object],
    columns: int = 4,
    title: str = "Filters",
) -> Filters:
    """The filter widgets for ``keys`` in a box, open when the link sets any of them. The
    widgets are drawn only while it is open (a closed box keeps the link's filters): their
    scripts would slow every first visit, and most readers never use these filters."""
    keys = list(keys)
    active = any(k in to_query(filters) for k in keys)
    with st.expander(title, expanded=active, key=f"{page}_filters", on_change="rerun") as box:
        if box.open:
            return filter_widgets(page, filters, reseed, voc, keys, span, columns)
    return filters


def filter_widgets(
    page: str,
    filters: Filters,
    reseed: bool,
    voc: Vocab,
    keys: Iterable[str],
    span: dict[str, object],
    columns: int = 4,
) -> Filters:
    """The standard filter widgets for ``keys``, seeded from the URL; returns the new state."""
    keys = list(keys)
    first = date.fromisoformat(str(span["first"]))
    last = date.fromisoformat(str(span["last"]))
    cols = st.columns(columns)
    out = filters
    i = 0

    def col():  # noqa: ANN202 - next column, round-robin
        nonlocal i
        c = cols[i % columns]
        i += 1
        return c

    def nice(v: str) -> str:
        return v.replace("_", " ")

    if "q" in keys:
        seed(f"{page}_q", filters.q, reseed)
        q = col().text_input(
            "Text search", key=f"{page}_q", max_chars=200, placeholder="e.g. perpetrator"
        )
        out = out.with_(q=q.strip())
    multi = {
        "theme": (list(voc.themes), lambda v: voc.themes.get(v, v), "Theme"),
        "region": (list(voc.regions), str, "Region"),
        "la": (
            sorted(set(voc.las.values()), key=lambda u: voc.la_names.get(u, u)),
            lambda u: voc.la_names.get(u, u),
            "Area",
        ),
        "label": (list(voc.labels), nice, "Label"),
        "agency": (list(voc.agencies), nice, "Agency"),
        "topic": (list(voc.topics), nice, "Topic"),
    }
    for key, (options, fmt, title) in multi.items():
        if key not in keys:
            continue
        seed(f"{page}_{key}", list(getattr(filters, key)), reseed)
        chosen = col().multiselect(
            title, options, key=f"{page}_{key}", format_func=fmt, placeholder="All"
        )
        out = out.with_(**{key: tuple(chosen)})
    dates = (
        ("from", "date_from", "Published from", f"Letters run from {first} to {last}"),
        ("to", "date_to", "Published to", None),
    )
    for key, field, title, help_text in dates:
        if key not in keys:
            continue
        seed(f"{page}_{key}", getattr(filters, field), reseed)
        d = col().date_input(
            title,
            key=f"{page}_{key}",
            min_value=date(2015, 1, 1),
            max_value=max(last, date.today()),
            format="YYYY-MM-DD",
            help=help_text,
        )
        out = out.with_(**{field: d})
    if out.date_from and out.date_to and out.date_from > out.date_to:
        st.warning("'Published from' is after 'Published to': the date filter is ignored.")
        out = out.with_(date_from=None, date_to=None)
    if "confidence" in keys:
        seed(f"{page}_conf", filters.min_confidence or 0.0, reseed)
        c = col().slider("Minimum label confidence", 0.0, 1.0, step=0.05, key=f"{page}_conf")
        out = out.with_(min_confidence=c if c > 0 else None)
    return out
