"""Streamlit glue for search by meaning: the corpus's sentence vectors (loaded once per build of
the database), a phrase's vector (embedded once per phrase) and which findings are close to it.
The arithmetic is analysis.similarity; the model is analysis.embed."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from analysis import similarity, store
from app_pages import common, data
from app_pages.state import Filters

Sig = common.Sig
CANDIDATES = 400  # nearest findings read before the page's filters; all of them if too few pass


# The vectors of the database builds in use (a rebuild adds one; older ones are dropped), and
# the loads under way. Loaded on their own connection and thread: at x20 a load takes seconds,
# which neither the pages' shared connection nor a reader waiting for a page should pay.
_READY: dict[Sig, similarity.Vectors | None] = {}
_LOADING: dict[Sig, threading.Thread] = {}
_GUARD = threading.Lock()
KEEP = 2


def _load(sig: Sig) -> None:
    vec: similarity.Vectors | None = None
    try:
        conn = store.connect_readonly(Path(sig[0]))
        try:
            # The path may already name a newer build than ``sig``: never keep its vectors
            # under the old key.
            if data.db_signature(Path(sig[0])) == sig and similarity.has_vectors(conn):
                vec = similarity.load(conn)
                vec.row("")  # the index of finding ids, made once here
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        vec = None
    with _GUARD:
        _READY[sig] = vec
        _LOADING.pop(sig, None)
        for old in list(_READY)[:-KEEP]:
            _READY.pop(old, None)
    if vec is not None:
        _load_model()


def _load_model() -> None:
    """The embedding model, loaded and run once per server (about a second; the model loads
    on its first use): the first search by meaning embeds its phrase at once."""
    from analysis import embed

    try:
        embed.encode(["return home interviews"])
    except Exception:  # noqa: BLE001 - the search loads it again and shows what went wrong
        return


def warm_up(sig: Sig) -> None:
    """Start loading this build's vectors, then the model, in the background (app.py calls it
    on every page, so the first search or /similar after a start finds them loaded)."""
    with _GUARD:
        if sig in _READY or sig in _LOADING:
            return
        thread = threading.Thread(target=_load, args=(sig,), daemon=True, name="jtai-vectors")
        _LOADING[sig] = thread
        thread.start()


def vectors(sig: Sig) -> similarity.Vectors | None:
    """The stored vectors of this database, or None when it has none (built before them)."""
    warm_up(sig)
    with _GUARD:
        if sig in _READY:
            return _READY[sig]
        thread = _LOADING.get(sig)
    if thread is not None:
        thread.join()
    with _GUARD:
        return _READY.get(sig)


@st.cache_data(max_entries=256, show_spinner=False)
def phrase_vector(text: str) -> np.ndarray:
    from analysis import embed  # the model loads on the first search, not with every page

    return embed.encode([text])[0]


@st.cache_data(max_entries=256, show_spinner=False)
def close_to(sig: Sig, text: str, threshold: float) -> tuple[str, ...]:
    """Ids of the findings whose cosine with the phrase is at least ``threshold``, closest
    first."""
    vec = vectors(sig)
    if vec is None:
        return ()
    sims = similarity.scores(vec.matrix, phrase_vector(text))
    return tuple(vec.ids[i] for i in similarity.above(sims, threshold))


def unavailable() -> None:
    st.warning(
        "Search by meaning needs the sentence vectors, which this database does not have "
        "(it was built before them): rebuild it with `python -m analysis build`. Matching "
        "by words meanwhile."
    )


def resolve(sig: Sig, filters: Filters) -> tuple[Filters, int | None]:
    """``filters`` with the ids close in meaning to its phrase filled in when it asks to match
    by meaning, and how many there are (None when it does not or cannot)."""
    if filters.match != "meaning" or not filters.q:
        return filters, None
    if vectors(sig) is None:
        unavailable()
        return filters.with_(match="words"), None
    ids = close_to(sig, filters.q, similarity.MEANING_THRESHOLD)
    return filters.with_(meaning_ids=json.dumps(list(ids))), len(ids)


def threshold_note() -> str:
    return (
        "a sentence matches when it contains the words, or when its meaning is close to the "
        f"phrase's (cosine similarity of their sentence embeddings at least "
        f"{similarity.MEANING_THRESHOLD:g}; model all-MiniLM-L6-v2, run offline); sentences "
        "are listed closest in meaning first, then those that only contain the words"
    )


def similar_rows(sig: Sig, finding_id: str, filters: Filters, k: int) -> pd.DataFrame:
    """The ``k`` findings in other letters closest to ``finding_id`` that pass ``filters``,
    closest first, with a ``similarity`` column."""
    vec = vectors(sig)
    if vec is None or vec.row(finding_id) is None:
        return pd.DataFrame()
    i = vec.row(finding_id)
    sims = similarity.scores(vec.matrix, vec.matrix[i])
    other = vec.other_letters(i)
    where, params = data.where_clause(filters)
    base = data.FINDING_COLUMNS + data.FINDING_FROM + (where + " AND " if where else " WHERE ")
    nearest = [vec.ids[j] for j in similarity.top_k(sims, CANDIDATES, other)]
    in_nearest = "f.finding_id IN (SELECT value FROM json_each(?))"
    rows = common.query(sig, base + in_nearest, (*params, json.dumps(nearest)))
    if len(rows) < k and len(nearest) < int(other.sum()):
        # Too few of the nearest pass the filters: every finding of the other letters that does
        # (the filters, not a list of every id, say which).
        rows = common.query(
            sig,
            base + "f.letter_id != (SELECT letter_id FROM findings WHERE finding_id = ?)",
            (*params, finding_id),
        )
    at = rows["finding_id"].map(vec.row)
    rows = rows[at.notna()]
    rows = rows.assign(similarity=[round(float(sims[int(j)]), 3) for j in at.dropna()])
    return rows.sort_values(["similarity", "finding_id"], ascending=[False, True]).head(k)
