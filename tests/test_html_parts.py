"""The cross-letter pages' HTML pieces (app_pages/html_parts.py): escaped, links only where
they may go, sentences grouped under their letter."""

from __future__ import annotations

import re

import pandas as pd

from app_pages import html_parts as hp


def row(**over: object) -> dict[str, object]:
    base = {
        "finding_id": "80485-2016-08-03-0042",
        "letter_id": "80485-2016-08-03",
        "local_authority": "Liverpool",
        "published": "2016-08-03",
        "theme": "cse_missing",
        "label": "improvement",
        "text": "Police <b>do</b> not share & record.",
        "page": 4,
        "source_url": "https://files.example/v1/file/1",
    }
    return {**base, **over}


def test_links_only_to_this_app_or_the_web() -> None:
    assert hp.anchor(hp.Link("javascript:alert(1)", "x<y")) == "x&lt;y"
    assert hp.anchor(hp.Link("data:text/html,hi", "t")) == "t"
    inside = hp.anchor(hp.Link(hp.app_link("recurring", {"theme": "a,b", "q": "x y&z"}), "3 of 5"))
    assert "href='recurring?theme=a,b&amp;q=x+y%26z'" in inside and "target='_self'" in inside
    outside = hp.anchor(hp.Link("https://e.example/a'b", "PDF", "the letter"))
    assert "href='https://e.example/a&#x27;b'" in outside and "rel='noopener'" in outside
    assert "aria-label='the letter'" in outside


def test_table_escapes_every_cell() -> None:
    out = hp.table([{"A": "<script>", "B": hp.Link("area?la=1", "open")}], ["A", "B"], "Cap & c")
    assert "tabindex='0' role='region' aria-label='Cap &amp; c'" in out  # scrolls by keyboard
    assert "&lt;script&gt;" in out and "<script>" not in out
    assert "<caption>Cap &amp; c</caption>" in out and "<th scope='col'>A</th>" in out


def test_sentence_item_escapes_and_links_page_and_similar() -> None:
    li = hp.sentence_item(row(), with_letter=True, theme_name=lambda t: "CSE & missing")
    assert "Police &lt;b&gt;do&lt;/b&gt; not share &amp; record." in li
    assert "https://files.example/v1/file/1#page=4" in li
    # A link's accessible name includes its visible text (WCAG 2.5.3).
    for text, label in re.findall(r"aria-label='([^']*)'>([^<]*)</a>", li):
        assert label in text, (label, text)
    assert "similar?finding=80485-2016-08-03-0042" in li
    assert "Liverpool, 3 Aug 2016, CSE &amp; missing" in li
    assert "Area for improvement" in li
    local = hp.sentence_item(row(source_url=""), with_letter=False, similar_link=False)
    assert "p. 4" in local and "href" not in local


def test_sentences_grouped_by_letter_in_row_order() -> None:
    rows = pd.DataFrame(
        [
            row(),
            row(finding_id="b-1", letter_id="b", local_authority="Bristol", text="One."),
            row(finding_id="80485-2016-08-03-0043", text="Two."),
        ]
    )
    out = hp.sentences_by_letter(rows, lambda t: "Theme", heading_level=3)
    assert out.index("Liverpool") < out.index("Bristol")
    assert out.count("<h3") == 2 and "2 sentences</h3>" in out and "1 sentence</h3>" in out
