"""What a build computes per sentence, kept between builds, so a build computes it only for
sentences it has never seen: the sentence vector, and the rules' feature row.

One SQLite file under the data directory, keyed by what made the row (the model, or the
rules' version) and the sentence's sha256: the same sentence in another letter, or a letter
parsed again, costs a look-up. Losing the file costs time, never correctness (it is rebuilt
from the sentences); a damaged file is moved aside.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

import config
from analysis import embed

log = logging.getLogger(__name__)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, text_sha TEXT NOT NULL, "
    "vector BLOB NOT NULL, PRIMARY KEY (model, text_sha))"
)


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path)
        conn.execute(_SCHEMA)
        conn.execute("SELECT COUNT(*) FROM vectors WHERE rowid < 2").fetchone()
        return conn
    except sqlite3.DatabaseError as exc:
        aside = path.with_name(path.name + ".damaged")
        log.warning("embedding cache %s unreadable (%s): moved to %s", path, exc, aside.name)
        path.replace(aside)
        conn = sqlite3.connect(path)
        conn.execute(_SCHEMA)
        return conn


def vectors(
    texts: Sequence[str],
    path: Path | None = None,
    encode: Callable[[list[str]], np.ndarray] = embed.encode,
    model_id: str = embed.MODEL_ID,
) -> tuple[np.ndarray, int]:
    """Unit vectors for the texts (rows in order) and how many were computed now."""
    return rows(texts, encode, model_id, embed.DIM, path)


def rows(
    texts: Sequence[str],
    compute: Callable[[list[str]], np.ndarray],
    model_id: str,
    width: int,
    path: Path | None = None,
) -> tuple[np.ndarray, int]:
    """float32 rows of ``compute`` for the texts (in order) and how many were computed now;
    ``model_id`` names what computed them."""
    path = path or config.embed_cache_path()
    shas = [text_sha(t) for t in texts]
    out = np.zeros((len(texts), width), dtype=np.float32)
    conn = _open(path)
    try:
        known: dict[str, np.ndarray] = {}
        wanted = sorted(set(shas))
        for i in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
            chunk = wanted[i : i + 500]
            rows = conn.execute(
                f"SELECT text_sha, vector FROM vectors WHERE model = ? AND text_sha IN "
                f"({','.join('?' * len(chunk))})",
                (model_id, *chunk),
            )
            known.update((sha, np.frombuffer(blob, dtype=np.float32)) for sha, blob in rows)
        missing = {sha: t for sha, t in zip(shas, texts, strict=True) if sha not in known}
        if missing:
            new = compute(list(missing.values()))
            with conn:
                conn.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                    (
                        (model_id, sha, v.astype(np.float32).tobytes())
                        for sha, v in zip(missing, new, strict=True)
                    ),
                )
            known.update(zip(missing, new, strict=True))
        for i, sha in enumerate(shas):
            out[i] = known[sha]
    finally:
        conn.close()
    return out, len(missing)
