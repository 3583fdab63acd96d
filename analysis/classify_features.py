"""Features of a finding for the classifier's models: pure functions over findings and vectors.

A finding is read with what a person reading it sees: its words (TF-IDF, fitted by the model),
its meaning (the sentence vector, analysis.embed), the meaning of the rest of its paragraph
(paragraph_vectors), the heading it sits under, whether it is a bullet, the lexicon hits of the
guide's wording (classify_rules), and, for a sentence that points back ('This ...', 'They ...'),
the previous sentence's lexicon hits (its topic hits for any sentence of the same bullet or
paragraph). The agency models alone also read the agencies the rest of the sentence's
paragraph names (paragraph_agencies).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from analysis import classify_rules as rules
from analysis import pattern_set
from analysis.letter import AGENCIES, SECTIONS, TOPICS, Finding

KINDS = ("bullet", "subbullet", "paragraph")
TAGS = AGENCIES + TOPICS


def lexicon_hits(text: str) -> np.ndarray:
    """1/0 per agency and topic lexicon (AGENCIES then TOPICS order)."""
    found = rules.agencies_in(text) | rules.topics_in(text)
    return np.array([t in found for t in TAGS], dtype=np.float32)


CUES = ("context", "judgement", "bare_noun_phrase", "negative", "positive", "refers_back", "short")


def cue_flags(text: str) -> np.ndarray:
    """The guide's cues that no vector carries reliably (CUES order)."""
    found = rules.cues_in(text)
    return np.array(
        [
            rules.context_rule(text, found),
            "judgement" in found,
            rules.is_bare_noun_phrase(text, found),
            "negative" in found,
            "positive" in found,
            rules.refers_back(text),
            len(text) < 60,
        ],
        dtype=np.float32,
    )


def text_features(text: str) -> np.ndarray:
    """What the rules read in a sentence alone: lexicon hits, then cues. The regular
    expressions are most of a build's feature time, so these rows are cached per sentence
    (classify.Corpus) under RULES_VERSION."""
    return np.concatenate([lexicon_hits(text), cue_flags(text)])


TEXT_WIDTH = len(TAGS) + len(CUES)
# Changes whenever the rules, their matching or this module change, so cached rows never
# outlive their rules.
RULES_VERSION = hashlib.sha256(
    b"".join(Path(m.__file__).read_bytes() for m in (rules, pattern_set))
    + Path(__file__).read_bytes()
).hexdigest()[:16]


def heading_onehot(f: Finding, judgement: bool) -> np.ndarray:
    """Section and kind, one-hot (a section unknown to this version is all zeros), and the
    section again where the sentence has no word of judgement: description under a Strengths
    heading is the guide's `context`, and a linear model cannot make that product itself."""
    sec = np.array([f.section == s for s in SECTIONS], dtype=np.float32)
    kind = np.array([f.kind == k for k in KINDS], dtype=np.float32)
    plain = sec * float(not judgement)
    return np.concatenate([sec, kind, plain])


def agency_section_onehot(f: Finding) -> np.ndarray:
    return np.array([f.agency_section == a for a in AGENCIES], dtype=np.float32)


def dense_features(
    findings: list[Finding], vectors: np.ndarray, text_rows: np.ndarray | None = None
) -> np.ndarray:
    """One row per finding, findings in reading order within each letter: the vector and its
    paragraph's (paragraph_vectors), the lexicon hits, the previous sentence's hits when this
    one points back (its topic hits whenever both are in one bullet or paragraph), the
    previous sentence's agency hits when this one names no agency, the cues, the heading and
    the agency sub-heading. ``text_rows``: text_features of each finding, when already known."""
    if text_rows is None:
        text_rows = np.array([text_features(f.text) for f in findings], dtype=np.float32)
    rows = []
    meaning = np.hstack([vectors, paragraph_vectors(findings, vectors)])
    prev_hits = np.zeros(len(TAGS), dtype=np.float32)
    prev_paragraph = ("", "", -1)  # (letter, section, paragraph) of the sentence before
    back_at, judge_at = len(TAGS) + CUES.index("refers_back"), len(TAGS) + CUES.index("judgement")
    n_agencies = len(AGENCIES)
    for i, f in enumerate(findings):
        hits, cues = text_rows[i, : len(TAGS)], text_rows[i, len(TAGS) :]
        here = _paragraph_of(f)
        same = here[:2] == prev_paragraph[:2]  # the same letter and section
        back = prev_hits.copy() if (same and text_rows[i, back_at]) else np.zeros_like(prev_hits)
        # Within a bullet or paragraph, the sentence before's topics are read whether or not
        # this one points back: 'Some were dropped too early.' after a sentence on
        # investigations of the men involved. The model learns how far they count; hard case 6
        # of docs/taxonomy.md keeps a topic only where the sentence is about it (development
        # folds, model version 9: perpetrator focus 0.700 -> 0.715, macro-F1 0.9315 -> 0.9330,
        # topics and agencies within 0.001).
        if here == prev_paragraph:
            back[n_agencies:] = np.maximum(back[n_agencies:], prev_hits[n_agencies:])
        # A sentence that names no agency mostly goes on about the one the sentence before
        # named ('Inspectors saw ...' after a sentence on the police): the guide's 'clearly
        # implied' (development folds: agencies micro-F1 0.804 -> 0.815).
        unnamed = same and not hits[:n_agencies].any()
        earlier = prev_hits[:n_agencies] if unnamed else np.zeros(n_agencies, dtype=np.float32)
        head = heading_onehot(f, bool(text_rows[i, judge_at]))
        rows.append(
            np.concatenate([meaning[i], hits, back, earlier, cues, head, agency_section_onehot(f)])
        )
        prev_hits, prev_paragraph = hits, here
    if not rows:
        return np.zeros((0, 2 * vectors.shape[1] + _AFTER_VECTOR), dtype=np.float32)
    return np.hstack([np.vstack(rows), paragraph_agencies(findings, text_rows)]).astype(np.float32)


def paragraph_vectors(findings: list[Finding], vectors: np.ndarray) -> np.ndarray:
    """For each sentence, the mean vector of the other sentences of its bullet or paragraph;
    zeros for a sentence alone. 'Too often, the response was delayed' means what its paragraph
    is about: the agency, the process, the harm (development folds, read by every model:
    macro-F1 0.914 -> 0.919, topics micro-F1 0.777 -> 0.782, agencies 0.837 -> 0.840)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    out = np.zeros_like(vectors)
    for start, end in _paragraphs(findings):
        if end - start > 1:
            total = vectors[start:end].sum(axis=0)
            out[start:end] = (total - vectors[start:end]) / (end - start - 1)
    return out


def paragraph_agencies(findings: list[Finding], text_rows: np.ndarray) -> np.ndarray:
    """For a sentence that names no agency, the agencies named earlier in its bullet or
    paragraph, then those named later in it; zeros for a sentence that names one. The guide's
    'clearly implied': 'Too often, the response was delayed' is about whoever its paragraph
    names. Earlier and later apart, so a model can weigh them differently (development folds:
    agencies micro-F1 0.822 -> 0.834 over model version 5's lexicons; the previous sentence
    alone, across paragraphs, is in dense_features)."""
    n_agencies = len(AGENCIES)
    named = text_rows[:, :n_agencies] > 0
    out = np.zeros((len(findings), PARAGRAPH_WIDTH), dtype=np.float32)
    for start, end in _paragraphs(findings):
        for i in range(start, end):
            if not named[i].any():
                out[i, :n_agencies] = named[start:i].any(axis=0)
                out[i, n_agencies:] = named[i + 1 : end].any(axis=0)
    return out


def _paragraphs(findings: list[Finding]) -> Iterator[tuple[int, int]]:
    """(start, end) of each bullet or paragraph: its rows are start..end-1 (findings in reading
    order, so a paragraph's sentences are adjacent)."""
    start = 0
    for end in range(1, len(findings) + 1):
        if end == len(findings) or _paragraph_of(findings[end]) != _paragraph_of(findings[start]):
            yield start, end
            start = end


def _paragraph_of(f: Finding) -> tuple[str, str, int]:
    return (f.letter_id, f.section, f.paragraph)


# The dense row after the vector: hits, hits pointed back to, the previous sentence's agency
# hits, cues, heading (section, kind, section without judgement), agency sub-heading, and
# last the paragraph's agencies (earlier, later), which only the agency models read.
_HEADING_WIDTH = 2 * len(SECTIONS) + len(KINDS)
PARAGRAPH_WIDTH = 2 * len(AGENCIES)
_AFTER_VECTOR = (
    2 * len(TAGS) + len(AGENCIES) + len(CUES) + _HEADING_WIDTH + len(AGENCIES) + PARAGRAPH_WIDTH
)


def shared(dense: np.ndarray) -> np.ndarray:
    """The columns every model reads: the row without the paragraph's agencies. (On the label
    and topic models those columns scored the same or lower in development folds.)"""
    return dense[:, : dense.shape[1] - PARAGRAPH_WIDTH]


def paragraph_slice(dense: np.ndarray) -> slice:
    return slice(dense.shape[1] - PARAGRAPH_WIDTH, dense.shape[1])


def agency_section_slice(dense: np.ndarray) -> slice:
    end = dense.shape[1] - PARAGRAPH_WIDTH
    return slice(end - len(AGENCIES), end)


def tag_index(tag: str) -> int:
    return TAGS.index(tag)


def embed_width(dense: np.ndarray) -> int:
    """Where the lexicon hits start in a dense row (after the two vectors)."""
    return dense.shape[1] - _AFTER_VECTOR


def vector_slice(dense: np.ndarray) -> slice:
    """The sentence's own vector: the first half of the row's meaning."""
    return slice(0, embed_width(dense) // 2)


def paragraph_vector_slice(dense: np.ndarray) -> slice:
    """The paragraph's vector (paragraph_vectors): the second half of the row's meaning."""
    width = embed_width(dense)
    return slice(width // 2, width)


def earlier_slice(dense: np.ndarray) -> slice:
    """The previous sentence's agency hits, where this one names no agency."""
    start = embed_width(dense) + 2 * len(TAGS)
    return slice(start, start + len(AGENCIES))


def heading_slice(dense: np.ndarray) -> slice:
    start = embed_width(dense) + 2 * len(TAGS) + len(AGENCIES) + len(CUES)
    return slice(start, start + _HEADING_WIDTH)
