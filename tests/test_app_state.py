"""URL state parsing and SQL building, without Streamlit."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from app_pages import data
from app_pages.state import Filters, Vocab, describe, md_escape, parse_query, to_query

VOCAB = Vocab(
    regions=("London", "North West"),
    las={"80485": "80485", "E08000012": "80485"},
    la_names={"80485": "Liverpool"},
)


def parse(**params: str | list[str]) -> tuple[Filters, list[str]]:
    raw = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    return parse_query(raw, VOCAB)


def test_round_trip_keeps_every_filter() -> None:
    f = Filters(
        theme=("cse_missing", "domestic_abuse"),
        la=("80485",),
        region=("London",),
        label=("strength",),
        agency=("police",),
        topic=("perpetrator_focus",),
        q="missing children",
        date_from=date(2016, 1, 1),
        date_to=date(2018, 12, 31),
        min_confidence=0.5,
        view="theme",
    )
    q = to_query(f)
    assert q["theme"] == "cse_missing,domestic_abuse" and q["from"] == "2016-01-01"
    back, notices = parse(**q)
    assert back == f and notices == []


def test_period_match_and_finding_round_trip_and_default_to_words() -> None:
    f = Filters(
        period=("2016-2017", "2024"),
        match="meaning",
        q="return home",
        finding="80485-2016-08-03-0042",
    )
    q = to_query(f)
    assert q["period"] == "2016-2017,2024" and q["match"] == "meaning"
    assert parse(**q) == (f, [])
    # A link without match means words, as every link made before it did; words is not written.
    assert parse(q="police")[0].match == "words"
    assert "match" not in to_query(Filters(q="police"))
    # The ids close in meaning are computed, never read from or written to a link.
    assert "meaning_ids" not in to_query(f.with_(meaning_ids='["x"]'))
    assert "meaning" in describe(f, VOCAB) and "meaning" not in describe(Filters(q="x"), VOCAB)


def test_bad_period_match_and_finding_are_named() -> None:
    f, notices = parse(period="2017-2016,16-17,2019", match="vibes", finding="x'; DROP")
    assert f.period == ("2019",) and f.match == "words" and f.finding == ""
    text = " ".join(notices)
    assert "2017-2016" in text and "16-17" in text and "vibes" in text and "finding" in text


def test_la_accepts_ons_code_and_urn() -> None:
    assert parse(la="E08000012")[0].la == ("80485",)
    assert parse(la="80485,E08000012")[0].la == ("80485",)


def test_unknown_and_malformed_values_are_ignored_with_a_notice() -> None:
    f, notices = parse(
        theme="cse_missing,bogus",
        **{"from": "2020-13-01", "to": "yesterday"},
        label="'; DROP TABLE findings;--",
        confidence="2",
        view="<b>map</b>",
        zzz="1",
    )
    assert f.theme == ("cse_missing",) and f.date_from is None and f.date_to is None
    assert f.label == () and f.min_confidence is None and f.view == ""
    text = " ".join(notices)
    for word in ("bogus", "from", "to", "label", "confidence", "view", "zzz"):
        assert word in text


def test_repeated_keys_merge_lists_and_keep_first_scalar() -> None:
    f, notices = parse(theme=["cse_missing", "neglect"], q=["one", "two"])
    assert f.theme == ("cse_missing", "neglect") and f.q == "one"
    assert any("repeated q" in n for n in notices)


def test_huge_values_are_bounded() -> None:
    f, notices = parse(theme="x" * 100_000, q="y" * 1000)
    assert f.theme == () and len(f.q) == 200 and len(notices) == 2
    f, notices = parse(theme=",".join(["cse_missing"] * 100))  # 1,200 chars, 100 items
    assert f.theme == ("cse_missing",) and "first 60" in notices[0]
    f, notices = parse(theme=",".join(["cse_missing"] * 500))  # 6,000 chars: dropped
    assert f.theme == () and "too long" in notices[0]


def test_from_after_to_is_dropped() -> None:
    f, notices = parse(**{"from": "2020-01-01", "to": "2019-01-01"})
    assert f.date_from is None and f.date_to is None and notices


def test_keys_not_used_by_a_page_are_reported() -> None:
    f, notices = parse_query({"q": ["x"], "theme": ["neglect"]}, VOCAB, accepted=("theme",))
    assert f.q == "" and f.theme == ("neglect",) and "not used on this page" in notices[0]


def test_md_escape_neutralises_markdown_and_html() -> None:
    out = md_escape("<script>alert(1)</script> [x](http://evil) $x$ **b**")
    assert "<" not in out.replace("\\<", "") and "\\[" in out and "\\$" in out


def test_describe_reads_like_english() -> None:
    f = Filters(theme=("cse_missing",), label=("strength",), q="police")
    text = describe(f, VOCAB)
    assert text.startswith("Findings in letters on “Child sexual exploitation")
    assert "labelled “Strength”" in text and "containing “police”" in text
    assert describe(Filters(), VOCAB) == "All findings"


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "theme",
                "la",
                "q",
                "from",
                "to",
                "label",
                "agency",
                "topic",
                "region",
                "confidence",
                "view",
                "other",
            ]
        ),
        st.lists(st.text(max_size=300), min_size=1, max_size=3),
    )
)
def test_any_query_parses_and_its_sql_runs(params: dict[str, list[str]]) -> None:
    f, _ = parse_query(params, VOCAB)
    sql, args = data.findings_sql(f)
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        "CREATE TABLE letters (letter_id, urn, local_authority, region, theme, published, "
        "source_url, file_id); CREATE TABLE findings (finding_id, letter_id, section, "
        "subsection, page, position, label, label_confidence, agencies, topics, text);"
        "CREATE TABLE finding_agencies (finding_id, agency);"
        "CREATE TABLE finding_topics (finding_id, topic);"
    )
    conn.execute(sql, args).fetchall()  # parameterised: any input is just a value


def test_a_search_by_meaning_lists_the_closest_first() -> None:
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        "CREATE TABLE letters (letter_id, urn, local_authority, region, theme, published, "
        "source_url, file_id); CREATE TABLE findings (finding_id, letter_id, section, "
        "subsection, page, position, label, label_confidence, agencies, topics, text);"
    )
    conn.executemany(
        "INSERT INTO letters VALUES (?, '1', 'A', 'R', 'neglect', ?, '', '')",
        [("old", "2016-01-01"), ("new", "2024-01-01")],
    )
    rows = [
        ("old-1", "old", 1, "return home interviews were late"),  # words only
        ("old-2", "old", 2, "children back from missing episodes"),
        ("new-1", "new", 1, "talks with children when they come home"),
        ("new-2", "new", 2, "nothing to do with it"),
    ]
    conn.executemany(
        "INSERT INTO findings VALUES (?, ?, '', '', 1, ?, 'strength', 1, '', '', ?)", rows
    )
    close = ["new-1", "old-2"]  # closest first, as meaning.close_to gives them
    meant = Filters(q="return home interviews", match="meaning", meaning_ids=json.dumps(close))
    for limit in (None, 2):
        sql, args = data.findings_sql(meant, limit=limit, with_total=True)
        got = conn.execute(sql, args).fetchall()
        # Closest first; a sentence that has the words but is not close in meaning comes after.
        assert [r[0] for r in got] == ["new-1", "old-2", "old-1"][:limit]
        assert {r[-1] for r in got} == {3}  # the total is every match, not the page's rows
    sql, args = data.findings_sql(meant.with_(match="words"))
    assert [r[0] for r in conn.execute(sql, args)] == ["old-1"]  # by words: reading order


def test_like_pattern_is_literal() -> None:
    assert data.like_pattern("50%_a\\") == "%50\\%\\_a\\\\%"


def test_wilson_interval() -> None:
    ci = data.wilson(8, 20)
    assert round(ci.share, 3) == 0.4 and round(ci.low, 3) == 0.219 and round(ci.high, 3) == 0.613
    zero = data.wilson(0, 10)
    assert zero.low == 0.0 and 0.27 < zero.high < 0.28
    assert data.wilson(0, 0).share != data.wilson(0, 0).share  # nan: nothing to estimate


def test_county_districts_cover_the_boundary_file() -> None:
    geo = data.boundaries()
    if geo is None:
        return
    known = {f["id"] for f in geo["features"]}
    herts = data.districts_of(["", "E10000015"], known)
    assert "E07000240" in herts and "E07000095" in herts and len(herts) == 10
    every = {d for c in data.COUNTY_DISTRICTS for d in data.districts_of([c], known)}
    assert {c for c in known if c.startswith("E07")} == every


def test_dates_outside_what_the_widgets_accept_are_clamped_to_the_letters_with_a_notice() -> None:
    voc = Vocab(first=date(2016, 4, 5), last=date(2025, 3, 13))
    raw = {"from": ["1900-01-01"], "to": ["2999-12-31"]}
    f, notices = parse_query(raw, voc)
    assert (f.date_from, f.date_to) == (date(2016, 4, 5), date(2025, 3, 13))
    assert len(notices) == 2 and all("outside the letters' dates" in n for n in notices)
    # Inside the widgets' range (2015 to today) a date is kept as given, without a notice.
    f, notices = parse_query({"from": ["2015-06-01"]}, voc)
    assert f.date_from == date(2015, 6, 1) and notices == []
    # Without the corpus's dates nothing is clamped.
    assert parse_query(raw, Vocab())[0].date_to == date(2999, 12, 31)


def test_a_chosen_bar_round_trips_and_a_bad_one_is_named() -> None:
    f, notices = parse(bar="domestic_abuse:improvement")
    assert f.bar == ("domestic_abuse", "improvement") and not notices
    assert to_query(f)["bar"] == "domestic_abuse:improvement"
    assert parse(bar="police:all")[0].bar == ("police", "all")
    f, notices = parse(bar="<b>x</b>:strength")
    assert f.bar is None and "ignored bar" in notices[0]


def test_tag_shares_compare_a_letter_with_its_theme_and_england() -> None:
    import pandas as pd

    tagged = pd.DataFrame(
        {
            "letter_id": ["L", "T1", "T2", "T2", "O"],
            "tag": ["police", "police", "police", "health", "health"],
            "tagged": [2, 1, 2, 1, 4],
        }
    )
    sizes = pd.DataFrame({"letter_id": ["L", "T1", "T2", "O"], "findings": [10, 5, 15, 30]})
    groups = {"letter": ["L"], "theme": ["T1", "T2"], "england": ["T1", "T2", "O"]}
    shares = data.tag_shares(tagged, sizes, groups, ("police", "health", "probation"))
    shares = shares.set_index("tag")
    assert shares.loc["police"].to_dict() == {"letter": 0.2, "theme": 0.15, "england": 0.06}
    assert shares.loc["health"].to_dict() == {"letter": 0.0, "theme": 0.05, "england": 0.1}
    assert shares.loc["probation"].to_dict() == {"letter": 0.0, "theme": 0.0, "england": 0.0}


def test_downloaded_csv_runs_no_formula() -> None:
    import pandas as pd

    df = pd.DataFrame({"local_authority": ['=HYPERLINK("http://x")'], "findings": [3]})
    lines = data.csv_bytes(df).decode().splitlines()
    assert lines[1] == '"\'=HYPERLINK(""http://x"")",3'
