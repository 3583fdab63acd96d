"""Findings close in meaning: cosine similarity over the build's sentence vectors.

The vectors (analysis.embed, a block per letter in the table ``letter_vectors``) are L2-normalised,
so a dot product is the cosine; numpy over a float32 matrix answers the x20 corpus (about 200,000
findings) in tens of milliseconds, so no vector index is needed (bench/bench_similar.py). Pure
functions over a matrix and its ids, plus the one function that reads them from a database.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

from analysis import store
from analysis.embed import DIM as DIM  # the vectors' width, for callers

# Search by meaning: a sentence matches a phrase when the cosine of their vectors is at least
# this. Measured on the gold's development letters (analysis.evaluate_similar, "Search by
# meaning's threshold" in the model card): each topic's name and a phrase for it as queries,
# the gold topics as the answer; the threshold of highest F0.5 (precision weighs twice recall:
# a wrong match is shown and counted, a missed one may still be found by its words). With
# gold parts 1-10 there, 0.42: precision 0.54, recall 0.20, F0.5 0.405 (0.44, picked on parts
# 1-9, now gives 0.61 and 0.17, F0.5 0.402; the 0.45 chosen by reading before, 0.65 and 0.16).
MEANING_THRESHOLD = 0.42


@dataclass(frozen=True)
class Vectors:
    """Every finding's vector (row i is ``ids[i]``) and each finding's letter."""

    ids: tuple[str, ...]
    letters: tuple[str, ...]
    matrix: np.ndarray  # float32, shape (len(ids), DIM), rows L2-normalised

    def row(self, finding_id: str) -> int | None:
        try:
            return self._index[finding_id]
        except KeyError:
            return None

    def other_letters(self, row: int) -> np.ndarray:
        """A mask of the rows of letters other than ``row``'s."""
        return self.letter_codes != self.letter_codes[row]

    @property
    def letter_codes(self) -> np.ndarray:
        """Each row's letter as a small integer: comparing integers, not strings, per query."""
        cached = self.__dict__.get("_codes_cache")
        if cached is None:
            cached = np.unique(np.asarray(self.letters), return_inverse=True)[1].astype(np.int32)
            object.__setattr__(self, "_codes_cache", cached)
        return cached

    @property
    def _index(self) -> dict[str, int]:
        cached = self.__dict__.get("_index_cache")
        if cached is None:
            cached = {fid: i for i, fid in enumerate(self.ids)}
            object.__setattr__(self, "_index_cache", cached)
        return cached


def has_vectors(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'letter_vectors'"
    ).fetchone()
    return bool(row) and bool(conn.execute("SELECT 1 FROM letter_vectors LIMIT 1").fetchone())


def load(conn: sqlite3.Connection) -> Vectors:
    """Every stored vector (store.read_vectors: one float32 matrix) with its finding's letter,
    and each row's letter as a small integer (the rows come letter by letter)."""
    ids, letters, matrix = store.read_vectors(conn)
    vec = Vectors(tuple(ids), tuple(letters), matrix)
    starts = np.flatnonzero([i == 0 or letters[i] != letters[i - 1] for i in range(len(letters))])
    codes = np.zeros(len(letters), dtype=np.int32)
    codes[starts[1:]] = 1
    object.__setattr__(vec, "_codes_cache", np.cumsum(codes, dtype=np.int32))
    return vec


def scores(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosine of every row with ``query`` (both normalised)."""
    return matrix @ query.astype(np.float32, copy=False)


def top_k(sims: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    """Indices of the ``k`` highest scores (highest first) among ``allowed`` rows (a boolean
    mask; all rows when None); ties in index order, so results are reproducible."""
    if allowed is not None:
        k = min(k, int(np.count_nonzero(allowed)))
        sims = np.where(allowed, sims, -np.inf)
    k = min(k, len(sims))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-sims, k - 1)[:k] if k < len(sims) else np.arange(len(sims))
    return part[np.lexsort((part, -sims[part]))]


def above(sims: np.ndarray, threshold: float) -> np.ndarray:
    """Indices of the rows scoring at least ``threshold``, highest first."""
    idx = np.flatnonzero(sims >= threshold)
    return idx[np.lexsort((idx, -sims[idx]))]


def neighbours(vectors: Vectors, finding_id: str, k: int) -> list[tuple[str, float]]:
    """The ``k`` findings most similar to ``finding_id`` in other letters, with their cosine."""
    i = vectors.row(finding_id)
    if i is None:
        return []
    sims = scores(vectors.matrix, vectors.matrix[i])
    other = vectors.other_letters(i)
    return [(vectors.ids[j], float(sims[j])) for j in top_k(sims, k, other)]
