"""Agencies: which agencies the letters praise or criticise, per theme and over time."""

from __future__ import annotations

import streamlit as st

from app_pages import common, data, figures, names, readings

PAGE = "agencies"
FILTERS = ("theme", "region", "agency", "label", "from", "to")
KEYS = (*FILTERS, "view", "bar", "needs_review")
# The three views of the counts, as tabs; only the open one is drawn (link: ?view=...).
VIEWS = {"label": "By label", "theme": "Per theme", "year": "Over time"}

sig, voc, span = common.open_page(charts=True)

st.title("Agencies", anchor=False)
st.caption(
    "Which agencies the findings are about, and whether as a strength, an area for "
    "improvement or a priority action."
)
filters, reseed = common.url_filters(PAGE, voc, KEYS)
filters = common.filter_box(PAGE, filters, reseed, voc, FILTERS, span, columns=3)
filters = common.review_toggle(PAGE, filters, reseed)
common.seed("agencies_view", VIEWS[filters.view or "label"], reseed)
view = next(k for k, v in VIEWS.items() if v == st.session_state["agencies_view"])
filters = filters.with_(view="" if view == "label" else view)
common.show_description(filters, voc)

# One row per (finding, agency): a sentence about police and health counts for both.
sql, params = data.agency_counts_sql(filters)
counts = common.query(sig, sql, tuple(params))
if counts.empty:
    common.write_url(PAGE, filters)
    common.copy_link("agencies", filters)
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
# Per theme and over time: findings per letter (a theme or year with more letters would
# otherwise look bigger), from the letters matching the same filters.
where, params = data.letters_where(filters)
n_letters = common.query(
    sig,
    "SELECT l.theme, substr(l.published, 1, 4) AS year, COUNT(*) AS letters FROM letters l"
    + where
    + " GROUP BY l.theme, year",
    tuple(params),
)
views = {
    "label": (figures.agency_by_label, heat, "agency_by_label", "heat"),
    "theme": (
        figures.agency_by_theme,
        data.agency_rates(counts, n_letters, "theme"),
        "agency_per_letter_by_theme_label",
        "by_theme",
    ),
    "year": (
        figures.agency_by_year,
        data.agency_rates(counts, n_letters, "year"),
        "agency_per_letter_by_year",
        "by_year",
    ),
}


def _clicked() -> None:
    """A click on a bar of the by-label chart chooses its agency and label below."""
    state = st.session_state.get("fig_heat")
    click = (state.get("click") if hasattr(state, "get") else getattr(state, "click", None)) or {}
    custom, label = click.get("custom") or [], click.get("meta")
    if custom and custom[0] in agency_order and label in data.LABEL_ORDER:
        st.session_state["agencies_drill_agency"] = custom[0]
        st.session_state["agencies_drill_label"] = label


tabs = st.tabs(list(VIEWS.values()), key="agencies_view", on_change="rerun")
for (build, rows, name, key), tab in zip(views.values(), tabs, strict=True):
    if tab.open:  # the others are not drawn at all until chosen
        with tab:
            table = rows.assign(agency_name=rows["agency"].map(names.agency_name))
            if "theme" in table.columns:
                table["theme_name"] = table["theme"].map(names.theme_name)
            common.chart(
                build,
                (rows, label_order, agency_order),
                table,
                name,
                key,
                reading=readings.agencies(heat)
                if key == "heat"
                else readings.agencies_per_letter(rows, "theme" if key == "by_theme" else "year"),
                on_click=_clicked if key == "heat" else None,
            )

st.header("Sentences", anchor=False)
# Nothing is read until the reader picks an agency (or the link names one): a page that
# opened on one arbitrary agency's thousands of sentences would make every reader wait.
labels = [x for x in data.LABEL_ORDER if data.label_name(x) in set(heat["label"])]
if reseed:
    wanted = filters.bar[0] if filters.bar else None
    if wanted is None and len(filters.agency) == 1:
        wanted = filters.agency[0]
    if wanted in agency_order:
        st.session_state["agencies_drill_agency"] = wanted
    want_label = filters.bar[1] if filters.bar else None
    if want_label in labels:
        st.session_state["agencies_drill_label"] = want_label
c1, c2 = st.columns(2)
ag = c1.selectbox(
    "Agency to read about",
    agency_order,
    index=None,
    placeholder="Choose an agency",
    key="agencies_drill_agency",
    format_func=lambda a: f"{names.agency_name(a)} ({totals[a]:,})",
)
lab = c2.selectbox(
    "Label of the sentences", labels, key="agencies_drill_label", format_func=data.label_name
)
filters = filters.with_(bar=(ag, lab) if ag else None)
common.write_url(PAGE, filters)
common.copy_link("agencies", filters)
if ag is None:
    st.caption("Choose an agency to read the sentences about it, with links to their pages.")
    st.stop()
# An unlabelled finding has the empty label.
sub_filters = filters.with_(agency=(ag,), label=("" if lab == "unlabelled" else lab,), bar=None)
rows, total = common.findings(sig, sub_filters, common.LIST_ROWS)
common.sentence_list(rows, total=total, la_names=voc.la_names)
common.findings_csv(
    sig,
    sub_filters,
    common.download_name("agency", filters),
    key="dl_agency_rows",
    label=f"Download these sentences as CSV ({readings.plural(total, 'row')})",
)
