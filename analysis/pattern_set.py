"""Which of several regular expressions a text contains, for about the price of one search.

Searching each sentence once per lexicon (classify_rules: 25 expressions of dozens of
alternatives each, and the guide's cues, over ~10k sentences in a build) tried every
alternative at every word boundary: most of a first build's feature time. A PatternSet reads
from each expression the literal strings its matches must start with ('perpet', 'sex of',
'offend' for r'\\b(?:perpetrators?|(sex )?offenders?)'), finds where any of them occurs in a
text with one scan, and tries the expression there only, with ``Pattern.match`` at that
position (which sees the whole text, so look-behinds, ^ and \\b read what precedes it). The
answer is by construction the one searching with each expression gives; an expression whose
matches could start almost anywhere is searched as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from re import _constants as sre  # the stdlib's own parse of an expression (no public API)
from re import _parser

# How many leading characters of a match are read: longer strings are rarer in a text, so an
# expression is tried at fewer places; past a few characters it stops mattering.
WIDTH = 6
# An expression whose matches could start with a string shorter than this would be tried
# nearly everywhere: it is searched as it is instead.
MIN_PREFIX = 2
# Most strings kept per expression; more are shortened (a prefix of a necessary start is one).
_MOST = 512

_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)  # \b, ^, look-arounds: they read, never eat

Named = tuple[str, re.Pattern[str]]


def _fold(c: str) -> str | None:
    """What a character of a case-insensitive expression is looked up as (in lower-cased
    text): ASCII lower-cased, a caseless character itself; None for other cased characters,
    which re.IGNORECASE may match in ways lower-casing does not (the Kelvin sign is a k)."""
    if c.isascii():
        return c.lower()
    return c if c.lower() == c == c.upper() else None


def _folded(text: str) -> str | None:
    """The text lower-cased character for character, or None where that could differ from
    what re.IGNORECASE compares (a cased character outside ASCII)."""
    if text.isascii() or all(_fold(c) == c for c in set(text) if not c.isascii()):
        return text.lower()
    return None


def _shorten(found: set[str]) -> set[str]:
    while len(found) > _MOST:
        n = max(map(len, found)) - 1
        found = {s[:n] for s in found}
    return found


def _chars(members: list) -> set[str] | None:
    """The characters of a class ([abc], [a-z]); None for negated, \\w-like or wide ones."""
    out: set[str] = set()
    for op, av in members:
        if op is sre.LITERAL:
            out.add(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < 64:
            out.update(map(chr, range(av[0], av[1] + 1)))
        else:
            return None
    return out


def _fold_all(chars: set[str]) -> set[str] | None:
    out = set()
    for c in chars:
        folded = _fold(c)
        if folded is None:
            return None
        out.add(folded)
    return out


def starts(items: list, width: int = WIDTH, fold: bool = False) -> set[str]:
    """Strings of at most ``width`` characters one of which begins every match of the parsed
    expression ``items`` (re._parser's list of (opcode, argument)); ``fold``: the expression
    ignores case and the strings are for lower-cased text. A string shorter than ``width`` is
    all that is known there; {''}: nothing is known.
    """
    if width == 0 or not items:
        return {""}
    op, av = items[0]
    rest = items[1:]
    if op in _ZERO_WIDTH:
        return starts(rest, width, fold)
    if op is sre.LITERAL or op is sre.IN:
        chars = {chr(av)} if op is sre.LITERAL else _chars(av)
        if chars is not None and fold:
            chars = _fold_all(chars)
        if chars is None:
            return {""}
        tails = starts(rest, width - 1, fold)
        return _shorten({c + s for c in chars for s in tails})
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            return {""}
        return starts([*sub, *rest], width, fold)
    if op is sre.BRANCH:
        out: set[str] = set()
        for alternative in av[1]:
            out |= starts([*alternative, *rest], width, fold)
        return _shorten(out)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        lo, hi, sub = av
        if sub.getwidth()[0] == 0:
            return {""}
        # sub{lo,hi} is sub once then sub{lo-1,hi-1}, or (when lo is 0) nothing at all.
        if hi == 0:
            return starts(rest, width, fold)
        fewer = (op, (max(lo - 1, 0), hi if hi == sre.MAXREPEAT else hi - 1, sub))
        once = starts([*sub, fewer, *rest], width, fold)
        return _shorten(once if lo else once | starts(rest, width, fold))
    return {""}  # any character, a back-reference, an atomic group ...: nothing known


def _alternation(strings: set[str]) -> str:
    """A regular expression matching the longest of ``strings`` (none empty) that begins at a
    position, written as a tree so that each character is compared once."""
    by_first: dict[str, set[str]] = {}
    for s in sorted(strings):
        by_first.setdefault(s[0], set()).add(s[1:])
    parts = []
    for first, tails in by_first.items():
        longer = tails - {""}
        part = re.escape(first)
        if longer:
            part += f"(?:{_alternation(longer)})" + ("?" if "" in tails else "")
        parts.append(part)
    return "|".join(parts)


@dataclass(frozen=True)
class _Scan:
    """Expressions found through one scan: of the text, or of it lower-cased (``fold``), at
    word boundaries only (expressions that begin with \\b) or at every position."""

    finder: re.Pattern[str]  # the longest known start at each position, as group 1
    at: dict[str, tuple[Named, ...]]  # a start -> the expressions to try where it begins
    fold: bool
    named: tuple[Named, ...]  # all of them, searched as they are when the text cannot fold

    @classmethod
    def of(cls, by_start: dict[str, list[Named]], boundary: bool, fold: bool) -> _Scan:
        # Where a start begins, so does each of its prefixes: a start carries their expressions.
        at = {
            s: tuple(dict.fromkeys(x for p, xs in by_start.items() if s.startswith(p) for x in xs))
            for s in by_start
        }
        lead = r"\b" if boundary else ""
        finder = re.compile(rf"{lead}(?=({_alternation(set(by_start))}))")
        named = tuple(dict.fromkeys(x for xs in by_start.values() for x in xs))
        return cls(finder, at, fold, named)


class PatternSet:
    """Named expressions, asked together which of them a text contains."""

    def __init__(self, patterns: Mapping[str, re.Pattern[str]], width: int = WIDTH) -> None:
        self.searched: list[str] = []  # the names searched as they are
        self._whole: list[Named] = []
        groups: dict[tuple[bool, bool], dict[str, list[Named]]] = {}
        for name, pattern in patterns.items():
            read = self._starts(pattern, width)
            if read is None:
                self.searched.append(name)
                self._whole.append((name, pattern))
                continue
            found, boundary, fold = read
            for s in found:
                groups.setdefault((boundary, fold), {}).setdefault(s, []).append((name, pattern))
        self._scans = [_Scan.of(by_start, *key) for key, by_start in sorted(groups.items())]

    @staticmethod
    def _starts(pattern: re.Pattern[str], width: int) -> tuple[set[str], bool, bool] | None:
        """The strings its matches start with, whether it begins with \\b and whether it
        ignores case; None where it is to be searched as it is: flags other than
        re.IGNORECASE, or starts too short to narrow anything."""
        fold = bool(pattern.flags & re.IGNORECASE)
        if pattern.flags & ~re.IGNORECASE != re.UNICODE:
            return None
        items = list(_parser.parse(pattern.pattern, pattern.flags))
        found = starts(items, width, fold)
        if min(map(len, found)) < MIN_PREFIX:
            return None
        return found, bool(items) and items[0] == (sre.AT, sre.AT_BOUNDARY), fold

    def found(self, text: str) -> set[str]:
        """The names whose expression ``search`` finds in the text."""
        out = {name for name, pattern in self._whole if pattern.search(text)}
        lower: str | None = None  # for the expressions that ignore case
        for scan in self._scans:
            if scan.fold:
                lower = _folded(text) if lower is None else lower
                if lower is None:
                    out |= {name for name, pattern in scan.named if pattern.search(text)}
                    continue
            view = lower if scan.fold else text
            at = scan.at
            for m in scan.finder.finditer(view):
                i = m.start()
                for name, pattern in at[m.group(1)]:
                    if name not in out and pattern.match(text, i):
                        out.add(name)
        return out
