"""A letter's theme, from its own wording. Pure functions over text.

Where the theme is said: in the title ("... multi-agency response to sexual abuse in the family
in York"); for the 2016-2020 letters titled "abuse and neglect", in the sentence naming the
inspection's "deep dive"; from 2022, in the sentence "This letter summarises the findings of the
JTAI of the multi-agency response to ...". Ordered rules, most specific first, are applied to
that phrase.

Two pairs of themes share their wording and differ by programme: sexual abuse in the family
(2018-2019) and child sexual abuse in the family environment (2025 on); domestic abuse
(2016-2018) and children who are victims of domestic abuse (2024 on). The older letters already
say "family environment", so the inspection year (before or after the 2020-21 pause) decides.
"""

from __future__ import annotations

import re

NEW_PROGRAMME_YEAR = 2021  # JTAIs paused in 2020-21; later themes are the new programme's

_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("sexual_abuse_in_family", re.compile(r"sexual abuse in the family|intra-?familial")),
    ("cse_gangs_missing", re.compile(r"\bgangs?\b")),
    ("child_exploitation", re.compile(r"child exploitation|(?=.*sexual)(?=.*criminal).*exploit")),
    ("criminal_exploitation", re.compile(r"criminal exploitation|criminally exploited")),
    ("serious_youth_violence", re.compile(r"serious youth violence|serious violence")),
    ("mental_health", re.compile(r"mental (?:ill )?health")),
    ("domestic_abuse", re.compile(r"domestic abuse|domestic violence")),
    ("cse_missing", re.compile(r"sexual exploitation|missing from home")),
    ("neglect", re.compile(r"neglect")),
    ("early_help", re.compile(r"famil(?:y|ies)\b.{0,40}\bwho need help|early help")),
    ("front_door", re.compile(r"initial need and risk|front door")),
]

_NEW_PROGRAMME = {
    "sexual_abuse_in_family": "child_sexual_abuse_in_family_environment",
    "domestic_abuse": "domestic_abuse_victims",
}

_GENERIC_TITLE = re.compile(r"abuse and neglect", re.IGNORECASE)
_RESPONSE_TO = re.compile(
    r"multi-agency (?:response to|identification (?:of|and response to))\s+(.+)", re.IGNORECASE
)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z0-9‘'(])", _flat(text))


def _strip_area(phrase: str) -> str:
    """Drop a trailing " in <Area>" (an area name is capitalised) and the full stop."""
    phrase = re.sub(r"[.\s]+$", "", phrase)
    return re.sub(r"\s+in\s+(?:the\s+)?(?:[A-Z][\w’'&-]*\s*)+$", "", phrase).strip()


def candidate_phrases(title: str, intro: str) -> list[str]:
    """The letter's own words for what the inspection looked at, best source first."""
    out: list[str] = []
    flat_title = _flat(title)
    if not _GENERIC_TITLE.search(flat_title):
        m = _RESPONSE_TO.search(flat_title)
        if m:
            out.append(_strip_area(m.group(1)))
    sentences = _sentences(intro)
    for sentence in sentences:
        m = re.search(r"deep[\s-]+dive[’']?\s+(?:focus\s+)?(?:on|into)\s+(.+)", sentence, re.I)
        if m:
            out.append(_strip_area(re.sub(r"^the response to\s+", "", m.group(1))))
    for sentence in sentences:
        if re.search(r"\bJTAI\b|joint targeted area inspection", sentence, re.I):
            m = _RESPONSE_TO.search(sentence)
            if m:
                out.append(_strip_area(m.group(1)))
    return out


def theme(title: str, intro: str, year: int | None) -> tuple[str, str]:
    """(theme code, theme phrase): the first phrase that a rule recognises."""
    phrases = candidate_phrases(title, intro)
    for phrase in phrases:
        code = classify_theme(phrase, year)
        if code != "other":
            return code, phrase
    return "other", phrases[0] if phrases else ""


def classify_theme(phrase: str, year: int | None = None) -> str:
    """The theme code for a theme phrase; ``other`` when no rule applies."""
    p = _flat(phrase).lower()
    for code, pattern in _RULES:
        if pattern.search(p):
            if year is not None and year >= NEW_PROGRAMME_YEAR:
                return _NEW_PROGRAMME.get(code, code)
            return code
    return "other"
