"""How good "findings like this" is, on the hand-labelled gold: precision at 5 of the shipped
method (cosine of the build's sentence embeddings) against plain TF-IDF cosine.

Each gold sentence (matched to its finding as analysis.evaluate matches them) is a query; its
candidates are the gold sentences of the other letters, as /similar shows only other letters.
Of the five nearest, precision at 5 is the share that (a) shares a gold topic with the query
(queries without a topic are left out of this one) and (b) has the query's gold label. Both
methods rank the same candidates for the same queries; neither is tuned on the gold.

    python -m analysis.evaluate_similar      # adds "similar" to evaluation.json and the card

Its figures are a separate key of ``config.evaluation_dir()/evaluation.json`` (written beside
analysis.evaluate's, never replacing them) and a section appended to model-card.md.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

import config
from analysis import evaluate, similarity, store

K = 5
CARD_HEADING = "## Findings like this (precision at 5)"


@dataclass(frozen=True)
class Item:
    finding_id: str
    letter: str
    label: str
    topics: frozenset[str]


def precision_at_k(sims: np.ndarray, items: Sequence[Item], k: int = K) -> dict[str, float]:
    """Mean precision at ``k`` over queries: ``sims[i, j]`` is how similar item j is to query
    i; candidates are items of other letters."""
    letters = np.array([it.letter for it in items])
    topic_hits: list[float] = []
    label_hits: list[float] = []
    for i, q in enumerate(items):
        allowed = letters != q.letter
        top = similarity.top_k(sims[i], k, allowed)
        if len(top) < k:
            continue
        label_hits.append(float(np.mean([items[j].label == q.label for j in top])))
        if q.topics:
            topic_hits.append(float(np.mean([bool(items[j].topics & q.topics) for j in top])))
    return {
        "topic": round(float(np.mean(topic_hits)), 4) if topic_hits else float("nan"),
        "label": round(float(np.mean(label_hits)), 4) if label_hits else float("nan"),
        "queries_topic": len(topic_hits),
        "queries_label": len(label_hits),
    }


def tfidf_sims(texts: Sequence[str], corpus: Sequence[str]) -> np.ndarray:
    """Plain TF-IDF cosine (scikit-learn's defaults, fitted on every finding of the corpus)."""
    vec = TfidfVectorizer().fit(corpus)
    m = vec.transform(texts)
    return (m @ m.T).toarray()


def gold_items(db: Path) -> tuple[list[Item], list[str], list[str]]:
    """The gold rows matched to findings: items, their texts, and every finding's text."""
    letters = store.read_letters(db)
    rows = evaluate.read_gold()
    matched = evaluate.match_gold(rows, evaluate.gold_letters(rows, letters))
    items: list[Item] = []
    texts: list[str] = []
    seen: set[str] = set()
    for r, f, _how in matched:
        if f is None or f.finding_id in seen or not r.label:
            continue
        seen.add(f.finding_id)
        items.append(
            Item(f.finding_id, f.letter_id, r.label, frozenset(t for t in r.topics.split(";") if t))
        )
        texts.append(f.text)
    corpus = [f.text for lt in letters for f in lt.findings]
    return items, texts, corpus


def embedding_sims(db: Path, items: Sequence[Item]) -> np.ndarray:
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        vec = similarity.load(conn)
    finally:
        conn.close()
    rows = [vec.row(it.finding_id) for it in items]
    if any(r is None for r in rows):
        raise RuntimeError("some gold findings have no stored vector: rebuild the database")
    m = vec.matrix[rows]
    return m @ m.T


def run(db: Path | None = None) -> dict:
    db = db or config.db_path()
    items, texts, corpus = gold_items(db)
    emb = precision_at_k(embedding_sims(db, items), items)
    tfidf = precision_at_k(tfidf_sims(texts, corpus), items)
    return {
        "k": K,
        "gold_sentences": len(items),
        "letters": len({it.letter for it in items}),
        "shipped": {"method": "sentence embeddings (all-MiniLM-L6-v2), cosine", **emb},
        "tfidf": {"method": "TF-IDF cosine (scikit-learn defaults)", **tfidf},
    }


def card_section(fig: dict) -> str:
    s, t = fig["shipped"], fig["tfidf"]
    return (
        f"{CARD_HEADING}\n\n"
        f"Each of {fig['gold_sentences']} gold sentences ({fig['letters']} letters) as a query; "
        "candidates: the gold sentences of other letters; share of the 5 nearest that share a "
        "gold topic with the query, and that have its gold label.\n\n"
        "| method | shares a topic | same label |\n|---|---|---|\n"
        f"| {s['method']} (shipped) | {s['topic']:.3f} ({s['queries_topic']} queries) | "
        f"{s['label']:.3f} ({s['queries_label']}) |\n"
        f"| {t['method']} | {t['topic']:.3f} | {t['label']:.3f} |\n"
    )


def write(fig: dict, out_dir: Path | None = None) -> Path:
    """Add the figures under the key "similar" of evaluation.json and a section to the model
    card, keeping whatever analysis.evaluate wrote there."""
    out_dir = out_dir or config.evaluation_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "evaluation.json"
    figures = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    figures["similar"] = fig
    path.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    card = out_dir / "model-card.md"
    text = card.read_text(encoding="utf-8") if card.exists() else ""
    if CARD_HEADING in text:
        text = text[: text.index(CARD_HEADING)].rstrip() + "\n"
    card.write_text((text + "\n" if text else "") + card_section(fig), encoding="utf-8")
    return path


if __name__ == "__main__":
    figures = run()
    write(figures)
    print(card_section(figures))
