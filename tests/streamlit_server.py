"""The dashboard served for a real browser: ``streamlit run app.py`` on loopback and Debian's
Chromium. Shared by the browser tests and bench/bench_dashboard.py so both measure and check
the same thing."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, data_dir: Path | None = None) -> subprocess.Popen:
    """Start the app; ``data_dir`` sets JTAI_DATA_DIR (default: the caller's environment)."""
    env = dict(os.environ)
    if data_dir is not None:
        env["JTAI_DATA_DIR"] = str(data_dir)
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_healthy(port: int, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"streamlit did not answer on port {port} within {timeout} s")


def wait_drawn(page, charts: int = 0, timeout: float = 30_000) -> None:  # noqa: ANN001
    """Script finished, no skeletons left, and at least ``charts`` Plotly charts drawn."""
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_function(
        "n => !document.querySelector('[data-testid=stSkeleton]') && "
        "document.querySelectorAll('.js-plotly-plot .main-svg').length >= n",
        arg=charts,
        timeout=timeout,
    )


@contextmanager
def serving(data_dir: Path) -> Iterator[str]:
    """The dashboard on a free port over ``data_dir``, for the length of the block: its URL."""
    port = free_port()
    proc = start(port, data_dir)
    try:
        wait_healthy(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright, for the length of the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def read_sql(db: Path, query: str, params: tuple = ()) -> list[tuple]:
    """Rows of ``query`` on the database file, read-only."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()
