from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from analysis import parse_dates

MONTH_NAMES = [d.strftime("%B") for d in (date(2020, m, 1) for m in range(1, 13))]


def test_letter_date_is_the_first_date_only_line() -> None:
    lines = ["1", "2 August 2016", "Someone, Director"]
    assert parse_dates.letter_date(lines) == date(2016, 8, 2)
    assert parse_dates.letter_date(["Dear partners", "no date here"]) is None


def test_fieldwork_forms() -> None:
    ref = date(2017, 4, 21)
    assert parse_dates.fieldwork("Between 27 February and 3 March 2017, Ofsted", ref) == (
        date(2017, 2, 27),
        date(2017, 3, 3),
    )
    assert parse_dates.fieldwork("took place from 21 to 25 November 2022.", ref) == (
        date(2022, 11, 21),
        date(2022, 11, 25),
    )
    assert parse_dates.fieldwork("from 13 November 2023 to 17 November 2023", ref) == (
        date(2023, 11, 13),
        date(2023, 11, 17),
    )


def test_missing_year_is_inferred_from_the_letter_date() -> None:
    # a June inspection reported in August of the same year
    assert parse_dates.fieldwork("Between 20 and 24 June, Ofsted", date(2016, 8, 2)) == (
        date(2016, 6, 20),
        date(2016, 6, 24),
    )
    # a December inspection reported in February: the year before the letter
    assert parse_dates.fieldwork("Between 5 and 9 December, Ofsted", date(2017, 2, 1)) == (
        date(2016, 12, 5),
        date(2016, 12, 9),
    )


def test_no_fieldwork_sentence() -> None:
    assert parse_dates.fieldwork("Inspectors looked at cases.", date(2020, 1, 1)) == (None, None)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.integers(min_value=0, max_value=6),
)
def test_fieldwork_round_trip(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    text = (
        f"This inspection took place from {start.day} {MONTH_NAMES[start.month - 1]} "
        f"{start.year} to {end.day} {MONTH_NAMES[end.month - 1]} {end.year}."
    )
    assert parse_dates.fieldwork(text, None) == (start, end)


@given(st.text(max_size=200))
def test_never_crashes_on_any_text(text: str) -> None:
    parse_dates.fieldwork(text, date(2020, 1, 1))
    parse_dates.letter_date(text.splitlines())
    parse_dates.parse_date(text)
