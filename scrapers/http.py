"""The one HTTP client every scraper request goes through, polite in the scrapelib manner.

* identifies itself with ``config.USER_AGENT``;
* reads each host's robots.txt (``urllib.robotparser``) before the first request to it and
  refuses what it disallows (``RobotsDisallowed``), honouring a larger ``Crawl-delay``;
* spaces requests that reach the network at least ``delay`` seconds apart (start to start);
* retries timeouts, connection errors, 429 and 5xx with exponential backoff and the server's
  ``Retry-After``, through urllib3's ``Retry`` mounted on the session: no retry loop here;
* follows redirects (requests' default), asking robots.txt about each new location first;
* caches pages with requests-cache (SQLite at ``config.http_cache_path()``), honouring
  Cache-Control and revalidating with ETag / Last-Modified, so a second run mostly gets
  ``304 Not Modified``. PDFs bypass that cache: the raw store already keeps them.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests
from requests.adapters import HTTPAdapter
from requests_cache import EXPIRE_IMMEDIATELY, CachedSession
from urllib3.util.retry import Retry

import config

log = logging.getLogger(__name__)

# Statuses worth another try: rate limiting and server-side trouble. 4xx otherwise are final.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RobotsDisallowed(RuntimeError):
    """robots.txt forbids (or could not confirm we may make) a request: the run must stop."""


class SiteUnreachable(RuntimeError):
    """A host did not answer at all (no network, DNS, refused), even after the retries."""


@dataclass(frozen=True)
class ClientSettings:
    delay: float = config.DEFAULT_DELAY_SECONDS
    timeout: float = config.DEFAULT_TIMEOUT_SECONDS
    retries: int = config.DEFAULT_RETRIES
    deadline: float = config.DEFAULT_DOWNLOAD_DEADLINE_SECONDS  # a streamed file, in all
    max_bytes: int = config.MAX_DOWNLOAD_BYTES
    use_cache: bool = True
    user_agent: str = config.USER_AGENT
    # urllib3 waits 0 before the first retry, then factor * 2**(n-1): 2 s, 4 s, 8 s...
    backoff_factor: float = 1.0


class Throttle:
    """At least ``interval`` seconds between the starts of two requests."""

    def __init__(
        self,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = max(0.0, interval)
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        if self._last is not None:
            remaining = self._last + self.interval - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last = self._clock()


class _ThrottledAdapter(HTTPAdapter):
    """Throttles at the adapter, so responses served from the cache cost no waiting and
    every request that does reach a server (robots.txt, pages, PDFs) is spaced out."""

    def __init__(self, throttle: Throttle, **kwargs: Any) -> None:
        self.throttle = throttle
        self.sent = 0  # requests that reached the network (urllib3's retries not counted)
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any):  # type: ignore[override]
        self.throttle.wait()
        self.sent += 1
        return super().send(request, *args, **kwargs)


def retry_policy(settings: ClientSettings) -> Retry:
    return Retry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        other=0,
        backoff_factor=settings.backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        # hand back the last error response rather than a RetryError, so the caller's
        # message says "HTTP 503" instead of "too many 503 error responses"
        raise_on_status=False,
    )


def backoff_seconds(settings: ClientSettings, retry: int) -> float:
    """The wait before retry number ``retry`` (1, 2...) on urllib3's schedule, for the retries
    made outside it (a download broken off mid-body): none before the first, then
    ``backoff_factor * 2**(retry - 1)``."""
    if retry <= 1:
        return 0.0
    return min(settings.backoff_factor * 2 ** (retry - 1), Retry.DEFAULT_BACKOFF_MAX)


def _make_session(settings: ClientSettings) -> requests.Session:
    if not settings.use_cache:
        return requests.Session()
    cache_path = config.http_cache_path()
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    return CachedSession(
        str(cache_path),
        backend="sqlite",
        cache_control=True,
        # Without caching headers from the server, a page is stored only if it has a validator
        # and is revalidated on every run: a new letter must never hide behind a stale page.
        expire_after=EXPIRE_IMMEDIATELY,
        allowable_codes=(200,),
        allowable_methods=("GET", "HEAD"),
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class PoliteClient:
    """Use as a context manager; ``get_page`` for HTML, ``stream`` for files."""

    def __init__(self, settings: ClientSettings | None = None) -> None:
        self.settings = settings or ClientSettings()
        self.throttle = Throttle(self.settings.delay)
        self._adapter = _ThrottledAdapter(self.throttle, max_retries=retry_policy(self.settings))
        self.session = _make_session(self.settings)
        self.session.mount("http://", self._adapter)
        self.session.mount("https://", self._adapter)
        self.session.headers["User-Agent"] = self.settings.user_agent
        self.session.hooks["response"].append(self._check_redirect)
        self._robots: dict[str, RobotFileParser] = {}

    @property
    def requests_sent(self) -> int:
        return self._adapter.sent

    def get_page(self, url: str) -> bytes:
        """The body of an HTML page (bytes: the parser reads the page's own charset).
        Raises ``requests.HTTPError`` for an error status once retries are spent."""
        self.check_allowed(url)
        response = self.session.get(url, timeout=self.settings.timeout)
        response.raise_for_status()
        return response.content

    @contextlib.contextmanager
    def stream(self, url: str) -> Iterator[requests.Response]:
        """An open streamed response for a large file, never stored in the HTTP cache."""
        self.check_allowed(url)
        with self._cache_bypassed():
            response = self.session.get(url, timeout=self.settings.timeout, stream=True)
        try:
            response.raise_for_status()
            yield response
        finally:
            response.close()

    def check_allowed(self, url: str) -> None:
        robots = self._robots_for(url)
        if not robots.can_fetch(self.settings.user_agent, url):
            raise RobotsDisallowed(
                f"robots.txt at {origin_of(url)}/robots.txt disallows {url} for our "
                f"user agent ({self.settings.user_agent}); nothing more will be requested"
            )

    def _check_redirect(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """requests follows redirects by itself, calling this hook on each response: the
        location a redirect points to (perhaps on another host) must pass robots.txt before
        it is requested, like any URL we ask for. robots.txt's own redirects are followed
        unchecked (RFC 9309 says to follow them; checking would recurse)."""
        if response.is_redirect and urlsplit(response.url).path != "/robots.txt":
            self.check_allowed(urljoin(response.url, response.headers["Location"]))

    def _cache_bypassed(self) -> contextlib.AbstractContextManager[Any]:
        if isinstance(self.session, CachedSession):
            return self.session.cache_disabled()
        return contextlib.nullcontext()

    def _robots_for(self, url: str) -> RobotFileParser:
        origin = origin_of(url)
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        return self._robots[origin]

    def _read_robots(self, origin: str) -> RobotFileParser:
        robots_url = f"{origin}/robots.txt"
        parser = RobotFileParser(robots_url)
        try:
            response = self.session.get(robots_url, timeout=self.settings.timeout)
        except requests.RequestException as exc:
            raise SiteUnreachable(
                f"could not reach {origin} (reading {robots_url}): {exc}"
            ) from exc
        status = response.status_code
        # The conventions of urllib.robotparser.read() and RFC 9309: no robots.txt (4xx) means
        # everything is allowed, 401/403 means nothing is, and a server error means we cannot
        # tell, which counts as a full disallow.
        if status in (401, 403):
            parser.disallow_all = True
        elif 400 <= status < 500:
            parser.allow_all = True
        elif status >= 300:
            raise RobotsDisallowed(
                f"{robots_url} answered HTTP {status}; not crawling a site whose rules "
                "cannot be read"
            )
        else:
            parser.parse(response.text.splitlines())
        crawl_delay = parser.crawl_delay(self.settings.user_agent)
        if crawl_delay and float(crawl_delay) > self.throttle.interval:
            log.warning("%s asks for Crawl-delay %s s; slowing down", robots_url, crawl_delay)
            self.throttle.interval = float(crawl_delay)
        return parser

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
