"""The embedded database: SQLite, rebuilt whole into a temporary file and swapped in atomically.

Why a swap rather than updates in place: a reader (the dashboard) keeps the file it opened and
so sees the old corpus, complete, until it reopens; a build that dies leaves the old file as it
was; the new file is written with no journal left beside it, so readers can open it immutable
(no locks, no -wal/-shm files, any number of processes). A lock file keeps two builds apart.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

import config
from analysis import brief, recurring
from analysis.coverage import KnownLetter
from analysis.embed import DIM
from analysis.letter import Finding, Letter, SetAside

# A build whose database has another version rewrites it; the dashboard asks for a rebuild.
SCHEMA_VERSION = "5"

LETTER_COLUMNS = [f.name for f in fields(Letter) if f.name != "findings"]
FINDING_COLUMNS = [f.name for f in fields(Finding)]
# Per tag dimension: the build's per-letter counts table and its tag column.
COUNTS_TABLES = {"topic": ("topic_counts", "topic"), "agency": ("agency_counts", "agency")}
THEME_COUNT_COLUMNS = [
    "theme", "dim", "rank", "code", *recurring.COUNT_COLUMNS, "letters", "weakness_sentences"
]  # fmt: skip

SCHEMA = """
CREATE TABLE letters (
    letter_id TEXT PRIMARY KEY,
    urn TEXT NOT NULL,
    local_authority TEXT NOT NULL,
    la_code TEXT NOT NULL,          -- DfE LA code (e.g. 341)
    ons_code TEXT NOT NULL,         -- ONS code (e.g. E08000012)
    region TEXT NOT NULL,
    published TEXT NOT NULL,        -- ISO dates throughout
    letter_date TEXT NOT NULL,
    fieldwork_start TEXT NOT NULL,
    fieldwork_end TEXT NOT NULL,
    theme TEXT NOT NULL,
    theme_phrase TEXT NOT NULL,
    format TEXT NOT NULL,
    inspectorates TEXT NOT NULL,    -- ;-separated
    addressees TEXT NOT NULL,       -- ;-separated
    n_strengths INTEGER NOT NULL,
    n_improvements INTEGER NOT NULL,
    n_priority_actions INTEGER NOT NULL,
    source_url TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    pages INTEGER NOT NULL,
    file_id TEXT NOT NULL
);
CREATE TABLE findings (
    finding_id TEXT PRIMARY KEY,
    letter_id TEXT NOT NULL REFERENCES letters(letter_id),
    section TEXT NOT NULL,
    subsection TEXT NOT NULL,
    agency_section TEXT NOT NULL,
    paragraph INTEGER NOT NULL,
    kind TEXT NOT NULL,
    sentence INTEGER NOT NULL,
    page INTEGER NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    label_source TEXT NOT NULL,
    label_confidence REAL NOT NULL,
    needs_review INTEGER NOT NULL,
    agencies TEXT NOT NULL,
    topics TEXT NOT NULL
);
CREATE INDEX findings_letter ON findings(letter_id, position);
CREATE INDEX findings_label ON findings(label);
-- Joins from the agency and topic tables reach a finding's letter and label in the index alone.
CREATE INDEX findings_cover ON findings(finding_id, letter_id, label);
-- One row per (finding, agency) and (finding, topic): filters become plain joins.
CREATE TABLE finding_agencies (finding_id TEXT NOT NULL, agency TEXT NOT NULL);
CREATE TABLE finding_topics (finding_id TEXT NOT NULL, topic TEXT NOT NULL);
CREATE INDEX finding_agencies_idx ON finding_agencies(agency, finding_id);
CREATE INDEX finding_topics_idx ON finding_topics(topic, finding_id);
-- Per letter, agency and label: how many findings. The Agencies page's counts come from here
-- (some thousands of rows) instead of joining every finding to its agencies on each view.
CREATE TABLE agency_counts (
    letter_id TEXT NOT NULL, agency TEXT NOT NULL, label TEXT NOT NULL, findings INTEGER NOT NULL
);
-- Per letter, topic and label: how many findings. Recurring findings and the brief count
-- letters per topic from here instead of joining every topic row to its finding on each view.
CREATE TABLE topic_counts (
    letter_id TEXT NOT NULL, topic TEXT NOT NULL, label TEXT NOT NULL, findings INTEGER NOT NULL
);
-- Per theme, dimension ('topic' or 'agency') and code: in how many of the theme's letters
-- inspectors recorded a weakness, a strength and a priority action on it, as
-- analysis.recurring.letter_counts counts them (rank: its order). The pre-inspection brief
-- reads its theme's few rows instead of counting every letter's tags on its first view.
CREATE TABLE theme_counts (
    theme TEXT NOT NULL, dim TEXT NOT NULL, rank INTEGER NOT NULL, code TEXT NOT NULL,
    weakness_letters INTEGER NOT NULL, strength_letters INTEGER NOT NULL,
    priority_action_letters INTEGER NOT NULL, letters INTEGER NOT NULL,
    weakness_sentences INTEGER NOT NULL,
    PRIMARY KEY (theme, dim, rank)
) WITHOUT ROWID;
-- Per theme, kind (analysis.brief.EXAMPLE_KINDS) and topic: the sentences the brief picks its
-- two examples from, those that read alone first (analysis.brief.stands_alone), then the
-- classifier's surest (then the most recent letter, then reading order), at most
-- analysis.brief.EXAMPLE_CANDIDATES. Ranked on a view, they read every tagged
-- sentence of the theme (a quarter of a second at x20).
CREATE TABLE example_candidates (
    theme TEXT NOT NULL, kind TEXT NOT NULL, topic TEXT NOT NULL, rank INTEGER NOT NULL,
    finding_id TEXT NOT NULL,
    PRIMARY KEY (theme, kind, topic, rank)
) WITHOUT ROWID;
-- Each letter's sentence vectors (analysis.embed; float16, unit length) as one block, a row
-- per finding id (space-separated, in the block's order): similar findings and search by
-- meaning read these instead of running the model on the whole corpus. A block per letter,
-- not a row per finding: the x20 corpus is read in 1,040 rows, not 198,300 (seconds).
CREATE TABLE letter_vectors (
    letter_id TEXT PRIMARY KEY, finding_ids TEXT NOT NULL, vectors BLOB NOT NULL
);
CREATE TABLE set_aside (
    file_id TEXT NOT NULL, sha256 TEXT NOT NULL, source_url TEXT NOT NULL, reason TEXT NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- The JTAIs known to have been published (reference/known_jtai_letters.csv), each with the
-- corpus's letter for it, '' when the corpus lacks it: what the figures cover.
CREATE TABLE coverage (
    area TEXT NOT NULL, urn TEXT NOT NULL, published TEXT NOT NULL, letter_id TEXT NOT NULL
);
"""


class BuildLocked(RuntimeError):
    """Another build holds the lock on this data directory."""


class NotWritable(RuntimeError):
    """The build cannot write where its database goes: said before any work is done."""


# Without these a file is not this tool's database, whatever SQLite makes of it.
REQUIRED_TABLES = frozenset({"letters", "findings", "set_aside", "meta"})


def check_writable(folder: Path) -> None:
    """Raise NotWritable unless a file can be created (and removed) in ``folder``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".jtai.", suffix=".probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise NotWritable(
            f"cannot write to {folder} ({exc.strerror or exc}): the build writes its database "
            "there. Make the folder writable, or set JTAI_DATA_DIR to one that is."
        ) from exc


def database_problem(path: Path | None = None) -> str | None:
    """Why the database file cannot be trusted (SQLite's own words), or None when it is
    sound or absent. SQLite's quick_check reads every page, so a file cut short or garbled
    anywhere is caught here, not halfway through a build or a page."""
    path = path or config.db_path()
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            checks = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    if checks != ["ok"]:
        return "; ".join(checks)
    missing = sorted(REQUIRED_TABLES - tables)
    if missing:
        return f"no {', '.join(missing)} table{'s' if len(missing) > 1 else ''}"
    return None


def move_aside(path: Path, suffix: str = "damaged") -> Path:
    """Rename the file out of the way (never delete it: it may be wanted for a post-mortem)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{suffix}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{suffix}-{stamp}-{n}")
    os.replace(path, target)
    return target


@contextmanager
def build_lock(wait: bool = False) -> Iterator[None]:
    path = config.build_lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            raise BuildLocked(
                f"another build is running on {config.data_dir()} (lock {path}); "
                "wait for it to finish, or pass --wait"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def remove_leftovers(path: Path | None = None) -> int:
    """Delete the temporary files of builds that were killed before their swap; returns how
    many. Call under the build lock only: otherwise they may be a running build's."""
    path = path or config.db_path()
    leftovers = list(path.parent.glob(".jtai.*.sqlite.part"))
    for p in leftovers:
        p.unlink(missing_ok=True)
    return len(leftovers)


def _insert(conn: sqlite3.Connection, table: str, columns: list[str], rows: Iterable) -> None:
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    conn.executemany(sql, rows)


def write(
    letters: list[Letter],
    set_aside: list[SetAside],
    meta: dict[str, str],
    path: Path | None = None,
    vectors: np.ndarray | None = None,
    coverage: Iterable[KnownLetter] = (),
) -> Path:
    """Write a complete new database and swap it in; the old one stays until the swap.

    ``vectors``: one row per finding, in the order of the letters' findings.
    """
    path = path or config.db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".jtai.", suffix=".sqlite.part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=OFF")  # a failed build throws the file away
            conn.execute("PRAGMA synchronous=OFF")
            conn.executescript(SCHEMA)
            with conn:
                _insert(
                    conn,
                    "letters",
                    LETTER_COLUMNS,
                    ([getattr(lt, c) for c in LETTER_COLUMNS] for lt in letters),
                )
                all_findings = [f for lt in letters for f in lt.findings]
                _insert(
                    conn,
                    "findings",
                    FINDING_COLUMNS,
                    ([getattr(f, c) for c in FINDING_COLUMNS] for f in all_findings),
                )
                _insert(
                    conn,
                    "finding_agencies",
                    ["finding_id", "agency"],
                    ((f.finding_id, a) for f in all_findings for a in f.agencies.split(";") if a),
                )
                _insert(
                    conn,
                    "finding_topics",
                    ["finding_id", "topic"],
                    ((f.finding_id, t) for f in all_findings for t in f.topics.split(";") if t),
                )
                if vectors is not None:
                    if len(vectors) != len(all_findings):
                        raise ValueError(f"{len(vectors)} vectors for {len(all_findings)} findings")
                    _insert(
                        conn, "letter_vectors", ["letter_id", "finding_ids", "vectors"], (
                            (lt.letter_id, " ".join(f.finding_id for f in lt.findings), block)
                            for lt, block in zip(letters, _blocks(letters, vectors), strict=True)
                            if lt.findings
                        ),
                    )  # fmt: skip
                _insert(
                    conn,
                    "set_aside",
                    ["file_id", "sha256", "source_url", "reason"],
                    ((s.file_id, s.sha256, s.source_url, s.reason) for s in set_aside),
                )
                _insert(
                    conn,
                    "coverage",
                    ["area", "urn", "published", "letter_id"],
                    ((k.area, k.urn, k.published, k.letter_id) for k in coverage),
                )
                stamp = {
                    "schema_version": SCHEMA_VERSION,
                    "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    **meta,
                }
                _insert(conn, "meta", ["key", "value"], stamp.items())
                # Derived from the rows just written, so it cannot disagree with them.
                conn.execute(
                    "INSERT INTO agency_counts SELECT f.letter_id, a.agency, f.label, COUNT(*) "
                    "FROM findings f JOIN finding_agencies a ON a.finding_id = f.finding_id "
                    "GROUP BY f.letter_id, a.agency, f.label"
                )
                conn.execute(
                    "INSERT INTO topic_counts SELECT f.letter_id, t.topic, f.label, COUNT(*) "
                    "FROM findings f JOIN finding_topics t ON t.finding_id = f.finding_id "
                    "GROUP BY f.letter_id, t.topic, f.label"
                )
                _insert(conn, "theme_counts", THEME_COUNT_COLUMNS, _theme_counts(conn))
                _write_example_candidates(conn)
            # Table statistics for the query planner: without them it scans findings for
            # counts an index answers (the dashboard's first views take twice as long).
            conn.execute("ANALYZE")
        finally:
            conn.close()
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def letter_tags_sql(dim: str, where: str = "") -> str:
    """Per letter, label and topic (or agency, ``dim``): how many of its sentences of a
    counted label (analysis.recurring.KINDS) carry the tag, as columns letter_id, label, code,
    sentences (the ``tags`` of analysis.recurring). ``where``: "" or " WHERE ..." on the
    letters ``l`` (app_pages.data.letters_where)."""
    table, column = COUNTS_TABLES[dim]
    labels = ", ".join(
        f"'{x}'" for x in dict.fromkeys(x for k in recurring.KINDS.values() for x in k)
    )
    return (
        f"SELECT c.letter_id, c.label, c.{column} AS code, SUM(c.findings) AS sentences "
        f"FROM {table} c JOIN letters l ON l.letter_id = c.letter_id"
        + (where + " AND " if where else " WHERE ")
        + f"c.label IN ({labels}) GROUP BY c.letter_id, c.label, c.{column}"
    )


def _theme_counts(conn: sqlite3.Connection) -> list[tuple]:
    """The rows of theme_counts, from the per-letter counts just written."""
    themes: dict[str, list[str]] = {}
    theme_of: dict[str, str] = {}
    for letter_id, theme in conn.execute("SELECT letter_id, theme FROM letters"):
        themes.setdefault(theme, []).append(letter_id)
        theme_of[letter_id] = theme
    rows: list[tuple] = []
    for dim in COUNTS_TABLES:
        cur = conn.execute(letter_tags_sql(dim))
        tags = pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])
        # Each theme counts its own rows only (not every row of the corpus again).
        by_theme = dict(list(tags.groupby(tags["letter_id"].map(theme_of), sort=False)))
        for theme, ids in sorted(themes.items()):
            counts = recurring.letter_counts(by_theme.get(theme, tags.iloc[:0]), ids)
            rows += [
                (theme, dim, rank, r[0], *(int(v) for v in r[1:]))
                for rank, r in enumerate(
                    counts[THEME_COUNT_COLUMNS[3:]].itertuples(index=False, name=None), start=1
                )
            ]
    return rows


def _write_example_candidates(conn: sqlite3.Connection) -> None:
    """example_candidates, from the findings, letters and topics just written, ranked as the
    brief ranks its examples (brief.examples): sentences that stand alone first."""
    conn.create_function("stands_alone", 1, brief.stands_alone, deterministic=True)
    for kind in brief.EXAMPLE_KINDS:
        labels = recurring.KINDS[kind]
        conn.execute(
            "INSERT INTO example_candidates (theme, kind, topic, rank, finding_id) "
            "SELECT theme, ?, topic, rank, finding_id FROM (SELECT l.theme, t.topic, "
            "f.finding_id, ROW_NUMBER() OVER (PARTITION BY l.theme, t.topic ORDER BY "
            "stands_alone(f.text) DESC, f.label_confidence DESC, l.published DESC, "
            "l.letter_id, f.position) AS rank "
            # Each topic row looks up its finding and letter by key: written before ANALYZE,
            # the planner would otherwise scan the topic rows once per finding (seconds).
            "FROM finding_topics t CROSS JOIN findings f ON f.finding_id = t.finding_id "
            "CROSS JOIN letters l ON l.letter_id = f.letter_id "
            f"WHERE f.label IN ({', '.join('?' * len(labels))})) WHERE rank <= ?",
            (kind, *labels, brief.EXAMPLE_CANDIDATES),
        )


def _blocks(letters: list[Letter], vectors: np.ndarray) -> Iterator[bytes]:
    """Each letter's rows of ``vectors`` (the letters' findings in order) as float16 bytes."""
    start = 0
    for lt in letters:
        end = start + len(lt.findings)
        yield vectors[start:end].astype(np.float16).tobytes()
        start = end


def connect_readonly(path: Path | None = None) -> sqlite3.Connection:
    """A read-only connection. ``immutable=1`` is safe because a database file is never
    modified after its swap-in, only replaced; it also means readers take no locks."""
    path = path or config.db_path()
    if not path.exists():
        raise FileNotFoundError(path)
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def read_letters(path: Path | None = None) -> list[Letter]:
    """Letters with their findings, as stored (used to skip re-parsing unchanged PDFs)."""
    path = path or config.db_path()
    if not path.exists():
        return []
    conn = connect_readonly(path)
    try:
        letters = {
            r["letter_id"]: Letter(**{c: r[c] for c in LETTER_COLUMNS})
            for r in conn.execute("SELECT * FROM letters")
        }
        for r in conn.execute("SELECT * FROM findings ORDER BY letter_id, position"):
            values = {c: r[c] for c in FINDING_COLUMNS}
            values["needs_review"] = bool(values["needs_review"])
            letters[r["letter_id"]].findings.append(Finding(**values))
        return list(letters.values())
    finally:
        conn.close()


def read_meta(path: Path | None = None) -> dict[str, str]:
    path = path or config.db_path()
    if not path.exists():
        return {}
    conn = connect_readonly(path)
    try:
        return {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM meta")}
    finally:
        conn.close()


def read_vectors(conn: sqlite3.Connection) -> tuple[list[str], list[str], np.ndarray]:
    """(finding ids, each one's letter id, their float32 unit vectors), letter by letter.

    Each float16 block is converted into its rows of one float32 matrix (numpy multiplies
    float32 with BLAS), so the corpus is never held twice as float32."""
    rows = conn.execute(
        "SELECT letter_id, finding_ids, vectors FROM letter_vectors ORDER BY letter_id"
    ).fetchall()
    ids_of = [joined.split() for _, joined, _ in rows]
    matrix = np.empty((sum(map(len, ids_of)), DIM), dtype=np.float32)
    ids: list[str] = []
    letters: list[str] = []
    for (letter_id, _, blob), fids in zip(rows, ids_of, strict=True):
        if len(blob) != len(fids) * DIM * 2:
            raise ValueError(
                f"the vectors of letter {letter_id} are {len(blob)} bytes, not {len(fids)} "
                f"float16 vectors of {DIM}"
            )
        matrix[len(ids) : len(ids) + len(fids)] = np.frombuffer(blob, np.float16).reshape(-1, DIM)
        ids.extend(fids)
        letters.extend([letter_id] * len(fids))
    return ids, letters, matrix


def read_set_aside(path: Path | None = None) -> list[SetAside]:
    path = path or config.db_path()
    if not path.exists():
        return []
    conn = connect_readonly(path)
    try:
        rows = conn.execute("SELECT file_id, sha256, source_url, reason FROM set_aside")
        return [SetAside(*r) for r in rows]
    finally:
        conn.close()


def read_coverage(path: Path | None = None) -> list[KnownLetter]:
    """The coverage rows as stored; [] when there are none (or no such table: an older
    database, which the build then rewrites)."""
    path = path or config.db_path()
    if not path.exists():
        return []
    conn = connect_readonly(path)
    try:
        rows = conn.execute("SELECT area, urn, published, letter_id FROM coverage").fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()
    return [KnownLetter(*r) for r in rows]
