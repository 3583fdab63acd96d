"""Fetch JTAI letters from the live reports website into the raw store.

Discovery (search pages -> provider pages -> JTAI publication links), then a plan of what is
new (pure: compares the links with the raw manifest), then the downloads. Each download goes
in memory, is checked (Content-Length, ``%PDF-`` ...
``%%EOF``), hashed, moved into place atomically and recorded in the manifest before the next
one starts, so a run killed at any point resumes where it stopped and never fetches a letter
it already has.
"""

from __future__ import annotations

import csv
import logging
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests
import urllib3
from tqdm import tqdm

import config
from config import EXIT_FAILURES, EXIT_OK, EXIT_STOPPED
from scrapers import ofsted, rawstore
from scrapers.http import (
    ClientSettings,
    PoliteClient,
    RobotsDisallowed,
    SiteUnreachable,
    backoff_seconds,
)
from scrapers.ofsted import LayoutChanged, ProviderLink, Publication
from scrapers.outcome import Failure, failure_lines, plural, utc_now

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
MAX_SEARCH_PAGES = 50  # ~5,000 providers: a guard against pagination that never ends


class FetchAborted(RuntimeError):
    """The run cannot go on (the search page is unreachable...)."""


class DownloadFailed(RuntimeError):
    """One file could not be downloaded; the message is the reason shown in the summary."""


@dataclass(frozen=True)
class FetchOptions:
    base_url: str = config.SITE_BASE_URL
    delay: float = config.DEFAULT_DELAY_SECONDS
    timeout: float = config.DEFAULT_TIMEOUT_SECONDS
    retries: int = config.DEFAULT_RETRIES
    deadline: float = config.DEFAULT_DOWNLOAD_DEADLINE_SECONDS
    max_bytes: int = config.MAX_DOWNLOAD_BYTES
    limit: int | None = None  # stop after this many providers
    use_cache: bool = True
    # discovery finding fewer providers than this has stopped early: a loud failure
    min_providers: int | None = None


@dataclass(frozen=True)
class Letter:
    """A JTAI publication with the provider whose page lists it."""

    urn: str
    provider: str
    publication: Publication

    @property
    def url(self) -> str:
        return self.publication.url

    @property
    def file_id(self) -> str | None:
        return self.publication.file_id

    def describe(self) -> str:
        return f"{self.file_id or self.url} ({self.provider or self.urn}, {self.url})"


@dataclass(frozen=True)
class DownloadPlan:
    new: tuple[Letter, ...]  # not in the raw store: download
    unchanged: tuple[Letter, ...]  # in the manifest with its PDF present
    # PDF present but no manifest row: a run killed between the two; record, don't refetch
    recover: tuple[Letter, ...]


@dataclass
class FetchReport:
    providers_scanned: int = 0
    letters_found: int = 0
    other_publications: int = 0
    new: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    layout_changed: bool = False
    provider_pages_read: int = 0  # scanned and parsed
    # publications labelled "joint ... inspection" but not as a JTAI: fetched for the parser
    candidates: list[str] = field(default_factory=list)
    odd_labels: int = 0  # labels in no known form, on links that are not candidates
    aborted: str | None = None
    requests_sent: int = 0
    partial_files_removed: int = 0

    @property
    def exit_code(self) -> int:
        if self.aborted:
            return EXIT_STOPPED
        return EXIT_FAILURES if self.failures else EXIT_OK

    def lines(self) -> list[str]:
        lines = ["Summary"]
        if self.partial_files_removed:
            lines.append(
                f"  removed {plural(self.partial_files_removed, 'partial download')} "
                "left by an interrupted run"
            )
        lines += [
            f"  providers scanned:   {self.providers_scanned}",
            f"  JTAI letters found:  {self.letters_found}"
            f"  ({plural(self.other_publications, 'other publication')} skipped)",
            f"  new:                 {len(self.new)}",
            f"  unchanged:           {self.unchanged}",
            f"  failed:              {len(self.failures)}",
            f"  HTTP requests sent:  {self.requests_sent}",
        ]
        if self.recovered:
            lines.append(
                f"  ({len(self.recovered)} of the new were already on disk from an interrupted "
                "run and only recorded)"
            )
        if self.odd_labels:
            lines.append(
                f"  ({plural(self.odd_labels, 'publication label')} in no known form, not a "
                "JTAI by its words: skipped)"
            )
        if self.candidates:
            lines.append(
                f"Candidates: {plural(len(self.candidates), 'publication')} labelled as a joint "
                f"inspection but not '{config.JTAI_REPORT_TYPE}' (a renamed report type?), "
                "fetched for the build's parser to keep or set aside:"
            )
            lines += [f"  - {c}" for c in self.candidates]
        lines += failure_lines(self.failures)
        if self.layout_changed:
            lines.append(
                "The site's layout seems to have changed: some pages lack the elements the "
                "scraper relies on (see above). Update scrapers/ofsted.py."
            )
        if self.aborted:
            lines.append(f"ABORTED: {self.aborted}")
        lines.append(
            f"Done: {len(self.new)} new letters, {self.unchanged} unchanged, "
            f"{len(self.failures)} failed."
            if not self.aborted
            else f"Stopped: {len(self.new)} new letters kept, {len(self.failures)} failed."
        )
        return lines


# --- pure core ------------------------------------------------------------------------------


def unique_letters(letters: Iterable[Letter]) -> list[Letter]:
    """A document listed on two provider pages is one letter: keep its first listing."""
    seen: set[str] = set()
    out: list[Letter] = []
    for letter in letters:
        key = letter.file_id or letter.url
        if key not in seen:
            seen.add(key)
            out.append(letter)
    return out


def plan_downloads(
    letters: Sequence[Letter],
    manifest: dict[str, rawstore.RawRecord],
    present_ids: set[str],
) -> DownloadPlan:
    """Split ``letters`` by what the raw store already holds. ``present_ids``: file ids whose
    PDF is on disk. A letter whose URL carries no file id is matched on its source URL."""
    id_by_url = {r.source_url: r.file_id for r in manifest.values() if r.source_url}
    new: list[Letter] = []
    unchanged: list[Letter] = []
    recover: list[Letter] = []
    for letter in unique_letters(letters):
        file_id = letter.file_id or id_by_url.get(letter.url)
        if file_id and file_id in present_ids:
            (unchanged if file_id in manifest else recover).append(letter)
        else:
            new.append(letter)
    return DownloadPlan(tuple(new), tuple(unchanged), tuple(recover))


def record_for(letter: Letter, file_id: str, data: bytes, fetched_at: str) -> rawstore.RawRecord:
    return rawstore.RawRecord(
        file_id=file_id,
        urn=letter.urn,
        provider=letter.provider,
        report_type=letter.publication.report_type,
        published=letter.publication.published,
        source_url=letter.url,
        sha256=rawstore.sha256_of(data),
        bytes=len(data),
        origin="live",
        original_name=urlsplit(letter.url).path.rstrip("/").rsplit("/", 1)[-1],
        fetched_at=fetched_at,
    )


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code} {exc.response.reason}".strip()
    # requests wraps urllib3's errors: show the innermost message, not nested tuple reprs.
    # Once urllib3's retries are spent the cause sits in MaxRetryError.reason, not in args.
    inner: BaseException = exc
    while True:
        if inner.args and isinstance(inner.args[0], BaseException):
            inner = inner.args[0]
        elif isinstance(getattr(inner, "reason", None), BaseException):
            inner = inner.reason  # type: ignore[attr-defined]
        else:
            break
    message = inner.args[0] if inner.args and isinstance(inner.args[0], str) else str(inner)
    return f"{type(exc).__name__}: {message}"


# --- discovery ------------------------------------------------------------------------------


def discover_providers(
    client: PoliteClient, base_url: str, limit: int | None = None
) -> list[ProviderLink]:
    """Page through the search results with ``start``/``rows`` until the page says no more."""
    found: dict[str, ProviderLink] = {}
    start = 0
    for _ in range(MAX_SEARCH_PAGES):
        url = ofsted.search_url(base_url, start=start, rows=config.SEARCH_ROWS)
        try:
            html = client.get_page(url)
        except requests.RequestException as exc:
            raise FetchAborted(
                f"could not fetch the search page {url}: {describe_error(exc)}"
            ) from exc
        page = ofsted.parse_search_page(html, url)
        fresh = [p for p in page.providers if p.urn not in found]
        found.update((p.urn, p) for p in fresh)
        if page.total is not None and page.total < len(found):
            raise LayoutChanged(
                f"the search page {url} states {page.total} results, but {len(found)} "
                "providers are already listed: the result count is misread"
            )
        if limit is not None and len(found) >= limit:
            break
        # advance by what the page held: the site caps rows, and may cap it below what we ask
        start += len(page.providers)
        more = page.has_next or (page.total is not None and start < page.total)
        if not more:
            if page.total is None and len(page.providers) >= config.SEARCH_ROWS:
                raise LayoutChanged(
                    f"the search page {url} is full ({len(page.providers)} providers) but shows "
                    "neither a next-page link nor a result count: expected pagination"
                )
            break
        if not fresh:
            raise LayoutChanged(
                f"the search page {url} repeats the previous page's providers: expected "
                "the start parameter to move through the results"
            )
    providers = list(found.values())
    return providers[:limit] if limit is not None else providers


def scan_providers(
    client: PoliteClient, providers: Sequence[ProviderLink], report: FetchReport
) -> list[Letter]:
    letters: list[Letter] = []
    for link in tqdm(providers, desc="provider pages", unit="page", disable=None):
        try:
            page = ofsted.parse_provider_page(client.get_page(link.url), link.url)
        except requests.RequestException as exc:
            report.failures.append(Failure(f"provider page {link.url}", describe_error(exc)))
            continue
        except LayoutChanged as exc:
            # one page that breaks the pattern is reported loudly but does not stop the others
            report.layout_changed = True
            report.failures.append(Failure(f"provider page {link.url}", f"layout changed: {exc}"))
            continue
        finally:
            report.providers_scanned += 1
        report.provider_pages_read += 1
        provider = page.name or link.name
        urn = page.urn or link.urn
        wanted = page.jtai_letters + page.candidates
        report.other_publications += len(page.publications) - len(wanted)
        report.odd_labels += sum(1 for p in page.odd_labels if not p.is_candidate)
        letters += [Letter(urn=urn, provider=provider, publication=p) for p in wanted]
        report.candidates += [
            f"{p.file_id or p.url} ({provider}): {p.label!r}" for p in page.candidates
        ]
    return unique_letters(letters)


def expected_providers(lookup: Path = config.LA_LOOKUP_CSV) -> int | None:
    """How many providers discovery must find on the live site: ``MIN_PROVIDER_SHARE`` of the
    local authorities in la_lookup.csv; None when the lookup is missing."""
    try:
        with lookup.open(newline="", encoding="utf-8") as fh:
            areas = sum(1 for _ in csv.DictReader(fh))
    except OSError:
        log.warning("%s not found: the number of providers found is not checked", lookup)
        return None
    return math.floor(areas * config.MIN_PROVIDER_SHARE)


def check_provider_count(found: int, minimum: int | None) -> None:
    if minimum and found < minimum:
        raise LayoutChanged(
            f"discovery found {found} providers, but at least {minimum} were expected "
            f"({config.MIN_PROVIDER_SHARE:.0%} of the local authorities in "
            f"{config.LA_LOOKUP_CSV.name}): the search pages were misread (pagination or the "
            "result count), so the run stops instead of missing letters"
        )


# --- downloads ------------------------------------------------------------------------------


def present_file_ids() -> set[str]:
    folder = config.raw_dir()
    return {p.stem for p in folder.glob("*.pdf")} if folder.exists() else set()


def _expected_length(response: requests.Response) -> int | None:
    # with a Content-Encoding the header counts the compressed bytes, not what we keep
    if response.headers.get("Content-Encoding", "identity") != "identity":
        return None
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isdigit() else None


class _BrokenOff(Exception):
    """The body stopped coming (connection reset or closed, read timeout): worth another try."""


def _receive(client: PoliteClient, url: str) -> tuple[bytes, int | None]:
    """The whole body and the length the server announced for it, within the client's
    deadline and size limit."""
    settings = client.settings
    started = time.monotonic()
    with client.stream(url) as response:
        expected = _expected_length(response)
        if expected is not None and expected > settings.max_bytes:
            raise DownloadFailed(f"announced {expected} bytes: too large for a letter")
        chunks: list[bytes] = []
        received = 0
        try:
            # read1, not iter_content: it returns what one read brings, so a server dripping
            # bytes cannot keep a read (and the deadline check) waiting for a whole chunk.
            while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
                chunks.append(chunk)
                received += len(chunk)
                if received > settings.max_bytes:
                    raise DownloadFailed(f"more than {settings.max_bytes} bytes: not a letter")
                if time.monotonic() - started > settings.deadline:
                    raise _BrokenOff(
                        f"download too slow ({received} bytes of "
                        f"{expected or 'an unknown number'} in {settings.deadline:g} s, "
                        "the time one file may take)"
                    )
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise _BrokenOff(
                f"download broken off ({received} bytes received of "
                f"{expected or 'an unknown number'} announced): {describe_error(exc)}"
            ) from exc
    return b"".join(chunks), expected


def download_letter(client: PoliteClient, letter: Letter) -> rawstore.RawRecord:
    """Download, check and install one letter; raises DownloadFailed with the reason.

    A letter is a few hundred kilobytes: it is received in memory, checked (length, PDF
    header and end marker) and only then written, atomically, by the raw store, so a run
    killed mid-download leaves nothing behind.

    urllib3's Retry (see scrapers/http.py) only covers a request up to its response headers:
    a connection reset or a read timeout in the middle of the body reaches us as an error
    from iter_content. Such a download is tried again here, up to ``--retries`` times with
    the same backoff; a body that arrives complete but wrong (HTML, no %%EOF) is not."""
    tries = client.settings.retries + 1
    for attempt in range(1, tries + 1):
        try:
            data, expected = _receive(client, letter.url)
            break
        except _BrokenOff as exc:
            if attempt == tries:
                after = f" (after {tries} attempts)" if tries > 1 else ""
                raise DownloadFailed(f"{exc}{after}") from exc
            log.warning("%s; trying again: %s", exc, letter.url)
            time.sleep(backoff_seconds(client.settings, attempt))
        except requests.RequestException as exc:
            raise DownloadFailed(describe_error(exc)) from exc
        except SiteUnreachable as exc:
            # a file on another host that does not answer: this file fails, not the run
            raise DownloadFailed(str(exc)) from exc
    try:
        rawstore.check_pdf_bytes(data, expected)
        file_id = letter.file_id or rawstore.file_id_from_sha(rawstore.sha256_of(data))
        rawstore.write_pdf(file_id, data)
    except rawstore.InvalidPdf as exc:
        raise DownloadFailed(str(exc)) from exc
    return record_for(letter, file_id, data, utc_now())


def _recover(letter: Letter) -> bool:
    """Record a PDF a killed run installed but did not get to record; False if it is bad."""
    file_id = letter.file_id or ""
    path = rawstore.pdf_path(file_id)
    data = path.read_bytes()
    try:
        rawstore.check_pdf_bytes(data)
    except rawstore.InvalidPdf:
        path.unlink(missing_ok=True)
        return False
    rawstore.upsert(record_for(letter, file_id, data, utc_now()))
    return True


def execute_plan(client: PoliteClient, plan: DownloadPlan, report: FetchReport) -> None:
    to_download = list(plan.new)
    for letter in plan.recover:
        if _recover(letter):
            report.new.append(letter.file_id or letter.url)
            report.recovered.append(letter.file_id or letter.url)
        else:
            to_download.append(letter)
    for letter in tqdm(to_download, desc="downloading", unit="letter", disable=None):
        try:
            record = download_letter(client, letter)
        except DownloadFailed as exc:
            report.failures.append(Failure(letter.describe(), str(exc)))
            continue
        # recorded before the next download starts: the manifest never lags behind the files
        rawstore.upsert(record)
        report.new.append(record.file_id)


# --- the run --------------------------------------------------------------------------------


def run(options: FetchOptions) -> FetchReport:
    report = FetchReport(partial_files_removed=rawstore.remove_partial_files())
    settings = ClientSettings(
        delay=options.delay,
        timeout=options.timeout,
        retries=options.retries,
        deadline=options.deadline,
        max_bytes=options.max_bytes,
        use_cache=options.use_cache,
    )
    with PoliteClient(settings) as client:
        try:
            providers = discover_providers(client, options.base_url, options.limit)
            if options.limit is None:
                check_provider_count(len(providers), options.min_providers)
            letters = scan_providers(client, providers, report)
            if providers and report.provider_pages_read == 0 and report.layout_changed:
                raise LayoutChanged(
                    f"none of the {len(providers)} provider pages had the expected publication "
                    f"links ({ofsted.PUBLICATION_LINK_SHAPE})"
                )
            report.letters_found = len(letters)
            plan = plan_downloads(letters, rawstore.read_manifest(), present_file_ids())
            report.unchanged = len(plan.unchanged)
            execute_plan(client, plan, report)
        except LayoutChanged as exc:
            report.layout_changed = True
            report.aborted = f"the site's layout has changed: {exc}"
        except (RobotsDisallowed, SiteUnreachable, FetchAborted) as exc:
            report.aborted = str(exc)
        finally:
            report.requests_sent = client.requests_sent
    return report
