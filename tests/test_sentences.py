from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from analysis.sentences import first_words, sentence_key, split_sentences


def test_splits_on_full_stops_not_abbreviations() -> None:
    text = (
        "Leaders work well, e.g. in the MASH. Dr. Smith chairs the board. "
        "Plans are weak! Are they reviewed? Yes."
    )
    assert split_sentences(text) == [
        "Leaders work well, e.g. in the MASH.",
        "Dr. Smith chairs the board.",
        "Plans are weak!",
        "Are they reviewed?",
        "Yes.",
    ]


def test_fragment_without_full_stop_is_one_sentence() -> None:
    assert split_sentences("The timeliness of strategy meetings") == [
        "The timeliness of strategy meetings"
    ]


def test_key_ignores_layout_and_punctuation() -> None:
    a = "Multi-agency   work is\n effective."
    b = "Multi agency work is effective"
    assert sentence_key(a) == sentence_key(b)
    assert sentence_key(a) != sentence_key("Multi-agency work is ineffective.")
    assert len(sentence_key(a)) == 12


def test_first_words() -> None:
    assert first_words("Children’s voices are heard well.", 3) == "Children’s voices are"


words = st.lists(st.from_regex(r"[A-Za-z]{1,10}", fullmatch=True), min_size=1, max_size=12)


@given(st.lists(words, min_size=1, max_size=6))
def test_split_then_join_keeps_every_word(sentences: list[list[str]]) -> None:
    text = " ".join(" ".join(ws).capitalize() + "." for ws in sentences)
    parts = split_sentences(text)
    assert " ".join(parts) == text
    assert len(parts) <= len(sentences)


@given(st.text(max_size=500))
def test_never_loses_text(text: str) -> None:
    parts = split_sentences(text)
    assert "".join(parts).replace(" ", "") == "".join(text.split())
