"""Helpers shared by the classifier tests (no tests here): the shared letters parsed in place,
once per session, their sentence vectors (through the tests' shared vector cache), and models
trained on them and the gold set. Skips cleanly when /work/shared is absent."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from analysis import classify, embed_cache
from analysis.build import parse_file
from analysis.classify_model import Models
from analysis.letter import Finding, Letter, NotAJtaiLetter
from analysis.sentences import sentence_key
from scrapers.rawstore import RawRecord

LETTERS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "jtai-letters"


def require_letters() -> Path:
    if not any(LETTERS_DIR.glob("*.pdf")):
        pytest.skip(f"the shared letters are not at {LETTERS_DIR}: model tests need real letters")
    return LETTERS_DIR


def _record(path: Path) -> RawRecord:
    m = re.fullmatch(r"(\d+)-.*?(\d{4}-\d{2}-\d{2})", path.stem)
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    return RawRecord(
        file_id=f"sha-{sha[:16]}",
        urn=m.group(1) if m else "",
        provider="",
        report_type="",
        published=m.group(2) if m else "",
        source_url="",
        sha256=sha,
        bytes=len(data),
        origin="folder",
        original_name=path.name,
        fetched_at="",
    )


@lru_cache(maxsize=1)
def all_letters() -> tuple[Letter, ...]:
    """Every JTAI letter of the shared folder, parsed (other report types left out)."""
    out = []
    for path in sorted(require_letters().glob("*.pdf")):
        try:
            out.append(parse_file(path, _record(path)))
        except NotAJtaiLetter:
            continue
    return tuple(out)


@lru_cache(maxsize=1)
def all_vectors() -> np.ndarray:
    """One vector per finding of all_letters(), in their stored order."""
    return embed_cache.vectors([f.text for lt in all_letters() for f in lt.findings])[0]


@lru_cache(maxsize=1)
def full_models() -> Models:
    """Models trained as the build trains them: every gold sentence of the shared letters."""
    letters = list(all_letters())
    corpus = classify.Corpus.of(letters, all_vectors())
    return classify.train_models(
        corpus, classify.matched_gold(letters), {lt.letter_id for lt in letters}
    )


def finding(
    text: str,
    section: str = "main_findings",
    position: int = 1,
    kind: str = "bullet",
    agency_section: str = "",
    page: int = 1,
    paragraph: int = 1,
) -> Finding:
    """A finding made of a sentence written for the tests."""
    return Finding(
        finding_id=f"t-{position:04d}",
        letter_id="t",
        section=section,
        subsection="",
        agency_section=agency_section,
        paragraph=paragraph,
        kind=kind,
        sentence=1,
        page=page,
        position=position,
        text=text,
        key=sentence_key(text),
    )
