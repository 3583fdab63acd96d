"""The thematic check, reproducible from the product's own data: of the findings about
perpetrators in domestic-abuse letters, the share that inspectors criticised, 2016-17 against
2024-25. A published thematic report found perpetrator focus still criticised in 2025 as in
2017; mislabelled sentences once turned that into an invented improvement. The tags must give
the share a reader of the same sentences gives (the hand labels of the gold set)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_app_support import build_corpus

from analysis import gold

DA_THEMES = ("domestic_abuse", "domestic_abuse_victims")
PERIODS = {"2016-17": ("2016-01-01", "2017-12-31"), "2024-25": ("2024-01-01", "2025-12-31")}
CRITICISED = ("improvement", "priority_action")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("thematic"), files=None) / "jtai.sqlite"


def criticised_share(conn: sqlite3.Connection, start: str, end: str) -> tuple[int, int]:
    """(criticised, all) perpetrator-focus findings of domestic-abuse letters in the period."""
    row = conn.execute(
        "SELECT SUM(f.label IN (?, ?)), COUNT(*) FROM findings f "
        "JOIN letters l ON l.letter_id = f.letter_id "
        "JOIN finding_topics t ON t.finding_id = f.finding_id AND t.topic = 'perpetrator_focus' "
        f"WHERE l.theme IN ({','.join('?' * len(DA_THEMES))}) AND l.published BETWEEN ? AND ? "
        "AND f.label != 'context'",
        (*CRITICISED, *DA_THEMES, start, end),
    ).fetchone()
    return int(row[0] or 0), int(row[1])


def hand_share(conn: sqlite3.Connection, start: str, end: str) -> tuple[int, int]:
    """The same share from the gold set's hand labels of those letters' sentences (a mixed
    sentence counts as criticised: it criticises)."""
    letters = {
        (urn, pub)
        for urn, pub in conn.execute(
            f"SELECT urn, published FROM letters WHERE theme IN "
            f"({','.join('?' * len(DA_THEMES))}) AND published BETWEEN ? AND ?",
            (*DA_THEMES, start, end),
        )
    }
    rows = [
        r
        for r in gold.read_gold()
        if gold.urn_and_date(r.letter_file) in letters
        and "perpetrator_focus" in r.topics.split(";")
        and r.label != "context"
    ]
    return sum(r.label in (*CRITICISED, "mixed") for r in rows), len(rows)


def test_perpetrator_focus_criticised_then_and_now(db: Path) -> None:
    conn = sqlite3.connect(db)
    shares = {}
    for name, (start, end) in PERIODS.items():
        tagged, total = criticised_share(conn, start, end)
        by_hand, hand_total = hand_share(conn, start, end)
        assert total >= 5 and hand_total >= 5, f"{name}: too few perpetrator findings to compare"
        shares[name] = (tagged / total, by_hand / hand_total)
        print(
            f"{name}: tags {tagged}/{total} = {tagged / total:.0%} criticised; "
            f"by hand {by_hand}/{hand_total} = {by_hand / hand_total:.0%}"
        )
    for name, (tags, hand) in shares.items():
        assert abs(tags - hand) <= 0.15, f"{name}: tags {tags:.0%} against a reader's {hand:.0%}"
    # No invented trend: the change between the periods is the change a reader sees.
    tag_change = shares["2024-25"][0] - shares["2016-17"][0]
    hand_change = shares["2024-25"][1] - shares["2016-17"][1]
    assert abs(tag_change - hand_change) <= 0.15
