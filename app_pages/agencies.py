"""Agencies: which agencies the letters praise or criticise, per theme and over time."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from app_pages import common, data

PAGE = "agencies"
KEYS = ("theme", "region", "agency", "label", "from", "to")

sig, voc, span = common.open_page(charts=True)

st.title("Agencies")
st.caption(
    "Which agencies the findings are about, and whether as a strength, an area for "
    "improvement or a priority action."
)
filters, reseed = common.url_filters(PAGE, voc, KEYS)
filters = common.filter_box(PAGE, filters, reseed, voc, KEYS, span, columns=3)
common.write_url(PAGE, filters)
common.show_description(filters, voc)
common.copy_link("agencies", filters)

where, params = data.where_clause(filters)
# One row per (finding, agency): a sentence about police and health counts for both.
sql = (
    "SELECT a.agency, f.label, l.theme, substr(l.published, 1, 4) AS year, COUNT(*) AS findings "
    "FROM findings f JOIN letters l ON l.letter_id = f.letter_id "
    "JOIN finding_agencies a ON a.finding_id = f.finding_id"
    + where
    + " GROUP BY a.agency, f.label, l.theme, year"
)
counts = common.query(sig, sql, tuple(params))
if counts.empty:
    st.info(
        "No finding matching these filters is tagged with an agency yet (agencies come "
        "from the classifier; re-run `python -m analysis build` once it is in place)."
    )
    st.stop()
counts["label"] = counts["label"].map(data.label_name)

heat = counts.groupby(["agency", "label"])["findings"].sum().reset_index()
label_order = [data.label_name(x) for x in data.LABEL_ORDER]
# Agencies ordered by how many findings are about them, the most at the top.
agency_order = list(heat.groupby("agency")["findings"].sum().sort_values().index)
fig = px.bar(
    heat,
    x="findings",
    y="agency",
    color="label",
    orientation="h",
    text="findings",
    category_orders={"label": label_order, "agency": agency_order},
    color_discrete_map={data.label_name(k): v for k, v in data.LABEL_COLOURS.items()},
    title="Findings about each agency, by label (sentences may name several)",
)
fig.update_layout(height=max(300, 40 * len(agency_order) + 160), yaxis_title=None)
common.chart(fig, heat, "agency_by_label", "heat")

by_theme = counts.groupby(["agency", "theme", "label"])["findings"].sum().reset_index()
f2 = px.bar(
    by_theme,
    x="findings",
    y="agency",
    color="label",
    facet_col="theme",
    facet_col_wrap=3,
    orientation="h",
    category_orders={"label": label_order, "agency": agency_order},
    color_discrete_map={data.label_name(k): v for k, v in data.LABEL_COLOURS.items()},
    title="Findings about each agency per theme, by label",
)
f2.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
f2.update_layout(height=300 + 180 * ((by_theme["theme"].nunique() - 1) // 3))
common.chart(f2, by_theme, "agency_by_theme_label", "by_theme")

by_year = counts.groupby(["year", "agency", "label"])["findings"].sum().reset_index()
f3 = px.line(
    by_year.groupby(["year", "agency"])["findings"].sum().reset_index(),
    x="year",
    y="findings",
    color="agency",
    markers=True,
    title="Findings about each agency by year of publication",
)
f3.update_xaxes(dtick=1, tickformat="d")  # years, not 2,017.5
common.chart(f3, by_year, "agency_by_year_label", "by_year")

st.subheader("Sentences")
c1, c2 = st.columns(2)
agencies = sorted(heat["agency"].unique())
ag = c1.selectbox(
    "Agency", agencies, key="agencies_drill_agency", format_func=lambda a: a.replace("_", " ")
)
labels = [x for x in data.LABEL_ORDER if data.label_name(x) in set(heat["label"])]
lab = c2.selectbox("Label", labels, key="agencies_drill_label", format_func=data.label_name)
sub_filters = filters.with_(agency=(ag,), label=(lab,) if lab != "unlabelled" else ())
sql, params = data.findings_sql(sub_filters)
rows = common.query(sig, sql, tuple(params))
if lab == "unlabelled":
    rows = rows[rows["label"] == ""]
common.sentence_list(rows)
common.download_csv(
    rows,
    f"agency_{ag}_{lab}.csv",
    key="dl_agency_rows",
    label=f"Download these sentences as CSV ({len(rows)} rows)",
)
