"""Time the dashboard in a real browser and print the figures (a measurement, not a test).

    JTAI_DATA_DIR=/tmp/jd_app python bench/bench_dashboard.py [--runs 3]

Targets: cold start (server start -> first page fully drawn) < 5 s; a shared link to /compare
fully drawn < 3 s; a filter change redrawn < 1 s. Uses Debian's Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from streamlit_server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    free_port,
    start,
    wait_drawn,
    wait_healthy,
)

COMPARE = "compare?theme=cse_missing,domestic_abuse&topic=perpetrator_focus"


def rerender(page: Page, action, expect: str) -> float:  # noqa: ANN001
    """Time from a widget change until the chart title shows ``expect`` and the run ended."""
    page.wait_for_selector(IDLE)
    t = time.perf_counter()
    action()
    page.wait_for_function(
        "t => [...document.querySelectorAll('.gtitle')].some(e => e.textContent.includes(t))",
        arg=expect,
        timeout=10_000,
    )
    wait_drawn(page, charts=1)
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"no {CHROMIUM}: apt-get install -y chromium", file=sys.stderr)
        return 2
    results: dict[str, list[float]] = {
        "cold start": [],
        "shared /compare link": [],
        "shared link, cached JS": [],
        "filter change": [],
    }
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(args.runs):
            port = free_port()
            t0 = time.perf_counter()
            proc = start(port)
            try:
                wait_healthy(port)
                ctx = browser.new_context(viewport={"width": 1280, "height": 800})
                page = ctx.new_page()
                page.goto(f"http://127.0.0.1:{port}/")
                wait_drawn(page, charts=1)
                results["cold start"].append(time.perf_counter() - t0)
                page.close()
                # The same link in a second tab of that browser: Streamlit's hashed JS bundles
                # (Plotly's is 4.7 MB) come from the HTTP cache, as for a returning reader.
                page = ctx.new_page()
                t = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/{COMPARE}")
                wait_drawn(page, charts=1)
                results["shared link, cached JS"].append(time.perf_counter() - t)
                page.close()
                ctx.close()
                # A shared link opened by a first-time reader: new browser profile, new session.
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                t = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/{COMPARE}")
                wait_drawn(page, charts=1)
                results["shared /compare link"].append(time.perf_counter() - t)
                topic = page.get_by_test_id("stSelectbox").filter(has_text="Topic")
                for option in ("voice of child", "information sharing", "perpetrator focus"):

                    def pick(option: str = option, page: Page = page, topic=topic) -> None:  # noqa: ANN001
                        topic.click()
                        page.get_by_role("option", name=option, exact=True).click()

                    results["filter change"].append(rerender(page, pick, f"about {option}"))
                page.close()
            finally:
                proc.terminate()
                proc.wait(10)
        browser.close()
    targets = {
        "cold start": 5.0,
        "shared /compare link": 3.0,
        "shared link, cached JS": 3.0,
        "filter change": 1.0,
    }
    print(f"{'measure':24} {'median s':>9} {'max s':>7} {'target s':>9}  runs")
    for name, values in results.items():
        print(
            f"{name:24} {statistics.median(values):9.2f} {max(values):7.2f} "
            f"{targets[name]:9.1f}  {len(values)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
