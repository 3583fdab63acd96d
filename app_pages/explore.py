"""Explore findings: every sentence, searchable and filterable, with its letter and page."""

from __future__ import annotations

import streamlit as st

from app_pages import common, meaning, readings

PAGE = "explore"
MAIN_KEYS = ("q", "theme", "la", "label", "agency", "topic")
MORE_KEYS = ("region", "from", "to", "confidence")
KEYS = (*MAIN_KEYS, *MORE_KEYS, "needs_review", "match")

sig, voc, span = common.open_page()

st.title("Explore findings", anchor=False)
filters, reseed = common.url_filters(PAGE, voc, KEYS)
# The filters most searches use are always shown; the rest sit in a box drawn once opened.
filters = common.filter_widgets(PAGE, filters, reseed, voc, MAIN_KEYS, span, columns=3)
filters = common.filter_box(
    PAGE, filters, reseed, voc, MORE_KEYS, span, columns=4, title="More filters"
)
filters = common.review_toggle(PAGE, filters, reseed)
common.seed("explore_match", filters.match == "meaning", reseed)
by_meaning = st.toggle("Match the text search by meaning as well as words", key="explore_match")
filters = filters.with_(match="meaning" if by_meaning else "words")
common.write_url(PAGE, filters)
filters, close = meaning.resolve(sig, filters)
if close is not None:
    st.markdown(f"Search by meaning: {meaning.threshold_note()}; {close:,} are close in meaning.")

rows, total = common.findings(sig, filters, common.SHOW_ROWS)
st.markdown(
    f"**{readings.plural(total, 'finding')}.** " + common.md_escape(common.describe(filters, voc))
)
common.copy_link("explore", filters)
common.findings_csv(
    sig,
    filters,
    common.download_name("findings", filters),
    key="dl_explore",
    label=f"Download CSV ({readings.plural(total, 'row')})",
)
# A grid on a wide screen, a list to read on a phone (app_pages/style.py shows one of them).
with st.container(key="explore_grid"):
    common.finding_table(rows, key="explore_rows", height=600, total=total, la_names=voc.la_names)
with st.container(key="explore_list"):
    common.sentence_list(rows, total=total, la_names=voc.la_names)
