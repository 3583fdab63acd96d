"""The sentence lists and short tables of app_pages/lists.py (pure HTML from rows)."""

from __future__ import annotations

import pandas as pd

from app_pages import lists


def row(**over: object) -> pd.Series:
    base = {
        "finding_id": "80485-2016-08-03-0042",
        "local_authority": "Liverpool City Council",
        "urn": "80485",
        "published": "2016-08-03",
        "label": "improvement",
        "text": "Police <b>do</b> not share & record.",
        "page": 4,
        "source_url": "https://files.example/v1/file/1",
    }
    return pd.Series({**base, **over})


def test_a_sentence_says_its_letters_date_as_people_write_it() -> None:
    li = lists.sentence_html(row(), area="Liverpool")
    assert "Liverpool, 3 Aug 2016, " in li  # as /similar and the brief say it, not 2016-08-03
    assert "2016-08-03" not in li.replace("80485-2016-08-03-0042", "")
    assert "p. 4 of the Liverpool letter of 3 Aug 2016 (PDF)" in li


def test_a_sentence_is_escaped_and_links_to_its_page_and_to_findings_like_it() -> None:
    li = lists.sentence_html(row(), area="Liverpool")
    assert "&lt;b&gt;do&lt;/b&gt; not share &amp; record." in li
    assert "href='https://files.example/v1/file/1#page=4'" in li
    assert "similar?finding=80485-2016-08-03-0042" in li
