"""Overview: the size and span of the corpus, letters by theme over time, the map of areas
inspected, and the balance of strengths, improvements and priority actions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common, data, figures, names, readings

PAGE = "overview"
KEYS = ("theme", "region", "from", "to")

sig, voc, span = common.open_page(charts=True)

st.title("JTAI Findings Explorer", anchor=False)
st.caption(
    "What Joint Targeted Area Inspections of children's services in England found, "
    "sentence by sentence, from Ofsted's published letters."
)
filters, reseed = common.url_filters(PAGE, voc, KEYS)
filters = common.filter_box(PAGE, filters, reseed, voc, KEYS, span)
common.write_url(PAGE, filters)
common.show_description(filters, voc, noun="letters")

where, params = data.letters_where(filters)
letters = common.query(
    sig,
    "SELECT l.letter_id, l.urn, l.local_authority, l.ons_code, l.region, "
    "l.theme, l.published, l.n_strengths, l.n_improvements, "
    "l.n_priority_actions, l.source_url FROM letters l" + where + " ORDER BY l.published",
    tuple(params),
)
n_findings = common.query(
    sig,
    "SELECT COUNT(*) AS n FROM findings f JOIN letters l ON l.letter_id = f.letter_id" + where,
    tuple(params),
).iloc[0]["n"]

c1, c2, c3, c4 = st.columns(4)
c1.metric("Letters", len(letters))
c2.metric("Areas", letters["urn"].nunique())
c3.metric(
    "Findings (sentences)",
    f"{int(n_findings):,}",
    help="Every sentence of the letters, each one finding.",
)
c4.metric(
    "Published",
    f"{letters['published'].min()[:4]}–{letters['published'].max()[:4]}" if len(letters) else "–",
    help=f"{letters['published'].min()} to {letters['published'].max()}" if len(letters) else None,
)
common.copy_link("", filters)

if letters.empty:
    st.info("No letters match these filters.")
    st.stop()

theme_names = {k: v for k, v in voc.themes.items()}
order = [t for t in voc.themes if t in set(letters["theme"])]
colour = {t: data.THEME_PALETTE[i % len(data.THEME_PALETTE)] for i, t in enumerate(voc.themes)}
letters = letters.assign(
    year=letters["published"].str[:4],
    theme_name=letters["theme"].map(lambda t: theme_names.get(t, t)),
)

# Timeline
tl = (
    letters.groupby(["year", "theme"])
    .size()
    .reset_index(name="letters")
    .sort_values(["year", "theme"])
)
tl["theme_name"] = tl["theme"].map(theme_names)
common.chart(
    figures.timeline,
    (tl, order, colour),
    tl[["year", "theme", "theme_name", "letters"]],
    "letters_by_year_theme",
    "timeline",
    reading=readings.timeline(tl),
)

# Map
st.header("Areas inspected", anchor=False)
geo = data.boundaries()
latest = letters.sort_values("published").groupby("urn").tail(1)
latest = latest.assign(
    local_authority=[
        names.area_name(u, voc.la_names, a)
        for u, a in zip(latest["urn"], latest["local_authority"], strict=False)
    ]
)
if geo is None:
    st.info("The boundary file (la_district_boundaries.geojson) is missing, so no map.")
else:
    known = {f["id"] for f in geo["features"]}
    rows = []
    for r in latest.itertuples():
        for d in data.area_districts(r.urn, r.ons_code, known):
            rows.append(
                {
                    "district": d,
                    "area": r.local_authority,
                    "theme": r.theme,
                    "published": r.published,
                }
            )
    dist = pd.DataFrame(rows, columns=["district", "area", "theme", "published"])
    common.chart(
        figures.areas_map,
        (dist, order, colour, theme_names),
        latest.assign(profile=["area?la=" + u for u in latest["urn"]])[
            [
                "local_authority",
                "urn",
                "ons_code",
                "region",
                "theme",
                "published",
                "profile",
                "theme_name",
            ]
        ].sort_values("local_authority"),
        "areas_inspected",
        "map",
        caption="Grey: no letter matching the filters. Counties are drawn as their districts. "
        "The table under the map lists the areas, each with a link to its profile.",
        column_config={"profile": st.column_config.LinkColumn("Profile", display_text="open")},
        reading=readings.areas_map(latest),
    )

# Balance
st.header("Balance of strengths, areas for improvement and priority actions", anchor=False)
st.caption(
    "These charts count bullets, not sentences: the top-level bullets under each letter's "
    "strengths, areas for improvement and priority actions headings (one bullet may hold "
    "several of the sentences counted as findings above)."
)
long = letters.melt(
    id_vars=["theme", "year"],
    value_vars=list(data.BULLET_COUNTS),
    var_name="kind",
    value_name="bullets",
)
long["label"] = long["kind"].map(data.BULLET_COUNTS)
b1, b2 = st.columns(2)
for col, dim, title in ((b1, "theme", "by theme"), (b2, "year", "by year published")):
    with col:
        agg = long.groupby([dim, "label"])["bullets"].sum().reset_index()
        tot = agg.groupby(dim)["bullets"].transform("sum")
        agg["share"] = (agg["bullets"] / tot).round(3)
        table = agg.assign(label_name=agg["label"].map(names.label_name))
        if dim == "theme":
            table["theme_name"] = table["theme"].map(names.theme_name)
        common.chart(
            figures.balance,
            (agg, dim, title),
            table,
            f"balance_by_{dim}",
            f"balance_{dim}",
            reading=readings.balance(agg) if dim == "theme" else readings.balance_by_year(agg),
        )
