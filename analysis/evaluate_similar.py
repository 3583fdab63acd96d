"""How good "findings like this" is, on the hand-labelled gold: precision at 5 of the shipped
method (cosine of the build's sentence embeddings) against plain TF-IDF cosine.

Each gold sentence (matched to its finding as analysis.gold matches them) is a query; its
candidates are the gold sentences of the other letters, as /similar shows only other letters.
Of the five nearest, precision at 5 is the share that (a) shares a gold topic with the query
(queries without a topic are left out of this one) and (b) has the query's gold label. Both
methods rank the same candidates for the same queries; neither is tuned on the gold.

    python -m analysis.evaluate_similar   # adds "similar" to evaluation.json and the card
    python -m analysis evaluate           # runs it too, after the classifier's figures

It also measures search by meaning's threshold (similarity.MEANING_THRESHOLD) on the gold's
development letters only (gold/split.csv; the frozen test letters are never read for it): each
topic of the taxonomy, by its name and by a phrase in this tool's own words, is a query over
those letters' gold sentences; a sentence is relevant when its gold topics hold the topic. For
every threshold t, precision and recall of "cosine >= t" pooled over the queries; the chosen t
is the one of highest F0.5 (a tie: the higher t). F0.5 weighs precision twice as much as
recall: a match is shown as an answer and counted in Compare's shares, so a wrong one costs the
reader more than a missed one (which the search by words may still find). A sentence's gold
topics are broader than a phrase, so recall is low at any useful threshold.

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
from analysis import gold, similarity, store
from analysis.taxonomy import TOPICS, topic_name

K = 5
CARD_HEADING = "## Findings like this (precision at 5)"


@dataclass(frozen=True)
class Item:
    finding_id: str
    letter: str
    label: str
    topics: frozenset[str]
    part: str = ""  # the letter's part of the gold split: dev, test or "" (neither)


# A phrase per topic, as a reader might search for it (this tool's own words, after the
# labelling guide's definition): with each topic's name, the queries that measure the threshold.
TOPIC_PHRASES = {
    "perpetrator_focus": "action against perpetrators: arrests, disruption, offender management",
    "voice_of_child": "listening to the child's voice, wishes and lived experience",
    "information_sharing": "sharing information between agencies and strategy discussions",
    "assessment_and_planning": "assessments of risk and need and children's plans",
    "management_oversight": "management oversight, supervision and audits of cases",
    "workforce": "caseloads, recruitment, staff turnover and training",
    "leadership_and_partnership": "strategic leadership, governance and partnership arrangements",
    "early_help": "early help and family support before statutory services",
    "missing_children": "children missing from home, care or school and return home interviews",
    "exploitation": "child sexual and criminal exploitation, county lines and gangs",
    "domestic_abuse": "domestic abuse in the child's household and coercive control",
    "timeliness": "delays, drift and waiting times",
    "access_to_services": "availability of services and waiting lists for CAMHS",
    "send_and_disability": "children with special educational needs and disabilities",
    "diversity_and_identity": "ethnicity, culture, faith, language and identity",
}
THRESHOLDS = tuple(round(0.2 + 0.01 * i, 2) for i in range(51))  # 0.20 to 0.70


def hits_at_k(sims: np.ndarray, items: Sequence[Item], k: int = K) -> dict[str, np.ndarray]:
    """Per query, the share of its ``k`` nearest (other letters only; ``sims[i, j]``: how
    similar item j is to query i) that share a topic with it ("topic", NaN for a query with no
    topic) and that have its label ("label")."""
    letters = np.array([it.letter for it in items])
    topic = np.full(len(items), np.nan)
    label = np.full(len(items), np.nan)
    for i, q in enumerate(items):
        top = similarity.top_k(sims[i], k, letters != q.letter)
        if len(top) < k:
            continue
        label[i] = np.mean([items[j].label == q.label for j in top])
        if q.topics:
            topic[i] = np.mean([bool(items[j].topics & q.topics) for j in top])
    return {"topic": topic, "label": label}


def summarise(
    hits: dict[str, np.ndarray], other: dict[str, np.ndarray], letters: Sequence[str], seed: int = 0
) -> dict[str, object]:
    """Mean precision of ``hits``, its 95% interval and that of its difference from ``other``
    (the same queries), both by bootstrap over letters (a letter's sentences share wording, so
    they are resampled together)."""
    rng = np.random.default_rng(seed)
    groups = {}
    for i, letter in enumerate(letters):
        groups.setdefault(letter, []).append(i)
    keys = list(groups)
    out: dict[str, object] = {}
    for measure in ("topic", "label"):
        a, b = hits[measure], other[measure]
        ok = ~np.isnan(a) & ~np.isnan(b)
        if not ok.any():
            out.update({measure: float("nan"), f"queries_{measure}": 0})
            out[f"{measure}_ci95"] = out[f"{measure}_minus_other_ci95"] = [float("nan")] * 2
            continue
        means, diffs = [], []
        for _ in range(1000):
            pick = rng.choice(len(keys), len(keys), replace=True)
            idx = np.array([i for g in pick for i in groups[keys[g]] if ok[i]])
            if len(idx):
                means.append(a[idx].mean())
                diffs.append(a[idx].mean() - b[idx].mean())
        out[measure] = round(float(a[ok].mean()), 4)
        out[f"{measure}_ci95"] = [round(float(np.percentile(means, q)), 4) for q in (2.5, 97.5)]
        out[f"{measure}_minus_other_ci95"] = [
            round(float(np.percentile(diffs, q)), 4) for q in (2.5, 97.5)
        ]
        out[f"queries_{measure}"] = int(ok.sum())
    return out


def threshold_curve(
    sims: np.ndarray, relevant: np.ndarray, thresholds: Sequence[float] = THRESHOLDS
) -> list[dict[str, float]]:
    """For each threshold t: precision, recall, F1 and F0.5 of "``sims`` >= t" against ``relevant``
    (both queries x sentences), pooled over every query, and how many pairs match."""
    out = []
    for t in thresholds:
        hit = sims >= t
        tp = int(np.count_nonzero(hit & relevant))
        matches = int(np.count_nonzero(hit))
        wanted = int(np.count_nonzero(relevant))
        p = tp / matches if matches else 0.0
        r = tp / wanted if wanted else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        f_half = 1.25 * p * r / (0.25 * p + r) if p + r else 0.0
        out.append(
            {
                "threshold": float(t),
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f1, 4),
                "f0_5": round(f_half, 4),
                "matches": matches,
            }
        )
    return out


def pick_threshold(curve: Sequence[dict[str, float]]) -> dict[str, float]:
    """The point of highest F0.5; of equal ones, the higher threshold (fewer, closer matches)."""
    return max(curve, key=lambda c: (c["f0_5"], c["threshold"]))


def threshold_queries() -> list[tuple[str, str]]:
    """(topic, query text): each topic's name and its phrase."""
    return [(t, q) for t in TOPICS for q in (topic_name(t), TOPIC_PHRASES[t])]


def measure_threshold(db: Path, items: Sequence[Item]) -> dict[str, object]:
    """Search by meaning's threshold measured on the development letters' gold sentences."""
    from analysis import embed  # the model, only when measuring

    dev = [it for it in items if it.part == "dev"]
    if not dev:
        return {}
    queries = threshold_queries()
    qv = embed.encode([q for _, q in queries])
    sims = qv @ embedding_rows(db, dev).T
    relevant = np.array([[topic in it.topics for it in dev] for topic, _ in queries])
    curve = threshold_curve(sims, relevant)
    shipped = similarity.MEANING_THRESHOLD
    return {
        "rule": "highest F0.5 (precision weighs twice recall) of cosine >= t against the gold "
        "topic, pooled over the queries",
        "queries": len(queries),
        "sentences": len(dev),
        "letters": len({it.letter for it in dev}),
        "chosen": pick_threshold(curve),
        "best_f1": max(curve, key=lambda c: (c["f1"], c["threshold"])),
        "shipped": next(c for c in curve if abs(c["threshold"] - shipped) < 1e-9),
        "curve": curve,
    }


def tfidf_sims(texts: Sequence[str], corpus: Sequence[str]) -> np.ndarray:
    """Plain TF-IDF cosine (scikit-learn's defaults, fitted on every finding of the corpus)."""
    vec = TfidfVectorizer().fit(corpus)
    m = vec.transform(texts)
    return (m @ m.T).toarray()


def ready(db: Path) -> bool:
    """Whether ``db`` exists and holds the build's vectors (older builds have none)."""
    if not db.exists():
        return False
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        return similarity.has_vectors(conn)
    finally:
        conn.close()


def gold_items(db: Path, gold_dir: Path | None = None) -> tuple[list[Item], list[str], list[str]]:
    """The gold rows matched to findings: items, their texts, and every finding's text."""
    letters = store.read_letters(db)
    rows = gold.read_gold(gold_dir)
    split = gold.read_split(gold_dir)
    matched = gold.match_gold(rows, gold.gold_letters(rows, letters))
    items: list[Item] = []
    texts: list[str] = []
    seen: set[str] = set()
    for r, f, _how in matched:
        if f is None or f.finding_id in seen or not r.label:
            continue
        seen.add(f.finding_id)
        items.append(
            Item(
                f.finding_id,
                f.letter_id,
                r.label,
                frozenset(t for t in r.topics.split(";") if t),
                split.get(r.letter_file, ""),
            )
        )
        texts.append(f.text)
    corpus = [f.text for lt in letters for f in lt.findings]
    return items, texts, corpus


def embedding_sims(db: Path, items: Sequence[Item]) -> np.ndarray:
    m = embedding_rows(db, items)
    return m @ m.T


def embedding_rows(db: Path, items: Sequence[Item]) -> np.ndarray:
    """The stored vectors of ``items``, one row each."""
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        vec = similarity.load(conn)
    finally:
        conn.close()
    rows = [vec.row(it.finding_id) for it in items]
    if any(r is None for r in rows):
        raise RuntimeError("some gold findings have no stored vector: rebuild the database")
    return vec.matrix[rows]


def run(db: Path | None = None, gold_dir: Path | None = None) -> dict:
    db = db or config.db_path()
    items, texts, corpus = gold_items(db, gold_dir)
    emb_hits = hits_at_k(embedding_sims(db, items), items)
    tfidf_hits = hits_at_k(tfidf_sims(texts, corpus), items)
    letters = [it.letter for it in items]
    emb = summarise(emb_hits, tfidf_hits, letters)
    tfidf = summarise(tfidf_hits, emb_hits, letters)
    return {
        "k": K,
        "gold_sentences": len(items),
        "letters": len({it.letter for it in items}),
        "shipped": {"method": "sentence embeddings (all-MiniLM-L6-v2), cosine", **emb},
        "tfidf": {"method": "TF-IDF cosine (scikit-learn defaults)", **tfidf},
        "meaning_threshold": measure_threshold(db, items),
    }


def card_section(fig: dict) -> str:
    s, t = fig["shipped"], fig["tfidf"]

    def cell(m: dict, measure: str) -> str:
        lo, hi = m[f"{measure}_ci95"]
        return f"{m[measure]:.3f} ({lo:.3f}-{hi:.3f})"

    return (
        f"{CARD_HEADING}\n\n"
        f"Each of {fig['gold_sentences']} gold sentences ({fig['letters']} letters) as a query; "
        "candidates: the gold sentences of other letters; share of the 5 nearest that share a "
        "gold topic with the query (queries with a topic), and that have its gold label. "
        "95% intervals by bootstrap over letters.\n\n"
        "| method | shares a topic | same label |\n|---|---|---|\n"
        f"| {s['method']} (shipped) | {cell(s, 'topic')} | {cell(s, 'label')} |\n"
        f"| {t['method']} | {cell(t, 'topic')} | {cell(t, 'label')} |\n\n"
        f"Shipped minus TF-IDF, 95% interval: shares a topic "
        f"{s['topic_minus_other_ci95'][0]:+.3f} to {s['topic_minus_other_ci95'][1]:+.3f}; "
        f"same label {s['label_minus_other_ci95'][0]:+.3f} to "
        f"{s['label_minus_other_ci95'][1]:+.3f} ({s['queries_topic']} and "
        f"{s['queries_label']} queries).\n" + threshold_section(fig.get("meaning_threshold"))
    )


def threshold_section(m: dict | None) -> str:
    if not m:
        return ""

    def point(c: dict) -> str:
        return (
            f"cosine >= {c['threshold']:.2f}: precision {c['precision']:.3f}, recall "
            f"{c['recall']:.3f}, F1 {c['f1']:.3f}, F0.5 {c['f0_5']:.3f}"
        )

    return (
        f"\n### Search by meaning's threshold\n\n"
        f"{m['queries']} queries (each topic's name and a phrase for it) over the "
        f"{m['sentences']} gold sentences of the {m['letters']} development letters (the test "
        f"letters are not read); relevant: the sentence's gold topics hold the query's topic. "
        f"Rule: {m['rule']}.\n\n"
        f"- chosen: {point(m['chosen'])}\n"
        f"- shipped: {point(m['shipped'])}\n"
        f"- highest F1, for comparison: {point(m['best_f1'])}\n"
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
