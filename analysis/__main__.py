"""Command line: python -m analysis build | export OUT_DIR | evaluate."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import config
from analysis import build as build_mod
from analysis import export as export_mod
from analysis import store


def _build(args: argparse.Namespace) -> int:
    try:
        report = build_mod.build(retrain=args.retrain, wait=args.wait)
    except store.BuildLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    print(f"database: {config.db_path()}")
    return 0


def _export(args: argparse.Namespace) -> int:
    try:
        conn = store.connect_readonly()
    except FileNotFoundError:
        print(
            f"error: no database at {config.db_path()}: run `python -m analysis build`",
            file=sys.stderr,
        )
        return 2
    try:
        counts = export_mod.export(conn, Path(args.out_dir))
    finally:
        conn.close()
    print(f"wrote {counts['letters']} letters and {counts['findings']} findings to {args.out_dir}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    # scikit-learn and the embedding model load only when asked
    from analysis import embed_cache, gold
    from analysis import evaluate as evaluate_mod

    letters = store.read_letters()
    if not letters:
        print(
            f"error: no letters in {config.db_path()}: run `python -m analysis build`",
            file=sys.stderr,
        )
        return 2
    gold_dir = Path(args.gold_dir) if args.gold_dir else None
    rows = gold.read_gold(gold_dir)
    if not rows:
        print("error: no gold rows (gold/labels_part*.csv)", file=sys.stderr)
        return 2
    split = gold.read_split(gold_dir)
    if "test" not in split.values():
        print("error: no frozen test letters (gold/split.csv)", file=sys.stderr)
        return 2
    vectors, _ = embed_cache.vectors([f.text for lt in letters for f in lt.findings])
    figures = evaluate_mod.run(letters, vectors, rows, split, lolo=not args.no_lolo)
    figures["agreement"] = gold.agreement(rows, gold.read_second_reader(gold_dir))
    out = evaluate_mod.write(figures, Path(args.out_dir) if args.out_dir else None)
    print(evaluate_mod.summary(figures))
    # Findings like this (issue 13): its own key and card section, added to what was just written.
    from analysis import evaluate_similar

    if evaluate_similar.ready(config.db_path()):
        similar = evaluate_similar.run(config.db_path(), gold_dir)
        evaluate_similar.write(similar, out.parent)
        print(evaluate_similar.card_section(similar))
    print(f"wrote {out} and {out.with_name('model-card.md')}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Parse, classify, store and export JTAI letters. Reads and writes under "
        "JTAI_DATA_DIR (default data/).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="parse every fetched/ingested PDF not yet parsed, then store")
    b.add_argument(
        "--retrain",
        action="store_true",
        help="retrain the classifier even if a model for these letters exists",
    )
    b.add_argument(
        "--wait", action="store_true", help="wait for a running build to finish instead of refusing"
    )
    b.set_defaults(func=_build)
    e = sub.add_parser("export", help="write letters.csv, findings.csv and datapackage.json")
    e.add_argument("out_dir", metavar="OUT_DIR")
    e.set_defaults(func=_export)
    v = sub.add_parser(
        "evaluate",
        help="train on the development letters of the gold set, tag its frozen test letters "
        "and score them (95%% intervals over letters, per format), then leave-one-letter-out "
        "on the development letters; writes evaluation.json and model-card.md",
    )
    v.add_argument(
        "--no-lolo",
        action="store_true",
        help="skip leave-one-letter-out on the development letters (minutes); the frozen test "
        "figures are the same",
    )
    v.add_argument("--gold-dir", help="folder of labels*.csv (default gold/)")
    v.add_argument("--out-dir", help="where to write (default JTAI_DATA_DIR/evaluation)")
    v.set_defaults(func=_evaluate)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
