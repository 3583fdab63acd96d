"""Shared set-up for the dashboard tests: a small real corpus built by the real pipeline.

Not a conftest (other engineers own tests/); the builder caches per process so every test
module that imports it shares one build.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import config

REPO = Path(__file__).resolve().parent.parent
LETTERS = config.SHARED_DIR / "jtai-letters"
# Two CSE and one domestic-abuse letter (the Compare defaults) plus a format B letter; one
# is a shire county (Hampshire) so the map's district mapping is exercised.
SAMPLE = (
    "80446-central-bedfordshire-2016-05-10.pdf",
    "80485-liverpool-2016-08-03.pdf",
    "80472-hampshire-2017-02-01.pdf",
    "80426-barnsley-2022-07-18.pdf",
)
_BUILT: dict[str, Path] = {}


def _run(args: list[str], data_dir: Path) -> None:
    env = {**os.environ, "JTAI_DATA_DIR": str(data_dir)}
    subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, check=True, capture_output=True, text=True
    )


def build_corpus(root: Path, files: tuple[str, ...] | None = SAMPLE) -> Path:
    """Ingest ``files`` (all letters when None) and build; returns the data directory."""
    key = ",".join(files or ("*",))
    if key in _BUILT:
        return _BUILT[key]
    if not LETTERS.exists():
        pytest.skip(f"shared letters not found at {LETTERS} (config.SHARED_DIR)")
    src = root / "letters"
    src.mkdir(parents=True)
    names = set(files) if files else {p.name for p in LETTERS.glob("*.pdf")}
    for name in sorted(names):
        shutil.copy(LETTERS / name, src / name)
    manifest = LETTERS / "manifest.csv"
    if manifest.exists():
        with manifest.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            rows = [r for r in reader if r["file"] in names]
            fields = reader.fieldnames or []
        with (src / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=fields)
            w.writeheader()
            w.writerows(rows)
    data_dir = root / "data"
    _run(["-m", "scrapers", "ingest", str(src)], data_dir)
    _run(["-m", "analysis", "build"], data_dir)
    _BUILT[key] = data_dir
    return data_dir


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("jtai_app_corpus"))
