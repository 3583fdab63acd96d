"""Nearest findings by cosine over stored vectors (analysis/similarity.py), on small matrices
whose answers are known by construction, and the vectors' round trip through SQLite."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from analysis import similarity


def unit(rows: list[list[float]]) -> np.ndarray:
    m = np.array(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_top_k_orders_by_score_and_respects_the_mask() -> None:
    sims = np.array([0.1, 0.9, 0.5, 0.9, -0.2], dtype=np.float32)
    assert similarity.top_k(sims, 3).tolist() == [1, 3, 2]  # tie: lower index first
    allowed = np.array([True, False, True, True, True])
    assert similarity.top_k(sims, 2, allowed).tolist() == [3, 2]
    assert similarity.top_k(sims, 10, allowed).tolist() == [3, 2, 0, 4]
    assert similarity.top_k(sims, 0).tolist() == []
    assert similarity.top_k(sims, 3, np.zeros(5, dtype=bool)).tolist() == []


def test_above_keeps_only_what_reaches_the_threshold_highest_first() -> None:
    sims = np.array([0.44, 0.45, 0.8, 0.2, 0.6], dtype=np.float32)
    assert similarity.above(sims, 0.45).tolist() == [2, 4, 1]
    assert similarity.above(sims, 0.9).tolist() == []


def test_neighbours_come_from_other_letters_only() -> None:
    m = unit([[1, 0, 0], [0.99, 0.1, 0], [0.9, 0.3, 0], [0, 1, 0], [0.5, 0.5, 0]])
    vec = similarity.Vectors(("a1", "a2", "b1", "b2", "c1"), ("A", "A", "B", "B", "C"), m)
    got = similarity.neighbours(vec, "a1", 2)
    assert [fid for fid, _ in got] == ["b1", "c1"]  # a2 is closer but in the same letter
    assert got[0][1] == pytest.approx(float(m[0] @ m[2]), abs=1e-6)
    assert similarity.neighbours(vec, "missing", 2) == []


def _block(conn: sqlite3.Connection, letter: str, fids: list[str], rows: np.ndarray) -> None:
    conn.execute(
        "INSERT INTO letter_vectors VALUES (?, ?, ?)",
        (letter, " ".join(fids), rows.astype(np.float16).tobytes()),
    )


def test_vectors_round_trip_through_the_database() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE letter_vectors (letter_id TEXT PRIMARY KEY, finding_ids TEXT, vectors BLOB)"
    )
    assert not similarity.has_vectors(conn)
    rng = np.random.default_rng(1)
    m = unit(rng.normal(size=(3, similarity.DIM)).tolist())
    _block(conn, "y", ["y-0001"], m[2:])
    _block(conn, "x", ["x-0002", "x-0001"], m[:2])
    assert similarity.has_vectors(conn)
    vec = similarity.load(conn)
    assert sorted(vec.ids) == ["x-0001", "x-0002", "y-0001"]
    assert [vec.letters[vec.row(f)] for f in ("x-0001", "y-0001")] == ["x", "y"]
    assert vec.matrix.dtype == np.float32 and vec.matrix.shape == (3, similarity.DIM)
    np.testing.assert_allclose(vec.matrix[vec.row("x-0002")], m[0], atol=1e-3)
    np.testing.assert_allclose(vec.matrix[vec.row("y-0001")], m[2], atol=1e-3)
    np.testing.assert_allclose(similarity.scores(vec.matrix, m[2]), vec.matrix @ m[2])
    assert vec.other_letters(vec.row("x-0001")).tolist() == [
        vec.letters[i] != "x" for i in range(3)
    ]
    # A block whose bytes are not one float16 vector per finding id is an error, not a shift.
    conn.execute(
        "INSERT INTO letter_vectors VALUES ('w', 'w-0001 w-0002', ?)",
        (m[0].astype(np.float16).tobytes(),),
    )
    with pytest.raises(ValueError, match="letter w"):
        similarity.load(conn)


def test_no_table_means_no_vectors() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE findings (finding_id TEXT, letter_id TEXT)")
    assert not similarity.has_vectors(conn)
    conn.execute("CREATE TABLE finding_vectors (finding_id TEXT, vector BLOB)")  # schema 3's
    conn.execute("INSERT INTO finding_vectors VALUES ('a-0001', x'00')")
    assert not similarity.has_vectors(conn)
