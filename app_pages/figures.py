"""The dashboard's charts: each a pure function from the rows a page computed to a Plotly
figure. Pages hand them to ``common.chart``, which builds each distinct figure once and keeps
it (plotly express takes a tenth of a second or more per chart, and a shared link is opened
by many readers)."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from app_pages import data, names
from app_pages.readings import plural

LABEL_COLOURS_BY_NAME = {data.label_name(k): v for k, v in data.LABEL_COLOURS.items()}
NO_LETTER_GREY = "#E8E8E8"
AXIS_WRAP = 18  # characters per line of a category tick: long theme names wrap, not rotate


def wrap(text: str, width: int = AXIS_WRAP) -> str:
    """A tick label on lines of ``width`` characters (Plotly breaks lines at <br>)."""
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def _whole_years(fig: go.Figure, axis: str = "x") -> go.Figure:
    """Year axes tick whole years ("2017", not "2,017.5")."""
    (fig.update_xaxes if axis == "x" else fig.update_yaxes)(dtick=1, tickformat="d")
    return fig


# ---------------------------------------------------------------- overview


def timeline(tl: pd.DataFrame, order: list[str], colour: dict[str, str]) -> go.Figure:
    """Letters each year by theme; ``tl``: year, theme, theme_name, letters."""
    name = dict(zip(tl["theme"], tl["theme_name"], strict=False))
    fig = px.bar(
        tl,
        x="year",
        y="letters",
        color="theme_name",
        category_orders={"theme_name": [name[t] for t in order if t in name]},
        color_discrete_map={name[t]: c for t, c in colour.items() if t in name},
        title="Letters published each year, by inspection theme",
    )
    fig.update_layout(
        legend_title_text="Theme", xaxis_title="Year published", yaxis_title="Letters"
    )
    fig.update_traces(hovertemplate="%{fullData.name}<br>%{x}: %{y} letters<extra></extra>")
    return _whole_years(fig)


def areas_map(
    districts: pd.DataFrame,
    order: list[str],
    colour: dict[str, str],
    theme_names: dict[str, str],
    shapes: dict[str, tuple[list, list, float, float]] | None = None,
) -> go.Figure:
    """England's districts filled by the theme of their area's latest letter (grey: none).
    ``districts``: district, area, theme, published. Filled scatter traces, not a geo map:
    plotly's geo maps fetch a world topojson from a CDN, which a server without internet
    lacks; ``shapes`` defaults to the shipped boundary file's outlines."""
    shapes = data.outlines() if shapes is None else shapes
    by_district = districts.drop_duplicates("district").set_index("district")
    by_district = by_district[by_district.index.isin(list(shapes))]  # no outline, no place
    fig = go.Figure()
    groups = [
        ("No letter", NO_LETTER_GREY, [d for d in sorted(shapes) if d not in by_district.index])
    ]
    groups += [
        (theme_names.get(t, t), colour[t], list(by_district.index[by_district["theme"] == t]))
        for t in order
    ]
    for name, fill, members in groups:
        if not members:
            continue
        fig.add_trace(
            go.Scatter(
                x=[x for d in members for x in shapes[d][0]],
                y=[y for d in members for y in shapes[d][1]],
                fill="toself",
                fillcolor=fill,
                mode="lines",
                line={"color": "white", "width": 0.4},
                name=name,
                hoverinfo="skip",
            )
        )
    # Invisible points at district centres carry the hover text.
    inspected = list(by_district.index)
    fig.add_trace(
        go.Scatter(
            x=[shapes[d][2] for d in inspected],
            y=[shapes[d][3] for d in inspected],
            mode="markers",
            marker={"size": 6, "opacity": 0},
            showlegend=False,
            text=[
                f"{by_district['area'][d]}<br>{theme_names.get(by_district['theme'][d], '')}"
                f"<br>{by_district['published'][d]}"
                for d in inspected
            ],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    # Hidden axes have no labels to make room for: no automatic margins, which would cost
    # Plotly a second layout of 12,000 points.
    fig.update_xaxes(visible=False, automargin=False)
    # 1/cos(53 deg): makes a degree of latitude look as long as it is at England's middle.
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.66, automargin=False)
    fig.update_layout(
        title="Areas inspected, by theme of their latest letter",
        height=640,
        legend={"title": {"text": "Theme"}},
        meta={"aspect": 1.3},  # height per width, for a phone (plotly_basic)
    )
    return fig


def balance(agg: pd.DataFrame, dim: str, title: str) -> go.Figure:
    """Share of bullets per label along ``dim`` (theme or year); ``agg``: dim, label,
    bullets, share."""
    rows = agg.assign(label=agg["label"].map(names.label_name))
    if dim == "theme":
        rows[dim] = rows[dim].map(lambda t: wrap(names.theme_name(t), 24))
    fig = px.bar(
        rows,
        x="share",
        y=dim,
        color="label",
        orientation="h",
        color_discrete_map=LABEL_COLOURS_BY_NAME,
        category_orders={"label": [names.label_name(c) for c in data.BULLET_COUNTS.values()]},
        hover_data=["bullets"],
        labels={"label": "Label", "share": "Share of bullets", "bullets": "Bullets"},
        title=f"Balance of bullets {title}",
    )
    fig.update_layout(
        xaxis_tickformat=".0%",
        yaxis_title=None,
        xaxis_title="Share of bullets",
        # Room for each row's (wrapped) name: thirteen themes in 450 px overlapped.
        height=max(300, 44 * rows[dim].nunique() + 160),
    )
    return _whole_years(fig, "y") if dim == "year" else fig


# ---------------------------------------------------------------- compare


def compare(table: pd.DataFrame, topic_name: str) -> go.Figure:
    """Share on the topic per theme and label with Wilson whiskers; ``table``: the rows of
    data.compare_counts with theme_name."""
    fig = go.Figure()
    for label in data.COMPARE_LABELS:
        sub = table[table["label"] == label]
        fig.add_trace(
            go.Bar(
                name=names.label_name(label),
                x=[wrap(t) for t in sub["theme_name"]],
                y=sub["share"],
                marker_color=data.LABEL_COLOURS[label],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (sub["ci_high"] - sub["share"]).fillna(0),
                    "arrayminus": (sub["share"] - sub["ci_low"]).fillna(0),
                },
                text=[f"{k}/{n}" for k, n in zip(sub["on_topic"], sub["findings"], strict=False)],
                textposition="outside",
                # The theme code and the trace's label code say which bar a click chose.
                customdata=sub.reindex(
                    columns=["on_topic", "findings", "ci_low", "ci_high", "theme"]
                ).to_numpy(),
                meta=label,
                hovertemplate="%{x}<br>"
                + names.label_name(label)
                + ": %{y:.1%} (%{customdata[0]} of "
                "%{customdata[1]})<br>95% CI %{customdata[2]:.1%} to %{customdata[3]:.1%}"
                "<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        # ".1~%": 0%, 0.5%, 1%, 1.5% on a short axis (".0%" printed 0%, 1%, 1%, 2%).
        yaxis_tickformat=".1~%",
        yaxis_title=f"Share of findings on {topic_name.lower()}",
        xaxis_tickangle=0,
        title=f"Share of findings about {topic_name.lower()}, by theme and label "
        "(95% Wilson intervals)",
        legend_title_text="Label",
    )
    return fig


# ---------------------------------------------------------------- agencies


def _agency_bars(
    rows: pd.DataFrame, label_order: list[str], agency_order: list[str], **px_args: object
) -> go.Figure:
    """Horizontal bars of findings per agency coloured by label, ``agency_order``'s first
    at the top."""
    rows = rows.assign(agency_code=rows["agency"], agency=rows["agency"].map(names.agency_name))
    fig = px.bar(
        rows,
        x="findings",
        y="agency",
        color="label",
        orientation="h",
        category_orders={
            "label": label_order,
            "agency": [names.agency_name(a) for a in agency_order],
        },
        color_discrete_map=LABEL_COLOURS_BY_NAME,
        labels={"findings": "Findings", "agency": "Agency", "label": "Label"},
        custom_data=["agency_code"],
        **px_args,
    )
    # What a click on a bar reports (plotly_basic.draw): its label's code and agency's code.
    codes = {names.label_name(c): c for c in data.LABEL_ORDER}
    fig.for_each_trace(lambda t: t.update(meta=codes.get(t.name, t.name)))
    return fig


def agency_by_label(
    heat: pd.DataFrame, label_order: list[str], agency_order: list[str]
) -> go.Figure:
    """Findings per agency stacked by label; ``heat``: agency, label (display name),
    findings. The first of ``agency_order`` is drawn at the top."""
    fig = _agency_bars(
        heat,
        label_order,
        agency_order,
        text="findings",
        title="Findings about each agency, by label (sentences may name several)",
    )
    # A number that does not fit its bar at a readable size is left off, never shrunk or
    # turned on its side (on a phone most of the short bars' were specks); the table below
    # the chart has every figure.
    fig.update_traces(textangle=0)
    fig.update_layout(
        height=max(300, 40 * len(agency_order) + 160),
        yaxis_title=None,
        uniformtext_minsize=11,
        uniformtext_mode="hide",
    )
    return fig


def agency_by_theme(
    by_theme: pd.DataFrame, label_order: list[str], agency_order: list[str]
) -> go.Figure:
    """Findings per letter about each agency, one panel per theme (its letters in its title),
    three to a row; ``by_theme``: data.agency_rates(..., "theme")."""
    n = dict(zip(by_theme["theme"], by_theme["letters"], strict=False))
    fig = _agency_bars(
        by_theme.assign(findings=by_theme["per_letter"]),
        label_order,
        agency_order,
        facet_col="theme",
        facet_col_wrap=3,
        title="Findings per letter about each agency, per theme, by label",
    )
    fig.for_each_annotation(
        lambda a: a.update(
            text=f"{wrap(names.theme_name(a.text.split('=')[-1]), 30)}"
            f" ({plural(n.get(a.text.split('=')[-1], 0), 'letter')})"
        )
    )
    fig.update_xaxes(title_text="Findings per letter")
    fig.update_layout(height=300 + 180 * ((by_theme["theme"].nunique() - 1) // 3))
    return fig


def agency_by_year(
    by_year: pd.DataFrame, label_order: list[str], agency_order: list[str]
) -> go.Figure:
    """Findings per letter about each agency by year, all labels together (``label_order``
    unused: one line per agency), a gap for a year without letters, each year's letters under
    it; the legend in ``agency_order``. ``by_year``: data.agency_rates(..., "year")."""
    rows = by_year.assign(
        agency=by_year["agency"].map(names.agency_name),
        year_n=[f"{y}<br>({n})" for y, n in zip(by_year["year"], by_year["letters"], strict=True)],
    )
    fig = px.line(
        rows,
        x="year_n",
        y="per_letter",
        color="agency",
        markers=True,
        category_orders={
            "agency": [names.agency_name(a) for a in agency_order],
            "year_n": list(dict.fromkeys(rows.sort_values("year")["year_n"])),
        },
        labels={
            "year_n": "Year published (letters that year)",
            "per_letter": "Findings per letter",
            "agency": "Agency",
        },
        title="Findings per letter about each agency, by year of publication",
    )
    fig.update_traces(connectgaps=False)
    return fig


# ---------------------------------------------------------------- area


def area_comparison(comp: pd.DataFrame) -> go.Figure:
    """Mean bullets per letter for the area, its region and its statistical neighbours;
    ``comp``: group, letters, label, mean_bullets_per_letter."""
    rows = comp.assign(
        label=comp["label"].map(names.label_name), group=comp["group"].map(lambda g: wrap(g, 20))
    )
    fig = px.bar(
        rows,
        x="group",
        y="mean_bullets_per_letter",
        color="label",
        barmode="group",
        color_discrete_map=LABEL_COLOURS_BY_NAME,
        hover_data=["letters"],
        labels={
            "group": "",
            "mean_bullets_per_letter": "Mean bullets per letter",
            "label": "Label",
            "letters": "Letters",
        },
        title="Mean strengths, areas for improvement and priority actions per letter: "
        "this letter, its theme, its region, its statistical neighbours, England",
    )
    # Each bar's value on it: a mean of zero reads as 0, not as a missing bar.
    fig.update_traces(texttemplate="%{y:.1f}", textposition="outside")
    fig.update_layout(xaxis_tickangle=0)
    return fig
