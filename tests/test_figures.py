"""The dashboard's charts as pure functions: each draws exactly the rows it is given, in the
order and colours asked for, with nothing the basic plotly.js bundle cannot draw."""

from __future__ import annotations

import pandas as pd
import pytest

from app_pages import data, figures, plotly_basic


def bars(fig) -> dict[str, dict]:  # noqa: ANN001
    """trace name -> {x value: y value} (horizontal bars: {y: x})."""
    out = {}
    for t in fig.data:
        keys, values = (t.y, t.x) if t.orientation == "h" else (t.x, t.y)
        out[t.name] = dict(zip(keys, values, strict=True))
    return out


def test_timeline_counts_each_theme_and_year_in_the_order_and_colours_given() -> None:
    tl = pd.DataFrame(
        {
            "year": ["2016", "2016", "2017"],
            "theme": ["neglect", "cse_missing", "neglect"],
            "theme_name": ["Neglect", "CSE", "Neglect"],
            "letters": [2, 1, 3],
        }
    )
    fig = figures.timeline(
        tl, ["cse_missing", "neglect"], {"cse_missing": "#111111", "neglect": "#222222"}
    )
    # Legends show names, in the order of the codes given.
    assert [t.name for t in fig.data] == ["CSE", "Neglect"]
    assert bars(fig) == {"CSE": {"2016": 1}, "Neglect": {"2016": 2, "2017": 3}}
    assert [t.marker.color for t in fig.data] == ["#111111", "#222222"]
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tickformat == "d"


def square(x: float, y: float) -> tuple[list, list, float, float]:
    return [x, x + 1, x + 1, x, x, None], [y, y, y + 1, y + 1, y, None], x + 0.5, y + 0.5


def test_map_fills_districts_by_theme_and_greys_the_rest() -> None:
    shapes = {code: square(i, 0) for i, code in enumerate(["E1", "E2", "E3", "E4"])}
    districts = pd.DataFrame(
        {
            "district": ["E1", "E2", "E2", "E9"],  # E2 twice (a county's two letters), E9 unknown
            "area": ["A", "B", "B", "Z"],
            "theme": ["neglect", "cse_missing", "cse_missing", "neglect"],
            "published": ["2017-01-01", "2018-01-01", "2018-01-01", "2019-01-01"],
        }
    )
    fig = figures.areas_map(
        districts, ["cse_missing", "neglect"], {"cse_missing": "#111111", "neglect": "#222222"},
        {"neglect": "Neglect"}, shapes,
    )  # fmt: skip
    fills = {t.name: (t.fillcolor, list(t.x)) for t in fig.data if t.fill == "toself"}
    assert fills["No letter"] == (figures.NO_LETTER_GREY, shapes["E3"][0] + shapes["E4"][0])
    assert fills["Neglect"] == ("#222222", shapes["E1"][0])
    assert fills["cse_missing"] == ("#111111", shapes["E2"][0])  # no name given: its code
    hover = fig.data[-1]
    assert list(hover.x) == [0.5, 1.5]  # one point per known inspected district
    assert "Neglect" in hover.text[0] and "2017-01-01" in hover.text[0]
    assert plotly_basic.unsupported_traces(fig) == []
    # Its axes are hidden: they push no margins (that costs Plotly a second layout of the
    # map's 12,000 points on every first view).
    fig.update_layout(template=plotly_basic.TEMPLATE)  # as figure_json draws it
    assert fig.layout.xaxis.automargin is False and fig.layout.yaxis.automargin is False


def test_balance_is_shares_per_label_and_year_ticks_are_whole() -> None:
    agg = pd.DataFrame(
        {
            "year": ["2016", "2016", "2017"],
            "label": ["strength", "improvement", "improvement"],
            "bullets": [3, 1, 2],
            "share": [0.75, 0.25, 1.0],
        }
    )
    fig = figures.balance(agg, "year", "by year published")
    assert [t.name for t in fig.data] == ["Strength", "Area for improvement"]  # label order
    assert bars(fig) == {
        "Strength": {"2016": 0.75},
        "Area for improvement": {"2016": 0.25, "2017": 1.0},
    }
    assert fig.layout.yaxis.dtick == 1
    assert (
        figures.balance(agg.rename(columns={"year": "theme"}), "theme", "t").layout.yaxis.dtick
        is None
    )


def test_compare_bars_carry_counts_and_whiskers_that_never_point_inwards() -> None:
    rows = []
    for theme, k, n in (("CSE", 19, 264), ("Domestic abuse", 0, 0)):
        for label in data.COMPARE_LABELS:
            ci = data.wilson(k, n)
            share, lo, hi = (ci.share, ci.low, ci.high) if n else (0.0, None, None)
            rows.append(
                {"theme_name": theme, "label": label, "on_topic": k, "findings": n,
                 "share": share, "ci_low": lo, "ci_high": hi}
            )  # fmt: skip
    fig = figures.compare(pd.DataFrame(rows), "perpetrator focus")
    assert [t.name for t in fig.data] == ["Strength", "Area for improvement", "All findings"]
    assert [t.meta for t in fig.data] == list(data.COMPARE_LABELS)  # what a click reports
    assert list(fig.data[0].text) == ["19/264", "0/0"]
    for t in fig.data:
        assert min(t.error_y.array) >= 0 and min(t.error_y.arrayminus) >= 0
    assert "perpetrator focus" in fig.layout.title.text


@pytest.fixture()
def counts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agency": ["police", "police", "health", "health", "police"],
            "theme": ["neglect", "neglect", "neglect", "cse_missing", "cse_missing"],
            "year": ["2017", "2017", "2018", "2018", "2018"],
            "label": ["Strength", "Area for improvement", "Strength", "Strength", "Strength"],
            "findings": [5, 2, 1, 4, 3],
        }
    )


def test_agency_charts_sum_the_counts_they_are_given(counts: pd.DataFrame) -> None:
    heat = counts.groupby(["agency", "label"])["findings"].sum().reset_index()
    labels = ["Strength", "Area for improvement"]
    fig = figures.agency_by_label(heat, labels, ["police", "health"])
    assert bars(fig) == {
        "Strength": {"Health": 5, "Police": 8},
        "Area for improvement": {"Police": 2},
    }
    # Category axes run upwards: the last category is the top row, the first one asked for.
    assert list(fig.layout.yaxis.categoryarray)[-1] == "Police"
    assert fig.layout.height == 300  # the floor height for few agencies
    # A number too small to read in its bar is left off, not shrunk or turned on its side.
    assert fig.layout.uniformtext.mode == "hide" and fig.layout.uniformtext.minsize >= 10
    assert {t.textangle for t in fig.data} == {0}

    # Per theme and per year: findings per letter, from the letters behind them.
    letters = pd.DataFrame(
        {"theme": ["neglect", "cse_missing", "neglect"], "year": ["2017", "2018", "2020"],
         "letters": [2, 1, 1]}
    )  # fmt: skip
    by_theme = data.agency_rates(counts, letters, "theme")
    facets = figures.agency_by_theme(by_theme, labels, ["police", "health"])
    assert {a.text for a in facets.layout.annotations} == {
        "Neglect (3 letters)",
        "Child sexual exploitation and<br>missing children (1 letter)",
    }
    # neglect: police 5+2 and health 1 over 3 letters; cse: health 4 and police 3 over 1
    assert sum(sum(t.x) for t in facets.data) == pytest.approx(8 / 3 + 7, abs=0.02)

    by_year = figures.agency_by_year(data.agency_rates(counts, letters, "year"), labels,
                                     ["police", "health"])  # fmt: skip
    lines = {t.name: dict(zip(t.x, t.y, strict=True)) for t in by_year.data}
    assert lines["Police"]["2017<br>(2)"] == 3.5  # 7 findings, 2 letters
    assert lines["Health"]["2018<br>(1)"] == 5.0
    # 2019 had no letters: no rate (a gap), not a zero and not a bridge.
    assert lines["Police"]["2019<br>(0)"] is None or pd.isna(lines["Police"]["2019<br>(0)"])
    assert lines["Police"]["2020<br>(1)"] == 0
    for f in (fig, facets, by_year):
        assert plotly_basic.unsupported_traces(f) == []


def test_area_comparison_groups_the_means_by_label() -> None:
    comp = pd.DataFrame(
        {
            "group": ["Barnsley", "Barnsley", "Rest of Yorkshire"],
            "letters": [1, 1, 4],
            "label": ["strength", "improvement", "strength"],
            "mean_bullets_per_letter": [6.0, 4.0, 5.25],
        }
    )
    fig = figures.area_comparison(comp)
    assert fig.layout.barmode == "group"
    assert bars(fig) == {
        "Strength": {"Barnsley": 6.0, "Rest of Yorkshire": 5.25},
        "Area for improvement": {"Barnsley": 4.0},
    }
    assert fig.data[0].marker.color == data.LABEL_COLOURS["strength"]
