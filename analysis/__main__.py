"""Command line: python -m analysis build | export OUT_DIR | evaluate.

Exit codes: config.EXIT_* (README.md, "When things go wrong")."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import config
from analysis import build as build_mod
from analysis import export as export_mod
from analysis import store


def _error(message: object) -> None:
    print(f"error: {message}", file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    try:
        report = build_mod.build(retrain=args.retrain, wait=args.wait)
    except (store.BuildLocked, store.NotWritable) as exc:
        _error(exc)
        return config.EXIT_STOPPED
    except build_mod.NothingToBuild as exc:
        print(exc.report.summary())
        _error(exc)
        return config.EXIT_STOPPED
    except FileNotFoundError as exc:
        _error(exc)
        return config.EXIT_USAGE
    print(report.summary())
    print(f"database: {config.db_path()}")
    return config.EXIT_OK


def _export(args: argparse.Namespace) -> int:
    out_dir = Path(args.out_dir)
    problem = store.database_problem()
    if problem is not None:
        _error(
            f"the database at {config.db_path()} is damaged ({problem}): run "
            "`python -m analysis build`, which moves it aside and rebuilds the corpus from "
            "the raw store; nothing was exported"
        )
        return config.EXIT_STOPPED
    try:
        conn = store.connect_readonly()
    except FileNotFoundError:
        _error(f"no database at {config.db_path()}: run `python -m analysis build`")
        return config.EXIT_USAGE
    try:
        counts = export_mod.export(conn, out_dir, overwrite=args.force)
    except export_mod.WouldOverwrite as exc:
        _error(exc)
        return config.EXIT_USAGE
    except OSError as exc:
        _error(f"could not write the export to {out_dir}: {exc}; nothing was replaced")
        return config.EXIT_STOPPED
    finally:
        conn.close()
    print(f"wrote {counts['letters']} letters and {counts['findings']} findings to {out_dir}")
    return config.EXIT_OK


def _evaluate(args: argparse.Namespace) -> int:
    # scikit-learn and the embedding model load only when asked
    from analysis import embed_cache, gold
    from analysis import evaluate as evaluate_mod

    letters = store.read_letters()
    if not letters:
        _error(f"no letters in {config.db_path()}: run `python -m analysis build`")
        return config.EXIT_USAGE
    gold_dir = Path(args.gold_dir) if args.gold_dir else None
    rows = gold.read_gold(gold_dir)
    if not rows:
        _error("no gold rows (gold/labels_part*.csv)")
        return config.EXIT_USAGE
    split = gold.read_split(gold_dir)
    if "test" not in split.values():
        _error("no frozen test letters (gold/split.csv)")
        return config.EXIT_USAGE
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
    return config.EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Parse, classify, store and export JTAI letters. Reads and writes under "
        "JTAI_DATA_DIR (default data/).",
        epilog="Exit codes: 0 done; 2 bad command line or nothing to work on yet (no raw files, "
        "no database, export files already there without --force); 3 stopped, nothing changed "
        "(another build running, data folder not writable, no file gave a letter, damaged "
        "database for export). See README.md.",
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
    e.add_argument(
        "--force",
        action="store_true",
        help="replace letters.csv, findings.csv and datapackage.json already in OUT_DIR",
    )
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
