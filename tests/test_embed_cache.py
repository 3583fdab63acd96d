"""The vector cache: a sentence is embedded once, whatever letter it comes from and however
often the build runs; a damaged cache file is moved aside, never trusted."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis import embed, embed_cache


class Counting:
    """The real model, counting the sentences it is asked to embed."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.n += len(texts)
        return embed.encode(texts)


def test_each_sentence_is_embedded_once(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    enc = Counting()
    texts = ["Plans are reviewed.", "Police attend.", "Plans are reviewed."]
    v1, new = embed_cache.vectors(texts, path, enc)
    assert (new, enc.n) == (2, 2)  # the repeated sentence once
    assert np.allclose(v1[0], v1[2]) and np.allclose(v1, embed.encode(texts), atol=1e-6)
    v2, new = embed_cache.vectors(["Schools refer.", *texts], path, enc)
    assert (new, enc.n) == (1, 3)  # only the sentence never seen
    assert np.array_equal(v2[1:], v1)
    # Another model's vectors are not this one's.
    _, new = embed_cache.vectors(texts, path, enc, model_id="another-model")
    assert new == 2


def test_damaged_cache_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    v, new = embed_cache.vectors(["Plans are reviewed."], path)
    assert new == 1 and v.shape == (1, embed.DIM)
    assert (tmp_path / "cache.sqlite.damaged").exists()
    assert embed_cache.vectors(["Plans are reviewed."], path)[1] == 0
