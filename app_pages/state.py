"""The dashboard's URL state: query parameters <-> validated filters, as pure functions.

Everything a reader can put in a link is untrusted. Parsing keeps only values from a known
vocabulary (themes, labels, agencies, topics, regions, areas) or of a strict shape (ISO dates,
a bounded number), and returns a plain-text notice for everything it ignored, so the page can
say what it dropped instead of failing. Nothing here imports Streamlit: it is tested directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from analysis.letter import AGENCIES, LABELS, THEMES, TOPICS
from analysis.taxonomy import agency_name, label_name, topic_name

LIST_KEYS = ("theme", "la", "region", "label", "agency", "topic", "period")
SCALAR_KEYS = (
    "q", "from", "to", "confidence", "view", "bar", "needs_review", "match", "finding",
)  # fmt: skip
ALL_KEYS = LIST_KEYS + SCALAR_KEYS
# Streamlit's own parameters: never ours to complain about.
IGNORED_SILENTLY = frozenset({"embed", "embed_options"})

MAX_RAW_CHARS = 2000  # a whole parameter longer than this is dropped, not parsed
MAX_ITEMS = 60  # more comma-separated values than this is not a real selection
MAX_ITEM_CHARS = 80
MAX_QUERY_CHARS = 200
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Which of a page's chart views is shown (Agencies: by label, per theme, over time); the
# page's first view is the default and is left out of links.
VIEWS = ("label", "theme", "year")
# A bar chosen on a chart (its sentences are listed below it): ``group:label``, the group a
# theme (Compare) or an agency (Agencies), the label a label code, ``all`` or ``unlabelled``.
BAR_LABELS = (*LABELS, "all", "unlabelled")
EARLIEST_WIDGET_DATE = date(2015, 1, 1)  # JTAIs began in 2016
# How a text search matches: by its words (the default, what every older link means) or by
# its meaning as well (sentence embeddings; app_pages/meaning.py).
MATCHES = ("words", "meaning")
# A period of publication years: "2016-2017" or "2024".
_PERIOD = re.compile(r"(\d{4})(?:-(\d{4}))?")
# A finding's id: its letter's id and its position ("80485-2016-08-03-0042").
_FINDING_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]{0,79}")


@dataclass(frozen=True)
class Vocab:
    """The values each parameter may take. ``las`` maps every accepted code (URN or ONS
    code) to the area's URN, so a link may name an area either way."""

    themes: Mapping[str, str] = field(default_factory=lambda: dict(THEMES))
    labels: tuple[str, ...] = LABELS
    agencies: tuple[str, ...] = AGENCIES
    topics: tuple[str, ...] = TOPICS
    regions: tuple[str, ...] = ()
    las: Mapping[str, str] = field(default_factory=dict)
    la_names: Mapping[str, str] = field(default_factory=dict)  # URN -> name
    # The corpus's first and last publication dates: a link's date outside what the date
    # widgets accept is clamped to them (None: no clamping).
    first: date | None = None
    last: date | None = None

    def date_bounds(self) -> tuple[date, date] | None:
        """What the date widgets accept: the corpus's span widened to 2015 and today."""
        if self.first is None or self.last is None:
            return None
        return min(self.first, EARLIEST_WIDGET_DATE), max(self.last, date.today())


@dataclass(frozen=True)
class Filters:
    theme: tuple[str, ...] = ()
    la: tuple[str, ...] = ()  # URNs
    region: tuple[str, ...] = ()
    label: tuple[str, ...] = ()
    agency: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    min_confidence: float | None = None
    view: str = ""  # not a filter: which chart view, "" for the page's first
    bar: tuple[str, str] | None = None  # not a filter: the chart's bar whose sentences show
    # Leave out findings the classifier flagged for a person to check (needs_review=exclude).
    exclude_review: bool = False
    period: tuple[str, ...] = ()  # publication years, "2016-2017" (Recurring's columns)
    match: str = "words"  # how ``q`` matches: "words" or "meaning"
    finding: str = ""  # the sentence /similar starts from
    # The ids of the findings close in meaning to ``q`` (a JSON list, filled by
    # app_pages.meaning from the sentence vectors when match is "meaning"; never in a link).
    meaning_ids: str = ""

    def with_(self, **changes: object) -> Filters:
        return replace(self, **changes)


def shorten(value: str, limit: int = 40) -> str:
    """A quotable form of an untrusted value for a notice: bounded, control chars removed."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in value)
    return repr(clean[:limit] + ("…" if len(clean) > limit else ""))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md_escape(text: str) -> str:
    """Escape text for st.markdown/st.warning so data or URL values render literally
    (no links, images, HTML or LaTeX from a crafted link)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _values(raw: Sequence[str], key: str, notices: list[str]) -> list[str]:
    """Split repeated keys and comma lists into distinct, bounded items."""
    items: list[str] = []
    for chunk in raw:
        if len(chunk) > MAX_RAW_CHARS:
            notices.append(f"ignored {key}: value too long ({len(chunk)} characters)")
            continue
        items.extend(v.strip() for v in chunk.split(",") if v.strip())
    if len(items) > MAX_ITEMS:
        notices.append(f"ignored {key} values after the first {MAX_ITEMS}")
        items = items[:MAX_ITEMS]
    seen: list[str] = []
    for v in items:
        if v not in seen:
            seen.append(v)
    return seen


def _single(raw: Sequence[str], key: str, notices: list[str]) -> str | None:
    """Scalars take the first value; a repeated key is reported, not merged."""
    if not raw:
        return None
    if len(raw) > 1:
        notices.append(f"ignored repeated {key} ({len(raw) - 1} extra value(s)); kept the first")
    value = raw[0]
    if len(value) > MAX_RAW_CHARS:
        notices.append(f"ignored {key}: value too long ({len(value)} characters)")
        return None
    return value.strip()


def parse_date(value: str) -> date | None:
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _known(key: str, values: list[str], allowed: Iterable[str], notices: list[str]) -> list[str]:
    allowed_set = set(allowed)
    good = [v for v in values if v in allowed_set]
    bad = [v for v in values if v not in allowed_set]
    if bad:
        notices.append(
            f"ignored unknown {key}: "
            + ", ".join(shorten(b) for b in bad[:5])
            + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        )
    return good


def parse_query(
    params: Mapping[str, Sequence[str]],
    vocab: Vocab,
    accepted: Iterable[str] = ALL_KEYS,
) -> tuple[Filters, list[str]]:
    """Validated filters and plain-text notices for what was ignored.

    ``params`` maps each key to all its values (repeated keys kept); ``accepted`` are the
    keys the current page uses - others are reported as not applying here.
    """
    notices: list[str] = []
    accepted = set(accepted)
    for key in params:
        if key in IGNORED_SILENTLY:
            continue
        if key not in ALL_KEYS:
            notices.append(f"ignored unknown parameter {shorten(key)}")
        elif key not in accepted:
            notices.append(f"ignored {key}: not used on this page")

    def get(key: str) -> Sequence[str]:
        return params.get(key, ()) if key in accepted else ()

    themes = _known("theme", _values(get("theme"), "theme", notices), vocab.themes, notices)
    labels = _known("label", _values(get("label"), "label", notices), vocab.labels, notices)
    agencies = _known("agency", _values(get("agency"), "agency", notices), vocab.agencies, notices)
    topics = _known("topic", _values(get("topic"), "topic", notices), vocab.topics, notices)
    regions = _known("region", _values(get("region"), "region", notices), vocab.regions, notices)
    la_codes = _known("la", _values(get("la"), "la", notices), vocab.las, notices)
    las = list(dict.fromkeys(vocab.las[c] for c in la_codes))

    q = _single(get("q"), "q", notices) or ""
    q = "".join(ch for ch in q if ch.isprintable())
    if len(q) > MAX_QUERY_CHARS:
        notices.append(f"shortened q to its first {MAX_QUERY_CHARS} characters")
        q = q[:MAX_QUERY_CHARS]

    dates: dict[str, date | None] = {}
    for key in ("from", "to"):
        value = _single(get(key), key, notices)
        dates[key] = parse_date(value) if value else None
        if value and dates[key] is None:
            notices.append(f"ignored {key}: {shorten(value)} is not a date (use YYYY-MM-DD)")
    bounds = vocab.date_bounds()
    for key in ("from", "to") if bounds else ():
        d = dates[key]
        if d is not None and not bounds[0] <= d <= bounds[1]:  # type: ignore[index]
            near = vocab.first if d < bounds[0] else vocab.last  # type: ignore[index]
            notices.append(
                f"{key} {d.isoformat()} is outside the letters' dates "
                f"({vocab.first} to {vocab.last}): used {near} instead"
            )
            dates[key] = near
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        notices.append("ignored from and to: from is after to")
        dates = {"from": None, "to": None}

    min_conf: float | None = None
    value = _single(get("confidence"), "confidence", notices)
    if value:
        try:
            min_conf = float(value)
        except ValueError:
            min_conf = None
        if min_conf is None or not 0.0 <= min_conf <= 1.0:
            notices.append(f"ignored confidence: {shorten(value)} is not a number from 0 to 1")
            min_conf = None

    periods = []
    for value in _values(get("period"), "period", notices):
        m = _PERIOD.fullmatch(value)
        if m and int(m.group(1)) <= int(m.group(2) or m.group(1)):
            periods.append(value)
        else:
            notices.append(f"ignored period: {shorten(value)} is not a year or years (2016-2017)")

    match = _single(get("match"), "match", notices) or "words"
    if match not in MATCHES:
        notices.append(f"ignored match: {shorten(match)} is not one of {', '.join(MATCHES)}")
        match = "words"

    finding = _single(get("finding"), "finding", notices) or ""
    if finding and not _FINDING_ID.fullmatch(finding):
        notices.append(f"ignored finding: {shorten(finding)} is not a finding's id")
        finding = ""

    view = _single(get("view"), "view", notices) or ""
    if view and view not in VIEWS:
        notices.append(f"ignored view: {shorten(view)} is not one of {', '.join(VIEWS)}")
        view = ""

    bar: tuple[str, str] | None = None
    value = _single(get("bar"), "bar", notices) or ""
    if value:
        group, _, label = value.partition(":")
        if group in set(vocab.themes) | set(vocab.agencies) and label in BAR_LABELS:
            bar = (group, label)
        else:
            notices.append(f"ignored bar: {shorten(value)} is not a bar of this chart")

    exclude_review = False
    value = _single(get("needs_review"), "needs_review", notices) or ""
    if value == "exclude":
        exclude_review = True
    elif value:
        notices.append(f"ignored needs_review: {shorten(value)} (the only value is exclude)")

    filters = Filters(
        theme=tuple(themes),
        la=tuple(las),
        region=tuple(regions),
        label=tuple(labels),
        agency=tuple(agencies),
        topic=tuple(topics),
        q=q,
        date_from=dates["from"],
        date_to=dates["to"],
        min_confidence=min_conf,
        view=view,
        bar=bar,
        exclude_review=exclude_review,
        period=tuple(periods),
        match=match,
        finding=finding,
    )
    return filters, notices


def to_query(filters: Filters) -> dict[str, str]:
    """The query parameters for a filter state: comma lists, ISO dates, empty ones left out
    (so a link carries only what differs from 'everything')."""
    out: dict[str, str] = {}
    for key in LIST_KEYS:
        values = getattr(filters, key)
        if values:
            out[key] = ",".join(values)
    if filters.q:
        out["q"] = filters.q
    if filters.date_from:
        out["from"] = filters.date_from.isoformat()
    if filters.date_to:
        out["to"] = filters.date_to.isoformat()
    if filters.min_confidence is not None:
        out["confidence"] = f"{filters.min_confidence:g}"
    if filters.view:
        out["view"] = filters.view
    if filters.bar:
        out["bar"] = ":".join(filters.bar)
    if filters.exclude_review:
        out["needs_review"] = "exclude"
    if filters.match != "words":
        out["match"] = filters.match
    if filters.finding:
        out["finding"] = filters.finding
    return out


def _names(values: Sequence[str], names: Mapping[str, str] | None = None) -> str:
    shown = [f"“{names.get(v, v) if names else v}”" for v in values]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def describe(filters: Filters, vocab: Vocab, noun: str = "findings") -> str:
    """Plain-English description of the filters (datasette style), for the page."""
    parts: list[str] = []
    if filters.theme:
        on = "on" if noun == "letters" else "in letters on"
        parts.append(f"{on} {_names(filters.theme, vocab.themes)}")
    if filters.la:
        parts.append(f"about {_names(filters.la, vocab.la_names)}")
    if filters.region:
        parts.append(f"in {_names(filters.region)}")
    if filters.date_from and filters.date_to:
        parts.append(f"published {filters.date_from:%d %b %Y} to {filters.date_to:%d %b %Y}")
    elif filters.date_from:
        parts.append(f"published on or after {filters.date_from:%d %b %Y}")
    elif filters.date_to:
        parts.append(f"published on or before {filters.date_to:%d %b %Y}")
    if filters.label:
        parts.append(f"labelled {_names([label_name(v) for v in filters.label])}")
    if filters.agency:
        parts.append(f"about {_names([agency_name(v) for v in filters.agency])}")
    if filters.topic:
        parts.append(f"on the topic {_names([topic_name(v) for v in filters.topic])}")
    if filters.q and filters.match == "meaning":
        parts.append(f"containing or close in meaning to “{filters.q}”")
    elif filters.q:
        parts.append(f"containing “{filters.q}”")
    if filters.min_confidence is not None:
        parts.append(f"with label confidence at least {filters.min_confidence:g}")
    if filters.exclude_review:
        parts.append("leaving out those flagged for review")
    if not parts:
        return f"All {noun}"
    return f"{noun.capitalize()} " + ", ".join(parts)
