"""Plotly figures drawn in the page with plotly.js's basic bundle (bar, scatter and pie).

Streamlit's own ``st.plotly_chart`` ships the whole of plotly.js (4.7 MB): evaluating it
costs a first-time reader about a second on a modest machine before any chart shows, twice
what a bare Streamlit page takes in all. The basic bundle is a quarter of the size and
evaluates in a fifth of the time, and it holds every trace type these pages draw. It is
vendored in ``static/`` (served by Streamlit's static file serving) and loaded once per page
by a small ``st.components.v2`` component that draws in the page itself, not in an iframe.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

import config
from app_pages import data

PLOTLYJS_VERSION = "4.1.1"  # must equal the plotly.js inside the pinned Python plotly
BUNDLE = config.REPO_ROOT / "static" / f"plotly-basic-{PLOTLYJS_VERSION}.min.js"
# From the npm package plotly.js-basic-dist-min@4.1.1 (its tarball's sha1 is the registry's).
BUNDLE_SHA256 = "99784e3abfb07b142a15e521a439e6d9addceadb3f79553fd24c72774f0649ba"
BASIC_TRACES = frozenset({"bar", "scatter", "pie"})

# Colour-blind-safe (Okabe-Ito) colours first; backgrounds left transparent and grid lines a
# translucent grey so the same figure reads on Streamlit's light and dark themes.
TEMPLATE = go.layout.Template(
    layout={
        "colorway": data.THEME_PALETTE,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        # automargin: tick labels and axis titles push the plot area in instead of being cut.
        "xaxis": {
            "automargin": True,
            "gridcolor": "rgba(128,128,128,0.25)",
            "zerolinecolor": "rgba(128,128,128,0.5)",
        },
        "yaxis": {
            "automargin": True,
            "gridcolor": "rgba(128,128,128,0.25)",
            "zerolinecolor": "rgba(128,128,128,0.5)",
        },
        "hoverlabel": {"namelength": -1},
    }
)

# Importing streamlit makes its own template the default, whose colours are placeholders
# (#000001...) that only st.plotly_chart replaces: plotly express would paint with them.
pio.templates["jtai"] = TEMPLATE
pio.templates.default = "jtai"

# The page's text colour and font come from Streamlit's theme (CSS variables it gives every
# component); Plotly is loaded once per page and shared by every chart on it.
_JS = """
const BUNDLE = "app/static/__BUNDLE__";
function plotly() {
  if (!window.__jtaiPlotly) {
    window.__jtaiPlotly = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = new URL(BUNDLE, document.baseURI).href;
      s.onload = () => resolve(window.Plotly);
      s.onerror = () => {
        window.__jtaiPlotly = null;
        reject(new Error("could not load " + s.src));
      };
      document.head.appendChild(s);
    });
  }
  return window.__jtaiPlotly;
}
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  if (!data) {  // preload(): start fetching while the page's script still runs
    plotly().catch(() => {});
    return;
  }
  let fig = JSON.parse(data);
  const clickable = !!fig.clickable;
  if (clickable) fig = fig.figure;
  let div = parentElement.querySelector(":scope > div.jtai-chart");
  if (!div) {
    div = document.createElement("div");
    div.className = "jtai-chart";
    parentElement.appendChild(div);
  }
  const layout = fig.layout || {};
  // A phone: the legend above the plot (beside it, it takes half the width), a map as tall
  // as the screen is wide needs, and no toolbar (it covers the plot and is no use to touch).
  const width = parentElement.clientWidth || window.innerWidth;
  const narrow = width < 600;
  const touch = window.matchMedia("(pointer: coarse)").matches;
  if (narrow) {
    layout.legend = Object.assign({}, layout.legend, {
      orientation: "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom",
    });
    // Long names (the themes) one to a row: Plotly wraps a row by the plot's width, not the
    // legend's, so the last entry of a row ran off the screen's edge.
    // The chart grows by the rows, or Plotly would cap the legend's height and scroll it.
    const named = (fig.data || []).filter((t) => t.showlegend !== false && t.name);
    if (named.some((t) => String(t.name).length > 24) && !(layout.meta && layout.meta.aspect)) {
      Object.assign(layout.legend, { entrywidthmode: "fraction", entrywidth: 1 });
      layout.height = (layout.height || 450) + 20 * named.length;
    }
    for (const k of Object.keys(layout)) {  // smaller ticks: fewer are rotated or dropped
      if (/^[xy]axis[0-9]*$/.test(k)) {
        layout[k].tickfont = Object.assign({ size: 10 }, layout[k].tickfont || {});
      }
    }
    if (layout.meta && layout.meta.aspect) {  // a map: its width's height, plus its legend
      const entries = (fig.data || []).filter((t) => t.showlegend !== false).length;
      layout.height = Math.round(width * layout.meta.aspect) + 22 * entries + 40;
    }
  }
  div.style.height = (layout.height || 450) + "px";
  const css = getComputedStyle(parentElement);
  const colour = css.getPropertyValue("--st-text-color").trim();
  const family = css.getPropertyValue("--st-font").trim();
  layout.font = Object.assign({}, layout.font, colour ? { color: colour } : {},
                              family ? { family: family } : {});
  layout.autosize = true;
  delete layout.width;
  const config = Object.assign(
    { displaylogo: false, responsive: true, displayModeBar: narrow || touch ? false : "hover" },
    fig.config || {});
  let resize = null;
  plotly()
    .then((P) => P.react(div, fig.data || [], layout, config))
    .then(() => {
      // The toolbar's buttons are no Tab stops: a keyboard reader's path to the page's
      // controls must not pass ten of them per chart (the table below has the figures).
      div.querySelectorAll(".modebar a, .modebar button").forEach(
        (b) => b.setAttribute("tabindex", "-1"));
      if (clickable && !div.__jtaiClick) {
        div.__jtaiClick = true;
        div.on("plotly_click", (ev) => {
          const p = ev.points && ev.points[0];
          if (!p) return;
          setTriggerValue("click", { meta: p.data.meta ?? null, custom: p.customdata ?? null });
        });
      }
      resize = new ResizeObserver(() => window.Plotly.Plots.resize(div));
      resize.observe(div);
    })
    .catch((err) => {
      div.textContent = "The chart could not be drawn (" + err.message +
        "); the table below it has the same figures.";
    });
  return () => {
    if (resize) resize.disconnect();
    if (window.Plotly) window.Plotly.purge(div);
    div.__jtaiClick = false;
  };
}
""".replace("__BUNDLE__", BUNDLE.name)

_component = st.components.v2.component("jtai_plotly", js=_JS, isolate_styles=False)


def unsupported_traces(fig: go.Figure) -> list[str]:
    """Trace types in ``fig`` that the basic bundle cannot draw (it would leave them blank)."""
    return sorted({t.type for t in fig.data} - BASIC_TRACES)


def bundle_version(text: str) -> str | None:
    """The plotly.js version a bundle's licence header names."""
    m = re.search(r"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)", text[:500])
    return m.group(1) if m else None


def figure_json(fig: go.Figure, config: dict | None = None) -> str:
    bad = unsupported_traces(fig)
    if bad:
        raise ValueError(
            f"trace type(s) {', '.join(bad)} are not in plotly.js's basic bundle "
            f"({', '.join(sorted(BASIC_TRACES))}): draw the figure with those instead"
        )
    fig.update_layout(template=TEMPLATE)
    # One serialisation (plotly's own encoder, numpy arrays included), not to_json and back.
    return pio.json.to_json_plotly({**fig.to_plotly_json(), "config": config or {}})


def preload() -> None:
    """An empty element that starts loading the bundle before the first chart arrives."""
    _component(key="plotly_preload")


def draw(fig_json: str, key: str, on_click: Callable[[], None] | None = None) -> object:
    """Draw a figure_json() full width; the figure's layout height (or 450 px) is kept (a
    phone's map is made as tall as its width needs). With ``on_click``, a click on a point
    calls it, and the component's ``click`` holds that trace's ``meta`` and the point's
    ``customdata``."""
    if on_click is None:
        return _component(data=fig_json, key=key)
    return _component(
        data='{"clickable": true, "figure": ' + fig_json + "}",
        key=key,
        on_click_change=on_click,
    )
