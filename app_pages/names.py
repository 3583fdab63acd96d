"""What a reader sees for each code: one vocabulary for every page, chart, table and notice.

Codes stay in URLs and CSV columns (they are contracts); everything a person reads goes through
here. Labels, agencies and topics come from analysis/taxonomy.py (the names docs/taxonomy.md
documents), themes from analysis/letter.py, areas from the LA lookup (analysis/reference.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import config
from analysis import taxonomy
from analysis.letter import THEMES

# Compare's third bar counts every sentence, whatever its label.
ALL_FINDINGS = "all findings"

SECTION_NAMES = {
    "introduction": "Introduction",
    "headline_findings": "Headline findings",
    "strengths": "Strengths",
    "improvements": "Areas for improvement",
    "priority_action": "Priority actions",
    "case_study_effective": "Case study: effective practice",
    "case_study_improvement": "Case study: practice needing improvement",
    "main_findings": "Main findings",
    "next_steps": "Next steps",
}

# Column headers of the tables a page draws (CSV downloads keep the codes as headers).
HEADERS = {
    "published": "Published",
    "local_authority": "Area",
    "area": "Area",
    "region": "Region",
    "theme": "Theme",
    "theme_name": "Theme",
    "label": "Label",
    "label_name": "Label",
    "agency": "Agency",
    "agency_name": "Agency",
    "topic": "Topic",
    "text": "Sentence",
    "page": "Page",
    "section": "Section",
    "label_confidence": "Confidence",
    "agencies": "Agencies",
    "topics": "Topics",
    "n_strengths": "Strengths (bullets)",
    "n_improvements": "Areas for improvement (bullets)",
    "n_priority_actions": "Priority actions (bullets)",
    "pages": "Pages",
    "letter": "Letter",
    "profile": "Profile",
    "letters": "Letters",
    "findings": "Findings",
    "year": "Year",
    "group": "Compared with",
    "bullets": "Bullets",
    "share": "Share",
    "on_topic": "On the topic",
    "ci_low": "95% interval from",
    "ci_high": "95% interval to",
    "urn": "URN",
    "ons_code": "ONS code",
}


def label_name(code: str) -> str:
    if code == ALL_FINDINGS:
        return "All findings"
    return taxonomy.label_name(code or "")


def agency_name(code: str) -> str:
    return taxonomy.agency_name(code)


def topic_name(code: str) -> str:
    return taxonomy.topic_name(code)


def theme_name(code: str, themes: Mapping[str, str] = THEMES) -> str:
    return themes.get(code, code.replace("_", " ").capitalize())


def section_name(code: str) -> str:
    return SECTION_NAMES.get(code, code.replace("_", " ").capitalize())


def tag_names(codes: str, name: object) -> str:
    """A stored ;-list of tags ("police;health") as names ("Police, Health")."""
    return ", ".join(name(c) for c in (codes or "").split(";") if c)  # type: ignore[operator]


def area_name(urn: str, la_names: Mapping[str, str], fallback: str = "") -> str:
    """The LA lookup's name for an area (one spelling everywhere), else the letter's own."""
    return la_names.get(urn) or fallback or urn


def provider_page(urn: str) -> str:
    """The area's page on the reports website: where a letter with no known file address
    can be found."""
    return f"{config.SITE_BASE_URL}/provider/44/{urn}" if str(urn).isdigit() else ""


def headers(columns: object) -> dict[str, str]:
    """Reader headers for the columns a page draws (unknown ones keep their name)."""
    return {c: HEADERS.get(c, c) for c in columns}  # type: ignore[attr-defined]
