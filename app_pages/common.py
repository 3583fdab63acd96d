"""What every page starts with (the database, the sidebar, the page's look), and the one
place pages import the shared parts from. Each part lives in the module of its job:

- db: the cached database, its queries and the empty-state notices
- url: URL state <-> widgets, the link to copy, download names
- downloads: CSV downloads
- charts: a chart with its title, reading, table and CSV
- lists: sentence lists, short HTML tables and the Explore grid
"""

from __future__ import annotations

import streamlit as st

from app_pages import plotly_basic, style
from app_pages.charts import chart, figure
from app_pages.db import (
    DatabaseSwapped,
    Sig,
    _connection,
    compare_counts,
    corpus_span,
    database,
    findings,
    meta,
    query,
    run,
    vocab,
)
from app_pages.downloads import download_csv, findings_csv
from app_pages.lists import (
    LIST_ROWS,
    SHOW_ROWS,
    finding_table,
    html_table,
    letter_list_html,
    sentence_list,
    table_html,
)
from app_pages.state import Vocab, describe, md_escape
from app_pages.url import (
    copy_link,
    date_range,
    download_name,
    filter_box,
    filter_widgets,
    review_toggle,
    seed,
    show_description,
    url_filters,
    write_url,
)

__all__ = [
    "LIST_ROWS",
    "SHOW_ROWS",
    "DatabaseSwapped",
    "Sig",
    "_connection",
    "chart",
    "compare_counts",
    "copy_link",
    "corpus_span",
    "database",
    "date_range",
    "describe",
    "download_csv",
    "download_name",
    "figure",
    "filter_box",
    "filter_widgets",
    "finding_table",
    "findings",
    "findings_csv",
    "html_table",
    "letter_list_html",
    "md_escape",
    "meta",
    "open_page",
    "query",
    "review_toggle",
    "run",
    "seed",
    "sentence_list",
    "show_description",
    "sidebar",
    "table_html",
    "url_filters",
    "vocab",
    "write_url",
]


def open_page(charts: bool = False) -> tuple[Sig, Vocab, dict[str, object]]:
    """What every page starts with: the page's look, the database (or the empty-state notice
    and stop), the sidebar, and the cached vocabulary and corpus span. A page with
    ``charts`` starts loading the chart library at once."""
    style.apply()
    sig = database()
    sidebar(sig)
    if charts:
        with st.sidebar:
            plotly_basic.preload()
    return sig, vocab(sig), corpus_span(sig)


def sidebar(sig: Sig) -> None:
    span = corpus_span(sig)
    m = meta(sig)
    with st.sidebar:
        st.markdown(
            f"**Corpus:** {span['letters']} letters, {span['findings']:,} findings  \n"
            f"Letters published {span['first']} to {span['last']}  \n"
            f"Last refreshed {md_escape(style.when(m.get('built_at', '')))}"
        )
        st.caption("Whole corpus download (CSV + data dictionary): see *About the data*.")
