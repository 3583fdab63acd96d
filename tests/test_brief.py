"""The brief's facts (analysis/brief.py): coverage against the published record and the choice
of example sentences."""

from __future__ import annotations

import pandas as pd

from analysis import brief


def letters(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["urn", "published", "theme"])


def test_coverage_takes_a_held_letters_own_theme() -> None:
    known = [
        # Held: the letter's own theme wins over the record's wording.
        {"area": "G", "urn": "1", "theme": "child exploitation", "published": "2018-05-09"},
        {"area": "H", "urn": "2", "theme": "child exploitation", "published": "2019-08-23"},
        {
            "area": "D",
            "urn": "",
            "theme": "child exploitation",
            "published": "",
            "fieldwork": "May 2018",
        },
        {"area": "N", "urn": "3", "theme": "neglect", "published": "2017-07-14"},
    ]
    corpus = letters(
        ("1", "2018-05-09", "cse_gangs_missing"), ("2", "2019-08-23", "child_exploitation")
    )
    c = brief.coverage(known, corpus, "child_exploitation")
    assert (c.known, c.held, c.in_corpus) == (2, 1, 1)
    assert c.missing == ("D (May 2018)",)
    g = brief.coverage(known, corpus, "cse_gangs_missing")
    assert (g.known, g.held, g.missing) == (1, 1, ())
    assert brief.coverage(known, corpus, "neglect").missing == ("N (2017-07-14)",)


def test_second_round_themes_follow_the_year() -> None:
    known = [
        {"area": "A", "urn": "9", "theme": "domestic abuse", "published": "2016-10-28"},
        {
            "area": "B",
            "urn": "8",
            "theme": "children who are victims of domestic abuse (aged 0 to 7)",
            "published": "",
            "fieldwork": "Oct 2024-Jun 2025 window",
        },
    ]
    corpus = letters(("7", "2024-12-12", "domestic_abuse_victims"))
    assert brief.coverage(known, corpus, "domestic_abuse").known == 1
    c = brief.coverage(known, corpus, "domestic_abuse_victims")
    assert (c.known, c.held, c.in_corpus) == (1, 0, 1)


def test_examples_are_sure_recent_and_never_repeated() -> None:
    rows = pd.DataFrame(
        [
            # finding, letter, published, position, confidence, code, text
            ("f1", "L1", "2020-01-01", 1, 0.9, "a", "shared sentence"),
            ("f1", "L1", "2020-01-01", 1, 0.9, "b", "shared sentence"),
            ("f2", "L1", "2020-01-01", 2, 0.95, "a", "surest of L1"),
            ("f3", "L2", "2024-01-01", 1, 0.9, "a", "recent"),
            ("f4", "L3", "2024-01-01", 1, 0.9, "b", "surest of L1"),  # a template line
            ("f5", "L4", "2019-01-01", 1, 0.5, "b", "unsure"),
            ("f6", "L5", "2025-01-01", 1, 0.99, "b", "Action is needed in these areas:"),
        ],
        columns=[
            "finding_id",
            "letter_id",
            "published",
            "position",
            "label_confidence",
            "code",
            "text",
        ],
    )
    out = brief.examples(rows, ["a", "b"])
    assert list(out["a"]["finding_id"]) == ["f2", "f3"]  # surest, then most recent; 2 letters
    # b: f1 is free (a used f2, f3); f4's wording was shown for a; f5 is left.
    assert list(out["b"]["finding_id"]) == ["f1", "f5"]
    assert brief.examples(rows, ["zzz"])["zzz"].empty


def test_examples_stand_alone_before_they_are_sure() -> None:
    rows = pd.DataFrame(
        [
            ("f1", "L1", "2020-01-01", 1, 0.99, "a", "Consequently, plans drift."),
            ("f2", "L2", "2020-01-01", 1, 0.98, "a", "Its oversight is weak."),
            ("f3", "L3", "2020-01-01", 1, 0.6, "a", "Plans for children drift."),
        ],
        columns=["finding_id", "letter_id", "published", "position", "label_confidence",
                 "code", "text"],
    )  # fmt: skip
    # The one that reads alone first, though less sure; then the surest of the others.
    assert list(brief.examples(rows, ["a"])["a"]["finding_id"]) == ["f3", "f1"]
    assert brief.stands_alone("Plans for children drift.")
    for leans in ("Consequently, plans drift.", "However, plans drift.", "This means delay."):
        assert not brief.stands_alone(leans)
