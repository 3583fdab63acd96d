"""What a scraper run reports back: failures with their reasons (exit codes: config.EXIT_*)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


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
