"""What's new: letters published since a date, and when the corpus was last refreshed."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from app_pages import common, coverage, data
from app_pages.state import Filters

PAGE = "new"
KEYS = ("from",)

sig, voc, span = common.open_page()
meta = common.meta(sig)

st.title("What's new")
st.markdown(
    f"The corpus was last refreshed **{common.md_escape(meta.get('built_at', '?'))}**; "
    f"its latest letter was published **{span['last']}**."
)
coverage.render(sig)
filters, reseed = common.url_filters(PAGE, voc, KEYS)
default = date.fromisoformat(str(span["last"])) - timedelta(days=365)
common.seed("new_from", filters.date_from or default, reseed)
since = st.date_input("Letters published since", key="new_from", format="YYYY-MM-DD")
filters = Filters(date_from=since)
common.write_url(PAGE, filters)
common.copy_link("new", filters)

where, params = data.letters_where(filters)
letters = common.query(
    sig,
    "SELECT l.published, l.local_authority, l.region, l.theme, "
    "l.n_strengths, l.n_improvements, l.n_priority_actions, l.source_url, "
    "l.urn, l.letter_id FROM letters l" + where + " ORDER BY l.published DESC",
    tuple(params),
)
st.markdown(f"**{len(letters)} letters** published on or after {since}.")
view = letters.assign(
    theme=letters["theme"].map(lambda t: voc.themes.get(t, t)), profile="area?la=" + letters["urn"]
)
common.html_table(
    view.rename(columns={"source_url": "letter"}), links={"letter": "PDF", "profile": "open"}
)
common.download_csv(letters, f"letters_since_{since}.csv", key="dl_new")
