"""Overview: the size and span of the corpus, letters by theme over time, the map of areas
inspected, and the balance of strengths, improvements and priority actions."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from app_pages import common, data

PAGE = "overview"
KEYS = ("theme", "region", "from", "to")

sig, voc, span = common.open_page(charts=True)

st.title("JTAI Findings Explorer")
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
c3.metric("Findings (sentences)", f"{int(n_findings):,}")
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
fig = px.bar(
    tl,
    x="year",
    y="letters",
    color="theme",
    category_orders={"theme": order},
    color_discrete_map=colour,
    hover_data=["theme_name"],
    title="Letters published each year, by inspection theme",
)
fig.update_layout(legend_title_text="theme", xaxis_title="year published", yaxis_title="letters")
fig.update_xaxes(dtick=1, tickformat="d")
common.chart(
    fig, tl[["year", "theme", "theme_name", "letters"]], "letters_by_year_theme", "timeline"
)

# Map
st.subheader("Areas inspected")
geo = data.boundaries()
latest = letters.sort_values("published").groupby("urn").tail(1)
if geo is None:
    st.info("The boundary file (la_district_boundaries.geojson) is missing, so no map.")
else:
    known = {f["id"] for f in geo["features"]}
    locs = sorted(known)
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
    shapes = data.outlines()
    by_district = dist.drop_duplicates("district").set_index("district")
    mfig = go.Figure()
    groups = [("no letter", "#E8E8E8", [d for d in locs if d not in by_district.index])]
    groups += [(t, colour[t], list(by_district.index[by_district["theme"] == t])) for t in order]
    for name, fill, members in groups:
        if not members:
            continue
        xs = [x for d in members for x in shapes[d][0]]
        ys = [y for d in members for y in shapes[d][1]]
        mfig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                fillcolor=fill,
                mode="lines",
                line={"color": "white", "width": 0.4},
                name=name,
                hoverinfo="skip",
            )
        )
    # Invisible points at district centres carry the hover text.
    inspected = list(by_district.index)
    mfig.add_trace(
        go.Scatter(
            x=[shapes[d][2] for d in inspected],
            y=[shapes[d][3] for d in inspected],
            mode="markers",
            marker={"size": 6, "opacity": 0},
            showlegend=False,
            text=[
                f"{by_district['area'][d]}<br>{voc.themes.get(by_district['theme'][d], '')}"
                f"<br>{by_district['published'][d]}"
                for d in inspected
            ],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    mfig.update_xaxes(visible=False)
    # 1/cos(53 deg): makes a degree of latitude look as long as it is at England's middle.
    mfig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.66)
    mfig.update_layout(
        title="Areas inspected, by theme of their latest letter",
        height=640,
        legend={"title": {"text": "theme"}},
    )
    common.chart(
        mfig,
        latest.assign(profile=["area?la=" + u for u in latest["urn"]])[
            ["local_authority", "urn", "ons_code", "region", "theme", "published", "profile"]
        ].sort_values("local_authority"),
        "areas_inspected",
        "map",
        caption="Grey: no letter matching the filters. Counties are drawn as their districts. "
        "The table under the map lists the areas, each with a link to its profile.",
        column_config={"profile": st.column_config.LinkColumn("profile", display_text="open")},
    )

# Balance
st.subheader("Balance of strengths, improvements and priority actions")
st.caption(
    "Counts of top-level bullets under each heading of the letters (n_strengths, "
    "n_improvements, n_priority_actions)."
)
kinds = {
    "n_strengths": "strength",
    "n_improvements": "improvement",
    "n_priority_actions": "priority_action",
}
long = letters.melt(
    id_vars=["theme", "year"], value_vars=list(kinds), var_name="kind", value_name="bullets"
)
long["label"] = long["kind"].map(kinds)
b1, b2 = st.columns(2)
for col, dim, title in ((b1, "theme", "by theme"), (b2, "year", "by year published")):
    with col:
        agg = long.groupby([dim, "label"])["bullets"].sum().reset_index()
        tot = agg.groupby(dim)["bullets"].transform("sum")
        agg["share"] = (agg["bullets"] / tot).round(3)
        f = px.bar(
            agg,
            x="share",
            y=dim,
            color="label",
            orientation="h",
            color_discrete_map=data.LABEL_COLOURS,
            category_orders={"label": list(kinds.values())},
            hover_data=["bullets"],
            title=f"Balance of bullets {title}",
        )
        f.update_layout(xaxis_tickformat=".0%", yaxis_title=None, xaxis_title="share of bullets")
        if dim == "year":
            f.update_yaxes(dtick=1, tickformat="d")
        common.chart(f, agg, f"balance_by_{dim}", f"balance_{dim}")
