"""The sentence-vector model: packaged weights checked by checksum, unit vectors that carry
meaning, and nothing fetched from the network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis import embed

REPO = Path(__file__).resolve().parent.parent


def test_vectors_are_unit_length_and_in_order() -> None:
    texts = ["Police share information quickly.", "", "Schools refer concerns promptly."]
    v = embed.encode(texts)
    assert v.shape == (3, embed.DIM) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    again = embed.encode(list(reversed(texts)))
    assert np.allclose(v, again[::-1], atol=1e-6)  # batching order does not change a vector
    assert embed.encode([]).shape == (0, embed.DIM)


def test_batches_group_sentences_of_like_token_counts() -> None:
    got = embed.batches([5, 1, 3, 1, 4], 2)
    assert [b.tolist() for b in got] == [[1, 3], [2, 4], [0]]
    assert embed.batches([], 64) == []


def test_a_vector_does_not_depend_on_the_sentences_batched_with_it() -> None:
    short = "Police share information."
    long = "Schools, health visitors and the police share information about children " * 4
    alone = embed.encode([short])[0]
    padded = embed.encode([long, short])[1]
    assert np.allclose(alone, padded, atol=1e-5)


def test_batches_embedded_side_by_side_are_the_vectors_embedded_one_by_one(monkeypatch) -> None:
    texts = [f"Sentence {i} says that the police {'visit ' * i}children." for i in range(9)]
    monkeypatch.setattr(embed, "BATCH", 2)  # five batches
    monkeypatch.setenv("JTAI_EMBED_JOBS", "1")
    one = embed.Encoder()
    alone = one.encode(texts)
    monkeypatch.setenv("JTAI_EMBED_JOBS", "2")
    two = embed.Encoder()
    side_by_side = two.encode(texts)
    assert len(one._sessions) == 1 and len(two._sessions) == 2
    assert np.array_equal(alone, side_by_side)
    assert len(two.encode(["One sentence."])) == 1 and len(two._sessions) == 2


def test_vectors_carry_meaning_beyond_shared_words() -> None:
    query, near, far = embed.encode(
        [
            "Children who go missing are not always offered a return home interview.",
            "Young people are rarely spoken to after they have run away.",
            "The council's budget for road repairs was agreed in March.",
        ]
    )
    assert float(query @ near) > float(query @ far) + 0.2


def test_packaged_files_are_the_checked_ones(tmp_path: Path) -> None:
    model, tokenizer = embed.model_files()
    embed._check(model, embed.MODEL_SHA256)
    embed._check(tokenizer, embed.TOKENIZER_SHA256)
    changed = tmp_path / "model.onnx"
    changed.write_bytes(model.read_bytes()[:-1] + b"\0")
    with pytest.raises(embed.EmbeddingModelError, match="not the file"):
        embed._check(changed, embed.MODEL_SHA256)
    with pytest.raises(embed.EmbeddingModelError, match="missing"):
        embed._check(tmp_path / "absent.onnx", embed.MODEL_SHA256)


GUARD = """
import socket, sys
def refuse(*a, **k):
    raise OSError("network used")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.getaddrinfo = refuse
socket.create_connection = refuse
sys.path.insert(0, {repo!r})
from analysis import embed
v = embed.encode(["Strategy discussions are timely."])
print(v.shape[1])
"""


def test_runs_with_the_network_off() -> None:
    # Every way out of the process raises: loading the model and tokenizer must not need one.
    out = subprocess.run(
        [sys.executable, "-c", GUARD.format(repo=str(REPO))],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == str(embed.DIM)
