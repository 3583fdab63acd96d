"""The classifier on sentences written for these tests (never letter text), the heading
rules, the lexicons, and determinism of training."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_classify_support import all_letters, finding, full_model

from analysis import classify, classify_model
from analysis import classify_rules as rules
from analysis.classify_model import CLASSES

# --- heading rules ------------------------------------------------------------------------


def _decide(
    text: str,
    section: str,
    proba: tuple[float, float, float] = (0.1, 0.45, 0.45),
    kind: str = "bullet",
) -> tuple[str, str, float]:
    f = finding(text, section=section, kind=kind)
    return classify.decide_labels([f], np.array([proba]))[0]


def test_priority_action_comes_from_the_heading() -> None:
    label, source, conf = _decide(
        "Leaders must make sure that every strategy discussion includes the police.",
        "priority_action",
        proba=(0.0, 0.0, 1.0),
    )
    assert (label, source, conf) == ("priority_action", "heading", 1.0)


@pytest.mark.parametrize("section", ["priority_action", "introduction", "main_findings"])
def test_no_areas_for_priority_action_is_context(section: str) -> None:
    label, _, _ = _decide("There are no areas for priority action.", section)
    assert label == "context"


def test_priority_action_only_under_its_heading() -> None:
    label, source, _ = _decide("Leaders must act now.", "main_findings", proba=(0.1, 0.8, 0.1))
    assert label != "priority_action" and source == "model"


def test_heading_prior_is_not_a_verdict() -> None:
    # A confident praise sentence under an improvements heading stays a strength ...
    assert _decide("Schools are well engaged.", "improvements", (0.01, 0.09, 0.9))[0] == (
        "strength"
    )
    # ... while an undecided one takes the heading's direction.
    assert (
        _decide("Schools and the scheme.", "improvements", (0.1, 0.42, 0.48), kind="paragraph")[0]
        == "improvement"
    )


def test_bare_noun_phrase_bullet_takes_the_heading_direction() -> None:
    text = "The timeliness and quality of return home interviews for children who go missing."
    assert rules.is_bare_noun_phrase(text)
    assert _decide(text, "improvements", (0.05, 0.15, 0.8))[0] == "improvement"
    assert not rules.is_bare_noun_phrase("Return home interviews are not timely.")


def test_context_rule() -> None:
    assert rules.context_rule("It is too early to evaluate the impact of the new team.")
    assert rules.context_rule("The inspection took place in March.")
    assert rules.context_rule("The rate of referrals per 10,000 children is 410.")
    assert not rules.context_rule("Strategy discussions are timely and well attended.")


def test_weak_label_cleaning_drops_contradictions() -> None:
    assert rules.clean_weak_label("Plans are good but are not always reviewed.", "strength") is None
    assert rules.clean_weak_label("Plans are reviewed promptly.", "strength") == "strength"
    assert rules.clean_weak_label("The school nurse service is effective.", "improvement") is None


# --- agencies and topics ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GPs are not routinely invited to conferences.", {"health"}),
        ("Officers attending incidents record what children say.", {"police"}),
        ("Probation officers check who lives in the household.", {"probation"}),
        ("MAPPA meetings consider risks to children.", {"police", "probation"}),
        ("Designated safeguarding leads in schools refer concerns.", {"education"}),
        ("Social workers visit children quickly.", {"children_social_care"}),
        ("The youth offending team assesses risk well.", {"youth_justice"}),
        (
            "The safeguarding children partnership's audits are thorough.",
            {"safeguarding_partnership"},
        ),
        ("IDVAs and Cafcass are involved early.", {"other"}),
        ("Partners share information promptly.", set()),
        ("Early help workers offer support to families.", set()),
    ],
)
def test_agencies_from_names_and_roles(text: str, expected: set[str]) -> None:
    assert rules.agencies_in(text) == expected


def test_agency_coreference_and_sub_heading() -> None:
    findings = [
        finding("Health visitors see every new baby within two weeks.", position=1),
        finding("This helps them to notice risks early.", position=2),
        finding("Partners meet every week.", position=3),
        finding("Plans are reviewed regularly.", position=4, agency_section="police"),
    ]
    assert classify.tag_agencies(findings) == ["health", "health", "", "police"]


def test_perpetrator_focus_fires_on_perpetrators_not_victims() -> None:
    perp = [
        "Police use abduction warning notices to disrupt adults who exploit children.",
        "Licence conditions are used well to keep offenders away from children.",
        "The domestic abuse perpetrator programme has a long waiting list.",
        "Work with the person causing harm is rarely part of the plan.",
        "Too few suspects are prosecuted.",
    ]
    victim = [
        "The child was abused by a family member over several years.",
        "Children who are exploited are not always seen as victims.",
        "Young people at risk of sexual exploitation receive support from a specialist worker.",
        "Children who have been arrested are offered an appropriate adult.",
    ]
    for text in perp:
        assert "perpetrator_focus" in rules.topics_in(text), text
    for text in victim:
        assert "perpetrator_focus" not in rules.topics_in(text), text


def test_other_topics() -> None:
    assert "voice_of_child" in rules.topics_in(
        "Practitioners capture children's wishes and feelings."
    )
    assert "information_sharing" in rules.topics_in("Strategy discussions include schools.")
    assert "workforce" in rules.topics_in("High caseloads limit the time staff have.")
    assert "early_help" in rules.topics_in("Families get early help when needs emerge.")
    assert rules.join_tags({"workforce", "voice_of_child"}, classify.TOPICS) == (
        "voice_of_child;workforce"
    )


# --- the trained model on sentences written for the tests ---------------------------------


def _labels(texts: list[str], section: str = "main_findings") -> list[str]:
    model = full_model()
    findings = [
        finding(t, section=section, kind="paragraph", position=i + 1) for i, t in enumerate(texts)
    ]
    return [lab for lab, _, _ in classify.decide_labels(findings, model.predict_proba(texts))]


def test_model_reads_negation_and_not_yet() -> None:
    assert (
        _labels(
            [
                "Strategy discussions are not held quickly enough when children go missing.",
                "Leaders have not yet made sure that return home interviews are offered to "
                "all children.",
                "Health practitioners do not consistently share information with social workers.",
            ]
        )
        == ["improvement"] * 3
    )


def test_model_reads_praise() -> None:
    assert (
        _labels(
            [
                "Strategy discussions are timely and well attended by all agencies.",
                "Social workers know their children well and visit them regularly.",
                "Leaders have a strong and accurate understanding of exploitation in their area.",
            ]
        )
        == ["strength"] * 3
    )


def test_praise_then_criticism_is_improvement() -> None:
    assert _labels(
        [
            "Although leaders are committed, the quality of assessments is too variable and plans "
            "are not reviewed often enough.",
        ]
    ) == ["improvement"]


def test_praise_opening_bullet_under_improvements_can_be_strength() -> None:
    assert _labels(
        ["Schools are highly effective in identifying children at risk and refer them promptly."],
        section="improvements",
    ) == ["strength"]


# --- determinism and retraining -----------------------------------------------------------


def test_training_is_deterministic() -> None:
    subset = list(all_letters())[:8]
    a = classify_model.train(subset)
    b = classify_model.train(copy.deepcopy(subset))
    assert np.array_equal(a.clf.coef_, b.clf.coef_)
    texts = [f.text for lt in subset for f in lt.findings]
    assert np.array_equal(a.predict_proba(texts), b.predict_proba(texts))
    assert list(a.clf.classes_) == sorted(CLASSES)


def test_same_letters_same_tags_and_retrain_on_change(data_dir) -> None:
    subset = [copy.deepcopy(lt) for lt in list(all_letters())[:6]]
    first = classify.tag_corpus(subset)
    tags1 = [
        (f.label, f.label_confidence, f.agencies, f.topics) for lt in subset for f in lt.findings
    ]
    assert first["classifier_trained_now"] == "true"
    assert classify_model.model_path().exists()

    again = classify.tag_corpus(subset)  # same letters: the saved model is reused
    assert again["classifier_trained_now"] == "false"
    retrained = classify.tag_corpus(subset, retrain=True)
    assert retrained["classifier_trained_now"] == "true"
    tags2 = [
        (f.label, f.label_confidence, f.agencies, f.topics) for lt in subset for f in lt.findings
    ]
    assert tags1 == tags2

    changed = classify.tag_corpus(subset[:5])  # the set of letters changed: retrain
    assert changed["classifier_trained_now"] == "true"
    assert changed["classifier_fingerprint"] != first["classifier_fingerprint"]


def test_every_finding_is_tagged() -> None:
    letters = [copy.deepcopy(lt) for lt in list(all_letters())[:4]]
    classify.tag_letters(letters, full_model())
    findings = [f for lt in letters for f in lt.findings]
    assert all(
        f.label in {"strength", "improvement", "priority_action", "context"} for f in findings
    )
    assert all(0.0 <= f.label_confidence <= 1.0 for f in findings)
    assert all(
        f.needs_review
        == (
            f.label_source == "model"
            and f.label_confidence < classify.DEFAULT_PARAMS.review_threshold
        )
        for f in findings
    )
