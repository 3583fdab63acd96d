"""Shared fixtures: the shared letters (read in place, never copied), a private data
directory per test, and the fixture website."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from site_fixture import LETTERS_DIR, FixtureSite, require_shared_letters, running_site
from site_fixture import shared_manifest as read_shared_manifest

__all__ = ["LETTERS_DIR"]

# Every test's data directory is new, but a sentence's vector never changes: one cache of
# vectors for the whole run (and the next) keeps builds in tests from embedding the same
# letters again and again. Tests of the cache itself pass their own path.
os.environ.setdefault(
    "JTAI_EMBED_CACHE", str(Path(tempfile.gettempdir()) / "jtai-tests-embeddings.sqlite")
)
# Builds in tests learn from the gold sentences of their own few letters; reading the other
# gold letters from ../shared for training is tested where it is the point
# (test_build.py::test_gold_letters_outside_the_corpus_are_learnt_from).
os.environ.setdefault("JTAI_GOLD_LETTERS_DIR", "")


@pytest.fixture(scope="session")
def letters_dir() -> Path:
    return require_shared_letters()


@pytest.fixture(scope="session")
def shared_manifest(letters_dir: Path) -> dict[str, dict[str, str]]:
    return read_shared_manifest()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh JTAI_DATA_DIR for this test only."""
    d = tmp_path / "data"
    monkeypatch.setenv("JTAI_DATA_DIR", str(d))
    return d


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    """The fixture reports website on 127.0.0.1, serving the real PDFs."""
    with running_site() as s:
        yield s
