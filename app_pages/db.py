"""The corpus database for the pages: one shared read-only connection, cached query results
keyed on the file's signature, and the empty-state notices when there is no usable database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

import config
from analysis import store
from app_pages import data
from app_pages.state import Filters, Vocab, md_escape

_LOCK = threading.Lock()  # one sqlite connection is shared by all sessions' threads

Sig = tuple[str, int, int]


class DatabaseSwapped(RuntimeError):
    """A rebuild swapped the file in between reading its signature and opening it."""


@st.cache_resource(max_entries=4, show_spinner=False)
def _connection(sig: Sig):  # noqa: ANN202
    # Keyed on (path, mtime, inode): a rebuilt database is a new key, so it is opened anew
    # and the old connection falls out of the cache. The path may already name a newer file
    # than ``sig`` (a rebuild in between): a connection cached under ``sig`` must be to the
    # file ``sig`` names, or one page could mix two corpora's numbers.
    conn = store.connect_readonly(Path(sig[0]))
    conn.execute("SELECT 1 FROM meta LIMIT 1").fetchall()  # the file is open from here on
    if data.db_signature(Path(sig[0])) != sig:
        conn.close()
        raise DatabaseSwapped(sig[0])
    return conn


@st.cache_data(max_entries=512, show_spinner=False)
def query(sig: Sig, sql: str, params: tuple = ()) -> pd.DataFrame:
    with _LOCK:
        return data.read_df(_connection(sig), sql, params)


def run(sig: Sig, fn: Callable, *args: object) -> object:
    """Run a data.* function on the shared connection (callers cache the result)."""
    with _LOCK:
        return fn(_connection(sig), *args)


@st.cache_data(max_entries=128, show_spinner=False)
def compare_counts(sig: Sig, filters: Filters, topic: str) -> pd.DataFrame:
    return run(sig, data.compare_counts, filters, topic)  # type: ignore[return-value]


@st.cache_data(max_entries=4, show_spinner=False)
def vocab(sig: Sig) -> Vocab:
    return run(sig, data.vocab_from)  # type: ignore[return-value]


@st.cache_data(max_entries=4, show_spinner=False)
def meta(sig: Sig) -> dict[str, str]:
    df = query(sig, "SELECT key, value FROM meta")
    return dict(zip(df["key"], df["value"], strict=False))


@st.cache_data(max_entries=4, show_spinner=False)
def corpus_span(sig: Sig) -> dict[str, object]:
    df = query(
        sig,
        "SELECT COUNT(*) AS letters, COUNT(DISTINCT urn) AS areas, "
        "MIN(published) AS first, MAX(published) AS last FROM letters",
    )
    n = query(sig, "SELECT COUNT(*) AS n FROM findings")
    return {**df.iloc[0].to_dict(), "findings": int(n.iloc[0]["n"])}


@st.cache_data(max_entries=4, show_spinner=False)
def damage(sig: Sig) -> str | None:
    """Why the database file cannot be read (checked once per file), or None."""
    return store.database_problem(Path(sig[0]))


def database() -> Sig:
    """The current database's signature (its connection open), or an explanation and stop
    when there is none. The notices name no server path: a reader is not its operator."""
    for _ in range(5):  # a rebuild swaps once in seconds: a retry or two settles it
        sig = data.db_signature(config.db_path())
        if sig is None:
            break
        if damage(sig) is not None:
            st.error(
                "The database is damaged and cannot be read. Run `python -m analysis build`: "
                "it moves the damaged file aside and rebuilds the corpus from the letters "
                "already fetched. Then reload this page."
            )
            st.stop()
        try:
            with _LOCK:
                _connection(sig)
            break
        except DatabaseSwapped:
            continue
    else:
        st.info("The corpus is being rebuilt right now: reload this page in a moment.")
        st.stop()
    if sig is None:
        st.info(
            "No corpus yet: the dashboard's data directory holds no database. Build it with "
            "`make run`, or `python -m scrapers ingest LETTERS_DIR && python -m analysis build` "
            "(set `JTAI_DATA_DIR` to use another data directory), then reload this page."
        )
        st.stop()
    version = meta(sig).get("schema_version")  # type: ignore[arg-type]
    if version != store.SCHEMA_VERSION:
        st.info(
            "The database was built by another version of this tool "
            f"(its schema is {md_escape(str(version))}, this dashboard reads "
            f"{store.SCHEMA_VERSION}). Rebuild it with `python -m analysis build` (or "
            "`make run`), then reload this page."
        )
        st.stop()
    return sig  # type: ignore[return-value]


def findings(sig: Sig, filters: Filters, limit: int) -> tuple[pd.DataFrame, int]:
    """The first ``limit`` findings matching ``filters`` and how many match in all. A page
    draws only the first ones; reading every row of a broad selection (thousands of
    sentences) would cost its first reader a fraction of a second for nothing."""
    sql, params = data.findings_sql(filters, limit=limit, with_total=True)
    head = query(sig, sql, tuple(params))
    total = int(head["matching"].iloc[0]) if len(head) else 0
    return head.drop(columns="matching"), total
