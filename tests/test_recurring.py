"""Counting letters, not sentences (analysis/recurring.py), and the priority actions per theme
against the published record of every shared letter."""

from __future__ import annotations

import contextlib
import csv
from collections import Counter

import pandas as pd
import pytest

import config
from analysis import recurring
from analysis.build import parse_file
from analysis.letter import IncompleteLetter, NotAJtaiLetter
from scrapers.rawstore import record_from_folder_manifest

KNOWN = config.SHARED_DIR / "reference" / "known_jtai_letters.csv"
LETTERS = config.SHARED_DIR / "jtai-letters"


def tags(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["letter_id", "label", "code"])


def test_one_wordy_letter_counts_once() -> None:
    # Letter A says it ten times, B and C once each: three letters, not twelve sentences.
    t = tags(
        *[("A", "improvement", "workforce")] * 10,
        ("B", "improvement", "workforce"),
        ("C", "priority_action", "workforce"),
        ("A", "strength", "early_help"),
        ("B", "strength", "early_help"),
    )
    out = recurring.letter_counts(t, ["A", "B", "C", "D"])
    wf = out.set_index("code").loc["workforce"]
    assert (wf.weakness_letters, wf.strength_letters, wf.priority_action_letters) == (3, 0, 1)
    assert wf.letters == 4
    assert list(out["code"]) == ["workforce", "early_help"]  # most weaknesses first


def test_letters_outside_the_selection_do_not_count() -> None:
    t = tags(("A", "improvement", "x"), ("Z", "improvement", "x"), ("Z", "strength", "y"))
    out = recurring.letter_counts(t, ["A"])
    assert out.to_dict("records") == [
        {
            "code": "x",
            "weakness_letters": 1,
            "strength_letters": 0,
            "priority_action_letters": 0,
            "letters": 1,
            "weakness_sentences": 1,
        }
    ]


def test_ties_break_on_weakness_sentences_then_strengths_then_code() -> None:
    t = tags(("A", "improvement", "a"), ("B", "improvement", "a"), ("A", "improvement", "b"))
    t["sentences"] = [1, 1, 9]  # b: one letter, nine sentences; a: two letters
    assert list(recurring.letter_counts(t, ["A", "B"])["code"]) == ["a", "b"]
    t = tags(("A", "improvement", "a"), ("A", "improvement", "b"))
    t["sentences"] = [1, 4]
    out = recurring.letter_counts(t, ["A"])
    assert list(out["code"]) == ["b", "a"] and list(out["weakness_sentences"]) == [4, 1]


def test_ties_break_on_strengths_then_code() -> None:
    t = tags(
        ("A", "improvement", "b"),
        ("A", "improvement", "a"),
        ("A", "improvement", "c"),
        ("A", "strength", "c"),
    )
    assert list(recurring.letter_counts(t, ["A"])["code"]) == ["c", "a", "b"]


def test_side_by_side_keeps_empty_groups() -> None:
    t = tags(("A", "improvement", "x"), ("B", "strength", "x"), ("C", "improvement", "y"))
    out = recurring.side_by_side(t, "x", {"g1": ["A", "B", "C"], "g2": [], "g3": ["C"]})
    assert out[["group", "letters", "weakness_letters", "strength_letters"]].values.tolist() == [
        ["g1", 3, 1, 1],
        ["g2", 0, 0, 0],
        ["g3", 1, 0, 0],
    ]
    assert out["weakness_sentences"].tolist() == [1, 0, 0]


def test_periods_group_by_year_of_publication() -> None:
    letters = pd.DataFrame(
        {
            "letter_id": ["a", "b", "c", "d"],
            "theme": ["t", "t", "u", "t"],
            "published": ["2016-10-28", "2017-06-13", "2018-08-24", "2024-12-12"],
        }
    )
    groups = recurring.groups_by_period(letters, ["2016-2017", "2024-2025", "2019"])
    assert groups == {"2016-2017": ["a", "b"], "2024-2025": ["d"], "2019": []}
    assert recurring.Period.parse("2016-2017").name == "2016-17"
    assert recurring.groups_by_theme(letters) == {"t": ["a", "b", "d"], "u": ["c"]}
    for bad in ("2017-2016", "16-17", "2016-", "x"):
        with pytest.raises(ValueError):
            recurring.Period.parse(bad)


def test_headline_names_ties_and_falls_back_to_strengths() -> None:
    t = tags(("A", "improvement", "x"), ("A", "improvement", "y"), ("B", "improvement", "y"))
    name = {"x": "Early help", "y": "Information sharing"}.__getitem__
    counts = recurring.letter_counts(t, ["A", "B", "C"])
    assert recurring.headline(counts, name, "neglect letters") == (
        "Inspectors recorded weaknesses in information sharing in 2 of 3 neglect letters."
    )
    tie = recurring.letter_counts(t, ["A"])
    assert "early help and information sharing in 1 of 1 letter." in recurring.headline(
        tie, name, "letters"
    )
    only_strengths = recurring.letter_counts(tags(("A", "strength", "x")), ["A", "B"])
    assert recurring.headline(only_strengths, name, "letters") == (
        "Inspectors recorded strengths (and no weakness) in early help in 1 of 2 letters."
    )
    assert recurring.in_sentence("Information sharing") == "information sharing"
    assert recurring.in_sentence("SEND and disability") == "SEND and disability"


def test_kind_of_a_link_label() -> None:
    assert recurring.kind_of(["priority_action", "improvement"]) == "weakness"
    assert recurring.kind_of(["strength"]) == "strength"
    assert recurring.kind_of(["priority_action"]) == "priority_action"
    assert recurring.kind_of([]) == "weakness"


def _known_priority_actions() -> dict[tuple[str, str], str]:
    with KNOWN.open(encoding="utf-8-sig", newline="") as fh:
        return {
            (r["urn"], r["published"]): r["priority_actions"]
            for r in csv.DictReader(fh)
            if r["urn"] and r["published"]
        }


def _shared_letters() -> pd.DataFrame:
    with (LETTERS / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        with contextlib.suppress(NotAJtaiLetter, IncompleteLetter):
            lt = parse_file(LETTERS / r["file"], record_from_folder_manifest(r))
            out.append(
                {
                    "letter_id": lt.letter_id,
                    "urn": lt.urn,
                    "theme": lt.theme,
                    "published": lt.published,
                    "n_priority_actions": lt.n_priority_actions,
                }
            )
    return pd.DataFrame(out)


@pytest.mark.skipif(
    not (KNOWN.exists() and LETTERS.exists()), reason="../shared letters or reference missing"
)
def test_priority_actions_per_theme_match_the_published_record() -> None:
    letters = _shared_letters()
    known = _known_priority_actions()
    letters["record"] = [
        known.get((u, p), "") for u, p in zip(letters.urn, letters.published, strict=True)
    ]
    checked = letters[letters["record"].isin(["yes", "none"])]
    assert len(checked) >= 10  # the record says yes or none for these shared letters
    # Every letter the record speaks for: priority actions exactly when it says so.
    wrong = checked[(checked["n_priority_actions"] > 0) != (checked["record"] == "yes")]
    assert wrong.empty, wrong[["letter_id", "n_priority_actions", "record"]]
    # And per theme, the page's counts of letters equal the record's.
    table = recurring.priority_actions_by_theme(checked).set_index("theme")
    record = Counter(checked.loc[checked["record"] == "yes", "theme"])
    for theme, row in table.iterrows():
        assert row["letters_with_priority_actions"] == record.get(theme, 0), theme
        assert row["letters"] == (checked["theme"] == theme).sum()
    # The whole corpus's table counts every letter once.
    whole = recurring.priority_actions_by_theme(letters)
    assert whole["letters"].sum() == len(letters) == 52
    assert whole["letters_with_priority_actions"].sum() == (letters.n_priority_actions > 0).sum()
