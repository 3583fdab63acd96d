"""Features of a finding for the classifier's models: pure functions over findings and vectors.

A finding is read with what a person reading it sees: its words (TF-IDF, fitted by the model),
its meaning (the sentence vector, analysis.embed), the heading it sits under, whether it is a
bullet, the lexicon hits of the guide's wording (classify_rules), and, for a sentence that
points back ('This ...', 'They ...'), the previous sentence's lexicon hits.
"""

from __future__ import annotations

import numpy as np

from analysis import classify_rules as rules
from analysis.letter import AGENCIES, SECTIONS, TOPICS, Finding

KINDS = ("bullet", "subbullet", "paragraph")
TAGS = AGENCIES + TOPICS


def lexicon_hits(text: str) -> np.ndarray:
    """1/0 per agency and topic lexicon (AGENCIES then TOPICS order)."""
    found = rules.agencies_in(text) | rules.topics_in(text)
    return np.array([t in found for t in TAGS], dtype=np.float32)


def cue_flags(f: Finding) -> np.ndarray:
    """The guide's cues that no vector carries reliably."""
    return np.array(
        [
            rules.context_rule(f.text),
            rules.has_judgement(f.text),
            rules.is_bare_noun_phrase(f.text),
            rules.has_negative_cue(f.text),
            rules.has_positive_cue(f.text),
            rules.refers_back(f.text),
            len(f.text) < 60,
        ],
        dtype=np.float32,
    )


def heading_onehot(f: Finding) -> np.ndarray:
    """Section and kind, one-hot (a section unknown to this version is all zeros), and the
    section again where the sentence has no word of judgement: description under a Strengths
    heading is the guide's `context`, and a linear model cannot make that product itself."""
    sec = np.array([f.section == s for s in SECTIONS], dtype=np.float32)
    kind = np.array([f.kind == k for k in KINDS], dtype=np.float32)
    plain = sec * float(not rules.has_judgement(f.text))
    return np.concatenate([sec, kind, plain])


def agency_section_onehot(f: Finding) -> np.ndarray:
    return np.array([f.agency_section == a for a in AGENCIES], dtype=np.float32)


def dense_features(
    findings: list[Finding], vectors: np.ndarray, with_heading: np.ndarray | None = None
) -> np.ndarray:
    """One row per finding, findings in reading order within each letter.

    ``with_heading``: per row, False to zero the heading features (weak examples whose label
    came from their heading must not teach the model that the heading is the answer).
    """
    rows = []
    prev_hits = np.zeros(len(TAGS), dtype=np.float32)
    prev_letter, prev_section = "", ""
    for i, f in enumerate(findings):
        hits = lexicon_hits(f.text)
        same = f.letter_id == prev_letter and f.section == prev_section
        back = prev_hits if (same and rules.refers_back(f.text)) else np.zeros_like(prev_hits)
        head = heading_onehot(f)
        if with_heading is not None and not with_heading[i]:
            head = np.zeros_like(head)
        rows.append(
            np.concatenate([vectors[i], hits, back, cue_flags(f), head, agency_section_onehot(f)])
        )
        prev_hits, prev_letter, prev_section = hits, f.letter_id, f.section
    if not rows:
        width = (
            vectors.shape[1] + 2 * len(TAGS) + 7 + 2 * len(SECTIONS) + len(KINDS) + len(AGENCIES)
        )
        return np.zeros((0, width), dtype=np.float32)
    return np.vstack(rows).astype(np.float32)


def tag_index(tag: str) -> int:
    return TAGS.index(tag)


def embed_width(dense: np.ndarray) -> int:
    """Where the lexicon hits start in a dense row (after the vector)."""
    return dense.shape[1] - (2 * len(TAGS) + 7 + 2 * len(SECTIONS) + len(KINDS) + len(AGENCIES))


def heading_slice(dense: np.ndarray) -> slice:
    start = embed_width(dense) + 2 * len(TAGS) + 7
    return slice(start, start + 2 * len(SECTIONS) + len(KINDS))
