"""Build the corpus: raw PDFs -> parsed letters -> classified findings -> the database.

Incremental: a PDF whose checksum was parsed by the same parser version is taken from the
current database instead of being parsed again. The classifier then tags every finding (it is
cheap, and a model retrained on a changed corpus must tag all of them alike).

Two files that give one letter (the same URN and publication date: a re-saved copy, a second
listing) never stop the build. One copy is kept by a fixed rule (``one_copy_per_letter``): the
copy from Ofsted's file service (its address names the file) before any other, then the one
stored first, then the lower file id; the other is set aside, naming the copy kept.

The current database is checked before it is trusted: a damaged one is moved aside (renamed,
never deleted) and the corpus rebuilt from the raw store, which holds everything needed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import config
from analysis import classify, embed, embed_cache, gold, pdftext, reference, store
from analysis import coverage as coverage_mod
from analysis.letter import IncompleteLetter, Letter, NotAJtaiLetter, SetAside
from analysis.parse_letter import PARSER_VERSION, Source, make_letter_id, parse
from scrapers import rawstore

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    parsed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    n_findings: int = 0
    embedded: int = 0  # sentences embedded now (the rest came from the cache)
    unchanged: bool = False  # nothing new: the database was left as it was
    # a damaged database found at the start: (SQLite's complaint, where it was moved)
    damaged: tuple[str, Path] | None = None
    coverage: str = ""  # "N of M known JTAI letters", or why it is not measured

    def summary(self) -> str:
        lines = []
        if self.damaged:
            problem, moved_to = self.damaged
            lines.append(
                f"the database was damaged ({problem}): moved aside to {moved_to}; "
                "the corpus is rebuilt from the raw store"
            )
        lines += [
            f"letters: {len(self.parsed) + len(self.reused)} "
            f"({len(self.parsed)} parsed, {len(self.reused)} unchanged)",
            f"findings: {self.n_findings} ({self.embedded} embedded now, the rest cached)",
            f"set aside: {len(self.set_aside)}",
        ]
        lines += [f"  - {s.file_id}: {s.reason}" for s in self.set_aside]
        if self.duplicates:
            lines.append(f"duplicates skipped (same sha256): {', '.join(self.duplicates)}")
        if self.coverage:
            lines.append(f"coverage: {self.coverage}")
        if self.unchanged:
            lines.append("database unchanged: nothing new since the last build")
        lines.append("time: " + ", ".join(f"{k} {v:.2f}s" for k, v in self.seconds.items()))
        return "\n".join(lines)


class NothingToBuild(RuntimeError):
    """No raw file gave a usable letter: the previous database is left as it was."""

    def __init__(self, message: str, report: BuildReport) -> None:
        super().__init__(message)
        self.report = report


def copy_rank(record: rawstore.RawRecord) -> tuple[bool, str, str]:
    """Sort key of the copies of one letter: the first is kept. Ofsted's file (a source
    address that names a file id) before a copy of unknown origin, then the copy stored
    first, then the lower file id, so the choice never depends on the order files arrived
    in a run."""
    from_ofsted = bool(record.source_url and rawstore.file_id_from_url(record.source_url))
    return (not from_ofsted, record.fetched_at or "9999", record.file_id)


def one_copy_per_letter(
    parsed: list[tuple[rawstore.RawRecord, Letter]],
) -> tuple[list[tuple[rawstore.RawRecord, Letter]], list[SetAside]]:
    """One (record, letter) per letter id, chosen by ``copy_rank``; the others set aside."""
    by_id: dict[str, list[tuple[rawstore.RawRecord, Letter]]] = {}
    for record, letter in parsed:
        by_id.setdefault(letter.letter_id, []).append((record, letter))
    kept: list[tuple[rawstore.RawRecord, Letter]] = []
    set_aside: list[SetAside] = []
    for letter_id, copies in by_id.items():
        copies.sort(key=lambda pair: copy_rank(pair[0]))
        kept.append(copies[0])
        winner = copies[0][0]
        for record, _ in copies[1:]:
            reason = (
                f"duplicate: another copy of letter {letter_id} (same URN and publication "
                f"date, different bytes); file {winner.file_id} is kept"
            )
            set_aside.append(SetAside(record.file_id, record.sha256, record.source_url, reason))
    return kept, set_aside


def check_current_database(report: BuildReport) -> None:
    """Move a damaged database aside (recorded in the report) so the build starts afresh."""
    path = config.db_path()
    problem = store.database_problem(path)
    if problem is not None:
        report.damaged = (problem, store.move_aside(path))


def letters_coverage(letters: list[Letter]) -> tuple[list[coverage_mod.KnownLetter], str]:
    """The known letters with the corpus's letter for each, and the headline (or why
    coverage is not measured: the build goes on without it)."""
    try:
        known = coverage_mod.read_known()
    except coverage_mod.NoReference as exc:
        return [], f"not measured: {exc}"
    cov = coverage_mod.coverage(known, {(lt.urn, lt.published): lt.letter_id for lt in letters})
    return list(cov.letters), cov.headline()


def _database_is_current(
    letters: list[Letter],
    report: BuildReport,
    meta: dict[str, str],
    coverage: list[coverage_mod.KnownLetter],
    extra: list[Letter],
) -> bool:
    """Every letter reused, the same files set aside, tags made by the model these letters
    train (same letters, same model version), the same coverage and the same schema: a
    rebuild would write the same database."""
    return (
        not report.parsed
        and bool(letters)
        and meta.get("schema_version") == store.SCHEMA_VERSION
        and meta.get("embedding_model") == embed.MODEL_ID
        and meta.get("classifier_fingerprint") == classify.fingerprint(letters, extra)
        and set(report.set_aside) == set(store.read_set_aside())
        and coverage == store.read_coverage()
    )


def enrich(letter: Letter) -> Letter:
    """Codes and region from the LA lookup; the URN from the area's name when unknown."""
    la = reference.by_urn(letter.urn) if letter.urn else reference.by_name(letter.local_authority)
    if la is None:
        return letter
    return replace(
        letter,
        urn=letter.urn or la.urn,
        local_authority=letter.local_authority or la.name,
        la_code=la.la_code,
        ons_code=la.ons_code,
        region=la.region,
    )


def set_aside_reason(exc: Exception, record: rawstore.RawRecord) -> str | None:
    """Why a file is set aside, for the summary and the set_aside table; None for errors that
    must stop the build (a full disk, an interrupt), not just this file."""
    if isinstance(exc, NotAJtaiLetter):
        reason = f"not a JTAI letter: {exc}"
    elif isinstance(exc, IncompleteLetter):
        reason = f"incomplete letter: {exc}"
    elif isinstance(exc, (pdftext.UnreadablePdf, ChangedFile)):
        reason = f"unreadable: {exc}"
    elif isinstance(exc, FileNotFoundError):
        reason = f"missing: the raw file is not in {config.raw_dir()}"
    elif isinstance(exc, OSError):
        return None
    else:
        # A parser bug on an unforeseen layout: the traceback goes to the log, the letter is
        # set aside (not half-stored) and named in the summary.
        log.exception("parser error on %s", record.file_id)
        reason = f"parser error (please report): {type(exc).__name__}: {exc}"
    if record.report_type and record.report_type != config.JTAI_REPORT_TYPE:
        reason += f" (the source lists it as '{record.report_type}')"
    return reason


class ChangedFile(Exception):
    """The raw file's bytes are no longer those the manifest recorded."""


def parse_file(path: Path, record: rawstore.RawRecord) -> Letter:
    """One raw PDF -> an enriched Letter. Raises UnreadablePdf / NotAJtaiLetter /
    IncompleteLetter, and ChangedFile when the file is not the one that was stored."""
    data = path.read_bytes()
    if record.sha256 and rawstore.sha256_of(data) != record.sha256:
        raise ChangedFile(
            "the file's sha256 differs from the manifest's (edited or damaged on disk); "
            "fetch or ingest it again"
        )
    source = Source(
        file_id=record.file_id,
        urn=record.urn,
        published=record.published,
        source_url=record.source_url,
        sha256=record.sha256,
    )
    letter = enrich(parse(pdftext.extract(data), source))
    if not record.urn and letter.urn and not record.published:
        # The URN came from the title: give the letter the id it would have had from a manifest.
        new_id = make_letter_id(letter.urn, letter.published, letter.sha256)
        letter = _renamed(letter, new_id)
    return letter


def _renamed(letter: Letter, new_id: str) -> Letter:
    findings = [
        replace(f, letter_id=new_id, finding_id=f"{new_id}-{f.position:04d}")
        for f in letter.findings
    ]
    return replace(letter, letter_id=new_id, findings=findings)


def gold_letters_outside(letters: list[Letter]) -> list[Letter]:
    """The gold set's letters that the corpus lacks, parsed from config.gold_letters_dir(),
    for training only (never stored): the models then learn from every hand label whatever
    letters a user's corpus holds. Unreadable or absent files are skipped."""
    folder = config.gold_letters_dir()
    if folder is None or not folder.is_dir():
        return []
    have = {(lt.urn, lt.published) for lt in letters}
    out: list[Letter] = []
    for letter_file in sorted({r.letter_file for r in gold.read_gold()}):
        urn, published = gold.urn_and_date(letter_file)
        path = folder / f"{letter_file}.pdf"
        if (urn, published) in have or not path.is_file():
            continue
        data = path.read_bytes()
        sha = rawstore.sha256_of(data)
        record = rawstore.RawRecord(
            file_id=f"gold-{sha[:16]}", urn=urn, provider="", report_type="",
            published=published, source_url="", sha256=sha, bytes=len(data),
            origin="gold", original_name=path.name, fetched_at="",
        )  # fmt: skip
        try:
            out.append(parse_file(path, record))
        except Exception as exc:  # noqa: BLE001 - a training extra never stops the build
            log.warning("gold letter %s not used for training: %s", path.name, exc)
    return out


def build(retrain: bool = False, wait: bool = False) -> BuildReport:
    report = BuildReport()
    # Before anything else: a folder it cannot write would fail the build only at its end.
    for folder in (config.db_path().parent, config.models_dir()):
        store.check_writable(folder)
    with store.build_lock(wait=wait):
        store.remove_leftovers()  # from a build that was killed: no other build is running
        records = rawstore.read_manifest()
        if not records:
            raise FileNotFoundError(
                f"no raw PDFs under {config.raw_dir()}: run `python -m scrapers fetch` or "
                "`python -m scrapers ingest DIR` first"
            )
        check_current_database(report)
        meta = store.read_meta()
        cached: dict[str, Letter] = {}
        if meta.get("parser_version") == PARSER_VERSION:
            cached = {lt.sha256: lt for lt in store.read_letters()}

        t0 = time.perf_counter()
        letters: dict[str, tuple[rawstore.RawRecord, Letter]] = {}
        for record in sorted(records.values(), key=lambda r: r.file_id):
            if record.sha256 in letters:
                report.duplicates.append(record.file_id)
                continue
            problems = rawstore.record_problems(record)
            if record.bytes > config.MAX_DOWNLOAD_BYTES:
                # stored before ingest had a size limit: never read it again on every build
                problems.append(f"{record.bytes} bytes: larger than any letter")
            if problems:
                # stored before ingest checked its values: they would reach every page
                reason = "bad values in the raw manifest: " + "; ".join(problems)
                report.set_aside.append(
                    SetAside(record.file_id, record.sha256, record.source_url, reason)
                )
                continue
            if record.sha256 in cached:
                letters[record.sha256] = (record, cached[record.sha256])
                report.reused.append(record.file_id)
                continue
            try:
                letter = parse_file(rawstore.pdf_path(record.file_id), record)
            except Exception as exc:  # noqa: BLE001 - one bad file must not stop the build
                reason = set_aside_reason(exc, record)
                if reason is None:
                    raise
                report.set_aside.append(
                    SetAside(record.file_id, record.sha256, record.source_url, reason)
                )
                continue
            letters[record.sha256] = (record, letter)
            report.parsed.append(record.file_id)
        kept, copies = one_copy_per_letter(list(letters.values()))
        report.set_aside += copies
        set_aside_ids = {s.file_id for s in copies}
        report.parsed = [i for i in report.parsed if i not in set_aside_ids]
        report.reused = [i for i in report.reused if i not in set_aside_ids]
        report.seconds["parse"] = time.perf_counter() - t0

        ordered = sorted((lt for _, lt in kept), key=lambda lt: (lt.published, lt.letter_id))
        if not ordered:
            raise NothingToBuild(
                f"none of the {len(records)} raw files gave a letter (each is set aside above, "
                f"with its reason): the database was left as it was"
                + ("" if config.db_path().exists() else " (there is none yet)"),
                report,
            )
        known, report.coverage = letters_coverage(ordered)
        # Gold letters the corpus lacks, parsed once: they name the models and train them.
        extra = gold_letters_outside(ordered)
        if not retrain and _database_is_current(ordered, report, meta, known, extra):
            # Nothing new: keep the database file as it is, so the dashboard's caches (keyed on
            # the file) stay warm and a scheduled run costs a second.
            report.unchanged = True
            report.n_findings = sum(len(lt.findings) for lt in ordered)
            return report

        t1 = time.perf_counter()
        vectors, report.embedded = embed_cache.vectors(
            [f.text for lt in ordered for f in lt.findings]
        )
        report.seconds["embed"] = time.perf_counter() - t1

        t1 = time.perf_counter()
        extra_vectors, n = embed_cache.vectors([f.text for lt in extra for f in lt.findings])
        report.embedded += n
        model_info = classify.tag_corpus(
            ordered,
            vectors,
            retrain=retrain,
            tagged_by=meta.get("classifier_fingerprint", ""),
            extra=(extra, extra_vectors),
        )
        report.seconds["classify"] = time.perf_counter() - t1

        t2 = time.perf_counter()
        store.write(
            ordered,
            report.set_aside,
            {
                "parser_version": PARSER_VERSION,
                "letters": str(len(ordered)),
                "embedding_model": embed.MODEL_ID,
                "coverage": report.coverage,
                **model_info,
            },
            vectors=vectors,
            coverage=known,
        )
        report.seconds["store"] = time.perf_counter() - t2
        report.n_findings = sum(len(lt.findings) for lt in ordered)
    return report
