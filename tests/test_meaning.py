"""The corpus's vectors for search by meaning (app_pages/meaning.py): loaded once per build in
the background, never kept under the key of a build the file no longer is."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from analysis import similarity
from app_pages import data, meaning


def make_db(path: Path, n: int) -> tuple[str, int, int]:
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE findings (finding_id TEXT PRIMARY KEY, letter_id TEXT);"
        "CREATE TABLE finding_vectors (finding_id TEXT PRIMARY KEY, vector BLOB);"
    )
    rng = np.random.default_rng(n)
    for i in range(n):
        v = rng.normal(size=similarity.DIM).astype(np.float32)
        v /= np.linalg.norm(v)
        conn.execute("INSERT INTO findings VALUES (?, ?)", (f"L{i % 2}-{i:04d}", f"L{i % 2}"))
        conn.execute(
            "INSERT INTO finding_vectors VALUES (?, ?)", (f"L{i % 2}-{i:04d}", v.tobytes())
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


def test_a_file_that_is_no_longer_its_build_gives_none(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite"
    sig = make_db(path, 4)
    stale = (sig[0], sig[1] - 1, sig[2])  # the key of an earlier build of the same path
    assert meaning.vectors(stale) is None
    none = make_db(tmp_path / "c.sqlite", 0)  # no vectors stored
    assert meaning.vectors(none) is None
