"""The build and export commands end to end on real letters, through the CLI."""

from __future__ import annotations

import csv
import ctypes
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from bad_pdfs import encrypted, scanned, without_last_page

import config
from analysis import export, store
from analysis.build import build, copy_rank, parse_file, set_aside_reason
from scrapers import rawstore
from scrapers.rawstore import RawRecord, record_from_folder_manifest, sha256_of

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

    written = (data_dir / "jtai.sqlite").stat().st_mtime_ns
    second = _run("analysis", "build", data_dir=data_dir)
    assert "letters: 2 (0 parsed, 2 unchanged)" in second.stdout
    assert "database unchanged" in second.stdout
    assert (data_dir / "jtai.sqlite").stat().st_mtime_ns == written  # not rewritten
    forced = _run("analysis", "build", "--retrain", data_dir=data_dir)
    assert "database unchanged" not in forced.stdout
    assert (data_dir / "jtai.sqlite").stat().st_mtime_ns != written

    # A database written by an older schema is rewritten even when nothing else changed.
    with sqlite3.connect(data_dir / "jtai.sqlite") as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    upgraded = _run("analysis", "build", data_dir=data_dir)
    assert "database unchanged" not in upgraded.stdout
    assert store.read_meta(data_dir / "jtai.sqlite")["schema_version"] == store.SCHEMA_VERSION

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


# --- bad input: each file is set aside with its reason; the build goes on -------------------

CUTS = (0.1, 0.4, 0.7, 0.9, 0.99)


def _as_stored(record: RawRecord, data: bytes) -> RawRecord:
    """The record a damaged file would have had, had it been stored like that."""
    return replace(record, sha256=sha256_of(data), bytes=len(data))


def test_every_letter_cut_short_is_set_aside_never_half_parsed(
    tmp_path: Path, letters_dir: Path, shared_manifest: dict[str, dict[str, str]]
) -> None:
    path = tmp_path / "cut.pdf"
    tried = 0
    for name, row in shared_manifest.items():
        data = (letters_dir / name).read_bytes()
        whole: list[str] | None = None
        for fraction in CUTS:
            cut = data[: int(len(data) * fraction)]
            # As cut by a dropped connection, and as 'repaired' by a tool that closes the file.
            for damaged in (cut, cut + b"\n%%EOF\n"):
                tried += 1
                path.write_bytes(damaged)
                record = _as_stored(record_from_folder_manifest(row), damaged)
                try:
                    letter = parse_file(path, record)
                except Exception as exc:  # noqa: BLE001 - the build's own handler judges it
                    reason = set_aside_reason(exc, record)
                    assert reason, f"{name} cut at {fraction}: {exc!r} would stop the build"
                    assert not reason.startswith("parser error"), f"{name}: {reason}"
                    continue
                # pdfium read it: then it must be the whole letter, finding for finding.
                if whole is None:
                    whole = [f.text for f in parse_file(letters_dir / name, _full(row)).findings]
                assert [f.text for f in letter.findings] == whole, f"{name} cut at {fraction}"
    assert tried == len(shared_manifest) * len(CUTS) * 2


def _full(row: dict[str, str]) -> RawRecord:
    return record_from_folder_manifest(row)


def _store_raw(file_id: str, data: bytes, record: RawRecord) -> None:
    """Put bytes in the raw store as if they had been fetched (bypassing the fetch's checks,
    which would refuse most of them: the build must not rely on that)."""
    rawstore.pdf_path(file_id).parent.mkdir(parents=True, exist_ok=True)
    rawstore.pdf_path(file_id).write_bytes(data)
    rawstore.upsert(replace(record, file_id=file_id, sha256=sha256_of(data), bytes=len(data)))


def test_build_sets_aside_every_bad_file_and_keeps_the_good(
    data_dir: Path, letters_dir: Path, shared_manifest: dict[str, dict[str, str]]
) -> None:
    good = letters_dir / "80508-lewisham-2023-01-31.pdf"
    other = letters_dir / "80498-haringey-2009-07-03.pdf"
    base = record_from_folder_manifest(shared_manifest[good.name])
    whole = good.read_bytes()
    _store_raw("good", whole, base)
    _store_raw("other-type", other.read_bytes(), record_from_folder_manifest(
        shared_manifest[other.name]))  # fmt: skip
    bad = {
        "zero-byte": (b"", "unreadable: not a PDF"),
        "random": (bytes(range(256)) * 64, "unreadable: not a PDF"),
        "html": (b"<html><body>Please try again later</body></html>", "an HTML page"),
        "truncated": (whole[: len(whole) // 2], "unreadable: truncated PDF"),
        "encrypted": (encrypted(good), "unreadable: encrypted PDF"),
        "scan": (scanned(), "unreadable: no text layer"),
        "last-page-lost": (without_last_page(good), "incomplete letter: no sign-off"),
    }
    for file_id, (data, _) in bad.items():
        _store_raw(file_id, data, replace(base, urn="", published=""))
    _store_raw("changed", whole, replace(base, urn="", published=""))
    rawstore.pdf_path("changed").write_bytes(whole[:-10] + b"0123456789")  # edited on disk

    report = build()

    assert report.parsed == ["good"]
    reasons = {s.file_id: s.reason for s in report.set_aside}
    assert set(reasons) == {*bad, "other-type", "changed"}
    for file_id, (_, reason) in bad.items():
        assert reason in reasons[file_id], (file_id, reasons[file_id])
    assert "not a JTAI letter" in reasons["other-type"]
    assert "sha256 differs" in reasons["changed"]
    conn = store.connect_readonly(config.db_path())
    assert conn.execute("SELECT count(*) FROM letters").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM set_aside").fetchone()[0] == len(reasons)
    summary = report.summary()
    assert all(file_id in summary for file_id in reasons)  # each failure named


def test_a_parser_bug_sets_the_letter_aside_and_names_it(data_dir: Path) -> None:
    record = RawRecord("x", "1", "", "", "", "", "", 0, "folder", "x.pdf", "")
    reason = set_aside_reason(IndexError("list index out of range"), record)
    assert reason == "parser error (please report): IndexError: list index out of range"
    assert set_aside_reason(OSError(28, "No space left on device"), record) is None


# --- one letter, two files: a fixed rule keeps one copy, the other is set aside -------------

LEWISHAM = "80508-lewisham-2023-01-31.pdf"


def _folder_with_a_resaved_copy(tmp_path: Path, letters_dir: Path, row: dict[str, str]) -> Path:
    """Lewisham's letter and a re-saved copy of it (same letter, different bytes), both listed
    in the folder's manifest with the same URN and publication date."""
    folder = tmp_path / "two-copies"
    folder.mkdir()
    original = (letters_dir / LEWISHAM).read_bytes()
    resaved = original + b"\n% re-saved by a PDF tool\n%%EOF\n"
    (folder / LEWISHAM).write_bytes(original)
    (folder / "lewisham-copy.pdf").write_bytes(resaved)
    copy_row = {**row, "file": "lewisham-copy.pdf", "source_url": "", "sha256": sha256_of(resaved)}
    copy_row["bytes"] = str(len(resaved))
    with (folder / "manifest.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(row))
        w.writeheader()
        w.writerows([copy_row, row])  # the copy listed first: the rule, not the order, decides
    return folder


def test_two_files_of_one_letter_keep_one_by_the_rule_and_set_the_other_aside(
    data_dir: Path, tmp_path: Path, letters_dir: Path, shared_manifest: dict[str, dict[str, str]]
) -> None:
    folder = _folder_with_a_resaved_copy(tmp_path, letters_dir, shared_manifest[LEWISHAM])
    ingested = _run("scrapers", "ingest", str(folder), data_dir=data_dir)
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    ids = {r.original_name: r.file_id for r in rawstore.read_manifest().values()}
    original_id, copy_id = ids[LEWISHAM], ids["lewisham-copy.pdf"]

    for _ in range(2):  # and the next build too: one file never stops every build
        result = _run("analysis", "build", data_dir=data_dir)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "letters: 1 (" in result.stdout
        line = next(ln for ln in result.stdout.splitlines() if copy_id in ln)
        assert "duplicate" in line and "80508-2023-01-31" in line and original_id in line
    conn = store.connect_readonly(config.db_path())
    assert [tuple(r) for r in conn.execute("SELECT letter_id, file_id FROM letters")] == [
        ("80508-2023-01-31", original_id)
    ]
    reasons = dict(conn.execute("SELECT file_id, reason FROM set_aside").fetchall())
    assert set(reasons) == {copy_id} and "duplicate" in reasons[copy_id]
    assert rawstore.pdf_path(copy_id).exists()  # set aside, not deleted


def test_the_copy_kept_is_ofsteds_then_the_first_stored_then_the_lower_id() -> None:
    base = RawRecord("", "80508", "", "", "2023-01-31", "", "0" * 64, 1, "folder", "", "")
    ofsted = replace(
        base, file_id="z9", source_url="https://files.ofsted.gov.uk/v1/file/z9", fetched_at="2026"
    )
    early = replace(base, file_id="sha-b", fetched_at="2024-01-01T00:00:00+00:00")
    late = replace(base, file_id="sha-a", fetched_at="2025-01-01T00:00:00+00:00")
    same_time_lower_id = replace(late, file_id="sha-0")
    ranked = sorted([late, same_time_lower_id, early, ofsted], key=copy_rank)
    assert [r.file_id for r in ranked] == ["z9", "sha-b", "sha-0", "sha-a"]


# --- a damaged database is moved aside and the corpus rebuilt from the raw store -------------


def _store_lewisham(shared_manifest: dict[str, dict[str, str]], letters_dir: Path) -> None:
    record = record_from_folder_manifest(shared_manifest[LEWISHAM])
    _store_raw(record.file_id, (letters_dir / LEWISHAM).read_bytes(), record)


DAMAGES = {
    "empty": lambda data: b"",
    "half": lambda data: data[: len(data) // 2],
    "garbled-header": lambda data: b"\0" * 100 + data[100:],
}


@pytest.mark.parametrize("damage", list(DAMAGES), ids=list(DAMAGES))
def test_a_damaged_database_is_moved_aside_and_rebuilt(
    damage: str,
    data_dir: Path,
    tmp_path: Path,
    letters_dir: Path,
    shared_manifest: dict[str, dict[str, str]],
) -> None:
    _store_lewisham(shared_manifest, letters_dir)
    build()
    db = config.db_path()
    damaged = DAMAGES[damage](db.read_bytes())
    db.write_bytes(damaged)

    exported = _run("analysis", "export", str(tmp_path / "out"), data_dir=data_dir)
    assert exported.returncode == config.EXIT_STOPPED, exported.stderr
    assert "damaged" in exported.stderr and "python -m analysis build" in exported.stderr
    assert "Traceback" not in exported.stderr

    result = _run("analysis", "build", data_dir=data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the database was damaged" in result.stdout and "moved aside" in result.stdout
    assert "letters: 1 (1 parsed, 0 unchanged)" in result.stdout
    moved = list(db.parent.glob("jtai.sqlite.damaged-*"))
    assert len(moved) == 1 and moved[0].read_bytes() == damaged  # renamed, never deleted
    assert store.database_problem(db) is None
    conn = store.connect_readonly(db)
    assert [r[0] for r in conn.execute("SELECT letter_id FROM letters")] == ["80508-2023-01-31"]


# --- every file set aside: said, and the previous corpus left in place -----------------------


def test_every_file_set_aside_leaves_the_previous_database_and_says_why(
    data_dir: Path, letters_dir: Path, shared_manifest: dict[str, dict[str, str]]
) -> None:
    _store_lewisham(shared_manifest, letters_dir)
    build()
    before = config.db_path().read_bytes()
    base = record_from_folder_manifest(shared_manifest[LEWISHAM])
    rawstore.write_manifest([])  # the raw store now holds only files that are not letters
    _store_raw("html", b"<html><body>Please try again later</body></html>", base)
    _store_raw("scan", scanned(), base)

    result = _run("analysis", "build", data_dir=data_dir)
    assert result.returncode == config.EXIT_STOPPED, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "none of the 2 raw files gave a letter" in result.stderr
    assert "left as it was" in result.stderr
    assert "html: unreadable" in result.stdout and "scan: unreadable" in result.stdout
    assert config.db_path().read_bytes() == before


# --- a folder the build cannot write: said before any work -----------------------------------


def _without_root_override() -> None:
    """In the child, before exec: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
    bounding set, so that root, too, is refused by a folder's permissions."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_a_data_folder_it_cannot_write_stops_the_build_before_any_work(
    data_dir: Path, letters_dir: Path, shared_manifest: dict[str, dict[str, str]]
) -> None:
    _store_lewisham(shared_manifest, letters_dir)
    config.build_lock_path().touch()  # left by an earlier build, as it would be
    data_dir.chmod(0o555)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "analysis", "build"],
            cwd=REPO,
            env={**os.environ, "JTAI_DATA_DIR": str(data_dir)},
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=_without_root_override if os.geteuid() == 0 else None,  # noqa: PLW1509
        )
    finally:
        data_dir.chmod(0o755)
    assert result.returncode == config.EXIT_STOPPED, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"cannot write to {data_dir}" in result.stderr and "JTAI_DATA_DIR" in result.stderr
    assert "letters:" not in result.stdout  # nothing parsed
    assert not config.db_path().exists()


# --- coverage of the known JTAI letters, stored for the dashboard ---------------------------


def test_the_build_stores_which_known_letters_the_corpus_holds(
    data_dir: Path, letters_dir: Path, shared_manifest: dict[str, dict[str, str]]
) -> None:
    if not config.KNOWN_JTAI_LETTERS_CSV.exists():
        pytest.skip(f"no list of known JTAI letters at {config.KNOWN_JTAI_LETTERS_CSV}")
    _store_lewisham(shared_manifest, letters_dir)
    report = build()
    rows = store.read_coverage()
    with config.KNOWN_JTAI_LETTERS_CSV.open(newline="", encoding="utf-8") as fh:
        dated = [r for r in csv.DictReader(fh) if r["published"]]
    assert len(rows) == len(dated)
    held = [(k.area, k.letter_id) for k in rows if k.letter_id]
    assert held == [("Lewisham", "80508-2023-01-31")]
    assert report.coverage == f"1 of {len(dated)} known JTAI letters"
    assert f"coverage: 1 of {len(dated)} known JTAI letters" in report.summary()


def test_a_raw_file_stored_with_bad_values_is_set_aside_not_built(
    data_dir: Path, letters_dir: Path, shared_manifest: dict[str, dict[str, str]]
) -> None:
    # as an ingest stored them before it checked manifest values: they would reach every page
    _store_lewisham(shared_manifest, letters_dir)
    base = record_from_folder_manifest(shared_manifest["80485-liverpool-2016-08-03.pdf"])
    data = (letters_dir / "80485-liverpool-2016-08-03.pdf").read_bytes()
    _store_raw("future", data, replace(base, published="31/12/2099"))
    report = build()
    (aside,) = report.set_aside
    assert aside.file_id == "future"
    assert "bad values in the raw manifest: published '31/12/2099'" in aside.reason
    conn = store.connect_readonly(config.db_path())
    assert [r[0] for r in conn.execute("SELECT published FROM letters")] == ["2023-01-31"]


def test_a_raw_file_larger_than_any_letter_is_set_aside_unread(
    data_dir: Path, letters_dir: Path, shared_manifest: dict[str, dict[str, str]]
) -> None:
    _store_lewisham(shared_manifest, letters_dir)
    huge = rawstore.pdf_path("huge")
    with huge.open("wb") as fh:  # sparse, as an ingest without a size limit stored it
        fh.write(b"%PDF-1.7\n")
        fh.seek(config.MAX_DOWNLOAD_BYTES + 1024)
        fh.write(b"%%EOF\n")
    size = huge.stat().st_size
    rawstore.upsert(RawRecord("huge", "", "", "", "", "", "1" * 64, size, "folder", "h.pdf", ""))
    report = build()
    (aside,) = report.set_aside
    assert aside.file_id == "huge" and f"{size} bytes: larger than any letter" in aside.reason
    assert report.parsed == [rawstore.file_id_from_url(shared_manifest[LEWISHAM]["source_url"])]


def test_gold_letters_outside_the_corpus_are_learnt_from(
    sample_folder: Path, data_dir: Path, letters_dir: Path
) -> None:
    # A user's folder of two letters: the models still learn from every hand label, reading
    # the other gold letters from the shared folder for training only.
    env_dir = os.environ.get("JTAI_GOLD_LETTERS_DIR")
    os.environ["JTAI_GOLD_LETTERS_DIR"] = str(letters_dir)
    try:
        _run("scrapers", "ingest", str(sample_folder), data_dir=data_dir)  # broken.pdf: exit 1
        out = _run("analysis", "build", data_dir=data_dir)
    finally:
        os.environ["JTAI_GOLD_LETTERS_DIR"] = env_dir or ""
    assert out.returncode == 0, out.stderr[-2000:]
    meta = store.read_meta(data_dir / "jtai.sqlite")
    learnt = meta["classifier_learnt_from"]
    n_gold = int(learnt.split()[0])
    assert n_gold >= 2000 and "read for training only" in learnt, learnt
    conn = sqlite3.connect(data_dir / "jtai.sqlite")
    assert conn.execute("SELECT COUNT(*) FROM letters").fetchone()[0] == 2  # never stored
    ids, _, _ = store.read_vectors(conn)
    assert sorted(ids) == [r[0] for r in conn.execute("SELECT finding_id FROM findings ORDER BY 1")]


def test_without_gold_the_labels_are_learnt_from_headings(
    sample_folder: Path, data_dir: Path
) -> None:
    # One letter: its gold sentences (about a hundred) are too few to learn labels from.
    manifest = sample_folder / "manifest.csv"
    with manifest.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    keep = [r for r in rows if "lewisham" in r["file"]]
    for r in rows:
        if r not in keep:
            (sample_folder / r["file"]).unlink()
    with manifest.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(keep)
    _run("scrapers", "ingest", str(sample_folder), data_dir=data_dir)  # broken.pdf: exit 1
    empty = data_dir.parent / "no-gold"
    empty.mkdir()
    env = os.environ.get("JTAI_GOLD_LETTERS_DIR")
    os.environ["JTAI_GOLD_LETTERS_DIR"] = str(empty)
    try:
        out = _run("analysis", "build", data_dir=data_dir)
    finally:
        os.environ["JTAI_GOLD_LETTERS_DIR"] = env or ""
    assert out.returncode == 0, out.stderr[-2000:]
    assert "headings" in store.read_meta(data_dir / "jtai.sqlite")["classifier_learnt_from"]
