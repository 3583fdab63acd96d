"""The build and export commands end to end on real letters, through the CLI."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import config
from analysis import export, store

REPO = Path(__file__).resolve().parent.parent
SAMPLE = [
    "80485-liverpool-2016-08-03.pdf",
    "80508-lewisham-2023-01-31.pdf",
    "80498-haringey-2009-07-03.pdf",  # not a JTAI letter
]


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JTAI_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def sample_folder(tmp_path: Path, letters_dir: Path) -> Path:
    folder = tmp_path / "letters"
    folder.mkdir()
    with (letters_dir / "manifest.csv").open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["file"] in SAMPLE]
    for r in rows:
        shutil.copy(letters_dir / r["file"], folder / r["file"])
    with (folder / "manifest.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\0" * 100)  # no body, no %%EOF
    return folder


def test_ingest_build_export(sample_folder: Path, data_dir: Path, tmp_path: Path) -> None:
    ingest = _run("scrapers", "ingest", str(sample_folder), data_dir=data_dir)
    assert "broken.pdf" in ingest.stdout + ingest.stderr  # reported, the rest kept

    first = _run("analysis", "build", data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    assert "letters: 2 (2 parsed, 0 unchanged)" in first.stdout
    assert "not a JTAI letter" in first.stdout

    second = _run("analysis", "build", data_dir=data_dir)
    assert "letters: 2 (0 parsed, 2 unchanged)" in second.stdout

    out = tmp_path / "out"
    exported = _run("analysis", "export", str(out), data_dir=data_dir)
    assert exported.returncode == 0, exported.stderr
    with (out / "letters.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == export.LETTERS_CSV_COLUMNS
        letters = {r["letter_id"]: r for r in reader}
    assert set(letters) == {"80485-2016-08-03", "80508-2023-01-31"}
    lew = letters["80508-2023-01-31"]
    assert (lew["theme"], lew["format"], lew["la_code"], lew["region"]) == (
        "front_door",
        "B",
        "209",
        "London",
    )
    assert (lew["fieldwork_start"], lew["fieldwork_end"]) == ("2022-11-21", "2022-11-25")
    with (out / "findings.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == export.FINDINGS_CSV_COLUMNS
        findings = list(reader)
    conn = store.connect_readonly(config.db_path())
    assert len(findings) == conn.execute("SELECT count(*) FROM findings").fetchone()[0]
    assert {f["letter_id"] for f in findings} == set(letters)
    package = json.loads((out / "datapackage.json").read_text())
    assert [r["name"] for r in package["resources"]] == ["letters", "findings"]


def test_build_without_raw_files_says_what_to_do(data_dir: Path) -> None:
    result = _run("analysis", "build", data_dir=data_dir)
    assert result.returncode == 2
    assert "scrapers ingest" in result.stderr


def test_export_without_database_says_what_to_do(data_dir: Path, tmp_path: Path) -> None:
    result = _run("analysis", "export", str(tmp_path / "o"), data_dir=data_dir)
    assert result.returncode == 2
    assert "analysis build" in result.stderr
