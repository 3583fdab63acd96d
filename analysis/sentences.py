"""Sentence splitting and the sentence key shared by the parser, the classifier and the gold set.

Letters are classified sentence by sentence (a paragraph often mixes praise and criticism), so
the splitter decides what a "finding" is at the finest level. The key lets a hand-labelled
sentence be found again without storing the letter's text: it hashes only the sentence's
letters and digits, so line breaks, hyphenation and quote styles do not change it.
"""

from __future__ import annotations

import hashlib
import re

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "e.g",
    "i.e",
    "etc",
    "dr",
    "mr",
    "mrs",
    "ms",
    "no",
    "st",
    "vs",
    "cf",
    "approx",
    "para",
    "ref",
}

# A sentence ends at . ! or ? (optionally followed by a closing quote or bracket), then space,
# then something that can open a sentence.
_BOUNDARY = re.compile(r"""([.!?][’'"”)\]]*)\s+(?=[A-Z0-9‘“'"(])""")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences; a fragment with no full stop is one sentence."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end(1)
        candidate = text[start:end]
        last_word = re.search(r"([A-Za-z.]+)[.!?][’'\"”)\]]*$", candidate)
        if last_word and last_word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        # "1." at the start of a numbered paragraph, or a lone initial ("J. Smith"), is no end.
        if re.fullmatch(r"\s*(\d+|[A-Z])\.", candidate):
            continue
        out.append(candidate.strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def normalise_for_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def sentence_key(text: str) -> str:
    """A short, stable hash of a sentence: 12 hex digits of sha1 over its letters and digits."""
    return hashlib.sha1(normalise_for_key(text).encode()).hexdigest()[:12]


def first_words(text: str, n: int = 4) -> str:
    """The first ``n`` words, enough for a person to find the sentence in the letter."""
    return " ".join(re.findall(r"[\w’'-]+", text)[:n])
