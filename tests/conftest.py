"""Shared fixtures: where the shared letters are, and a private data directory per test."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import config

LETTERS_DIR = config.SHARED_DIR / "jtai-letters"


def shared_letters_or_skip() -> Path:
    if not (LETTERS_DIR / "manifest.csv").exists():
        pytest.skip(f"the shared letters are not at {LETTERS_DIR} (read at run time, never copied)")
    return LETTERS_DIR


@pytest.fixture(scope="session")
def letters_dir() -> Path:
    return shared_letters_or_skip()


@pytest.fixture(scope="session")
def shared_manifest(letters_dir: Path) -> dict[str, dict[str, str]]:
    with (letters_dir / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh)}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh JTAI_DATA_DIR for this test only."""
    d = tmp_path / "data"
    monkeypatch.setenv("JTAI_DATA_DIR", str(d))
    return d
