"""What a scraper run reports back: failures with their reasons, and the exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

EXIT_OK = 0
EXIT_FAILURES = 1  # the run finished, but some items failed (listed in the summary)
# argparse uses 2 for a bad command line
EXIT_ABORTED = 3  # the run stopped: robots.txt refused, the site's layout changed...


@dataclass(frozen=True)
class Failure:
    item: str  # what failed: a file, a URL, a provider page
    reason: str


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def failure_lines(failures: list[Failure]) -> list[str]:
    if not failures:
        return []
    return ["Failed:"] + [f"  - {f.item}: {f.reason}" for f in failures]
