"""The classifier on sentences written for these tests (never letter text), the heading
rules, the lexicons, and determinism of training."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_classify_support import all_letters, finding, full_models

from analysis import classify, classify_model, embed, embed_cache
from analysis import classify_features as feats
from analysis import classify_rules as rules
from analysis.classify_model import CLASSES
from analysis.letter import Letter
from analysis.taxonomy import AGENCIES, TOPICS

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
    assert (label, source) == ("improvement", "model")


def test_context_bias_shifts_only_context() -> None:
    proba = (0.4, 0.1, 0.5)
    assert _decide("Daily meetings are held.", "strengths", proba)[0] == "strength"
    biased = classify.decide_labels(
        [finding("Daily meetings are held.", section="strengths")],
        np.array([proba]),
        classify.Params(context_bias=0.5),
    )
    assert biased[0][0] == "context"


def test_bare_noun_phrase() -> None:
    text = "The timeliness and quality of return home interviews for children who go missing."
    assert rules.is_bare_noun_phrase(text)
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
        # The taxonomy's children's social care covers these plans and enquiries by name.
        ("Child protection plans are not always clear.", {"children_social_care"}),
        ("Child in need meetings are held on time.", {"children_social_care"}),
        ("Section 47 enquiries start the same day.", {"children_social_care"}),
        ("Child protection conferences are quorate.", set()),
        ("No one saw her as a child in need of protection.", set()),
        ("The youth offending team assesses risk well.", {"youth_justice"}),
        (
            "The safeguarding children partnership's audits are thorough.",
            {"safeguarding_partnership"},
        ),
        ("IDVAs and Cafcass are involved early.", {"other"}),
        ("Adult mental health and substance misuse services see parents.", {"adult_services"}),
        ("Partners share information promptly.", set()),
        ("Early help workers offer support to families.", set()),
        # Found in the development letters' false negatives that no lexicon named.
        ("Foster carers know how to report a missing child.", {"children_social_care"}),
        ("Too many placements break down.", {"children_social_care"}),
        ("Maternity staff refer concerns before birth.", {"health"}),
        ("Domestic abuse incidents are attended within the hour.", {"police"}),
        # A partnership's short name and its sub-groups; a community safety one is `other`.
        ("The LSP's learning sub-group audits cases.", {"safeguarding_partnership"}),
        ("The CSP funds the service.", {"other"}),
        ("Leaders have a firm grasp of the risks.", set()),
    ],
)
def test_agencies_from_names_and_roles(text: str, expected: set[str]) -> None:
    assert rules.agencies_in(text) == expected


def test_lexicons_and_cues_find_what_each_expression_finds_on_every_shared_sentence() -> None:
    """The lexicons and cues are matched together (analysis.pattern_set): on every sentence of
    the shared letters the answer is the one searching with each expression gives."""
    texts = sorted({f.text for lt in all_letters() for f in lt.findings})
    seen: set[str] = set()
    for text in texts:
        low = text.lower()
        agencies = {a for a, p in rules.AGENCY_PATTERNS.items() if p.search(low)}
        topics = {t for t, p in rules.TOPIC_PATTERNS.items() if p.search(low)}
        cues = {c for c, p in rules.CUE_PATTERNS.items() if p.search(text)}
        assert rules.agencies_in(text) == agencies, text
        assert rules.topics_in(text) == topics, text
        assert rules.cues_in(text) == cues, text
        seen |= agencies | topics | cues
    # Every expression is found somewhere (and, sentence by sentence, not everywhere).
    assert seen == set(AGENCIES) | set(TOPICS) | set(rules.CUE_PATTERNS)


def test_pointing_back_carries_the_previous_sentences_hits() -> None:
    findings = [
        finding("Health visitors see every new baby within two weeks.", position=1),
        finding("This helps them to notice risks early.", position=2),
        finding("Partners meet every week.", position=3),
        finding("Plans are reviewed regularly.", position=4, agency_section="police"),
    ]
    dense = feats.dense_features(findings, np.zeros((4, 8), dtype=np.float32))
    start = feats.embed_width(dense)
    hits = dense[:, start : start + len(feats.TAGS)]
    back = dense[:, start + len(feats.TAGS) : start + 2 * len(feats.TAGS)]
    health = feats.tag_index("health")
    assert hits[0, health] == 1 and hits[1, health] == 0
    assert back[1, health] == 1  # 'This ...' carries the health visitors
    assert back[2].sum() == 0 and back[3].sum() == 0  # no pointing back
    sub = dense[:, feats.agency_section_slice(dense)]
    assert sub[3, feats.AGENCIES.index("police")] == 1 and sub[:3].sum() == 0


def test_within_a_paragraph_the_previous_sentences_topics_are_read() -> None:
    findings = [
        finding("Police arrested the men who ran the drugs line.", position=1, paragraph=1),
        finding("Some cases were dropped too early.", position=2, paragraph=1),
        finding("Plans are reviewed regularly.", position=3, paragraph=2),
        finding("Some cases were dropped too early.", position=4, paragraph=2),
    ]
    dense = feats.dense_features(findings, np.zeros((4, 8), dtype=np.float32))
    start = feats.embed_width(dense) + len(feats.TAGS)
    back = dense[:, start : start + len(feats.TAGS)]
    perp, police = feats.tag_index("perpetrator_focus"), feats.tag_index("police")
    plans = feats.tag_index("assessment_and_planning")
    # Not pointing back, but in the arrests' paragraph: their topic, not their agency.
    assert back[1, perp] == 1 and back[1, police] == 0
    # A new paragraph starts afresh; within it the plans are read.
    assert back[2].sum() == 0
    assert back[3, plans] == 1 and back[3, perp] == 0


def test_a_sentence_naming_no_agency_carries_the_previous_sentences_agencies() -> None:
    findings = [
        finding("Police officers attend incidents quickly.", position=1),
        finding("In some cases seen, the response was delayed.", position=2),
        finding("Health visitors are told of every incident.", position=3),
        finding("Their records are thorough.", position=4, section="improvements"),
    ]
    dense = feats.dense_features(findings, np.zeros((4, 8), dtype=np.float32))
    earlier = dense[:, feats.earlier_slice(dense)]
    police = feats.AGENCIES.index("police")
    assert earlier[0].sum() == 0  # nothing before the first sentence
    assert earlier[1, police] == 1 and earlier[1].sum() == 1  # names no one: the police
    assert earlier[2].sum() == 0  # names its own agency
    assert earlier[3].sum() == 0  # another section starts afresh
    # The heading block still sits where the models read it.
    assert dense[:, feats.heading_slice(dense)][3, feats.SECTIONS.index("improvements")] == 1


def _two_paragraphs() -> list:
    """Four sentences about the police then health visitors, then two that name no one."""
    return [
        finding("Police officers attend incidents quickly.", position=1, paragraph=1),
        finding("In some cases seen, the response was delayed.", position=2, paragraph=1),
        finding("Records of it are thorough.", position=3, paragraph=1),
        finding("Health visitors see them later.", position=4, paragraph=1),
        finding("Plans are reviewed regularly.", position=5, paragraph=2),
        finding("Too few are reviewed on time.", position=6, paragraph=2),
    ]


def test_a_sentence_naming_no_agency_reads_its_paragraphs_agencies() -> None:
    findings = _two_paragraphs()
    dense = feats.dense_features(findings, np.zeros((6, 8), dtype=np.float32))
    para = dense[:, feats.paragraph_slice(dense)]
    n = len(feats.AGENCIES)
    earlier, later = para[:, :n], para[:, n:]
    police, health = feats.AGENCIES.index("police"), feats.AGENCIES.index("health")
    assert para[0].sum() == 0 and para[3].sum() == 0  # they name their own agency
    # Unnamed: the police earlier in the paragraph, health visitors later in it.
    assert earlier[1, police] == 1 and earlier[1].sum() == 1
    assert later[1, health] == 1 and later[1].sum() == 1
    assert earlier[2, police] == 1 and later[2, health] == 1
    assert para[4:].sum() == 0  # a new paragraph that names no one carries nothing over
    # Only the agency models read them: the shared row stops where they begin.
    assert feats.shared(dense).shape[1] == feats.paragraph_slice(dense).start


def test_each_sentence_reads_the_meaning_of_the_rest_of_its_paragraph() -> None:
    findings = [*_two_paragraphs(), finding("A bullet of its own.", position=7, paragraph=3)]
    vectors = np.arange(7 * 4, dtype=np.float32).reshape(7, 4)
    dense = feats.dense_features(findings, vectors)
    own = dense[:, : feats.paragraph_vector_slice(dense).start]
    rest = dense[:, feats.paragraph_vector_slice(dense)]
    assert np.array_equal(own, vectors)
    assert np.allclose(rest[1], (vectors[0] + vectors[2] + vectors[3]) / 3)  # not itself
    assert np.allclose(rest[0], (vectors[1] + vectors[2] + vectors[3]) / 3)
    assert np.allclose(rest[4], vectors[5]) and np.allclose(rest[5], vectors[4])
    assert not rest[6].any()  # a sentence alone in its paragraph
    # The lexicon hits still start after both vectors.
    assert feats.embed_width(dense) == 8
    assert dense[3, feats.embed_width(dense) + feats.tag_index("health")] == 1


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
    _perpetrator_focus_only_on(perp, victim)


def test_perpetrator_focus_fires_on_criminal_investigations_not_on_enquiries() -> None:
    """docs/taxonomy.md, hard case 15: a criminal investigation is about the person who harms,
    a child protection enquiry about the child; a team's name alone is neither."""
    investigations = [
        "Police investigations are not always supervised well enough.",
        "The quality of investigations into crimes against children varies.",
        "Investigations into allegations of grooming take too long.",
        "Sexual offence investigations are allocated to trained detectives.",
    ]
    not_about_them = [
        "Child protection enquiries are well managed.",
        "Staff in the police investigation team have not yet had the training.",
    ]
    _perpetrator_focus_only_on(investigations, not_about_them)


def test_perpetrator_focus_follows_the_guide_on_children_who_harm_and_the_criminal_case() -> None:
    """The guide: a child who harms other children, or a child in the criminal justice system,
    is not perpetrator focus; the criminal case against the adult (victims' evidential
    interviews, enforcing orders, a prisoner's release, disrupting) is (hard cases 15 and 16)."""
    the_case = [
        "Achieving best evidence interviews are held promptly.",
        "Breaches are rarely investigated thoroughly by the police.",
        "Disruptions are not considered for the adults involved.",
        "Networks of adults that exploit children are mapped.",
        "There is no plan for his release from prison.",
        "The enforcement of these orders by officers is inconsistent.",
    ]
    children = [
        "Schools refer children who display harmful sexual behaviour.",
        "Fewer children enter the criminal justice system.",
    ]
    _perpetrator_focus_only_on(the_case, children)


def _perpetrator_focus_only_on(on: list[str], off: list[str]) -> None:
    """The lexicon finds perpetrator focus in every sentence of ``on`` and none of ``off``."""
    assert [t for t in on if "perpetrator_focus" not in rules.topics_in(t)] == []
    assert [t for t in off if "perpetrator_focus" in rules.topics_in(t)] == []


def test_other_topics() -> None:
    assert "voice_of_child" in rules.topics_in(
        "Practitioners capture children's wishes and feelings."
    )
    assert "information_sharing" in rules.topics_in("Strategy discussions include schools.")
    assert "workforce" in rules.topics_in("High caseloads limit the time staff have.")
    assert "early_help" in rules.topics_in("Families get early help when needs emerge.")
    assert {"missing_children", "timeliness"} <= rules.topics_in(
        "Return home interviews are not offered promptly when children go missing."
    )
    assert "send_and_disability" not in rules.topics_in("Schools send referrals to the MASH.")
    assert "send_and_disability" in rules.topics_in("Children with SEND needs wait too long.")
    assert rules.join_tags({"workforce", "voice_of_child"}, TOPICS) == ("voice_of_child;workforce")


# --- the trained models on sentences written for the tests ---------------------------------


def _labels(texts: list[str], section: str = "main_findings") -> list[str]:
    models = full_models()
    findings = [
        finding(t, section=section, kind="paragraph", position=i + 1) for i, t in enumerate(texts)
    ]
    corpus = classify.Corpus.of([_letter_of(findings)], embed.encode(texts))
    return [
        lab
        for lab, _, _ in classify.decide_labels(
            corpus.findings, models.label_proba(corpus.texts, corpus.dense)
        )
    ]


def _letter_of(findings: list) -> Letter:
    return Letter(**{**_LETTER, "findings": findings})


_LETTER = {
    "letter_id": "t", "urn": "", "local_authority": "", "la_code": "", "ons_code": "",
    "region": "", "published": "2020-01-01", "letter_date": "", "fieldwork_start": "",
    "fieldwork_end": "", "theme": "neglect", "theme_phrase": "", "format": "B",
    "inspectorates": "", "addressees": "", "n_strengths": 0, "n_improvements": 0,
    "n_priority_actions": 0, "source_url": "", "sha256": "t" * 64, "pages": 1,
}  # fmt: skip


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


def test_description_under_strengths_is_context() -> None:
    # The guide's own examples: an arrangement that only exists, or only looks ahead, is
    # context even under a Strengths heading.
    assert _labels(
        [
            "Daily meetings are held between the police and social workers.",
            "A new exploitation hub is being set up.",
        ],
        section="strengths",
    ) == ["context", "context"]


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


def test_learnt_tags_read_meaning_beyond_the_lexicon() -> None:
    models = full_models()
    texts = [
        "Police officers arrest the men who exploit children and seek charges against them.",
        "The child was hurt by her stepfather over several years.",
    ]
    findings = [finding(t, position=i + 1) for i, t in enumerate(texts)]
    corpus = classify.Corpus.of([_letter_of(findings)], embed.encode(texts))
    tags = models.tag_sets(corpus.texts, corpus.dense)
    assert "perpetrator_focus" in tags[0] and "police" in tags[0]
    assert "perpetrator_focus" not in tags[1]


# --- determinism and retraining -----------------------------------------------------------


def test_training_is_deterministic() -> None:
    letters = list(all_letters())[:8]
    vectors = embed_cache.vectors([f.text for lt in letters for f in lt.findings])[0]
    corpus = classify.Corpus.of(letters, vectors)
    gold = classify.matched_gold(letters)
    assert gold, "the first letters carry gold sentences"
    a = classify.train_models(corpus, gold, set())
    b = classify.train_models(copy.deepcopy(corpus), gold, set())
    assert np.array_equal(a.label_clf.coef_, b.label_clf.coef_)
    assert a.tag_thresholds == b.tag_thresholds
    assert np.array_equal(
        a.label_proba(corpus.texts, corpus.dense), b.label_proba(corpus.texts, corpus.dense)
    )
    assert list(a.label_clf.classes_) == sorted(CLASSES)


def test_same_letters_same_tags_and_retrain_on_change(data_dir) -> None:
    subset = [copy.deepcopy(lt) for lt in list(all_letters())[:6]]
    vectors = embed_cache.vectors([f.text for lt in subset for f in lt.findings])[0]
    first = classify.tag_corpus(subset, vectors)
    tags1 = [
        (f.label, f.label_confidence, f.agencies, f.topics) for lt in subset for f in lt.findings
    ]
    assert first["classifier_trained_now"] == "true"
    assert classify_model.model_path().exists()

    again = classify.tag_corpus(subset, vectors)  # same letters: the saved models are reused
    assert again["classifier_trained_now"] == "false"
    retrained = classify.tag_corpus(subset, vectors, retrain=True)
    assert retrained["classifier_trained_now"] == "true"
    tags2 = [
        (f.label, f.label_confidence, f.agencies, f.topics) for lt in subset for f in lt.findings
    ]
    assert tags1 == tags2

    # A letter carrying gold sentences leaves: the gold set changed, the models retrain.
    changed = classify.tag_corpus(subset[1:], vectors[len(subset[0].findings) :])
    assert changed["classifier_trained_now"] == "true"
    assert changed["classifier_fingerprint"] != first["classifier_fingerprint"]


def test_only_untagged_letters_are_tagged_when_the_models_are_the_same(data_dir) -> None:
    subset = [copy.deepcopy(lt) for lt in list(all_letters())[:4]]
    vectors = embed_cache.vectors([f.text for lt in subset for f in lt.findings])[0]
    info = classify.tag_corpus(subset, vectors)
    expected = [(f.label, f.agencies, f.topics) for lt in subset for f in lt.findings]
    # As the build does: stored letters keep their tags, a newly parsed one has none.
    for f in subset[-1].findings:
        f.label, f.agencies, f.topics = "", "", ""
    for f in subset[0].findings:
        f.topics = "marker"  # a stored letter's tags are not recomputed ...
    classify.tag_corpus(subset, vectors, tagged_by=info["classifier_fingerprint"])
    assert {f.topics for f in subset[0].findings} == {"marker"}
    got = [(f.label, f.agencies, f.topics) for f in subset[-1].findings]
    assert got == expected[-len(got) :]  # ... and the new letter gets what a full run gives


def test_every_finding_is_tagged() -> None:
    letters = [copy.deepcopy(lt) for lt in list(all_letters())[:4]]
    vectors = embed_cache.vectors([f.text for lt in letters for f in lt.findings])[0]
    classify.tag_rows(classify.Corpus.of(letters, vectors), full_models())
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
    codes = set(AGENCIES) | set(TOPICS)
    assert all(
        set(filter(None, (f.agencies + ";" + f.topics).split(";"))) <= codes for f in findings
    )
