"""Escaped HTML pieces: tables whose cells may link to another view of this app, and the one
sentence renderer every page's sentence lists use (alone or grouped by letter), so an area has
one name and a sentence one look everywhere. Pure functions of their rows; nothing here imports
Streamlit, so the downloadable brief is built from the same pieces.

Every value from the database or a link is escaped; a link is only ever a path of this app
(``recurring?...``) or a letter's web address, never anything a cell's text could smuggle in.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import pandas as pd

from analysis.taxonomy import label_name
from app_pages import names

APP_PAGES = ("recurring?", "similar?", "explore?", "compare?", "area?", "brief?")
# Label colours (Okabe-Ito, as data.LABEL_COLOURS) with text that passes WCAG AA on them.
BADGE = {
    "strength": ("#0072B2", "#fff"),
    "improvement": ("#E69F00", "#000"),
    "priority_action": ("#D55E00", "#000"),
    "context": ("#999999", "#000"),
}


@dataclass(frozen=True)
class Link:
    """A cell that links: ``href`` (an app path or a web address), its text, and what a screen
    reader announces (where the link goes), when the text alone does not say."""

    href: str
    text: str
    label: str = ""


def app_link(page: str, params: Mapping[str, str]) -> str:
    """A relative link to one of this app's pages with ``params`` (comma lists kept readable)."""
    return f"{page}?{urlencode(dict(params), safe=',')}"


def rows(n: int, noun: str = "row") -> str:
    """ "1 row", "2 rows": for a download's label."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def safe_href(href: str) -> str:
    """``href`` when it is one of this app's paths or a web address, else ''."""
    return href if href.startswith(("https://", "http://", *APP_PAGES)) else ""


def anchor(link: Link) -> str:
    href = safe_href(link.href)
    if not href:
        return html.escape(link.text)
    external = href.startswith("http")
    attrs = " target='_blank' rel='noopener'" if external else " target='_self'"
    aria = f" aria-label='{html.escape(link.label)}'" if link.label else ""
    return f"<a href='{html.escape(href)}'{attrs}{aria}>{html.escape(link.text)}</a>"


def cell(value: object) -> str:
    if isinstance(value, Link):
        return anchor(value)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def table(
    rows: Sequence[Mapping[str, object]],
    columns: Sequence[str],
    caption: str = "",
    text_columns: Sequence[str] = (),
) -> str:
    """A table of ``rows`` (dicts) under ``columns`` headings; cells may be Links. Wrapped to
    scroll sideways on a phone rather than push the page wider. Cells after the first keep to
    one line (counts, dates, links), except in ``text_columns``, whose long words wrap, so a
    long theme does not push the last column out of sight."""
    head = "".join(f"<th scope='col'>{html.escape(c)}</th>" for c in columns)
    td = {c: "<td class='jt-text'>" if c in text_columns else "<td>" for c in columns}
    body = "".join(
        "<tr>" + "".join(f"{td[c]}{cell(r.get(c))}</td>" for c in columns) + "</tr>" for r in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    # The box scrolls sideways on a phone: focusable so a keyboard can scroll it too.
    name = html.escape(caption or f"Table: {', '.join(columns)}")
    return (
        f"<div class='jt-wrap' tabindex='0' role='region' aria-label='{name}'>"
        "<table class='jt-table'>"
        f"{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


STYLE = """
<style>
.jt-wrap{overflow-x:auto;max-width:100%}
.jt-table{border-collapse:collapse;width:100%;font-size:0.92em}
.jt-table caption{text-align:left;font-weight:600;padding:4px 0}
.jt-table th,.jt-table td{text-align:left;padding:3px 8px;vertical-align:top;
  border-bottom:1px solid rgba(128,128,128,0.35)}
.jt-table td:not(:first-child){white-space:nowrap}
.jt-table td.jt-text{white-space:normal;min-width:8em}
.jt-badge{border-radius:4px;padding:0 4px;font-size:0.8em;white-space:nowrap}
.jt-letter{margin:0.6em 0 0.2em 0;font-weight:600}
.jt-sentences{margin:0 0 0.4em 0;padding-left:1.3em}
.jt-sentences li{margin-bottom:0.25em}
.jt-meta{font-size:0.85em}
</style>
"""


def badge(label: str) -> str:
    bg, fg = BADGE.get(label, ("#dddddd", "#000"))
    return (
        f"<span class='jt-badge' style='background:{bg};color:{fg}'>"
        f"{html.escape(label_name(label))}</span>"
    )


def nice_date(iso: str) -> str:
    try:
        return f"{date.fromisoformat(str(iso)):%-d %b %Y}"
    except ValueError:
        return str(iso)


def web_address(source_url: object) -> str:
    """The letter's file address when it is one on the web ('' when unknown or only local)."""
    if not isinstance(source_url, str) or not source_url.startswith(("https://", "http://")):
        return ""
    return source_url


def page_link(source_url: object, page: int) -> str:
    """A sentence's page in its letter's PDF; '' when the letter has no web address."""
    url = web_address(source_url)
    return f"{url}#page={int(page)}" if url else ""


def letter_link(
    source_url: object,
    urn: str,
    area: str,
    when: str,
    site_text: str = "letter on the reports website",
) -> Link | str:
    """A letter's PDF; with no known file address, its area's page on the reports website,
    where its letters are listed (``site_text``: shorter in a table's Letter column); else
    nothing."""
    if url := web_address(source_url):
        return Link(url, "PDF", f"PDF: the letter to {area}, {when}")
    provider = names.provider_page(urn)
    label = f"the letter to {area}, {when}, on the reports website"
    return Link(provider, site_text, f"{site_text}: {label}") if provider else ""


def area_of(r: Mapping[str, object], la_names: Mapping[str, str] | None) -> str:
    """The row's area as the LA lookup names it (one name on every page), else as its letter
    spells it."""
    return names.area_name(
        str(r.get("urn") or ""), la_names or {}, str(r.get("local_authority") or "")
    )


def sentence_item(
    r: Mapping[str, object],
    with_letter: bool,
    theme_name: Callable[[str], str] | None = None,
    similar_link: bool = True,
    extra: str = "",
    la_names: Mapping[str, str] | None = None,
) -> str:
    """One sentence: its label, its text, where it is (area, date, page link; with no known
    file address, the area's page on the reports website, where its letters are listed) and a
    link to the findings like it in other letters."""
    area, when, page = area_of(r, la_names), nice_date(str(r["published"])), r["page"]
    url = page_link(r.get("source_url"), int(page))  # type: ignore[arg-type]
    # Link names say which letter and sentence they go from: a page of many sentences never
    # has two links of one name that go to different places.
    letter = f"the {area} letter of {when}"
    place = str(r["finding_id"]).rsplit("-", 1)[-1].lstrip("0") or "0"
    if url:
        where = anchor(Link(url, f"p. {page}", f"p. {page} of {letter} (PDF)"))
    else:
        where = f"p. {html.escape(str(page))}"
        site = letter_link(r.get("source_url"), str(r.get("urn") or ""), area, when)
        if site:
            where += ", " + anchor(site)
    if with_letter:
        theme = theme_name(str(r["theme"])) if theme_name and "theme" in r else ""
        where = ", ".join(html.escape(x) for x in (area, when, theme) if x) + f", {where}"
    like = ""
    if similar_link:
        like = " · " + anchor(
            Link(
                f"similar?finding={r['finding_id']}",
                "findings like this",
                f"findings like this in other letters, for sentence {place} of {letter} "
                f"(p. {page})",
            )
        )
    return (
        f"<li>{badge(str(r['label']))} {html.escape(str(r['text']))} "
        f"<span class='jt-meta'>[{where}{like}]{extra}</span></li>"
    )


def sentences_by_letter(
    rows: pd.DataFrame,
    theme_name: Callable[[str], str],
    similar_link: bool = True,
    heading_level: int = 4,
    la_names: Mapping[str, str] | None = None,
) -> str:
    """Sentences grouped under their letter (area, as the LA lookup names it, date, theme),
    letters in the rows' order."""
    parts: list[str] = []
    tag = f"h{heading_level}"
    # Plain dicts, not pandas rows: a hundred sentences drawn through iterrows cost a reader a
    # tenth of a second on every view.
    by_letter: dict[str, list[dict]] = {}
    for r in rows.to_dict("records"):
        by_letter.setdefault(str(r["letter_id"]), []).append(r)
    for part in by_letter.values():
        first = part[0]
        parts.append(
            f"<{tag} class='jt-letter'>{html.escape(area_of(first, la_names))}, "
            f"{html.escape(nice_date(str(first['published'])))} "
            f"({html.escape(theme_name(str(first['theme'])))}): {len(part)} "
            f"sentence{'s' if len(part) != 1 else ''}</{tag}>"
            "<ul class='jt-sentences'>"
            + "".join(
                sentence_item(r, with_letter=False, similar_link=similar_link, la_names=la_names)
                for r in part
            )
            + "</ul>"
        )
    return "".join(parts)
