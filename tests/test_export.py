"""analysis/export.py: the set written all or nothing, never over files unasked, and no cell a
spreadsheet would run. The database is written by the real store from a real parsed letter."""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import config
from analysis import export, store
from analysis.build import parse_file
from scrapers.rawstore import record_from_folder_manifest

REPO = Path(__file__).resolve().parent.parent
LETTER = "80508-lewisham-2023-01-31.pdf"
HOSTILE = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def letter(letters_dir: Path, shared_manifest: dict[str, dict[str, str]]):
    return parse_file(letters_dir / LETTER, record_from_folder_manifest(shared_manifest[LETTER]))


@pytest.fixture
def database(data_dir: Path, letter) -> Path:
    return store.write([letter], [], {"parser_version": "test"})


# The CLI as `python -m analysis` runs it, with SIGXFSZ's default action (Python ignores it):
# then a file-size limit kills the process the moment a write passes it, a kill at a known
# point of the export with no cleanup code run.
KILLABLE = (
    "import runpy, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); "
    "sys.argv[0] = 'analysis'; runpy.run_module('analysis', run_name='__main__')"
)


def _export(
    out: Path, *extra: str, limit_bytes: int | None = None, killed: bool = False
) -> subprocess.CompletedProcess:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    start = [sys.executable, "-c", KILLABLE] if killed else [sys.executable, "-m", "analysis"]
    return subprocess.run(
        [*start, "export", str(out), *extra],
        cwd=REPO,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit if limit_bytes else None,  # noqa: PLW1509
    )


def _old_set(out: Path) -> dict[str, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    old = {name: f"old {name} of an earlier export\n".encode() for name in export.EXPORT_FILES}
    for name, data in old.items():
        (out / name).write_bytes(data)
    return old


def _contents(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


@pytest.mark.parametrize("how", ["killed", "write-fails"])
def test_a_killed_or_failed_export_leaves_the_previous_set_whole_and_the_next_cleans_up(
    how: str, database: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    old = _old_set(out)
    fresh = _export(tmp_path / "measure")
    assert fresh.returncode == 0, fresh.stderr
    letters_size = (tmp_path / "measure" / "letters.csv").stat().st_size
    findings_size = (tmp_path / "measure" / "findings.csv").stat().st_size
    assert letters_size * 4 < findings_size  # so a limit between them cuts findings.csv

    stopped = _export(out, "--force", limit_bytes=letters_size * 2, killed=how == "killed")
    if how == "killed":
        assert stopped.returncode < 0, stopped.stderr  # killed by the signal
    else:
        assert stopped.returncode == config.EXIT_STOPPED, stopped.stderr
        assert "File too large" in stopped.stderr and "nothing was replaced" in stopped.stderr
        assert "Traceback" not in stopped.stderr
    assert _contents(out) == old  # not a new letters.csv beside an old findings.csv

    again = _export(out, "--force")
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(export.EXPORT_FILES)  # no leftovers
    assert _contents(out) == _contents(tmp_path / "measure")


def test_files_of_the_same_names_are_not_replaced_without_force(
    database: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    old = _old_set(out)
    (out / "notes.txt").write_text("the user's own file")
    refused = _export(out)
    assert refused.returncode == config.EXIT_USAGE, refused.stdout + refused.stderr
    for name in export.EXPORT_FILES:
        assert name in refused.stderr
    assert "--force" in refused.stderr
    assert {k: v for k, v in _contents(out).items() if k != "notes.txt"} == old
    forced = _export(out, "--force")
    assert forced.returncode == 0, forced.stderr
    assert (out / "notes.txt").read_text() == "the user's own file"  # others' files untouched
    assert (out / "letters.csv").read_bytes() != old["letters.csv"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Liverpool", "Liverpool"),
        ("a=b", "a=b"),
        ("", ""),
        (0.75, 0.75),
        (-3, -3),
        (None, None),
    ],
)
def test_spreadsheet_safe(value: object, shown: object) -> None:
    assert export.spreadsheet_safe(value) == shown


def test_spreadsheet_safe_frame_neutralises_text_only() -> None:
    df = pd.DataFrame({"urn": [HOSTILE, "80508"], "n": [-1, 2], "=x": ["@a", "b"]})
    safe = export.spreadsheet_safe_frame(df)
    assert safe["urn"].tolist() == ["'" + HOSTILE, "80508"]
    assert safe["n"].tolist() == [-1, 2]
    assert list(safe.columns) == ["urn", "n", "'=x"]
    assert df["urn"].tolist() == [HOSTILE, "80508"]  # the caller's frame is left as it was


def test_exported_csvs_run_no_formula_and_the_dictionary_says_so(
    data_dir: Path, letter, tmp_path: Path
) -> None:
    hostile_id = f"{HOSTILE}-2023-01-31"
    findings = [
        replace(f, letter_id=hostile_id, text="+" + f.text if i == 0 else f.text)
        for i, f in enumerate(letter.findings)
    ]
    bad = replace(
        letter, urn=HOSTILE, letter_id=hostile_id, theme_phrase="@SUM(1+1)", findings=findings
    )
    store.write([bad], [], {})
    result = _export(tmp_path / "out")
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out" / "letters.csv").open(newline="", encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["urn"] == "'" + HOSTILE and row["letter_id"] == "'" + hostile_id
    assert row["theme_phrase"] == "'@SUM(1+1)"
    assert row["n_strengths"] == str(letter.n_strengths)  # numbers as they are
    with (tmp_path / "out" / "findings.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(findings)
    assert all(r["letter_id"] == "'" + hostile_id for r in rows)
    assert rows[0]["text"] == "'+" + letter.findings[0].text
    assert not any(
        v.startswith(export.FORMULA_STARTS) for r in rows for k, v in r.items() if k != "text"
    )
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    assert "apostrophe" in package["description"] and "formula" in package["description"]
