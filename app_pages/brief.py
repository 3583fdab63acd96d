"""Pre-inspection brief: for an area about to be inspected on a theme, what inspectors recorded
most often in that theme's letters (with letter counts and two example sentences each), the
priority actions issued on the theme, the area's own earlier letters, its statistical
neighbours' letters and how much of the theme the corpus covers. One page, and the same brief
as one self-contained HTML file that opens offline and prints on A4."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

import config
from analysis import brief, coverage, recurring, reference, store
from analysis.taxonomy import agency_name, topic_name
from app_pages import brief_html, common, data, html_parts, names
from app_pages.names import theme_name
from app_pages.state import Filters, md_escape

PAGE = "brief"
KEYS = ("la", "theme")
TOP = 6  # recurring findings listed per kind
PA_ROWS = 100  # priority-action sentences listed; the CSV has them all
KNOWN_CSV = config.KNOWN_JTAI_LETTERS_CSV

sig, voc, span = common.open_page()
st.title("Pre-inspection brief")
filters, reseed = common.url_filters(PAGE, voc, KEYS)


areas = sorted(set(voc.las.values()), key=lambda u: voc.la_names.get(u, u))
themes = [t for t in voc.themes if t != "other"]  # no inspection is announced as "other"
if len(filters.la) > 1 or len(filters.theme) > 1:
    st.warning("One area and one theme at a time: showing the first of each.")
c1, c2 = st.columns(2)
common.seed("brief_la", filters.la[0] if filters.la else None, reseed)
urn = c1.selectbox(
    "Area to be inspected",
    areas,
    key="brief_la",
    index=None,
    placeholder="Pick an area",
    format_func=lambda u: voc.la_names.get(u, u),
)
common.seed("brief_theme", filters.theme[0] if filters.theme else None, reseed)
theme = c2.selectbox(
    "Theme of the inspection",
    themes,
    key="brief_theme",
    index=None,
    placeholder="Pick a theme",
    format_func=theme_name,
)
filters = Filters(la=(urn,) if urn else (), theme=(theme,) if theme else ())
common.write_url(PAGE, filters)
if not urn or not theme:
    st.info(
        "Pick the area to be inspected and the inspection's theme: the brief gathers what "
        "inspectors recorded most often in that theme's letters, the priority actions issued, "
        "the area's own earlier letters and its statistical neighbours' letters."
    )
    st.stop()
common.copy_link(PAGE, filters)
area = voc.la_names.get(urn, urn)

# ---------------------------------------------------------------- data
letters = common.query(
    sig,
    "SELECT letter_id, urn, local_authority, la_code, theme, published, n_strengths, "
    "n_improvements, n_priority_actions, source_url FROM letters ORDER BY published",
)
theme_letters = letters[letters["theme"] == theme]
n = len(theme_letters)


def theme_counts(dim: str) -> pd.DataFrame:
    """Per topic (or agency), in how many of the theme's letters inspectors recorded a
    weakness, a strength and a priority action on it, most weaknesses first: the build's
    analysis.recurring.letter_counts of the theme's letters (analysis.store's theme_counts)."""
    return common.query(
        sig,
        f"SELECT {', '.join(store.THEME_COUNT_COLUMNS[3:])} FROM theme_counts "
        "WHERE theme = ? AND dim = ? ORDER BY rank",
        (theme, dim),
    )


topics = theme_counts("topic")
agencies = theme_counts("agency")
weak = topics[topics["weakness_letters"] > 0].head(TOP)
strong = topics[topics["strength_letters"] > 0].sort_values(
    ["strength_letters", "code"], ascending=[False, True], kind="stable"
)
strong = strong.head(TOP)


def examples(kind: str, codes: list[str]) -> dict[str, pd.DataFrame]:
    """Two example sentences for each of ``codes`` (analysis.brief.examples), chosen from the
    candidates the build ranked for the theme, ``kind`` and each topic listed."""
    if not codes:
        return {}
    rows = common.query(
        sig,
        "SELECT f.finding_id, l.letter_id, l.urn, l.local_authority, l.theme, l.published, f.page, "
        "f.position, f.label, f.label_confidence, f.text, l.source_url, l.file_id, "
        "e.topic AS code, e.rank FROM example_candidates e "
        "JOIN findings f ON f.finding_id = e.finding_id "
        "JOIN letters l ON l.letter_id = f.letter_id "
        f"WHERE e.theme = ? AND e.kind = ? AND e.topic IN ({', '.join('?' * len(codes))}) "
        "ORDER BY e.topic, e.rank",
        (theme, kind, *codes),
    )
    return brief.examples(rows, codes)


weak_examples = examples("weakness", list(weak["code"]))
strong_examples = examples("strength", list(strong["code"]))
pa_rows = common.query(
    sig,
    data.FINDING_COLUMNS
    + data.FINDING_FROM
    + "WHERE l.theme = ? AND f.label = 'priority_action' ORDER BY l.published, f.position",
    (theme,),
)
own = letters[letters["urn"] == urn]
la = reference.by_urn(urn)
neighbour_codes = set(la.stat_neighbours) if la else set()
neighbours = letters[letters["la_code"].isin(neighbour_codes) & (letters["urn"] != urn)]
try:
    known = coverage.read_rows(KNOWN_CSV)
except coverage.NoReference:
    known = []
cover = brief.coverage(known, letters, theme)

# ---------------------------------------------------------------- sections
noun = f"{recurring.in_sentence(theme_name(theme))} letter{'s' if n != 1 else ''}"


def recurring_section(counts: pd.DataFrame, kind: str, examples: dict, in_app: bool) -> str:
    column = f"{kind}_letters"
    if counts.empty:
        return f"<p>No {kind} recorded on any topic in the {n} {html.escape(noun)}.</p>"
    parts = []
    for r in counts.itertuples():
        k = int(getattr(r, column))
        parts.append(
            f"<h3>{html.escape(topic_name(r.code))}: {kind} in {k} of {n} "
            f"letter{'s' if n != 1 else ''}</h3>"
            "<ul class='jt-sentences'>"
            + "".join(
                # No theme: the brief's title says it.
                html_parts.sentence_item(row, True, similar_link=in_app, la_names=voc.la_names)
                for row in examples.get(r.code, pd.DataFrame()).to_dict("records")
            )
            + "</ul>"
        )
    return "".join(parts)


def letters_table(rows: pd.DataFrame, with_area: bool) -> str:
    if rows.empty:
        return "<p>None in the corpus.</p>"
    table = []
    for r in rows.itertuples():
        area, when = (
            names.area_name(r.urn, voc.la_names, r.local_authority),
            html_parts.nice_date(r.published),
        )
        link = html_parts.letter_link(
            r.source_url, str(r.urn), area, when, site_text="reports website"
        )
        table.append(
            {
                **({"Area": area} if with_area else {}),
                "Published": when,
                "Theme": theme_name(r.theme),
                "Strengths": r.n_strengths,
                "Improvements": r.n_improvements,
                "Priority actions": r.n_priority_actions,
                "Letter": link,
            }
        )
    columns = ["Published", "Theme", "Strengths", "Improvements", "Priority actions", "Letter"]
    return html_parts.table(
        table, (["Area"] if with_area else []) + columns, text_columns=["Theme"]
    )


def agency_table(counts: pd.DataFrame) -> str:
    if counts.empty:
        return "<p>No agency is named in these letters' findings.</p>"
    return html_parts.table(
        [
            {
                "Agency": agency_name(r.code),
                "Letters with a weakness": f"{r.weakness_letters} of {n}",
                "with a strength": f"{r.strength_letters} of {n}",
            }
            for r in counts.itertuples()
        ],
        ["Agency", "Letters with a weakness", "with a strength"],
    )


def pa_section(in_app: bool) -> str:
    with_pa = int((theme_letters["n_priority_actions"] > 0).sum())
    head = (
        f"<p>{with_pa} of {n} {html.escape(noun)} issued priority actions "
        f"({len(pa_rows)} sentences).</p>"
    )
    if pa_rows.empty:
        return head
    shown = pa_rows.head(PA_ROWS)
    more = (
        f"<p class='jt-note'>The first {PA_ROWS} of {len(pa_rows)}; the CSV download on the "
        "brief's page has them all.</p>"
        if len(pa_rows) > PA_ROWS
        else ""
    )
    return (
        head
        + more
        + html_parts.sentences_by_letter(
            shown, theme_name, similar_link=in_app, heading_level=3, la_names=voc.la_names
        )
    )


coverage_text = (
    f"The corpus holds {cover.held} of the {cover.known} inspections on this theme in the "
    f"published record ({cover.in_corpus} letters on it in all)."
    + (f" Not held: {', '.join(cover.missing)}." if cover.missing else "")
)
intro = (
    f"For {area}, before a joint targeted area inspection on "
    f"{recurring.in_sentence(theme_name(theme))}: what inspectors recorded in the {n} "
    f"{noun} of this corpus. Counts are letters (one per area inspected), not sentences."
)


def sections(in_app: bool) -> list[tuple[str, str]]:
    return [
        ("Recurring weaknesses", recurring_section(weak, "weakness", weak_examples, in_app)),
        ("Recurring strengths", recurring_section(strong, "strength", strong_examples, in_app)),
        ("Agencies", agency_table(agencies)),
        ("Priority actions issued on this theme", pa_section(in_app)),
        (f"{area}'s own earlier letters", letters_table(own, with_area=False)),
        (f"{area}'s statistical neighbours' letters", letters_table(neighbours, with_area=True)),
        ("Coverage", f"<p>{html.escape(coverage_text)}</p>"),
    ]


title = f"Pre-inspection brief: {area}, {theme_name(theme)}"
footer = (
    f"JTAI Findings Explorer, corpus built {common.meta(sig).get('built_at', '')}. Letters: "
    "Crown copyright, Open Government Licence v3.0. Tags (label, topics, agencies) are the "
    "classifier's and may be wrong: read each sentence in its letter."
)


def offline() -> bytes:
    return brief_html.document(title, intro, sections(in_app=False), footer).encode("utf-8")


st.download_button(
    "Download the brief (one HTML file: opens offline, prints on A4)",
    data=offline,
    file_name=f"brief_{urn}_{theme}.html",
    mime="text/html",
    key="dl_brief",
    on_click="ignore",
)
st.markdown(md_escape(intro))
if n == 0:
    st.info(md_escape(f"The corpus has no letter on {theme_name(theme)} yet."))

csvs = {
    "Recurring weaknesses": (weak.assign(name=weak["code"].map(topic_name)), "weaknesses"),
    "Recurring strengths": (strong.assign(name=strong["code"].map(topic_name)), "strengths"),
    "Agencies": (agencies.assign(name=agencies["code"].map(agency_name)), "agencies"),
    "Priority actions issued on this theme": (pa_rows, "priority_actions"),
    f"{area}'s own earlier letters": (own, "own_letters"),
    f"{area}'s statistical neighbours' letters": (neighbours, "neighbours_letters"),
}
for heading, body in sections(in_app=True):
    st.header(heading)
    st.html(html_parts.STYLE + body)
    if heading in csvs:
        frame, name = csvs[heading]
        common.download_csv(
            frame,
            f"brief_{urn}_{theme}_{name}.csv",
            key=f"dl_brief_{name}",
            label=f"Download CSV ({html_parts.rows(len(frame))})",
        )
