"""The hand-labelled gold set: its rows, its frozen split by letter, and matching rows to findings.

Rows live in gold/labels_part*.csv (keys, first words and labels; never the letters' text), by
the labelling guide (../shared/labelling-guide.md, version 2). gold/split.csv puts every letter in
`dev` (rules, features and thresholds may be tuned on its errors; the classifier trains on it)
or `test` (frozen before any tuning: its figures are reported, its errors never read).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import config
from analysis.letter import Finding, Letter
from analysis.sentences import normalise_for_key


@dataclass(frozen=True)
class GoldRow:
    letter_file: str
    page: int
    key: str
    first_words: str
    section: str
    label: str
    agencies: str
    topics: str


def read_gold(gold_dir: Path | None = None, pattern: str = "labels_part*.csv") -> list[GoldRow]:
    """gold/labels.csv when present, else every gold/labels_part*.csv (one of the two, so a
    merged file never doubles the rows)."""
    gold_dir = gold_dir or config.GOLD_DIR
    merged = gold_dir / "labels.csv"
    paths = [merged] if merged.exists() else sorted(gold_dir.glob(pattern))
    rows: list[GoldRow] = []
    for path in paths:
        with path.open(newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                rows.append(
                    GoldRow(
                        letter_file=r["letter_file"],
                        page=int(r["page"] or 0),
                        key=r["key"],
                        first_words=r["first_words"],
                        section=r["section"],
                        label=r["label"],
                        agencies=r["agencies"],
                        topics=r["topics"],
                    )
                )
    return rows


def urn_and_date(letter_file: str) -> tuple[str, str]:
    """'80508-lewisham-2023-01-31' -> ('80508', '2023-01-31')."""
    m = re.fullmatch(r"(\d+)-.*?(\d{4}-\d{2}-\d{2})", letter_file)
    if not m:
        raise ValueError(f"gold letter_file not of the form <urn>-<name>-<date>: {letter_file}")
    return m.group(1), m.group(2)


def gold_letters(rows: Iterable[GoldRow], letters: Iterable[Letter]) -> dict[str, Letter]:
    """letter_file -> the parsed letter (by URN and publication date)."""
    by_urn_date = {(lt.urn, lt.published): lt for lt in letters}
    out: dict[str, Letter] = {}
    for r in rows:
        lt = by_urn_date.get(urn_and_date(r.letter_file))
        if lt is not None:
            out[r.letter_file] = lt
    return out


def _words(text: str) -> list[str]:
    return [normalise_for_key(w) for w in text.split() if normalise_for_key(w)]


def _fallback_overlap(gold_first: list[str], text: str) -> int:
    """How many of the sentence's first words end the gold first_words (>= 2 to count): the
    labellers' splitter sometimes glued a heading ('Headline findings') onto the sentence."""
    parsed = _words(text)[: len(gold_first)]
    for j in range(min(len(parsed), len(gold_first)), 1, -1):
        if gold_first[-j:] == parsed[:j]:
            return j
    return 0


def match_gold(
    rows: Sequence[GoldRow], letters: dict[str, Letter]
) -> list[tuple[GoldRow, Finding | None, str]]:
    """Each gold row with its finding and how it matched ('key', 'first_words' or 'none')."""
    out: list[tuple[GoldRow, Finding | None, str]] = []
    used: set[str] = set()
    by_key = {(lf, f.key): f for lf, lt in letters.items() for f in lt.findings}
    for r in rows:
        f = by_key.get((r.letter_file, r.key))
        if f is not None:
            used.add(f.finding_id)
            out.append((r, f, "key"))
            continue
        out.append((r, None, "none"))
    for i, (r, _found, how) in enumerate(out):
        if how != "none" or r.letter_file not in letters:
            continue
        gold_first = _words(r.first_words)
        best: tuple[int, int, Finding] | None = None
        for cand in letters[r.letter_file].findings:
            if cand.page != r.page or cand.finding_id in used:
                continue
            overlap = _fallback_overlap(gold_first, cand.text)
            if overlap < 2:
                continue
            score = (overlap, int(cand.section == r.section))
            if best is None or score > best[:2]:
                best = (*score, cand)
        if best is not None:
            used.add(best[2].finding_id)
            out[i] = (r, best[2], "first_words")
    return out


def read_split(gold_dir: Path | None = None) -> dict[str, str]:
    """letter_file -> 'dev' | 'test' (letters not listed are neither)."""
    path = (gold_dir or config.GOLD_DIR) / "split.csv"
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        return {r["letter_file"]: r["part"] for r in csv.DictReader(fh)}


def read_second_reader(gold_dir: Path | None = None) -> list[GoldRow]:
    """The second reader's labels of an overlap of the gold set (gold/overlap/*.csv)."""
    return read_gold((gold_dir or config.GOLD_DIR) / "overlap", pattern="*.csv")


def _tagset(value: str) -> set[str]:
    return {t for t in value.split(";") if t}


def _f1(pairs: Sequence[tuple[set[str], set[str]]], only: str | None = None) -> float | None:
    tp = fp = fn = 0
    for a, b in pairs:
        if only is not None:
            a, b = a & {only}, b & {only}
        tp, fp, fn = tp + len(a & b), fp + len(b - a), fn + len(a - b)
    return round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else None


def agreement(first: Sequence[GoldRow], second: Sequence[GoldRow]) -> dict:
    """How far two readers agree on the rows both labelled, per field: the label (share
    equal and Cohen's kappa), agencies and topics (micro-F1 of one reader against the other,
    which is symmetric), perpetrator focus alone, and the share of rows whose tags are equal."""
    mine = {(r.letter_file, r.key): r for r in first}
    both = [(mine[(r.letter_file, r.key)], r) for r in second if (r.letter_file, r.key) in mine]
    if not both:
        return {"rows": 0}
    labels = [(a.label, b.label) for a, b in both]
    n = len(labels)
    p_o = sum(x == y for x, y in labels) / n
    cats = {x for pair in labels for x in pair}
    p_e = sum(
        (sum(x == c for x, _ in labels) / n) * (sum(y == c for _, y in labels) / n) for c in cats
    )
    ag = [(_tagset(a.agencies), _tagset(b.agencies)) for a, b in both]
    tp = [(_tagset(a.topics), _tagset(b.topics)) for a, b in both]
    return {
        "rows": n,
        "letters": len({a.letter_file for a, _ in both}),
        "label_agreement": round(p_o, 4),
        "label_kappa": round((p_o - p_e) / (1 - p_e), 4) if p_e < 1 else None,
        "label_pairs": dict(
            sorted(Counter(f"{x}/{y}" for x, y in labels if x != y).items(), key=lambda kv: -kv[1])
        ),
        "agencies_f1": _f1(ag),
        "agencies_equal": round(sum(a == b for a, b in ag) / n, 4),
        "topics_f1": _f1(tp),
        "topics_equal": round(sum(a == b for a, b in tp) / n, 4),
        "perpetrator_focus_f1": _f1(tp, "perpetrator_focus"),
        "per_topic_f1": {t: _f1(tp, t) for t in sorted({x for a, b in tp for x in a | b})},
        "per_agency_f1": {t: _f1(ag, t) for t in sorted({x for a, b in ag for x in a | b})},
    }
