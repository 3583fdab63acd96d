"""The gold sentences nearest in meaning (analysis.classify_neighbours): what they lend a
sentence, and that a sentence's own letter lends it nothing."""

from __future__ import annotations

import numpy as np

from analysis.classify_neighbours import Neighbours


def _unit(*rows: tuple[float, float]) -> np.ndarray:
    v = np.array(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


# Four gold sentences: two near (1, 0) answered [1, 0], two near (0, 1) answered [0, 1].
GOLD = Neighbours.of(
    _unit((1, 0.1), (1, -0.1), (0.1, 1), (-0.1, 1)),
    np.array([[1, 0], [1, 0], [0, 1], [0, 1]]),
    ["a", "b", "a", "b"],
    k=2,
)


def test_a_sentence_gets_the_answers_of_its_nearest_gold_sentences() -> None:
    shares = GOLD.shares(_unit((1, 0), (0, 1), (1, 0.9)))
    assert shares[0].tolist() == [1.0, 0.0]
    assert shares[1].tolist() == [0.0, 1.0]
    # Between the two groups, nearer (1, 0.1) and (0.1, 1): one of each.
    assert shares[2].tolist() == [0.5, 0.5]


def test_a_sentence_never_gets_its_own_letters_answers() -> None:
    # Of letter 'a', its nearest gold sentences outside 'a' are (1, -0.1) and (-0.1, 1).
    shares = GOLD.shares(_unit((1, 0.1)), ["a"])
    assert shares[0].tolist() == [0.5, 0.5]
    # A letter the gold does not hold is compared with every gold sentence.
    assert GOLD.shares(_unit((1, 0.1)), ["z"])[0].tolist() == [1.0, 0.0]


def test_with_no_gold_sentence_left_a_sentence_gets_nothing() -> None:
    alone = Neighbours.of(_unit((1, 0)), np.array([[1, 1]]), ["a"], k=3)
    assert alone.shares(_unit((1, 0)), ["a"]).tolist() == [[0.0, 0.0]]
    assert alone.shares(_unit((1, 0)), ["b"]).tolist() == [[1.0, 1.0]]
    assert alone.shares(np.zeros((0, 2), dtype=np.float32)).shape == (0, 2)


def test_many_sentences_are_compared_in_chunks_with_the_same_answers(monkeypatch) -> None:
    from analysis import classify_neighbours

    rng = np.random.default_rng(3)
    gold = Neighbours.of(
        rng.normal(size=(40, 5)), rng.integers(0, 2, size=(40, 3)), list("abcd" * 10), k=4
    )
    rows = rng.normal(size=(25, 5)).astype(np.float32)
    letters = list("abcde" * 5)
    whole = gold.shares(rows, letters)
    monkeypatch.setattr(classify_neighbours, "_CHUNK", 7)
    assert np.array_equal(gold.shares(rows, letters), whole)
