"""scrapers/rawstore.py: the checks every manifest value passes before it is trusted."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from scrapers import rawstore

GOOD = {
    "file": "80426-barnsley-2022-07-18.pdf",
    "urn": "80426",
    "provider": "barnsley",
    "report_type": "Joint area child protection inspection",
    "published": "2022-07-18",
    "source_url": "https://files.ofsted.gov.uk/v1/file/50188665",
    "sha256": "f07db8a4ddb0fa6c33e77a0c6dbec2980ce3043a6b9b9426a9f5b718eb3b71f6",
    "bytes": "345342",
}


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("published", "31/12/2099", "not a date as YYYY-MM-DD"),
        ("published", "-0001-01-01", "not a date as YYYY-MM-DD"),
        ("published", "2099-12-31", "outside 2005-01-01 to today"),
        ("published", "2004-12-31", "outside 2005-01-01 to today"),
        ("published", "2023-02-30", "not a date"),
        ("published", "2023-1-5", "not a date"),
        ("urn", "notanumber", "not an Ofsted URN"),
        ("urn", "8042", "not an Ofsted URN"),
        ("urn", "=cmd|' /C calc'!A0", "not an Ofsted URN"),
        ("source_url", "javascript:alert(1)", "not an http(s) address"),
        ("source_url", "file:///etc/passwd", "not an http(s) address"),
        ("source_url", "https://", "not an http(s) address"),
        ("sha256", "abc", "not 64 hexadecimal digits"),
        ("bytes", "-1", "not a number"),
    ],
)
def test_row_problems(field: str, value: str, problem: str) -> None:
    assert rawstore.row_problems(GOOD) == []
    (found,) = rawstore.row_problems({**GOOD, field: value})
    assert problem in found


def test_empty_values_are_unknown_not_wrong_and_tomorrow_is_allowed() -> None:
    empty = {k: "" for k in GOOD}
    assert rawstore.row_problems(empty) == []
    today = date(2026, 11, 30)
    assert rawstore.row_problems({**GOOD, "published": "2026-12-01"}, today=today) == []
    assert rawstore.row_problems({**GOOD, "published": "2026-12-02"}, today=today)


def test_a_stored_record_is_checked_alike() -> None:
    record = rawstore.record_from_folder_manifest(GOOD)
    assert rawstore.record_problems(record) == []
    (found,) = rawstore.record_problems(replace(record, published="31/12/2099"))
    assert "published '31/12/2099' is not a date" in found
