"""Agencies: which agencies the letters praise or criticise, per theme and over time."""

from __future__ import annotations

import streamlit as st

from app_pages import common, data, figures

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
totals = heat.groupby("agency")["findings"].sum()
agency_order = list(totals.sort_values(ascending=False, kind="stable").index)
common.chart(
    figures.agency_by_label, (heat, label_order, agency_order), heat, "agency_by_label", "heat"
)

by_theme = counts.groupby(["agency", "theme", "label"])["findings"].sum().reset_index()
common.chart(
    figures.agency_by_theme,
    (by_theme, label_order, agency_order),
    by_theme,
    "agency_by_theme_label",
    "by_theme",
)

by_year = counts.groupby(["year", "agency", "label"])["findings"].sum().reset_index()
common.chart(figures.agency_by_year, (by_year,), by_year, "agency_by_year_label", "by_year")

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
