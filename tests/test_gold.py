"""The gold set: matching rows to findings (by key, then by page and first words), its frozen
split, the agreement of two readers, and the facts the labelling issue fixed about its size."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from test_classify_support import finding

from analysis import gold
from analysis.letter import Letter
from analysis.sentences import first_words
from analysis.taxonomy import AGENCIES, TOPICS


def _gold(letter_file: str, key: str, words: str, page: int = 1) -> gold.GoldRow:
    return gold.GoldRow(letter_file, page, key, words, "main_findings", "strength", "", "")


def _letter(findings) -> Letter:
    return Letter(
        "1-2020-01-01",
        "1",
        "",
        "",
        "",
        "2020-01-01",
        "",
        "",
        "",
        "neglect",
        "",
        "B",
        "",
        "",
        0,
        0,
        0,
        "",
        "x" * 64,
        3,
        findings=findings,
    )


def test_match_by_key_then_by_first_words() -> None:
    a = finding("Most children get the right help at the right time.", position=1)
    b = finding("Strategy discussions are timely.", position=2, page=2)
    letters = {"1-area-2020-01-01": _letter([a, b])}
    rows = [
        _gold("1-area-2020-01-01", a.key, first_words(a.text)),
        # the labeller glued a heading onto the sentence: a different key, same start
        _gold("1-area-2020-01-01", "000000000000", "Headline findings Strategy discussions", 2),
        _gold("1-area-2020-01-01", "111111111111", "Case study highly effective", 2),
    ]
    matched = gold.match_gold(rows, letters)
    assert [(f.finding_id if f else None, how) for _, f, how in matched] == [
        (a.finding_id, "key"),
        (b.finding_id, "first_words"),
        (None, "none"),
    ]


def test_urn_and_date_from_the_stem() -> None:
    assert gold.urn_and_date("80508-lewisham-2023-01-31") == ("80508", "2023-01-31")
    with pytest.raises(ValueError):
        gold.urn_and_date("lewisham")


def _row(lf: str, key: str, label: str, agencies: str = "", topics: str = "") -> gold.GoldRow:
    return gold.GoldRow(lf, 1, key, "", "main_findings", label, agencies, topics)


def test_agreement_per_field() -> None:
    first = [
        _row("a", "1", "strength", "police", "perpetrator_focus"),
        _row("a", "2", "improvement", "health", ""),
        _row("b", "3", "context", "", "timeliness"),
        _row("b", "9", "strength", "", ""),  # only one reader: not in the overlap
    ]
    second = [
        _row("a", "1", "strength", "police", "perpetrator_focus"),
        _row("a", "2", "context", "health;police", ""),
        _row("b", "3", "context", "", "timeliness;workforce"),
    ]
    a = gold.agreement(first, second)
    assert a["rows"] == 3 and a["letters"] == 2
    assert a["label_agreement"] == round(2 / 3, 4)
    assert a["label_pairs"] == {"improvement/context": 1}
    assert a["agencies_f1"] == 0.8  # 2 shared of 2 and 3
    assert a["topics_f1"] == 0.8
    assert a["perpetrator_focus_f1"] == 1.0
    assert gold.agreement(first, []) == {"rows": 0}


# --- the gold set in the repo ---------------------------------------------------------------

LABELS = {"strength", "improvement", "priority_action", "mixed", "context"}


def test_gold_set_follows_the_taxonomy_and_carries_no_letter_text() -> None:
    rows = gold.read_gold() + gold.read_second_reader()
    assert rows
    for r in rows:
        assert r.label in LABELS, r
        for value, codes in ((r.agencies, AGENCIES), (r.topics, TOPICS)):
            tags = [t for t in value.split(";") if t]
            assert set(tags) <= set(codes), r
            assert tags == [c for c in codes if c in tags], f"not in the taxonomy's order: {r}"
        assert len(r.first_words.split()) <= 4, "gold files keep four words of a sentence"


def test_gold_set_is_as_large_as_the_issue_asks() -> None:
    rows = gold.read_gold()
    labels = Counter(r.label for r in rows)
    perpetrator = sum("perpetrator_focus" in r.topics.split(";") for r in rows)
    assert len(rows) >= 2000
    assert len({r.letter_file for r in rows}) >= 40
    assert labels["context"] >= 250
    assert perpetrator >= 150
    assert len(gold.read_second_reader()) >= 150


def test_frozen_split_is_by_letter() -> None:
    split = gold.read_split()
    rows = gold.read_gold()
    assert set(split.values()) == {"dev", "test"}
    test = {lf for lf, part in split.items() if part == "test"}
    assert len(test) >= 12
    assert {r.letter_file for r in rows} <= set(split), "every gold letter is in the split"
    # Both letter formats are in the frozen test part.
    formats = _formats()
    assert {formats[lf] for lf in test if lf in formats} == {"A", "B"}


def _formats() -> dict[str, str]:
    """Each shared letter's format, from the facts the tests keep (tests/facts/letters.csv)."""
    with (Path(__file__).parent / "facts" / "letters.csv").open(encoding="utf-8") as fh:
        return {r["file"].removesuffix(".pdf"): r["format"] for r in csv.DictReader(fh)}
