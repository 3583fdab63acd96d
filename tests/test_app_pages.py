"""Every dashboard page under streamlit.testing: renders on a real (small) corpus, round-trips
its URL state, survives bad links, and shows the same numbers as SQL on the database."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_app_support import corpus_dir  # noqa: F401 - session fixture

from app_pages import common, data, figures
from app_pages.state import Filters, md_escape

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ["overview", "compare", "agencies", "area", "explore", "new", "about"]


@pytest.fixture()
def env(corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    monkeypatch.setenv("JTAI_DATA_DIR", str(corpus_dir))
    return corpus_dir


def app(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [e.value for e in at.warning] + [e.value for e in at.info]
    return "\n".join(str(p) for p in parts)


def sql(corpus: Path, query: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(corpus / "jtai.sqlite")
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def frame_with(at: AppTest, column: str):  # noqa: ANN201
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with column {column}")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(env: Path, page: str) -> None:
    at = app(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and "Corpus:" in "".join(m.value for m in at.sidebar.markdown)


@pytest.mark.parametrize("page", PAGES)
def test_no_database_says_how_to_build_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setenv("JTAI_DATA_DIR", str(tmp_path))
    at = app(page)
    assert not at.exception
    assert "python -m analysis build" in at.info[0].value and "make run" in at.info[0].value


BAD = {
    "theme": "bogus,cse_missing,<script>alert(1)</script>",
    "from": "2020-13-45",
    "to": "' OR 1=1 --",
    "q": "x" * 5000,
    "la": "Robert'); DROP TABLE letters;--",
    "label": "[click](http://evil.example)",
    "agency": "x" * 3000,
    "zzz": "1",
}


@pytest.mark.parametrize("page", PAGES)
def test_bad_links_are_ignored_with_a_notice(env: Path, page: str) -> None:
    at = app(page, **BAD)
    assert not at.exception, [e.value for e in at.exception]
    warnings = " ".join(w.value for w in at.warning)
    assert "zzz" in warnings
    for el in [*at.markdown, *at.warning, *at.caption]:
        assert "<script>" not in el.value and "](http://evil" not in el.value
    assert sql(env, "SELECT COUNT(*) FROM letters")[0][0] == 4  # nothing reached SQL as code


def test_explore_bad_values_are_named(env: Path) -> None:
    at = app("explore", **BAD)
    warnings = " ".join(w.value for w in at.warning)
    for word in (
        "bogus",
        "ignored from",
        "ignored to",
        "ignored q",
        "unknown la",
        "unknown label",
        "ignored agency",
    ):
        assert word in warnings, word
    assert at.query_params["theme"] == "cse_missing"  # the URL keeps only what applied


def test_compare_defaults_and_counts_match_sql(env: Path) -> None:
    at = app("compare")
    assert at.multiselect(key="compare_theme").value == ["cse_missing", "domestic_abuse"]
    assert at.selectbox(key="compare_topic").value == "perpetrator_focus"
    with pytest.raises(AssertionError):  # the chart's table is drawn only once opened
        frame_with(at, "on_topic")
    at.session_state["table_compare"] = True
    table = frame_with(at.run(), "on_topic")
    for r in table.itertuples():
        label_sql = "" if r.label == "all findings" else " AND f.label = ?"
        args = (r.theme,) if r.label == "all findings" else (r.theme, r.label)
        n, k = sql(
            env,
            "SELECT COUNT(*), COALESCE(SUM(EXISTS (SELECT 1 FROM finding_topics t "
            "WHERE t.finding_id = f.finding_id AND t.topic = 'perpetrator_focus')), 0) "
            "FROM findings f JOIN letters l USING (letter_id) WHERE l.theme = ?" + label_sql,
            args,
        )[0]
        assert (r.findings, r.on_topic) == (n, k)
        if n:
            ci = data.wilson(k, n)
            assert abs(r.ci_low - ci.low) < 1e-3 and abs(r.ci_high - ci.high) < 1e-3
    assert at.query_params["theme"] == "cse_missing,domestic_abuse"
    assert at.query_params["topic"] == "perpetrator_focus"


def test_compare_shared_link_round_trip(env: Path) -> None:
    at = app(
        "compare",
        theme="domestic_abuse,front_door",
        topic="voice_of_child",
        **{"from": "2016-01-01"},
    )
    assert at.multiselect(key="compare_theme").value == ["domestic_abuse", "front_door"]
    assert at.selectbox(key="compare_topic").value == "voice_of_child"
    assert str(at.date_input(key="compare_from").value) == "2016-01-01"
    at.selectbox(key="compare_topic").set_value("workforce").run()
    assert at.query_params["topic"] == "workforce"
    assert at.query_params["from"] == "2016-01-01"
    assert any("compare?" in c.value and "topic=workforce" in c.value for c in at.markdown)


def test_compare_needs_two_themes(env: Path) -> None:
    at = app("compare", theme="neglect")
    assert "at least two themes" in " ".join(w.value for w in at.warning)
    assert not at.exception


def test_explore_filters_match_sql(env: Path) -> None:
    at = app("explore", q="police", theme="cse_missing")
    rows = frame_with(at, "text")
    want = sql(
        env,
        "SELECT COUNT(*) FROM findings f JOIN letters l USING (letter_id) "
        "WHERE l.theme = 'cse_missing' AND f.text LIKE '%police%'",
    )[0][0]
    assert len(rows) == want > 0
    assert f"**{want:,} findings.**" in texts(at)
    assert "containing “police”" in texts(at)
    at.text_input(key="explore_q").set_value("school").run()
    assert at.query_params["q"] == "school" and at.query_params["theme"] == "cse_missing"


def test_area_accepts_ons_code_and_links_pages(env: Path) -> None:
    at = app("area", la="E08000012")
    assert at.selectbox(key="area_la").value == "80485"
    assert at.query_params["la"] == "80485"
    assert not at.exception
    html_blocks = " ".join(str(h.proto.body) for h in at.get("html"))
    assert "files.ofsted.gov.uk/v1/file/50000222#page=" in html_blocks


def test_area_lists_every_sentence_of_its_letter_however_long_a_section(env: Path) -> None:
    at = app("area", la="80472")  # Hampshire: its strengths run past a reading list's length
    sections = [
        "headline_findings",
        "strengths",
        "improvements",
        "priority_action",
        "main_findings",
    ]
    per_section = dict(
        sql(
            env,
            "SELECT section, COUNT(*) FROM findings JOIN letters USING (letter_id) "
            f"WHERE urn = '80472' AND section IN ({','.join('?' * len(sections))}) "
            "GROUP BY section",
            tuple(sections),
        )
    )

    def drawn_sentences() -> int:  # list items of the sentence lists, not of the letters'
        return " ".join(
            h.proto.body for h in at.get("html") if "area-letters" not in h.proto.body
        ).count("<li>")

    drawn = drawn_sentences()
    # Open by default: headline findings and priority actions; the rest once opened.
    assert drawn == sum(per_section.get(s, 0) for s in ("headline_findings", "priority_action"))
    for section in per_section:
        at.session_state[f"area_section_{section}"] = True  # the reader opens every section
    at.run()
    assert max(per_section.values()) > common.LIST_ROWS
    assert drawn_sentences() == sum(per_section.values())


def test_area_unknown_la_is_named(env: Path) -> None:
    at = app("area", la="E99999999")
    assert "E99999999" in " ".join(w.value for w in at.warning)


def test_new_shows_refresh_time(env: Path) -> None:
    built = sql(env, "SELECT value FROM meta WHERE key = 'built_at'")[0][0]
    at = app("new", **{"from": "2017-01-01"})
    # Written as people write it: "30 November 2026, 09:18 UTC", not the ISO stamp.
    t = datetime.fromisoformat(built)
    assert "2017" in texts(at) and md_escape(f"{t.day} {t:%B %Y, %H:%M} UTC") in texts(at)
    assert md_escape(built) not in texts(at)
    table = " ".join(h.proto.body for h in at.get("html"))
    want = sql(
        env, "SELECT COUNT(*), COUNT(DISTINCT urn) FROM letters WHERE published >= '2017-01-01'"
    )
    assert table.count("<tr>") - 1 == want[0][0]  # one row a letter, under one header row
    assert len(set(re.findall(r"href='area\?la=(\d+)'", table))) == want[0][1]


def test_about_not_yet_evaluated_then_evaluated(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app("about")
    assert "Not yet evaluated" in texts(at)
    copy = tmp_path / "d"
    shutil.copytree(env, copy, ignore=shutil.ignore_patterns("raw"))
    (copy / "evaluation").mkdir()
    figures = {
        "test": {"n": 630, "letters": 14, "strength_vs_improvement_macro_f1": 0.8123},
        "test_intervals": {"strength_vs_improvement_macro_f1": [0.79, 0.83]},
    }
    (copy / "evaluation" / "evaluation.json").write_text(json.dumps(figures))
    (copy / "evaluation" / "model-card.md").write_text("# Model card\nMacro F1 0.80")
    monkeypatch.setenv("JTAI_DATA_DIR", str(copy))
    at = app("about")
    assert "Not yet evaluated" not in texts(at)
    shown = texts(at)
    assert (
        md_escape("Strength or area for improvement told apart (macro-F1)")
        + ": **0.812** (95% interval 0.790 to 0.830; goal at least 0.93: not met)"
    ) in shown
    assert md_escape("Agencies tagged right (micro-F1)") + ": **not measured**" in shown
    assert "630 hand-labelled sentences of 14 letters" in texts(at)


def test_rebuilt_database_is_picked_up_without_restart(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "d"
    copy.mkdir()
    shutil.copy(env / "jtai.sqlite", copy / "jtai.sqlite")
    monkeypatch.setenv("JTAI_DATA_DIR", str(copy))
    assert app("overview").metric[0].value == "4"
    # A build swaps in a new file (see analysis.store.write); do the same with one letter less.
    part = copy / ".new.sqlite"
    shutil.copy(copy / "jtai.sqlite", part)
    conn = sqlite3.connect(part)
    conn.execute("DELETE FROM letters WHERE letter_id = (SELECT MIN(letter_id) FROM letters)")
    conn.commit()
    conn.close()
    os.replace(part, copy / "jtai.sqlite")
    assert app("overview").metric[0].value == "3"


def test_a_connection_is_never_to_a_newer_file_than_its_key(env: Path, tmp_path: Path) -> None:
    # A rebuild that swaps the file between a page reading the signature and opening the
    # database: the connection cached under the old key would read the new corpus.
    from app_pages import common

    path = tmp_path / "jtai.sqlite"
    shutil.copy(env / "jtai.sqlite", path)
    old = data.db_signature(path)
    shutil.copy(env / "jtai.sqlite", tmp_path / ".new")
    os.replace(tmp_path / ".new", path)
    with pytest.raises(common.DatabaseSwapped):
        common._connection(old)
    new = data.db_signature(path)
    assert new != old
    assert common._connection(new).execute("SELECT COUNT(*) FROM letters").fetchone()[0] == 4


def test_corpus_zip_has_the_export_files(env: Path) -> None:
    import io
    import zipfile

    zf = zipfile.ZipFile(io.BytesIO(data.corpus_zip(env / "jtai.sqlite")))
    assert sorted(zf.namelist()) == ["datapackage.json", "findings.csv", "letters.csv"]
    letters = zf.read("letters.csv").decode().splitlines()
    assert letters[0].startswith("letter_id,urn,") and len(letters) == 5


def test_html_table_escapes_cells_and_links_only_web_and_page_urls() -> None:
    df = pd.DataFrame(
        {
            "name": ["<script>x</script>", "A & B", None],
            "url": ["https://example.org/a?b=1&c=2", "javascript:alert(1)", "area?la=80485"],
        }
    )
    out = common.table_html(df, links={"url": "open"})
    assert "<script>" not in out and "&lt;script&gt;x&lt;/script&gt;" in out
    assert "A &amp; B" in out and "None" not in out
    assert "<a href='https://example.org/a?b=1&amp;c=2' target='_blank'" in out
    assert "javascript:" in out and "href='javascript" not in out  # shown as text, not a link
    assert "<a href='area?la=80485' target='_self'>open</a>" in out
    assert out.count("<tr>") == 4


@pytest.mark.parametrize("page", ["overview", "agencies"])
def test_filter_box_is_drawn_only_when_open_and_opens_for_a_filtering_link(
    env: Path, page: str
) -> None:
    at = app(page)
    assert not at.exception and len(at.multiselect) == 0  # closed: no widget scripts to load
    at = app(page, theme="neglect", region="London")
    assert at.multiselect(key=f"{page}_theme").value == ["neglect"]
    assert at.query_params["theme"] == "neglect" and at.query_params["region"] == "London"
    at.session_state[f"{page}_filters"] = False  # the reader closes the box
    at.run()
    assert len(at.multiselect) == 0 and at.query_params["theme"] == "neglect"  # kept


@pytest.mark.parametrize("page", ["compare", "explore"])
def test_date_filters_are_drawn_only_when_their_box_is_open(env: Path, page: str) -> None:
    at = app(page)
    assert not at.exception and len(at.date_input) == 0
    at = app(page, **{"from": "2017-01-01"})
    assert str(at.date_input(key=f"{page}_from").value) == "2017-01-01"
    assert at.query_params["from"] == "2017-01-01"


def bar_heights(fig_json: str) -> list[float]:
    """The first trace's y values: plotly sends numeric arrays as base64 typed arrays."""
    y = json.loads(fig_json)["data"][0]["y"]
    return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist()


def test_a_chart_is_built_once_per_distinct_rows_and_anew_for_new_rows() -> None:
    built = []

    def letters_per_year(df: pd.DataFrame):  # noqa: ANN202
        built.append(len(df))
        return figures.area_comparison(df)

    def rows(mean: float) -> pd.DataFrame:
        return pd.DataFrame(
            {"group": ["A"], "letters": [1], "label": ["strength"],
             "mean_bullets_per_letter": [mean]}
        )  # fmt: skip

    name = f"test.{letters_per_year.__qualname__}"
    first, title = common.figure(name, (rows(2.0),), letters_per_year)
    again, _ = common.figure(name, (rows(2.0),), letters_per_year)  # a second reader
    assert built == [1] and again == first and title.startswith("Mean strengths")
    rebuilt, _ = common.figure(name, (rows(3.5),), letters_per_year)  # a rebuilt corpus
    assert built == [1, 1]
    assert bar_heights(first) == [2.0] and bar_heights(rebuilt) == [3.5]


def test_agencies_draws_only_the_open_view_and_its_link_names_it(env: Path) -> None:
    def drawn(at: AppTest) -> list[str]:
        return [t.label for t in at.tabs if len(t.get("download_button"))]

    at = app("agencies")
    assert not at.exception and drawn(at) == ["By label"] and "view" not in at.query_params
    at = app("agencies", view="year")
    assert drawn(at) == ["Over time"] and at.query_params["view"] == "year"
    # One row per year from the first to the last (a year without letters too) and agency.
    first, last, agencies = sql(
        env,
        "SELECT MIN(substr(l.published, 1, 4)), MAX(substr(l.published, 1, 4)), "
        "COUNT(DISTINCT a.agency) FROM findings f JOIN letters l USING (letter_id) "
        "JOIN finding_agencies a USING (finding_id)",
    )[0]
    n = (int(last) - int(first) + 1) * agencies
    assert at.tabs[2].get("download_button")[0].proto.label == f"Download CSV ({n} rows)"
    assert "view=year" in texts(at)  # the link to this view
    at.session_state["agencies_view"] = "Per theme"  # the reader picks another tab
    at.run()
    assert drawn(at) == ["Per theme"] and at.query_params["view"] == "theme"
    at = app("agencies", view="map")
    assert drawn(at) == ["By label"] and any("view" in w.value for w in at.warning)


def test_a_page_reads_the_first_findings_and_counts_the_rest(env: Path) -> None:
    sig = data.db_signature(env / "jtai.sqlite")
    f = Filters(theme=("cse_missing",), label=("improvement",))
    head, total = common.findings(sig, f, 7)
    full_sql, params = data.findings_sql(f)
    everything = common.query(sig, full_sql, tuple(params))
    (n,) = sql(
        env,
        "SELECT COUNT(*) FROM findings JOIN letters USING (letter_id) "
        "WHERE theme = 'cse_missing' AND label = 'improvement'",
    )[0]
    assert total == n == len(everything) > 7
    assert list(head.columns) == list(everything.columns)
    assert head["finding_id"].tolist() == everything["finding_id"].head(7).tolist()
    none, zero = common.findings(sig, f.with_(q="no sentence says this"), 7)
    assert none.empty and zero == 0


def test_agencies_reads_sentences_once_an_agency_is_chosen(env: Path) -> None:
    at = app("agencies")
    assert at.selectbox(key="agencies_drill_agency").value is None
    assert not [b for b in at.get("download_button") if "sentences" in b.proto.label]
    at.selectbox(key="agencies_drill_agency").set_value("police")
    at.selectbox(key="agencies_drill_label").set_value("improvement")
    at.run()
    (n,) = sql(
        env,
        "SELECT COUNT(*) FROM findings f JOIN finding_agencies a USING (finding_id) "
        "WHERE a.agency = 'police' AND f.label = 'improvement'",
    )[0]
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"Download these sentences as CSV ({n} rows)" in labels and n > 0
    listed = " ".join(h.proto.body for h in at.get("html"))
    assert listed.count("<li>") == min(n, common.LIST_ROWS)


def test_agency_counts_match_sql_and_an_agency_filter_keeps_that_agency(env: Path) -> None:
    at = app("agencies", theme="cse_missing")
    at.session_state["table_heat"] = True  # open the table under the chart
    at.run()
    got = frame_with(at, "agency")
    want = sql(
        env,
        "SELECT a.agency, f.label, COUNT(*) FROM findings f JOIN letters l USING (letter_id) "
        "JOIN finding_agencies a USING (finding_id) WHERE l.theme = 'cse_missing' "
        "GROUP BY a.agency, f.label",
    )
    assert sorted(zip(got["agency"], got["label"], got["findings"], strict=True)) == sorted(
        (a, data.label_name(lab), n) for a, lab, n in want
    )
    at = app("agencies", theme="cse_missing", agency="police")
    at.session_state["table_heat"] = True
    at.run()
    assert set(frame_with(at, "agency")["agency"]) == {"police"}


def test_a_database_of_another_schema_asks_for_a_rebuild(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(env / "jtai.sqlite", tmp_path / "jtai.sqlite")
    with sqlite3.connect(tmp_path / "jtai.sqlite") as conn:
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    monkeypatch.setenv("JTAI_DATA_DIR", str(tmp_path))
    at = app("agencies")
    assert not at.exception and not at.tabs
    assert "python -m analysis build" in at.info[0].value and "schema is 1" in at.info[0].value


@pytest.mark.parametrize("page", PAGES)
def test_a_damaged_database_says_what_to_run(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    whole = (env / "jtai.sqlite").read_bytes()
    (tmp_path / "jtai.sqlite").write_bytes(whole[: len(whole) // 2])  # cut short
    monkeypatch.setenv("JTAI_DATA_DIR", str(tmp_path))
    at = app(page)
    assert not at.exception, [e.value for e in at.exception]
    message = at.error[0].value
    assert "damaged" in message and "python -m analysis build" in message


@pytest.mark.parametrize("page", ["about", "new"])
def test_coverage_of_the_known_letters_is_shown_with_the_missing_named(
    env: Path, page: str
) -> None:
    rows = sql(env, "SELECT area, published, letter_id FROM coverage")
    held = [r for r in rows if r[2]]
    assert rows and held
    at = app(page)
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert f"{len(held)} of {len(rows)} known JTAI letters" in shown
    for area, published, letter_id in rows:
        assert (f"{md_escape(area)} ({md_escape(published)})" in shown) == (not letter_id), area
