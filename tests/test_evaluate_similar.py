"""Precision at 5 of findings like this (analysis/evaluate_similar.py): the measure on cases
whose answer is known, and its figures kept beside analysis.evaluate's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis import evaluate_similar as es
from analysis import gold


def items() -> list[es.Item]:
    # Query q (letter A, topic t, label improvement); candidates in letters B..F; one more
    # sentence of letter A that must never count.
    spec = [
        ("q", "A", "improvement", {"t"}),
        ("same_letter", "A", "improvement", {"t"}),
        ("b", "B", "improvement", {"t"}),
        ("c", "C", "strength", {"t", "u"}),
        ("d", "D", "improvement", set()),
        ("e", "E", "strength", {"u"}),
        ("f", "F", "improvement", {"t"}),
        ("g", "G", "context", set()),
    ]
    return [es.Item(i, letter, label, frozenset(t)) for i, letter, label, t in spec]


def test_hits_at_5_count_only_other_letters() -> None:
    its = items()
    sims = np.zeros((len(its), len(its)))
    # For q the nearest are: same_letter (ignored), b, c, d, e, f; g is last.
    sims[0] = [1.0, 0.99, 0.9, 0.8, 0.7, 0.6, 0.5, 0.1]
    hits = es.hits_at_k(sims, its)
    assert hits["topic"][0] == 3 / 5  # b, c, f share t
    assert hits["label"][0] == 3 / 5  # b, d, f are improvements
    assert np.isnan(hits["topic"][4])  # d has no topic: not a topic query


def test_summary_gives_mean_and_intervals_and_the_difference() -> None:
    letters = ["A", "A", "B", "B", "C", "C"]
    a = {"topic": np.array([1, 1, 1, 0.8, 1, 1.0]), "label": np.array([1.0] * 6)}
    b = {"topic": np.array([0, 0, 0.2, 0, 0, 0.0]), "label": np.array([0.5] * 6)}
    out = es.summarise(a, b, letters)
    assert out["topic"] == round(float(np.mean(a["topic"])), 4)
    lo, hi = out["topic_ci95"]
    assert lo <= out["topic"] <= hi
    dlo, dhi = out["topic_minus_other_ci95"]
    assert 0.7 < dlo <= dhi <= 1.0
    assert out["label_minus_other_ci95"] == [0.5, 0.5]


def test_write_keeps_the_classifier_figures(tmp_path: Path) -> None:
    (tmp_path / "evaluation.json").write_text(json.dumps({"macro_f1": 0.9}))
    (tmp_path / "model-card.md").write_text("# Model card\n\nclassifier figures\n")
    fig = {
        "k": 5,
        "gold_sentences": 10,
        "letters": 3,
        **{
            name: {
                "method": name,
                "topic": 0.6,
                "label": 0.5,
                "topic_ci95": [0.5, 0.7],
                "label_ci95": [0.4, 0.6],
                "topic_minus_other_ci95": [0.01, 0.1],
                "label_minus_other_ci95": [-0.01, 0.05],
                "queries_topic": 8,
                "queries_label": 10,
            }
            for name in ("shipped", "tfidf")
        },
    }
    es.write(fig, tmp_path)
    es.write(fig, tmp_path)  # twice: the section is replaced, not repeated
    figures = json.loads((tmp_path / "evaluation.json").read_text())
    assert figures["macro_f1"] == 0.9 and figures["similar"]["gold_sentences"] == 10
    card = (tmp_path / "model-card.md").read_text()
    assert card.startswith("# Model card") and card.count(es.CARD_HEADING) == 1
    assert "0.600 (0.500-0.700)" in card


def test_no_queries_and_no_vectors_are_reported_not_raised(tmp_path: Path) -> None:
    empty = {"topic": np.array([np.nan]), "label": np.array([np.nan])}
    out = es.summarise(empty, empty, ["A"])
    assert out["queries_topic"] == 0 and np.isnan(out["topic"])
    assert not es.ready(tmp_path / "absent.sqlite")
    import sqlite3

    db = tmp_path / "old.sqlite"
    sqlite3.connect(db).execute("CREATE TABLE findings (finding_id TEXT, letter_id TEXT)")
    assert not es.ready(db)  # built before vectors: the evaluation leaves it out


def test_the_threshold_curve_counts_pooled_matches_and_picks_the_best_f1() -> None:
    # Two queries over four sentences; the relevant ones score high, one irrelevant one too.
    sims = np.array([[0.9, 0.6, 0.5, 0.1], [0.3, 0.8, 0.55, 0.2]])
    relevant = np.array([[True, True, False, False], [False, True, False, False]])
    curve = es.threshold_curve(sims, relevant, (0.5, 0.58, 0.7))
    at = {c["threshold"]: c for c in curve}
    # t=0.5: matches 0.9, 0.6, 0.5 | 0.8, 0.55 = 5, of which 3 relevant (all 3 found).
    assert at[0.5]["matches"] == 5
    assert (at[0.5]["precision"], at[0.5]["recall"]) == (0.6, 1.0)
    assert (at[0.58]["precision"], at[0.58]["recall"]) == (1.0, 1.0)
    assert at[0.7]["recall"] == round(2 / 3, 4)
    # F0.5 = 1.25 p r / (0.25 p + r): precision counts twice as much as recall.
    assert at[0.7]["f0_5"] == round(1.25 * (2 / 3) / (0.25 + 2 / 3), 4)
    assert es.pick_threshold(curve)["threshold"] == 0.58
    # Precision 1 at recall 0.5 beats precision 0.5 at recall 1 (equal F1).
    traded = [
        {"threshold": 0.3, "f1": 2 / 3, "f0_5": round(1.25 * 0.5 / (0.125 + 1), 4)},
        {"threshold": 0.6, "f1": 2 / 3, "f0_5": round(1.25 * 0.5 / (0.25 + 0.5), 4)},
    ]
    assert es.pick_threshold(traded)["threshold"] == 0.6
    flat = [{"threshold": 0.4, "f0_5": 0.5}, {"threshold": 0.5, "f0_5": 0.5}]
    assert es.pick_threshold(flat)["threshold"] == 0.5  # a tie: the higher threshold


def test_every_topic_is_searched_by_its_name_and_a_phrase() -> None:
    from analysis.taxonomy import TOPICS, topic_name

    queries = es.threshold_queries()
    assert {t for t, _ in queries} == set(TOPICS) and len(queries) == 2 * len(TOPICS)
    assert ("timeliness", topic_name("timeliness")) in queries


def test_the_threshold_is_measured_on_development_letters_only(tmp_path: Path) -> None:
    assert es.measure_threshold(tmp_path / "unused.sqlite", [es.Item("x", "T", "strength",
        frozenset({"timeliness"}), "test")]) == {}  # fmt: skip


def test_the_shipped_threshold_is_the_one_the_development_letters_pick(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from test_app_support import build_corpus

    from analysis import similarity

    db = build_corpus(tmp_path_factory.mktemp("jtai_threshold"), files=None) / "jtai.sqlite"
    items, _, _ = es.gold_items(db)
    measured = es.measure_threshold(db, items)
    assert measured["letters"] == sum(p == "dev" for p in gold.read_split().values())
    assert measured["chosen"]["threshold"] == similarity.MEANING_THRESHOLD
