"""Command line: ``python -m scrapers fetch [options]`` and ``python -m scrapers ingest DIR``.

Exit codes: config.EXIT_* (README.md, "When things go wrong").
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import config
from analysis import coverage
from config import EXIT_STOPPED
from scrapers import fetch, ingest, rawstore


def _positive_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _int_at_least(minimum: int):
    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {text}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scrapers",
        description="Get Ofsted JTAI letters into the raw store "
        "($JTAI_DATA_DIR/raw, default data/raw).",
        epilog="Exit codes: 0 done; 1 some items failed (each named in the summary); "
        "2 bad command line; 3 stopped (robots.txt, site unreachable, layout changed, too few "
        "providers found; ingest: folder or manifest unusable). See README.md.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="log each HTTP request")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    f = commands.add_parser(
        "fetch",
        parents=[common],
        help="download new JTAI letters from the reports website",
        description="Page through the local authority children's services providers, read "
        "each provider page, and download every 'Joint area child protection inspection' "
        "letter not yet in the raw store. Incremental and resumable.",
    )
    f.add_argument(
        "--base-url",
        default=config.SITE_BASE_URL,
        help="the reports website (default %(default)s); file links are followed as given",
    )
    f.add_argument(
        "--delay",
        type=_positive_float,
        default=config.DEFAULT_DELAY_SECONDS,
        help="minimum seconds between requests (default %(default)s; robots.txt Crawl-delay "
        "wins when larger)",
    )
    f.add_argument(
        "--timeout",
        type=_positive_float,
        default=config.DEFAULT_TIMEOUT_SECONDS,
        help="seconds to wait for a connection or for data (default %(default)s)",
    )
    f.add_argument(
        "--deadline",
        type=_positive_float,
        default=config.DEFAULT_DOWNLOAD_DEADLINE_SECONDS,
        help="seconds one file may take to download in all, however steadily it comes "
        "(default %(default)s)",
    )
    f.add_argument(
        "--retries",
        type=_int_at_least(0),
        default=config.DEFAULT_RETRIES,
        help="retries on timeouts, connection errors, 429 and 5xx, with backoff and "
        "Retry-After (default %(default)s)",
    )
    f.add_argument(
        "--limit", type=_int_at_least(1), metavar="N", help="stop after N providers (for trials)"
    )
    f.add_argument(
        "--min-providers",
        type=_int_at_least(0),
        metavar="N",
        help="stop loudly (exit 3) if discovery finds fewer than N providers (default: "
        f"{config.MIN_PROVIDER_SHARE * 100:.0f}%% of the areas in la_lookup.csv on the live site, "
        "no check for another --base-url; 0: no check)",
    )
    f.add_argument(
        "--no-cache",
        action="store_true",
        help="bypass the HTTP cache ($JTAI_DATA_DIR/http_cache.sqlite): every page is fetched "
        "in full",
    )

    i = commands.add_parser(
        "ingest",
        parents=[common],
        help="copy every PDF of a folder into the raw store",
        description="Copy every PDF in DIR into the raw store, unedited. DIR/manifest.csv, when "
        "present (file,urn,provider,report_type,published,source_url,sha256,bytes), supplies "
        "URN, publication date, report type and source URL, and its checksums are verified.",
    )
    i.add_argument("dir", type=Path, metavar="DIR", help="folder of PDFs")
    return parser


def _print(lines: Sequence[str]) -> None:
    print("\n".join(lines), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.command == "fetch":
        report = fetch.run(
            fetch.FetchOptions(
                base_url=args.base_url,
                delay=args.delay,
                timeout=args.timeout,
                deadline=args.deadline,
                retries=args.retries,
                limit=args.limit,
                min_providers=(
                    args.min_providers
                    if args.min_providers is not None
                    else fetch.expected_providers()
                    if args.base_url.rstrip("/") == config.SITE_BASE_URL
                    else None
                ),
                use_cache=not args.no_cache,
            )
        )
        _print(report.lines())
        _print(coverage.report_lines(rawstore.read_manifest().values()))
        if report.aborted:
            print(f"error: {report.aborted}", file=sys.stderr)
        return report.exit_code
    try:
        report_in = ingest.run(args.dir)
    except ingest.IngestAborted as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_STOPPED
    _print(report_in.lines())
    _print(coverage.report_lines(rawstore.read_manifest().values()))
    return report_in.exit_code


if __name__ == "__main__":
    sys.exit(main())
