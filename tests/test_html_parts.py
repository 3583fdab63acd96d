"""The cross-letter pages' HTML pieces (app_pages/html_parts.py): escaped, links only where
they may go, sentences grouped under their letter."""

from __future__ import annotations

import re

import pandas as pd

import config
from app_pages import html_parts as hp

LOOKUP = {"80485": "Liverpool"}  # the LA lookup's name for the area (Vocab.la_names)


def row(**over: object) -> dict[str, object]:
    base = {
        "finding_id": "80485-2016-08-03-0042",
        "letter_id": "80485-2016-08-03",
        "urn": "80485",
        "local_authority": "Liverpool City Council",  # as the letter spells it
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
    li = hp.sentence_item(
        row(), with_letter=True, theme_name=lambda t: "CSE & missing", la_names=LOOKUP
    )
    assert "Police &lt;b&gt;do&lt;/b&gt; not share &amp; record." in li
    assert "https://files.example/v1/file/1#page=4" in li
    # A link's accessible name includes its visible text (WCAG 2.5.3).
    for text, label in re.findall(r"aria-label='([^']*)'>([^<]*)</a>", li):
        assert label in text, (label, text)
    assert "similar?finding=80485-2016-08-03-0042" in li
    assert "Liverpool, 3 Aug 2016, CSE &amp; missing" in li
    assert "Area for improvement" in li
    local = hp.sentence_item(row(source_url="", urn="x"), with_letter=False, similar_link=False)
    assert "p. 4" in local and "href" not in local  # no file address and no reports page


def test_a_sentence_names_its_area_as_the_la_lookup_does() -> None:
    li = hp.sentence_item(row(), with_letter=True, la_names=LOOKUP)
    assert "Liverpool, 3 Aug 2016, " in li  # as people write the date, not 2016-08-03
    assert "City Council" not in li  # one area, one name on every page
    assert "p. 4 of the Liverpool letter of 3 Aug 2016 (PDF)" in li
    # An area the lookup does not know keeps the letter's own name.
    assert "Liverpool City Council, 3 Aug 2016" in hp.sentence_item(row(), with_letter=True)


def test_a_sentence_without_a_file_address_links_to_its_area_on_the_reports_website() -> None:
    li = hp.sentence_item(row(source_url=""), with_letter=True, la_names=LOOKUP)
    assert f"href='{config.SITE_BASE_URL}/provider/44/80485'" in li
    assert ">letter on the reports website</a>" in li
    for text, label in re.findall(r"aria-label='([^']*)'>([^<]*)</a>", li):
        assert label in text, (label, text)


def test_link_names_in_a_list_are_unique_per_destination() -> None:
    rows = [row(), row(finding_id="80485-2016-08-03-0043", page=5)]
    out = "".join(hp.sentence_item(r, with_letter=True, la_names=LOOKUP) for r in rows)
    links = re.findall(r"href='([^']*)'[^>]*aria-label='([^']*)'", out)
    names = {}
    for href, name in links:
        assert names.setdefault(name, href) == href, name  # one name, one destination
    assert len(names) == 4


def test_sentences_grouped_by_letter_in_row_order() -> None:
    rows = pd.DataFrame(
        [
            row(),
            row(finding_id="b-1", letter_id="b", urn="b", local_authority="Bristol", text="One."),
            row(finding_id="80485-2016-08-03-0043", text="Two."),
        ]
    )
    out = hp.sentences_by_letter(rows, lambda t: "Theme", heading_level=3, la_names=LOOKUP)
    assert out.index("Liverpool") < out.index("Bristol")
    assert "<h3 class='jt-letter'>Liverpool, 3 Aug 2016" in out and "City Council" not in out
    assert out.count("<h3") == 2 and "2 sentences</h3>" in out and "1 sentence</h3>" in out


def test_a_letter_links_to_its_pdf_else_to_its_area_on_the_reports_website() -> None:
    pdf = hp.letter_link("https://files.example/v1/file/1", "80485", "Liverpool", "3 Aug 2016")
    assert pdf.href == "https://files.example/v1/file/1" and pdf.text == "PDF"
    assert pdf.text in pdf.label and "Liverpool" in pdf.label and "3 Aug 2016" in pdf.label
    site = hp.letter_link("", "80485", "Liverpool", "3 Aug 2016")
    assert site.href == f"{config.SITE_BASE_URL}/provider/44/80485"
    assert site.text in site.label and "Liverpool" in site.label
    assert hp.letter_link("", "not-a-urn", "Liverpool", "3 Aug 2016") == ""


def test_only_text_columns_may_wrap() -> None:
    out = hp.table([{"Theme": "Children's mental health", "Letters": 3}], ["Theme", "Letters"],
                   text_columns=["Theme"])  # fmt: skip
    assert "<td class='jt-text'>Children&#x27;s mental health</td><td>3</td>" in out
    assert "td.jt-text{white-space:normal" in hp.STYLE
