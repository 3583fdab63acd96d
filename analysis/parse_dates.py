"""Dates as letters print them: "2 August 2016", "Between 20 and 24 June", "from 13 November
2023 to 17 November 2023". Pure functions over text."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
DATE_RE = re.compile(rf"\b{_DAY}\s+{_MONTH}\s+(\d{{4}})\b", re.IGNORECASE)

# "between 20 and 24 June 2016", "from 21 to 25 November 2022", "between 27 February and
# 3 March 2017", "from 13 November 2023 to 17 November 2023"; the year may be missing.
FIELDWORK_RE = re.compile(
    rf"\b(?:between|from)\s+{_DAY}(?:\s+{_MONTH})?(?:,?\s+(\d{{4}}))?"
    rf"\s+(?:and|to|until|-|–)\s+{_DAY}\s+{_MONTH}(?:,?\s+(\d{{4}}))?",
    re.IGNORECASE,
)


def _make(day: str, month: str, year: int) -> date | None:
    try:
        return date(year, MONTHS[month.lower()], int(day))
    except (ValueError, KeyError):
        return None


def parse_date(text: str) -> date | None:
    """The first full date ("2 August 2016") in the text."""
    m = DATE_RE.search(text)
    return _make(m.group(1), m.group(2), int(m.group(3))) if m else None


def letter_date(first_lines: list[str]) -> date | None:
    """The date printed at the top: the first line (of the first few) that is only a date."""
    for line in first_lines:
        s = line.strip()
        m = DATE_RE.fullmatch(s) or DATE_RE.fullmatch(re.sub(r"^\d{1,2}\s+(?=\d)", "", s))
        if m:
            return _make(m.group(1), m.group(2), int(m.group(3)))
    return None


def fieldwork(text: str, reference: date | None) -> tuple[date | None, date | None]:
    """Start and end of the inspection week. A missing year is taken from ``reference`` (the
    letter date), one year earlier if that would put the fieldwork after the letter."""
    m = FIELDWORK_RE.search(text)
    if not m:
        return None, None
    d1, m1, y1, d2, m2, y2 = m.groups()
    end_year = int(y2) if y2 else int(y1) if y1 else None
    if end_year is None:
        if reference is None:
            return None, None
        end_year = reference.year
        probe = _make(d2, m2, end_year)
        if probe and probe > reference:
            end_year -= 1
    end = _make(d2, m2, end_year)
    start_month = m1 or m2
    start_year = int(y1) if y1 else end_year
    start = _make(d1, start_month, start_year)
    if start and end and start > end:  # "between 28 December and 1 January"
        start = _make(d1, start_month, start_year - 1)
    return start, end
