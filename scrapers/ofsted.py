"""Read the pages of Ofsted's reports website. Pure functions: HTML in, dataclasses out.

Two pages matter:

* the search page (``/search?...&start=0&rows=100``): one link per provider, an ``<a>`` whose
  href contains ``/provider/`` and ends in the provider's URN, plus pagination;
* a provider page (``/provider/44/<URN>``): every published document is an
  ``<a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/<id>">`` holding
  ``<span class="nonvisual">Joint area child protection inspection, pdf - 14 July 2017</span>``,
  with the publication date also in a ``<time>`` inside ``div.event__metadata`` of the
  enclosing ``span.event__title``.

When the elements these rely on are missing the parsers raise ``LayoutChanged`` saying what
they expected: a changed site must stop a run, never look like "no letters found". One label
in another form (Kingston upon Hull's "... services as pdf - 10 February 2015") does not fail
its page: only a page none of whose labels can be read does.

A JTAI is the publication labelled ``config.JTAI_REPORT_TYPE``. Since that label is known only
up to March 2025, a publication whose label names a "joint ... inspection" of another kind
(from 2016, when JTAIs began) is a *candidate*: fetched, for the letter parser to keep or set
aside, and named in the run's summary, so a renamed report type never drops letters silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

import config
from scrapers.rawstore import file_id_from_url

PUBLICATION_LINK_SHAPE = (
    '<a class="publication-link" href="...file URL..."> holding '
    '<span class="nonvisual">Report type, pdf - 14 July 2017</span>'
)
PROVIDER_LINK_SHAPE = '<a href=".../provider/<type>/<URN>">'

# /provider/<type>/<URN>; URNs have 5 or more digits, the type segment (e.g. 44) fewer
_URN_IN_PATH = re.compile(r"/provider/(?:[^/]+/)*(\d{5,})/?$")
# "Joint area child protection inspection, pdf - 14 July 2017". The type may itself contain
# " - " (e.g. "Joint area review - progress inspection"), so the date anchors at the end.
# Kingston upon Hull's page has "... services as pdf - 10 February 2015": " as " for ", ".
_LABEL = re.compile(
    r"^\s*(?P<type>.+?)(?:\s*,\s*|\s+as\s+)(?P<format>[A-Za-z0-9]+)\s*-\s*"
    r"(?P<date>\d{1,2}\s+\w+\s+\d{4})\s*$"
)
_NEXT_CLASS = re.compile(r"(?:^|[-_])next(?:$|[-_])", re.IGNORECASE)
_TOTAL = re.compile(r"\b(?:of\s+)?(\d[\d,]*)\s+results?\b", re.IGNORECASE)
_JOINT_INSPECTION = re.compile(r"\bjoint\b.*\binspection\b", re.IGNORECASE)


class LayoutChanged(RuntimeError):
    """A page lacks the elements the parser relies on: the site's layout has probably changed."""


@dataclass(frozen=True)
class ProviderLink:
    urn: str
    name: str
    url: str  # absolute


@dataclass(frozen=True)
class SearchPage:
    providers: tuple[ProviderLink, ...]
    total: int | None  # the result count the page states, when it states one
    has_next: bool  # the page links to a next page


@dataclass(frozen=True)
class Publication:
    url: str  # absolute, as the page gives it (files may live on another host)
    report_type: str  # "" when the label is in no form the parser knows
    published: str  # ISO date, "" when the page gives none
    label: str  # the link's full text for screen readers
    file_format: str  # "pdf" as a rule; "" when the label could not be read

    @property
    def file_id(self) -> str | None:
        return file_id_from_url(self.url)

    @property
    def is_jtai(self) -> bool:
        return is_jtai(self.report_type)

    @property
    def label_read(self) -> bool:
        return bool(self.report_type)

    @property
    def is_candidate(self) -> bool:
        """Not the known JTAI label, but perhaps a JTAI under another name."""
        if self.is_jtai or not _JOINT_INSPECTION.search(self.report_type or self.label):
            return False
        return not (self.published and self.published < f"{config.JTAI_FIRST_YEAR}-01-01")


@dataclass(frozen=True)
class ProviderPage:
    urn: str
    name: str
    url: str
    publications: tuple[Publication, ...]

    @property
    def jtai_letters(self) -> tuple[Publication, ...]:
        return tuple(p for p in self.publications if p.is_jtai)

    @property
    def candidates(self) -> tuple[Publication, ...]:
        return tuple(p for p in self.publications if p.is_candidate)

    @property
    def odd_labels(self) -> tuple[Publication, ...]:
        """Publications whose label is in no form the parser knows."""
        return tuple(p for p in self.publications if not p.label_read)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def is_jtai(report_type: str) -> bool:
    return _normalise(report_type).casefold() == config.JTAI_REPORT_TYPE.casefold()


def search_url(base_url: str, start: int, rows: int = config.SEARCH_ROWS) -> str:
    query = urlencode({**config.SEARCH_PARAMS, "start": start, "rows": rows})
    return f"{base_url.rstrip('/')}{config.SEARCH_PATH}?{query}"


def urn_from_url(url: str) -> str | None:
    m = _URN_IN_PATH.search(urlsplit(url).path)
    return m.group(1) if m else None


def parse_date(text: str) -> str:
    """ISO date from "14 July 2017", "14 Jul 2017" or "2017-07-14[T...]"; "" if none."""
    text = _normalise(text)
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return ""
    for fmt in ("%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def _soup(html: str | bytes) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def parse_search_page(html: str | bytes, page_url: str) -> SearchPage:
    soup = _soup(html)
    found: dict[str, ProviderLink] = {}
    for a in soup.find_all("a", href=True):
        href = str(a["href"])
        if "/provider/" not in href:
            continue
        url = urljoin(page_url, href)
        urn = urn_from_url(url)
        if urn is None:
            continue
        name = _normalise(a.get_text(" "))
        if urn not in found or (name and not found[urn].name):
            found[urn] = ProviderLink(urn=urn, name=name, url=url)
    if not found:
        raise LayoutChanged(
            f"the search page {page_url} has no provider links: expected {PROVIDER_LINK_SHAPE} "
            "for each local authority. The site's layout has probably changed."
        )
    return SearchPage(
        providers=tuple(found.values()),
        total=_stated_total(soup),
        has_next=_has_next_link(soup),
    )


def _stated_total(soup: BeautifulSoup) -> int | None:
    """The largest count of results the page states: a page may also say how many it shows
    ("10 results ... of 100 results"), and reading that as the total would stop discovery."""
    counts = [int(n.replace(",", "")) for n in _TOTAL.findall(_normalise(soup.get_text(" ")))]
    return max(counts) if counts else None


def _has_next_link(soup: BeautifulSoup) -> bool:
    """A link marked rel="next", or classed "...next" (itself or its list item), or reading
    "Next...": the forms pagination links take."""
    for a in soup.find_all("a", href=True):
        parent = a.parent if isinstance(a.parent, Tag) else None
        classes = [*(a.get("class") or []), *((parent.get("class") or []) if parent else [])]
        text = _normalise(a.get_text(" ")).casefold()
        if (
            "next" in (a.get("rel") or [])
            or any(_NEXT_CLASS.search(c) for c in classes)
            or text.startswith("next")
        ):
            return True
    return False


def parse_provider_page(html: str | bytes, page_url: str) -> ProviderPage:
    soup = _soup(html)
    links = soup.select("a.publication-link")
    if not links:
        raise LayoutChanged(
            f"the provider page {page_url} has no publication links: expected "
            f"{PUBLICATION_LINK_SHAPE} for each published document. "
            "The site's layout has probably changed."
        )
    h1 = soup.find("h1")
    name = _normalise(h1.get_text(" ")) if h1 else ""
    urn = urn_from_url(page_url) or _urn_in_text(soup) or ""
    publications = tuple(_publication(a, page_url) for a in links)
    if not any(p.label_read for p in publications):
        raise LayoutChanged(
            f"none of the publication labels on {page_url} is in the form "
            f"'Report type, pdf - 14 July 2017' (the first: {publications[0].label!r}). "
            "The site's layout has probably changed."
        )
    return ProviderPage(urn=urn, name=name, url=page_url, publications=publications)


def _urn_in_text(soup: BeautifulSoup) -> str | None:
    m = re.search(r"\bURN:?\s*(\d{5,})", soup.get_text(" "))
    return m.group(1) if m else None


def _publication(a: Tag, page_url: str) -> Publication:
    href = a.get("href")
    span = a.find("span", class_="nonvisual")
    if not href or span is None:
        raise LayoutChanged(
            f"a publication link on {page_url} lacks its href or its "
            f'<span class="nonvisual"> label: expected {PUBLICATION_LINK_SHAPE}. '
            "The site's layout has probably changed."
        )
    label = _normalise(span.get_text(" "))
    m = _LABEL.match(label)
    url = urljoin(page_url, str(href))
    if m is None:
        # One odd label does not fail the page (see parse_provider_page): kept unread, it is
        # a candidate if it names a joint inspection, skipped and counted otherwise.
        return Publication(url, "", _published_from_time(a), label, "")
    published = _published_from_time(a) or parse_date(m.group("date"))
    return Publication(
        url=url,
        report_type=m.group("type"),
        published=published,
        label=label,
        file_format=m.group("format").lower(),
    )


def _published_from_time(a: Tag) -> str:
    """The ``<time>`` in the metadata of the link's event: machine-readable when it has a
    ``datetime`` attribute, which the label's human date is not guaranteed to be."""
    title = a.find_parent("span", class_="event__title")
    if title is None:
        return ""
    metadata = title.find("div", class_="event__metadata")
    when = metadata.find("time") if isinstance(metadata, Tag) else None
    if not isinstance(when, Tag):
        return ""
    return parse_date(str(when.get("datetime") or "")) or parse_date(when.get_text(" "))
