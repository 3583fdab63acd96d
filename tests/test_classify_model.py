"""The classifier's models (analysis.classify_model) on small synthetic training sets: what each
model can and cannot read."""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np
import pytest

from analysis import classify_features as feats
from analysis import classify_model as cm


def _topic_training(n: int = 60) -> tuple[list[str], np.ndarray, list[cm.Example], list[str]]:
    """Sentences whose topic shows only in one word that no lexicon knows and no vector carries
    (the dense rows are all zero), spread over six letters."""
    texts, examples, groups = [], [], []
    for i in range(n):
        on = i % 2 == 0
        word = "kinship carers" if on else "school governors"
        texts.append(f"Sentence {i} says that {word} meet often.")
        topics = frozenset({"send_and_disability"}) if on else frozenset()
        examples.append(
            cm.Example(i, "strength" if on else "improvement", frozenset(), topics, 1.0, True)
        )
        groups.append(f"letter-{i % 6}")
    width = feats.dense_features([], np.zeros((0, 8), dtype=np.float32)).shape[1]
    dense = np.zeros((n, width), dtype=np.float32)
    return texts, dense, examples, groups


def _train(
    texts: list[str],
    dense: np.ndarray,
    examples: list[cm.Example],
    groups: list[str],
    **settings: float,
) -> cm.Models:
    """Models on a small training set: a tag learns from as few as five examples."""
    return cm.train(
        texts,
        dense,
        examples,
        groups,
        "fp",
        replace(cm.DEFAULT_SETTINGS, min_tag_examples=5, **settings),
    )


def _tags_of_two_sentences(tag: str, word: str, **settings: float) -> list[bool]:
    """Trained on _topic_training with ``tag`` shown only by ``word`` (no lexicon knows it, the
    dense rows are all zero), whether ``tag`` is on a sentence with the word and on one
    without."""
    texts, dense, examples, groups = _topic_training()
    texts = [t.replace("kinship carers", word) for t in texts]
    if tag in feats.AGENCIES:
        examples = [
            replace(e, agencies=frozenset({tag}) if i % 2 == 0 else frozenset())
            for i, e in enumerate(examples)
        ]
    models = _train(texts, dense, examples, groups, **settings)
    new = [f"{word.capitalize()} meet often.", "School governors meet often."]
    tags = models.tag_sets(new, np.zeros((2, dense.shape[1]), dtype=np.float32))
    return [tag in t for t in tags]


def test_a_tags_model_started_from_its_folds_is_the_model_started_from_nothing() -> None:
    """The model on every row starts from its threshold folds' mean: the same model (within
    the solver's tolerance) in fewer iterations."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 40)).astype(np.float32)
    y = (x @ rng.normal(size=40) + rng.normal(size=600)) > 1.0
    groups = np.array([f"letter-{i % 6}" for i in range(600)])
    warm, threshold = cm._train_tag(x, y, groups, 2, 1.0)
    cold = cm._fit_lr(x, y, None, 1.0)
    assert warm.n_iter_[0] < cold.n_iter_[0]
    gap = np.abs(warm.predict_proba(x)[:, 1] - cold.predict_proba(x)[:, 1]).max()
    assert gap < 0.01
    assert 0.2 <= threshold <= 0.7


def test_a_tags_threshold_is_one_whose_neighbours_score_as_well() -> None:
    """Out-of-fold F1 jumps from one threshold to the next: the threshold chosen is one whose
    neighbours on each side give the same F1, not the edge of the good range."""
    rng = np.random.default_rng(1)
    p = np.concatenate([rng.uniform(0.0, 0.19, 300), rng.uniform(0.5, 1.0, 100)])
    y = np.arange(400) >= 300
    t = cm._best_threshold(y, p)
    k = cm.THRESHOLD_SMOOTHING
    at = int(np.flatnonzero(np.isclose(cm.THRESHOLDS, t))[0])
    assert k <= at < len(cm.THRESHOLDS) - k
    assert all(cm._f1_at(y, p, u) == 1.0 for u in cm.THRESHOLDS[at - k : at + k + 1])


def test_topic_models_read_the_sentences_words() -> None:
    assert _tags_of_two_sentences("send_and_disability", "kinship carers", tag_words=3.0) == [
        True,
        False,
    ]


def test_without_word_features_the_topic_cannot_be_read() -> None:
    with_word, without = _tags_of_two_sentences(
        "send_and_disability", "kinship carers", tag_words=0.0
    )
    assert with_word == without


def test_topic_models_read_a_word_form_they_never_saw_by_its_characters() -> None:
    """Trained on 'kinship carers' and 'school governors', 'kinships' and 'governorships' are
    told apart by their characters; by their words alone they are the same unknown sentence."""
    texts, dense, examples, groups = _topic_training()
    new = ["Kinships meet often.", "Governorships meet often."]
    proba = {}
    for chars in (0.5, 0.0):
        settings = replace(cm.DEFAULT_SETTINGS, min_tag_examples=5, topic_chars=chars)
        models = cm.train(texts, dense, examples, groups, "fp", settings)
        zeros = np.zeros((2, dense.shape[1]), dtype=np.float32)
        topic_x, _ = cm._tag_matrices(
            models.reading.read(new), zeros, models.settings, models.near(zeros)
        )
        proba[chars] = models.tag_clfs["send_and_disability"].predict_proba(topic_x)[:, 1]
    assert proba[0.5][0] > proba[0.5][1] + 0.1
    assert proba[0.0][0] == pytest.approx(proba[0.0][1])


def test_agency_models_read_the_sentences_words() -> None:
    assert _tags_of_two_sentences("police", "constables", agency_words=1.0) == [True, False]
    with_word, without = _tags_of_two_sentences("police", "constables", agency_words=0.0)
    assert with_word == without


def test_models_trained_side_by_side_are_the_ones_trained_one_at_a_time(
    monkeypatch,
) -> None:
    texts, dense, examples, groups = _topic_training()
    settings = replace(cm.DEFAULT_SETTINGS, tag_words=3.0, min_tag_examples=5)
    monkeypatch.setenv("JTAI_TRAIN_JOBS", "1")
    one = cm.train(texts, dense, examples, groups, "fp", settings)
    monkeypatch.setenv("JTAI_TRAIN_JOBS", "2")
    two = cm.train(texts, dense, examples, groups, "fp", settings)
    assert one.tag_thresholds == two.tag_thresholds and one.tag_thresholds
    for tag, clf in one.tag_clfs.items():
        assert np.array_equal(clf.coef_, two.tag_clfs[tag].coef_)
    # The label model trains beside them.
    assert np.array_equal(one.label_clf.coef_, two.label_clf.coef_)
    assert one.reading.word.vocabulary_ == two.reading.word.vocabulary_
    assert one.n_train == two.n_train


def test_every_model_reads_one_analysis_of_the_sentences() -> None:
    """The label model and the tag models read the same words and characters of a sentence:
    one vocabulary each, fitted on every training sentence (the label model's too, though
    it learns only from the sentences with a label)."""
    texts, dense, examples, groups = _topic_training()
    for i in (1, 3, 5):  # 'mixed' sentences: for the tag models only
        examples[i] = replace(examples[i], label=None)
        texts[i] = f"Sentence {i} says that foster carers meet often."
    models = cm.train(
        texts, dense, examples, groups, "fp", replace(cm.DEFAULT_SETTINGS, min_tag_examples=5)
    )
    reading = models.reading
    assert "foster carers" in reading.word.vocabulary_
    assert reading.chars is not None and "oster" in reading.chars.vocabulary_
    n_words, n_chars = len(reading.word.vocabulary_), len(reading.chars.vocabulary_)
    shared = feats.shared(dense).shape[1]
    # Beside them, the neighbours' labels or topics.
    n_labels, n_topics = len(cm.CLASSES), len(feats.TOPICS)
    assert models.label_clf.n_features_in_ == n_words + n_chars + shared + n_labels
    topic_model = models.tag_clfs["send_and_disability"]
    assert topic_model.n_features_in_ == n_words + n_chars + shared + n_topics


def test_a_sentence_trained_on_is_read_as_a_new_one_is() -> None:
    """The training sentences' rows are kept, so a first build does not analyse them again
    when it tags them; kept or analysed, a sentence's rows are the same (to the last bits of
    rounding), and saved models keep none."""
    texts, dense, examples, groups = _topic_training()
    models = cm.train(
        texts, dense, examples, groups, "fp", replace(cm.DEFAULT_SETTINGS, min_tag_examples=5)
    )
    mixed = [texts[3], "A sentence never trained on, about kinship carers.", texts[0], texts[3]]
    kept = models.reading.read(mixed)
    saved = pickle.loads(pickle.dumps(models.reading))
    fresh = saved.read(mixed)
    assert not saved.known
    assert len(models.reading.known) == len(set(texts))
    for a, b in ((kept.words, fresh.words), (kept.chars, fresh.chars)):
        assert a.shape == b.shape and abs(a - b).max() < 1e-12  # to rounding
    assert kept.words[1].nnz > 0


def test_only_the_agency_models_read_the_paragraphs_agencies() -> None:
    """Police named earlier in the paragraph is the only sign of the police here: the police
    model learns it, and the label and topic models are not given those columns."""
    texts, dense, examples, groups = _topic_training()
    police = feats.paragraph_slice(dense).start + feats.AGENCIES.index("police")
    examples = [
        replace(e, agencies=frozenset({"police"}) if i % 3 == 0 else frozenset())
        for i, e in enumerate(examples)
    ]
    dense[[i for i in range(len(texts)) if i % 3 == 0], police] = 1.0
    models = cm.train(
        texts, dense, examples, groups, "fp", replace(cm.DEFAULT_SETTINGS, min_tag_examples=5)
    )
    rows = np.zeros((2, dense.shape[1]), dtype=np.float32)
    rows[0, police] = 1.0
    tags = models.tag_sets(["Sentence a.", "Sentence b."], rows)
    assert ["police" in t for t in tags] == [True, False]
    n_words = len(models.reading.word.vocabulary_)
    n_agencies, n_topics = len(feats.AGENCIES), len(feats.TOPICS)  # the neighbours' shares
    assert models.tag_clfs["police"].n_features_in_ == n_words + dense.shape[1] + n_agencies
    shared = feats.shared(dense).shape[1]
    assert shared == dense.shape[1] - feats.PARAGRAPH_WIDTH
    n_chars = len(models.reading.chars.vocabulary_)
    topic_model = models.tag_clfs["send_and_disability"]
    assert topic_model.n_features_in_ == n_words + n_chars + shared + n_topics


def test_only_the_agency_models_weigh_the_paragraphs_meaning_more() -> None:
    texts, dense, _, _ = _topic_training(n=4)
    dense[:] = 1.0
    no_words = replace(cm.DEFAULT_SETTINGS, tag_words=0.0, agency_words=0.0, agency_paragraph=2.25)
    topic_x, agency_x = cm._tag_matrices(cm.Read(None, None), dense, no_words, None)
    para = feats.paragraph_vector_slice(dense)
    assert para.stop - para.start == 8  # _topic_training's vectors are 8 wide
    assert np.all(agency_x[:, para] == 2.25)
    rest = np.delete(agency_x, np.arange(para.start, para.stop), axis=1)
    assert np.all(rest == 1.0)
    assert np.all(topic_x == 1.0) and np.all(dense == 1.0)  # the shared row is not touched


def test_models_are_retrained_when_the_rules_change(monkeypatch) -> None:
    before = cm.fingerprint([], "gold")
    assert cm.fingerprint([], "gold") == before
    monkeypatch.setattr(feats, "RULES_VERSION", "another lexicon")
    assert cm.fingerprint([], "gold") != before


def test_saving_models_removes_the_file_older_builds_left(tmp_path) -> None:
    texts, dense, examples, groups = _topic_training()
    models = cm.train(
        texts, dense, examples, groups, "fp", replace(cm.DEFAULT_SETTINGS, min_tag_examples=5)
    )
    for name in cm.STALE_MODEL_FILES:
        (tmp_path / name).write_bytes(b"models saved by an older version")
    path = cm.save(models, tmp_path / "models.pickle")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["models.json", "models.pickle"]
    loaded = cm.load(path)
    assert loaded is not None and loaded.fingerprint == "fp"
    assert loaded.tag_thresholds == models.tag_thresholds


def test_models_saved_without_a_field_this_version_reads_are_retrained(tmp_path) -> None:
    """Models pickled by an older layout (here: without their settings) load as None, so the
    build retrains them instead of failing when they tag."""
    texts, dense, examples, groups = _topic_training()
    models = cm.train(
        texts, dense, examples, groups, "fp", replace(cm.DEFAULT_SETTINGS, min_tag_examples=5)
    )
    del models.settings
    path = cm.save(models, tmp_path / "models.pickle")
    assert cm.load(path) is None


def _tags_by_quadrant(**settings: float) -> list[bool]:
    """A topic on sentences whose vectors lie in two opposite quadrants (no line through the
    vectors separates them, and the words say nothing): whether it is on new sentences in
    one of those quadrants and in one of the other two."""
    texts, dense, examples, groups = _topic_training(n=80)
    vec = feats.vector_slice(dense)
    rng = np.random.default_rng(5)
    examples = list(examples)
    for i in range(len(texts)):
        x, y = rng.choice([-1.0, 1.0], size=2) + rng.normal(0, 0.1, size=2)
        dense[i, vec] = 0.0
        dense[i, vec.start : vec.start + 2] = np.array([x, y]) / np.hypot(x, y)
        texts[i] = f"Sentence {i} says that staff meet often."
        on = x * y > 0
        examples[i] = replace(examples[i], topics=frozenset({"send_and_disability"} if on else ()))
    models = _train(texts, dense, examples, groups, **settings)
    rows = np.zeros((2, dense.shape[1]), dtype=np.float32)
    rows[0, vec.start : vec.start + 2] = np.array([-1.0, -1.0]) / np.sqrt(2)
    rows[1, vec.start : vec.start + 2] = np.array([-1.0, 1.0]) / np.sqrt(2)
    tags = models.tag_sets(["Staff meet often.", "Staff meet often."], rows)
    return ["send_and_disability" in t for t in tags]


def test_tag_models_read_the_tags_of_the_nearest_gold_sentences() -> None:
    assert _tags_by_quadrant() == [True, False]


def test_without_neighbours_the_quadrants_cannot_be_read() -> None:
    assert _tags_by_quadrant(neighbours=0) != [True, False]


def test_a_gold_letters_sentence_is_lent_neighbours_from_other_letters_only() -> None:
    """Each gold sentence is its own nearest neighbour: were it lent its own answers (in
    training, or when the build tags its letter), the models would trust the neighbours' shares
    far more than a new letter's allow, and a gold letter's tags would be its hand labels."""
    texts, dense, examples, groups = _topic_training(n=12)
    vec = feats.vector_slice(dense)
    dense[:, vec.start] = 1.0  # every sentence the same vector: all equally near
    models = cm.train(texts, dense, examples, groups, "fp", cm.DEFAULT_SETTINGS)
    on = cm.NEAR_COLUMNS.index("send_and_disability")
    of_letter_0 = models.near(dense[:1], ["letter-0"])[0, on]
    of_a_new_letter = models.near(dense[:1])[0, on]
    assert models.neighbours.k == cm.DEFAULT_SETTINGS.neighbours
    # Letters 0, 2, 4 hold the topic's sentences (even rows): letter 0's own two are left out.
    assert of_letter_0 == 4 / 10
    assert of_a_new_letter == 6 / 12


def test_training_lends_each_sentence_neighbours_from_other_letters_only(monkeypatch) -> None:
    """In training too: the shares the models learn from are each sentence's own letter's
    shares left out (the letters are handed over with the rows)."""
    texts, dense, examples, groups = _topic_training(n=12)
    calls = []
    shares = cm.Neighbours.shares

    def recorded(self, vectors, letters=None):
        calls.append(None if letters is None else list(letters))
        return shares(self, vectors, letters)

    monkeypatch.setattr(cm.Neighbours, "shares", recorded)
    _train(texts, dense, examples, groups)
    assert calls == [groups]
