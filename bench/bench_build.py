"""Build benchmark: parse + store the shared letters against bare PDF text extraction of the same
files in the same run, and the same for a corpus N times larger (the letters under N ids).

Prints figures; it is not a test. Usage: python bench/bench_build.py [--scale 20]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

import config  # noqa: E402
from analysis import classify, pdftext, store  # noqa: E402
from analysis.build import parse_file  # noqa: E402
from analysis.letter import NotAJtaiLetter  # noqa: E402
from scrapers.rawstore import RawRecord, record_from_folder_manifest  # noqa: E402


def _records(letters_dir: Path) -> list[tuple[Path, RawRecord]]:
    with (letters_dir / "manifest.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [(letters_dir / r["file"], record_from_folder_manifest(r)) for r in rows]


def _copies(letters: list, n: int) -> list:
    """The same letters under n distinct ids (a synthetic corpus n times larger)."""
    out = []
    for k in range(n):
        for lt in letters:
            lid = f"{lt.letter_id}-x{k}"
            findings = [
                replace(f, letter_id=lid, finding_id=f"{lid}-{f.position:04d}") for f in lt.findings
            ]
            out.append(
                replace(lt, letter_id=lid, sha256=f"{lt.sha256[:56]}{k:08d}", findings=findings)
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=20)
    ap.add_argument("--letters", default=str(config.SHARED_DIR / "jtai-letters"))
    args = ap.parse_args()
    files = _records(Path(args.letters))

    t = time.perf_counter()
    for path, _ in files:
        pdftext.bare_text(path)
    bare = time.perf_counter() - t

    per_letter, letters = [], []
    t = time.perf_counter()
    for path, rec in files:
        t1 = time.perf_counter()
        with contextlib.suppress(NotAJtaiLetter):
            letters.append(parse_file(path, rec))
        per_letter.append(time.perf_counter() - t1)
    parse_s = time.perf_counter() - t

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["JTAI_DATA_DIR"] = tmp
        t = time.perf_counter()
        model = classify.tag_corpus(letters)
        classify_s = time.perf_counter() - t
        t = time.perf_counter()
        store.write(letters, [], model)
        store_s = time.perf_counter() - t

        big = _copies(letters, args.scale)
        t = time.perf_counter()
        classify.tag_corpus(big)
        big_classify = time.perf_counter() - t
        t = time.perf_counter()
        store.write(big, [], model)
        big_store = time.perf_counter() - t
        big_size = config.db_path().stat().st_size

    n_find = sum(len(lt.findings) for lt in letters)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"files: {len(files)}  letters: {len(letters)}  findings: {n_find}")
    print(f"bare text extraction (pypdfium2): {bare:.2f}s")
    print(f"parse: {parse_s:.2f}s  median per letter {statistics.median(per_letter) * 1000:.0f} ms")
    print(
        f"store: {store_s:.2f}s   parse+store: {parse_s + store_s:.2f}s "
        f"= {(parse_s + store_s) / bare:.1f}x bare extraction (target <= 4x)"
    )
    print(
        f"classify: {classify_s:.2f}s   whole build: {parse_s + store_s + classify_s:.2f}s "
        f"= {(parse_s + store_s + classify_s) / bare:.1f}x bare (target <= 10x)"
    )
    print(
        f"x{args.scale} corpus ({len(big)} letters, {n_find * args.scale} findings): "
        f"classify {big_classify:.2f}s, store {big_store:.2f}s, db {big_size / 1e6:.0f} MB; "
        f"per letter {(big_classify + big_store) / len(big) * 1000:.1f} ms vs "
        f"{(classify_s + store_s) / len(letters) * 1000:.1f} ms at x1"
    )
    print(f"peak memory (RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
