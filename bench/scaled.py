"""A corpus N times the shared letters, for the benchmarks: the letters parsed once and
classified once (analysis.classify.tag_corpus, the model trained on and saved under DATA_DIR),
copied with their tags under N distinct letter ids and checksums, and stored in
``DATA_DIR/jtai.sqlite`` exactly as a build stores a corpus (analysis.store.write).

Tagging before copying gives every copy the tags of its original: the same database as
classifying the N copies, less the model's small drift from training on N copies of each
sentence, in seconds instead of minutes (2 min at x20 on 2 cores).

A database already in DATA_DIR made at the same scale from the same letters (and the same
parser and schema) is reused, so several benchmarks in one ``make bench`` make it once.

    python bench/scaled.py [DATA_DIR] [--scale 20] [--letters DIR] [--force]

Importable: ``ensure(data_dir, scale)`` returns the database's path; ``records`` and
``as_copy`` are the pieces bench_build.py uses too.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import config  # noqa: E402
from analysis import classify, embed_cache, store  # noqa: E402
from analysis import letter as letter_mod  # noqa: E402
from analysis.build import parse_file  # noqa: E402
from analysis.letter import Letter  # noqa: E402
from analysis.parse_letter import PARSER_VERSION  # noqa: E402
from scrapers.rawstore import RawRecord, record_from_folder_manifest  # noqa: E402

DEFAULT_LETTERS = config.SHARED_DIR / "jtai-letters"
DEFAULT_SCALE = 20
# Documents that are not (whole) JTAI letters: left out, as a build sets them aside.
NOT_STORED = tuple(
    getattr(letter_mod, name)
    for name in ("NotAJtaiLetter", "IncompleteLetter")
    if hasattr(letter_mod, name)
)


def default_dir(scale: int = DEFAULT_SCALE) -> Path:
    """Where the benchmarks keep the scaled corpus between runs (outside the repo)."""
    return Path(tempfile.gettempdir()) / f"jtai-bench-x{scale}"


def records(letters_dir: Path) -> list[tuple[Path, RawRecord]]:
    """Every file listed in the folder's manifest.csv with its raw-store record."""
    with (letters_dir / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [(letters_dir / r["file"], record_from_folder_manifest(r)) for r in rows]


def parse_all(letters_dir: Path) -> list[Letter]:
    """The JTAI letters of the folder, parsed (other documents and cut-short letters left out)."""
    out = []
    for path, rec in records(letters_dir):
        with contextlib.suppress(*NOT_STORED):
            out.append(parse_file(path, rec))
    return out


def as_copy(letter: Letter, k: int) -> Letter:
    """The letter under copy k's id and checksum."""
    lid = f"{letter.letter_id}-x{k}"
    findings = [
        replace(f, letter_id=lid, finding_id=f"{lid}-{f.position:04d}") for f in letter.findings
    ]
    return replace(letter, letter_id=lid, sha256=f"{letter.sha256[:56]}{k:08d}", findings=findings)


def copies(letters: list[Letter], n: int) -> list[Letter]:
    """The same letters under n distinct ids and checksums (a corpus n times larger)."""
    return [as_copy(lt, k) for k in range(n) for lt in letters]


@contextlib.contextmanager
def data_dir_env(data_dir: Path) -> Iterator[None]:
    """JTAI_DATA_DIR set to ``data_dir`` for the block (config reads it when called)."""
    old = os.environ.get("JTAI_DATA_DIR")
    os.environ["JTAI_DATA_DIR"] = str(data_dir)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("JTAI_DATA_DIR", None)
        else:
            os.environ["JTAI_DATA_DIR"] = old


def _source_key(letters_dir: Path) -> str:
    """Identifies the input: the manifest's bytes (it holds every file's sha256)."""
    return hashlib.sha256((letters_dir / "manifest.csv").read_bytes()).hexdigest()[:16]


def _wanted_meta(scale: int, letters_dir: Path) -> dict[str, str]:
    return {
        "bench_scale": str(scale),
        "bench_source": _source_key(letters_dir),
        "parser_version": PARSER_VERSION,
        "schema_version": store.SCHEMA_VERSION,
    }


def is_current(data_dir: Path, scale: int, letters_dir: Path = DEFAULT_LETTERS) -> bool:
    """Whether ``data_dir`` already holds this scale's database, made from these letters."""
    db = data_dir / "jtai.sqlite"
    if not db.exists():
        return False
    try:
        meta = store.read_meta(db)
    except Exception:  # noqa: BLE001 - a damaged or foreign file is simply remade
        return False
    return all(meta.get(k) == v for k, v in _wanted_meta(scale, letters_dir).items())


def make(data_dir: Path, scale: int, letters_dir: Path = DEFAULT_LETTERS) -> dict[str, float]:
    """Parse, copy, classify and store; returns the seconds each step took."""
    data_dir.mkdir(parents=True, exist_ok=True)
    secs: dict[str, float] = {}
    t = time.perf_counter()
    letters = parse_all(letters_dir)
    secs["parse"] = time.perf_counter() - t
    # The sentences' vectors from the caller's embedding cache (the project's own, warm after
    # a build), not the scaled directory's empty one: the copies hold the same sentences.
    t = time.perf_counter()
    vectors, _ = embed_cache.vectors([f.text for lt in letters for f in lt.findings])
    secs["embed"] = time.perf_counter() - t
    with data_dir_env(data_dir), store.build_lock(wait=True):
        t = time.perf_counter()
        model = classify.tag_corpus(letters, vectors, retrain=True)
        secs["classify"] = time.perf_counter() - t
        t = time.perf_counter()
        big = copies(letters, scale)
        meta = {
            **model,
            "letters": str(len(big)),
            **{k: v for k, v in _wanted_meta(scale, letters_dir).items() if k != "schema_version"},
        }
        big_vectors = np.tile(vectors, (scale, 1))  # copies() repeats the letters in order
        store.write(big, [], meta, path=data_dir / "jtai.sqlite", vectors=big_vectors)
        secs["store"] = time.perf_counter() - t
    return secs


def ensure(
    data_dir: Path | None = None,
    scale: int = DEFAULT_SCALE,
    letters_dir: Path = DEFAULT_LETTERS,
    force: bool = False,
    quiet: bool = False,
) -> Path:
    """The scaled database in ``data_dir`` (made unless already there); returns its path."""
    data_dir = data_dir or default_dir(scale)
    db = data_dir / "jtai.sqlite"
    if not force and is_current(data_dir, scale, letters_dir):
        if not quiet:
            print(f"reusing the x{scale} database {db}")
        return db
    if not quiet:
        print(f"making the x{scale} database {db} from {letters_dir} ...", flush=True)
    secs = make(data_dir, scale, letters_dir)
    if not quiet:
        print("  " + ", ".join(f"{k} {v:.1f}s" for k, v in secs.items()), flush=True)
    return db


def summary(db: Path) -> str:
    """Letters, findings and file size of a database, one line."""
    conn = store.connect_readonly(db)
    try:
        letters = conn.execute("SELECT COUNT(*) FROM letters").fetchone()[0]
        findings = conn.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
    finally:
        conn.close()
    return f"{letters:,} letters, {findings:,} findings, {db.stat().st_size / 1e6:.0f} MB ({db})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir", nargs="?", help="default: $TMPDIR/jtai-bench-x<scale>")
    ap.add_argument("--scale", type=int, default=DEFAULT_SCALE)
    ap.add_argument("--letters", default=str(DEFAULT_LETTERS), help="folder with manifest.csv")
    ap.add_argument("--force", action="store_true", help="remake even if one is there")
    args = ap.parse_args(argv)
    letters_dir = Path(args.letters)
    if not (letters_dir / "manifest.csv").exists():
        print(f"no letters: {letters_dir}/manifest.csv not found", file=sys.stderr)
        return 2
    data_dir = Path(args.data_dir) if args.data_dir else default_dir(args.scale)
    db = ensure(data_dir, args.scale, letters_dir, force=args.force)
    print(summary(db))
    return 0


if __name__ == "__main__":
    sys.exit(main())
