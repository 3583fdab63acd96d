"""The evaluation: figures on known pairs, intervals over letters, and the whole command on
a tiny gold set with a frozen test part."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from test_classify_support import all_letters

from analysis import __main__ as cli
from analysis import evaluate, store
from analysis.gold import urn_and_date

GOLD_LETTERS = ["80508-lewisham-2023-01-31", "80472-hampshire-2017-02-01"]


def _pair(letter: str, gold_label: str, label: str, ga: str = "", a: str = "", gt: str = "",
          t: str = "", review: bool = False, fmt: str = "A") -> evaluate.Pair:  # fmt: skip
    s = evaluate._set
    return evaluate.Pair(letter, fmt, gold_label, s(ga), s(gt), label, 0.9, review, s(a), s(t))


def test_scores_on_known_pairs() -> None:
    pairs = [
        _pair("x", "strength", "strength", "police", "police", "perpetrator_focus",
              "perpetrator_focus"),
        _pair("x", "improvement", "strength", "health;police", "health"),
        _pair("y", "mixed", "strength"),
        _pair("y", "context", "context", review=True),
        _pair("y", "context", "improvement"),
    ]  # fmt: skip
    s = evaluate.score(pairs)
    # strength: 1 right, 1 wrong of 2 gold; improvement: 0 right of 1 -> F1 (0.6667 + 0) / 2
    assert s["strength_vs_improvement_macro_f1"] == round((2 / 3 + 0) / 2, 4)
    # said strength 3 times: right for the strength and for the mixed sentence
    assert s["strength_precision_mixed_ok"] == round(2 / 3, 4)
    assert s["improvement_precision_mixed_ok"] == 0.0
    assert s["context_recall"] == 0.5 and s["context_precision"] == 1.0
    assert s["agencies_micro"] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8}
    assert s["perpetrator_focus_f1"] == 1.0
    assert s["needs_review_share"] == 0.2 and s["accuracy_when_flagged"] == 1.0


def test_training_letters_leave_out_the_held_letters_and_draw_a_share_of_the_rest() -> None:
    dev = [f"L{i:02d}" for i in range(20)]
    held = {"L00", "L07"}
    assert evaluate.training_letters(dev, held) == set(dev) - held
    half = evaluate.training_letters(dev, held, 0.5, seed=1)
    assert len(half) == 9 and not half & held and half <= set(dev)
    assert evaluate.training_letters(dev, held, 0.5, seed=1) == half  # the same draw again
    draws = {frozenset(evaluate.training_letters(dev, held, 0.5, seed=s)) for s in range(5)}
    assert len(draws) > 1, "another seed draws other letters"
    assert len(evaluate.training_letters(dev, held, 0.01)) == 1  # never none
    for bad in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError, match="share"):
            evaluate.training_letters(dev, held, bad)


def test_fold_groups_hold_out_every_development_letter_once() -> None:
    dev = [f"L{i:02d}" for i in range(7)]
    groups = evaluate.fold_groups(dev, 3)
    assert len(groups) == 3 and sorted(lt for g in groups for lt in g) == dev
    assert evaluate.fold_groups(dev, None) == [[lt] for lt in dev]


def test_intervals_resample_letters() -> None:
    pairs = [_pair(f"l{i}", "strength", "strength") for i in range(5)]
    pairs += [_pair(f"l{i}", "improvement", "strength" if i == 0 else "improvement")
              for i in range(5)]  # fmt: skip
    ci = evaluate.intervals(pairs, rounds=200)
    lo, hi = ci["strength_vs_improvement_macro_f1"]
    point = evaluate.score(pairs)["strength_vs_improvement_macro_f1"]
    assert lo <= point <= hi and lo < hi <= 1.0
    assert ci == evaluate.intervals(pairs, rounds=200)  # a fixed seed: the same intervals


def card_figures() -> dict:
    """Figures of two test sentences, with every key the model card reads."""
    pairs = [
        _pair("x", "strength", "strength", "children_social_care", "children_social_care",
              "perpetrator_focus", "perpetrator_focus"),
        _pair("y", "improvement", "improvement", "police", "", "timeliness", ""),
    ]  # fmt: skip
    return {
        "test": evaluate.score(pairs),
        "test_intervals": evaluate.intervals(pairs, rounds=20),
        "test_by_format": {"A": evaluate.score(pairs)},
        "gold_rows": 2, "gold_letters": 2, "rows_dev": 0, "rows_test": 2, "letters_dev": 0,
        "letters_test": 2, "params": {"review_threshold": 0.6}, "generated_at": "now",
    }  # fmt: skip


def test_model_card_names_figures_agencies_and_topics_as_a_reader_reads_them() -> None:
    """The About page shows the card: its tables name each figure, agency and topic in words
    and keep the code (a contract of the exports) beside the name."""
    card = evaluate.render_model_card(card_figures())
    assert "| Perpetrator focus (`perpetrator_focus`) |" in card
    assert "| Children's social care (`children_social_care`) |" in card
    assert "| Perpetrator focus tagged right (F1) (`perpetrator_focus_f1`) |" in card
    rows = [line.split("|")[1].strip() for line in card.splitlines() if line.startswith("| ")]
    assert "perpetrator_focus" not in rows and "timeliness" not in rows and "police" not in rows
    assert "perpetrator_focus_f1" not in rows and "needs_review_share" not in rows
    # Per format: a row per figure, a column per format (three columns fit a phone).
    assert "| figure | format A |" in card and "| Perpetrator focus (F1) | 1.0 |" in card


TEST_LETTERS = ["80508-lewisham-2023-01-31", "80472-hampshire-2017-02-01"]
DEV_LETTERS = ["80446-central-bedfordshire-2016-05-10", "80426-barnsley-2022-07-18",
               "80537-peterborough-2017-08-11"]  # fmt: skip


def test_evaluate_command_on_a_tiny_gold_set(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    letters = list(all_letters())
    gold_dir = tmp_path / "gold"
    (gold_dir / "overlap").mkdir(parents=True)
    wanted = set(TEST_LETTERS + DEV_LETTERS)
    source = [
        r
        for p in sorted(evaluate.config.GOLD_DIR.glob("labels_part*.csv"))
        for r in csv.DictReader(p.open(encoding="utf-8"))
        if r["letter_file"] in wanted
    ]
    if {r["letter_file"] for r in source} != wanted:
        pytest.skip("the gold set has no rows for the test letters")
    with (gold_dir / "labels_part1.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(source[0]))
        w.writeheader()
        w.writerows(source)
    (gold_dir / "split.csv").write_text(
        "letter_file,part\n"
        + "".join(f"{lf},test\n" for lf in TEST_LETTERS)
        + "".join(f"{lf},dev\n" for lf in DEV_LETTERS)
    )
    held = {urn_and_date(lf) for lf in wanted}
    corpus = [lt for lt in letters if (lt.urn, lt.published) in held]
    corpus += [lt for lt in letters if (lt.urn, lt.published) not in held][:3]
    monkeypatch.setattr(store, "read_letters", lambda: corpus)

    out = tmp_path / "eval"
    rc = cli.main(["evaluate", "--gold-dir", str(gold_dir), "--out-dir", str(out)])
    assert rc == 0
    figures = json.loads((out / "evaluation.json").read_text())
    assert figures["gold_rows"] == len(source)
    assert figures["letters_test"] == 2 and figures["letters_dev"] == 3
    assert sorted(figures["test_letters"]) == sorted(TEST_LETTERS)
    assert figures["rows_test"] + figures["rows_dev"] == figures["matched_rows"]
    assert figures["match_rate"] >= 0.9
    test = figures["test"]
    assert test["n"] == figures["rows_test"]
    assert 0.5 < test["strength_vs_improvement_macro_f1"] <= 1.0
    assert set(figures["test_intervals"]) >= {"strength_vs_improvement_macro_f1"}
    assert set(figures["test_by_format"]) == {"A", "B"}
    assert figures["dev_leave_one_letter_out"]["n"] == figures["rows_dev"]
    assert figures["agreement"] == {"rows": 0}
    card = (out / "model-card.md").read_text()
    import re

    assert not re.findall(r"\{[a-z_]+\}", card), "a placeholder left"
    assert "<!--" not in card, "the template's note for editors is not for readers"
    assert "strength_vs_improvement_macro_f1" in card and "frozen" in card


def test_evaluate_command_without_a_database(data_dir: Path) -> None:
    assert cli.main(["evaluate"]) == 2
