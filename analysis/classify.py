"""Tags every finding: label (from its heading where the section fixes it), agencies, topics.

``tag_corpus(letters, retrain)`` tags the findings in place and returns facts about the model
for the database's meta table. The label comes from:
- the heading, for priority actions (``label_source`` "heading");
- otherwise the sentence model (classify_model), whose class probabilities are shifted towards
  the direction of the heading the sentence sits under (a prior, not a verdict: a bullet that
  opens with praise under 'Areas for improvement' can still come out `strength`), with bare
  noun-phrase bullets taking their heading's direction, as the labelling guide says.
Agencies and topics come from regex lexicons (classify_rules), which measured better on the
gold set than per-tag models trained on it would be allowed to (the gold set is for measuring).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis import classify_model
from analysis import classify_rules as rules
from analysis.classify_model import CLASSES, LabelModel
from analysis.letter import AGENCIES, TOPICS, Finding, Letter


@dataclass(frozen=True)
class Params:
    """Decision settings, tuned by letter-grouped cross-validation on the gold set."""

    # Log-odds added to the heading's direction for sentences under Strengths / Improvements.
    heading_prior: float = 1.5
    # The same for case studies, whose headings are looser (past failings, then good work).
    case_study_prior: float = 0.5
    # Below this confidence a model label is flagged for review.
    review_threshold: float = 0.55
    # Confidence given to bare noun-phrase bullets that take their heading's direction.
    bare_np_confidence: float = 0.9
    # Confidence given to a sentence the context rule picks out.
    context_rule_confidence: float = 0.8


DEFAULT_PARAMS = Params()

_DIRECTION = {
    "strengths": "strength",
    "improvements": "improvement",
    "case_study_effective": "strength",
    "case_study_improvement": "improvement",
}


def _prior(section: str, params: Params) -> np.ndarray:
    """Log-odds shift per class (CLASSES order) for a sentence's section."""
    shift = np.zeros(len(CLASSES))
    direction = _DIRECTION.get(section)
    if direction is not None:
        weight = (
            params.case_study_prior if section.startswith("case_study") else (params.heading_prior)
        )
        shift[CLASSES.index(direction)] = weight
    return shift


def decide_labels(
    findings: list[Finding], proba: np.ndarray, params: Params = DEFAULT_PARAMS
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
        if rules.context_rule(f.text):
            # The rule's wording comes from the guide; the model saw these as context too.
            out.append(
                (
                    "context",
                    "model",
                    max(float(p[CLASSES.index("context")]), params.context_rule_confidence),
                )
            )
            continue
        logits = np.log(np.clip(p, 1e-9, 1.0)) + _prior(f.section, params)
        post = np.exp(logits - logits.max())
        post /= post.sum()
        k = int(post.argmax())
        label, conf = CLASSES[k], float(post[k])
        direction = _DIRECTION.get(f.section)
        if (
            direction is not None
            and f.kind in ("bullet", "subbullet")
            and f.section in ("strengths", "improvements")
            and rules.is_bare_noun_phrase(f.text)
        ):
            label, conf = (
                direction,
                max(conf if label == direction else 0.0, params.bare_np_confidence),
            )
        out.append((label, "model", round(conf, 4)))
    return out


def tag_agencies(findings: list[Finding]) -> list[str]:
    """Agencies of each finding in reading order: named ones, the sub-heading's agency, and
    for a sentence that points back ('This ...', 'They ...') and names none, the previous one's.
    """
    out: list[str] = []
    previous: set[str] = set()
    previous_section = ""
    for f in findings:
        tags = rules.agencies_in(f.text)
        if f.agency_section:
            tags.add(f.agency_section)
        if not tags and rules.refers_back(f.text) and f.section == previous_section:
            tags = set(previous)
        out.append(rules.join_tags(tags, AGENCIES))
        previous, previous_section = tags, f.section
    return out


def tag_topics(findings: list[Finding]) -> list[str]:
    """Topics of each finding; a sentence pointing back with no topic takes the previous one's
    perpetrator focus only (the topic most often carried by 'this work', 'these interventions').
    """
    out: list[str] = []
    previous: set[str] = set()
    previous_section = ""
    for f in findings:
        tags = rules.topics_in(f.text)
        if (
            "perpetrator_focus" in previous
            and rules.refers_back(f.text)
            and f.section == previous_section
            and not tags
        ):
            tags.add("perpetrator_focus")
        out.append(rules.join_tags(tags, TOPICS))
        previous, previous_section = tags, f.section
    return out


def tag_letters(letters: list[Letter], model: LabelModel, params: Params = DEFAULT_PARAMS) -> None:
    """Fill the tag fields of every finding in place."""
    for letter in letters:
        findings = sorted(letter.findings, key=lambda f: f.position)
        proba = model.predict_proba([f.text for f in findings])
        labels = decide_labels(findings, proba, params)
        agencies = tag_agencies(findings)
        topics = tag_topics(findings)
        for f, (label, source, conf), ag, tp in zip(
            findings, labels, agencies, topics, strict=True
        ):
            f.label, f.label_source, f.label_confidence = label, source, conf
            f.needs_review = source == "model" and conf < params.review_threshold
            f.agencies, f.topics = ag, tp


def tag_corpus(letters: list[Letter], retrain: bool = False) -> dict[str, str]:
    model, trained = classify_model.load_or_train(letters, retrain=retrain)
    tag_letters(letters, model)
    findings = [f for lt in letters for f in lt.findings]
    flagged = sum(f.needs_review for f in findings)
    return {
        "classifier": f"tfidf-logreg v{classify_model.MODEL_VERSION}",
        "classifier_fingerprint": model.fingerprint,
        "classifier_trained_now": str(trained).lower(),
        "classifier_review_threshold": str(DEFAULT_PARAMS.review_threshold),
        "classifier_needs_review_share": f"{flagged / len(findings):.4f}" if findings else "0",
        "classifier_train_counts": ";".join(f"{k}={v}" for k, v in model.n_train.items()),
    }
