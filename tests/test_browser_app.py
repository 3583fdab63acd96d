"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against
``streamlit run app.py`` on a database built from all the shared letters."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from streamlit_server import (
    CHROMIUM,
    chromium,
    read_sql,
    serving,
    wait_drawn,
)
from test_app_support import build_corpus
from test_evaluate import card_figures

from analysis import evaluate
from analysis.taxonomy import agency_name

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing (apt-get install -y chromium)"
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    data_dir = build_corpus(tmp_path_factory.mktemp("jtai_browser"), files=None)
    with serving(data_dir) as url:
        yield url, data_dir / "jtai.sqlite"


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    with chromium() as b:
        yield b


_sql = read_sql


def test_shared_explore_link_counts_and_csv(server, browser, tmp_path: Path) -> None:  # noqa: ANN001
    base, db = server
    page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page.goto(f"{base}/explore?theme=cse_missing,domestic_abuse&q=police&from=2016-01-01")
    wait_drawn(page)
    want = _sql(
        db,
        "SELECT f.finding_id FROM findings f JOIN letters l USING (letter_id) "
        "WHERE l.theme IN ('cse_missing', 'domestic_abuse') AND f.text LIKE '%police%' "
        "AND l.published >= '2016-01-01' ORDER BY l.published, l.letter_id, f.position",
    )
    body = page.inner_text("[data-testid=stMain]")
    assert f"{len(want):,} findings." in body
    assert "containing “police”" in body and "Domestic abuse" in body
    with page.expect_download() as dl:
        page.get_by_test_id("stDownloadButton").filter(has_text="Download CSV").first.click()
    rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8"))))
    assert [r["finding_id"] for r in rows] == [w[0] for w in want]
    assert all(len(r["published"]) == 10 and r["published"][4] == "-" for r in rows)
    page.screenshot(path=str(tmp_path / "explore.png"), full_page=True)


def test_shared_compare_link(server, browser, tmp_path: Path) -> None:  # noqa: ANN001
    base, db = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{base}/compare?theme=cse_missing,domestic_abuse&topic=perpetrator_focus")
    wait_drawn(page, charts=1)
    svg = page.inner_text(".js-plotly-plot")
    for theme in ("cse_missing", "domestic_abuse"):
        n, k = _sql(
            db,
            "SELECT COUNT(*), COALESCE(SUM(EXISTS (SELECT 1 FROM finding_topics t "
            "WHERE t.finding_id = f.finding_id AND t.topic = 'perpetrator_focus')), 0) "
            "FROM findings f JOIN letters l USING (letter_id) WHERE l.theme = ?",
            (theme,),
        )[0]
        assert f"{k}/{n}" in svg  # the 'all findings' bar's label
    assert "compare?theme=cse_missing,domestic_abuse&topic=perpetrator_focus" in page.inner_text(
        "[data-testid=stMain]"
    )
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)


def test_agencies_most_mentioned_first(server, browser) -> None:  # noqa: ANN001
    base, db = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{base}/agencies?theme=neglect")
    wait_drawn(page, charts=1)
    want = [
        agency_name(a)
        for (a,) in _sql(
            db,
            "SELECT a.agency FROM finding_agencies a JOIN findings f USING (finding_id) "
            "JOIN letters l USING (letter_id) WHERE l.theme = 'neglect' "
            "GROUP BY a.agency ORDER BY COUNT(*) DESC, a.agency",
        )
    ]
    # The first chart's agency names (names, not codes) from the top of the plot down.
    ticks = page.locator(".js-plotly-plot").first.locator(".yaxislayer-above .ytick text")
    tops = ticks.evaluate_all(
        "els => els.map(e => [e.getBoundingClientRect().top, e.textContent])"
        ".sort((a, b) => a[0] - b[0]).map(p => p[1])"
    )
    assert tops[0] == want[0]
    assert sorted(tops) == sorted(want)
    page.close()


def test_bad_link_and_narrow_screen(server, browser, tmp_path: Path) -> None:  # noqa: ANN001
    base, _ = server
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{base}/area?la=%3Cscript%3Ealert(1)%3C/script%3E&theme=nope")
    wait_drawn(page)
    body = page.inner_text("[data-testid=stMain]")
    assert "ignored unknown la" in body and "<script>alert(1)</script>" in body  # shown as text
    assert page.evaluate("() => document.querySelectorAll('script:not([src])').length") < 5
    page.screenshot(path=str(tmp_path / "area_narrow.png"), full_page=True)


def test_about_model_card_tables_fit_a_phone(server, browser) -> None:  # noqa: ANN001
    """The model card's tables were wider than a phone, and the columns past its edge were cut
    off: on a phone every table keeps inside the screen, names wrapping."""
    base, db = server
    ev_dir = db.parent / "evaluation"
    evaluate.write(card_figures(), ev_dir)
    try:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{base}/about")
        wait_drawn(page)
        tables = page.locator(".st-key-about_card table")
        n = tables.count()
        rights = [t.bounding_box()["x"] + t.bounding_box()["width"] for t in tables.all()]
        text = page.locator(".st-key-about_card").inner_text()
        page.close()
    finally:
        shutil.rmtree(ev_dir)
    assert n >= 3, "the card's tables are not shown"
    assert all(r <= 390 for r in rights), rights
    assert "Children's social care" in text and "Perpetrator focus" in text


HOSTILE = (
    "theme=nope&theme=cse_missing"  # repeated key, one unknown value
    "&la=%27%3B%20DROP%20TABLE%20letters%3B--"  # SQL
    "&q=%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D1%22%3E"  # HTML that runs script
    "&label=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E"
    "&from=2021-02-30&to=yesterday"  # invalid dates
    "&agency=" + "A" * 20_000  # huge
)
PAGE_PATHS = ["", "compare", "agencies", "area", "explore", "new", "about"]


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_hostile_link_renders_a_notice_and_nothing_unescaped(server, browser, path: str) -> None:  # noqa: ANN001
    base, db = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{base}/{path}?{HOSTILE}")
    wait_drawn(page)
    assert page.locator("[data-testid=stException]").count() == 0
    notices = " ".join(page.locator("[data-testid=stAlert]").all_inner_texts())
    assert "ignored" in notices or "not used on this page" in notices, notices
    assert page.evaluate("() => window.__pwned") is None  # no injected script ran
    assert page.locator("img[src=x]").count() == 0  # the tag is text, not an element
    assert _sql(db, "SELECT COUNT(*) FROM letters")[0][0] == 52
    page.close()
