"""What's new: letters published since a date, and when the corpus was last refreshed."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from app_pages import common, coverage, data, names, readings, style
from app_pages.state import Filters

PAGE = "new"
KEYS = ("from",)

sig, voc, span = common.open_page()
meta = common.meta(sig)

st.title("What's new", anchor=False)
st.markdown(
    f"The corpus was last refreshed **{common.md_escape(style.when(meta.get('built_at', '')))}**; "
    f"its latest letter was published **{span['last']}**."
)
coverage.render(sig)
filters, reseed = common.url_filters(PAGE, voc, KEYS)
default = date.fromisoformat(str(span["last"])) - timedelta(days=365)
common.seed("new_from", filters.date_from or default, reseed)
lo, hi = common.date_range(span)
since = st.date_input(
    "Letters published since", key="new_from", format="YYYY-MM-DD", min_value=lo, max_value=hi
)
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
st.markdown(f"**{readings.plural(len(letters), 'letter')}** published on or after {since}.")
area = [
    names.area_name(u, voc.la_names, a)
    for u, a in zip(letters["urn"], letters["local_authority"], strict=False)
]
view = letters.assign(
    local_authority=area,
    theme=letters["theme"].map(lambda t: voc.themes.get(t, t)),
    letter=[
        u or names.provider_page(n)
        for u, n in zip(letters["source_url"], letters["urn"], strict=False)
    ],
    profile="area?la=" + letters["urn"],
).drop(columns=["source_url", "urn", "letter_id"])
# A table on a wide screen, a list on a phone (app_pages/style.py shows one of them): eight
# columns on 390 px scroll sideways.
with st.container(key="new_table"):
    common.html_table(
        view.rename(columns=names.headers(view.columns)),
        links={"Letter": "letter", "Profile": "profile"},
        row_names=[f"{a}, {p}" for a, p in zip(area, letters["published"], strict=False)],
    )
with st.container(key="new_list"):
    st.html(common.letter_list_html(view))
common.download_csv(
    letters.assign(theme_name=letters["theme"].map(names.theme_name)),
    f"letters_since_{since}.csv",
    key="dl_new",
)
