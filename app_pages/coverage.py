"""What the figures cover: "N of M known JTAI letters", naming the ones the corpus lacks.

Read from the database's coverage table, which the build writes from the list of JTAIs known
to have been published (analysis/coverage.py). Shown on About and What's new.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.state import md_escape


def sentence(rows: pd.DataFrame) -> str:
    """The coverage as a reader reads it: areas by name, never codes."""
    if rows.empty:
        return (
            "Coverage is not measured: the list of known JTAI letters was not found when this "
            "corpus was built."
        )
    missing = rows[rows["letter_id"] == ""]
    text = (
        f"**{len(rows) - len(missing)} of {len(rows)} known JTAI letters** (those published to "
        "date, as far as is known) are in this corpus."
    )
    if not missing.empty:
        names = [
            f"{md_escape(str(r.area))} ({md_escape(str(r.published))})"
            for r in missing.itertuples()
        ]
        text += " Not in it: " + ", ".join(names) + "."
    return text


def render(sig: common.Sig) -> None:
    tables = common.query(sig, "SELECT name FROM sqlite_master WHERE name = 'coverage'")
    if tables.empty:
        st.caption("Coverage is not recorded in this database: rebuild it to see it.")
        return
    rows = common.query(
        sig, "SELECT area, urn, published, letter_id FROM coverage ORDER BY published, area"
    )
    st.markdown(sentence(rows))
