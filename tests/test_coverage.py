"""analysis/coverage.py: the known JTAI letters the corpus holds, and the ones it lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

import config
from analysis import coverage
from scrapers.rawstore import record_from_folder_manifest


@pytest.fixture(scope="module")
def known() -> list[coverage.KnownLetter]:
    if not config.KNOWN_JTAI_LETTERS_CSV.exists():
        pytest.skip(f"no list of known JTAI letters at {config.KNOWN_JTAI_LETTERS_CSV}")
    return coverage.read_known()


def test_the_known_list_has_70_dated_letters_in_publication_order(known) -> None:
    # 73 JTAIs are known to have taken place, 70 of them with a publication date
    assert len(known) == 70
    assert [k.published for k in known] == sorted(k.published for k in known)
    assert all(k.area and k.urn.isdigit() for k in known)


def test_the_known_lists_rows_read_whole_undated_ones_too(known) -> None:
    rows = coverage.read_rows()
    assert len(rows) == 73  # 70 dated (the fixture's) and 3 announced only by fieldwork
    assert all(r["area"] and r["theme"] for r in rows)
    assert sum(not r["published"] for r in rows) == 73 - len(known)


def test_coverage_of_the_shared_letters_names_each_missing_area(
    known, shared_manifest: dict[str, dict[str, str]]
) -> None:
    records = [record_from_folder_manifest(row) for row in shared_manifest.values()]
    cov = coverage.coverage(known, coverage.held_in_raw(records))
    held_pairs = {(r.urn, r.published) for r in records}
    expected_held = [k for k in known if (k.urn, k.published) in held_pairs]
    assert len(cov.held) == len(expected_held) and 0 < len(cov.held) < len(known)
    assert cov.headline() == f"{len(expected_held)} of 70 known JTAI letters"
    assert {(k.urn, k.published) for k in cov.missing} == {
        (k.urn, k.published) for k in known
    } - held_pairs
    lines = cov.lines()
    for k in cov.missing:
        assert f"  not held: {k.area} (URN {k.urn}), published {k.published}" in lines


def test_coverage_marks_each_held_letter_with_its_id() -> None:
    known = [
        coverage.KnownLetter("Croydon", "80492", "2016-06-29"),
        coverage.KnownLetter("Liverpool", "80485", "2016-08-03"),
    ]
    cov = coverage.coverage(known, {("80485", "2016-08-03"): "80485-2016-08-03"})
    assert [k.letter_id for k in cov.letters] == ["", "80485-2016-08-03"]
    assert [k.area for k in cov.missing] == ["Croydon"]
    assert cov.headline() == "1 of 2 known JTAI letters"


def test_a_missing_list_is_a_clear_message_not_a_crash(tmp_path: Path) -> None:
    missing = tmp_path / "known_jtai_letters.csv"
    with pytest.raises(coverage.NoReference, match="cannot be read at .*known_jtai_letters.csv"):
        coverage.read_known(missing)
    with pytest.raises(coverage.NoReference, match="cannot be read at"):
        coverage.read_rows(missing)


def test_report_lines_say_when_coverage_is_not_measured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(config, "KNOWN_JTAI_LETTERS_CSV", tmp_path / "absent.csv")
    (line,) = coverage.report_lines([])
    assert line.startswith("Coverage: not measured: the list of known JTAI letters")
