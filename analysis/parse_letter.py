"""Lines of a JTAI letter -> a structured Letter (metadata, sections, findings). Pure.

General rules only, no per-area cases. What the rules rest on, seen across 2016-2025 letters:
- headings are bold lines (a few letters lose bold: exact heading wording is accepted too);
- bullets are a glyph at the line start (private-use Wingdings in older letters, '◼' in newer,
  '−' for nested ones) and their continuation lines hang indented; one letter has no glyphs,
  and then paragraphs (seen only as vertical gaps) are the items;
- sections come in varying order (priority actions sometimes first), some under other names
  ("Early help strengths"), and format A puts agency sub-headings inside them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from analysis import parse_dates, parse_theme
from analysis.letter import Finding, IncompleteLetter, Letter, NotAJtaiLetter
from analysis.pdftext import Line, PdfText
from analysis.sentences import sentence_key, split_sentences

# Bump when a change alters what the parser produces: the next build re-parses every PDF.
PARSER_VERSION = "1"

BULLET_GLYPHS = "\uf06e\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf0a8◼■▪•●◦○−–"
_BULLET_RE = re.compile(rf"^\s*([{BULLET_GLYPHS}])\s*")
_NESTED_GLYPHS = "−–◦○\uf0a8"
_NUMBERED_RE = re.compile(r"^\s*(\d{1,3})\.\s+(?=\S)")
_JTAI_TITLE = re.compile(r"^\s*joint\s+targeted\s+area\s+inspection\b", re.IGNORECASE)
_SIGN_OFF = re.compile(r"^\s*yours\s+(sincerely|faithfully)", re.IGNORECASE)

# (section, pattern over a heading's text), tried in order.
_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    ("headline_findings", re.compile(r"^headline findings$")),
    ("priority_action", re.compile(r"^areas? for priority action")),
    ("improvements", re.compile(r"^(areas? for improvement|what needs to improve)")),
    ("main_findings", re.compile(r"^main findings$")),
    ("next_steps", re.compile(r"^next steps$")),
    ("introduction", re.compile(r"^context$")),
    (
        "case_study",
        re.compile(r"^(case|practice) study\b|^places and spaces\b"),
    ),
    ("strengths", re.compile(r"^(key |multi-agency )?strengths$")),
]
# Heading wording that is only a heading when bold (plain text can say it too).
_BOLD_ONLY_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    ("strengths", re.compile(r"^[\w’' -]{0,40}\bstrengths$")),
]

AGENCY_SUBHEADINGS: list[tuple[str, re.Pattern[str]]] = [
    (
        "safeguarding_partnership",
        re.compile(
            r"safeguarding (children )?(board|partnership)|lscb|"
            r"\bpartnership\b",
            re.I,
        ),
    ),
    (
        "children_social_care",
        re.compile(
            r"children’?'?s? social care|local authority|"
            r"children’?'?s services|social care",
            re.I,
        ),
    ),
    ("police", re.compile(r"\bpolice\b|constabulary", re.I)),
    ("health", re.compile(r"\bhealth\b|\bnhs\b|\bccg\b|camhs", re.I)),
    ("probation", re.compile(r"probation|rehabilitation compan", re.I)),
    ("youth_justice", re.compile(r"youth (offending|justice)", re.I)),
    ("education", re.compile(r"\bschools?\b|education", re.I)),
]

ADDRESSEE_KINDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "police_and_crime_commissioner",
        re.compile(
            r"police,? (and|&) crime commissioner|"
            r"policing and crime|\bpcc\b",
            re.I,
        ),
    ),
    ("police", re.compile(r"police|constable|constabulary", re.I)),
    ("safeguarding_partnership", re.compile(r"safeguarding|lscb|scrutineer|\bboard\b", re.I)),
    ("youth_justice", re.compile(r"youth (offending|justice)|\byot\b|\byos\b", re.I)),
    ("probation", re.compile(r"probation|rehabilitation compan|\bcrc\b|\bnps\b", re.I)),
    (
        "health",
        re.compile(
            r"health|nhs|\bccg\b|clinical commissioning|integrated care|nurs|"
            r"doctor|\bicb\b|medical|hospital|trust\b",
            re.I,
        ),
    ),
    ("education", re.compile(r"school|education|college", re.I)),
    (
        "local_authority",
        re.compile(
            r"council|director of children|children’?s services|"
            r"chief executive|people|borough|local authority",
            re.I,
        ),
    ),
]


@dataclass
class _Item:
    section: str
    subsection: str
    kind: str  # bullet | subbullet | paragraph
    number: int
    x0: float
    parts: list[tuple[int, str]] = field(default_factory=list)  # (page, text) per line


def _clean_text(text: str) -> str:
    text = text.replace("\ufffe", "-").replace("\x02", "-").replace("\u00ad", "-")
    # Footnote markers stuck to a word's end ("Liverpool.1", "Durham1 ."): a 1-2 digit number
    # after a letter or closing punctuation, at the end of the line.
    return re.sub(r"(?<=[a-z.)’”])\d{1,2}(?=\s*\.?\s*$)", "", text)


def _is_page_number(line: Line, first_on_page: bool, last_on_page: bool) -> bool:
    return bool(re.fullmatch(r"\s*\d{1,3}\s*", line.text)) and (first_on_page or last_on_page)


def clean_lines(pdf: PdfText) -> list[Line]:
    """Drop page numbers, footnotes and footnote markers; fix hyphens. Keeps layout fields."""
    body = Counter(round(ln.size * 2) / 2 for ln in pdf.lines).most_common(1)[0][0]
    by_page: dict[int, list[Line]] = {}
    for ln in pdf.lines:
        by_page.setdefault(ln.page, []).append(ln)
    out: list[Line] = []
    for page_lines in by_page.values():
        for i, ln in enumerate(page_lines):
            if _is_page_number(ln, i == 0, i == len(page_lines) - 1):
                continue
            small = ln.size < body - 1.4
            low = ln.top > pdf.page_height * 0.72
            if small and (low or re.fullmatch(r"\s*\d{1,2}\s*", ln.text)):
                continue  # a footnote, or a footnote marker on a line of its own
            text = _clean_text(ln.text)
            if text.strip():
                out.append(
                    Line(ln.page, text, ln.x0, ln.top, ln.bottom, ln.last_top, ln.size, ln.bold)
                )
    return out


def _heading_section(line: Line) -> str | None:
    text = re.sub(r"\s+", " ", line.text.strip().rstrip(":?")).lower()
    if len(text) > 90:
        return None
    for section, pattern in _HEADINGS:
        if pattern.search(text) and (line.bold or len(text) < 40):
            if section == "case_study":
                if not line.bold:
                    return None
                return (
                    "case_study_improvement"
                    if re.search(r"improve|priority|weak|develop", text)
                    else "case_study_effective"
                )
            return section
    if line.bold:
        for section, pattern in _BOLD_ONLY_HEADINGS:
            if pattern.search(text):
                return section
    return None


def line_pitch(lines: list[Line]) -> float:
    """The letter's usual distance from one line's last character to the next line's top,
    within a paragraph: a low percentile, as lines inside paragraphs are the closest."""
    pitches = sorted(
        b.top - a.last_top
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page and 0 < b.top - a.last_top < 40
    )
    return pitches[len(pitches) // 10] if pitches else 15.0


def _paragraph_break(prev: Line | None, line: Line, pitch: float) -> bool:
    if prev is None:
        return True
    if line.page != prev.page:
        ended = re.search(r"[.!?:;’”)]\s*$", prev.text.strip())
        return bool(ended) and line.text.strip()[:1].isupper()
    gap = line.top - prev.last_top
    return gap < 0 or gap > 1.4 * pitch


def _join(parts: list[tuple[int, str]]) -> tuple[str, list[tuple[int, int]]]:
    """Join an item's lines into one text; returns it and (char offset, page) marks."""
    text = ""
    marks: list[tuple[int, int]] = []
    for page, part in parts:
        part = part.strip()
        if text and not text.endswith("-"):
            text += " "
        marks.append((len(text), page))
        text += part
    return text, marks


def _page_at(marks: list[tuple[int, int]], offset: int) -> int:
    page = marks[0][1]
    for start, p in marks:
        if start <= offset:
            page = p
    return page


@dataclass
class _Structure:
    title: list[Line]
    addressee_lines: list[str]
    intro_lines: list[Line]
    items: list[_Item]
    fmt: str


def _structure(lines: list[Line]) -> _Structure:
    title_at = next(
        (i for i, ln in enumerate(lines[:120]) if _JTAI_TITLE.match(ln.text) and ln.page <= 2),
        None,
    )
    if title_at is None:
        raise NotAJtaiLetter("no 'Joint targeted area inspection' title on its first pages")
    pitch = line_pitch(lines)
    title = [lines[title_at]]
    for ln in lines[title_at + 1 : title_at + 5]:
        if (
            _paragraph_break(title[-1], ln, pitch)
            or ln.bold != title[0].bold
            or _heading_section(ln)
        ):
            break
        if not ln.bold and re.match(r"^(Between|This|The|In|From|On)\b", ln.text.strip()):
            break
        title.append(ln)
    dear = next(
        (i for i, ln in enumerate(lines[:title_at]) if re.match(r"^\s*Dear\b", ln.text)), title_at
    )
    addressee_lines = [ln.text.strip() for ln in lines[:dear]]

    body = lines[title_at + len(title) :]
    end = next((i for i, ln in enumerate(body) if _SIGN_OFF.match(ln.text)), None)
    if end is None:
        # Every letter is signed off after its findings: without the sign-off the findings may
        # stop part-way, and a part of a letter would skew every count it enters.
        raise IncompleteLetter(
            "no sign-off ('Yours sincerely') after the findings: the file is cut short or "
            "pages are missing"
        )
    body = body[:end]
    headings = {i: _heading_section(ln) for i, ln in enumerate(body)}
    found = {s for s in headings.values() if s}
    fmt = (
        "B"
        if found & {"headline_findings", "main_findings"}
        or any(re.match(r"what needs to improve", ln.text.strip(), re.I) for ln in body)
        else "A"
    )

    bullet_x = Counter(round(ln.x0) for ln in body if _BULLET_RE.match(ln.text))
    base_x = min(bullet_x, key=lambda x: (-bullet_x[x], x)) if bullet_x else None

    intro: list[Line] = []
    items: list[_Item] = []
    section = "introduction"
    subsection = ""
    counters: Counter[str] = Counter()
    current: _Item | None = None
    prev: Line | None = None
    pending_sub: list[Line] = []
    resume = (section, subsection)
    for i, ln in enumerate(body):
        heading = headings[i]
        if heading:
            if not section.startswith("case_study"):
                resume = (section, subsection)
            section, subsection, current, prev = heading, "", None, ln
            if heading.startswith("case_study"):
                subsection = ln.text.strip()
            continue
        text = ln.text.strip()
        if (
            ln.bold
            and len(text) < 100
            and not _BULLET_RE.match(text)
            and section != "introduction"
            and (_paragraph_break(prev, ln, pitch) or (pending_sub and pending_sub[-1] is prev))
        ):
            # A sub-heading (format A agency or theme sub-section, a case study's title); a
            # format B bullet list does not take sub-headings, so there it opens narrative.
            if pending_sub and pending_sub[-1] is prev:
                pending_sub.append(ln)
            else:
                pending_sub = [ln]
            if fmt == "B" and section in {"strengths", "improvements", "priority_action"}:
                section = "main_findings"
            subsection = " ".join(p.text.strip() for p in pending_sub)
            current, prev = None, ln
            continue
        if section == "introduction" and not counters.keys() - {"introduction"}:
            intro.append(ln)
        bullet = _BULLET_RE.match(ln.text)
        numbered = _NUMBERED_RE.match(ln.text)
        if bullet:
            glyph = bullet.group(1)
            # Indented bullets are nested only under a bullet; under an introductory sentence
            # ("Leaders need to ensure that:") they are the list itself.
            nested = (
                current is not None
                and current.kind == "bullet"
                and (glyph in _NESTED_GLYPHS or ln.x0 > current.x0 + 14)
            )
            if section.startswith("case_study") and not nested and resume[0] != "introduction":
                # Case studies are boxed and indented: a bullet at the margin means the box
                # has ended (it is often extracted in the middle of a list) and the list goes on.
                section, subsection = resume
            kind = "subbullet" if nested else "bullet"
            if nested and current is not None:
                # Nested bullets stay with their parent item: they are not counted, and
                # their sentences are part of what the parent bullet says.
                current.parts.append((ln.page, ln.text[bullet.end() :]))
                prev = ln
                continue
            counters[section] += 1
            current = _Item(section, subsection, kind, counters[section], ln.x0)
            current.parts.append((ln.page, ln.text[bullet.end() :]))
            items.append(current)
        elif numbered and _paragraph_break(prev, ln, pitch) or numbered and current is None:
            counters[section] += 1
            current = _Item(section, subsection, "paragraph", int(numbered.group(1)), ln.x0)
            current.parts.append((ln.page, ln.text[numbered.end() :]))
            items.append(current)
        elif current is not None and not _paragraph_break(prev, ln, pitch):
            current.parts.append((ln.page, ln.text))
        elif (
            current is not None
            and current.kind != "paragraph"
            and base_x is not None
            and ln.x0 > base_x + 8
        ):
            # A further paragraph hanging inside a bullet: it belongs to that bullet.
            current.parts.append((ln.page, ln.text))
        else:
            counters[section] += 1
            current = _Item(section, subsection, "paragraph", counters[section], ln.x0)
            current.parts.append((ln.page, ln.text))
            items.append(current)
        prev = ln
        pending_sub = []
    return _Structure(title, addressee_lines, intro, items, fmt)


def _agency_of_subsection(subsection: str) -> str:
    for agency, pattern in AGENCY_SUBHEADINGS:
        if pattern.search(subsection):
            return agency
    return ""


def _addressees(lines: list[str]) -> list[str]:
    kinds: list[str] = []
    for line in lines:
        for kind, pattern in ADDRESSEE_KINDS:
            if pattern.search(line):
                if kind not in kinds:
                    kinds.append(kind)
                break
    return kinds


def _inspectorates(text: str) -> list[str]:
    found = []
    checks = [
        ("Ofsted", r"\bOfsted\b"),
        ("CQC", r"Care Quality Commission|\bCQC\b"),
        # HMIC became HMICFRS in 2017: both are the same inspectorate.
        ("HMICFRS", r"\bHMIC(FRS)?\b|Inspectorate of Constabulary|HMI Constabulary"),
        ("HMIP", r"HMI\s*Prob|Inspectorate of Probation|\bHMIP\b|HMI Probation"),
    ]
    for name, pattern in checks:
        if re.search(pattern, text):
            found.append(name)
    return found


def _area_from_title(title: str) -> str:
    t = re.sub(r"\s+", " ", title).strip().rstrip(".")
    if re.search(r"responses? to", t, re.I):
        m = re.search(r"\sin\s+(?:the\s+)?([A-Z][^,]*)$", t)
        return m.group(1).strip() if m else ""
    m = re.search(r"inspection (?:\(JTAI\) )?of (?:the )?([A-Z].+)$", t)
    return m.group(1).strip() if m else ""


def _count(items: list[_Item], section: str) -> int:
    mine = [it for it in items if it.section == section]
    if len(mine) == 1 and re.search(
        r"\bno (areas?|priority)\b.*priority|there are no areas? for",
        _join(mine[0].parts)[0],
        re.I,
    ):
        return 0
    bullets = [it for it in mine if it.kind == "bullet"]
    return len(bullets) if bullets else len(mine)


@dataclass(frozen=True)
class Source:
    """What the source (site or manifest) says of the file."""

    file_id: str
    urn: str
    published: str
    source_url: str
    sha256: str


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def make_letter_id(urn: str, published: str, sha256: str) -> str:
    """Stable and readable: URN and publication date; the checksum when either is unknown."""
    if urn and published:
        return f"{urn}-{published}"
    return f"{urn or 'unknown'}-{sha256[:10]}"


def parse(pdf: PdfText, source: Source) -> Letter:
    """Parse a letter. Raises NotAJtaiLetter for documents of other kinds and IncompleteLetter
    for a letter whose end is missing."""
    lines = clean_lines(pdf)
    st = _structure(lines)
    first_lines = [ln.text for ln in lines[:6]]
    ldate = parse_dates.letter_date(first_lines)
    intro_text = " ".join(ln.text.strip() for ln in st.intro_lines)
    title_text = " ".join(ln.text.strip() for ln in st.title)
    start, end = parse_dates.fieldwork(intro_text, ldate)
    year = (end or ldate).year if (end or ldate) else None
    theme, phrase = parse_theme.theme(title_text, intro_text, year)
    published = source.published or _iso(ldate)
    letter_id = make_letter_id(source.urn, published, source.sha256)

    findings: list[Finding] = []
    position = 0
    for item in st.items:
        text, marks = _join(item.parts)
        cursor = 0
        for n, sentence in enumerate(split_sentences(text), start=1):
            at = text.find(sentence[:20], cursor)
            at = cursor if at < 0 else at
            cursor = at + len(sentence)
            position += 1
            findings.append(
                Finding(
                    finding_id=f"{letter_id}-{position:04d}",
                    letter_id=letter_id,
                    section=item.section,
                    subsection=item.subsection,
                    agency_section=_agency_of_subsection(item.subsection),
                    paragraph=item.number,
                    kind=item.kind,
                    sentence=n,
                    page=_page_at(marks, at),
                    position=position,
                    text=sentence,
                    key=sentence_key(sentence),
                )
            )

    if not findings:
        raise IncompleteLetter("no findings under any of the letter's headings")
    return Letter(
        letter_id=letter_id,
        urn=source.urn,
        local_authority=_area_from_title(title_text),
        la_code="",
        region="",
        published=published,
        letter_date=_iso(ldate),
        fieldwork_start=_iso(start),
        fieldwork_end=_iso(end),
        theme=theme,
        theme_phrase=phrase,
        format=st.fmt,
        inspectorates=";".join(_inspectorates(intro_text)),
        addressees=";".join(_addressees(st.addressee_lines)),
        n_strengths=_count(st.items, "strengths"),
        n_improvements=_count(st.items, "improvements"),
        n_priority_actions=_count(st.items, "priority_action"),
        source_url=source.source_url,
        sha256=source.sha256,
        pages=pdf.pages,
        file_id=source.file_id,
        findings=findings,
    )
