"""``python -m scrapers ingest DIR``: the shared letters, and folders with broken files."""

from __future__ import annotations

import csv
import shutil
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
