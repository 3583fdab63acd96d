"""``python -m scrapers ingest DIR``: the shared letters, and folders with broken files."""

from __future__ import annotations

import csv
import ctypes
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from site_fixture import shared_manifest

import config
from config import EXIT_FAILURES, EXIT_OK, EXIT_STOPPED
from scrapers import rawstore
from scrapers.__main__ import main


def ingest(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["ingest", str(folder)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_ingest_shared_letters_then_again_gives_nothing_new(letters_dir, data_dir, capsys):
    code, out = ingest(letters_dir, capsys)
    assert code == EXIT_OK, out
    assert "Done: 53 new, 0 unchanged, 0 failed." in out

    shared = shared_manifest()
    manifest = rawstore.read_manifest()
    assert len(manifest) == len(shared) == 53
    assert len(list(config.raw_dir().glob("*.pdf"))) == 53
    by_name = {r.original_name: r for r in manifest.values()}
    assert set(by_name) == set(shared)
    for name, row in shared.items():
        record = by_name[name]
        data = rawstore.pdf_path(record.file_id).read_bytes()
        assert data == (letters_dir / name).read_bytes()  # copied unedited
        assert rawstore.sha256_of(data) == record.sha256 == row["sha256"]
        assert record.bytes == int(row["bytes"])
        assert (record.urn, record.published, record.report_type, record.source_url) == (
            row["urn"],
            row["published"],
            row["report_type"],
            row["source_url"],
        )
        assert record.origin == "folder"
        expected_id = rawstore.file_id_from_url(row["source_url"]) or rawstore.file_id_from_sha(
            row["sha256"]
        )
        assert record.file_id == expected_id
    # the one non-JTAI is kept, with its own type, for the analysis to set aside
    review = by_name["80498-haringey-2009-07-03.pdf"]
    assert review.report_type == "Joint area review - progress inspection"
    assert review.file_id.startswith("sha-")

    code, out = ingest(letters_dir, capsys)
    assert code == EXIT_OK, out
    assert "Done: 0 new, 53 unchanged, 0 failed." in out
    assert rawstore.read_manifest() == manifest


def test_folder_without_manifest_and_with_broken_files(letters_dir, data_dir, tmp_path, capsys):
    folder = tmp_path / "incoming"
    folder.mkdir()
    good = ["80426-barnsley-2022-07-18.pdf", "80537-peterborough-2017-08-11.pdf"]
    for name in good:
        shutil.copy(letters_dir / name, folder / name)
    whole = (letters_dir / "80428-bedford-2023-03-31.pdf").read_bytes()
    (folder / "cut-short.pdf").write_bytes(whole[: len(whole) // 2])
    (folder / "error-page.PDF").write_bytes(b"<!DOCTYPE html><html><body>Sorry</body></html>")
    (folder / "notes.txt").write_text("not a PDF name, so not ingested")

    code, out = ingest(folder, capsys)
    assert code == EXIT_FAILURES, out
    assert "Done: 2 new, 0 unchanged, 2 failed." in out
    assert "cut-short.pdf: truncated PDF: no %%EOF" in out
    assert "error-page.PDF: an HTML page" in out

    manifest = rawstore.read_manifest()
    shared = shared_manifest()
    assert {r.original_name for r in manifest.values()} == set(good)
    for record in manifest.values():
        sha = shared[record.original_name]["sha256"]
        assert record.sha256 == sha
        assert record.file_id == rawstore.file_id_from_sha(sha)  # no source URL to name it
        assert (record.urn, record.published, record.report_type) == ("", "", "")
    assert list(config.raw_dir().glob(".*.part")) == []

    code, out = ingest(folder, capsys)
    assert code == EXIT_FAILURES  # the broken files still fail, loudly
    assert "Done: 0 new, 2 unchanged, 2 failed." in out


def test_same_bytes_under_another_name_are_unchanged(letters_dir, data_dir, tmp_path, capsys):
    code, out = ingest(letters_dir, capsys)
    assert code == EXIT_OK, out
    folder = tmp_path / "renamed"
    folder.mkdir()
    shutil.copy(letters_dir / "80426-barnsley-2022-07-18.pdf", folder / "barnsley.pdf")
    code, out = ingest(folder, capsys)
    assert code == EXIT_OK, out
    assert "Done: 0 new, 1 unchanged, 0 failed." in out
    assert len(rawstore.read_manifest()) == 53


def write_manifest(folder: Path, rows: list[dict[str, str]]) -> None:
    columns = ["file", "urn", "provider", "report_type", "published", "source_url", "sha256"]
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def test_checksum_mismatch_and_missing_file_are_failures(letters_dir, data_dir, tmp_path, capsys):
    folder = tmp_path / "listed"
    folder.mkdir()
    shared = shared_manifest()
    shutil.copy(letters_dir / "80426-barnsley-2022-07-18.pdf", folder / "a.pdf")
    shutil.copy(letters_dir / "80428-bedford-2023-03-31.pdf", folder / "b.pdf")
    write_manifest(
        folder,
        [
            {**shared["80426-barnsley-2022-07-18.pdf"], "file": "a.pdf"},
            # b.pdf listed with Barnsley's checksum: the bytes are not what the listing says
            {**shared["80426-barnsley-2022-07-18.pdf"], "file": "b.pdf"},
            {**shared["80485-liverpool-2016-08-03.pdf"], "file": "gone.pdf"},
        ],
    )
    code, out = ingest(folder, capsys)
    assert code == EXIT_FAILURES, out
    assert "b.pdf: sha256" in out and "differs from manifest.csv" in out
    assert "gone.pdf: listed in manifest.csv but not in the folder" in out
    manifest = rawstore.read_manifest()
    assert set(manifest) == {"50188665"}
    assert manifest["50188665"].urn == "80426"
    assert manifest["50188665"].original_name == "a.pdf"


def test_not_a_folder_is_an_error(data_dir, tmp_path, capsys):
    code, out = ingest(tmp_path / "nowhere", capsys)
    assert code == EXIT_STOPPED
    assert "is not a folder" in out


# --- nothing in the folder is trusted: each bad thing fails alone, with its reason ----------

BARNSLEY = "80426-barnsley-2022-07-18.pdf"
BEDFORD = "80428-bedford-2023-03-31.pdf"
BRISTOL = "80441-bristol-2017-12-01.pdf"
CHESHIRE = "80447-cheshire-east-2022-09-26.pdf"
LIVERPOOL = "80485-liverpool-2016-08-03.pdf"
PETERBOROUGH = "80537-peterborough-2017-08-11.pdf"


def _copy(letters_dir: Path, folder: Path, *names: str) -> None:
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(letters_dir / name, folder / name)


def test_bad_manifest_values_are_rejected_with_reasons_and_the_rest_go_in(
    letters_dir, data_dir, tmp_path, capsys
):
    folder = tmp_path / "hostile"
    names = [BARNSLEY, BEDFORD, BRISTOL, CHESHIRE, LIVERPOOL, PETERBOROUGH]
    _copy(letters_dir, folder, *names)
    shared = shared_manifest()
    rows = [
        shared[BARNSLEY],
        {**shared[BEDFORD], "published": "31/12/2099"},
        {**shared[BRISTOL], "published": "-0001-01-01"},
        {**shared[CHESHIRE], "urn": "notanumber"},
        {**shared[LIVERPOOL], "source_url": "javascript:alert(1)"},
        shared[PETERBOROUGH],
        {**shared[PETERBOROUGH], "urn": "80426"},  # listed again, differently
        shared[BARNSLEY],  # listed again, the same: harmless
    ]
    write_manifest(folder, rows)
    code, out = ingest(folder, capsys)
    assert code == EXIT_FAILURES, out
    assert "Done: 1 new, 0 unchanged, 5 failed." in out
    expected = {
        BEDFORD: "published '31/12/2099' is not a date as YYYY-MM-DD",
        BRISTOL: "published '-0001-01-01' is not a date",
        CHESHIRE: "urn 'notanumber' is not an Ofsted URN",
        LIVERPOOL: "source_url 'javascript:alert(1)' is not an http(s) address",
        PETERBOROUGH: "listed in manifest.csv more than once, differently (rows 7, 8)",
    }
    for name, reason in expected.items():
        line = next(ln for ln in out.splitlines() if f"- {name}:" in ln)
        assert reason in line, line
    manifest = rawstore.read_manifest()
    assert [r.original_name for r in manifest.values()] == [BARNSLEY]


def test_a_manifest_that_is_not_utf8_stops_with_a_clear_message(
    letters_dir, data_dir, tmp_path, capsys
):
    folder = tmp_path / "latin1"
    _copy(letters_dir, folder, BARNSLEY)
    row = shared_manifest()[BARNSLEY]
    header = ",".join(row)
    line = ",".join({**row, "provider": "Barnsley Métropole"}.values())
    (folder / "manifest.csv").write_bytes(f"{header}\n{line}\n".encode("latin-1"))
    code, out = ingest(folder, capsys)
    assert code == EXIT_STOPPED, out
    assert "is not UTF-8 text" in out and "nothing was ingested" in out
    assert rawstore.read_manifest() == {}


def test_a_folder_named_manifest_csv_stops_with_a_clear_message(
    letters_dir, data_dir, tmp_path, capsys
):
    folder = tmp_path / "odd"
    _copy(letters_dir, folder, BARNSLEY)
    (folder / "manifest.csv").mkdir()
    code, out = ingest(folder, capsys)
    assert code == EXIT_STOPPED, out
    assert "manifest.csv is not a file" in out


def test_an_empty_folder_is_not_a_quiet_success(data_dir, tmp_path, capsys):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("no letters here")
    code, out = ingest(folder, capsys)
    assert code == EXIT_STOPPED, out
    assert "holds no PDF files" in out


def test_link_loops_and_folders_named_pdf_are_named_not_skipped(
    letters_dir, data_dir, tmp_path, capsys
):
    folder = tmp_path / "links"
    _copy(letters_dir, folder, BARNSLEY)
    (folder / "a.pdf").symlink_to(folder / "b.pdf")
    (folder / "b.pdf").symlink_to(folder / "a.pdf")
    (folder / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    (folder / "dir.pdf").mkdir()
    code, out = ingest(folder, capsys)
    assert code == EXIT_FAILURES, out
    assert "Done: 1 new, 0 unchanged, 4 failed." in out
    for name in ("a.pdf", "b.pdf", "gone.pdf"):
        assert f"- {name}: a link that leads to no file (broken, or a loop)" in out
    assert "- dir.pdf: not a file" in out


def test_a_file_larger_than_any_letter_is_refused(letters_dir, data_dir, tmp_path, capsys):
    folder = tmp_path / "huge"
    _copy(letters_dir, folder, BARNSLEY)
    size = config.MAX_DOWNLOAD_BYTES + 1024 * 1024
    with (folder / "huge.pdf").open("wb") as fh:  # sparse: PDF markers, no disk used between
        fh.write(b"%PDF-1.7\n")
        fh.seek(size - 7)
        fh.write(b"%%EOF\n")
    assert (folder / "huge.pdf").stat().st_size == size - 1
    code, out = ingest(folder, capsys)
    assert code == EXIT_FAILURES, out
    assert f"- huge.pdf: {size - 1} bytes: larger than any letter (the limit is 50 MB)" in out
    assert [r.original_name for r in rawstore.read_manifest().values()] == [BARNSLEY]


def _without_root_override() -> None:
    """In the child: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set, so
    that root, too, is refused by a file's permissions."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_an_unreadable_pdf_fails_alone_and_the_rest_go_in(letters_dir, data_dir, tmp_path):
    folder = tmp_path / "locked"
    _copy(letters_dir, folder, BARNSLEY, BEDFORD, PETERBOROUGH)
    (folder / BEDFORD).chmod(0)
    result = subprocess.run(
        [sys.executable, "-m", "scrapers", "ingest", str(folder)],
        cwd=config.REPO_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_without_root_override if os.geteuid() == 0 else None,  # noqa: PLW1509
    )
    assert result.returncode == EXIT_FAILURES, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"- {BEDFORD}: cannot read the file: Permission denied" in result.stdout
    assert "Done: 2 new, 0 unchanged, 1 failed." in result.stdout
    names = {r.original_name for r in rawstore.read_manifest().values()}
    assert names == {BARNSLEY, PETERBOROUGH}


def test_ingest_reports_coverage_of_the_known_letters(letters_dir, data_dir, capsys):
    if not config.KNOWN_JTAI_LETTERS_CSV.exists():
        pytest.skip(f"no list of known JTAI letters at {config.KNOWN_JTAI_LETTERS_CSV}")
    code, out = ingest(letters_dir, capsys)
    assert code == EXIT_OK, out
    with config.KNOWN_JTAI_LETTERS_CSV.open(newline="", encoding="utf-8") as fh:
        known = [r for r in csv.DictReader(fh) if r["published"]]
    held = {(r["urn"], r["published"]) for r in shared_manifest().values()}
    missing = [r for r in known if (r["urn"], r["published"]) not in held]
    assert f"Coverage: {len(known) - len(missing)} of {len(known)} known JTAI letters" in out
    for r in missing:
        assert f"  not held: {r['area']} (URN {r['urn']}), published {r['published']}" in out
