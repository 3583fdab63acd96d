"""Build benchmark: the whole pipeline (parse, embed, classify, store) on the shared letters and
on a corpus N times larger, against the PDF library's bare text extraction of the same files in
the same run; then an incremental rebuild after one new letter.

    python bench/bench_build.py [--scale 20] [--letters DIR]

Each scale runs in its own process, so each peak memory (RSS) is that scale's own. The larger
corpus is the shared letters parsed N times and stored under N distinct ids and checksums; the
classifier is retrained on all N copies, as a build of such a corpus would. Every run starts
with an empty vector cache (a first build embeds every sentence; the x N copies repeat the
same sentences, which are embedded once). Targets: parse + store <= 4x bare extraction (issue
#6); the first build of the shared files <= 60x (issue #12, which added sentence vectors);
a rebuild after one new letter parses and tags only that letter, in <= 15 s. Prints figures;
not a test.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import config  # noqa: E402
from analysis import classify, embed_cache, pdftext, store  # noqa: E402
from analysis.build import parse_file  # noqa: E402
from analysis.letter import IncompleteLetter, Letter, NotAJtaiLetter  # noqa: E402
from bench.machine import machine  # noqa: E402
from bench.scaled import DEFAULT_LETTERS, as_copy, data_dir_env, records  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def run_scale(letters_dir: Path, scale: int) -> dict[str, float]:
    """One scale, measured in this process: bare extraction, then parse, classify, store."""
    files = records(letters_dir)
    t = time.perf_counter()
    for _ in range(scale):
        for path, _rec in files:
            pdftext.bare_text(path)
    bare = time.perf_counter() - t

    per_letter: list[float] = []
    letters: list[Letter] = []
    t = time.perf_counter()
    for k in range(scale):
        for path, rec in files:
            t1 = time.perf_counter()
            try:
                letter = parse_file(path, rec)
            except (NotAJtaiLetter, IncompleteLetter):
                continue
            finally:
                per_letter.append(time.perf_counter() - t1)
            letters.append(as_copy(letter, k) if scale > 1 else letter)
    parse_s = time.perf_counter() - t

    with tempfile.TemporaryDirectory() as tmp, data_dir_env(Path(tmp)):
        os.environ.pop("JTAI_EMBED_CACHE", None)  # a cold cache inside the fresh data dir
        t = time.perf_counter()
        vectors, _ = embed_cache.vectors([f.text for lt in letters for f in lt.findings])
        embed_s = time.perf_counter() - t
        t = time.perf_counter()
        model = classify.tag_corpus(letters, vectors, retrain=True)
        classify_s = time.perf_counter() - t
        t = time.perf_counter()
        store.write(letters, [], model, vectors=vectors)
        store_s = time.perf_counter() - t
        db_mb = config.db_path().stat().st_size / 1e6
    return {
        "scale": scale,
        "files": len(files) * scale,
        "letters": len(letters),
        "findings": sum(len(lt.findings) for lt in letters),
        "bare": bare,
        "parse": parse_s,
        "median_ms": statistics.median(per_letter) * 1000,
        "embed": embed_s,
        "classify": classify_s,
        "store": store_s,
        "db_mb": db_mb,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _cli(args: list[str], data_dir: Path) -> tuple[float, str]:
    env = {**os.environ, "JTAI_DATA_DIR": str(data_dir)}
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {out.stderr[-2000:]}")
    return time.perf_counter() - t, out.stdout


def incremental(letters_dir: Path) -> dict[str, float | str]:
    """Through the CLI a user runs: build all but one letter, add it, build again."""
    with (letters_dir / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with tempfile.TemporaryDirectory() as tmp:
        folder, data = Path(tmp) / "letters", Path(tmp) / "data"
        folder.mkdir()

        def ingest(subset: list[dict[str, str]]) -> None:
            for r in subset:
                dest = folder / r["file"]
                if not dest.exists():
                    shutil.copy(letters_dir / r["file"], dest)
            with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
                w = csv.DictWriter(fh, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(subset)
            _cli(["scrapers", "ingest", str(folder)], data)

        ingest(rows[:-1])
        full, _ = _cli(["analysis", "build"], data)
        ingest(rows)
        one, out = _cli(["analysis", "build"], data)
        same, out_same = _cli(["analysis", "build"], data)
    first_line = lambda s: next(x for x in s.splitlines() if x.startswith("letters:"))  # noqa: E731
    return {
        "full": full,
        "one_new": one,
        "one_new_report": first_line(out),
        "unchanged": same,
        "unchanged_report": first_line(out_same),
    }


def _whole(r: dict) -> float:
    return r["parse"] + r["embed"] + r["classify"] + r["store"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=20)
    ap.add_argument("--letters", default=str(DEFAULT_LETTERS), help="folder with manifest.csv")
    ap.add_argument("--one-scale", type=int, help=argparse.SUPPRESS)  # the per-scale child
    args = ap.parse_args()
    letters_dir = Path(args.letters)
    if not (letters_dir / "manifest.csv").exists():
        print(f"no letters: {letters_dir}/manifest.csv not found", file=sys.stderr)
        return 2
    if args.one_scale:
        print(json.dumps(run_scale(letters_dir, args.one_scale)))
        return 0

    print(machine())
    results = []
    for scale in (1, args.scale):
        child = subprocess.run(
            [sys.executable, __file__, "--letters", str(letters_dir), "--one-scale", str(scale)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        results.append(json.loads(child.stdout.strip().splitlines()[-1]))

    print(f"{'':34}" + "".join(f"{'x' + str(r['scale']):>14}" for r in results))
    rows = [
        ("files / letters", lambda r: f"{r['files']} / {r['letters']}"),
        ("findings", lambda r: f"{r['findings']:,}"),
        ("bare text extraction (pypdfium2) s", lambda r: f"{r['bare']:.2f}"),
        ("parse s", lambda r: f"{r['parse']:.2f}"),
        ("  median per letter ms", lambda r: f"{r['median_ms']:.0f}"),
        ("embed (cold cache) s", lambda r: f"{r['embed']:.2f}"),
        ("classify (train + tag) s", lambda r: f"{r['classify']:.2f}"),
        ("store s", lambda r: f"{r['store']:.2f}"),
        ("parse + store / bare (<= 4x)", lambda r: f"{(r['parse'] + r['store']) / r['bare']:.1f}x"),
        (
            "whole build / bare (<= 60x)",
            lambda r: f"{_whole(r) / r['bare']:.1f}x",
        ),
        ("whole build per letter ms", lambda r: f"{_whole(r) / r['letters'] * 1000:.0f}"),
        ("database MB", lambda r: f"{r['db_mb']:.0f}"),
        ("peak memory (RSS) MB", lambda r: f"{r['peak_mb']:.0f}"),
    ]
    for label, cell in rows:
        print(f"{label:34}" + "".join(f"{cell(r):>14}" for r in results))

    inc = incremental(letters_dir)
    print("incremental, through `python -m analysis build` (process start included):")
    print(f"  all but one letter, first build: {inc['full']:.1f}s")
    print(f"  after one new letter (<= 15 s):  {inc['one_new']:.1f}s   [{inc['one_new_report']}]")
    print(
        f"  nothing new:                     {inc['unchanged']:.1f}s   [{inc['unchanged_report']}]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
