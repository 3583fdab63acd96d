"""20 simulated viewers open shared links for 60 s while the corpus is rebuilt under them
(a measurement, not a test).

    python bench/bench_concurrency.py [--viewers 20] [--seconds 60]

Setup (in a temp dir, removed at the end): the shared letters less one JTAI letter (Durham's
2018 domestic-abuse letter) are ingested and built: the *old* corpus. The app is started on
that data directory and each link is opened once (the server's first-run costs are not a
viewer's).

Viewers: one headless Chromium driven by Playwright's asyncio API from this process; each
viewer is a tab (its own Streamlit session over its own websocket) that loops for the window:
open a shared link (/compare or /explore, alternately), wait until fully drawn, read the
numbers the page shows. The tabs share one browser profile (--contexts N for more), warmed by
one untimed visit, so the app's scripts come from the browser's HTTP and code cache as for a
returning reader. Why: on 2 cores, 20 cold profiles spend a minute compiling the same 10 MB of
JavaScript 20 times and compositing 20 windows; that measures the client machine, not the
app. Even so the browsers, not the server, use most of the CPU: the times are an upper bound.

Rebuild: 5 s into the window a subprocess ingests the missing letter and runs ``python -m
analysis build --retrain`` (the *new* corpus); further ``build --retrain`` runs follow while
the window lasts (the same corpus again, a new file each time). Every database swapped in is
copied aside when its build ends; the old one before the first rebuild.

Check: every number a view shows (sidebar: letters, findings, when built; /compare: each
bar's k/n label; /explore: the count of findings) is computed by SQL on every database
version. A view is of one version when all its numbers match that version; *mixed* when no
single version explains them all. Errors: navigation or drawing timeouts, exceptions,
Streamlit error boxes. Bounded: no new view starts after the window; the running ones and the
rebuild are waited for (drain). Loopback only. Exits 2 without Chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import BrowserContext, Page, async_playwright

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(HERE))
import scaled  # noqa: E402
from machine import machine  # noqa: E402
from streamlit_server import CHROMIUM, CHROMIUM_ARGS, IDLE, free_port, start, wait_healthy  # noqa: E402

HOLDOUT_FILE_ID = "50015171"  # Durham, domestic abuse, 2018: changes both links' numbers
THEMES = ("cse_missing", "domestic_abuse")
TOPIC = "perpetrator_focus"
COMPARE = f"compare?theme={','.join(THEMES)}&topic={TOPIC}"
EXPLORE_Q = "police"
EXPLORE = f"explore?theme={','.join(THEMES)}&q={EXPLORE_Q}"
LINKS = (COMPARE, EXPLORE)
VIEW_TIMEOUT_MS = 60_000
REBUILD_AFTER_S = 5.0
VIEWPORT = {"width": 1280, "height": 800}

# What a drawn page shows, read in the browser in one go.
READ_JS = """() => {
  const t = s => [...document.querySelectorAll(s)].map(e => e.textContent);
  return {
    sidebar: t('[data-testid=stSidebar]').join('\\n'),
    main: t('[data-testid=stMain] [data-testid=stMarkdownContainer]').join('\\n'),
    bars: t('.js-plotly-plot text.bartext'),
    exceptions: t('[data-testid=stException]'),
    errors: t('[data-testid=stAlertContentError]'),
  };
}"""


@dataclass
class View:
    viewer: int
    link: str
    started: float  # seconds since the window opened
    seconds: float | None = None  # time to fully drawn; None on error
    loaded: float | None = None  # time to the load event (page and scripts fetched, run)
    error: str = ""
    values: dict[str, object] = field(default_factory=dict)
    version: str = ""  # which database version explains every number; "" if none


# ---------------------------------------------------------------- corpora


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "JTAI_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )


def letter_folders(root: Path, letters: Path) -> tuple[Path, Path]:
    """Two folders with their manifest rows: every letter but the held-out one, and it."""
    with (letters / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        fields = reader.fieldnames or []
    held = [r for r in rows if r["source_url"].rstrip("/").endswith("/" + HOLDOUT_FILE_ID)]
    if not held:
        raise SystemExit(f"letter {HOLDOUT_FILE_ID} not in {letters}/manifest.csv")
    out = []
    for name, part in (("base", [r for r in rows if r not in held]), ("holdout", held)):
        folder = root / name
        folder.mkdir(parents=True)
        for r in part:
            shutil.copy(letters / r["file"], folder / r["file"])
        with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=fields)
            w.writeheader()
            w.writerows(part)
        out.append(folder)
    return out[0], out[1]


def expected(db: Path) -> dict[str, object]:
    """Every number the two links show, by SQL on one database."""
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        one = lambda sql, p=(): conn.execute(sql, p).fetchone()  # noqa: E731
        out: dict[str, object] = {
            "letters": one("SELECT COUNT(*) FROM letters")[0],
            "findings": one("SELECT COUNT(*) FROM findings")[0],
            "built_at": one("SELECT value FROM meta WHERE key = 'built_at'")[0],
        }
        bars = []
        for theme in THEMES:
            for label in ("strength", "improvement", None):
                n, k = one(
                    "SELECT COUNT(*), COALESCE(SUM(EXISTS (SELECT 1 FROM finding_topics t "
                    "WHERE t.finding_id = f.finding_id AND t.topic = ?)), 0) "
                    "FROM findings f JOIN letters l USING (letter_id) "
                    "WHERE l.theme = ? AND (? IS NULL OR f.label = ?)",
                    (TOPIC, theme, label, label),
                )
                bars.append(f"{k}/{n}")
        out["bars"] = tuple(sorted(bars))
        out["explore_findings"] = one(
            "SELECT COUNT(*) FROM findings f JOIN letters l USING (letter_id) "
            f"WHERE l.theme IN ({','.join('?' * len(THEMES))}) AND f.text LIKE ?",
            (*THEMES, f"%{EXPLORE_Q}%"),
        )[0]
        return out
    finally:
        conn.close()


# ---------------------------------------------------------------- reading a view


def _int(s: str) -> int:
    return int(s.replace(",", ""))


def parse_view(link: str, seen: dict) -> dict[str, object]:
    """The numbers a drawn page shows (see READ_JS)."""
    out: dict[str, object] = {}
    m = re.search(r"Corpus:\s*([\d,]+) letters,\s*([\d,]+) findings", seen["sidebar"])
    if m:
        out["letters"], out["findings"] = _int(m.group(1)), _int(m.group(2))
    m = re.search(
        r"Last refreshed\s*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z)?)", seen["sidebar"]
    )
    if m:
        out["built_at"] = m.group(1)
    if link == COMPARE:
        out["bars"] = tuple(sorted(b.strip() for b in seen["bars"]))
    else:
        m = re.search(r"([\d,]+) findings\.", seen["main"])
        if m:
            out["explore_findings"] = _int(m.group(1))
    return out


def classify_view(view: View, versions: dict[str, dict[str, object]]) -> None:
    wanted = ["letters", "findings", "built_at"]
    wanted.append("bars" if view.link == COMPARE else "explore_findings")
    missing = [k for k in wanted if k not in view.values]
    if missing:
        view.error = view.error or f"could not read {', '.join(missing)}"
        return
    fits = [name for name, exp in versions.items() if all(view.values[k] == exp[k] for k in wanted)]
    view.version = fits[0] if fits else ""


# ---------------------------------------------------------------- viewers and rebuilds


async def drawn(page: Page, charts: int, timeout: float) -> None:
    await page.wait_for_selector(IDLE, timeout=timeout)
    await page.wait_for_function(
        "n => !document.querySelector('[data-testid=stSkeleton]') && "
        "document.querySelectorAll('.js-plotly-plot .main-svg').length >= n",
        arg=charts,
        timeout=timeout,
        polling=100,
    )


async def viewer(
    i: int, ctx: BrowserContext, base: str, t0: float, deadline: float, views: list[View]
) -> None:
    page = await ctx.new_page()
    k = i
    try:
        while time.monotonic() < deadline:
            link = LINKS[k % len(LINKS)]
            k += 1
            view = View(i, link, time.monotonic() - t0)
            views.append(view)
            t = time.perf_counter()
            try:
                await page.goto(f"{base}/{link}", timeout=VIEW_TIMEOUT_MS)
                view.loaded = time.perf_counter() - t
                await drawn(page, 1 if link == COMPARE else 0, VIEW_TIMEOUT_MS)
                view.seconds = time.perf_counter() - t
                seen = await page.evaluate(READ_JS)
                if seen["exceptions"] or seen["errors"]:
                    view.error = "error box: " + (seen["exceptions"] + seen["errors"])[0][:200]
                view.values = parse_view(link, seen)
            except Exception as exc:  # noqa: BLE001 - every failure is a counted result
                view.seconds = None
                view.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                with contextlib.suppress(Exception):  # a fresh page for the next view
                    await page.close()
                page = await ctx.new_page()
    finally:
        await page.close()


async def rebuilds(
    data_dir: Path, holdout: Path, versions_dir: Path, t0: float, deadline: float, log: list
) -> None:
    """Ingest the held-out letter and rebuild; again while the window lasts. Each database
    swapped in is copied aside as soon as its build ends (nothing else writes it)."""
    env = {**os.environ, "JTAI_DATA_DIR": str(data_dir)}
    await asyncio.sleep(REBUILD_AFTER_S)
    steps = [["-m", "scrapers", "ingest", str(holdout)]]
    n = 0
    while True:
        steps.append(["-m", "analysis", "build", "--retrain"])
        t = time.monotonic()
        for step in steps:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, *step, cwd=REPO, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
            out, _ = await proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"{' '.join(step)} failed:\n{out.decode()[-2000:]}")
        n += 1
        shutil.copy(data_dir / "jtai.sqlite", versions_dir / f"new{n}.sqlite")
        log.append((t - t0, time.monotonic() - t0))
        steps = []
        if time.monotonic() >= deadline:
            return


async def window(
    base: str, data_dir: Path, holdout: Path, versions_dir: Path, args: argparse.Namespace
) -> tuple[list[View], list, float]:
    """The viewers' tabs share ``args.contexts`` browser profiles, each warmed by one
    untimed visit (the app's scripts in its HTTP and code cache, as for a returning reader);
    every tab is its own Streamlit session."""
    views: list[View] = []
    rebuild_log: list = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            contexts = []
            for _ in range(max(1, args.contexts)):
                ctx = await browser.new_context(viewport=VIEWPORT)
                page = await ctx.new_page()
                for link in LINKS:
                    await page.goto(f"{base}/{link}")
                    await drawn(page, 1 if link == COMPARE else 0, VIEW_TIMEOUT_MS)
                await page.close()
                contexts.append(ctx)
            t0 = time.monotonic()
            deadline = t0 + args.seconds
            await asyncio.gather(
                rebuilds(data_dir, holdout, versions_dir, t0, deadline, rebuild_log),
                *(
                    viewer(i, contexts[i % len(contexts)], base, t0, deadline, views)
                    for i in range(args.viewers)
                ),
            )
            total = time.monotonic() - t0
        finally:
            await browser.close()
    return views, rebuild_log, total


# ---------------------------------------------------------------- report


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def report(
    views: list[View], versions: dict[str, dict], rebuild_log: list, total: float, args
) -> None:
    ok = [v for v in views if v.seconds is not None]
    times = [v.seconds for v in ok if v.seconds is not None]
    errors = [v for v in views if v.error]
    print(
        f"\n{args.viewers} viewers (tabs of one Chromium, {args.contexts} profile(s)), "
        f"{args.seconds:.0f} s window, "
        f"{total:.0f} s with drain; links /{COMPARE} and /{EXPLORE}"
    )
    for i, (a, b) in enumerate(rebuild_log, 1):
        print(f"rebuild {i}: {a:5.1f} s -> {b:5.1f} s into the window (swap at the end)")
    for name, exp in versions.items():
        bars = " ".join(exp["bars"])  # type: ignore[arg-type]
        print(
            f"  {name:5} built {exp['built_at']}: {exp['letters']} letters, "
            f"{exp['findings']} findings; compare bars {bars}; explore {exp['explore_findings']}"
        )
    print(f"\n{'measure':34} {'value':>10}  target")
    rows = [
        ("views started", len(views), ""),
        ("views fully drawn", len(ok), ""),
        ("time to render p50 (s)", f"{pct(times, 0.5):.2f}", ""),
        ("time to render p95 (s)", f"{pct(times, 0.95):.2f}", ""),
        ("time to render max (s)", f"{max(times) if times else float('nan'):.2f}", ""),
        (
            "  of which to load event, p50 (s)",
            f"{pct([v.loaded for v in ok if v.loaded], 0.5):.2f}",
            "",
        ),
        ("errors", len(errors), "0"),
    ]
    by_version: dict[str, int] = {}
    for v in views:
        if v.version:
            by_version[v.version] = by_version.get(v.version, 0) + 1
    old = by_version.get("old", 0)
    new = sum(n for name, n in by_version.items() if name != "old")
    mixed = [v for v in views if not v.version and v.values and not v.error]
    rows += [
        ("views of the old corpus", old, ""),
        ("views of the new corpus", new, ""),
        ("  by database", ", ".join(f"{k} {n}" for k, n in sorted(by_version.items())), ""),
        ("mixed views (neither old nor new)", len(mixed), "0"),
    ]
    for name, value, target in rows:
        print(f"{name:34} {value!s:>10}  {target}")
    for link in LINKS:
        t = [v.seconds for v in ok if v.link == link and v.seconds is not None]
        print(f"  /{link.split('?')[0]}: {len(t)} drawn, p50 {pct(t, 0.5):.2f} s, "
              f"p95 {pct(t, 0.95):.2f} s")  # fmt: skip
    for v in (errors + mixed)[:10]:
        print(f"  viewer {v.viewer} at {v.started:.1f} s /{v.link.split('?')[0]}: "
              f"{v.error or 'mixed'} {v.values if not v.error else ''}")  # fmt: skip
    if args.verbose:
        for v in sorted(views, key=lambda v: v.started):
            print(
                f"  viewer {v.viewer:2d} start {v.started:6.1f} load {v.loaded or 0:6.1f} "
                f"drawn {v.seconds or 0:6.1f} /{v.link.split('?')[0]} {v.version or v.error}"
            )
    verdict = "pass" if not errors and not mixed else "FAIL"
    print(f"result: {verdict} (errors 0 and mixed 0 wanted)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--viewers", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--contexts", type=int, default=1, help="browser profiles the tabs share")
    ap.add_argument("--letters", default=str(scaled.DEFAULT_LETTERS))
    ap.add_argument("--verbose", action="store_true", help="one line per view")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (printed)")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"no {CHROMIUM}: apt-get install -y chromium", file=sys.stderr)
        return 2
    letters = Path(args.letters)
    if not (letters / "manifest.csv").exists():
        print(f"skipped: no shared letters at {letters}")
        return 0
    print(machine())
    t_all = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="jtai-conc-"))
    proc = None
    try:
        base_dir, holdout = letter_folders(tmp / "letters", letters)
        data_dir = tmp / "data"
        run(["-m", "scrapers", "ingest", str(base_dir)], data_dir)
        run(["-m", "analysis", "build"], data_dir)
        versions_dir = tmp / "versions"
        versions_dir.mkdir()
        shutil.copy(data_dir / "jtai.sqlite", versions_dir / "old.sqlite")
        print(f"old corpus built ({time.perf_counter() - t_all:.0f} s)", flush=True)
        port = free_port()
        proc = start(port, data_dir)
        wait_healthy(port)
        base = f"http://127.0.0.1:{port}"
        views, log, total = asyncio.run(window(base, data_dir, holdout, versions_dir, args))
        versions = {"old": expected(versions_dir / "old.sqlite")}
        for i in range(1, len(log) + 1):
            versions[f"new{i}"] = expected(versions_dir / f"new{i}.sqlite")
        for v in views:
            if v.seconds is not None:
                classify_view(v, versions)
        report(views, versions, log, total, args)
        print(f"total {time.perf_counter() - t_all:.0f} s")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
