"""Coverage: which of the JTAIs known to have taken place (``known_jtai_letters.csv`` in the
shared reference folder) the corpus holds, so a reader knows what the figures cover.

Pure functions over the known list and the (URN, publication date) pairs held: the raw
manifest after a fetch or ingest, the stored letters in the build. Only known letters with a
publication date are counted (a JTAI announced but not yet published has no letter to hold).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import config


class NoReference(FileNotFoundError):
    """The list of known JTAI letters is missing or unreadable."""


@dataclass(frozen=True)
class KnownLetter:
    area: str  # the area's name, as a reader knows it
    urn: str
    published: str  # ISO date
    letter_id: str = ""  # the corpus's letter for it; "" when the corpus lacks it


@dataclass(frozen=True)
class Coverage:
    letters: tuple[KnownLetter, ...]  # every dated known letter, in publication order

    @property
    def held(self) -> tuple[KnownLetter, ...]:
        return tuple(k for k in self.letters if k.letter_id)

    @property
    def missing(self) -> tuple[KnownLetter, ...]:
        return tuple(k for k in self.letters if not k.letter_id)

    def headline(self) -> str:
        return f"{len(self.held)} of {len(self.letters)} known JTAI letters"

    def lines(self) -> list[str]:
        out = [f"Coverage: {self.headline()} (dated, in {config.KNOWN_JTAI_LETTERS_CSV.name})"]
        out += [
            f"  not held: {k.area} (URN {k.urn}), published {k.published}" for k in self.missing
        ]
        return out


def read_rows(path: Path | None = None) -> list[dict[str, str]]:
    """Every row of the known list as written (area, urn, theme, fieldwork, published, ...),
    undated ones too. Raises NoReference saying where it was looked for."""
    path = path or config.KNOWN_JTAI_LETTERS_CSV
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise NoReference(
            f"the list of known JTAI letters cannot be read at {path} ({exc}): coverage is not "
            "measured (set JTAI_SHARED_DIR to the shared folder that holds reference/)"
        ) from exc


def read_known(path: Path | None = None) -> list[KnownLetter]:
    """The dated rows of the known list. Raises NoReference saying where it was looked for."""
    rows = read_rows(path)
    known = [
        KnownLetter(area=r.get("area", "").strip(), urn=r.get("urn", "").strip(), published=p)
        for r in rows
        if (p := (r.get("published") or "").strip())
    ]
    return sorted(known, key=lambda k: (k.published, k.area))


def coverage(known: Iterable[KnownLetter], held: dict[tuple[str, str], str]) -> Coverage:
    """``held``: (URN, publication date) -> letter id of what the corpus holds."""
    return Coverage(
        tuple(
            KnownLetter(k.area, k.urn, k.published, held.get((k.urn, k.published), ""))
            for k in known
        )
    )


def held_in_raw(records: Iterable) -> dict[tuple[str, str], str]:
    """The raw manifest's (URN, publication date) pairs (its rows' file ids as the ids)."""
    return {(r.urn, r.published): r.file_id for r in records if r.urn and r.published}


def report_lines(records: Iterable) -> list[str]:
    """What a fetch or an ingest prints: the coverage of the raw store, or why it is not
    measured."""
    try:
        known = read_known()
    except NoReference as exc:
        return [f"Coverage: not measured: {exc}"]
    return coverage(known, held_in_raw(records)).lines()
