"""The taxonomy's codes and the names a person reads, in one place (taxonomy v2).

Codes are contracts: the same strings are stored in the database, written to the exports,
accepted as URL parameters and documented in docs/taxonomy.md. Names are what every page, chart
and table shows a reader. The order of each tuple is the order tags are stored in a ;-list.
The rules a person labels by: ../shared/labelling-guide.md (version 2).
"""

from __future__ import annotations

TAXONOMY_VERSION = "2"

LABELS = ("strength", "improvement", "priority_action", "context")
LABEL_NAMES = {
    "strength": "Strength",
    "improvement": "Area for improvement",
    "priority_action": "Priority action",
    "context": "Context",
    "mixed": "Mixed",
}

AGENCY_NAMES = {
    "children_social_care": "Children's social care",
    "police": "Police",
    "health": "Health",
    "education": "Education",
    "probation": "Probation",
    "youth_justice": "Youth justice",
    "safeguarding_partnership": "Safeguarding partnership",
    "voluntary_sector": "Voluntary sector",
    "adult_services": "Adult services",
    "other": "Other agencies",
}
AGENCIES = tuple(AGENCY_NAMES)

TOPIC_NAMES = {
    "perpetrator_focus": "Perpetrator focus",
    "voice_of_child": "Voice of the child",
    "information_sharing": "Information sharing",
    "assessment_and_planning": "Assessment and planning",
    "management_oversight": "Management oversight",
    "workforce": "Workforce",
    "leadership_and_partnership": "Leadership and partnership",
    "early_help": "Early help",
    "missing_children": "Missing children",
    "exploitation": "Exploitation",
    "domestic_abuse": "Domestic abuse",
    "timeliness": "Timeliness",
    "access_to_services": "Access to services",
    "send_and_disability": "SEND and disability",
    "diversity_and_identity": "Diversity and identity",
}
TOPICS = tuple(TOPIC_NAMES)
# Topics added by version 2 of the guide (the v1 figures are reported on the other eight).
TOPICS_V1 = TOPICS[:8]


def label_name(code: str) -> str:
    return LABEL_NAMES.get(code, code.replace("_", " ").capitalize() if code else "Unlabelled")


def agency_name(code: str) -> str:
    return AGENCY_NAMES.get(code, code.replace("_", " ").capitalize())


def topic_name(code: str) -> str:
    return TOPIC_NAMES.get(code, code.replace("_", " ").capitalize())
