"""The charts' plotly.js bundle: the vendored file is the one recorded, it matches the Python
plotly that builds the figures, and a figure it could not draw is refused by name."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import plotly
import plotly.express as px
import plotly.graph_objects as go
import pytest

from app_pages import plotly_basic


def test_vendored_bundle_is_the_recorded_file() -> None:
    data = plotly_basic.BUNDLE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == plotly_basic.BUNDLE_SHA256
    assert plotly_basic.bundle_version(data[:500].decode()) == plotly_basic.PLOTLYJS_VERSION


def test_bundle_version_is_the_plotlyjs_inside_python_plotly() -> None:
    # Figures are written by the Python package for its own plotly.js: the bundle drawing them
    # must be that version, or new attributes are silently dropped.
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    with full.open(encoding="utf-8") as f:
        assert plotly_basic.bundle_version(f.read(500)) == plotly_basic.PLOTLYJS_VERSION


def test_bundle_version_reads_both_header_forms() -> None:
    assert plotly_basic.bundle_version("/**\n* plotly.js v4.1.1\n") == "4.1.1"
    assert plotly_basic.bundle_version("/**\n* plotly.js (basic - minified) v3.0.2\n") == "3.0.2"
    assert plotly_basic.bundle_version("/* something else v1.2.3 */") is None


def test_figures_the_basic_bundle_cannot_draw_are_refused_by_name() -> None:
    heat = px.imshow([[1, 2], [3, 4]])
    assert plotly_basic.unsupported_traces(heat) == ["heatmap"]
    with pytest.raises(ValueError, match="heatmap"):
        plotly_basic.figure_json(heat)
    ok = go.Figure([go.Bar(x=["a"], y=[1]), go.Scatter(x=[1], y=[2]), go.Pie(values=[1])])
    assert plotly_basic.unsupported_traces(ok) == []


def test_figure_json_carries_the_theme_neutral_template_and_config() -> None:
    fig = px.bar(x=["a", "b"], y=[1, 2], title="t")
    payload = json.loads(plotly_basic.figure_json(fig, {"scrollZoom": False}))
    assert payload["data"][0]["type"] == "bar"
    assert payload["layout"]["title"]["text"] == "t"
    assert payload["layout"]["template"]["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)"
    assert payload["config"] == {"scrollZoom": False}


def test_plotly_express_paints_with_real_colours_not_streamlits_placeholders() -> None:
    fig = px.line(x=[1, 2, 1, 2], y=[1, 2, 3, 4], color=["a", "a", "b", "b"])
    colours = [t["line"]["color"] for t in json.loads(plotly_basic.figure_json(fig))["data"]]
    assert colours == list(plotly_basic.TEMPLATE.layout.colorway[:2])
