"""``python -m scrapers fetch`` against the fixture site (tests/site_fixture.py): real HTTP on
127.0.0.1, real PDFs from ../shared/jtai-letters, no mocks."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest
from site_fixture import (
    DOWNLOAD_ORDER,
    EARLIER_MARKUP_DIR,
    JTAI_LETTERS,
    OTHER_FILE_IDS,
    FixtureSite,
    HtmlInsteadOfPdf,
    Redirect,
    Reset,
    SlowStream,
    Stall,
    Status,
    Truncate,
    publication_item,
    replacing,
    shared_manifest,
)

import config
from config import EXIT_FAILURES, EXIT_OK, EXIT_STOPPED
from scrapers import fetch as fetch_mod
from scrapers import rawstore
from scrapers.__main__ import main
from scrapers.fetch import FetchOptions, Letter, plan_downloads, run, unique_letters
from scrapers.ofsted import Publication


def cli_command(site: FixtureSite, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scrapers",
        "fetch",
        "--base-url",
        site.base_url,
        "--delay",
        "0",
        *extra,
    ]


def run_cli(site: FixtureSite, *extra: str) -> subprocess.CompletedProcess[str]:
    # os.environ carries the test's JTAI_DATA_DIR (monkeypatch.setenv)
    return subprocess.run(
        cli_command(site, *extra),
        cwd=config.REPO_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def fetch_here(site: FixtureSite, capsys: pytest.CaptureFixture[str], *extra: str):
    """The same CLI in this process (quicker than a subprocess): (exit code, all output)."""
    code = main(["fetch", "--base-url", site.base_url, "--delay", "0", *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def file_path(file_id: str) -> str:
    return f"/v1/file/{file_id}"


def expected_sha(file_id: str) -> str:
    return shared_manifest()[JTAI_LETTERS[file_id][1]]["sha256"]


def assert_store_holds(file_ids: set[str] | list[str]) -> None:
    """Manifest rows, PDFs on disk and checksums agree, and no partial file is left."""
    manifest = rawstore.read_manifest()
    on_disk = {p.stem for p in config.raw_dir().glob("*.pdf")}
    assert set(manifest) == on_disk == set(file_ids)
    for record in manifest.values():
        data = rawstore.pdf_path(record.file_id).read_bytes()
        assert rawstore.sha256_of(data) == record.sha256 == expected_sha(record.file_id)
        assert len(data) == record.bytes
    assert list(config.raw_dir().glob(".*.part")) == []


def manifest_rows() -> list[dict[str, str]]:
    """The manifest's rows as written (read_manifest's dict would hide a duplicate row)."""
    with config.raw_manifest_path().open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def failed_lines(out: str) -> list[str]:
    """The summary's list of failures: the lines after "Failed:"."""
    lines = out.splitlines()
    if "Failed:" not in lines:
        return []
    after = lines[lines.index("Failed:") + 1 :]
    return [line for line in after if line.startswith("  - ")]


def failed_line(out: str, item: str) -> str:
    matching = [line for line in failed_lines(out) if item in line]
    assert len(matching) == 1, f"{item!r} not listed once among the failures:\n{out}"
    return matching[0]


def count(pattern: str, text: str) -> int:
    m = re.search(pattern, text)
    assert m, f"{pattern!r} not in output:\n{text}"
    return int(m.group(1))


# --- end to end -----------------------------------------------------------------------------


def test_fetch_end_to_end_then_second_run_downloads_nothing(site: FixtureSite, data_dir: Path):
    first = run_cli(site)
    assert first.returncode == EXIT_OK, first.stdout + first.stderr
    assert "Done: 7 new letters, 0 unchanged, 0 failed." in first.stdout
    assert count(r"providers scanned:\s+(\d+)", first.stdout) == 7

    assert_store_holds(DOWNLOAD_ORDER)
    manifest = rawstore.read_manifest()
    shared = shared_manifest()
    for file_id, (urn, name) in JTAI_LETTERS.items():
        record = manifest[file_id]
        assert record.origin == "live"
        assert record.urn == urn
        assert record.report_type == config.JTAI_REPORT_TYPE
        assert record.published == shared[name]["published"]
        # followed as given: on the file service's origin, not the site's
        assert record.source_url == f"{site.files_origin}/v1/file/{file_id}"
        assert record.fetched_at
    # the area with two JTAIs has both
    assert {r.file_id for r in manifest.values() if r.urn == "80485"} == {"50000217", "50000222"}
    assert manifest["50000222"].provider == "Liverpool"

    # each letter requested once; other report types never
    fetched = Counter(h.path for h in site.file_hits())
    assert fetched == Counter(file_path(i) for i in DOWNLOAD_ORDER)
    assert not any(file_path(i) in fetched for i in OTHER_FILE_IDS)
    # paged through with start/rows, asking for the site's maximum of rows
    searches = site.hits_on("/search")
    assert [h.query["start"] for h in searches] == [["0"], ["4"]]
    assert all(h.query["rows"] == [str(config.SEARCH_ROWS)] for h in searches)
    assert all(h.query["level_2_types[]"] == ["12"] for h in searches)
    # polite: robots.txt first on each origin, our user agent on every request
    assert [h.path for h in site.hits if h.server == "site"][0] == "/robots.txt"
    assert [h.path for h in site.hits if h.server == "files"][0] == "/robots.txt"
    assert {h.headers.get("user-agent") for h in site.hits} == {config.USER_AGENT}

    site.clear_log()
    second = run_cli(site)
    assert second.returncode == EXIT_OK, second.stdout + second.stderr
    assert "Done: 0 new letters, 7 unchanged, 0 failed." in second.stdout
    assert site.file_hits() == []
    # pages were revalidated from the HTTP cache: conditional requests answered 304
    pages = [h for h in site.hits if h.path.startswith(("/search", "/provider/"))]
    assert len(pages) == 9
    assert all(h.answer == "304" and "if-none-match" in h.headers for h in pages)
    assert_store_holds(DOWNLOAD_ORDER)


def test_the_pages_in_their_earlier_markup_are_read_alike(site: FixtureSite, data_dir: Path):
    # the variant: <ul> lists, <time datetime=...>, a next link in li.pagination__next
    site.pages_dir = EARLIER_MARKUP_DIR
    result = run_cli(site)
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "Done: 7 new letters, 0 unchanged, 0 failed." in result.stdout
    assert {h.answer for h in site.hits if h.path.startswith("/provider/")} == {"200"}
    assert_store_holds(DOWNLOAD_ORDER)
    manifest = rawstore.read_manifest()
    shared = shared_manifest()
    assert all(
        manifest[i].published == shared[n]["published"] for i, (_, n) in JTAI_LETTERS.items()
    )


def test_limit_stops_after_n_providers(site: FixtureSite, data_dir: Path, capsys):
    code, out = fetch_here(site, capsys, "--limit", "2")
    assert code == EXIT_OK, out
    assert count(r"providers scanned:\s+(\d+)", out) == 2
    assert_store_holds(["50188665", "50212861"])
    assert [h.query["start"] for h in site.hits_on("/search")] == [["0"]]


def test_no_cache_sends_no_conditional_requests(site: FixtureSite, data_dir: Path, capsys):
    for _ in range(2):
        code, out = fetch_here(site, capsys, "--no-cache", "--limit", "1")
        assert code == EXIT_OK, out
    assert not config.http_cache_path().exists()
    pages = site.hits_on("/provider/44/80426")
    assert [h.answer for h in pages] == ["200", "200"]
    assert not any("if-none-match" in h.headers for h in pages)


# --- retries --------------------------------------------------------------------------------


def test_timeout_is_retried(site: FixtureSite, data_dir: Path, capsys):
    site.script(file_path("50000231"), Stall(3.0))
    site.script("/provider/44/80447", Stall(3.0))
    code, out = fetch_here(site, capsys, "--timeout", "0.5")
    assert code == EXIT_OK, out
    for path in (file_path("50000231"), "/provider/44/80447"):
        assert [h.answer for h in site.hits_on(path)] == ["Stall", "200"]
    assert_store_holds(DOWNLOAD_ORDER)


def test_server_error_then_success(site: FixtureSite, data_dir: Path, capsys):
    site.script("/search", Status(500))
    site.script(file_path("50024897"), Status(503), Status(502))
    code, out = fetch_here(site, capsys)
    assert code == EXIT_OK, out
    assert [h.answer for h in site.hits_on("/search")] == ["Status", "200", "200"]
    tries = site.hits_on(file_path("50024897"))
    assert [h.answer for h in tries] == ["Status", "Status", "200"]
    # urllib3's exponential backoff: no wait before the first retry, 2 s before the second
    assert tries[2].at - tries[1].at >= 1.9
    assert_store_holds(DOWNLOAD_ORDER)


def test_server_error_that_persists_fails_that_file_only(site: FixtureSite, data_dir: Path, capsys):
    site.always(file_path("50024897"), Status(500))
    code, out = fetch_here(site, capsys, "--retries", "1")
    assert code == EXIT_FAILURES, out
    assert re.search(r"50024897 \(Haringey, .*\): HTTP 500", out), out
    assert len(site.hits_on(file_path("50024897"))) == 2  # the first try and 1 retry
    assert_store_holds(set(DOWNLOAD_ORDER) - {"50024897"})


def test_429_waits_for_retry_after(site: FixtureSite, data_dir: Path, capsys):
    site.script(file_path("50194535"), Status(429, {"Retry-After": "1"}))
    code, out = fetch_here(site, capsys)
    assert code == EXIT_OK, out
    first, second = site.hits_on(file_path("50194535"))
    assert (first.answer, second.answer) == ("Status", "200")
    assert second.at - first.at >= 0.95
    assert_store_holds(DOWNLOAD_ORDER)


def test_delay_spaces_requests(site: FixtureSite, data_dir: Path, capsys):
    code = main(["fetch", "--base-url", site.base_url, "--delay", "0.2", "--limit", "2"])
    out = capsys.readouterr().out
    assert code == EXIT_OK, out
    times = sorted(h.at for h in site.hits)
    assert len(times) >= 6  # 2 robots.txt, a search page, 2 provider pages, 2 letters
    # Spacing is enforced where requests are sent; at the server one arrival can lag and make
    # the next gap look short, so the property is checked on the whole run's span.
    assert times[-1] - times[0] >= 0.2 * (len(times) - 1) - 0.05


# --- per-file failures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (Truncate(0.5), "download broken off"),  # connection closed before Content-Length
        (Truncate(0.5, honest_length=True), "truncated PDF: no %%EOF"),
        (HtmlInsteadOfPdf(), "an HTML page"),
    ],
    ids=["connection-closed", "cut-short", "html-page"],
)
def test_bad_download_fails_with_reason_and_leaves_nothing(
    site: FixtureSite, data_dir: Path, capsys, behaviour, reason
):
    site.always(file_path("50000222"), behaviour)
    code, out = fetch_here(site, capsys, "--retries", "1")
    assert code == EXIT_FAILURES, out
    failed_line = next(line for line in out.splitlines() if "50000222" in line)
    assert reason in failed_line
    assert count(r"failed:\s+(\d+)", out) == 1
    assert "Done: 6 new letters, 0 unchanged, 1 failed." in out
    assert not rawstore.pdf_path("50000222").exists()
    assert_store_holds(set(DOWNLOAD_ORDER) - {"50000222"})


def test_missing_file_is_listed_as_404(site: FixtureSite, data_dir: Path, capsys):
    del site.files_by_id["50212861"]
    code, out = fetch_here(site, capsys)
    assert code == EXIT_FAILURES, out
    assert re.search(r"50212861 \(Bedford, .*\): HTTP 404", out), out
    assert_store_holds(set(DOWNLOAD_ORDER) - {"50212861"})


# --- refusals and layout changes: loud ------------------------------------------------------


def test_robots_disallow_stops_the_run(site: FixtureSite, data_dir: Path):
    site.robots = "robots_disallow.txt"
    result = run_cli(site)
    assert result.returncode == EXIT_STOPPED, result.stdout + result.stderr
    assert "robots.txt" in result.stderr and "disallows" in result.stderr
    assert [h.path for h in site.hits] == ["/robots.txt"]
    assert not list(data_dir.glob("raw/*.pdf"))


def test_search_page_without_provider_links_is_a_layout_change(
    site: FixtureSite, data_dir: Path, capsys
):
    site.page_overrides["/search"] = "search_layout_changed.html"
    code, out = fetch_here(site, capsys)
    assert code == EXIT_STOPPED, out
    assert "layout has changed" in out and "/provider/" in out
    assert "Done:" not in out
    assert not any(h.path.startswith("/provider/") for h in site.hits)
    assert site.file_hits() == []


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("provider_layout_changed.html", 'class="publication-link"'),
        (
            lambda html: html.replace(", pdf - ", " (PDF) "),
            "none of the publication labels on",
        ),
    ],
    ids=["no-publication-links", "every-label-in-another-form"],
)
def test_provider_page_with_a_changed_layout_fails_loudly(
    site: FixtureSite, data_dir: Path, capsys, page: str | Callable[[str], str], expected: str
):
    if callable(page):
        site.page_edits["/provider/44/80441"] = page
    else:
        site.page_overrides["/provider/44/80441"] = page
    code, out = fetch_here(site, capsys)
    assert code == EXIT_FAILURES, out
    line = failed_line(out, "/provider/44/80441")
    assert "layout changed" in line and expected in line
    assert count(r"failed:\s+(\d+)", out) == 1
    assert "The site's layout seems to have changed" in out
    # the other providers' letters still came in
    assert_store_holds(set(DOWNLOAD_ORDER) - {"50000231"})


def test_every_provider_page_without_publication_links_aborts(
    site: FixtureSite, data_dir: Path, capsys
):
    for urn in ("80426", "80428", "80441", "80447", "80485", "80498", "80999"):
        site.page_overrides[f"/provider/44/{urn}"] = "provider_layout_changed.html"
    code, out = fetch_here(site, capsys)
    assert code == EXIT_STOPPED, out
    assert "none of the 7 provider pages had the expected publication links" in out
    assert site.file_hits() == []


# --- killed and resumed ---------------------------------------------------------------------


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_killed_mid_download_resumes_without_refetching(site: FixtureSite, data_dir: Path):
    slow = DOWNLOAD_ORDER[3]
    site.script(file_path(slow), SlowStream())
    raw = data_dir / "raw"
    proc = subprocess.Popen(
        cli_command(site),
        cwd=config.REPO_ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert site.stream_started.wait(30), "the slow download never started"
        time.sleep(0.3)  # part of the letter has been sent when the process dies
    finally:
        proc.kill()  # SIGKILL: no cleanup code runs
        proc.wait(10)
    # the three letters before it are complete and recorded; of the fourth, nothing at all
    assert not list(raw.glob(".*.part"))
    assert_store_holds_without_partials_check(DOWNLOAD_ORDER[:3])

    second = run_cli(site)
    assert second.returncode == EXIT_OK, second.stdout + second.stderr
    assert "Done: 4 new letters, 3 unchanged, 0 failed." in second.stdout
    assert_store_holds(DOWNLOAD_ORDER)
    fetched = Counter(h.path for h in site.file_hits())
    assert fetched.pop(file_path(slow)) == 2  # the interrupted try and the complete one
    assert set(fetched.values()) == {1}  # nothing else twice
    assert len(fetched) == len(DOWNLOAD_ORDER) - 1


def assert_store_holds_without_partials_check(file_ids: list[str]) -> None:
    manifest = rawstore.read_manifest()
    assert set(manifest) == {p.stem for p in config.raw_dir().glob("*.pdf")} == set(file_ids)
    for record in manifest.values():
        assert rawstore.sha256_of(rawstore.pdf_path(record.file_id).read_bytes()) == record.sha256


def test_pdf_installed_but_unrecorded_is_recorded_not_refetched(
    site: FixtureSite, data_dir: Path, capsys
):
    # a run killed between moving a PDF into place and writing its manifest row
    code, out = fetch_here(site, capsys, "--limit", "1")
    assert code == EXIT_OK, out
    rawstore.write_manifest([])
    site.clear_log()
    code, out = fetch_here(site, capsys, "--limit", "1")
    assert code == EXIT_OK, out
    assert "already on disk from an interrupted run" in out
    assert site.file_hits() == []
    assert set(rawstore.read_manifest()) == {"50188665"}


# --- the pure planning core -----------------------------------------------------------------


def letter(url: str, urn: str = "80426") -> Letter:
    publication = Publication(
        url=url,
        report_type=config.JTAI_REPORT_TYPE,
        published="2022-07-18",
        label="",
        file_format="pdf",
    )
    return Letter(urn=urn, provider="Barnsley", publication=publication)


def record(file_id: str, source_url: str) -> rawstore.RawRecord:
    return rawstore.RawRecord(
        file_id=file_id,
        urn="80426",
        provider="Barnsley",
        report_type=config.JTAI_REPORT_TYPE,
        published="",
        source_url=source_url,
        sha256="0" * 64,
        bytes=1,
        origin="live",
        original_name=file_id,
        fetched_at="",
    )


def test_plan_downloads_splits_new_unchanged_and_recoverable():
    f = "https://files.ofsted.gov.uk/v1/file/"
    held = letter(f + "1")
    row_without_pdf = letter(f + "2")
    pdf_without_row = letter(f + "3")
    fresh = letter(f + "4")
    no_id = letter("https://example.org/letters/old.pdf")
    manifest = {
        "1": record("1", f + "1"),
        "2": record("2", f + "2"),
        "sha-abc": record("sha-abc", "https://example.org/letters/old.pdf"),
    }
    plan = plan_downloads(
        [held, row_without_pdf, pdf_without_row, fresh, no_id, letter(f + "4", urn="80999")],
        manifest,
        present_ids={"1", "3", "sha-abc"},
    )
    assert plan.unchanged == (held, no_id)
    assert plan.recover == (pdf_without_row,)
    assert plan.new == (row_without_pdf, fresh)  # the duplicate listing of 4 counted once


def test_unique_letters_keeps_first_listing():
    a = letter("https://files.ofsted.gov.uk/v1/file/9", urn="1")
    b = letter("https://files.ofsted.gov.uk/v1/file/9", urn="2")
    assert unique_letters([a, b]) == [a]


def test_cli_help_lists_the_options():
    result = subprocess.run(
        [sys.executable, "-m", "scrapers", "fetch", "--help"],
        cwd=config.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for option in ("--base-url", "--delay", "--timeout", "--retries", "--limit", "--no-cache"):
        assert option in result.stdout


def test_unreachable_site_stops_the_run(data_dir: Path, capsys):
    code = main(["fetch", "--base-url", "http://127.0.0.1:9", "--delay", "0", "--retries", "0"])
    out = capsys.readouterr()
    assert code == EXIT_STOPPED
    assert "could not reach http://127.0.0.1:9" in out.err


# --- faults: broken connections, silent servers, redirects, duplicates, all at once ---------


def test_connection_reset_mid_pdf_is_retried(site: FixtureSite, data_dir: Path, capsys):
    target = file_path("50000231")
    site.script(target, Reset(0.5))  # headers, half the body, then a TCP RST
    code, out = fetch_here(site, capsys)
    assert code == EXIT_OK, out
    assert [h.answer for h in site.hits_on(target)] == ["Reset", "200"]
    assert "Done: 7 new letters, 0 unchanged, 0 failed." in out
    assert_store_holds(DOWNLOAD_ORDER)  # complete, with the shared letter's sha256


def test_connection_reset_that_persists_fails_that_file_and_a_rerun_gets_it(
    site: FixtureSite, data_dir: Path, capsys
):
    target = file_path("50212861")
    site.always(target, Reset(0.3))
    code, out = fetch_here(site, capsys, "--retries", "2")
    assert code == EXIT_FAILURES, out
    line = failed_line(out, "50212861 (Bedford, ")
    assert "download broken off" in line and "after 3 attempts" in line
    assert "Connection reset by peer" in line
    tries = site.hits_on(target)
    assert [h.answer for h in tries] == ["Reset"] * 3
    assert tries[2].at - tries[1].at >= 1.9  # backoff as urllib3's: 0 s, then 2 s
    assert "Done: 6 new letters, 0 unchanged, 1 failed." in out
    assert not rawstore.pdf_path("50212861").exists()
    assert_store_holds(set(DOWNLOAD_ORDER) - {"50212861"})  # and no partial file

    site.clear_behaviours()
    site.clear_log()
    code, out = fetch_here(site, capsys)
    assert code == EXIT_OK, out
    assert "Done: 1 new letters, 6 unchanged, 0 failed." in out
    assert [h.path for h in site.file_hits()] == [target]
    assert_store_holds(DOWNLOAD_ORDER)
    assert len(manifest_rows()) == len(DOWNLOAD_ORDER)


@pytest.mark.parametrize(
    ("behaviour", "answer"),
    [(Stall(30.0), "Stall"), (SlowStream(first=64 * 1024, pause=30.0), "SlowStream")],
    ids=["silent-before-headers", "silent-mid-body"],
)
def test_server_silent_beyond_the_timeout_fails_that_file_in_bounded_time(
    site: FixtureSite, data_dir: Path, capsys, behaviour, answer: str
):
    target = file_path("50000222")
    site.always(target, behaviour)
    started = time.monotonic()
    code, out = fetch_here(site, capsys, "--timeout", "0.3", "--retries", "1")
    elapsed = time.monotonic() - started
    assert code == EXIT_FAILURES, out
    assert "timed out" in failed_line(out, "50000222 (Liverpool, ")
    assert [h.answer for h in site.hits_on(target)] == [answer, answer]  # 1 try + 1 retry
    assert elapsed < 10, f"the run took {elapsed:.1f} s: the 30 s silence was waited out"
    assert_store_holds(set(DOWNLOAD_ORDER) - {"50000222"})


def test_a_file_dripped_inside_the_timeout_is_cut_off_at_the_deadline(
    site: FixtureSite, data_dir: Path, capsys
):
    # Each kilobyte comes within the 1 s timeout, so only a deadline on the whole file ends it:
    # without one this file alone would hold the run for about a minute.
    target = file_path("50000222")
    site.always(target, SlowStream(first=64 * 1024, pause=0.1))
    started = time.monotonic()
    code, out = fetch_here(site, capsys, "--timeout", "1", "--deadline", "1.5", "--retries", "1")
    elapsed = time.monotonic() - started
    assert code == EXIT_FAILURES, out
    line = failed_line(out, "50000222 (Liverpool, ")
    assert "download too slow" in line and "in 1.5 s" in line and "(after 2 attempts)" in line
    assert [h.answer for h in site.hits_on(target)] == ["SlowStream", "SlowStream"]
    assert elapsed < 15, f"the run took {elapsed:.1f} s"
    assert_store_holds(set(DOWNLOAD_ORDER) - {"50000222"})
    code, out = fetch_here(site, capsys)  # the server is quick again: only that file comes
    assert code == EXIT_OK and "Done: 1 new letters, 6 unchanged, 0 failed." in out, out
    assert_store_holds(DOWNLOAD_ORDER)


def test_a_file_larger_than_any_letter_is_refused_not_kept(site: FixtureSite, data_dir: Path):
    sizes = {f: site.files_by_id[f].stat().st_size for f in DOWNLOAD_ORDER}
    smallest = min(sizes, key=sizes.get)
    options = FetchOptions(base_url=site.base_url, delay=0, retries=0, max_bytes=sizes[smallest])
    report = run(options)
    assert sorted(f.reason for f in report.failures) == sorted(
        f"announced {n} bytes: too large for a letter" for f, n in sizes.items() if f != smallest
    )
    assert report.new == [smallest]
    assert_store_holds({smallest})


def test_redirects_of_search_provider_page_and_pdf_are_followed(
    site: FixtureSite, data_dir: Path, capsys
):
    query = {**config.SEARCH_PARAMS, "start": 0, "rows": config.SEARCH_ROWS, "moved": 1}
    site.script("/search", Redirect(f"/search?{urlencode(query)}", 301))
    site.script("/provider/44/80441", Redirect("/provider/16/80441", 301))
    site.page_overrides["/provider/16/80441"] = "provider_80441.html"
    # Cheshire East's letter is linked on the site's origin, which sends it to the file
    # service, which sends it on to its storage
    site.page_edits["/provider/44/80447"] = replacing(
        "{{FILES}}/v1/file/50194535", "/v1/file/50194535"
    )
    pdf = file_path("50194535")
    site.script(pdf, Redirect("{{FILES}}" + pdf, 301), Redirect("/v1/blob/50194535", 302))

    code, out = fetch_here(site, capsys)
    assert code == EXIT_OK, out
    assert "Done: 7 new letters, 0 unchanged, 0 failed." in out
    searches = site.hits_on("/search")
    assert [h.answer for h in searches] == ["Redirect", "200", "200"]
    assert searches[1].query["moved"] == ["1"]
    assert [h.answer for h in site.hits_on("/provider/16/80441")] == ["200"]
    assert [(h.server, h.answer) for h in site.hits_on(pdf)] == [
        ("site", "Redirect"),
        ("files", "Redirect"),
    ]
    assert [h.answer for h in site.hits_on("/v1/blob/50194535")] == ["200"]
    assert_store_holds(DOWNLOAD_ORDER)
    manifest = rawstore.read_manifest()
    assert manifest["50194535"].source_url == site.base_url + pdf  # the address as listed
    assert manifest["50194535"].urn == "80447"
    assert manifest["50000231"].urn == "80441"  # read from the moved provider page

    site.clear_log()
    code, out = fetch_here(site, capsys)
    assert code == EXIT_OK, out
    assert "Done: 0 new letters, 7 unchanged, 0 failed." in out
    assert site.hits_on(pdf) == [] and site.file_hits() == []


def test_redirect_loop_fails_that_file_clearly(site: FixtureSite, data_dir: Path, capsys):
    pdf, blob = file_path("50024897"), "/v1/blob/50024897"
    site.always(pdf, Redirect(blob))
    site.always(blob, Redirect(pdf))
    code, out = fetch_here(site, capsys)
    assert code == EXIT_FAILURES, out
    assert "Exceeded 30 redirects" in failed_line(out, "50024897 (Haringey, ")
    # requests gives up after 30 hops: 31 requests, not an endless loop
    assert len(site.hits_on(pdf)) + len(site.hits_on(blob)) == 31
    assert_store_holds(set(DOWNLOAD_ORDER) - {"50024897"})


def test_redirect_to_a_location_robots_txt_disallows_is_not_followed(
    site: FixtureSite, data_dir: Path, capsys
):
    site.script(file_path("50000217"), Redirect("{{SITE}}/admin/letter.pdf"))
    code, out = fetch_here(site, capsys)
    assert code == EXIT_STOPPED, out
    assert "disallows" in out and "/admin/letter.pdf" in out
    assert site.hits_on("/admin/letter.pdf") == []
    assert_store_holds(DOWNLOAD_ORDER[:4])  # what came before is kept


def test_duplicate_listings_are_downloaded_and_recorded_once(
    site: FixtureSite, data_dir: Path, capsys
):
    # Barnsley's page lists its letter twice; the fictional 80999 also lists Bristol's
    barnsley = publication_item("provider_80426.html", "50188665")
    site.page_edits["/provider/44/80426"] = replacing(barnsley, barnsley * 2)
    bristol = publication_item("provider_80441.html", "50000231")
    top = '<ol class="timeline">\n'
    site.page_edits["/provider/44/80999"] = replacing(top, top + bristol)
    for _ in range(2):
        code, out = fetch_here(site, capsys)
        assert code == EXIT_OK, out
        assert count(r"JTAI letters found:\s+(\d+)", out) == len(DOWNLOAD_ORDER)
    assert "Done: 0 new letters, 7 unchanged, 0 failed." in out  # the second run
    fetched = Counter(h.path for h in site.file_hits())
    assert fetched == Counter(file_path(i) for i in DOWNLOAD_ORDER)  # each once, in 2 runs
    assert sorted(r["file_id"] for r in manifest_rows()) == sorted(DOWNLOAD_ORDER)
    assert rawstore.read_manifest()["50000231"].urn == "80441"  # its first listing: Bristol
    assert_store_holds(DOWNLOAD_ORDER)


def test_many_failures_in_one_run_are_each_named_then_a_rerun_gets_exactly_the_missing(
    site: FixtureSite, data_dir: Path
):
    site.always(file_path("50188665"), Reset(0.5))  # Barnsley: connection reset
    bedford = site.files_by_id.pop("50212861")  # Bedford: 404
    site.always(file_path("50194535"), HtmlInsteadOfPdf())  # Cheshire East
    site.always(file_path("50000217"), Status(503))  # Liverpool's first
    site.always("/provider/44/80498", Stall(30.0))  # Haringey's page: silent
    site.page_overrides["/provider/44/80441"] = "provider_layout_changed.html"  # Bristol's
    first = run_cli(site, "--timeout", "0.5", "--retries", "1")
    out = first.stdout
    assert first.returncode == EXIT_FAILURES, out + first.stderr
    assert "Traceback" not in first.stderr
    expected = {
        "50188665 (Barnsley, ": "Connection reset by peer",
        "50212861 (Bedford, ": "HTTP 404",
        "50194535 (Cheshire East, ": "an HTML page",
        "50000217 (Liverpool, ": "HTTP 503",
        f"provider page {site.base_url}/provider/44/80498": "timed out",
        f"provider page {site.base_url}/provider/44/80441": "layout changed",
    }
    assert len(failed_lines(out)) == len(expected), out
    for item, reason in expected.items():
        assert reason in failed_line(out, item)
    # the cause itself, not urllib3's wrapping of it
    assert "Caused by" not in failed_line(out, "/provider/44/80498")
    assert count(r"failed:\s+(\d+)", out) == len(expected)
    assert "Done: 1 new letters, 0 unchanged, 6 failed." in out
    assert_store_holds(["50000222"])

    site.clear_behaviours()
    site.page_overrides.clear()
    site.page_edits.clear()
    site.files_by_id["50212861"] = bedford
    site.clear_log()
    second = run_cli(site, "--timeout", "5")
    assert second.returncode == EXIT_OK, second.stdout + second.stderr
    assert "Done: 6 new letters, 1 unchanged, 0 failed." in second.stdout
    missing = [i for i in DOWNLOAD_ORDER if i != "50000222"]
    assert Counter(h.path for h in site.file_hits()) == Counter(file_path(i) for i in missing)
    assert_store_holds(DOWNLOAD_ORDER)
    assert len(manifest_rows()) == len(DOWNLOAD_ORDER)


# --- the reports website as it really is ----------------------------------------------------

HULL_LABEL = (
    "Inspection of services for children in need of help and protection, children looked "
    "after and care leavers single inspection of LA children's services as pdf - 10 February 2015"
)


def test_odd_labels_on_links_that_are_not_jtais_fail_no_page(
    site: FixtureSite, data_dir: Path, capsys
):
    # Kingston upon Hull's label (no comma before "pdf") on Bristol's page, and a label in no
    # known form at all on Fixtureshire's
    site.page_edits["/provider/44/80441"] = replacing(
        "Children&#39;s services inspection, pdf - 1 May 2021", HULL_LABEL
    )
    site.page_edits["/provider/44/80999"] = replacing(
        "Area SEND inspection, pdf - 4 June 2019", "Annual report (PDF)"
    )
    code, out = fetch_here(site, capsys)
    assert code == EXIT_OK, out
    assert "Done: 7 new letters, 0 unchanged, 0 failed." in out
    assert "layout" not in out
    assert "1 publication label in no known form" in out
    assert_store_holds(DOWNLOAD_ORDER)


def test_a_joint_inspection_under_a_new_label_is_fetched_as_a_candidate_and_named(
    site: FixtureSite, data_dir: Path, capsys
):
    site.page_edits["/provider/44/80441"] = replacing(
        "Joint area child protection inspection, pdf - 1 December 2017",
        "Joint targeted area inspection, pdf - 1 December 2017",
    )
    code, out = fetch_here(site, capsys)
    assert code == EXIT_OK, out
    assert "Done: 7 new letters, 0 unchanged, 0 failed." in out
    assert "Candidates: 1 publication labelled as a joint inspection" in out
    assert "  - 50000231 (Bristol): 'Joint targeted area inspection, pdf - 1 December 2017'" in out
    assert_store_holds(DOWNLOAD_ORDER)
    assert rawstore.read_manifest()["50000231"].report_type == "Joint targeted area inspection"
    # the Joint area review of 2009 on Haringey's page is older than any JTAI: not a candidate
    assert site.file_hits() and not any("50009007" in h.path for h in site.file_hits())


def _without_next_link(html: str) -> str:
    return re.sub(r'<a class="pagination__next".*?</a>', "", html, flags=re.S)


def test_a_count_of_results_shown_is_not_read_as_the_total(
    site: FixtureSite, data_dir: Path, capsys
):
    # No next-page link, and the page says how many it shows before the total: the first
    # number read as the total would stop discovery after the first page, quietly
    total = '<p class="search-results__count">'
    site.page_edits["/search"] = lambda html: _without_next_link(html).replace(
        total, "<p>Showing 4 results a page</p>" + total
    )
    code, out = fetch_here(site, capsys)
    assert code == EXIT_OK, out
    assert count(r"providers scanned:\s+(\d+)", out) == 7
    assert_store_holds(DOWNLOAD_ORDER)


def test_a_total_below_the_providers_seen_stops_the_run_loudly(
    site: FixtureSite, data_dir: Path, capsys
):
    number = '<span class="search-results__count-number">7</span>'
    site.page_edits["/search"] = lambda html: _without_next_link(html).replace(
        number, '<span class="search-results__count-number">2</span>'
    )
    code, out = fetch_here(site, capsys)
    assert code == EXIT_STOPPED, out
    assert "states 2 results, but 4 providers are already listed" in out
    assert site.file_hits() == []


def test_far_fewer_providers_than_expected_stops_the_run_loudly(
    site: FixtureSite, data_dir: Path, capsys
):
    code, out = fetch_here(site, capsys, "--min-providers", "10")
    assert code == EXIT_STOPPED, out
    assert "discovery found 7 providers, but at least 10 were expected" in out
    assert site.file_hits() == []
    code, out = fetch_here(site, capsys, "--min-providers", "7")
    assert code == EXIT_OK, out


def test_on_the_live_site_most_areas_of_the_la_lookup_must_be_found():
    if not config.LA_LOOKUP_CSV.exists():
        pytest.skip(f"no LA lookup at {config.LA_LOOKUP_CSV}")
    with config.LA_LOOKUP_CSV.open(newline="", encoding="utf-8") as fh:
        areas = len(list(csv.DictReader(fh)))
    assert areas > 140
    assert fetch_mod.expected_providers() == int(areas * config.MIN_PROVIDER_SHARE)
    assert fetch_mod.expected_providers(Path("/nonexistent/la_lookup.csv")) is None


def test_a_file_host_that_does_not_answer_fails_that_file_only(
    site: FixtureSite, data_dir: Path, capsys
):
    # Liverpool's first letter is linked on a host where nothing listens (port 9): its
    # robots.txt cannot be read. The letters after it are still fetched.
    site.page_edits["/provider/44/80485"] = replacing(
        "{{FILES}}/v1/file/50000217", "http://127.0.0.1:9/v1/file/50000217"
    )
    code, out = fetch_here(site, capsys, "--retries", "0")
    assert code == EXIT_FAILURES, out
    line = failed_line(out, "50000217 (Liverpool, http://127.0.0.1:9/v1/file/50000217)")
    assert "could not reach http://127.0.0.1:9" in line
    assert "Done: 6 new letters, 0 unchanged, 1 failed." in out
    assert_store_holds(set(DOWNLOAD_ORDER) - {"50000217"})
