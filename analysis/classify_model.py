"""The classifier's models, learnt from the hand-labelled gold set and the letters' headings.

- Label: multinomial logistic regression over TF-IDF word 1-2 grams and character 3-5 grams,
  the sentence vector, the guide's cue flags and lexicon hits, and the heading. It learns from
  gold sentences (hand labels, heading features on) and from weak examples: every other
  sentence under a Strengths or Improvements heading or in a case study, labelled by its
  heading after dropping those whose wording contradicts it (classify_rules.clean_weak_label),
  with the heading features zeroed and a lower weight, so the heading shifts a verdict only as
  much as hand labels show it should.
- Agencies and topics: one logistic regression per tag over the sentence vector, every lexicon
  hit, the previous sentence's hits when the sentence points back, the heading and the agency
  sub-heading (topics also over TF-IDF word 1-2 grams and character 3-5 grams; agencies also
  over TF-IDF word 1-2 grams and the agencies named in the rest of the paragraph when the
  sentence names none), learnt from gold sentences; its threshold is one whose neighbours also
  gave a good F1 in letter-grouped cross-validation on the training gold (_best_threshold). A
  tag with too few gold examples to learn from is left to its lexicon.
- Every model reads one analysis of the sentences' wording (Reading): word 1-2 grams and
  character 3-5 grams, fitted on every training sentence.
- Every model also reads what the gold sentences nearest in meaning were labelled, outside the
  sentence's own letter (classify_neighbours): the label model their labels, each tag model
  their tags of its kind (agencies or topics).

The models are trained when the build's letters, the gold set or MODEL_VERSION change, saved
under the data directory and never committed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import NamedTuple

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_limits

import config
from analysis import classify_features as feats
from analysis import classify_rules as rules
from analysis.classify_neighbours import Neighbours
from analysis.letter import AGENCIES, TOPICS, Finding, Letter

log = logging.getLogger(__name__)

# Bump when this module's models or the examples they learn from change: the next build
# retrains even if the letters and the gold set are the same. (The rules and features need no
# bump: their RULES_VERSION is in the fingerprint.)
MODEL_VERSION = "12"
SEED = 20240601
CLASSES = ("context", "improvement", "strength")
TAGS = AGENCIES + TOPICS

WEAK_LABELS = {
    "strengths": "strength",
    "case_study_effective": "strength",
    "improvements": "improvement",
    "case_study_improvement": "improvement",
}
CONTEXT_SECTIONS = {"next_steps"}


@dataclass(frozen=True)
class Settings:
    """Training settings, chosen on the development letters only."""

    # Weight of weak (heading-labelled) examples. 0: the models learn from hand labels alone,
    # which scored the same in development folds (macro-F1 0.910 against 0.912 at 0.3) and
    # makes the models depend on the gold set only, so a new letter is tagged without
    # retraining (a build adding one letter stays within seconds).
    weak_weight: float = 0.0
    # 2 with the 4,600 gold sentences of gold parts 1-9 (development folds: macro-F1 0.918 at 8,
    # 0.920 at 4, 0.923 at 2, 0.923 at 1).
    label_c: float = 2.0
    tag_c: float = 1.0
    min_tag_examples: int = 12  # fewer gold positives than this: the lexicon decides
    # Character 3-5 grams beside word 1-2 grams (+0.006 macro-F1 in development folds).
    char_ngrams: bool = True
    # Weight of TF-IDF word 1-2 grams beside the dense row in the topic models (0: none):
    # topics micro-F1 0.761 -> 0.792 in development folds at 3 (2: 0.777, 5: 0.791).
    tag_words: float = 3.0
    # The same words beside the agency models' whole dense row (0: none): agencies micro-F1
    # 0.834 -> 0.839 in development folds at 1 (2: 0.839, 3: 0.837, 5: 0.835), most of it the
    # safeguarding partnership (0.778 -> 0.801), which letters name in many local ways. With
    # the paragraph's vector below, 2 (0.843 -> 0.847).
    agency_words: float = 2.0
    # How much more the agency models weigh the paragraph's vector than the other models do
    # (the columns are scaled, so L2 regularisation holds them back less): which agency a
    # sentence means is often only in its paragraph. Development folds, agencies micro-F1:
    # 0.840 at 1, 0.847 at 2.25 (with agency_words 2); the label and topic models lost at
    # 2 (perpetrator focus 0.712 -> 0.692), so only the agency models get it.
    agency_paragraph: float = 2.25
    # Weight of character 3-5 grams beside the topic models' words (0: none), inside the words'
    # own weight: a word form the gold never used still shares most of its characters with
    # one it did ('offending', 'offenders'). Development folds (model version 9, with the
    # previous sentence's topics read within a paragraph): topics micro-F1 0.797 -> 0.800,
    # perpetrator focus 0.715 -> 0.719. Tried beside the agency models' words too (weights 0.3,
    # 0.5, 0.7, 1: topics 0.797-0.800 each time), agencies stayed within 0.001 and the first
    # build took 4 s more, so the topic models alone read them.
    topic_chars: float = 0.5
    # Letter-grouped folds whose out-of-fold scores choose each tag's threshold. With 5,865
    # gold sentences, 2 folds scored as 5 in development folds (agencies 0.836 / 0.834,
    # topics 0.777 / 0.778, perpetrator focus 0.709 / 0.705) for half the fits: the first
    # build's classify step is 16 s, not 25 s. With gold part 11 (7,829 sentences), 3 folds
    # scored no higher (agencies 0.854 / 0.850, perpetrator focus 0.705 / 0.706).
    cv_folds: int = 2
    # The gold sentences nearest in meaning (classify_neighbours): how many, and the weight of
    # their tags' shares beside the tag models' features and of their labels' shares beside the
    # label model's. Development folds (model version 11): k 10 / 20 / 30 at weight 2 gave
    # perpetrator focus 0.760 / 0.766 / 0.768, agencies 0.855 / 0.856 / 0.856; weight 1 / 2 /
    # 3 at k 10: 0.760 / - / 0.763; the labels' shares at 1: macro-F1 0.9316 -> 0.9335, at 3:
    # 0.9329. 0: no neighbours.
    neighbours: int = 20
    neighbour_weight: float = 2.0
    label_neighbour_weight: float = 1.0


DEFAULT_SETTINGS = Settings()


@dataclass(frozen=True)
class Example:
    """A training sentence: its label (None: not for the label model) and tags (None: not
    for the tag models), its weight and whether its heading features are kept."""

    index: int  # row in the corpus arrays
    label: str | None
    agencies: frozenset[str] | None
    topics: frozenset[str] | None
    weight: float
    with_heading: bool


class Read(NamedTuple):
    """Sentences' TF-IDF rows: word 1-2 grams, and character 3-5 grams (None: no model reads
    them; words None only where the models read no words at all)."""

    words: sparse.csr_matrix | None
    chars: sparse.csr_matrix | None


@dataclass
class Reading:
    """One analysis of the sentences' wording that every model reads: TF-IDF of word 1-2 grams
    and of character 3-5 grams within words, fitted on every training sentence.

    ``known``/``rows``: the training sentences' rows by text, kept in this process only (never
    saved): a first build tags the sentences it has just trained on, and analysing a sentence's
    characters again costs more than looking its rows up (the same rows, to the last bits of
    rounding: a vectorizer's fit_transform is its fit then transform)."""

    word: TfidfVectorizer
    chars: TfidfVectorizer | None
    known: dict[str, int] = field(default_factory=dict, repr=False)
    rows: Read | None = field(default=None, repr=False)

    @classmethod
    def fit(cls, texts: Sequence[str], chars: bool) -> Reading:
        word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        char_vectorizer = _char_vectorizer() if chars else None
        rows = Read(
            word.fit_transform(texts).tocsr(),
            char_vectorizer.fit_transform(texts).tocsr() if char_vectorizer else None,
        )
        return cls(word, char_vectorizer, {t: i for i, t in enumerate(texts)}, rows)

    def read(self, texts: Sequence[str]) -> Read:
        at = np.array([self.known.get(t, -1) for t in texts], dtype=np.int64)
        new = np.flatnonzero(at < 0)
        if self.rows is None or len(new) == len(texts):
            return self._analyse(texts)
        if not len(new):
            return Read(*(None if m is None else m[at] for m in self.rows))
        fresh = self._analyse([texts[k] for k in new])
        at[new] = self.rows.words.shape[0] + np.arange(len(new))

        def both(kept, analysed):
            if kept is None:
                return None
            return sparse.vstack([kept, analysed], format="csr")[at]

        return Read(both(self.rows.words, fresh.words), both(self.rows.chars, fresh.chars))

    def _analyse(self, texts: Sequence[str]) -> Read:
        chars = self.chars.transform(texts).tocsr() if self.chars is not None else None
        return Read(self.word.transform(texts).tocsr(), chars)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "known": {}, "rows": None}


@dataclass
class Models:
    reading: Reading
    label_clf: LogisticRegression
    tag_clfs: dict[str, LogisticRegression]
    tag_thresholds: dict[str, float]
    fingerprint: str
    n_train: dict[str, int] = field(default_factory=dict)
    settings: Settings = DEFAULT_SETTINGS  # what they were trained with, and read by
    neighbours: Neighbours | None = None

    def near(self, dense: np.ndarray, letters: Sequence[str] | None = None) -> np.ndarray | None:
        """Each row's neighbours' shares (NEAR_COLUMNS), never from its own letter
        (``letters``: each row's letter; None: letters outside the gold). None: the models
        were trained without neighbours."""
        return _shares(self.neighbours, dense, letters)

    def label_proba(
        self,
        texts: Sequence[str],
        dense: np.ndarray,
        read: Read | None = None,
        near: np.ndarray | None = None,
    ) -> np.ndarray:
        """Columns in CLASSES order. ``read``: the texts' rows (self.reading.read), and
        ``near``: their neighbours' shares (self.near), when known."""
        if not len(texts):
            return np.zeros((0, len(CLASSES)))
        if read is None:
            read = self.reading.read(texts)
        if near is None:
            near = self.near(dense)
        proba = self.label_clf.predict_proba(_label_matrix(read, dense, self.settings, near))
        out = np.zeros((len(texts), len(CLASSES)))
        for j, c in enumerate(self.label_clf.classes_):
            out[:, CLASSES.index(c)] = proba[:, j]
        return out

    def tag_sets(
        self,
        texts: Sequence[str],
        dense: np.ndarray,
        read: Read | None = None,
        near: np.ndarray | None = None,
    ) -> list[set[str]]:
        """Tags of each row: a learnt tag where its model is sure enough, else its lexicon."""
        out: list[set[str]] = [set() for _ in range(len(dense))]
        if not len(dense):
            return out
        if read is None:
            read = self.reading.read(texts)
        if near is None:
            near = self.near(dense)
        topic_x, agency_x = _tag_matrices(read, dense, self.settings, near)
        for tag in TAGS:
            clf = self.tag_clfs.get(tag)
            if clf is None:
                on = dense[:, feats.embed_width(dense) + feats.tag_index(tag)] > 0
            else:
                x = topic_x if tag in TOPICS else agency_x
                on = clf.predict_proba(x)[:, 1] >= self.tag_thresholds[tag]
            for i in np.flatnonzero(on):
                out[i].add(tag)
        return out


def weak_label(f: Finding) -> str | None:
    """The heading's label of a finding for training, or None when it is not used."""
    if f.section in CONTEXT_SECTIONS:
        return "context"
    weak = WEAK_LABELS.get(f.section)
    if weak is None:
        return None
    return rules.clean_weak_label(f.text, weak)


def fingerprint(
    letters: Iterable[Letter], gold_signature: str, settings: Settings = DEFAULT_SETTINGS
) -> str:
    """What identifies a trained set of models: the model version, the rules and features that
    make their input (a lexicon edited without a version bump still retrains), the settings,
    the gold sentences found, and (only when weak examples are used) every letter's sha256."""
    h = hashlib.sha256(
        f"{MODEL_VERSION}|{feats.RULES_VERSION}|{settings}|{gold_signature}".encode()
    )
    if settings.weak_weight:
        for sha in sorted({lt.sha256 for lt in letters}):
            h.update(sha.encode())
    return h.hexdigest()


def _fit_lr(
    x, y, weights, c: float, start: Sequence[LogisticRegression] = ()
) -> LogisticRegression:
    """``start``: models of the same problem on part of the rows; the fit starts from their
    mean instead of from zero."""
    clf = LogisticRegression(C=c, max_iter=2000, random_state=SEED, warm_start=bool(start))
    if start:
        clf.coef_ = np.mean([m.coef_ for m in start], axis=0)
        clf.intercept_ = np.mean([m.intercept_ for m in start], axis=0)
    clf.fit(x, y, sample_weight=weights)
    return clf


def _label_rows(examples: Sequence[Example]) -> list[Example]:
    rows = [e for e in examples if e.label is not None]
    labels = {e.label for e in rows}
    if len(labels) < 2:
        raise ValueError(f"too few training sentences: need two of {CLASSES}, got {sorted(labels)}")
    return rows


def train_label(
    read: Read,
    dense: np.ndarray,
    near: np.ndarray | None,
    rows: Sequence[Example],
    settings: Settings,
) -> tuple[LogisticRegression, dict[str, int]]:
    """The label model from ``rows`` (_label_rows: the examples that carry a label), whose
    wording, dense rows and neighbours' shares are ``read``, ``dense`` and ``near``, in the
    same order."""
    labels = [e.label for e in rows]
    d = dense.copy()
    for k, e in enumerate(rows):
        if not e.with_heading:
            d[k, feats.heading_slice(dense)] = 0.0
    x = _label_matrix(read, d, settings, near)
    clf = _fit_lr(x, labels, np.array([e.weight for e in rows]), settings.label_c)
    counts = {c: labels.count(c) for c in CLASSES}
    counts["gold"] = sum(e.weight == 1.0 for e in rows)
    return clf, counts


# Thresholds tried for a tag model, and how many neighbours on each side a threshold's F1 is
# averaged with: out-of-fold F1 is noisy from one threshold to the next, and a threshold
# inside a good range holds on new letters better than a peak at its edge (development folds,
# before gold part 11: perpetrator focus 0.718 -> 0.727, agencies and topics the same).
THRESHOLDS = np.round(np.arange(0.1, 0.801, 0.025), 3)
THRESHOLD_SMOOTHING = 2


def _f1_at(y: np.ndarray, p: np.ndarray, t: float) -> float:
    pred = p >= t
    both = pred.sum() + y.sum()
    return 2 * float((pred & y).sum()) / both if both else 0.0


def _best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The threshold whose neighbours score well too: each threshold's out-of-fold F1
    averaged with its THRESHOLD_SMOOTHING neighbours on each side (the ends, which lack them,
    are not chosen)."""
    f1 = np.array([_f1_at(y, p, t) for t in THRESHOLDS])
    k = THRESHOLD_SMOOTHING
    smooth = np.convolve(f1, np.ones(2 * k + 1) / (2 * k + 1), mode="valid")
    return float(THRESHOLDS[k + int(np.argmax(smooth))])


# The neighbours' shares (classify_neighbours), one column per tag then per label.
NEAR_COLUMNS = TAGS + CLASSES
_NEAR_AGENCIES = [NEAR_COLUMNS.index(t) for t in AGENCIES]
_NEAR_TOPICS = [NEAR_COLUMNS.index(t) for t in TOPICS]
_NEAR_LABELS = [NEAR_COLUMNS.index(c) for c in CLASSES]


def _near_columns(near: np.ndarray | None, columns: list[int], weight: float) -> list:
    """Those columns of the neighbours' shares, weighted (none at weight 0 or without them)."""
    if near is None or not weight:
        return []
    return [sparse.csr_matrix(near[:, columns] * weight)]


def _label_matrix(read: Read, dense: np.ndarray, settings: Settings, near: np.ndarray | None):
    """The label model's input: the sentence's words (and its characters with
    ``settings.char_ngrams``) beside its dense row, without the columns only the agency models
    read, and its neighbours' labels."""
    chars = settings.char_ngrams and read.chars is not None
    wording = [read.words, read.chars] if chars else [read.words]
    near_labels = _near_columns(near, _NEAR_LABELS, settings.label_neighbour_weight)
    return sparse.hstack([*wording, sparse.csr_matrix(feats.shared(dense)), *near_labels]).tocsr()


def _tag_matrices(
    read: Read, dense: np.ndarray, settings: Settings, near: np.ndarray | None
) -> tuple[object, object]:
    """The topic models' and the agency models' inputs: the sentence's words (weighted
    ``tag_words`` and ``agency_words``, none at weight 0 or when ``read.words`` is None)
    beside its dense row, which the topic models get with the sentence's characters
    (``read.chars``, weighted ``topic_chars`` within the words) and without the columns only
    the agency models read, and the agency models with the paragraph's vector scaled by
    ``agency_paragraph``; then the neighbours' shares of the topics or of the agencies
    (``near``, weighted ``neighbour_weight``; none when ``near`` is None)."""
    words, char_rows = read
    topic_words = words
    if words is not None and char_rows is not None and settings.topic_chars:
        topic_words = sparse.hstack([words, char_rows * settings.topic_chars], format="csr")
    agency_rows = dense
    if settings.agency_paragraph != 1.0:
        agency_rows = dense.copy()
        agency_rows[:, feats.paragraph_vector_slice(dense)] *= settings.agency_paragraph

    def beside(these, weight: float, rows: np.ndarray, near_columns: list[int]):
        extra = _near_columns(near, near_columns, settings.neighbour_weight)
        wording = [these * weight] if these is not None and weight else []
        if not wording and not extra:
            return rows
        # float32, like the vectors: scikit-learn's L-BFGS keeps it, and a tag model trains
        # 1.8 times as fast (the same thresholds in the development folds' figures).
        return sparse.hstack(
            [*wording, sparse.csr_matrix(rows), *extra], format="csr", dtype=np.float32
        )

    return (
        beside(topic_words, settings.tag_words, feats.shared(dense), _NEAR_TOPICS),
        beside(words, settings.agency_words, agency_rows, _NEAR_AGENCIES),
    )


def _train_tag(
    x, y: np.ndarray, grp: np.ndarray, n_folds: int, c: float
) -> tuple[LogisticRegression, float]:
    """One tag's model and its threshold (_best_threshold over letter-grouped out-of-fold
    scores).

    The model on every row starts from the mean of the fold models, which solved the same
    problem on part of the rows: it converges in about half the iterations (the tag models'
    training 20.6 s -> 16.0 s on the shared letters; development folds: agencies 0.8498 ->
    0.8496, perpetrator focus 0.716 -> 0.718, topics the same)."""
    if n_folds < 2:
        return _fit_lr(x, y, None, c), 0.5
    oof = np.zeros(len(y))
    folds = []
    for tr, te in GroupKFold(n_splits=n_folds).split(x, y, grp):
        if y[tr].all() or not y[tr].any():
            oof[te] = y[tr].mean()
            continue
        fold = _fit_lr(x[tr], y[tr], None, c)
        oof[te] = fold.predict_proba(x[te])[:, 1]
        folds.append(fold)
    return _fit_lr(x, y, None, c, start=folds), _best_threshold(y, oof)


@dataclass
class _TagWork:
    """What the tag models learn from: per tag with enough examples its matrix and targets,
    and the letter of each row (folds never split a letter)."""

    tags: list[tuple[str, object, np.ndarray]]
    groups: np.ndarray
    n_folds: int


def _char_vectorizer() -> TfidfVectorizer:
    """Character 3-5 grams within words, as the label model and the topic models read them."""
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True, max_features=60000
    )


def _tag_work(
    read: Read,
    dense: np.ndarray,
    near: np.ndarray | None,
    rows: Sequence[tuple[Example, str]],
    settings: Settings,
) -> _TagWork:
    """``rows``: the examples for the tag models with their letters; ``read``, ``dense`` and
    ``near``: their wording, dense rows and neighbours' shares, in the same order."""
    if not rows:
        return _TagWork([], np.array([]), 0)
    x_topic, x_agency = _tag_matrices(read, dense, settings, near)
    grp = np.array([g for _, g in rows])
    tags = []
    for tag in TAGS:
        y = np.array([tag in (e.agencies or set()) | (e.topics or set()) for e, _ in rows])
        if y.sum() < settings.min_tag_examples or (~y).sum() < settings.min_tag_examples:
            continue
        tags.append((tag, x_topic if tag in TOPICS else x_agency, y))
    return _TagWork(tags, grp, min(settings.cv_folds, len(set(grp))))


def train(
    texts: Sequence[str],
    dense: np.ndarray,
    examples: Sequence[Example],
    groups: Sequence[str],
    fp: str,
    settings: Settings = DEFAULT_SETTINGS,
) -> Models:
    """``groups``: the letter of each example (cross-validation never splits a letter)."""
    label_rows = _label_rows(examples)
    tag_rows = [(e, g) for e, g in zip(examples, groups, strict=True) if e.topics is not None]
    chars = settings.char_ngrams or bool(settings.tag_words and settings.topic_chars)

    # One BLAS thread: these fits are small, and OpenBLAS's threads on a busy 2-core machine
    # made one fit 60 times slower (1.75 s against 0.03 s), never faster. The limit is the
    # process's, so it holds in the threads below.
    with threadpool_limits(1):
        # Every training sentence once, read once for every model: the characters' analysis,
        # in Python, was a fifth of a first build's classify step when each model did its own.
        # Each model's rows are then looked up among the reading's kept rows.
        reading = Reading.fit([texts[i] for i in dict.fromkeys(e.index for e in examples)], chars)
        neighbours = _neighbours(dense, tag_rows, settings)
        # A training sentence's neighbours, like a new letter's, come from other letters.
        letter_of = {e.index: g for e, g in zip(examples, groups, strict=True)}
        near_at = {i: k for k, i in enumerate(letter_of)}
        near_all = _shares(neighbours, dense[list(letter_of)], [*letter_of.values()])

        def rows_of(these: Iterable[Example]) -> tuple[Read, np.ndarray, np.ndarray | None]:
            idx = [e.index for e in these]
            near = None if near_all is None else near_all[[near_at[i] for i in idx]]
            return reading.read([texts[i] for i in idx]), dense[idx], near

        work = _tag_work(*rows_of(e for e, _ in tag_rows), tag_rows, settings)
        # The label model and each tag's model are independent of one another: train them side
        # by side, the label model (the longest) first. The same models in any order, so the
        # result does not depend on the number of threads. Threads, not processes: the fits
        # spend their time in scipy's sparse products, which release the GIL, and threads
        # share the matrices that processes would each be sent.
        jobs = [delayed(train_label)(*rows_of(label_rows), label_rows, settings)]
        jobs += [
            delayed(_train_tag)(x, y, work.groups, work.n_folds, settings.tag_c)
            for _, x, y in work.tags
        ]
        (label_clf, counts), *done = Parallel(
            n_jobs=min(config.train_jobs(), len(jobs)), prefer="threads"
        )(jobs)
    clfs = {tag: clf for (tag, _, _), (clf, _) in zip(work.tags, done, strict=True)}
    thresholds = {tag: t for (tag, _, _), (_, t) in zip(work.tags, done, strict=True)}
    counts["tag_gold"] = len(tag_rows)
    return Models(reading, label_clf, clfs, thresholds, fp, counts, settings, neighbours)


def _shares(
    neighbours: Neighbours | None, dense: np.ndarray, letters: Sequence[str] | None
) -> np.ndarray | None:
    """The neighbours' shares of dense rows, by the rows' own sentence vectors (None without
    neighbours)."""
    if neighbours is None:
        return None
    return neighbours.shares(dense[:, feats.vector_slice(dense)], letters)


def _neighbours(
    dense: np.ndarray, tag_rows: Sequence[tuple[Example, str]], settings: Settings
) -> Neighbours | None:
    """The gold sentences (those with hand-labelled tags) as neighbours: their tags and labels
    (a mixed or priority sentence counts for no label). None without any, or at k 0."""
    if not tag_rows or settings.neighbours < 1:
        return None
    answers = [
        [t in (e.agencies or set()) | (e.topics or set()) for t in TAGS]
        + [e.label == c for c in CLASSES]
        for e, _ in tag_rows
    ]
    idx = [e.index for e, _ in tag_rows]
    vectors = dense[idx, feats.vector_slice(dense)]
    return Neighbours.of(vectors, np.array(answers), [g for _, g in tag_rows], settings.neighbours)


STALE_MODEL_FILES = ("models.joblib", "label_model.joblib", "label_model.json")


def model_path() -> Path:
    # pickle's C pickler writes the models' vocabularies in 0.1 s; joblib.dump's Python one
    # took 0.4 s of every training build.
    return config.models_dir() / "models.pickle"


def save(models: Models, path: Path | None = None) -> Path:
    path = path or model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(pickle.dumps(models, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)
    # Earlier versions saved models under other names: a folder built then keeps files that
    # nothing reads any more.
    for stale in STALE_MODEL_FILES:
        path.with_name(stale).unlink(missing_ok=True)
    meta = {"fingerprint": models.fingerprint, "version": MODEL_VERSION, "n_train": models.n_train}
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    return path


def load(path: Path | None = None) -> Models | None:
    path = path or model_path()
    if not path.exists():
        return None
    try:
        models = pickle.loads(path.read_bytes())
    except Exception as exc:  # a model from another library version: retrain rather than fail
        log.warning("could not load %s (%s): retraining", path, exc)
        return None
    if not isinstance(models, Models):
        return None
    # Pickle restores a model's fields without its constructor: models saved before a field
    # was added or renamed lack it (or would read the class's default in its place), and are
    # retrained rather than failing or misreading when they tag.
    if any(f.name not in vars(models) for f in fields(Models)):
        log.warning("%s was saved by an older version of the models: retraining", path)
        return None
    return models
