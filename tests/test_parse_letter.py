"""The parser against facts read by hand from every shared letter, plus pure structural rules
on synthetic lines (no letter text is stored in the repo)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from site_fixture import LETTERS_DIR

from analysis.build import parse_file
from analysis.letter import SECTIONS, NotAJtaiLetter
from analysis.parse_letter import Source, clean_lines, parse
from analysis.pdftext import Line, PdfText
from scrapers.rawstore import record_from_folder_manifest

FACTS_CSV = Path(__file__).parent / "facts" / "letters.csv"
FACT_FIELDS = [
    "local_authority",
    "letter_date",
    "fieldwork_start",
    "fieldwork_end",
    "theme",
    "format",
    "n_strengths",
    "n_improvements",
    "n_priority_actions",
]


def _facts() -> list[dict[str, str]]:
    with FACTS_CSV.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_facts_cover_every_shared_file(shared_manifest: dict[str, dict[str, str]]) -> None:
    assert {r["file"] for r in _facts()} == set(shared_manifest)


@pytest.mark.parametrize("fact", _facts(), ids=lambda f: f["file"][:-4])
def test_letter_matches_facts_read_by_hand(
    fact: dict[str, str], shared_manifest: dict[str, dict[str, str]]
) -> None:
    path = LETTERS_DIR / fact["file"]
    record = record_from_folder_manifest(shared_manifest[fact["file"]])
    if fact["theme"] == "not_jtai":
        with pytest.raises(NotAJtaiLetter):
            parse_file(path, record)
        return
    letter = parse_file(path, record)
    got = {k: str(getattr(letter, k)) for k in FACT_FIELDS}
    want = {k: fact[k] for k in FACT_FIELDS}
    assert got == want


def test_every_finding_is_traceable_to_a_page(shared_manifest: dict[str, dict[str, str]]) -> None:
    for name in ["80485-liverpool-2016-08-03.pdf", "80508-lewisham-2023-01-31.pdf"]:
        letter = parse_file(LETTERS_DIR / name, record_from_folder_manifest(shared_manifest[name]))
        assert len(letter.findings) > 50
        assert [f.position for f in letter.findings] == list(range(1, len(letter.findings) + 1))
        assert all(1 <= f.page <= letter.pages for f in letter.findings)
        assert all(f.section in SECTIONS for f in letter.findings)
        assert len({f.finding_id for f in letter.findings}) == len(letter.findings)
        # pages are non-decreasing within a section's run, except boxed case studies
        assert max(f.page for f in letter.findings) >= letter.pages - 2


# --- structural rules on synthetic pages -------------------------------------------------

PITCH = 15.0


def _lines(spec: list[tuple[str, float, bool] | tuple[str, float, bool, float]]) -> PdfText:
    """(text, x0, bold[, extra gap before]) per line, laid out down page 1 and onward."""
    out: list[Line] = []
    top, page = 100.0, 1
    for item in spec:
        text, x0, bold = item[0], item[1], item[2]
        gap = item[3] if len(item) > 3 else 0.0
        top += PITCH + gap
        if top > 760:
            page, top = page + 1, 100.0
        out.append(Line(page, text, x0, top, top + 12, top, 12.0, bold))
    return PdfText(pages=page, lines=out, page_height=842.0)


HEAD = [
    ("1 March 2024", 72, False),
    ("Director of Children's Services, Exampleshire County Council", 72, False),
    ("Chief Constable, Exampleshire Police", 72, False),
    ("Dear Exampleshire Local Safeguarding Partnership", 72, False),
    ("Joint targeted area inspection of Exampleshire", 72, True, 10),
    (
        "This letter summarises the findings of the joint targeted area inspection (JTAI) of the "
        "multi-agency response to serious youth violence in Exampleshire.",
        72,
        False,
        10,
    ),
    (
        "This inspection took place from 5 to 9 February 2024. It was carried out by inspectors "
        "from Ofsted, the Care Quality Commission (CQC) and HMICFRS.",
        72,
        False,
        10,
    ),
]
SIGN_OFF = ("Yours sincerely", 72, False, 10)

SRC = Source(file_id="f1", urn="99999", published="2024-03-02", source_url="", sha256="ab" * 32)


def test_synthetic_format_b_letter() -> None:
    pdf = _lines(
        HEAD
        + [
            ("Headline findings", 72, True, 10),
            ("Leaders work well together. Some plans are weak.", 72, False, 10),
            ("What needs to improve?", 72, True, 10),
            ("◼ The timeliness of strategy meetings.", 72, False, 10),
            ("◼ The quality of plans for children, including the", 72, False, 4),
            ("plans made by health visitors.", 89, False),
            ("Strengths", 72, True, 10),
            ("◼ Officers share information promptly.", 72, False, 10),
            ("◼ Leaders know their services well:", 72, False, 4),
            ("− a nested point that is not counted", 89, False, 4),
            ("− another nested point", 89, False, 4),
            ("Main findings", 72, True, 10),
            ("Children are seen quickly. Their views are recorded well.", 72, False, 10),
            ("Next steps", 72, True, 10),
            ("The partnership should prepare a plan.", 72, False, 10),
            ("Yours sincerely", 72, False, 10),
            ("Someone, Somewhere", 72, True),
        ]
    )
    letter = parse(pdf, SRC)
    assert letter.format == "B"
    assert letter.theme == "serious_youth_violence"
    assert (letter.fieldwork_start, letter.fieldwork_end) == ("2024-02-05", "2024-02-09")
    assert letter.letter_date == "2024-03-01"
    assert letter.local_authority == "Exampleshire"
    assert (letter.n_strengths, letter.n_improvements, letter.n_priority_actions) == (2, 2, 0)
    assert letter.inspectorates == "Ofsted;CQC;HMICFRS"
    assert "police" in letter.addressees.split(";")
    sections = [f.section for f in letter.findings]
    assert sections.count("headline_findings") == 2  # two sentences
    assert sections.count("main_findings") == 2
    assert "Someone" not in " ".join(f.text for f in letter.findings)  # signature dropped
    improvement_2 = [f for f in letter.findings if f.section == "improvements"][1]
    assert improvement_2.text.endswith("health visitors.")  # continuation joined


def test_paragraphs_are_items_when_a_section_has_no_bullets() -> None:
    pdf = _lines(
        HEAD
        + [
            ("Key strengths", 72, True, 10),
            ("First paragraph starts here and", 72, False, 10),
            ("goes on to a second line.", 72, False),
            ("Second paragraph, after a gap.", 72, False, 10),
            ("Third paragraph.", 72, False, 10),
            ("Areas for improvement", 72, True, 10),
            ("Identifying risk", 72, True, 10),
            ("\uf06e Something is weak.", 72, False, 10),
            ("Leadership and management", 72, True, 10),
            ("\uf06e Something else is weak.", 72, False, 10),
            SIGN_OFF,
        ]
    )
    letter = parse(pdf, SRC)
    assert letter.format == "A"
    assert letter.n_strengths == 3
    assert letter.n_improvements == 2  # bullets under sub-headings count
    subs = [f.subsection for f in letter.findings if f.section == "improvements"]
    assert subs == ["Identifying risk", "Leadership and management"]


def test_no_areas_for_priority_action_counts_zero() -> None:
    pdf = _lines(
        HEAD
        + [
            ("Areas for priority action", 72, True, 10),
            ("\uf06e There are no areas for priority action", 72, False, 10),
            ("Areas for improvement", 72, True, 10),
            ("\uf06e Plans are weak.", 72, False, 10),
            SIGN_OFF,
        ]
    )
    assert parse(pdf, SRC).n_priority_actions == 0


def test_case_study_box_extracted_mid_list_returns_to_the_list() -> None:
    pdf = _lines(
        HEAD
        + [
            ("Areas for improvement", 72, True, 10),
            ("\uf06e First weakness.", 72, False, 10),
            ("Case study: highly effective practice", 90, True, 10),
            ("A story about a child told in a box.", 90, False, 10),
            ("\uf06e Second weakness.", 72, False, 10),
            SIGN_OFF,
        ]
    )
    letter = parse(pdf, SRC)
    assert letter.n_improvements == 2
    assert [f.section for f in letter.findings if f.text.startswith("A story")] == [
        "case_study_effective"
    ]


def test_a_document_without_a_jtai_title_is_not_a_letter() -> None:
    pdf = _lines([("Inspection of progress made by the council", 72, True)] * 3 + HEAD[5:])
    with pytest.raises(NotAJtaiLetter):
        parse(pdf, SRC)


def test_page_numbers_and_footnotes_are_dropped() -> None:
    lines = [
        Line(1, "2", 500, 60, 72, 60, 12.0, False),
        Line(1, "Body text of the page ends with a marker.1", 72, 100, 112, 100, 12.0, False),
        Line(
            1, "1 This joint inspection was conducted under the Act.", 72, 700, 710, 700, 9.0, False
        ),
    ]
    cleaned = clean_lines(PdfText(1, lines + [lines[1]] * 5, 842.0))
    texts = [ln.text for ln in cleaned]
    assert "2" not in texts
    assert not any(t.startswith("1 This") for t in texts)
    assert texts[0].endswith("marker.")
