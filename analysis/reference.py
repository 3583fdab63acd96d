"""The local-authority lookup (../shared/reference/la_lookup.csv): codes, regions, neighbours.

Used to give each letter its DfE and ONS codes and region from its URN, and to find the URN of
a letter that came without one (a folder with no manifest) from the area its title names.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import config


@dataclass(frozen=True)
class LocalAuthority:
    urn: str
    name: str  # ONS name, e.g. "Liverpool"
    la_code: str  # DfE LA code, e.g. "341"
    ons_code: str  # e.g. "E08000012"
    region: str  # region name, e.g. "North West"
    stat_neighbours: tuple[str, ...]  # DfE LA codes of its statistical neighbours


def _normal_name(name: str) -> str:
    n = name.lower().replace("&", "and")
    n = re.sub(
        r"\b(the|london borough of|royal borough of|city of|county council|city council|"
        r"metropolitan borough council|metropolitan district council|borough council|"
        r"council|metropolitan|borough|district|city|county)\b",
        " ",
        n,
    )
    return re.sub(r"[^a-z]", "", n)


@lru_cache(maxsize=4)
def load(path: Path | None = None) -> tuple[LocalAuthority, ...]:
    path = path or config.LA_LOOKUP_CSV
    if not path.exists():
        return ()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        LocalAuthority(
            urn=r["urn"].strip(),
            name=r["local_authority_ons_name"].strip(),
            la_code=r["la_code"].strip(),
            ons_code=r["la_code_new"].strip(),
            region=r["region_name"].strip(),
            stat_neighbours=tuple(c.strip() for c in r["stat_neighbours"].split(",") if c),
        )
        for r in rows
    )


def by_urn(urn: str) -> LocalAuthority | None:
    return next((la for la in load() if la.urn == urn), None)


def by_name(name: str) -> LocalAuthority | None:
    """The authority a letter's area name means ("London Borough of Lewisham" -> Lewisham)."""
    key = _normal_name(name)
    if not key:
        return None
    for la in load():
        if _normal_name(la.name) == key:
            return la
    return None


def by_ons_code(code: str) -> LocalAuthority | None:
    return next((la for la in load() if la.ons_code == code), None)
