"""Charts on a page: its title as text (it wraps on a phone, where a Plotly title is cut), a
one-sentence reading in plain English, the chart, its table alternative and the CSV of
exactly those rows."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages import downloads, names, plotly_basic
from app_pages.readings import plural
from app_pages.state import md_escape


@st.cache_data(max_entries=256, show_spinner=False)
def figure(name: str, args: tuple, _build: Callable[..., go.Figure]) -> tuple[str, str]:
    """The chart ``_build(*args)`` (named ``name``: functions are not hashed) as the JSON the
    page draws, and its title: built once for each distinct input (a rebuilt corpus gives
    new rows, so a new entry), then shared by every reader. The title is drawn by the page,
    not by Plotly."""
    fig = _build(*args)
    title = fig.layout.title.text or ""
    # Plotly's own legend place (right of the plot) pushes the margin: one under the plot
    # collides with the x-axis title on short charts. On a phone the chart's script moves
    # the legend above the plot (plotly_basic).
    fig.update_layout(title=None, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return plotly_basic.figure_json(fig), title


def chart(
    build: Callable[..., go.Figure],
    args: tuple,
    table: pd.DataFrame,
    name: str,
    key: str,
    caption: str | None = None,
    column_config: dict | None = None,
    reading: str | None = None,
    on_click: Callable[[], None] | None = None,
) -> None:
    """The chart ``build(*args)`` under its title and ``reading`` (what it shows, in one
    sentence), then its table alternative and the CSV of exactly those rows. ``on_click``:
    called when a reader clicks a bar (plotly_basic.draw)."""
    fig_json, title = figure(f"{build.__module__}.{build.__qualname__}", args, build)
    if title:
        st.markdown(f"**{md_escape(title)}**")
    if reading:
        st.markdown(md_escape(reading))
    plotly_basic.draw(fig_json, key=f"fig_{key}", on_click=on_click)
    if caption:
        st.caption(caption)
    # Drawn only once opened: a closed table would still load the grid's script for every
    # first-time reader of the page.
    with st.expander(f"Table: {title or name}", key=f"table_{key}", on_change="rerun") as box:
        if box.open:
            st.dataframe(
                table,
                hide_index=True,
                width="stretch",
                column_config={**names.headers(table.columns), **(column_config or {})},
            )
    downloads.download_csv(
        table, f"{name}.csv", key=f"dl_{key}", label=f"Download CSV ({plural(len(table), 'row')})"
    )
