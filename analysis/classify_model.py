"""The sentence-direction model: weak labels from headings -> TF-IDF + logistic regression.

Weak supervision: a sentence under a Strengths (or effective case study) heading is taken as a
`strength` example, one under Areas for improvement (or a case study of weaker practice) as an
`improvement` example, after dropping sentences whose wording contradicts the heading
(classify_rules.clean_weak_label). `context` examples are the letters' boilerplate (next steps)
and sentences the context rule picks out anywhere. The model never sees the hand-labelled gold
set, so the gold set measures it fairly when its letters are held out (analysis.evaluate).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

import config
from analysis import classify_rules as rules
from analysis.letter import Finding, Letter

log = logging.getLogger(__name__)

# Bump when the features, the weak labels or the rules that make them change: the next build
# retrains even if the letters are the same.
MODEL_VERSION = "1"
SEED = 20240601
CLASSES = ("context", "improvement", "strength")

WEAK_LABELS = {
    "strengths": "strength",
    "case_study_effective": "strength",
    "improvements": "improvement",
    "case_study_improvement": "improvement",
}
# Boilerplate sections whose sentences are context examples.
CONTEXT_SECTIONS = {"next_steps"}


@dataclass
class LabelModel:
    """Fitted vectorisers and classifier; `predict_proba` returns columns in CLASSES order."""

    word: TfidfVectorizer
    char: TfidfVectorizer
    clf: LogisticRegression
    fingerprint: str
    n_train: dict[str, int]

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        return sparse.hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(CLASSES)))
        proba = self.clf.predict_proba(self.features(texts))
        out = np.zeros((len(texts), len(CLASSES)))
        for j, c in enumerate(self.clf.classes_):  # a class absent from training stays at 0
            out[:, CLASSES.index(c)] = proba[:, j]
        return out


def weak_label(f: Finding) -> str | None:
    """The training label of a finding, or None when it is not used for training."""
    if f.section in CONTEXT_SECTIONS or rules.context_rule(f.text):
        return "context"
    weak = WEAK_LABELS.get(f.section)
    if weak is None:
        return None
    return rules.clean_weak_label(f.text, weak)


def training_set(letters: Iterable[Letter]) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for letter in letters:
        for f in letter.findings:
            label = weak_label(f)
            if label is not None and len(f.text) > 3:
                texts.append(f.text)
                labels.append(label)
    return texts, labels


def fingerprint(letters: Iterable[Letter]) -> str:
    """Hash of the training letters' sha256s (order-free) and the model version."""
    h = hashlib.sha256(MODEL_VERSION.encode())
    for sha in sorted({lt.sha256 for lt in letters}):
        h.update(sha.encode())
    return h.hexdigest()


def train(letters: list[Letter]) -> LabelModel:
    texts, labels = training_set(letters)
    if len(set(labels)) < 2:
        # A corpus of one or two letters can lack a class; fewer than two cannot be learnt.
        raise ValueError(f"too few training sentences: need two of {CLASSES}, got {set(labels)}")
    # Word 1-2 grams carry 'not always', 'too long'; char n-grams generalise over inflections
    # ('effective'/'effectively') and letters' abbreviations.
    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True)
    char = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True, max_features=60000
    )
    x = sparse.hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    # Balanced weights: context examples are few. newton-cg converges to the optimum in a few
    # exact steps (lbfgs took 10x longer here for the same fit); no randomness is involved, the
    # seed is set all the same.
    clf = LogisticRegression(
        C=4.0, solver="newton-cg", max_iter=200, class_weight="balanced", random_state=SEED
    )
    clf.fit(x, labels)
    counts = {c: labels.count(c) for c in CLASSES}
    return LabelModel(word, char, clf, fingerprint(letters), counts)


def model_path() -> Path:
    return config.models_dir() / "label_model.joblib"


def save(model: LabelModel, path: Path | None = None) -> Path:
    path = path or model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    joblib.dump(model, tmp)
    tmp.replace(path)
    meta = {"fingerprint": model.fingerprint, "version": MODEL_VERSION, "n_train": model.n_train}
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    return path


def load(path: Path | None = None) -> LabelModel | None:
    path = path or model_path()
    if not path.exists():
        return None
    try:
        model = joblib.load(path)
    except Exception as exc:  # a model from another library version: retrain rather than fail
        log.warning("could not load %s (%s): retraining", path, exc)
        return None
    return model if isinstance(model, LabelModel) else None


def load_or_train(letters: list[Letter], retrain: bool = False) -> tuple[LabelModel, bool]:
    """The saved model if it was trained on exactly these letters; otherwise train and save.

    Returns the model and whether it was (re)trained now.
    """
    wanted = fingerprint(letters)
    if not retrain:
        model = load()
        if model is not None and model.fingerprint == wanted:
            return model, False
    model = train(letters)
    save(model)
    return model, True
