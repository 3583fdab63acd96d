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
they expected: a changed site must stop a run, never look like "no letters found".
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
_LABEL = re.compile(
    r"^\s*(?P<type>.+?)\s*,\s*(?P<format>[A-Za-z0-9]+)\s*-\s*(?P<date>\d{1,2}\s+\w+\s+\d{4})\s*$"
)
_NEXT_CLASS = re.compile(r"(?:^|[-_])next(?:$|[-_])", re.IGNORECASE)
_TOTAL = re.compile(r"\b(?:of\s+)?(\d[\d,]*)\s+results?\b", re.IGNORECASE)


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
    report_type: str
    published: str  # ISO date, "" when the page gives none
    label: str  # the link's full text for screen readers
    file_format: str  # "pdf" as a rule

    @property
    def file_id(self) -> str | None:
        return file_id_from_url(self.url)

    @property
    def is_jtai(self) -> bool:
        return is_jtai(self.report_type)


@dataclass(frozen=True)
class ProviderPage:
    urn: str
    name: str
    url: str
    publications: tuple[Publication, ...]

    @property
    def jtai_letters(self) -> tuple[Publication, ...]:
        return tuple(p for p in self.publications if p.is_jtai)


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
    m = _TOTAL.search(_normalise(soup.get_text(" ")))
    return int(m.group(1).replace(",", "")) if m else None


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
    if m is None:
        raise LayoutChanged(
            f"the publication label {label!r} on {page_url} is not in the form "
            "'Report type, pdf - 14 July 2017'. The site's layout has probably changed."
        )
    published = _published_from_time(a) or parse_date(m.group("date"))
    return Publication(
        url=urljoin(page_url, str(href)),
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
