"""The evaluate command: gold matching (by key, then by page and first words) and the whole
command on a tiny gold set built from two letters."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from test_classify_support import all_letters, finding

from analysis import __main__ as cli
from analysis import evaluate, store
from analysis.letter import Letter
from analysis.sentences import first_words

GOLD_LETTERS = ["80508-lewisham-2023-01-31", "80472-hampshire-2017-02-01"]


def _gold(letter_file: str, key: str, words: str, page: int = 1) -> evaluate.GoldRow:
    return evaluate.GoldRow(letter_file, page, key, words, "main_findings", "strength", "", "")


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
    matched = evaluate.match_gold(rows, letters)
    assert [(f.finding_id if f else None, how) for _, f, how in matched] == [
        (a.finding_id, "key"),
        (b.finding_id, "first_words"),
        (None, "none"),
    ]


def test_urn_and_date_from_the_stem() -> None:
    assert evaluate.urn_and_date("80508-lewisham-2023-01-31") == ("80508", "2023-01-31")
    with pytest.raises(ValueError):
        evaluate.urn_and_date("lewisham")


def test_scores_on_known_pairs() -> None:
    f1 = finding("A", position=1)
    f1.label, f1.agencies, f1.topics = "strength", "police", "perpetrator_focus"
    f2 = finding("B", position=2)
    f2.label, f2.agencies, f2.topics = "strength", "health", ""
    g1 = evaluate.GoldRow(
        "x", 1, "", "", "main_findings", "strength", "police", "perpetrator_focus"
    )
    g2 = evaluate.GoldRow("x", 1, "", "", "main_findings", "improvement", "health;police", "")
    s = evaluate.score([(g1, f1), (g2, f2)], [f1, f2])
    assert s["narrative_clear_direction_accuracy"] == 0.5
    assert s["agencies_micro"] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8}
    assert s["perpetrator_focus_f1"] == 1.0


def test_evaluate_command_on_a_tiny_gold_set(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    letters = list(all_letters())
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    source = [
        r
        for p in sorted(evaluate.config.GOLD_DIR.glob("labels_part*.csv"))
        for r in csv.DictReader(p.open(encoding="utf-8"))
        if r["letter_file"] in GOLD_LETTERS
    ]
    if not source:
        pytest.skip("the gold set has no rows for the test letters")
    with (gold_dir / "labels_part1.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(source[0]))
        w.writeheader()
        w.writerows(source)
    # A corpus of a dozen letters, the two gold letters among them.
    held = {evaluate.urn_and_date(lf) for lf in GOLD_LETTERS}
    corpus = [lt for lt in letters if (lt.urn, lt.published) in held]
    corpus += [lt for lt in letters if (lt.urn, lt.published) not in held][:10]
    monkeypatch.setattr(store, "read_letters", lambda: corpus)

    out = tmp_path / "eval"
    rc = cli.main(["evaluate", "--gold-dir", str(gold_dir), "--out-dir", str(out)])
    assert rc == 0
    figures = json.loads((out / "evaluation.json").read_text())
    assert figures["gold_rows"] == len(source)
    assert figures["gold_letters_found"] == 2
    assert figures["train_letters"] == len(corpus) - 2  # gold letters held out of training
    assert figures["match_rate"] >= 0.9
    for key in [
        "strength_vs_improvement_macro_f1",
        "narrative_4class_accuracy",
        "agencies_micro_f1",
        "topics_micro_f1",
        "perpetrator_focus_f1",
        "needs_review_share_gold_letters",
        "confusion_matrix",
        "per_class",
        "per_topic",
        "unmatched",
    ]:
        assert key in figures
    assert 0.5 < figures["strength_vs_improvement_macro_f1"] <= 1.0
    card = (out / "model-card.md").read_text()
    assert "{figures_table}" not in card and "{gold_rows}" not in card
    assert "strength_vs_improvement_macro_f1" in card


def test_evaluate_command_without_a_database(data_dir: Path) -> None:
    assert cli.main(["evaluate"]) == 2
