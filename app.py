"""JTAI Findings Explorer: the dashboard. ``streamlit run app.py``.

Reads the corpus database (config.db_path()) read-only; each page is a module in app_pages/.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

import config
from app_pages import data, meaning
from app_pages.state import md_escape

# The icon is a file served by this app: a Material icon name makes every page view ask
# fonts.gstatic.com for it, and a dashboard inside a council's network makes no outside request.
st.set_page_config(
    page_title="JTAI Findings Explorer",
    page_icon=str(config.REPO_ROOT / "static" / "favicon.png"),
    layout="wide",
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


def unknown_page() -> str | None:
    """The path a reader asked for when it is no page of this app (Streamlit would show
    Overview under it, with a link that is not Overview's)."""
    path = urlsplit(st.context.url or "").path.strip("/")
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :].strip("/")
    known = {""} | {p.url_path for p in PAGES}
    return None if path in known else path


page = st.navigation(PAGES)
# The corpus's sentence vectors load in the background from the first page a server shows (a
# second at x20), so the first search by meaning or /similar after a start does not wait.
current = data.db_signature(config.db_path())
if current is not None:
    meaning.warm_up(current)
missing = unknown_page()
if missing is not None:
    st.title("Page not found", anchor=False)
    st.error(f"There is no page “/{md_escape(missing[:80])}” in this dashboard.")
    st.markdown(
        "Its pages: " + ", ".join(f"[{p.title}]({p.url_path or './'})" for p in PAGES) + "."
    )
    st.stop()
page.run()
