"""What more hand-labelled letters would be worth: the classifier's development-fold figures
when each fold learns from only a share of the other development letters (a measurement, not
a test; the frozen test letters are never read).

    python bench/bench_learning_curve.py [--shares 0.5 0.75 1] [--seeds 2] [--folds 5]

For each share, the development letters are tagged in ``--folds`` letter-grouped folds by
models trained on that share of the other development letters, drawn at random (``--seeds``
draws below 1; the whole set once). Prints, per share: letters and gold sentences learnt from
per fold, then the figures of issue #12's goals, and last the change of each figure per
doubling of the letters (a least-squares line over log2 of the letters). Reads the built
database and its vector cache (``make build`` first) and the gold set.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import embed_cache, evaluate, store  # noqa: E402
from analysis import gold as gold_set  # noqa: E402
from bench.machine import machine  # noqa: E402

FIGURES = (
    ("strength_vs_improvement_macro_f1", "macro-F1"),
    ("agencies_micro_f1", "agencies"),
    ("perpetrator_focus_f1", "perpetrator focus"),
    ("topics_micro_f1", "topics"),
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shares", type=float, nargs="+", default=[0.5, 0.75, 1.0])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args(argv)

    letters = store.read_letters()
    if not letters:
        print("no letters in the database: run `make build` first", file=sys.stderr)
        return 2
    vectors, _ = embed_cache.vectors([f.text for lt in letters for f in lt.findings])
    prep = evaluate.prepare(letters, vectors, gold_set.read_gold(), gold_set.read_split())
    dev = prep.letters_in("dev")
    print(f"{machine()}\n{len(dev)} development letters, {args.folds} folds")

    points: list[tuple[float, dict[str, float]]] = []  # (log2 letters, figures)
    for share in sorted(args.shares):
        for seed in range(args.seeds if share < 1 else 1):
            t = time.perf_counter()
            pairs = evaluate.dev_cross_validation(prep, folds=args.folds, share=share, seed=seed)
            fig = evaluate.score(pairs)
            learnt = [
                evaluate.training_letters(dev, set(held), share, seed)
                for held in evaluate.fold_groups(dev, args.folds)
            ]
            n_letters = statistics.mean(len(x) for x in learnt)
            n_gold = statistics.mean(sum(f.letter_id in x for _, f in prep.matched) for x in learnt)
            points.append((float(np.log2(n_letters)), {k: fig[k] for k, _ in FIGURES}))
            shown = "  ".join(f"{name} {fig[k]:.4f}" for k, name in FIGURES)
            print(
                f"share {share:.2f} draw {seed}: {n_letters:.1f} letters, {n_gold:.0f} gold "
                f"sentences per fold  {shown}  ({time.perf_counter() - t:.0f} s)",
                flush=True,
            )
    if len({x for x, _ in points}) > 1:
        x = np.array([p for p, _ in points])
        slopes = "  ".join(
            f"{name} {np.polyfit(x, [f[k] for _, f in points], 1)[0]:+.4f}" for k, name in FIGURES
        )
        print(f"per doubling of the letters learnt from: {slopes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
