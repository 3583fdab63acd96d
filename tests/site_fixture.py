"""A stand-in for Ofsted's reports website, served over real HTTP on 127.0.0.1 for the tests.

Two servers, as on the live site: the *site* (robots.txt, search pages, provider pages, from
the hand-written HTML in tests/fixtures/site, which follows the live markup; the markup these
pages had before is kept in tests/fixtures/site/earlier as a variant, ``pages_dir``) and the
*file service* (``/v1/file/<id>``) on another port, i.e. another origin, serving the REAL
letters of ../shared/jtai-letters read at run time (never copied into the repo). Every request
is logged, so tests can count them.

Misbehaviour is scripted per path: ``script()`` queues one-shot behaviours (a stall longer
than the client's timeout, a 500, a 429 with Retry-After...) served before the normal answer;
``always()`` sets one that persists (a truncated body, an HTML error page...). A path is the
same on both servers; a behaviour goes to whichever server the request for it reaches first.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import config
from scrapers.rawstore import file_id_from_url

FIXTURE_DIR = Path(__file__).parent / "fixtures" / "site"
EARLIER_MARKUP_DIR = FIXTURE_DIR / "earlier"  # the pages as they were first written: a variant
LETTERS_DIR = config.SHARED_DIR / "jtai-letters"
LIVE_FILES_ORIGIN = "https://files.ofsted.gov.uk"
PAGE_SIZE = 4  # the fixture site caps a search page at 4 results, as the live one caps at 100
SEARCH_PAGES = {"0": "search_start0.html", "4": "search_start4.html"}

# The JTAI letters the fixture provider pages link to: file id -> (URN, shared file name).
JTAI_LETTERS = {
    "50188665": ("80426", "80426-barnsley-2022-07-18.pdf"),
    "50212861": ("80428", "80428-bedford-2023-03-31.pdf"),
    "50000231": ("80441", "80441-bristol-2017-12-01.pdf"),
    "50194535": ("80447", "80447-cheshire-east-2022-09-26.pdf"),
    "50000217": ("80485", "80492-croydon-2016-06-29.pdf"),  # stands in as Liverpool's 2nd
    "50000222": ("80485", "80485-liverpool-2016-08-03.pdf"),
    "50024897": ("80498", "80498-haringey-2018-01-30.pdf"),
}
# Other report types on the same pages: never to be requested.
OTHER_FILE_IDS = {
    "50301001",
    "50130002",
    "50270003",
    "50160004",
    "50150005",
    "50250006",
    "50009007",
    "50230008",
    "50120009",
}
# The order the scraper meets the letters: providers in search order, links in page order.
DOWNLOAD_ORDER = [
    "50188665",
    "50212861",
    "50000231",
    "50194535",
    "50000217",
    "50000222",
    "50024897",
]


def require_shared_letters() -> Path:
    if not (LETTERS_DIR / "manifest.csv").exists():
        pytest.skip(f"the shared letters are not at {LETTERS_DIR} (config.SHARED_DIR/jtai-letters)")
    return LETTERS_DIR


def shared_manifest() -> dict[str, dict[str, str]]:
    """Rows of ../shared/jtai-letters/manifest.csv by file name."""
    with (LETTERS_DIR / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh)}


def fixture_html(
    name: str, files_origin: str = LIVE_FILES_ORIGIN, pages_dir: Path = FIXTURE_DIR
) -> str:
    return (pages_dir / name).read_text(encoding="utf-8").replace("{{FILES}}", files_origin)


def publication_item(name: str, file_id: str) -> str:
    """The ``<li>`` of a fixture page that lists the file ``file_id`` (with ``{{FILES}}``)."""
    html = (FIXTURE_DIR / name).read_text(encoding="utf-8")
    items = re.findall(r"      <li class=\"timeline__day\">.*?</li>\n", html, re.S)
    return next(item for item in items if f'/v1/file/{file_id}"' in item)


def replacing(old: str, new: str) -> Callable[[str], str]:
    """A page edit (FixtureSite.page_edits) that must find ``old`` on the page."""

    def edit(html: str) -> str:
        assert old in html, f"page edit: {old!r} is not on the page"
        return html.replace(old, new)

    return edit


# --- behaviours -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stall:
    """Say nothing for ``seconds`` (longer than the client's timeout), then answer normally."""

    seconds: float


@dataclass(frozen=True)
class Status:
    code: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Truncate:
    """Send ``keep`` of the bytes and close the connection. ``honest_length``: announce the
    length actually sent (a PDF cut short at the source) instead of the full one (a broken
    connection)."""

    keep: float = 0.5
    honest_length: bool = False


@dataclass(frozen=True)
class HtmlInsteadOfPdf:
    """A 200 whose body is an HTML error page."""


@dataclass(frozen=True)
class SlowStream:
    """Send ``first`` bytes, then drip the rest a kilobyte every ``pause`` seconds."""

    first: int = 128 * 1024
    pause: float = 0.2


@dataclass(frozen=True)
class Reset:
    """Send the headers (announcing the whole file) and ``keep`` of the body, then reset the
    connection: SO_LINGER 0 makes the close a TCP RST, not an orderly end of stream."""

    keep: float = 0.5


@dataclass(frozen=True)
class Redirect:
    """Answer ``code`` with a Location header: a path on the same server, or a URL in which
    ``{{SITE}}`` and ``{{FILES}}`` stand for the two servers' origins."""

    location: str
    code: int = 302


Behaviour = Stall | Status | Truncate | HtmlInsteadOfPdf | SlowStream | Reset | Redirect


@dataclass
class Hit:
    server: str  # "site" or "files"
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival
    # "200", "304", "404"..., or the behaviour served; "" until the answer is decided
    answer: str = ""


# --- the server -----------------------------------------------------------------------------


class FixtureSite:
    def __init__(self, letters_dir: Path = LETTERS_DIR) -> None:
        self.files_by_id: dict[str, Path] = {}
        for row in shared_manifest().values():
            file_id = file_id_from_url(row["source_url"]) if row["source_url"] else None
            if file_id:
                self.files_by_id[file_id] = letters_dir / row["file"]
        self.files_by_id["50000217"] = letters_dir / JTAI_LETTERS["50000217"][1]
        self.pages_dir = FIXTURE_DIR  # search and provider pages (EARLIER_MARKUP_DIR: a variant)
        self.page_overrides: dict[str, str] = {}  # path -> fixture file to serve instead
        # path -> an edit of the page's template: a variant of a saved page (a link listed
        # twice, a label in another form) without a near copy of the whole page
        self.page_edits: dict[str, Callable[[str], str]] = {}
        self.robots: str | None = "robots.txt"  # fixture file, None for 404
        self.hits: list[Hit] = []
        self.stream_started = threading.Event()
        self.stopping = threading.Event()
        self._scripts: dict[str, deque[Behaviour]] = {}
        self._always: dict[str, Behaviour] = {}
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []

    # configuration
    def script(self, path: str, *behaviours: Behaviour) -> None:
        with self._lock:
            self._scripts.setdefault(path, deque()).extend(behaviours)

    def always(self, path: str, behaviour: Behaviour) -> None:
        with self._lock:
            self._always[path] = behaviour

    def clear_behaviours(self) -> None:
        """Back to normal service: every scripted and persistent behaviour dropped."""
        with self._lock:
            self._scripts.clear()
            self._always.clear()

    def next_behaviour(self, path: str) -> Behaviour | None:
        with self._lock:
            queue = self._scripts.get(path)
            if queue:
                return queue.popleft()
            return self._always.get(path)

    # lifecycle
    def start(self) -> FixtureSite:
        for role in ("site", "files"):
            server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
            server.daemon_threads = True
            server.fixture = self  # type: ignore[attr-defined]
            server.role = role  # type: ignore[attr-defined]
            # a short poll interval keeps shutdown (each test's teardown) quick
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
            self._servers.append(server)
        return self

    def close(self) -> None:
        self.stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._servers[0].server_address[1]}"

    @property
    def files_origin(self) -> str:
        return f"http://127.0.0.1:{self._servers[1].server_address[1]}"

    # what happened
    def log(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def hits_on(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def file_hits(self) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.server == "files" and h.path != "/robots.txt"]

    def clear_log(self) -> None:
        with self._lock:
            self.hits.clear()


@contextlib.contextmanager
def running_site() -> Iterator[FixtureSite]:
    require_shared_letters()
    site = FixtureSite().start()
    try:
        yield site
    finally:
        site.close()


class _Handler(BaseHTTPRequestHandler):
    server_version = "FixtureOfsted/1.0"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: the tests read FixtureSite.hits instead

    @property
    def site(self) -> FixtureSite:
        return self.server.fixture  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        role = self.server.role  # type: ignore[attr-defined]
        headers = {k.lower(): v for k, v in self.headers.items()}
        # logged on arrival, so a test sees a request even while its answer is stalled
        hit = Hit(role, path, query, headers, time.monotonic())
        self.site.log(hit)
        behaviour = self.site.next_behaviour(path)
        answer = type(behaviour).__name__ if behaviour else ""
        hit.answer = answer
        try:
            if isinstance(behaviour, Stall):
                self.site.stopping.wait(behaviour.seconds)
                behaviour = None
            if isinstance(behaviour, Status):
                status = self._send(behaviour.code, b"error\n", "text/plain", behaviour.headers)
            elif isinstance(behaviour, Redirect):
                location = behaviour.location.replace("{{SITE}}", self.site.base_url).replace(
                    "{{FILES}}", self.site.files_origin
                )
                status = self._send(behaviour.code, b"", None, {"Location": location})
            elif role == "site":
                status = self._site(path, query, behaviour)
            else:
                status = self._files(path, behaviour)
            answer = answer or str(status)
        except (BrokenPipeError, ConnectionResetError):
            answer = answer or "client gone"
        finally:
            hit.answer = answer

    # the site
    def _site(self, path: str, query: dict[str, list[str]], behaviour: Behaviour | None) -> int:
        if path == "/robots.txt":
            if self.site.robots is None:
                return self._send(404, b"not found\n", "text/plain")
            return self._send(200, (FIXTURE_DIR / self.site.robots).read_bytes(), "text/plain")
        name = self.site.page_overrides.get(path)
        if name is None and path == "/search":
            name = SEARCH_PAGES.get(query.get("start", ["0"])[0])
        elif name is None and path.startswith("/provider/44/"):
            name = f"provider_{path.rsplit('/', 1)[-1]}.html"
        folder = self.site.pages_dir
        if name is not None and not (folder / name).exists():
            folder = FIXTURE_DIR  # a page with no variant (an error page, a layout change)
        if name is None or not (folder / name).exists():
            return self._send(404, b"<html><body>Not found</body></html>", "text/html")
        html = (folder / name).read_text(encoding="utf-8")
        if path in self.site.page_edits:
            html = self.site.page_edits[path](html)
        body = html.replace("{{FILES}}", self.site.files_origin).encode("utf-8")
        etag = f'"{hashlib.sha1(body).hexdigest()}"'
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, b"", None, {"ETag": etag})
        return self._send(200, body, "text/html; charset=utf-8", {"ETag": etag})

    # the file service
    def _files(self, path: str, behaviour: Behaviour | None) -> int:
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        # /v1/blob/<id>: where a file URL may redirect to (storage behind the file service)
        file_id = path.rsplit("/", 1)[-1] if path.startswith(("/v1/file/", "/v1/blob/")) else ""
        pdf = self.site.files_by_id.get(file_id)
        if pdf is None:
            return self._send(404, b"<html><body>No such file</body></html>", "text/html")
        if isinstance(behaviour, HtmlInsteadOfPdf):
            return self._send(200, (FIXTURE_DIR / "error_page.html").read_bytes(), "text/html")
        data = pdf.read_bytes()
        if isinstance(behaviour, Truncate):
            sent = data[: int(len(data) * behaviour.keep)]
            self._head(200, "application/pdf", len(sent) if behaviour.honest_length else len(data))
            self.wfile.write(sent)
            self.close_connection = True
            return 200
        if isinstance(behaviour, Reset):
            self._head(200, "application/pdf", len(data))
            self.wfile.write(data[: int(len(data) * behaviour.keep)])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return 200
        if isinstance(behaviour, SlowStream):
            self._head(200, "application/pdf", len(data))
            self.wfile.write(data[: behaviour.first])
            self.wfile.flush()
            self.site.stream_started.set()
            for i in range(behaviour.first, len(data), 1024):
                if self.site.stopping.wait(behaviour.pause):
                    break
                self.wfile.write(data[i : i + 1024])
                self.wfile.flush()
            return 200
        return self._send(200, data, "application/pdf")

    def _head(self, status: int, content_type: str | None, length: int, headers=None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str] | None = None,
    ) -> int:
        self._head(status, content_type, len(body), headers)
        if body:
            self.wfile.write(body)
        return status
