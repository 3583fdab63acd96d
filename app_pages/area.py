"""Area profile: one local authority's letters, their findings marked by tag, each linked
to its page in the source letter, and how the area compares with its region and its
statistical neighbours."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import reference
from app_pages import common, data, figures, lists, names, readings
from app_pages.state import Filters, md_escape

PAGE = "area"
KEYS = ("la",)
SECTIONS = ["headline_findings", "strengths", "improvements", "priority_action", "main_findings"]

sig, voc, _span = common.open_page(charts=True)

st.title("Area profile", anchor=False)
filters, reseed = common.url_filters(PAGE, voc, KEYS)
areas = common.query(
    sig,
    "SELECT urn, local_authority, region, la_code, ons_code, "
    "COUNT(*) AS letters FROM letters GROUP BY urn ORDER BY local_authority",
)
area_names = {
    u: names.area_name(u, voc.la_names, a)
    for u, a in zip(areas["urn"], areas["local_authority"], strict=False)
}
options = sorted(area_names, key=lambda u: area_names[u])
if len(filters.la) > 1:
    st.warning("One area at a time: showing the first, ignored the rest.")
wanted = filters.la[0] if filters.la else None
if wanted and wanted not in area_names:
    st.warning(md_escape(f"No letter for {voc.la_names.get(wanted, wanted)} in the corpus."))
    wanted = None
common.seed("area_la", wanted, reseed)
urn = st.selectbox(
    f"Area ({len(options)} inspected areas: only areas with a letter are listed)",
    options,
    index=None,
    placeholder="Choose an area",
    key="area_la",
    format_func=lambda u: area_names.get(u, u),
)
filters = Filters(la=(urn,) if urn else ())
common.write_url(PAGE, filters)
if urn is None:
    st.caption(
        "Choose an area to see its letters, their findings, and how it compares with its "
        "region and its statistical neighbours."
    )
    st.stop()
common.copy_link("area", filters)
area = area_names[urn]

letters = common.query(sig, "SELECT * FROM letters WHERE urn = ? ORDER BY published", (urn,))
first = letters.iloc[0]
st.markdown(
    md_escape(
        f"{area} — {first['region']} — DfE code "
        f"{first['la_code']}, ONS code {first['ons_code']}, URN {urn}"
    )
)
view = letters[
    [
        "letter_id",
        "published",
        "theme",
        "n_strengths",
        "n_improvements",
        "n_priority_actions",
        "pages",
        "source_url",
    ]
].copy()
# Name columns go last: the CSV keeps its columns where they were.
view["theme_name"] = view["theme"].map(lambda t: voc.themes.get(t, t))
# A letter with no known file address: its area's page on the reports website lists it.
shown = view.assign(
    letter=[u or names.provider_page(urn) for u in view["source_url"]], theme=view["theme_name"]
).drop(columns=["letter_id", "theme_name", "source_url"])
# A table on a wide screen, a list on a phone (app_pages/style.py shows one of them).
with st.container(key="area_letters_table"):
    common.html_table(
        shown.rename(columns=names.headers(shown.columns)),
        links={"Letter": "letter"},
        row_names=[f"{area} letter of {p}" for p in view["published"]],
    )
with st.container(key="area_letters_list"):
    st.html(lists.area_letters_html(shown, area))
common.download_csv(view, f"area_{urn}_letters.csv", key="dl_area_letters")


# One letter's findings at a time (the latest first): an area inspected often would
# otherwise put every sentence of every letter on one page.
st.header("Findings", anchor=False)
by_id = {lt.letter_id: lt for lt in letters.itertuples()}
letter_ids = list(letters["letter_id"])[::-1]


def letter_title(i: str) -> str:
    return f"{by_id[i].published}: {voc.themes.get(by_id[i].theme, by_id[i].theme)}"


if len(letter_ids) == 1:  # nothing to choose: said, not a greyed-out selector
    chosen = letter_ids[0]
    st.markdown(md_escape(f"One letter for this area: {letter_title(chosen)}"))
else:
    chosen = st.selectbox(
        f"Letter ({len(letter_ids)} for this area)",
        letter_ids,
        key=f"area_letter_{urn}",
        format_func=letter_title,
    )
lt = by_id[chosen]
sql, params = data.letter_findings_sql(lt.letter_id)
rows = common.query(sig, sql, tuple(params))
if not lt.source_url:
    pdf = data.local_pdf(lt.file_id)
    if pdf:
        st.download_button(
            "Open the letter (local PDF)",
            data=pdf.read_bytes,
            file_name=f"{lt.letter_id}.pdf",
            mime="application/pdf",
            key=f"pdf_{lt.letter_id}",
            on_click="ignore",
        )
for section in SECTIONS:
    title = names.section_name(section)
    part = rows[rows["section"] == section]
    if part.empty:
        continue
    # A closed section is drawn once opened: a letter's sentences are a long page of HTML.
    with st.expander(
        f"{title} ({len(part)} sentences)",
        expanded=section in ("headline_findings", "priority_action"),
        key=f"area_section_{section}",
        on_change="rerun",
    ) as box:
        if box.open:
            common.sentence_list(part, with_letter=False, limit=None, la_names=voc.la_names)
common.download_csv(
    data.with_names(rows),
    f"{lt.letter_id}_findings.csv",
    key=f"dl_{lt.letter_id}",
    label=f"Download this letter's findings as CSV ({readings.plural(len(rows), 'row')})",
)

# Comparison with region and statistical neighbours
st.header("Compared with other letters", anchor=False)
la = reference.by_urn(urn)
neighbour_codes = la.stat_neighbours if la else ()
all_letters = common.query(
    sig,
    "SELECT letter_id, urn, local_authority, la_code, region, theme, "
    "published, n_strengths, n_improvements, n_priority_actions "
    "FROM letters",
)
others = all_letters[all_letters["urn"] != urn]
# Like with like first: a theme's letters are written to that theme's inspection frame.
groups = {
    f"{area}: this letter": letters[letters["letter_id"] == lt.letter_id],
    f"Other letters on {names.theme_name(lt.theme, voc.themes)}": others[
        others["theme"] == lt.theme
    ],
    f"Rest of {first['region']}": all_letters[
        (all_letters["region"] == first["region"]) & (all_letters["urn"] != urn)
    ],
    "Statistical neighbours": all_letters[all_letters["la_code"].isin(neighbour_codes)],
    "England (every other area)": others,
}
rows = []
for group, g in groups.items():
    for col, label in data.BULLET_COUNTS.items():
        rows.append(
            {
                "group": f"{group} ({readings.plural(len(g), 'letter')})",
                "letters": len(g),
                "label": label,
                "mean_bullets_per_letter": round(g[col].mean(), 2) if len(g) else None,
            }
        )
comp = pd.DataFrame(rows)
common.chart(
    figures.area_comparison,
    (comp,),
    comp,
    f"area_{urn}_comparison",
    "area_comp",
    caption="Statistical neighbours are the DfE's ten most similar authorities; only "
    "those with a letter in the corpus count. Other themes' letters are framed by other "
    "inspection guidance: compare like with like first.",
    reading=readings.area(comp),
)
# Topics and agencies, like with like: what share of this letter's findings each concerns,
# against the theme's other letters and every other area's letters. Drawn once opened: its
# first reading goes over every tag of the corpus.
theme_title = names.theme_name(lt.theme, voc.themes)
share_groups = {
    "letter": [lt.letter_id],
    "theme": list(others[others["theme"] == lt.theme]["letter_id"]),
    "england": list(others["letter_id"]),
}
with st.expander(
    f"Topics and agencies: this letter against other letters on {theme_title} and England",
    key="area_tags",
    on_change="rerun",
) as tag_box:
    if tag_box.open:
        sizes = common.query(
            sig, "SELECT letter_id, COUNT(*) AS findings FROM findings GROUP BY letter_id"
        )
        for kind, tags, name_of in (
            ("topic", voc.topics, names.topic_name),
            ("agency", voc.agencies, names.agency_name),
        ):
            tagged = common.query(sig, data.tag_counts_sql(kind)[0])
            shares = data.tag_shares(tagged, sizes, share_groups, tuple(tags))
            shares = shares[(shares[list(share_groups)].fillna(0) > 0).any(axis=1)]
            shown = pd.DataFrame(
                {
                    ("Topic" if kind == "topic" else "Agency"): shares["tag"].map(name_of),
                    "This letter": shares["letter"].map(readings.pct),
                    f"Other letters on {theme_title}": shares["theme"].map(readings.pct),
                    "England (every other area)": shares["england"].map(readings.pct),
                }
            )
            st.markdown(f"**Share of findings about each {kind}**")
            common.html_table(shown)
            common.download_csv(
                shares.assign(name=shares["tag"].map(name_of)),
                f"area_{urn}_{kind}_shares.csv",
                key=f"dl_{kind}_shares",
            )

region_group = f"Rest of {first['region']}"
for title, group, none in (
    ("Statistical neighbours with letters", "Statistical neighbours", "statistical neighbours"),
    (f"Other areas in {first['region']} with letters", region_group, "region's other areas"),
):
    nb = groups[group][["local_authority", "published", "theme", "urn"]].copy()
    if nb.empty:
        st.caption(f"None of this area's {none} has a letter in the corpus.")
        continue
    nb["local_authority"] = [
        names.area_name(u, voc.la_names, a)
        for u, a in zip(nb["urn"], nb["local_authority"], strict=False)
    ]
    nb["theme"] = nb["theme"].map(lambda t: voc.themes.get(t, t))
    nb["profile"] = "area?la=" + nb["urn"]
    st.markdown(f"**{md_escape(title)}**")
    common.html_table(
        nb.drop(columns="urn").rename(columns=names.headers(nb.columns)),
        links={"Profile": "profile"},
        row_names=[
            f"{a}, {p}" for a, p in zip(nb["local_authority"], nb["published"], strict=True)
        ],
    )
