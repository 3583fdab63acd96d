"""The short tables and letter lists of app_pages/lists.py (pure HTML from rows). Its sentence
list draws html_parts.sentence_item, tested in tests/test_html_parts.py."""

from __future__ import annotations

import re

import pandas as pd

from app_pages import lists


def test_table_links_only_web_and_area_pages_and_names_each_rows_link() -> None:
    df = pd.DataFrame(
        {
            "Area": ["<b>Liverpool</b>", "Bristol"],
            "Letter": ["https://files.example/1", "javascript:alert(1)"],
        }
    )
    out = lists.table_html(df, links={"Letter": "PDF"}, row_names=["Liverpool, 2016", "Bristol"])
    assert "&lt;b&gt;Liverpool&lt;/b&gt;" in out and "<b>" not in out
    assert "href='https://files.example/1'" in out and "aria-label='PDF: Liverpool, 2016'" in out
    assert "href='javascript" not in out and out.count("<a ") == 1  # shown as text, not a link


def test_letter_list_links_name_their_letter_and_contain_their_text() -> None:
    view = pd.DataFrame(
        [
            {
                "published": "2016-08-03",
                "local_authority": "Liverpool",
                "theme": "CSE & missing",
                "letter": "https://files.example/1",
                "profile": "area?la=80485",
            }
        ]
    )
    out = lists.letter_list_html(view)
    assert "<strong>Liverpool</strong>" in out and "CSE &amp; missing" in out
    for name, text in re.findall(r"aria-label='([^']*)'>([^<]*)</a>", out):
        assert text in name, (text, name)
    assert "target='_self'" in out  # this app's own page opens in place
