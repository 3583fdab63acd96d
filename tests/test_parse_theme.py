from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.letter import THEMES
from analysis.parse_theme import classify_theme, theme

GENERIC = "Joint targeted area inspection of the multi-agency response to abuse and neglect in X"


@pytest.mark.parametrize(
    ("deep_dive", "year", "code"),
    [
        (
            "child sexual exploitation and those missing from home, care or education",
            2016,
            "cse_missing",
        ),
        ("children living with domestic abuse", 2017, "domestic_abuse"),
        ("children between seven and 15 years old who have been neglected", 2017, "neglect"),
        ("children's mental health", 2019, "mental_health"),
    ],
)
def test_abuse_and_neglect_letters_take_the_deep_dive(deep_dive: str, year: int, code: str) -> None:
    intro = (
        f"Between 1 and 5 May, inspectors looked at X. This inspection included a ‘deep dive’ "
        f"focus on the response to {deep_dive}. This letter outlines our findings."
    )
    assert theme(GENERIC, intro, year)[0] == code


def test_specific_title_wins_over_a_vague_deep_dive() -> None:
    title = (
        "Joint targeted area inspection of the multi-agency response to child sexual "
        "exploitation, children associated with gangs and at risk of exploitation and "
        "children missing from home, care or education in Y"
    )
    intro = "The inspection included a ‘deep dive’ focus on a number of cases."
    assert theme(title, intro, 2018)[0] == "cse_gangs_missing"


def test_format_b_sentence_and_programme_era() -> None:
    title = "Joint targeted area inspection of Z"
    da = (
        "This letter summarises the findings of the joint targeted area inspection (JTAI) of "
        "the multi-agency response to children who are victims of domestic abuse in Z."
    )
    assert theme(title, da, 2024) == (
        "domestic_abuse_victims",
        "children who are victims of domestic abuse",
    )
    csa = da.replace(
        "children who are victims of domestic abuse", "child sexual abuse in the family environment"
    )
    assert theme(title, csa, 2025)[0] == "child_sexual_abuse_in_family_environment"
    assert theme(title, csa, 2018)[0] == "sexual_abuse_in_family"
    fd = da.replace(
        "children who are victims of domestic abuse", "identification of initial need and risk"
    )
    assert theme(title, fd, 2023)[0] == "front_door"
    eh = da.replace(
        "children who are victims of domestic abuse", "children and families in Z who need help"
    )
    assert theme(title, eh, 2023)[0] == "early_help"


def test_unknown_wording_is_other() -> None:
    assert classify_theme("something never inspected before") == "other"


@given(st.text(max_size=300), st.integers(min_value=2010, max_value=2035))
def test_always_a_known_code(phrase: str, year: int) -> None:
    assert classify_theme(phrase, year) in THEMES
