"""The cross-letter pages under streamlit.testing, on the small real corpus: Recurring findings,
Findings like this, search by meaning on Explore and Compare, and the brief. Every number a
page shows is checked against SQL (and numpy over the stored vectors) on the same database."""

from __future__ import annotations

import re
import sqlite3
from html import unescape
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from test_app_support import corpus_dir  # noqa: F401 - session fixture

from analysis import similarity
from analysis.brief import stands_alone
from analysis.taxonomy import TOPICS, topic_name
from app_pages import readings

APP = str(Path(__file__).resolve().parent.parent / "app.py")
WEAK = "('improvement', 'priority_action')"


@pytest.fixture()
def env(corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    monkeypatch.setenv("JTAI_DATA_DIR", str(corpus_dir))
    return corpus_dir


@pytest.fixture()
def vectors(env: Path) -> similarity.Vectors:
    conn = sqlite3.connect(env / "jtai.sqlite")
    try:
        if not similarity.has_vectors(conn):
            pytest.skip("the build stored no sentence vectors (analysis.embed not in this tree)")
        return similarity.load(conn)
    finally:
        conn.close()


def app(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def sql(corpus: Path, query: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(corpus / "jtai.sqlite")
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [e.value for e in at.warning] + [e.value for e in at.info]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def html(at: AppTest) -> str:
    return " ".join(str(h.proto.body) for h in at.get("html"))


def cells(block: str, heading: str) -> dict[str, list[str]]:
    """First cell -> the other cells' text, for the HTML table whose first heading is given."""
    start = block.index(f"<th scope='col'>{heading}</th>")
    table = block[start : block.index("</table>", start)].split("<tbody>")[1]
    out = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table):
        tds = [re.sub(r"<[^>]+>", "", td) for td in re.findall(r"<td>(.*?)</td>", tr)]
        out[tds[0].replace("&#x27;", "'")] = tds[1:]
    return out


# ---------------------------------------------------------------- /recurring


def test_recurring_counts_letters_as_sql_does(env: Path) -> None:
    at = app("recurring", theme="cse_missing")
    assert not at.exception, [e.value for e in at.exception]
    (n,) = sql(env, "SELECT COUNT(*) FROM letters WHERE theme = 'cse_missing'")[0]
    assert n == 2
    topics = cells(html(at), "Topic")

    want = dict(
        sql(
            env,
            "SELECT t.topic, COUNT(DISTINCT f.letter_id) FROM finding_topics t JOIN findings f "
            "USING (finding_id) JOIN letters l USING (letter_id) WHERE l.theme = 'cse_missing' "
            f"AND f.label IN {WEAK} GROUP BY t.topic",
        )
    )
    assert want
    from analysis.taxonomy import TOPIC_NAMES

    for code, k in want.items():
        assert topics[TOPIC_NAMES[code]][0] == f"{k} of {n}"
    top = max(want.values())
    assert f"in {top} of {n} child sexual exploitation and missing children letters." in texts(at)
    assert "Download CSV" in " ".join(b.proto.label for b in at.get("download_button"))


def test_recurring_side_by_side_and_the_sentences_behind_a_count(env: Path) -> None:
    at = app(
        "recurring",
        theme="cse_missing,domestic_abuse",
        topic="information_sharing",
        label="strength",
    )
    assert not at.exception
    side = cells(html(at), "Group")
    for theme, name in (
        ("cse_missing", "Child sexual exploitation and missing children"),
        ("domestic_abuse", "Domestic abuse"),
    ):
        n, k = sql(
            env,
            "SELECT (SELECT COUNT(*) FROM letters WHERE theme = ?), COUNT(DISTINCT f.letter_id) "
            "FROM findings f JOIN letters l USING (letter_id) JOIN finding_topics t USING "
            "(finding_id) WHERE l.theme = ? AND t.topic = 'information_sharing' "
            "AND f.label = 'strength'",
            (theme, theme),
        )[0]
        assert side[name][0] == str(n) and side[name][2] == f"{k} of {n}"
    (total,) = sql(
        env,
        "SELECT COUNT(*) FROM findings f JOIN letters l USING (letter_id) JOIN finding_topics t "
        "USING (finding_id) WHERE l.theme IN ('cse_missing', 'domestic_abuse') "
        "AND t.topic = 'information_sharing' AND f.label = 'strength'",
    )[0]
    assert f"{total} sentences in" in texts(at)
    body = html(at)
    assert body.count("class='jt-badge'") >= min(total, 200)
    assert "Area for improvement</span>" not in body.split("Group</th>")[1]
    assert at.query_params["label"] == "strength"


def test_recurring_periods_split_the_letters_by_year(env: Path) -> None:
    at = app(
        "recurring",
        theme="cse_missing,domestic_abuse",
        topic="perpetrator_focus",
        period="2016,2017-2018",
    )
    assert not at.exception
    side = cells(html(at), "Group")
    assert side["2016"][0] == "2" and side["2017-18"][0] == "1"  # Hampshire: 2017
    assert at.query_params["period"] == "2016,2017-2018"


def test_recurring_empty_selection_and_bad_period(env: Path) -> None:
    at = app("recurring", theme="neglect", period="2019-2016")
    assert not at.exception
    assert "No letter matches these filters" in texts(at)
    assert "2019-2016" in texts(at)


# ---------------------------------------------------------------- /similar


def test_similar_lists_the_nearest_in_other_letters(env: Path, vectors: similarity.Vectors) -> None:
    (fid,) = sql(
        env,
        "SELECT f.finding_id FROM findings f JOIN finding_topics t USING (finding_id) "
        "WHERE t.topic = 'perpetrator_focus' AND f.label = 'improvement' LIMIT 1",
    )[0]
    at = app("similar", finding=fid)
    assert not at.exception, [e.value for e in at.exception]
    want = [f for f, _ in similarity.neighbours(vectors, fid, 10)]
    got = re.findall(r"similar\?finding=([\w-]+)", html(at).split("<ol")[1])
    assert got == want
    at = app("similar", finding=fid, label="strength")
    labels = dict(sql(env, "SELECT finding_id, label FROM findings"))
    got = re.findall(r"similar\?finding=([\w-]+)", html(at).split("<ol")[1])
    assert got and all(labels[g] == "strength" for g in got)
    assert at.query_params["label"] == "strength" and at.query_params["finding"] == fid


def test_similar_without_or_with_an_unknown_finding_explains(env: Path) -> None:
    at = app("similar")
    assert not at.exception and "findings like this" in texts(at)
    at = app("similar", finding="nope-0001")
    assert not at.exception and "No finding with the id nope" in texts(at)


# ---------------------------------------------------------------- match=meaning


def meaning_ids(env: Path, vectors: similarity.Vectors, phrase: str) -> set[str]:
    from analysis import embed

    sims = vectors.matrix @ embed.encode([phrase])[0]
    return {vectors.ids[i] for i in np.flatnonzero(sims >= similarity.MEANING_THRESHOLD)}


def test_the_first_page_of_a_server_starts_loading_the_vectors(
    env: Path, vectors: similarity.Vectors
) -> None:
    from app_pages import data, meaning

    sig = data.db_signature(env / "jtai.sqlite")
    meaning._READY.pop(sig, None)  # as after a start: nothing loaded
    at = app("about")  # a page that neither searches nor links to /similar
    assert not at.exception
    # Loading (in the background) or loaded: the first search or /similar does not wait for it.
    assert sig in meaning._LOADING or sig in meaning._READY
    assert meaning.vectors(sig).ids == vectors.ids


def test_explore_matches_by_meaning_as_well_as_words(
    env: Path, vectors: similarity.Vectors
) -> None:
    phrase = "children who go missing from home"
    words = {
        r[0]
        for r in sql(env, "SELECT finding_id FROM findings WHERE text LIKE ?", (f"%{phrase}%",))
    }
    close = meaning_ids(env, vectors, phrase)
    assert close - words  # meaning finds sentences the words alone miss
    at = app("explore", q=phrase, match="meaning")
    assert not at.exception
    assert f"{readings.plural(len(words | close), 'finding')}." in texts(at)
    assert f"at least {similarity.MEANING_THRESHOLD:g}" in texts(at)
    at = app("explore", q=phrase)  # an old link: words only
    assert f"{readings.plural(len(words), 'finding')}." in texts(at)
    grid = next(d.value for d in at.dataframe if "like" in d.value.columns)
    assert all(v.startswith("similar?finding=") for v in grid["like"])  # one click to /similar
    assert "match" not in at.query_params


def test_explore_lists_the_closest_in_meaning_first(env: Path, vectors: similarity.Vectors) -> None:
    from analysis import embed

    phrase = "children who go missing from home"
    sims = vectors.matrix @ embed.encode([phrase])[0]
    closest = [vectors.ids[i] for i in similarity.above(sims, similarity.MEANING_THRESHOLD)]
    at = app("explore", q=phrase, match="meaning")
    grid = next(d.value for d in at.dataframe if "like" in d.value.columns)
    shown = [v.split("=", 1)[1] for v in grid["like"]]
    assert len(closest) >= 3 and shown[: len(closest)] == closest[: len(shown)]


def test_compare_charts_a_phrase_like_a_topic(env: Path, vectors: similarity.Vectors) -> None:
    phrase = "police do not speak to children at incidents"
    close = meaning_ids(env, vectors, phrase)
    at = app("compare", theme="cse_missing,domestic_abuse", q=phrase, match="meaning")
    assert not at.exception
    assert "This is a search, not a topic" in texts(at)
    assert f"{similarity.MEANING_THRESHOLD:g}" in texts(at)
    at.session_state["table_compare"] = True
    at.run()
    table = next(d.value for d in at.dataframe if "on_topic" in d.value.columns)
    rows = sql(
        env,
        "SELECT f.finding_id, l.theme, f.label, f.text FROM findings f JOIN letters l "
        "USING (letter_id) WHERE l.theme IN ('cse_missing', 'domestic_abuse')",
    )
    for r in table.itertuples():
        mine = [
            x for x in rows if x[1] == r.theme and (r.label == "all findings" or x[2] == r.label)
        ]
        k = sum(x[0] in close or phrase.lower() in x[3].lower() for x in mine)
        assert (r.findings, r.on_topic) == (len(mine), k)
    assert at.query_params["q"] == phrase and "topic" not in at.query_params


# ---------------------------------------------------------------- /brief


def test_brief_gathers_the_theme_the_area_and_its_neighbours(env: Path) -> None:
    at = app("brief", la="80485", theme="cse_missing")
    assert not at.exception, [e.value for e in at.exception]
    headers = [h.value for h in at.header]
    for part in ("Recurring weaknesses", "Priority actions issued", "own earlier letters"):
        assert any(part in h for h in headers), part
    body = html(at)
    (n_pa,) = sql(
        env,
        "SELECT COUNT(*) FROM findings f JOIN letters l USING (letter_id) "
        "WHERE l.theme = 'cse_missing' AND f.label = 'priority_action'",
    )[0]
    assert (
        "1 of 2 child sexual exploitation and missing children letters issued priority actions "
        f"({n_pa} sentences)" in body
    )
    assert "The corpus holds 2 of the 5 inspections on this theme" in body
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("one HTML file" in x for x in labels)


def test_brief_examples_are_the_themes_surest_of_their_kind_on_each_topic(env: Path) -> None:
    at = app("brief", la="80485", theme="cse_missing")
    weaknesses, strengths = (str(h.proto.body) for h in at.get("html")[:2])
    code_of = {topic_name(c): c for c in TOPICS}
    topics = 0
    for body, labels in ((weaknesses, WEAK), (strengths, "('strength')")):
        shown: list[str] = []
        for heading, items in re.findall(
            r"<h3>(.*?)</h3><ul class='jt-sentences'>(.*?)</ul>", body
        ):
            code = code_of[unescape(heading.rsplit(": ", 1)[0])]
            ids = re.findall(r"similar\?finding=([^'&]+)'", items)
            assert 1 <= len(ids) <= 2, heading
            rows = sql(
                env,
                "SELECT f.finding_id, f.letter_id, f.label_confidence, f.text FROM findings f "
                "JOIN letters l USING (letter_id) JOIN finding_topics t USING (finding_id) "
                f"WHERE l.theme = 'cse_missing' AND f.label IN {labels} AND t.topic = ? "
                "AND f.text NOT LIKE '%:'",
                (code,),
            )
            by_id = {r[0]: r for r in rows}
            # Of the theme, of the kind, on the topic; from different letters; never repeated.
            assert set(ids) <= set(by_id), heading
            assert len({by_id[i][1] for i in ids}) == len(ids)
            assert not set(ids) & set(shown)
            if not shown:  # the first topic's first example: nothing used yet, the surest
                # of the sentences that read without the one before them
                alone = [r[2] for r in rows if stands_alone(r[3])] or [r[2] for r in rows]
                assert by_id[ids[0]][2] == max(alone)
            shown += ids
            topics += 1
    assert topics >= 4


def test_brief_asks_for_area_and_theme(env: Path) -> None:
    at = app("brief", la="80485")
    assert not at.exception and "Pick the area to be inspected" in texts(at)
