"""JTAI Findings Explorer: the dashboard. ``streamlit run app.py``.

Reads the corpus database (config.db_path()) read-only; each page is a module in app_pages/.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(
    page_title="JTAI Findings Explorer", page_icon=":material/description:", layout="wide"
)

# url_path values are a contract: shared links use them.
PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page(
        "app_pages/compare.py",
        title="Compare themes",
        icon=":material/balance:",
        url_path="compare",
    ),
    st.Page(
        "app_pages/agencies.py",
        title="Agencies",
        icon=":material/account_balance:",
        url_path="agencies",
    ),
    st.Page(
        "app_pages/area.py", title="Area profile", icon=":material/location_on:", url_path="area"
    ),
    st.Page(
        "app_pages/explore.py",
        title="Explore findings",
        icon=":material/search:",
        url_path="explore",
    ),
    st.Page(
        "app_pages/recurring.py",
        title="Recurring findings",
        icon=":material/repeat:",
        url_path="recurring",
    ),
    st.Page(
        "app_pages/similar.py",
        title="Findings like this",
        icon=":material/join_inner:",
        url_path="similar",
    ),
    st.Page(
        "app_pages/brief.py",
        title="Pre-inspection brief",
        icon=":material/assignment:",
        url_path="brief",
    ),
    st.Page("app_pages/new.py", title="What's new", icon=":material/new_releases:", url_path="new"),
    st.Page("app_pages/about.py", title="About the data", icon=":material/info:", url_path="about"),
]

st.navigation(PAGES).run()
