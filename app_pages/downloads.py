"""Downloads: CSVs of exactly what a page shows, read only when the reader clicks."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from app_pages import data, db
from app_pages.state import Filters


def download_csv(
    df: pd.DataFrame | Callable[[], pd.DataFrame],
    filename: str,
    key: str,
    label: str = "Download CSV",
) -> None:
    """A CSV download of ``df``, or of what ``df()`` returns when the reader clicks."""
    st.download_button(
        label,
        data=lambda: data.csv_bytes(df() if callable(df) else df),
        file_name=filename,
        mime="text/csv",
        key=key,
        on_click="ignore",
    )


def findings_csv(sig: db.Sig, filters: Filters, filename: str, key: str, label: str) -> None:
    """A CSV download of every finding matching ``filters``, read when it is clicked, with
    name columns beside the codes for a spreadsheet reader."""
    sql, params = data.findings_sql(filters)
    download_csv(
        lambda: data.with_names(db.query(sig, sql, tuple(params))),
        filename,
        key=key,
        label=label,
    )
