"""The corpus's vectors for search by meaning (app_pages/meaning.py): loaded once per build in
the background, never kept under the key of a build the file no longer is."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import numpy as np

from analysis import similarity
from app_pages import data, meaning


def make_db(path: Path, n: int) -> tuple[str, int, int]:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE letter_vectors (letter_id TEXT PRIMARY KEY, finding_ids TEXT, vectors BLOB)"
    )
    rng = np.random.default_rng(n)
    m = rng.normal(size=(n, similarity.DIM)).astype(np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    for letter in ("L0", "L1"):
        rows = [i for i in range(n) if f"L{i % 2}" == letter]
        if rows:
            conn.execute(
                "INSERT INTO letter_vectors VALUES (?, ?, ?)",
                (
                    letter,
                    " ".join(f"{letter}-{i:04d}" for i in rows),
                    m[rows].astype(np.float16).tobytes(),
                ),
            )
    conn.commit()
    conn.close()
    sig = data.db_signature(path)
    assert sig is not None
    return sig


def test_vectors_load_once_in_the_background(tmp_path: Path) -> None:
    sig = make_db(tmp_path / "a.sqlite", 6)
    meaning.warm_up(sig)
    vec = meaning.vectors(sig)
    assert vec is not None and len(vec.ids) == 6
    assert meaning.vectors(sig) is vec  # loaded once
    assert vec.other_letters(0).sum() == 3


def test_the_model_loads_after_the_vectors(tmp_path: Path) -> None:
    from analysis import embed

    embed.encoder.cache_clear()
    meaning.warm_up(make_db(tmp_path / "m.sqlite", 4))
    end = time.monotonic() + 60
    while embed.encoder()._session is None and time.monotonic() < end:
        time.sleep(0.05)
    # Loaded (its session made, and run once): the first search does not wait for it.
    assert embed.encoder()._session is not None


def test_a_file_that_is_no_longer_its_build_gives_none(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite"
    sig = make_db(path, 4)
    stale = (sig[0], sig[1] - 1, sig[2])  # the key of an earlier build of the same path
    assert meaning.vectors(stale) is None
    none = make_db(tmp_path / "c.sqlite", 0)  # no vectors stored
    assert meaning.vectors(none) is None
