"""Plain data for a parsed letter: what the parser produces and the store keeps."""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.taxonomy import AGENCIES, LABELS, TOPICS

SECTIONS = (
    "introduction",
    "headline_findings",
    "strengths",
    "improvements",
    "priority_action",
    "case_study_effective",
    "case_study_improvement",
    "main_findings",
    "next_steps",
)

THEMES = {
    "cse_missing": "Child sexual exploitation and missing children",
    "domestic_abuse": "Domestic abuse",
    "neglect": "Neglect",
    "cse_gangs_missing": "Child sexual exploitation, gangs and missing children",
    "sexual_abuse_in_family": "Sexual abuse in the family",
    "child_exploitation": "Child exploitation (sexual and criminal)",
    "mental_health": "Children's mental health",
    "criminal_exploitation": "Criminal exploitation",
    "front_door": "Front door (initial need and risk)",
    "early_help": "Early help (children and families who need help)",
    "serious_youth_violence": "Serious youth violence",
    "domestic_abuse_victims": "Children who are victims of domestic abuse",
    "child_sexual_abuse_in_family_environment": "Child sexual abuse in the family environment",
    "other": "Other",
}

__all__ = ["AGENCIES", "LABELS", "SECTIONS", "THEMES", "TOPICS", "Finding", "Letter"]


@dataclass
class Finding:
    """One sentence of a letter, with where it sits; the classifier fills the tag fields."""

    finding_id: str
    letter_id: str
    section: str
    subsection: str  # the sub-heading it sits under, as printed ("" if none)
    agency_section: str  # the agency that sub-heading names ("" if none)
    paragraph: int  # 1-based number of the bullet/paragraph within its section
    kind: str  # bullet | subbullet | paragraph
    sentence: int  # 1-based number of the sentence within its bullet/paragraph
    page: int
    position: int  # 1-based reading order within the letter
    text: str
    key: str  # sentence key (analysis.sentences.sentence_key)
    label: str = ""
    label_source: str = ""
    label_confidence: float = 0.0
    needs_review: bool = False
    agencies: str = ""
    topics: str = ""


@dataclass
class Letter:
    letter_id: str
    urn: str
    local_authority: str
    la_code: str
    region: str
    published: str
    letter_date: str
    fieldwork_start: str
    fieldwork_end: str
    theme: str
    theme_phrase: str
    format: str
    inspectorates: str
    addressees: str
    n_strengths: int
    n_improvements: int
    n_priority_actions: int
    source_url: str
    sha256: str
    pages: int
    file_id: str = ""
    ons_code: str = ""
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class SetAside:
    """A document that is not parsed as a letter, and why."""

    file_id: str
    sha256: str
    source_url: str
    reason: str


class NotAJtaiLetter(Exception):
    """The document is readable but is not a JTAI letter (another report type)."""


class IncompleteLetter(Exception):
    """A JTAI letter whose end is missing (a file cut short, pages lost): never stored half."""
