"""The facts of a pre-inspection brief that are not simple queries: how much of a theme's known
inspections the corpus holds, and which sentences stand as examples of a recurring finding.
Pure functions; the page (app_pages/brief.py) reads the database and renders them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analysis import classify_rules as rules
from analysis.parse_theme import classify_theme

# The kinds of recurring finding the brief gives examples of (analysis.recurring.KINDS), and
# how many candidates the build keeps for each theme, kind and topic (analysis.store's
# example_candidates): the sentences the classifier is surest of, enough for examples() to
# skip repeats and same-letter ones.
EXAMPLE_KINDS = ("weakness", "strength")
EXAMPLE_CANDIDATES = 40


@dataclass(frozen=True)
class Coverage:
    theme: str
    known: int  # inspections on the theme in the published record
    held: int  # of those, letters in the corpus
    in_corpus: int  # the corpus's letters on the theme (some may be missing from the record)
    missing: tuple[str, ...]  # known ones not in the corpus: "Area (published or fieldwork)"


def coverage(known: list[dict[str, str]], letters: pd.DataFrame, theme: str) -> Coverage:
    """How many of the theme's known inspections the corpus holds. A known inspection with a
    letter in the corpus (same URN and publication date) takes that letter's theme, the
    parser's reading of the letter itself; one without takes its published theme's code."""
    by_key = {(r.urn, r.published): r.theme for r in letters.itertuples()}
    held = 0
    missing: list[str] = []
    total = 0
    for r in known:
        key = (r.get("urn", ""), r.get("published", ""))
        year = int(r["published"][:4]) if r.get("published") else None
        code = by_key.get(key) or classify_theme(r.get("theme", ""), year or _year(r))
        if code != theme:
            continue
        total += 1
        if key in by_key:
            held += 1
        else:
            when = r.get("published") or r.get("fieldwork") or "date not known"
            missing.append(f"{r.get('area', '')} ({when})")
    return Coverage(
        theme=theme,
        known=total,
        held=held,
        in_corpus=int((letters["theme"] == theme).sum()),
        missing=tuple(missing),
    )


def _year(r: dict[str, str]) -> int | None:
    """The year of a known inspection without a publication date, from its fieldwork."""
    digits = [w for w in r.get("fieldwork", "").replace("-", " ").split() if w.isdigit()]
    years = [int(w) for w in digits if len(w) == 4]
    return years[-1] if years else None


# A sentence that opens by leaning on the one before ('Consequently, ...', 'However, ...',
# 'Its ability ...') reads as half a thought when shown alone.
_CONNECTIVE = re.compile(
    "^("
    + "|".join(
        (*rules.CONNECTIVES, "therefore", "for instance", "in contrast", "similarly", "this means")
    )
    + r")\b",
    re.I,
)


def stands_alone(text: str) -> bool:
    """Whether a sentence can be read without the one before it."""
    return not (rules.refers_back(text) or _CONNECTIVE.match(text.strip()))


def examples(
    rows: pd.DataFrame, codes: Sequence[str], per_code: int = 2
) -> dict[str, pd.DataFrame]:
    """For each of ``codes`` in order: ``per_code`` example sentences from different letters,
    those that stand alone first (an example is read without its letter), then those the
    classifier is surest of (an example should be a clear case), then the most recently
    published (closest to the inspection ahead). A sentence already shown for an
    earlier code, or worded the same as one (a template line), is not shown again: a sentence
    tagged with five topics would otherwise stand for all five; nor is a line that only
    introduces a list. ``rows``: findings with a
    ``code`` column, one row per (finding, code)."""
    ordered = rows.assign(_leans=[not stands_alone(t) for t in rows["text"]]).sort_values(
        ["_leans", "label_confidence", "published", "letter_id", "position"],
        ascending=[True, False, False, True, True],
        kind="stable",
    )
    ordered = ordered.drop(columns="_leans")
    # One pass per code over plain values, not pandas filters per code: a tenth of a second
    # less on every view of the brief.
    codes_of, letters, texts = (ordered[c].tolist() for c in ("code", "letter_id", "text"))
    used: set[str] = set()
    out: dict[str, pd.DataFrame] = {}
    for code in codes:
        picked: list[int] = []
        seen: set[str] = set()
        shown: set[str] = set()
        for i, (c, letter, text) in enumerate(zip(codes_of, letters, texts, strict=True)):
            # A line that introduces a list ("Priority action should be taken in these
            # areas:") says nothing on its own.
            if c != code or text in used or text.rstrip().endswith(":") or letter in seen:
                continue
            seen.add(letter)  # the letter's surest sentence stands for it, shown or not
            if text not in shown:
                shown.add(text)
                picked.append(i)
                if len(picked) == per_code:
                    break
        used |= shown
        out[code] = ordered.iloc[picked]
    return out
