"""The raw store: PDFs exactly as they were downloaded or ingested, plus one manifest row each.

This is the contract between the scrapers (which write it) and ``analysis`` (which reads it).
Layout under ``JTAI_DATA_DIR``::

    raw/<file_id>.pdf     the bytes as received, never edited
    raw/manifest.csv      one row per file, columns MANIFEST_COLUMNS

A PDF is written to a temporary file in the same folder, checked, and only then renamed into
place, and the manifest is rewritten atomically after each file, so a run killed at any point
leaves either the old state or the new one, never a half-written file.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import config


@dataclass(frozen=True)
class RawRecord:
    file_id: str  # the site's file id (e.g. "50188665"), or "sha-<first 16 hex>" when unknown
    urn: str  # Ofsted URN of the provider; "" when not known from the source
    provider: str  # the provider's name as the source lists it
    report_type: str  # as the source labels it; "" when unknown
    published: str  # ISO date from the source; "" when unknown
    source_url: str
    sha256: str
    bytes: int
    origin: str  # "live" (the reports website) or "folder" (ingest DIR)
    original_name: str  # the file name in the ingested folder, or the URL's last part
    fetched_at: str  # ISO timestamp (UTC) of the download or ingest


MANIFEST_COLUMNS = [f.name for f in fields(RawRecord)]
# Joint area reviews (2005-2009), the earliest documents of this kind the site holds, came
# before the JTAIs; a publication date before them is a mistake.
EARLIEST_PUBLISHED = date(2005, 1, 1)
_URN = re.compile(r"^[0-9]{5,8}$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


class InvalidPdf(ValueError):
    """The bytes are not a complete PDF (an HTML error page, a truncated download...)."""


def record_from_folder_manifest(row: dict[str, str]) -> RawRecord:
    """The record of a file listed in a folder's manifest.csv (the shared letters' format:
    file,urn,provider,report_type,published,source_url,sha256,bytes), as it stands there."""
    return RawRecord(
        file_id=file_id_from_url(row["source_url"]) or file_id_from_sha(row["sha256"]),
        urn=row["urn"],
        provider=row["provider"],
        report_type=row["report_type"],
        published=row["published"],
        source_url=row["source_url"],
        sha256=row["sha256"],
        bytes=int(row["bytes"]),
        origin="folder",
        original_name=row["file"],
        fetched_at="",
    )


def _shown(value: str, limit: int = 40) -> str:
    """A value quoted for a message, cut short: it may be long or hostile."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


def row_problems(row: dict[str, str], today: date | None = None) -> list[str]:
    """What is wrong with one manifest row's values, a folder's or the raw store's (empty
    values are allowed: unknown). Values from outside are never trusted: a bad date or URN
    would reach the database and every page that reads it."""
    # a day's grace: a letter published just after midnight in London is "tomorrow" in UTC
    latest = (today or datetime.now(UTC).date()) + timedelta(days=1)
    problems = []
    urn = row.get("urn", "")
    if urn and not _URN.match(urn):
        problems.append(f"urn {_shown(urn)} is not an Ofsted URN (5 to 8 digits)")
    published = row.get("published", "")
    if published:
        try:
            when = date.fromisoformat(published) if len(published) == 10 else None
        except ValueError:
            when = None
        if when is None:
            problems.append(f"published {_shown(published)} is not a date as YYYY-MM-DD")
        elif not EARLIEST_PUBLISHED <= when <= latest:
            problems.append(
                f"published {published} is outside {EARLIEST_PUBLISHED.isoformat()} to today"
            )
    url = row.get("source_url", "")
    if url:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            problems.append(f"source_url {_shown(url)} is not an http(s) address")
    sha = row.get("sha256", "")
    if sha and not _SHA256.match(sha):
        problems.append(f"sha256 {_shown(sha)} is not 64 hexadecimal digits")
    size = row.get("bytes", "")
    if size and not size.isdigit():
        problems.append(f"bytes {_shown(size)} is not a number")
    return problems


def record_problems(record: RawRecord) -> list[str]:
    return row_problems({k: str(v) for k, v in asdict(record).items()})


def file_id_from_url(url: str) -> str | None:
    """The site's file id: the last path segment of ``.../v1/file/<id>``."""
    m = re.search(r"/file/([A-Za-z0-9_-]+)/?$", url.strip())
    return m.group(1) if m else None


def file_id_from_sha(sha256: str) -> str:
    return f"sha-{sha256[:16]}"


def pdf_path(file_id: str) -> Path:
    return config.raw_dir() / f"{file_id}.pdf"


def check_pdf_bytes(data: bytes, expected_length: int | None = None) -> None:
    """Raise InvalidPdf unless ``data`` looks like one complete PDF file.

    A PDF starts with ``%PDF-`` and its last ``%%EOF`` marker sits near the end; a download cut
    short loses the marker (and usually fails the Content-Length check first).
    """
    if expected_length is not None and len(data) != expected_length:
        raise InvalidPdf(f"incomplete download: {len(data)} of {expected_length} bytes")
    head = data[:1024].lstrip()
    if not head.startswith(b"%PDF-"):
        kind = "an HTML page" if b"<html" in data[:2048].lower() else "not a PDF"
        raise InvalidPdf(f"{kind}: the file does not start with %PDF-")
    if b"%%EOF" not in data[-2048:]:
        raise InvalidPdf("truncated PDF: no %%EOF marker at the end")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextmanager
def atomic_file(target: Path, mode: str = "wb", **open_args) -> Iterator[IO]:
    """A file written beside ``target`` and renamed onto it only once complete and synced."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".part")
    try:
        with os.fdopen(fd, mode, **open_args) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_pdf(file_id: str, data: bytes) -> Path:
    """Check ``data`` and put it in place atomically; returns the final path."""
    check_pdf_bytes(data)
    target = pdf_path(file_id)
    with atomic_file(target) as fh:
        fh.write(data)
    return target


def remove_partial_files() -> int:
    """Delete temporary files a killed run left behind; returns how many."""
    folder = config.raw_dir()
    if not folder.exists():
        return 0
    leftovers = list(folder.glob(".*.part"))
    for p in leftovers:
        p.unlink(missing_ok=True)
    return len(leftovers)


def read_manifest(path: Path | None = None) -> dict[str, RawRecord]:
    path = path or config.raw_manifest_path()
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, RawRecord] = {}
    for row in rows:
        values = {c: row.get(c, "") or "" for c in MANIFEST_COLUMNS}
        values["bytes"] = int(values["bytes"] or 0)
        rec = RawRecord(**values)
        out[rec.file_id] = rec
    return out


def write_manifest(records: Iterable[RawRecord], path: Path | None = None) -> None:
    """Rewrite the manifest atomically, rows sorted by file id for stable diffs."""
    path = path or config.raw_manifest_path()
    with atomic_file(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        for rec in sorted(records, key=lambda r: r.file_id):
            writer.writerow(asdict(rec))


def upsert(record: RawRecord, path: Path | None = None) -> None:
    """Add or replace one row. Locked, so two runs (a fetch and an ingest) never lose each
    other's rows between the read and the rewrite."""
    path = path or config.raw_manifest_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / ".manifest.lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            records = read_manifest(path)
            records[record.file_id] = record
            write_manifest(records.values(), path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
