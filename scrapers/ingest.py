"""Ingest a folder of PDFs (e.g. ../shared/jtai-letters) into the raw store.

``DIR/manifest.csv``, when present (columns file, urn, provider, report_type, published,
source_url, sha256, bytes), supplies what the file names cannot: URN, publication date, report
type and source URL; its sha256 and bytes, when given, are checked against the file. Without a
manifest those fields stay "" and the analysis reads them from the letter's text later.

The bytes are copied unedited. A file whose sha256 the raw store already holds is "unchanged",
so a second ingest reports 0 new. A broken file is listed as failed; the others still go in.

Nothing in the manifest is trusted: every value is checked (``rawstore.row_problems``: ISO dates in
a plausible range, a numeric URN, http(s) addresses only, a hex checksum) and a file whose row
is bad, or that is listed twice with different values, is failed with the reason while the rest
go in. A file larger than any letter (``config.MAX_DOWNLOAD_BYTES``, as for a fetch), one that
cannot be read, and a ``.pdf`` name that is not a file (a link loop, a folder) fail alone too.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import config
from config import EXIT_FAILURES, EXIT_OK
from scrapers import rawstore
from scrapers.outcome import Failure, failure_lines, utc_now

FOLDER_MANIFEST = "manifest.csv"


class IngestAborted(RuntimeError):
    """The folder cannot be ingested at all (missing, empty, or an unreadable manifest)."""


@dataclass(frozen=True)
class FolderManifest:
    rows: dict[str, dict[str, str]]  # by file name: the rows that passed every check
    problems: dict[str, str]  # by file name: why its row is rejected (the file is not taken)


@dataclass
class IngestReport:
    folder: Path
    pdfs: int = 0
    new: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_FAILURES if self.failures else EXIT_OK

    def lines(self) -> list[str]:
        return [
            f"Ingested {self.folder}",
            f"  PDFs in folder:  {self.pdfs}",
            f"  new:             {len(self.new)}",
            f"  unchanged:       {len(self.unchanged)}",
            f"  failed:          {len(self.failures)}",
            *failure_lines(self.failures),
            f"Done: {len(self.new)} new, {len(self.unchanged)} unchanged, "
            f"{len(self.failures)} failed.",
        ]


def read_folder_manifest(folder: Path) -> FolderManifest:
    """The checked rows of ``folder/manifest.csv`` by file name (none when there is no
    manifest), and why each rejected row is rejected. Raises IngestAborted when the manifest
    cannot be read at all."""
    path = folder / FOLDER_MANIFEST
    if not path.exists():
        return FolderManifest({}, {})
    if not path.is_file():
        raise IngestAborted(f"{path} is not a file: expected a CSV manifest or none at all")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if "file" not in (reader.fieldnames or []):
                raise IngestAborted(f"{path} has no 'file' column (columns: {reader.fieldnames})")
            numbered = [
                (n, {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)})
                for n, row in enumerate(reader, start=2)  # row 1 is the header
            ]
    except UnicodeDecodeError as exc:
        raise IngestAborted(
            f"{path} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at position "
            f"{exc.start}): save it as CSV UTF-8 and ingest again; nothing was ingested"
        ) from exc
    except (OSError, csv.Error) as exc:
        raise IngestAborted(f"cannot read {path}: {exc}; nothing was ingested") from exc
    by_file: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for n, row in numbered:
        by_file.setdefault(row["file"], []).append((n, row))
    rows: dict[str, dict[str, str]] = {}
    problems: dict[str, str] = {}
    for name, listed in by_file.items():
        first_n, first = listed[0]
        if any(row != first for _, row in listed[1:]):
            lines = ", ".join(str(n) for n, _ in listed)
            problems[name] = f"listed in manifest.csv more than once, differently (rows {lines})"
            continue
        bad = rawstore.row_problems(first)
        if bad:
            problems[name] = f"manifest.csv row {first_n}: " + "; ".join(bad)
            continue
        rows[name] = first
    return FolderManifest(rows, problems)


def pdfs_in(folder: Path) -> tuple[list[Path], list[Failure]]:
    """The PDF files of ``folder``, and the ``.pdf`` names that are not files (a link that
    leads nowhere or in a loop, a folder): those are named, never skipped in silence."""
    pdfs: list[Path] = []
    odd: list[Failure] = []
    for p in sorted(folder.iterdir()):
        if p.suffix.lower() != ".pdf":
            continue
        if p.is_file():
            pdfs.append(p)
        elif p.is_symlink():
            odd.append(Failure(p.name, "a link that leads to no file (broken, or a loop)"))
        else:
            odd.append(Failure(p.name, "not a file"))
    return pdfs, odd


def check_against_listing(data: bytes, listing: dict[str, str]) -> str | None:
    """Why the file disagrees with its manifest row, or None."""
    sha = rawstore.sha256_of(data)
    if listing.get("sha256") and listing["sha256"].lower() != sha:
        return f"sha256 {sha[:12]}... differs from manifest.csv ({listing['sha256'][:12]}...)"
    if listing.get("bytes", "").isdigit() and int(listing["bytes"]) != len(data):
        return f"{len(data)} bytes, manifest.csv says {listing['bytes']}"
    return None


def record_for(
    name: str, data: bytes, listing: dict[str, str], fetched_at: str
) -> rawstore.RawRecord:
    sha = rawstore.sha256_of(data)
    source_url = listing.get("source_url", "")
    file_id = rawstore.file_id_from_url(source_url) if source_url else None
    return rawstore.RawRecord(
        file_id=file_id or rawstore.file_id_from_sha(sha),
        urn=listing.get("urn", ""),
        provider=listing.get("provider", ""),
        report_type=listing.get("report_type", ""),
        published=listing.get("published", ""),
        source_url=source_url,
        sha256=sha,
        bytes=len(data),
        origin="folder",
        original_name=name,
        fetched_at=fetched_at,
    )


def _held_shas() -> dict[str, str]:
    """sha256 -> file id for every manifest row whose PDF is on disk."""
    return {
        r.sha256: r.file_id
        for r in rawstore.read_manifest().values()
        if rawstore.pdf_path(r.file_id).exists()
    }


def ingest_file(
    path: Path, listing: dict[str, str], report: IngestReport, held: dict[str, str]
) -> None:
    """Ingest one PDF; ``held`` (sha256 -> file id of what the store holds) is kept current."""
    try:
        size = path.stat().st_size
        if size > config.MAX_DOWNLOAD_BYTES:
            report.failures.append(
                Failure(
                    path.name,
                    f"{size} bytes: larger than any letter (the limit is "
                    f"{config.MAX_DOWNLOAD_BYTES // (1024 * 1024)} MB)",
                )
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        report.failures.append(Failure(path.name, f"cannot read the file: {exc.strerror or exc}"))
        return
    try:
        rawstore.check_pdf_bytes(data)
    except rawstore.InvalidPdf as exc:
        report.failures.append(Failure(path.name, str(exc)))
        return
    mismatch = check_against_listing(data, listing)
    if mismatch:
        report.failures.append(Failure(path.name, mismatch))
        return
    record = record_for(path.name, data, listing, utc_now())
    if record.sha256 in held:
        report.unchanged.append(held[record.sha256])
        return
    existing = rawstore.read_manifest().get(record.file_id)
    if existing and rawstore.pdf_path(record.file_id).exists():
        # the raw store is never edited: a different file under a known id is a conflict
        report.failures.append(
            Failure(
                path.name,
                f"file id {record.file_id} is already in the raw store with a different "
                f"sha256 ({existing.sha256[:12]}...)",
            )
        )
        return
    rawstore.write_pdf(record.file_id, data)
    rawstore.upsert(record)
    held[record.sha256] = record.file_id
    report.new.append(record.file_id)


def run(folder: Path) -> IngestReport:
    if not folder.is_dir():
        raise IngestAborted(f"{folder} is not a folder")
    rawstore.remove_partial_files()
    manifest = read_folder_manifest(folder)
    pdfs, odd = pdfs_in(folder)
    if not pdfs and not odd:
        raise IngestAborted(
            f"{folder} holds no PDF files: nothing to ingest (is it the right folder?)"
        )
    report = IngestReport(folder=folder, pdfs=len(pdfs), failures=odd)
    held = _held_shas()
    for path in pdfs:
        if path.name in manifest.problems:
            report.failures.append(Failure(path.name, manifest.problems[path.name]))
            continue
        ingest_file(path, manifest.rows.get(path.name, {}), report, held)
    present = {p.name for p in pdfs} | {f.item for f in odd}
    for name in sorted(set(manifest.rows) - present):
        report.failures.append(Failure(name, "listed in manifest.csv but not in the folder"))
    return report
