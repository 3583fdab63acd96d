"""The database: atomic swap, readers keep their view, a failed build loses nothing, one
build at a time."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

import config
from analysis import store
from analysis.letter import Finding, Letter, SetAside
from scrapers import rawstore

REPO = Path(__file__).resolve().parent.parent


def _counts_equal_the_join(conn, kind: str) -> list[tuple]:
    """The build's per-letter <kind>_counts rows, checked equal to the count over findings."""
    table, tags = {"agency": ("agency_counts", "finding_agencies"),
                   "topic": ("topic_counts", "finding_topics")}[kind]  # fmt: skip
    stored = [
        tuple(r) for r in conn.execute(f"SELECT letter_id, {kind}, label, findings FROM {table}")
    ]
    joined = [
        tuple(r)
        for r in conn.execute(
            f"SELECT f.letter_id, t.{kind}, f.label, COUNT(*) FROM findings f "
            f"JOIN {tags} t USING (finding_id) GROUP BY f.letter_id, t.{kind}, f.label"
        )
    ]
    assert sorted(stored) == sorted(joined)
    return stored


def _letter(n: int, n_findings: int = 3) -> Letter:
    lid = f"1000{n}-2024-01-0{n}"
    letter = Letter(
        letter_id=lid,
        urn=f"1000{n}",
        local_authority=f"Area {n}",
        la_code="",
        region="",
        published=f"2024-01-0{n}",
        letter_date="",
        fieldwork_start="",
        fieldwork_end="",
        theme="front_door",
        theme_phrase="",
        format="B",
        inspectorates="Ofsted",
        addressees="",
        n_strengths=1,
        n_improvements=2,
        n_priority_actions=0,
        source_url="",
        sha256=f"{n:064d}",
        pages=5,
        file_id=f"f{n}",
    )
    letter.findings = [
        Finding(
            finding_id=f"{lid}-{i:04d}",
            letter_id=lid,
            section="main_findings",
            subsection="",
            agency_section="",
            paragraph=1,
            kind="paragraph",
            sentence=i,
            page=2,
            position=i,
            text=f"Sentence {i}.",
            key=f"k{i}",
            label="strength",
            label_source="model",
            label_confidence=0.9,
            needs_review=False,
            agencies="police;health",
            topics="voice_of_child",
        )
        for i in range(1, n_findings + 1)
    ]
    return letter


def test_round_trip(data_dir: Path) -> None:
    letters = [_letter(1), _letter(2)]
    store.write(letters, [SetAside("x", "y", "", "not a JTAI letter")], {"k": "v"})
    back = store.read_letters()
    assert sorted(lt.letter_id for lt in back) == [lt.letter_id for lt in letters]
    assert back[0].findings == letters[0].findings
    meta = store.read_meta()
    assert meta["k"] == "v" and meta["schema_version"] == store.SCHEMA_VERSION
    conn = store.connect_readonly()
    assert conn.execute("SELECT count(*) FROM finding_agencies").fetchone()[0] == 12
    assert conn.execute("SELECT reason FROM set_aside").fetchone()[0] == "not a JTAI letter"


def test_planner_has_statistics_and_agency_joins_stay_in_the_index(data_dir: Path) -> None:
    store.write([_letter(1, 40), _letter(2, 40)], [], {})
    conn = store.connect_readonly()
    stats = {t for (t,) in conn.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}
    assert {"findings", "letters", "finding_agencies", "finding_topics"} <= stats
    plan = " ".join(
        row[3]
        for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT a.agency, f.label, l.theme, COUNT(*) FROM findings f "
            "JOIN letters l ON l.letter_id = f.letter_id JOIN finding_agencies a "
            "ON a.finding_id = f.finding_id GROUP BY a.agency, f.label, l.theme"
        )
    )
    assert "COVERING INDEX findings_cover" in plan


def test_agency_counts_are_the_findings_per_letter_agency_and_label(data_dir: Path) -> None:
    one, two = _letter(1, 4), _letter(2, 2)
    one.findings[0] = replace(one.findings[0], label="improvement", agencies="police")
    one.findings[1] = replace(one.findings[1], agencies="")
    store.write([one, two], [], {})
    conn = store.connect_readonly()
    stored = _counts_equal_the_join(conn, "agency")
    assert (one.letter_id, "police", "improvement", 1) in stored
    assert (one.letter_id, "police", "strength", 2) in stored  # findings 3 and 4
    assert (two.letter_id, "health", "strength", 2) in stored


def test_reader_keeps_its_view_across_a_swap(data_dir: Path) -> None:
    store.write([_letter(1)], [], {})
    reader = store.connect_readonly()
    store.write([_letter(1), _letter(2), _letter(3)], [], {})
    # the open connection still sees the old, complete corpus; a new one sees the new corpus
    assert reader.execute("SELECT count(*) FROM letters").fetchone()[0] == 1
    assert store.connect_readonly().execute("SELECT count(*) FROM letters").fetchone()[0] == 3


def test_failed_build_leaves_the_old_database_intact(data_dir: Path) -> None:
    store.write([_letter(1)], [], {})
    before = config.db_path().read_bytes()

    class Boom(Exception):
        pass

    bad = _letter(2)

    def explode():  # findings that blow up half-way through the insert
        yield bad.findings[0]
        raise Boom

    bad.findings = explode()  # type: ignore[assignment]
    with pytest.raises((Boom, TypeError)):
        store.write([_letter(1), bad], [], {})
    assert config.db_path().read_bytes() == before
    assert not list(config.data_dir().glob(".jtai.*"))  # no temporary file left behind


def _hold_lock(ready, release) -> None:  # runs in another process
    with store.build_lock():
        ready.set()
        release.wait(10)


def test_second_build_refuses_clearly(data_dir: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(ready, release))
    proc.start()
    try:
        assert ready.wait(10)
        with pytest.raises(store.BuildLocked, match="another build is running"), store.build_lock():
            pass
    finally:
        release.set()
        proc.join(10)
    with store.build_lock():  # free again once the first build is done
        pass


def test_database_is_not_writable_through_the_reader(data_dir: Path) -> None:
    store.write([_letter(1)], [], {})
    with pytest.raises(sqlite3.OperationalError):
        store.connect_readonly().execute("DELETE FROM letters")


# --- a real build process killed at random points ----------------------------------------

SAMPLE = ["80508-lewisham-2023-01-31.pdf", "80426-barnsley-2022-07-18.pdf"]
LATER = "80485-liverpool-2016-08-03.pdf"


def _build_cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "analysis", "build", *args],
        cwd=REPO,
        env=dict(os.environ),  # JTAI_DATA_DIR comes from the data_dir fixture
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _store_letters(letters_dir: Path, manifest: dict[str, dict[str, str]], names: list[str]):
    for name in names:
        record = rawstore.record_from_folder_manifest(manifest[name])
        rawstore.write_pdf(record.file_id, (letters_dir / name).read_bytes())
        rawstore.upsert(record)


def _snapshot() -> tuple[bytes, int]:
    conn = store.connect_readonly()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    n = conn.execute("SELECT count(*) FROM letters").fetchone()[0]
    conn.close()
    return config.db_path().read_bytes(), n


def test_build_killed_at_random_points_leaves_the_previous_database(
    data_dir: Path, letters_dir: Path, shared_manifest: dict[str, dict[str, str]]
) -> None:
    _store_letters(letters_dir, shared_manifest, SAMPLE)
    first = _build_cli()
    assert first.wait(120) == 0, first.stderr.read()
    before, n_before = _snapshot()
    assert n_before == len(SAMPLE)

    _store_letters(letters_dir, shared_manifest, [LATER])
    t = time.monotonic()
    full = _build_cli("--retrain")
    out, err = full.communicate(timeout=120)
    duration = time.monotonic() - t
    assert full.returncode == 0, err
    config.db_path().write_bytes(before)  # back to the old corpus for the kills below

    # Kill points spread over a whole build (parse, train, tag, write, swap), seeded. The
    # database must be the old one, or (killed after the swap) the new one, whole.
    kept_old = 0
    for seed in (1, 2, 3, 4):
        delay = random.Random(seed).uniform(0.05, duration)
        proc = _build_cli("--retrain")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        after, n_after = _snapshot()
        if after == before:
            kept_old += 1
            continue
        assert n_after == len(SAMPLE) + 1, f"seed {seed}, killed at {delay:.2f} s"
        config.db_path().write_bytes(before)
    assert kept_old >= 1  # at least one kill landed before the swap

    last = _build_cli()
    assert last.wait(120) == 0
    assert _snapshot()[1] == len(SAMPLE) + 1
    assert not list(config.data_dir().glob(".jtai.*"))  # leftovers of the kills cleared


def test_two_build_commands_at_once_second_refuses_or_waits(
    data_dir: Path, letters_dir: Path, shared_manifest: dict[str, dict[str, str]]
) -> None:
    _store_letters(letters_dir, shared_manifest, SAMPLE[:1])
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        refused = _build_cli()
        _, err = refused.communicate(timeout=60)
        assert refused.returncode == 3
        assert "another build is running" in err and "--wait" in err
        waiting = _build_cli("--wait")
        time.sleep(1.0)
        assert waiting.poll() is None  # still waiting for the lock
        release.set()
        out, err = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, err
        assert "letters: 1" in out
    finally:
        release.set()
        holder.join(10)


# --- a database that cannot be trusted, a folder that cannot be written ---------------------


def test_database_problem_names_what_sqlite_finds(data_dir: Path) -> None:
    path = config.db_path()
    assert store.database_problem(path) is None  # none yet: nothing wrong
    store.write([_letter(1, 200), _letter(2, 200)], [], {"parser_version": "t"})
    assert store.database_problem(path) is None
    whole = path.read_bytes()
    damaged = {
        b"": "no findings, letters, meta, set_aside tables",
        whole[: len(whole) // 2]: "malformed",
        b"\0" * 100 + whole[100:]: "file is not a database",
    }
    for data, problem in damaged.items():
        path.write_bytes(data)
        found = store.database_problem(path)
        assert found is not None and problem in found, found


def test_a_damaged_file_is_moved_aside_under_a_new_name_never_over_another(
    data_dir: Path,
) -> None:
    path = config.db_path()
    path.parent.mkdir(parents=True)
    moved = []
    for n in range(3):
        path.write_bytes(b"damaged %d" % n)
        moved.append(store.move_aside(path))
    assert not path.exists()
    assert [p.read_bytes() for p in moved] == [b"damaged 0", b"damaged 1", b"damaged 2"]
    assert all(p.name.startswith("jtai.sqlite.damaged-") for p in moved)


def test_check_writable_says_where_and_what_to_do(tmp_path: Path) -> None:
    store.check_writable(tmp_path / "new" / "folder")  # made, and writable
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(store.NotWritable, match=r"cannot write to .*a-file.*JTAI_DATA_DIR"):
        store.check_writable(blocker / "data")


def test_topic_counts_are_the_findings_per_letter_topic_and_label(data_dir: Path) -> None:
    one, two = _letter(1, 4), _letter(2, 2)
    one.findings[0] = replace(one.findings[0], label="improvement", topics="timeliness")
    one.findings[1] = replace(one.findings[1], topics="")
    one.findings[2] = replace(one.findings[2], topics="timeliness;voice_of_child")
    store.write([one, two], [], {})
    conn = store.connect_readonly()
    stored = _counts_equal_the_join(conn, "topic")
    assert (one.letter_id, "timeliness", "improvement", 1) in stored
    assert (one.letter_id, "voice_of_child", "strength", 2) in stored


def test_coverage_round_trip_and_an_older_database_has_none(data_dir: Path) -> None:
    from analysis.coverage import KnownLetter

    known = [
        KnownLetter("Liverpool", "80485", "2016-08-03", "L1"),
        KnownLetter("Croydon", "1", "2"),
    ]
    store.write([_letter(1)], [], {}, coverage=known)
    assert store.read_coverage() == known
    with sqlite3.connect(config.db_path()) as conn:
        conn.execute("DROP TABLE coverage")
    assert store.read_coverage() == []


def test_vectors_are_stored_one_block_per_letter_and_read_back(data_dir: Path) -> None:
    import numpy as np

    letters = [_letter(2, 3), _letter(1, 2)]
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.write(letters, [], {}, vectors=vectors)
    conn = store.connect_readonly()
    # One row per letter: the corpus's vectors are read in about a thousand blocks at x20, not
    # in 200,000 rows (seconds of a server's first search).
    assert conn.execute("SELECT COUNT(*) FROM letter_vectors").fetchone()[0] == 2
    ids, owners, got = store.read_vectors(conn)
    order = [f.finding_id for lt in letters for f in lt.findings]
    assert sorted(ids) == sorted(order) and got.dtype == np.float32
    assert owners == [i.rsplit("-", 1)[0] for i in ids]
    want = vectors[[order.index(i) for i in ids]]
    assert np.allclose(got, want, atol=2e-3)  # stored as float16
    with pytest.raises(ValueError, match="vectors for"):
        store.write(letters, [], {}, vectors=vectors[:4])


def _mixed_corpus() -> list[Letter]:
    """Letters on two themes whose findings differ in label, confidence, topics and agencies
    (a letter with no tag at all too), for the build's per-theme tables."""
    labels = ("strength", "improvement", "priority_action", "context")
    topics = ("timeliness", "voice_of_child", "timeliness;voice_of_child", "", "supervision")
    agencies = ("police", "health;police", "", "education")
    out = []
    for n in range(1, 7):
        lt = _letter(n, 7)
        lt.theme = "front_door" if n % 3 else "neglect"
        lt.findings = [
            replace(
                f,
                label=labels[(i + n) % 4],
                label_confidence=round(0.5 + ((i * 7 + n * 3) % 10) / 20, 2),
                topics=topics[(i + 2 * n) % 5] if n != 6 else "",
                agencies=agencies[(i + n) % 4] if n != 6 else "",
            )
            for i, f in enumerate(lt.findings)
        ]
        out.append(lt)
    return out


def test_theme_counts_are_recurring_letter_counts_of_each_theme(data_dir: Path) -> None:
    import pandas as pd

    from analysis import recurring

    letters = _mixed_corpus()
    store.write(letters, [], {})
    conn = store.connect_readonly()
    columns = ["code", *recurring.COUNT_COLUMNS, "letters", "weakness_sentences"]
    seen = 0
    for theme in ("front_door", "neglect"):
        ids = [lt.letter_id for lt in letters if lt.theme == theme]
        for dim in ("topic", "agency"):
            # The tags from the letters themselves, one row per sentence and tag.
            tags = pd.DataFrame(
                [
                    (f.letter_id, f.label, code)
                    for lt in letters
                    for f in lt.findings
                    for code in getattr(f, {"topic": "topics", "agency": "agencies"}[dim]).split(
                        ";"
                    )
                    if code and f.label != "context"
                ],
                columns=["letter_id", "label", "code"],
            )
            want = recurring.letter_counts(tags, ids)
            got = pd.DataFrame(
                conn.execute(
                    f"SELECT {', '.join(columns)} FROM theme_counts WHERE theme = ? AND dim = ? "
                    "ORDER BY rank",
                    (theme, dim),
                ).fetchall(),
                columns=columns,
            )
            assert got.to_dict("records") == want.to_dict("records"), (theme, dim)
            seen += len(got)
    assert seen > 8


def test_example_candidates_are_each_themes_surest_sentences_per_topic(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analysis import brief, recurring

    monkeypatch.setattr(brief, "EXAMPLE_CANDIDATES", 3)
    letters = _mixed_corpus()
    store.write(letters, [], {})
    conn = store.connect_readonly()
    stored = conn.execute(
        "SELECT theme, kind, topic, rank, finding_id FROM example_candidates "
        "ORDER BY theme, kind, topic, rank"
    ).fetchall()
    want = []
    for theme in ("front_door", "neglect"):
        for kind in sorted(brief.EXAMPLE_KINDS):
            for topic in ("supervision", "timeliness", "voice_of_child"):
                pool = [
                    (lt, f)
                    for lt in letters
                    if lt.theme == theme
                    for f in lt.findings
                    if f.label in recurring.KINDS[kind] and topic in f.topics.split(";")
                ]
                # Surest first, then the most recent letter, then reading order.
                pool.sort(key=lambda p: (p[0].letter_id, p[1].position))
                pool.sort(key=lambda p: p[0].published, reverse=True)
                pool.sort(key=lambda p: p[1].label_confidence, reverse=True)
                want += [
                    (theme, kind, topic, rank, f.finding_id)
                    for rank, (_, f) in enumerate(pool[:3], start=1)
                ]
    assert [tuple(r) for r in stored] == want
    assert len({r[:3] for r in want}) > 6 and any(r[3] == 3 for r in want)
