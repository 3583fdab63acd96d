"""The cross-letter pages in a real browser (Debian's Chromium via Playwright) against
``streamlit run app.py`` on the small real corpus: Recurring findings at phone width, Findings
like this, and the brief's download opened offline and printed on A4."""

from __future__ import annotations

import csv
import io
import re
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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing (apt-get install -y chromium)"
    ),
]
A4_POINTS = (595.28, 841.89)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    data_dir = build_corpus(tmp_path_factory.mktemp("jtai_browser_crossletter"))
    with serving(data_dir) as url:
        yield url, data_dir / "jtai.sqlite"


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    with chromium() as b:
        yield b


_sql = read_sql


def _csv(page, label: str) -> list[dict[str, str]]:  # noqa: ANN001
    with page.expect_download() as dl:
        page.get_by_test_id("stDownloadButton").filter(has_text=label).first.click()
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_recurring_on_a_phone_count_opens_its_sentences(server, browser, tmp_path: Path) -> None:  # noqa: ANN001
    base, db = server
    page = browser.new_page(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page.goto(f"{base}/recurring?theme=cse_missing")
    wait_drawn(page)
    main = page.locator("[data-testid=stMain]")
    assert "child sexual exploitation and missing children letters." in main.inner_text()
    # The page is no wider than the phone (tables scroll inside their own box).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    rows = _csv(page, "Download CSV")
    want = dict(
        _sql(
            db,
            "SELECT t.topic, COUNT(DISTINCT f.letter_id) FROM finding_topics t JOIN findings f "
            "USING (finding_id) JOIN letters l USING (letter_id) WHERE l.theme = 'cse_missing' "
            "AND f.label IN ('improvement', 'priority_action') GROUP BY t.topic",
        )
    )
    assert {
        r["code"]: int(r["weakness_letters"]) for r in rows if r["weakness_letters"] != "0"
    } == want
    page.screenshot(path=str(tmp_path / "recurring_390.png"), full_page=True)
    # A count is a link to the sentences behind it, on this page.
    link = page.locator("a[href^='recurring?']").first
    target = link.get_attribute("href") or ""
    link.click()
    page.wait_for_url(re.compile(r".*label=improvement,priority_action.*"))
    wait_drawn(page)
    assert "The sentences: weaknesses on" in main.inner_text()
    topic = re.search(r"topic=(\w+)", target).group(1)  # type: ignore[union-attr]
    (n,) = _sql(
        db,
        "SELECT COUNT(*) FROM findings f JOIN letters l USING (letter_id) JOIN finding_topics t "
        "USING (finding_id) WHERE l.theme = 'cse_missing' AND t.topic = ? "
        "AND f.label IN ('improvement', 'priority_action')",
        (topic,),
    )[0]
    assert f"{n} sentences in" in main.inner_text()
    assert page.locator("h3.jt-letter").count() >= 1


def test_similar_the_same_praised_elsewhere(server, browser, tmp_path: Path) -> None:  # noqa: ANN001
    base, db = server
    if not _sql(db, "SELECT name FROM sqlite_master WHERE name = 'letter_vectors'"):
        pytest.skip("the build stored no sentence vectors (analysis.embed not in this tree)")
    (fid,) = _sql(
        db,
        "SELECT f.finding_id FROM findings f JOIN finding_topics t USING (finding_id) "
        "WHERE t.topic = 'perpetrator_focus' AND f.label = 'improvement' LIMIT 1",
    )[0]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/similar?finding={fid}")
    wait_drawn(page)
    assert page.locator("ol.jt-sentences > li").count() == 10
    page.screenshot(path=str(tmp_path / "similar_1280.png"), full_page=True)
    page.get_by_role("link", name="The same, praised elsewhere (strengths)").click()
    page.wait_for_url(re.compile(r".*label=strength.*"))
    wait_drawn(page)
    badges = page.locator("ol.jt-sentences .jt-badge").all_inner_texts()
    assert badges and set(badges) == {"Strength"}


def test_brief_download_opens_offline_and_prints_on_a4(server, browser, tmp_path: Path) -> None:  # noqa: ANN001
    from pypdf import PdfReader

    base, db = server
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(f"{base}/brief?la=80485&theme=cse_missing")
    wait_drawn(page)
    with page.expect_download() as dl:
        page.get_by_test_id("stDownloadButton").filter(has_text="one HTML file").click()
    path = tmp_path / "brief.html"
    dl.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    # Nothing the file loads comes from anywhere: no script, stylesheet, font, image or frame.
    for pattern in (r"<script", r"<link", r"<img", r"<iframe", r"\bsrc=", r"url\(", r"@import"):
        assert not re.search(pattern, text, re.IGNORECASE), pattern
    # The only addresses are links to the letters' own pages, from the database.
    sources = {u for (u,) in _sql(db, "SELECT source_url FROM letters") if u}
    for url in re.findall(r"https?://[^'\"\s<>#]+", text):
        assert url in sources, url
        assert re.search(rf"<a href='{re.escape(url)}", text)
    # Opened from disk with the network off: it renders, and asks for nothing.
    ctx = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    asked: list[str] = []
    ctx.route("**/*", lambda route: (asked.append(route.request.url), route.continue_()))
    offline = ctx.new_page()
    offline.goto(path.as_uri())
    assert offline.locator("h1").inner_text().startswith("Pre-inspection brief: Liverpool")
    assert offline.locator("h2").count() >= 6
    assert [u for u in asked if not u.startswith("file://")] == []
    offline.screenshot(path=str(tmp_path / "brief_offline.png"), full_page=True)
    pdf = tmp_path / "brief.pdf"
    offline.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    pages = PdfReader(pdf).pages
    assert len(pages) >= 2
    for p in pages:
        w, h = float(p.mediabox.width), float(p.mediabox.height)
        assert abs(w - A4_POINTS[0]) < 2 and abs(h - A4_POINTS[1]) < 2, (w, h)
    ctx.close()
