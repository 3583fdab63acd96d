"""Tags every finding: label, agencies, topics (the models in classify_model decide).

``tag_corpus(letters, vectors)`` trains (or loads) the models on these letters and the gold
set, tags every finding in place and returns facts about the models for the meta table.
- The label of a sentence under an 'Area(s) for priority action' heading comes from the
  heading (``label_source`` "heading"), and 'There are no areas for priority action' is
  `context` wherever it stands; every other label is the model's (``label_source`` "model"),
  read from the sentence with its heading as evidence, not as the answer.
- ``label_confidence`` is the model's probability of its label; ``needs_review`` marks a label
  a reader should doubt (confidence below Params.review_threshold, chosen on development
  letters so that flagged sentences are wrong about as often as right).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from analysis import classify_features as feats
from analysis import classify_model as cm
from analysis import classify_rules as rules
from analysis import embed_cache
from analysis import gold as gold_set
from analysis.classify_model import CLASSES, Example, Models
from analysis.letter import AGENCIES, TOPICS, Finding, Letter


@dataclass(frozen=True)
class Params:
    """Decision settings, chosen on the development letters."""

    review_threshold: float = 0.6
    # Log-odds added to `context` before the argmax: the models under-call context (most
    # description sits under Strengths headings, whose sentences are mostly praise).
    context_bias: float = 0.0


DEFAULT_PARAMS = Params()
# Fewer hand-labelled sentences than this among the letters: learn labels from headings.
MIN_GOLD = 200


@dataclass
class Corpus:
    """Every finding in reading order with its text, its features and its letter."""

    findings: list[Finding]
    texts: list[str]
    dense: np.ndarray
    groups: list[str]  # letter id of each row
    row: dict[str, int]  # finding id -> row

    @classmethod
    def of(cls, letters: Sequence[Letter], vectors: np.ndarray) -> Corpus:
        """``vectors``: one per finding in the order of ``[f for lt in letters for f in
        lt.findings]`` (the order the store writes them)."""
        stored = [f.finding_id for lt in letters for f in lt.findings]
        if len(stored) != len(vectors):
            raise ValueError(f"{len(vectors)} vectors for {len(stored)} findings")
        at = {fid: i for i, fid in enumerate(stored)}
        findings = [f for lt in letters for f in sorted(lt.findings, key=lambda f: f.position)]
        vecs = vectors[[at[f.finding_id] for f in findings]] if findings else vectors
        text_rows, _ = embed_cache.rows(
            [f.text for f in findings],
            lambda texts: np.array([feats.text_features(t) for t in texts], dtype=np.float32),
            f"rules-{feats.RULES_VERSION}",
            feats.TEXT_WIDTH,
        )
        dense = feats.dense_features(findings, vecs, text_rows)
        return cls(
            findings=findings,
            texts=[f.text for f in findings],
            dense=dense,
            groups=[f.letter_id for f in findings],
            row={f.finding_id: i for i, f in enumerate(findings)},
        )

    def subset(self, letter_ids: set[str]) -> Corpus:
        """The rows of these letters only (their findings are the same objects)."""
        keep = [i for i, g in enumerate(self.groups) if g in letter_ids]
        findings = [self.findings[i] for i in keep]
        return Corpus(
            findings=findings,
            texts=[self.texts[i] for i in keep],
            dense=self.dense[keep],
            groups=[self.groups[i] for i in keep],
            row={f.finding_id: k for k, f in enumerate(findings)},
        )


def _tags(value: str) -> frozenset[str]:
    return frozenset(t for t in value.split(";") if t)


def examples(
    corpus: Corpus,
    gold: Sequence[tuple[gold_set.GoldRow, Finding]],
    weak_letters: set[str],
    weak_weight: float = cm.DEFAULT_SETTINGS.weak_weight,
) -> list[Example]:
    """Gold sentences (hand labels, heading kept) and weak heading-labelled sentences of the
    ``weak_letters`` (letter ids) that carry no hand label."""
    out: list[Example] = []
    seen: set[int] = set()
    for g, f in gold:
        i = corpus.row.get(f.finding_id)
        if i is None or i in seen:
            continue
        seen.add(i)
        label = g.label if g.label in CLASSES else None  # mixed and priority: not for labels
        out.append(Example(i, label, _tags(g.agencies), _tags(g.topics), 1.0, True))
    for i, f in enumerate(corpus.findings):
        if not weak_weight:
            break
        if i in seen or f.letter_id not in weak_letters or len(f.text) <= 3:
            continue
        weak = cm.weak_label(f)
        if weak is not None:
            out.append(Example(i, weak, None, None, weak_weight, False))
    return out


def train_models(
    corpus: Corpus,
    gold: Sequence[tuple[gold_set.GoldRow, Finding]],
    weak_letters: set[str],
    fp: str = "",
    settings: cm.Settings = cm.DEFAULT_SETTINGS,
) -> Models:
    ex = examples(corpus, gold, weak_letters, settings.weak_weight)
    groups = [corpus.groups[e.index] for e in ex]
    return cm.train(corpus.texts, corpus.dense, ex, groups, fp, settings)


def decide_labels(
    findings: Sequence[Finding], proba: np.ndarray, params: Params = DEFAULT_PARAMS
) -> list[tuple[str, str, float]]:
    """(label, label_source, confidence) for each finding, given the model's probabilities."""
    out: list[tuple[str, str, float]] = []
    for f, p in zip(findings, proba, strict=True):
        fixed = rules.heading_label(f.section, f.text)
        if fixed is not None:
            out.append((fixed, "heading", 1.0))
            continue
        if rules.is_no_priority_statement(f.text):
            out.append(("context", "model", 1.0))
            continue
        if params.context_bias:
            p = p * np.exp(params.context_bias * (np.arange(len(CLASSES)) == 0))
            p = p / p.sum()
        k = int(np.argmax(p))
        out.append((CLASSES[k], "model", round(float(p[k]), 4)))
    return out


def tag_rows(corpus: Corpus, models: Models, params: Params = DEFAULT_PARAMS) -> None:
    """Fill the tag fields of every finding of the corpus in place."""
    read = models.reading.read(corpus.texts)  # once, for every model
    # A gold letter's sentences are lent neighbours from other letters only, as in training.
    near = models.near(corpus.dense, corpus.groups)
    # Both multiply sparse matrices in scipy, which lets go of the GIL: side by side they
    # overlap.
    with ThreadPoolExecutor(2) as pool:
        label_job = pool.submit(models.label_proba, corpus.texts, corpus.dense, read, near)
        tags = models.tag_sets(corpus.texts, corpus.dense, read, near)
        proba = label_job.result()
    labels = decide_labels(corpus.findings, proba, params)
    for f, (label, source, conf), t in zip(corpus.findings, labels, tags, strict=True):
        f.label, f.label_source, f.label_confidence = label, source, conf
        f.needs_review = source == "model" and conf < params.review_threshold
        f.agencies = rules.join_tags(t & set(AGENCIES), AGENCIES)
        f.topics = rules.join_tags(t & set(TOPICS), TOPICS)


def gold_signature(rows: Sequence[gold_set.GoldRow]) -> str:
    h = hashlib.sha256()
    for r in sorted(rows, key=lambda r: (r.letter_file, r.key)):
        h.update(f"{r.letter_file}|{r.key}|{r.label}|{r.agencies}|{r.topics}\n".encode())
    return h.hexdigest()


def matched_gold(letters: Sequence[Letter]) -> list[tuple[gold_set.GoldRow, Finding]]:
    rows = gold_set.read_gold()
    return [
        (g, f)
        for g, f, _ in gold_set.match_gold(rows, gold_set.gold_letters(rows, letters))
        if f is not None
    ]


def _identity(
    learn_from: Sequence[Letter],
) -> tuple[list[tuple[gold_set.GoldRow, Finding]], cm.Settings, str]:
    """The gold sentences found among the letters, the settings for that many, and the name of
    the models trained on them."""
    matched = matched_gold(learn_from)
    settings = settings_for(len(matched))
    return (
        matched,
        settings,
        cm.fingerprint(learn_from, gold_signature([g for g, _ in matched]), settings),
    )


def fingerprint(letters: Sequence[Letter], extra: Sequence[Letter] = ()) -> str:
    """What the models trained on these letters (and the gold found among them) are called."""
    return _identity([*letters, *extra])[2]


def settings_for(n_gold: int) -> cm.Settings:
    """The training settings for this many gold sentences: with too few, labels are learnt
    from the letters' headings."""
    if n_gold < MIN_GOLD:
        return replace(cm.DEFAULT_SETTINGS, weak_weight=1.0)
    return cm.DEFAULT_SETTINGS


def _learnt_from(n_gold: int, n_extra: int) -> str:
    if n_gold < MIN_GOLD:
        return f"the letters' headings (only {n_gold} hand-labelled sentences found)"
    extra = f" ({n_extra} gold letters read for training only)" if n_extra else ""
    return f"{n_gold} hand-labelled sentences{extra}"


def tag_corpus(
    letters: list[Letter],
    vectors: np.ndarray,
    retrain: bool = False,
    tagged_by: str = "",
    extra: tuple[list[Letter], np.ndarray] | None = None,
) -> dict[str, str]:
    """Train on these letters and every gold sentence found among them (or load the models
    trained on exactly that) and tag the findings; facts for the meta table.

    ``tagged_by``: the fingerprint of the models that tagged the letters that already carry
    tags (from the previous database). When the models are those, only untagged letters are
    tagged: the others would get the same tags again (a letter's tags depend on the models
    and the letter alone).

    ``extra``: gold letters the corpus lacks, with their vectors, to learn from (not tagged).
    With too few gold sentences the label model learns from the headings instead, and the
    tags come from the lexicons; the meta table says which.
    """
    extra_letters, extra_vectors = extra or ([], np.zeros((0, vectors.shape[1])))
    learn_from = [*letters, *extra_letters]
    matched, settings, fp = _identity(learn_from)
    models = None if retrain else cm.load()
    trained = models is None or models.fingerprint != fp
    if trained and extra_letters:
        # The features of the corpus's own rows are computed once: they are the training
        # corpus's first rows (letters come first, and features never cross a letter).
        training = Corpus.of(learn_from, np.vstack([vectors, extra_vectors]))
        corpus = training.subset({lt.letter_id for lt in letters})
    else:
        corpus = training = Corpus.of(letters, vectors)
    if trained:
        models = train_models(training, matched, {lt.letter_id for lt in learn_from}, fp, settings)
        cm.save(models)
    assert models is not None
    if not trained and tagged_by == fp:
        todo = {lt.letter_id for lt in letters if any(not f.label for f in lt.findings)}
        if todo:
            tag_rows(corpus.subset(todo), models)
    else:
        tag_rows(corpus, models)
    flagged = sum(f.needs_review for f in corpus.findings)
    return {
        "classifier": (
            f"sentence meaning and wording, learnt from hand labels (version {cm.MODEL_VERSION})"
        ),
        "classifier_fingerprint": models.fingerprint,
        "classifier_trained_now": str(trained).lower(),
        "classifier_review_threshold": str(DEFAULT_PARAMS.review_threshold),
        "classifier_needs_review_share": (
            f"{flagged / len(corpus.findings):.4f}" if corpus.findings else "0"
        ),
        "classifier_train_counts": ";".join(f"{k}={v}" for k, v in models.n_train.items()),
        "classifier_learnt_from": _learnt_from(len(matched), len(extra_letters)),
    }
