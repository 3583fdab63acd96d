"""Helpers shared by the classifier tests (no tests here): the shared letters parsed in place,
once per session, and a model trained on them. Skips cleanly when /work/shared is absent."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import pytest

from analysis.build import parse_file
from analysis.classify_model import LabelModel, train
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
def full_model() -> LabelModel:
    return train(list(all_letters()))


def finding(
    text: str,
    section: str = "main_findings",
    position: int = 1,
    kind: str = "bullet",
    agency_section: str = "",
    page: int = 1,
) -> Finding:
    """A finding made of a sentence written for the tests."""
    return Finding(
        finding_id=f"t-{position:04d}",
        letter_id="t",
        section=section,
        subsection="",
        agency_section=agency_section,
        paragraph=1,
        kind=kind,
        sentence=1,
        page=page,
        position=position,
        text=text,
        key=sentence_key(text),
    )
