"""What the gold sentences nearest in meaning to a sentence were labelled: for each sentence,
the share of its k nearest gold sentences (by the cosine of their sentence vectors) that carry
each tag and each label.

The models read these shares beside their other features. A linear model over the vector
draws one boundary through the whole space of meaning; the neighbours' hand labels say what
readers decided for sentences like this one, wherever they lie (development folds: perpetrator
focus 0.749 -> 0.766, macro-F1 0.9316 -> 0.9335, agencies and topics +0.002).

A sentence is never its own neighbour, nor is any sentence of its own letter: a training
sentence's shares are then what a new letter's sentence gets, so the models learn how far
neighbours from other letters can be trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis import similarity

# Rows of sentences compared with the gold at once: bounds the similarity matrix's memory
# (2,048 x 8,000 float32: 64 MB).
_CHUNK = 2048


@dataclass(frozen=True)
class Neighbours:
    """The gold sentences: their unit vectors, their 0/1 answers (one column per tag or label)
    and their letters (``letters``' names, one number per sentence in ``letter_at``)."""

    vectors: np.ndarray
    answers: np.ndarray
    letters: tuple[str, ...]
    letter_at: np.ndarray
    k: int

    @classmethod
    def of(
        cls,
        vectors: np.ndarray,
        answers: np.ndarray,
        letters: Sequence[str],
        k: int,
    ) -> Neighbours:
        names, at = np.unique(np.asarray(letters, dtype=str), return_inverse=True)
        return cls(
            np.ascontiguousarray(vectors, dtype=np.float32),
            np.asarray(answers, dtype=np.float32),
            tuple(names.tolist()),
            at.astype(np.int32),
            k,
        )

    def shares(self, vectors: np.ndarray, letters: Sequence[str] | None = None) -> np.ndarray:
        """For each row of ``vectors``, the mean answers of its ``k`` nearest gold sentences
        outside its own letter (``letters``: each row's letter; None: rows of letters the gold
        does not hold). Zeros where no gold sentence is left to compare with."""
        width = self.answers.shape[1]
        out = np.zeros((len(vectors), width), dtype=np.float32)
        if not len(vectors) or not len(self.vectors) or self.k < 1:
            return out
        vectors = np.asarray(vectors, dtype=np.float32)
        if letters is not None:
            # Numbers, not names: comparing strings row by row took seconds on a full build.
            number = {name: i for i, name in enumerate(self.letters)}
            mine = np.array([number.get(name, -1) for name in letters], dtype=np.int32)
        for start in range(0, len(vectors), _CHUNK):
            sims = vectors[start : start + _CHUNK] @ self.vectors.T
            for r, row in enumerate(sims, start):
                other = None if letters is None else self.letter_at != mine[r]
                near = similarity.top_k(row, self.k, other)
                if len(near):
                    out[r] = self.answers[near].mean(axis=0)
        return out
