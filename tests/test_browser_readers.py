"""The dashboard as its readers meet it (issue 15, and issue 14's points 8-10), in a real
browser: Debian's Chromium driven by Playwright against ``streamlit run app.py`` on a database
built from all the shared letters, at 1280x900 and on a 390x844 touch phone.

One server for the module; every page is opened once per width (``sweep``) and the section
tests read what that visit recorded: axe-core's findings (injected from the npm package the
Makefile installs), every request the page made, its text, its charts' text and layout.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from streamlit_server import (
    CHROMIUM,
    chromium,
    free_port,
    read_sql,
    serving,
    start,
    wait_drawn,
    wait_healthy,
)
from test_app_support import build_corpus

from analysis import reference

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing (apt-get install -y chromium)"
    ),
]

WIDE = (1280, 900)
PHONE = (390, 844)
SIZES = {"wide": WIDE, "phone": PHONE}
LIVERPOOL = "80485"
# Every page, and the Plotly charts each draws when opened by a link.
PAGES = {
    "overview": ("", 4),
    "compare": ("compare?theme=cse_missing,domestic_abuse&topic=perpetrator_focus", 1),
    # A phrase in place of a topic: the topic picker is shown disabled.
    "compare_phrase": ("compare?theme=mental_health,neglect&q=waiting+lists&match=meaning", 1),
    "agencies": ("agencies", 1),
    "area": (f"area?la={LIVERPOOL}", 1),
    "explore": ("explore?theme=cse_missing", 0),
    "new": ("new?from=2015-01-01", 0),
    "about": ("about", 0),
}
# A code is snake_case; a person reads names. (URLs are taken out of the text first.)
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
URL = re.compile(r"https?://\S+|\b\w+\?\S*=\S*")

SNAPSHOT_JS = """
async () => {
  const main = document.querySelector('[data-testid=stMain]');
  const plots = [...document.querySelectorAll('.js-plotly-plot')];
  const r = await axe.run(document, { resultTypes: ['violations'] });
  const links = [...main.querySelectorAll('a[href]')].map(a => [
    (a.getAttribute('aria-label') || a.textContent).trim(), a.getAttribute('href')]);
  return {
    violations: r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
      .map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
                   first: v.nodes[0].target.join(' ') })),
    chart_text: plots.map(p => [...p.querySelectorAll('text')].map(t => t.textContent).join(' | ')),
    chart_tab_stops: plots.map(p => [...p.querySelectorAll('a, button, [tabindex]')]
      .filter(e => e.tabIndex >= 0 && e.offsetParent !== null).length)
      .reduce((a, b) => a + b, 0),
    modebars_shown: plots.filter(p => {
      const m = p.querySelector('.modebar-container');
      return m && getComputedStyle(m).display !== 'none' && m.querySelector('.modebar-btn');
    }).length,
    plot_share: plots.map(p => {
      const bg = p.querySelector('.bglayer rect, .nsewdrag');
      return bg ? bg.getBoundingClientRect().width / p.getBoundingClientRect().width : 1;
    }),
    links: links,
    widget_labels: [...main.querySelectorAll('[data-testid=stWidgetLabel]')]
      .map(e => e.textContent.trim()).filter(t => t),
    page_width: Math.max(document.documentElement.scrollWidth,
                         main.scrollWidth, document.body.scrollWidth),
    headings: [...main.querySelectorAll('h1, h2, h3, h4')].map(h => h.tagName),
    code_text: [...main.querySelectorAll('code')].map(e => e.textContent),
    icons: [...document.querySelectorAll('[data-testid=stIconMaterial]')].map(e => e.textContent),
  };
}
"""


@dataclass
class Visit:
    text: str = ""
    sidebar: str = ""
    outside: list[str] = field(default_factory=list)
    snap: dict = field(default_factory=dict)
    exceptions: int = 0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    data_dir = build_corpus(tmp_path_factory.mktemp("jtai_readers"), files=None)
    with serving(data_dir) as url:
        yield url, data_dir


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    with chromium() as b:
        yield b


def _sql(data_dir: Path, query: str, params: tuple = ()) -> list[tuple]:
    return read_sql(data_dir / "jtai.sqlite", query, params)


def open_page(browser, base: str, path: str, size: tuple[int, int], charts: int = 0):  # noqa: ANN001, ANN201
    """A first-time reader's page at ``size`` (a phone is a touch screen), with every request
    to another host than the app's recorded in ``page.outside``."""
    phone = size[0] < 600
    ctx = browser.new_context(
        viewport={"width": size[0], "height": size[1]},
        has_touch=phone,
        is_mobile=phone,
        accept_downloads=True,
    )
    page = ctx.new_page()
    page.outside = []
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((base, "data:", "blob:")) else page.outside.append(r.url)
        ),
    )
    page.goto(f"{base}/{path}")
    wait_drawn(page, charts=charts)
    return page


@pytest.fixture(scope="module")
def sweep(server, browser) -> dict[tuple[str, str], Visit]:  # noqa: ANN001
    """Every page at both sizes, opened once: what axe-core, the network and the page said."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run `npm ci` (the Makefile's test target does)")
    base, _ = server
    axe = AXE.read_text(encoding="utf-8")
    out: dict[tuple[str, str], Visit] = {}
    for size_name, size in SIZES.items():
        for name, (path, charts) in PAGES.items():
            page = open_page(browser, base, path, size, charts)
            page.add_script_tag(content=axe)
            visit = Visit(
                text=page.inner_text("[data-testid=stMain]"),
                sidebar=page.locator("[data-testid=stSidebar]").inner_text()
                if page.locator("[data-testid=stSidebar]").count()
                else "",
                outside=list(page.outside),
                snap=page.evaluate(SNAPSHOT_JS),
                exceptions=page.locator("[data-testid=stException]").count(),
            )
            out[(name, size_name)] = visit
            page.context.close()
    return out


ALL = [(n, s) for s in SIZES for n in PAGES]
IDS = [f"{n}-{s}" for n, s in ALL]


# ---------------------------------------------------------------- §1 names, not codes


@pytest.mark.parametrize(("name", "size"), ALL, ids=IDS)
def test_1_a_reader_sees_names_not_codes(sweep, name: str, size: str) -> None:  # noqa: ANN001
    visit = sweep[(name, size)]
    shown = URL.sub(" ", visit.text + "\n" + "\n".join(visit.snap["chart_text"]))
    # Material icons are drawn from their names (ligatures), hidden from screen readers; text
    # set as code is a literal to find in a file (the data dictionary's column names).
    literal = set(visit.snap["icons"]) | set(visit.snap["code_text"])
    codes = sorted(set(CODE.findall(shown)) - literal)
    assert not codes, f"codes where a person reads: {codes}"
    assert not re.search(r"sha-[0-9a-f]{8}|local file", shown), "an internal file id is shown"


def test_1_areas_are_named_as_the_la_lookup_names_them(server, browser) -> None:  # noqa: ANN001
    base, data_dir = server
    page = open_page(browser, base, "new?from=2015-01-01", WIDE)
    shown = page.locator("table tbody tr td:nth-child(2)").all_inner_texts()
    page.context.close()
    want = [
        (reference.by_urn(u).name if reference.by_urn(u) else own)
        for u, own in _sql(
            data_dir, "SELECT urn, local_authority FROM letters ORDER BY published DESC"
        )
    ]
    assert sorted(shown) == sorted(want)


# ---------------------------------------------------------------- §2 a board member on a phone


@pytest.mark.parametrize("name", list(PAGES))
def test_2_phone_pages_fit_and_charts_read_on_a_touch_screen(sweep, name: str) -> None:  # noqa: ANN001
    snap = sweep[(name, "phone")].snap
    assert snap["page_width"] <= PHONE[0], "the page is wider than the phone"
    assert snap["modebars_shown"] == 0, "a chart toolbar on a touch screen"
    # A legend beside the plot left the bars a quarter of a phone's width: they keep half.
    assert all(share >= 0.5 for share in snap["plot_share"]), snap["plot_share"]


def test_2_shared_compare_link_reads_on_a_phone(server, browser, tmp_path: Path) -> None:  # noqa: ANN001
    base, data_dir = server
    page = open_page(browser, base, PAGES["compare"][0], PHONE, charts=1)
    page.screenshot(path=str(tmp_path / "compare_phone.png"))
    main = page.locator("[data-testid=stMain]")
    # The chart's title is text that wraps within the screen, not a Plotly title cut at both ends.
    title = main.get_by_text("Share of findings about perpetrator focus", exact=False).first
    box = title.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
    # One plain-English sentence reads the chart: the shares computed from the database.
    shares = {}
    for theme in ("cse_missing", "domestic_abuse"):
        for label in ("strength", "improvement"):
            n, k = _sql(
                data_dir,
                "SELECT COUNT(*), COALESCE(SUM(EXISTS (SELECT 1 FROM finding_topics t "
                "WHERE t.finding_id = f.finding_id AND t.topic = 'perpetrator_focus')), 0) "
                "FROM findings f JOIN letters l USING (letter_id) "
                "WHERE l.theme = ? AND f.label = ?",
                (theme, label),
            )[0]
            shares[theme, label] = f"{k / n:.0%}"
    text = main.inner_text()
    assert (
        f"{shares['cse_missing', 'strength']} of strengths and "
        f"{shares['cse_missing', 'improvement']} of areas for improvement concern perpetrator focus"
    ) in text
    assert (
        f"in Domestic abuse letters {shares['domestic_abuse', 'strength']} and "
        f"{shares['domestic_abuse', 'improvement']}"
    ) in text
    page.context.close()


def test_2_explore_reads_as_a_list_on_a_phone(server, browser) -> None:  # noqa: ANN001
    base, data_dir = server
    page = open_page(browser, base, "explore?theme=neglect&q=police", PHONE)
    items = page.locator("[data-testid=stMain] li")
    first = _sql(
        data_dir,
        "SELECT f.text FROM findings f JOIN letters l USING (letter_id) WHERE l.theme = "
        "'neglect' AND f.text LIKE '%police%' ORDER BY l.published, l.letter_id, f.position",
    )[0][0]
    assert items.count() > 0 and first in items.first.inner_text()
    assert items.first.bounding_box()["width"] <= PHONE[0]
    page.context.close()


def test_2_whats_new_reads_as_a_list_on_a_phone(server, browser) -> None:  # noqa: ANN001
    base, data_dir = server
    page = open_page(browser, base, "new?from=2015-01-01", PHONE)
    items = page.locator("[data-testid=stMain] li")
    n, tables = items.count(), page.locator("[data-testid=stMain] table:visible").count()
    page.context.close()
    assert n == _sql(data_dir, "SELECT COUNT(*) FROM letters")[0][0] and tables == 0


# What scrolls sideways inside the page: a table or grid wider than its box (the page itself may
# still fit the phone, so test_2_phone_pages_fit does not see it).
SIDEWAYS_JS = """
() => [...document.querySelectorAll('[data-testid=stMain] *')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 2
          && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
  .map(e => e.tagName + '.' + [...e.classList].slice(0, 2).join('.'))
"""


def test_2_area_letters_read_as_a_list_on_a_phone(server, browser) -> None:  # noqa: ANN001
    base, data_dir = server
    page = open_page(browser, base, f"area?la={LIVERPOOL}", PHONE, charts=1)
    sideways = page.evaluate(SIDEWAYS_JS)
    items = page.locator("[data-testid=stMain] .st-key-area_letters_list li")
    n, widths = items.count(), [i.bounding_box()["width"] for i in items.all()]
    text = items.first.inner_text() if n else ""
    page.context.close()
    letters = _sql(data_dir, "SELECT published FROM letters WHERE urn = ?", (LIVERPOOL,))
    assert sideways == [], sideways
    assert n == len(letters) and all(w <= PHONE[0] for w in widths)
    assert any(p in text for (p,) in letters)


def test_2_about_dictionary_reads_on_a_phone(server, browser) -> None:  # noqa: ANN001
    from analysis import export

    base, _ = server
    page = open_page(browser, base, "about", PHONE)
    sideways = page.evaluate(SIDEWAYS_JS)
    items = page.locator("[data-testid=stMain] .st-key-about_dictionary li")
    texts = items.all_inner_texts()
    page.context.close()
    assert sideways == [], sideways
    columns = [*export.LETTERS_CSV_COLUMNS, *export.FINDINGS_CSV_COLUMNS]
    assert len(texts) == len(columns)
    assert all(t.startswith(c) for t, c in zip(texts, columns, strict=True))


def test_2_agencies_years_read_level_on_a_phone(server, browser) -> None:  # noqa: ANN001
    base, _ = server
    page = open_page(browser, base, "agencies?agency=police&view=year", PHONE, 1)
    ticks = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot .xtick text')].map(t => {"
        " const b = t.getBoundingClientRect();"
        " return {text: t.textContent, transform: t.getAttribute('transform') || '',"
        " left: b.left, right: b.right}; })"
    )
    page.context.close()
    assert len(ticks) >= 3, ticks
    assert not any("rotate" in t["transform"] for t in ticks), ticks  # level, not slanted
    for a, b in pairwise(ticks):
        assert a["right"] <= b["left"], (a, b)  # side by side, none over another


def test_2_overview_legend_reads_whole_on_a_phone(server, browser) -> None:  # noqa: ANN001
    base, _ = server
    page = open_page(browser, base, "", PHONE, 1)
    entries = page.evaluate(
        "() => { const chart = document.querySelector('.js-plotly-plot');"
        " const box = chart.getBoundingClientRect();"
        " return [...chart.querySelectorAll('.legend .traces text.legendtext')].map(t => {"
        " const b = t.getBoundingClientRect();"
        " return {text: t.textContent, overflow: b.right - box.right,"
        " bottom: b.bottom - box.top}; }); }"
    )
    plot_top = page.evaluate(
        "() => { const chart = document.querySelector('.js-plotly-plot');"
        " return chart.querySelector('.bglayer rect').getBoundingClientRect().top"
        " - chart.getBoundingClientRect().top; }"
    )
    page.context.close()
    assert len(entries) >= 10, entries  # one per theme of the shared letters
    for e in entries:
        assert e["overflow"] <= 0, e  # none runs past the chart's edge (and is cut there)
        assert e["bottom"] <= plot_top, e  # none hidden behind the plot (a scrolled legend)


# ---------------------------------------------------------------- §3 accessibility


@pytest.mark.parametrize(("name", "size"), ALL, ids=IDS)
def test_3_axe_finds_no_serious_or_critical_violation(sweep, name: str, size: str) -> None:  # noqa: ANN001
    violations = sweep[(name, size)].snap["violations"]
    assert violations == [], violations


@pytest.mark.parametrize(("name", "size"), ALL, ids=IDS)
def test_3_keyboard_path_and_names_that_say_where_they_go(sweep, name: str, size: str) -> None:  # noqa: ANN001
    snap = sweep[(name, size)].snap
    assert snap["chart_tab_stops"] == 0, "Tab passes through chart toolbars"
    # Links with one name go to one place ("p. 2" thirty-eight times does not say where).
    targets: dict[str, set[str]] = {}
    for label, href in snap["links"]:
        targets.setdefault(label, set()).add(href)
    assert not {k: v for k, v in targets.items() if len(v) > 1}
    labels = snap["widget_labels"]
    assert len(labels) == len(set(labels)), f"two controls with one name: {labels}"


def test_3_agencies_controls_have_distinct_names_with_filters_open(server, browser) -> None:  # noqa: ANN001
    base, _ = server
    page = open_page(browser, base, "agencies?agency=police,health&label=strength", WIDE, 1)
    labels = page.locator("[data-testid=stMain] [data-testid=stWidgetLabel]").all_inner_texts()
    page.context.close()
    labels = [x.strip() for x in labels if x.strip()]
    assert len(labels) == len(set(labels)), labels


# ---------------------------------------------------------------- §4 every choice in the link


def test_4_a_clicked_compare_bar_is_chosen_and_kept_in_the_link(server, browser) -> None:  # noqa: ANN001
    base, data_dir = server
    page = open_page(browser, base, PAGES["compare"][0], WIDE, charts=1)
    # Domestic abuse's "Area for improvement" bar: the second trace's second bar.
    bar = page.locator(".js-plotly-plot .trace.bars").nth(1).locator(".point path").nth(1)
    chosen = "() => /bar=domestic_abuse(%3A|:)improvement/.test(location.search)"
    for _ in range(3):  # a click before Plotly has its hover data is not a click on a bar
        bar.scroll_into_view_if_needed()
        box = bar.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        # Plotly reads clicks from its drag layer over the bars: a reader's mouse, not a DOM
        # click on the bar's element.
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
        try:
            page.wait_for_function(chosen, timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    assert page.evaluate(chosen), page.url
    wait_drawn(page, charts=1)
    n = _sql(
        data_dir,
        "SELECT COUNT(*) FROM findings f JOIN letters l USING (letter_id) WHERE l.theme = "
        "'domestic_abuse' AND f.label = 'improvement' AND EXISTS (SELECT 1 FROM finding_topics "
        "t WHERE t.finding_id = f.finding_id AND t.topic = 'perpetrator_focus')",
    )[0][0]
    assert f"{n} sentences on perpetrator focus — Area for improvement, Domestic abuse" in (
        page.inner_text("[data-testid=stMain]")
    )
    shared = page.url
    page.context.close()
    # The link, opened by someone else on a phone, opens on that bar.
    other = open_page(browser, base, shared.split("/", 3)[3], PHONE, charts=1)
    assert "Area for improvement, Domestic abuse" in other.inner_text("[data-testid=stMain]")
    other.context.close()


def test_4_an_agency_link_fills_the_sentence_picker_and_keeps_it(server, browser) -> None:  # noqa: ANN001
    base, _ = server
    page = open_page(browser, base, "agencies?agency=police", WIDE, charts=1)
    main = page.locator("[data-testid=stMain]")
    assert main.locator("li").count() > 0, "no sentences for the agency the link names"
    page.wait_for_url(re.compile(r"bar=police"), timeout=15_000)
    page.context.close()


def test_4_a_clicked_agency_bar_chooses_its_sentences_and_the_link_keeps_it(
    server, browser
) -> None:  # noqa: ANN001
    base, _ = server
    page = open_page(browser, base, "agencies", WIDE, charts=1)
    agency = page.evaluate(
        "() => document.querySelector('.js-plotly-plot')._fullData[0].customdata[0][0]"
    )
    bar = page.locator(".js-plotly-plot .trace.bars").first.locator(".point path").first
    chosen = f"() => location.search.includes('bar={agency}')"
    for _ in range(3):
        bar.scroll_into_view_if_needed()
        box = bar.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
        try:
            page.wait_for_function(chosen, timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    wait_drawn(page, charts=1)
    url, items = page.url, page.locator("[data-testid=stMain] li").count()
    page.context.close()
    assert f"bar={agency}%3Astrength" in url or f"bar={agency}:strength" in url, url
    assert items > 0  # its sentences are listed


def test_4_downloads_are_named_after_their_filters(server, browser) -> None:  # noqa: ANN001
    base, data_dir = server
    page = open_page(browser, base, "explore?theme=neglect&q=police", WIDE)
    # The grid's own toolbar would save only the rows it shows: its CSV button is not offered.
    page.locator("[data-testid=stDataFrame]").first.hover()
    page.wait_for_timeout(500)
    grid_csv = page.locator("[data-testid=stElementToolbar] button[aria-label='Download as CSV']")
    assert all(not b.is_visible() for b in grid_csv.all())
    with page.expect_download() as dl:
        page.get_by_test_id("stDownloadButton").filter(has_text="Download CSV").first.click()
    name = dl.value.suggested_filename
    rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8"))))
    page.context.close()
    assert "neglect" in name and "police" in name and name.endswith(".csv"), name
    # Codes stay as they were; name columns are added for a spreadsheet reader.
    assert {"theme", "label", "theme_name", "label_name"} <= set(rows[0])
    assert {r["theme_name"] for r in rows} == {"Neglect"}


def test_4_an_unknown_page_says_it_does_not_exist(server, browser) -> None:  # noqa: ANN001
    base, _ = server
    page = open_page(browser, base, "nonexistent", WIDE)
    text = page.inner_text("[data-testid=stMain]")
    page.context.close()
    assert "no page" in text.lower() and "nonexistent" in text
    assert "JTAI Findings Explorer" not in text  # not Overview under a wrong link


def test_4_quick_key_presses_on_the_slider_agree_with_the_results_and_the_link(
    server, browser
) -> None:  # noqa: ANN001
    base, _ = server
    page = open_page(browser, base, "explore?theme=neglect&confidence=0.5", WIDE)
    thumb = page.locator("[data-testid=stSlider] input[type=range]").first
    thumb.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight", delay=30)
    page.wait_for_timeout(2500)
    wait_drawn(page)
    shown = float(page.locator("[data-testid=stSliderThumbValue]").first.inner_text())
    assert float(thumb.input_value()) == shown
    linked = float(parse_qs(urlsplit(page.url).query)["confidence"][0])
    text = page.inner_text("[data-testid=stMain]")
    page.context.close()
    assert shown == linked and shown > 0.5
    assert f"with label confidence at least {shown:g}" in text


# ---------------------------------------------------------------- §5 fair comparisons


@pytest.mark.parametrize("topic", ["send_and_disability", "exploitation", "perpetrator_focus"])
def test_5_compare_axis_ticks_are_distinct(server, browser, topic: str) -> None:  # noqa: ANN001
    base, _ = server
    page = open_page(
        browser, base, f"compare?theme=cse_missing,domestic_abuse&topic={topic}", WIDE, 1
    )
    ticks = page.locator(".js-plotly-plot .ytick text").all_text_contents()
    page.context.close()
    assert len(ticks) >= 3 and len(ticks) == len(set(ticks)), ticks


def test_5_agencies_over_time_is_per_letter_with_a_gap_for_a_year_without_letters(
    server, browser
) -> None:  # noqa: ANN001
    base, data_dir = server
    page = open_page(browser, base, "agencies?agency=police&view=year", WIDE, 1)
    trace = page.evaluate(
        "() => { const d = document.querySelector('.js-plotly-plot')._fullData[0];"
        " return {x: Array.from(d.x), y: Array.from(d.y, v => v === null || Number.isNaN(v)"
        " ? null : v)}; }"
    )
    page.context.close()
    per_year = dict(
        _sql(
            data_dir,
            "SELECT substr(published, 1, 4), COUNT(*) FROM letters GROUP BY 1",
        )
    )
    found = dict(
        _sql(
            data_dir,
            "SELECT substr(l.published, 1, 4), COUNT(*) FROM finding_agencies a JOIN findings f "
            "USING (finding_id) JOIN letters l USING (letter_id) WHERE a.agency = 'police' "
            "GROUP BY 1",
        )
    )
    years = [str(y) for y in range(int(min(per_year)), int(max(per_year)) + 1)]
    assert [x.split("<br>")[0] for x in trace["x"]] == years  # every year, in order
    for x, y in zip(trace["x"], trace["y"], strict=True):
        year = x.split("<br>")[0]
        if year in per_year:
            assert y == pytest.approx(found.get(year, 0) / per_year[year], abs=0.01)
            assert f"({per_year[year]})" in x  # n visible under each year
        else:
            assert y is None  # no letters that year: a gap, not a line bridged over it


# ---------------------------------------------------------------- §6 an area against its peers


def test_6_area_opens_on_a_chooser_of_inspected_areas(server, browser) -> None:  # noqa: ANN001
    base, data_dir = server
    page = open_page(browser, base, "area", WIDE)
    text = page.inner_text("[data-testid=stMain]")
    page.context.close()
    (areas,) = _sql(data_dir, "SELECT COUNT(DISTINCT urn) FROM letters")[0]
    assert "Choose an area" in text and f"{areas} inspected areas" in text
    assert "only areas with a letter are listed" in text
    assert "Findings" not in text  # no arbitrary area's letters before one is chosen


def test_6_an_area_is_compared_like_with_like_and_with_england(server, browser) -> None:  # noqa: ANN001
    base, data_dir = server
    page = open_page(browser, base, f"area?la={LIVERPOOL}", WIDE, 1)
    # Tick labels wrap onto lines (tspans): compared without spaces.
    ticks = "".join(page.locator(".js-plotly-plot .xtick text").all_text_contents())
    ticks = ticks.replace(" ", "")
    text = page.inner_text("[data-testid=stMain]")
    links = page.locator("[data-testid=stMain] a[href^='area?la=']").count()
    page.context.close()
    theme, region = _sql(
        data_dir, "SELECT theme, region FROM letters WHERE urn = ? ORDER BY published DESC",
        (LIVERPOOL,),
    )[0]  # fmt: skip
    (same_theme,) = _sql(
        data_dir, "SELECT COUNT(*) FROM letters WHERE theme = ? AND urn != ?", (theme, LIVERPOOL)
    )[0]
    (others,) = _sql(data_dir, "SELECT COUNT(*) FROM letters WHERE urn != ?", (LIVERPOOL,))[0]
    (in_region,) = _sql(
        data_dir, "SELECT COUNT(*) FROM letters WHERE region = ? AND urn != ?", (region, LIVERPOOL)
    )[0]
    # Every group with its n; the theme's other letters first after the area, and England.
    assert f"({same_theme}letters)" in ticks and f"({others}letters)" in ticks
    assert "England" in ticks and f"Restof{region.replace(' ', '')}" in ticks
    assert f"Other areas in {region} with letters" in text
    assert links >= in_region  # the region's other areas' letters are linked
    assert "Topics and agencies" in text


# ---------------------------------------------------------------- §7 small things


def test_7_chart_pages_link_the_accuracy_and_can_leave_out_flagged_findings(
    server, browser
) -> None:  # noqa: ANN001
    base, data_dir = server
    page = open_page(browser, base, PAGES["compare"][0] + "&needs_review=exclude", WIDE, 1)
    svg = page.inner_text(".js-plotly-plot")
    about = page.locator("[data-testid=stMain] a[href='about']").count()
    page.context.close()
    n, k = _sql(
        data_dir,
        "SELECT COUNT(*), COALESCE(SUM(EXISTS (SELECT 1 FROM finding_topics t WHERE "
        "t.finding_id = f.finding_id AND t.topic = 'perpetrator_focus')), 0) FROM findings f "
        "JOIN letters l USING (letter_id) WHERE l.theme = 'cse_missing' AND f.needs_review = 0",
    )[0]
    assert f"{k}/{n}" in svg  # the "all findings" bar counts only unflagged findings
    assert about >= 1


def test_7_refresh_time_is_written_for_people_and_one_is_singular(server, browser) -> None:  # noqa: ANN001
    base, data_dir = server
    built = datetime.fromisoformat(
        _sql(data_dir, "SELECT value FROM meta WHERE key='built_at'")[0][0]
    )
    # A phrase that occurs in exactly one finding.
    texts = [
        t for (t,) in _sql(data_dir, "SELECT text FROM findings ORDER BY finding_id LIMIT 400")
    ]
    phrase = next(
        t[:60]
        for t in texts
        if "%" not in t[:60]
        and "_" not in t[:60]
        and _sql(data_dir, "SELECT COUNT(*) FROM findings WHERE text LIKE ?", (f"%{t[:60]}%",))[0][
            0
        ]
        == 1
    )
    page = open_page(browser, base, "explore?" + _q(phrase), WIDE)
    sidebar = page.locator("[data-testid=stSidebar]").inner_text()
    main = page.inner_text("[data-testid=stMain]")
    page.context.close()
    assert f"{built.day} {built:%B %Y, %H:%M} UTC" in sidebar
    assert "1 finding." in main and "1 findings" not in main


def _q(text: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": text})


# ---------------------------------------------------------------- issue 14: points 8, 9, 10

OUT_OF_RANGE = [
    "explore?from=1900-01-01",
    "compare?to=2999-12-31",
    "?from=2999-01-01",
    "agencies?to=2999-12-31&from=1900-01-01",
    "new?from=1900-01-01",
]


@pytest.mark.parametrize("path", OUT_OF_RANGE)
def test_14_8_dates_outside_the_widgets_range_are_clamped_with_a_notice(
    server, browser, path: str
) -> None:  # noqa: ANN001
    base, data_dir = server
    first, last = _sql(data_dir, "SELECT MIN(published), MAX(published) FROM letters")[0]
    page = open_page(browser, base, path, WIDE)
    notices = " ".join(page.locator("[data-testid=stAlert]").all_inner_texts())
    exceptions = page.locator("[data-testid=stException]").count()
    page.context.close()
    assert exceptions == 0
    assert "outside the letters' dates" in notices and (first in notices or last in notices)


@pytest.mark.parametrize(("name", "size"), ALL, ids=IDS)
def test_14_9_no_request_to_any_host_but_the_apps(sweep, name: str, size: str) -> None:  # noqa: ANN001
    assert sweep[(name, size)].outside == []


@pytest.mark.parametrize(("name", "size"), ALL, ids=IDS)
def test_14_10_no_page_shows_a_server_path_or_a_traceback(
    sweep, server, name: str, size: str
) -> None:  # noqa: ANN001
    _, data_dir = server
    visit = sweep[(name, size)]
    shown = visit.text + "\n" + visit.sidebar
    assert visit.exceptions == 0
    assert "Traceback" not in shown and 'File "' not in shown
    for path in (str(data_dir), str(REPO), str(Path.home()), "/tmp/", "site-packages"):
        assert path not in shown, f"{path} shown to a reader"


def test_14_10_without_a_database_no_page_shows_a_server_path(browser, tmp_path: Path) -> None:  # noqa: ANN001
    empty = tmp_path / "no-corpus-here"
    empty.mkdir()
    port = free_port()
    proc = start(port, empty)
    try:
        wait_healthy(port)
        base = f"http://127.0.0.1:{port}"
        for path, _ in PAGES.values():
            page = open_page(browser, base, path, PHONE)
            text = page.inner_text("[data-testid=stMain]")
            page.context.close()
            assert "python -m analysis build" in text
            assert str(empty) not in text and "no-corpus-here" not in text, path
    finally:
        proc.terminate()
        proc.wait(10)
