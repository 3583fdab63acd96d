"""Time the dashboard in a real browser against a corpus 20 times the shared letters, with a
bare one-line Streamlit page served in the same run as the floor (a measurement, not a test).

    python bench/bench_dashboard.py [--runs 3] [--scale 20] [--data-dir DIR]

Each page of the app, and a shared link to /compare, is opened by a first-time reader (a new
browser context: empty HTTP cache, new Streamlit session) and timed from navigation until
fully rendered: the script run finished, no skeleton left, every Plotly chart drawn
(tests/streamlit_server.wait_drawn). The floor is ``st.write("hello")`` served by a second
``streamlit run`` on loopback, timed the same way. A filter change is a new topic picked on
/compare, timed until the chart shows it.

Each run starts the app afresh and visits every page twice: the first visit finds the
server's caches cold (a reader after a restart or a rebuild), the second finds them warm.

Targets (issue #6): every page within 2x the floor and under 3 s; filter change under 1 s.
Uses Debian's Chromium (/usr/bin/chromium); exits 2 without it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))
import scaled  # noqa: E402
from machine import machine  # noqa: E402
from streamlit_server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    free_port,
    start,
    wait_drawn,
    wait_healthy,
)

FLOOR_SCRIPT = 'import streamlit as st\n\nst.write("hello")\n'
SHARED_COMPARE = "compare?theme=cse_missing,domestic_abuse&topic=perpetrator_focus"
VIEWPORT = {"width": 1280, "height": 800}
PAGE_TARGET_S = 3.0
FLOOR_RATIO_TARGET = 2.0
FILTER_TARGET_S = 1.0


@dataclass
class Series:
    """Timings of one measure, and how many attempts failed (timeout or error box)."""

    values: list[float] = field(default_factory=list)
    errors: int = 0


def start_floor(port: int, script: Path) -> subprocess.Popen:
    """The floor: a one-line Streamlit page, launched with the app's flags (its directory
    holds a copy of the app's config.toml)."""
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=script.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def has_error(page: Page) -> bool:
    return page.locator("[data-testid=stException]").count() > 0


def open_fresh(browser: Browser, url: str, charts: int) -> tuple[float, Page]:
    """A first-time reader: new context (empty cache, new session), navigate, wait until
    fully drawn. Returns the seconds and the page (caller closes its context)."""
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    t = time.perf_counter()
    page.goto(url)
    wait_drawn(page, charts=charts)
    return time.perf_counter() - t, page


def timed_visit(browser: Browser, url: str, charts: int, series: Series) -> None:
    page = None
    try:
        secs, page = open_fresh(browser, url, charts)
        if has_error(page):
            series.errors += 1
        else:
            series.values.append(secs)
    except Exception as exc:  # noqa: BLE001 - a timeout is a result, reported as an error
        series.errors += 1
        print(f"  error on {url}: {type(exc).__name__}: {str(exc).splitlines()[0]}", flush=True)
    finally:
        if page is not None:
            page.context.close()


def rerender(page: Page, action: Callable[[], None], expect: str) -> float:
    """Time from a widget change until the chart's axis title shows ``expect`` (its title is
    page text, drawn before the chart) and the run ended."""
    page.wait_for_selector(IDLE)
    t = time.perf_counter()
    action()
    page.wait_for_function(
        "t => [...document.querySelectorAll('.js-plotly-plot .ytitle')]"
        ".some(e => e.textContent.includes(t))",
        arg=expect,
        timeout=10_000,
    )
    wait_drawn(page, charts=1)
    return time.perf_counter() - t


def filter_changes(browser: Browser, base: str, series: Series) -> None:
    _, page = open_fresh(browser, f"{base}/{SHARED_COMPARE}", 1)
    try:
        topic = page.get_by_test_id("stSelectbox").filter(has_text="Topic")
        for option in ("Voice of the child", "Information sharing", "Perpetrator focus"):

            def pick(option: str = option) -> None:
                topic.click()
                page.get_by_role("option", name=option, exact=True).click()

            try:
                series.values.append(rerender(page, pick, f"on {option.lower()}"))
            except Exception as exc:  # noqa: BLE001
                series.errors += 1
                print(f"  filter change error: {type(exc).__name__}", flush=True)
    finally:
        page.context.close()


def pages(db: Path, with_map: bool) -> dict[str, tuple[str, int]]:
    """measure -> (path and query, Plotly charts on the fully drawn page)."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        (urn,) = conn.execute("SELECT urn FROM letters ORDER BY published DESC LIMIT 1").fetchone()
        # A perpetrator-focus weakness for /similar (the example).
        (finding,) = conn.execute(
            "SELECT f.finding_id FROM findings f JOIN finding_topics t USING (finding_id) "
            "WHERE t.topic = 'perpetrator_focus' AND f.label = 'improvement' "
            "ORDER BY f.finding_id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return {
        "overview /": ("", 4 if with_map else 3),
        "compare /compare": ("compare", 1),
        "agencies /agencies": ("agencies", 1),
        f"area /area?la={urn}": (f"area?la={urn}", 1),
        "explore /explore?theme=..&q=police": (
            "explore?theme=cse_missing,domestic_abuse&q=police",
            0,
        ),
        "new /new": ("new", 0),
        "about /about": ("about", 0),
        "shared /compare link": (SHARED_COMPARE, 1),
        "recurring /recurring?theme=neglect": ("recurring?theme=neglect", 0),
        "similar /similar?finding=..": (f"similar?finding={finding}", 0),
        "brief /brief?la=..&theme=front_door": (f"brief?la={urn}&theme=front_door", 0),
        "explore ..&match=meaning": ("explore?q=return+home+interviews&match=meaning", 0),
    }


def table(title: str, results: dict[str, Series], floor: float, with_targets: bool) -> str:
    lines = [
        title,
        f"{'measure':38} {'median s':>8} {'max s':>6} {'target':>12} {'x floor':>7}  "
        f"{'n':>2} {'err':>3}  result",
    ]
    for name, s in results.items():
        if not s.values:
            lines.append(f"{name:38} {'-':>8} {'-':>6} {'':>20}  {0:2d} {s.errors:3d}  FAIL")
            continue
        med, mx = statistics.median(s.values), max(s.values)
        ratio = med / floor if floor else float("nan")
        if name == "floor (one-line page)":
            target, ok = "", None
        elif name.startswith("filter change"):
            target, ok = f"< {FILTER_TARGET_S:.0f} s", med < FILTER_TARGET_S
        elif name.startswith("cold start"):
            target, ok = "(info)", None
        else:
            target = f"< {PAGE_TARGET_S:.0f} s, <= 2x"
            ok = med < PAGE_TARGET_S and ratio <= FLOOR_RATIO_TARGET
        if not with_targets and ok is not None:
            target = "(info) " + target
        verdict = "" if ok is None else ("pass" if ok and not s.errors else "FAIL")
        lines.append(
            f"{name:38} {med:8.2f} {mx:6.2f} {target:>12} {ratio:7.1f}  "
            f"{len(s.values):2d} {s.errors:3d}  {verdict}"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale", type=int, default=scaled.DEFAULT_SCALE)
    ap.add_argument("--data-dir", help="where the scaled database is kept (default: a temp dir)")
    ap.add_argument("--only", help="comma list: time only the pages whose measure has one (and /)")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"no {CHROMIUM}: apt-get install -y chromium", file=sys.stderr)
        return 2
    if not (scaled.DEFAULT_LETTERS / "manifest.csv").exists():
        print(f"skipped: no shared letters at {scaled.DEFAULT_LETTERS}")
        return 0
    t_all = time.perf_counter()
    print(machine())
    data_dir = Path(args.data_dir) if args.data_dir else scaled.default_dir(args.scale)
    db = scaled.ensure(data_dir, args.scale)
    print(f"database x{args.scale}: {scaled.summary(db)}", flush=True)
    targets = pages(db, with_map=scaled.config.LA_BOUNDARIES_GEOJSON.exists())
    if args.only:
        wanted = args.only.split(",")
        targets = {
            k: v for k, v in targets.items() if k == "overview /" or any(w in k for w in wanted)
        }

    warm: dict[str, Series] = {"floor (one-line page)": Series()}
    warm |= {name: Series() for name in targets}
    warm["filter change (topic on /compare)"] = Series()
    cold: dict[str, Series] = {"cold start (server start -> / drawn)": Series()}
    # The overview's first visit is the cold start's own.
    cold |= {name: Series() for name in targets if name != "overview /"}

    with tempfile.TemporaryDirectory(prefix="jtai-floor-") as tmp, sync_playwright() as pw:
        script = Path(tmp) / "floor.py"
        script.write_text(FLOOR_SCRIPT, encoding="utf-8")
        # The floor runs with the app's own server settings (.streamlit/config.toml).
        (Path(tmp) / ".streamlit").mkdir()
        shutil.copy(HERE.parent / ".streamlit" / "config.toml", Path(tmp) / ".streamlit")
        floor_port = free_port()
        floor_proc = start_floor(floor_port, script)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            wait_healthy(floor_port)
            floor_url = f"http://127.0.0.1:{floor_port}/"
            timed_visit(browser, floor_url, 0, Series())  # the floor's own first run
            for run in range(args.runs):
                port = free_port()
                base = f"http://127.0.0.1:{port}"
                t0 = time.perf_counter()
                proc = start(port, data_dir)
                try:
                    wait_healthy(port)
                    page = browser.new_page(viewport=VIEWPORT)
                    try:
                        page.goto(base + "/")
                        wait_drawn(page, charts=targets["overview /"][1])
                        cold["cold start (server start -> / drawn)"].values.append(
                            time.perf_counter() - t0
                        )
                    finally:
                        page.context.close()
                    for results in (cold, warm):
                        for i, (name, (path, charts)) in enumerate(targets.items()):
                            if results is warm and i % 4 == 0:  # the floor among the pages
                                timed_visit(browser, floor_url, 0, warm["floor (one-line page)"])
                            if name in results:
                                timed_visit(browser, f"{base}/{path}", charts, results[name])
                    filter_changes(browser, base, warm["filter change (topic on /compare)"])
                finally:
                    stop(proc)
                print(f"run {run + 1}/{args.runs} done ({time.perf_counter() - t_all:.0f} s)")
        finally:
            browser.close()
            stop(floor_proc)

    floor = statistics.median(warm["floor (one-line page)"].values or [float("nan")])
    print()
    print(f"runs: {args.runs}; times in seconds, navigation -> fully rendered, new browser context")
    print(table("Server caches warm (every visit after the first since start):", warm, floor, True))
    print()
    print(
        table(
            "First visit of each page after the app starts (its queries not cached):",
            cold,
            floor,
            True,
        )
    )
    print(f"\ntotal {time.perf_counter() - t_all:.0f} s; load average now {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
