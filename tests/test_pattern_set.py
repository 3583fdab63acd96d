"""analysis.pattern_set: a PatternSet finds exactly what searching with each expression finds,
on expressions written for these tests with every construct the lexicons use and texts made
to hit and miss them (the lexicons themselves on the shared letters: test_classify)."""

from __future__ import annotations

import random
import re
from re import _parser

import pytest

from analysis.pattern_set import PatternSet, starts

# Each a construct a start could be misread through: look-behinds that veto, an optional
# first word, a class, bounded and unbounded repeats, ^, an expression not led by \b, case.
PATTERNS = {
    "behind": re.compile(r"\b(?:(?<!in )(?<!task )\bforce\b(?! of)|officers?\b)"),
    "optional_first": re.compile(r"\b(?:(sex |young )?offenders?(?! management)|gps?\b)"),
    "class_repeat": re.compile(r"\b(?:[a-c]{0,2}sc[bp]\b|partnership[’']s\b)"),
    "plus": re.compile(r"\b(?:ab+c|x(yz)*w)"),
    "caret": re.compile(r"\b(?:^the (?:rate|number)|^this\b|deep dive)"),
    "anywhere": re.compile(r"written statement|@ofsted\.gov|\bno priority"),
    "case": re.compile(r"\b(?:key (?:worker|stage)|skilled|is (?:not )?yet)\b", re.I),
    "case_anywhere": re.compile(r"^(?:the|this)\s+inspection|lines of enquiry", re.I),
    "unknown_start": re.compile(r"\b(?:.ox|\w+ing)"),
    "wide_start": re.compile(r"\b[a-z]{0,5}scb"),  # too many starts: shortened to one letter
    "inline_flag": re.compile(r"\b(?i:Kin)ship"),
}

FRAGMENTS = [
    "in ", "task ", "force", " of", "officer", "officers", "s", "sex ", "young ", "offender",
    " management", "gp", "gps", "lscb", "scp", "xsc", "bsc", "ab", "b", "partnership", "’s", "'s",
    "abbbc",
    "ac", "xyzyzw", "xw", "the ", "rate", "number", "this", "deep dive", "written statement",
    "@ofsted.gov", "no priority", "key worker", "KEY STAGE", "Skilled", "is not yet", "IS YET",
    "\u212aey worker", "\u017fkilled", "\u0130s yet", "ß", "the  inspection", "THIS\tinspection",
    "lines of enquiry", "LINES OF ENQUIRY", "fox", "box", "lscb", "working", "kinship", "KINSHIP",
    "Kinship", " ", " ", ", ", ". ", "-", "_", "x", "é", "’",
]  # fmt: skip


def _texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(FRAGMENTS, k=rng.randint(1, 9))) for _ in range(n)]


def _searched(patterns: dict[str, re.Pattern[str]], text: str) -> set[str]:
    return {name for name, p in patterns.items() if p.search(text)}


def test_finds_what_searching_each_expression_finds() -> None:
    ps = PatternSet(PATTERNS)
    texts = _texts(20000)
    for text in texts:
        assert ps.found(text) == _searched(PATTERNS, text), text
    # The texts hit and miss every expression, so the comparison can fail for each.
    for name in PATTERNS:
        hits = sum(name in _searched({name: PATTERNS[name]}, t) for t in texts)
        assert 0 < hits < len(texts), name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("the Kelvin sign \u212aey worker", "case"),  # re.IGNORECASE: the Kelvin sign is a k
        ("a \u017fkilled worker", "case"),  # and the long s an s
        ("\u0130S YET", "case"),  # and the dotted capital I an i
        ("ß then key stage", "case"),  # ß lower-cases to itself but upper-cases to SS
        ("The inspection", "case_anywhere"),
        ("in force", None),  # vetoed by the look-behind
        ("task force of", None),
        ("the force", "behind"),
        ("offender management", None),  # vetoed by the look-ahead
        ("offenders management", "optional_first"),
        ("xscb", None),
        ("abscb", "class_repeat"),
        ("a the rate", None),  # ^ holds at the text's start only
    ],
)
def test_edge_cases(text: str, name: str | None) -> None:
    assert PatternSet(PATTERNS).found(text) == _searched(PATTERNS, text)
    if name is not None:
        assert name in PatternSet(PATTERNS).found(text)


def test_expressions_that_could_start_anywhere_are_searched_as_they_are() -> None:
    assert PatternSet(PATTERNS).searched == ["unknown_start", "wide_start", "inline_flag"]


def _starts(pattern: str, flags: int = 0, width: int = 6) -> set[str]:
    return starts(list(_parser.parse(pattern, flags | re.UNICODE)), width, bool(flags))


def test_starts_of_an_expression() -> None:
    assert _starts(r"\b(?:perpetrators?|(sex )?offenders?)") == {"perpet", "sex of", "offend"}
    assert _starts(r"\bgps?\b") == {"gp", "gps"}  # a match may end after two characters
    assert _starts(r"(?<!in )\bforce\b") == {"force"}  # look-behinds read, they do not eat
    assert _starts(r"ab{2,}c", width=4) == {"abbc", "abbb"}
    assert _starts(r"[a-b]x", width=3) == {"ax", "bx"}
    assert _starts(r"Key|SKILL", re.I) == {"key", "skill"}
    assert _starts(r"\w+ing") == {""}  # nothing known
    assert _starts(r"\u212aey", re.I) == {""}  # a cased character outside ASCII
