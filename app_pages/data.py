"""Data access for the dashboard: filters -> parameterised SQL, and small pure helpers.

No Streamlit here (caching lives in app_pages.common) so every function can be tested on a
plain sqlite3 connection. Values only ever reach SQL as ``?`` parameters; the only text
joined into SQL is placeholders and fixed column names chosen in this module.
"""

from __future__ import annotations

import io
import json
import math
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

import config
from analysis import export as export_mod
from analysis import reference, store
from app_pages import names
from app_pages.state import Filters, Vocab

# Okabe-Ito: distinguishable with the common colour-vision deficiencies. One mapping, used by
# every page, so "strength" is the same blue everywhere.
LABEL_COLOURS = {
    "strength": "#0072B2",
    "improvement": "#E69F00",
    "priority_action": "#D55E00",
    "context": "#999999",
    "unlabelled": "#CCCCCC",
    "all findings": "#555555",
}
LABEL_ORDER = ["strength", "improvement", "priority_action", "context", "unlabelled"]
# Themes need more colours than Okabe-Ito has: its 7 first, then darker/lighter variants.
THEME_PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#004C7A",
    "#A36F00",
    "#006B4F",
    "#8C4F73",
    "#2B7DA8",
    "#8F3F00",
    "#777777",
]


def label_name(label: str) -> str:
    """The name a reader sees for a label code ("" is unlabelled)."""
    return names.label_name(label)


def db_signature(path: Path) -> tuple[str, int, int] | None:
    """What identifies one build of the database: a rebuild swaps in a new file (new inode,
    new mtime), so caches keyed on this pick up a new corpus without a restart."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (str(path), st.st_mtime_ns, st.st_ino)


# ---------------------------------------------------------------- filters -> SQL

FINDING_COLUMNS = """
SELECT f.finding_id, l.letter_id, l.urn, l.local_authority, l.region, l.theme, l.published,
       f.section, f.subsection, f.page, f.position, f.label, f.label_confidence,
       f.agencies, f.topics, f.text, l.source_url, l.file_id"""
FINDING_FROM = "\nFROM findings f JOIN letters l ON l.letter_id = f.letter_id\n"


def _in(column: str, values: tuple[str, ...]) -> tuple[str, list[str]]:
    return f"{column} IN ({', '.join('?' * len(values))})", list(values)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` literally (its % and _ escaped with \\)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where_clause(filters: Filters) -> tuple[str, list[object]]:
    """WHERE for findings ``f`` joined to letters ``l``; every value a ``?`` parameter."""
    clauses: list[str] = []
    params: list[object] = []

    def add(clause: str, values: list) -> None:
        clauses.append(clause)
        params.extend(values)

    if filters.theme:
        add(*_in("l.theme", filters.theme))
    if filters.la:
        add(*_in("l.urn", filters.la))
    if filters.region:
        add(*_in("l.region", filters.region))
    if filters.label:
        add(*_in("f.label", filters.label))
    if filters.agency:
        c, v = _in("a.agency", filters.agency)
        add(
            f"EXISTS (SELECT 1 FROM finding_agencies a WHERE a.finding_id = f.finding_id AND {c})",
            v,
        )
    if filters.topic:
        c, v = _in("t.topic", filters.topic)
        add(f"EXISTS (SELECT 1 FROM finding_topics t WHERE t.finding_id = f.finding_id AND {c})", v)
    if filters.q:
        add(*text_match(filters))
    if filters.date_from:
        add("l.published >= ?", [filters.date_from.isoformat()])
    if filters.date_to:
        add("l.published <= ?", [filters.date_to.isoformat()])
    if filters.min_confidence is not None:
        add("f.label_confidence >= ?", [filters.min_confidence])
    if filters.exclude_review:
        add("f.needs_review = 0", [])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def text_match(filters: Filters) -> tuple[str, list[object]]:
    """The condition for ``q``: its words in the sentence, or (match=meaning) also the
    sentence among those close to it in meaning (``filters.meaning_ids``, a JSON list)."""
    words = "f.text LIKE ? ESCAPE '\\'"
    if filters.match == "meaning" and filters.meaning_ids:
        return (
            f"({words} OR f.finding_id IN (SELECT value FROM json_each(?)))",
            [like_pattern(filters.q), filters.meaning_ids],
        )
    return words, [like_pattern(filters.q)]


def agency_counts_sql(filters: Filters) -> tuple[str, list[object]]:
    """Findings per agency, label, theme and year of publication, from the build's
    per-letter counts; an agency or label filter keeps only those agencies or labels."""
    where, params = letters_where(filters)
    clauses = [where.removeprefix(" WHERE ")] if where else []
    # agency_counts holds every finding: leaving out the flagged ones counts the tags anew.
    source = (
        "(SELECT f.letter_id, a.agency, f.label, COUNT(*) AS findings FROM finding_agencies a "
        "JOIN findings f ON f.finding_id = a.finding_id WHERE f.needs_review = 0 "
        "GROUP BY f.letter_id, a.agency, f.label)"
        if filters.exclude_review
        else "agency_counts"
    )
    for column, values in (("c.agency", filters.agency), ("c.label", filters.label)):
        if values:
            clause, more = _in(column, values)
            clauses.append(clause)
            params = [*params, *more]
    return (
        "SELECT c.agency, c.label, l.theme, substr(l.published, 1, 4) AS year, "
        f"SUM(c.findings) AS findings FROM {source} c JOIN letters l "
        "ON l.letter_id = c.letter_id"
        + (" WHERE " + " AND ".join(clauses) if clauses else "")
        + " GROUP BY c.agency, c.label, l.theme, year",
        params,
    )


def agency_rates(counts: pd.DataFrame, letters: pd.DataFrame, by: str) -> pd.DataFrame:
    """Findings about each agency per letter, per theme (with labels) or per year (labels
    summed), so a theme or a year with more letters does not look bigger. ``counts``: agency,
    label, theme, year, findings; ``letters``: theme, year, letters. Every year from the first
    to the last is present: a year without letters has no rate (a gap in a line, not a zero
    bridged over)."""
    n = letters.groupby(by)["letters"].sum()
    if by == "year":
        agg = counts.groupby(["year", "agency"])["findings"].sum().reset_index()
        years = [str(y) for y in range(int(min(n.index)), int(max(n.index)) + 1)]
        full = pd.MultiIndex.from_product(
            [years, list(dict.fromkeys(agg["agency"]))], names=["year", "agency"]
        )
        agg = agg.set_index(["year", "agency"]).reindex(full).reset_index()
        agg["findings"] = agg["findings"].fillna(0).astype(int)
    else:
        agg = counts.groupby(["agency", by, "label"])["findings"].sum().reset_index()
    agg["letters"] = agg[by].map(n).fillna(0).astype(int)
    agg["per_letter"] = (agg["findings"] / agg["letters"].where(agg["letters"] > 0)).round(2)
    return agg


def letters_where(filters: Filters) -> tuple[str, list[object]]:
    """WHERE for letters ``l`` alone (theme, area, region, dates)."""
    only = Filters(
        theme=filters.theme,
        la=filters.la,
        region=filters.region,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    return where_clause(only)


def findings_sql(
    filters: Filters, limit: int | None = None, with_total: bool = False
) -> tuple[str, list[object]]:
    """The findings matching ``filters`` in reading order, or closest in meaning first when
    the search is by meaning (then the sentences that only share the words, in reading order);
    ``limit`` keeps the first rows, and ``with_total`` adds a column ``matching``: how many
    rows there are without it."""
    where, params = where_clause(filters)
    # The total is counted in the same pass as the sort the first rows need anyway.
    total = ", COUNT(*) OVER () AS matching" if with_total else ""
    if filters.q and filters.match == "meaning" and filters.meaning_ids:
        # The matches are the close findings (meaning_ids, closest first: its index is the
        # rank) and those with the words; they are found first, then joined to the page's
        # other filters: a tenth of a second less at x20 than testing every finding for both.
        where, params = where_clause(filters.with_(q=""))
        sql = (
            "WITH close(finding_id, rank) AS MATERIALIZED "
            "(SELECT value, CAST(key AS INTEGER) FROM json_each(?)), "
            "hits(finding_id, rank) AS (SELECT finding_id, MIN(rank) FROM ("
            "SELECT finding_id, rank FROM close UNION ALL "
            "SELECT finding_id, NULL FROM findings WHERE text LIKE ? ESCAPE '\\') "
            "GROUP BY finding_id)"
            + FINDING_COLUMNS
            + total
            + "\nFROM hits h JOIN findings f ON f.finding_id = h.finding_id"
            + " JOIN letters l ON l.letter_id = f.letter_id\n"
            + where
            + " ORDER BY h.rank IS NULL, h.rank, l.published, l.letter_id, f.position"
        )
        params = [filters.meaning_ids, like_pattern(filters.q), *params]
    else:
        sql = FINDING_COLUMNS + total + FINDING_FROM + where
        sql += " ORDER BY l.published, l.letter_id, f.position"
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, int(limit)]
    return sql, params


def letter_findings_sql(letter_id: str) -> tuple[str, list[object]]:
    """One letter's findings in reading order (the columns of findings_sql)."""
    sql = FINDING_COLUMNS + FINDING_FROM + " WHERE f.letter_id = ? ORDER BY f.position"
    return sql, [letter_id]


def tag_counts_sql(kind: str) -> tuple[str, list[object]]:
    """Findings tagged with each topic (or agency) in each letter: letter_id, tag, tagged.
    From the build's per-letter counts (every label summed), read once and shared by every
    Area page."""
    table, column = store.COUNTS_TABLES[kind]
    return (
        f"SELECT letter_id, {column} AS tag, SUM(findings) AS tagged FROM {table} "
        f"GROUP BY letter_id, {column}"
    ), []


def tag_shares(
    tagged: pd.DataFrame,
    sizes: pd.DataFrame,
    groups: dict[str, list[str]],
    tags: tuple[str, ...],
) -> pd.DataFrame:
    """One row per tag: its share of the findings of each group of letters. ``tagged``:
    letter_id, tag, tagged (tag_counts_sql); ``sizes``: letter_id, findings; ``groups``:
    column name -> the group's letter ids."""
    out = pd.DataFrame({"tag": list(tags)})
    n_by_letter = dict(zip(sizes["letter_id"], sizes["findings"], strict=False))
    for name, ids in groups.items():
        members = set(ids)
        part = tagged[tagged["letter_id"].isin(members)].groupby("tag")["tagged"].sum()
        n = sum(int(n_by_letter.get(i, 0)) for i in members)
        out[name] = (out["tag"].map(part).fillna(0) / n).round(3) if n else float("nan")
    return out


def read_df(conn: sqlite3.Connection, sql: str, params: list[object] | tuple = ()) -> pd.DataFrame:
    cur = conn.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return pd.DataFrame(cur.fetchall(), columns=cols)


# ---------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Interval:
    share: float
    low: float
    high: float


def wilson(k: int, n: int, z: float = 1.959964) -> Interval:
    """Wilson score interval for k successes in n: honest at small n and at 0% / 100%,
    where the normal approximation gives impossible bounds."""
    if n <= 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half))


COMPARE_LABELS = ("strength", "improvement", "all findings")
# The letters' bullet counts and the label each counts.
BULLET_COUNTS = {
    "n_strengths": "strength",
    "n_improvements": "improvement",
    "n_priority_actions": "priority_action",
}


def compare_counts(conn: sqlite3.Connection, filters: Filters, topic: str) -> pd.DataFrame:
    """Per theme x label: findings (n), those on ``topic`` (k), share and 95% Wilson interval.
    'all findings' counts every sentence of the theme's letters, whatever its label, so the
    view says something even before the classifier has labelled anything."""
    where, params = letters_where(filters)
    found = where
    if filters.exclude_review:
        found = (where + " AND " if where else " WHERE ") + "f.needs_review = 0"
    # A phrase (``filters.q``) is charted like a topic: k counts the sentences it matches.
    on_topic, on_params = (
        text_match(filters)
        if filters.q
        else (
            "EXISTS (SELECT 1 FROM finding_topics t WHERE t.finding_id = f.finding_id "
            "AND t.topic = ?)",
            [topic],
        )
    )
    sql = (
        f"SELECT l.theme, f.label, COUNT(*) AS n, SUM({on_topic}) AS k "
        "FROM findings f JOIN letters l ON l.letter_id = f.letter_id"
        + found
        + " GROUP BY l.theme, f.label"
    )
    raw = read_df(conn, sql, [*on_params, *params])
    letters = read_df(
        conn,
        "SELECT l.theme, COUNT(*) AS letters FROM letters l" + where + " GROUP BY l.theme",
        params,
    )
    n_letters = dict(zip(letters["theme"], letters["letters"], strict=False))
    rows = []
    for theme in filters.theme:
        sub = raw[raw["theme"] == theme]
        for label in COMPARE_LABELS:
            part = sub if label == "all findings" else sub[sub["label"] == label]
            n, k = int(part["n"].sum()), int(part["k"].sum())
            ci = wilson(k, n)
            rows.append(
                {
                    "theme": theme,
                    "label": label,
                    "letters": int(n_letters.get(theme, 0)),
                    "findings": n,
                    "on_topic": k,
                    "share": ci.share,
                    "ci_low": ci.low,
                    "ci_high": ci.high,
                }
            )
    return pd.DataFrame(
        rows,
        columns=["theme", "label", "letters", "findings", "on_topic", "share", "ci_low", "ci_high"],
    )


# ---------------------------------------------------------------- reference data


def vocab_from(conn: sqlite3.Connection) -> Vocab:
    """The accepted values for URL parameters: areas and regions from the LA lookup and the
    letters (a letter's area may predate the lookup, e.g. a merged authority)."""
    las: dict[str, str] = {}
    area_names: dict[str, str] = {}
    regions: set[str] = set()
    for la in reference.load():
        if la.urn:
            las[la.urn] = la.urn
            area_names[la.urn] = la.name
            if la.ons_code:
                las[la.ons_code] = la.urn
        if la.region:
            regions.add(la.region)
    for r in conn.execute("SELECT DISTINCT urn, ons_code, local_authority, region FROM letters"):
        las.setdefault(r[0], r[0])
        area_names.setdefault(r[0], r[2])
        if r[1]:
            las.setdefault(r[1], r[0])
        if r[3]:
            regions.add(r[3])
    first, last = conn.execute("SELECT MIN(published), MAX(published) FROM letters").fetchone()
    return Vocab(
        regions=tuple(sorted(regions)),
        las=las,
        la_names=area_names,
        first=date.fromisoformat(first) if first else None,
        last=date.fromisoformat(last) if last else None,
    )


# ONS district (E07) codes of each shire county, from ONS's LAD23 -> CTY23 lookup. The LA
# lookup gives one code per authority but not its districts, and the boundary file only has
# districts, so a county's area is drawn as the union of these. (Ranges are inclusive; codes
# missing from a range were abolished before 2023.)
COUNTY_DISTRICTS: dict[str, tuple[tuple[int, int], ...]] = {
    "E10000003": ((8, 12),),  # Cambridgeshire
    "E10000007": ((32, 39),),  # Derbyshire
    "E10000008": ((40, 47),),  # Devon
    "E10000011": ((61, 65),),  # East Sussex
    "E10000012": ((66, 77),),  # Essex
    "E10000013": ((78, 83),),  # Gloucestershire
    "E10000014": ((84, 94),),  # Hampshire
    "E10000015": ((95, 103), (240, 243)),  # Hertfordshire
    "E10000016": ((105, 116),),  # Kent
    "E10000017": ((117, 128),),  # Lancashire
    "E10000018": ((129, 135),),  # Leicestershire
    "E10000019": ((136, 142),),  # Lincolnshire
    "E10000020": ((143, 149),),  # Norfolk
    "E10000024": ((170, 176),),  # Nottinghamshire
    "E10000025": ((177, 181),),  # Oxfordshire
    "E10000028": ((192, 199),),  # Staffordshire
    "E10000029": ((200, 203), (244, 245)),  # Suffolk
    "E10000030": ((207, 217),),  # Surrey
    "E10000031": ((218, 222),),  # Warwickshire
    "E10000032": ((223, 229),),  # West Sussex
    "E10000034": ((234, 239),),  # Worcestershire
}
# Authorities that no longer exist, drawn as the areas that replaced them.
SUCCESSORS = {
    "E10000006": ("E06000063", "E06000064"),  # Cumbria -> Cumberland, Westmorland and Furness
    "E10000021": ("E06000061", "E06000062"),  # Northamptonshire -> North and West
    "E06000029": ("E06000058",),  # Poole -> Bournemouth, Christchurch and Poole
    "E06000028": ("E06000058",),  # Bournemouth -> BCP
    "E10000009": ("E06000059",),  # Dorset county -> Dorset
    "E10000002": ("E06000060",),  # Buckinghamshire county -> Buckinghamshire
    "E10000023": ("E06000065",),  # North Yorkshire county -> North Yorkshire
    "E10000027": ("E06000066",),  # Somerset county -> Somerset
}


@lru_cache(maxsize=2)
def boundaries(path: Path = config.LA_BOUNDARIES_GEOJSON) -> dict | None:
    """England's districts only (the file covers Great Britain), coordinates rounded to
    ~100 m so the map ships a fraction of the bytes."""
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))

    def rnd(c):  # noqa: ANN001, ANN202 - nested coordinate lists of any depth
        return (
            [round(c[0], 3), round(c[1], 3)]
            if isinstance(c[0], float | int)
            else [rnd(x) for x in c]
        )

    feats = []
    for f in data["features"]:
        code = f["properties"].get("LAD23CD", "")
        if not code.startswith("E"):
            continue
        geom = {"type": f["geometry"]["type"], "coordinates": rnd(f["geometry"]["coordinates"])}
        feats.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"LAD23CD": code, "LAD23NM": f["properties"]["LAD23NM"]},
                "geometry": geom,
            }
        )
    return {"type": "FeatureCollection", "features": feats}


@lru_cache(maxsize=2)
def outlines(
    path: Path = config.LA_BOUNDARIES_GEOJSON,
) -> dict[str, tuple[list, list, float, float]]:
    """Each district's outline as x/y lists (rings separated by None) plus a label point.
    Drawn as filled scatter traces rather than a geo map: plotly's geo maps fetch a world
    topojson from a CDN, which a server without internet (or an offline HTML file) lacks."""
    out: dict[str, tuple[list, list, float, float]] = {}
    geo = boundaries(path)
    for f in (geo or {}).get("features", []):
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        xs: list = []
        ys: list = []
        for poly in polys:
            for ring in poly[:1]:  # outer ring only: holes do not matter at this scale
                xs += [p[0] for p in ring] + [None]  # already rounded by boundaries()
                ys += [p[1] for p in ring] + [None]
        pts = [(x, y) for x, y in zip(xs, ys, strict=False) if x is not None]
        cx = sum(p[0] for p in pts) / len(pts)
        cy = sum(p[1] for p in pts) / len(pts)
        out[f["id"]] = (xs, ys, cx, cy)
    return out


def districts_of(codes: list[str], known: set[str]) -> list[str]:
    """District codes (LAD23CD) making up an authority, trying its codes in order: the
    authority's own district code, a county's districts, or its successors' areas."""
    for code in codes:
        if not code:
            continue
        if code in known:
            return [code]
        if code in COUNTY_DISTRICTS:
            out = [f"E07{n:06d}" for lo, hi in COUNTY_DISTRICTS[code] for n in range(lo, hi + 1)]
            return [c for c in out if c in known]
        if code in SUCCESSORS:
            return [c for c in SUCCESSORS[code] if c in known]
    return []


@lru_cache(maxsize=2)
def lookup_frame(path: Path = config.LA_LOOKUP_CSV) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=["urn", "la_code", "la_code_new", "lad23cd", "ltla23cd"])
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig").fillna("")


@lru_cache(maxsize=2)
def _codes_by_urn(path: Path = config.LA_LOOKUP_CSV) -> dict[str, tuple[str, str, str]]:
    # A dict, not a frame filtered per area: the map asks for every inspected area at once.
    lk = lookup_frame(path).drop_duplicates("urn")
    return {
        r.urn: (r.lad23cd, r.la_code_new, r.ltla23cd)
        for r in lk[["urn", "lad23cd", "la_code_new", "ltla23cd"]].itertuples()
    }


def area_districts(urn: str, ons_code: str, known: set[str]) -> list[str]:
    codes = [ons_code]
    if urn in _codes_by_urn():
        lad, new, ltla = _codes_by_urn()[urn]
        codes = [lad, new, ons_code, ltla]
    return districts_of(codes, known)


# ---------------------------------------------------------------- outputs


def with_names(df: pd.DataFrame) -> pd.DataFrame:
    """Findings rows with a name column after each coded one a spreadsheet reader would
    look up (theme_name, label_name, section_name, agency_names, topic_names); the coded
    columns stay as they are."""
    out = df.copy()
    added = {
        "theme_name": ("theme", names.theme_name),
        "label_name": ("label", names.label_name),
        "section_name": ("section", names.section_name),
        "agency_names": ("agencies", lambda v: names.tag_names(v, names.agency_name)),
        "topic_names": ("topics", lambda v: names.tag_names(v, names.topic_name)),
    }
    for new, (column, name) in added.items():
        if column in out.columns:
            out[new] = out[column].map(name)
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV with a header row; dates are already ISO strings in the database."""
    buf = io.StringIO()
    export_mod.spreadsheet_safe_frame(df).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def corpus_zip(db: Path) -> bytes:
    """letters.csv, findings.csv and datapackage.json, exactly as ``python -m analysis
    export`` writes them, in one zip."""
    from analysis import store

    conn = store.connect_readonly(db)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            export_mod.export(conn, Path(tmp))
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for name in ("letters.csv", "findings.csv", "datapackage.json"):
                    zf.write(os.path.join(tmp, name), arcname=name)
            return buf.getvalue()
    finally:
        conn.close()


def local_pdf(file_id: str) -> Path | None:
    if not file_id:
        return None
    path = config.raw_dir() / f"{Path(file_id).name}.pdf"  # .name: never leave raw/
    return path if path.exists() else None


def year_bounds(first: str, last: str) -> tuple[date, date]:
    return date.fromisoformat(first), date.fromisoformat(last)
