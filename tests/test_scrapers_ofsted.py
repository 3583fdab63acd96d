"""scrapers/ofsted.py: pure parsing of the saved fixture pages (tests/fixtures/site)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from site_fixture import EARLIER_MARKUP_DIR, FIXTURE_DIR, fixture_html

import config
from scrapers import ofsted
from scrapers.ofsted import LayoutChanged

SITE = "https://reports.ofsted.gov.uk"
FILES = "https://files.ofsted.gov.uk/v1/file/"


def search_page(name: str, start: int) -> ofsted.SearchPage:
    return ofsted.parse_search_page(fixture_html(name), ofsted.search_url(SITE, start))


def provider_page(urn: str, name: str | None = None) -> ofsted.ProviderPage:
    return ofsted.parse_provider_page(
        fixture_html(name or f"provider_{urn}.html"), f"{SITE}/provider/44/{urn}"
    )


def test_search_url_has_the_sites_query_and_paging():
    assert ofsted.search_url(SITE + "/", start=100) == (
        f"{SITE}/search?q=&location=&lat=&lon=&radius=&level_1_types=3"
        "&level_2_types%5B%5D=12&start=100&rows=100"
    )


def test_first_search_page_lists_providers_and_has_a_next_page():
    page = search_page("search_start0.html", 0)
    assert [(p.urn, p.name) for p in page.providers] == [
        ("80426", "Barnsley"),
        ("80428", "Bedford"),
        ("80441", "Bristol"),
        ("80447", "Cheshire East"),
    ]
    assert page.providers[0].url == f"{SITE}/provider/44/80426"  # made absolute
    assert page.total == 7
    assert page.has_next is True


def test_last_search_page_has_no_next_page():
    page = search_page("search_start4.html", 4)
    assert [p.urn for p in page.providers] == ["80485", "80498", "80999"]
    assert page.total == 7
    assert page.has_next is False  # a "Previous page" link is not a next one


def test_provider_page_lists_every_publication_with_type_and_date():
    page = provider_page("80426")
    assert (page.urn, page.name, page.url) == ("80426", "Barnsley", f"{SITE}/provider/44/80426")
    assert [(p.file_id, p.report_type, p.published, p.is_jtai) for p in page.publications] == [
        ("50301001", "Focused visit", "2025-03-03", False),
        ("50188665", config.JTAI_REPORT_TYPE, "2022-07-18", True),
        ("50130002", "Children's services inspection", "2019-10-11", False),
    ]
    jtai = page.jtai_letters[0]
    assert jtai.url == FILES + "50188665"
    assert jtai.label == "Joint area child protection inspection, pdf - 18 July 2022"
    assert jtai.file_format == "pdf"


def test_area_with_two_jtai_letters_gives_both():
    page = provider_page("80485")
    assert [(p.file_id, p.published) for p in page.jtai_letters] == [
        ("50000217", "2016-06-29"),
        ("50000222", "2016-08-03"),
    ]


def test_joint_area_review_is_not_a_jtai_despite_the_dash_in_its_type():
    page = provider_page("80498")
    review = page.publications[1]
    assert review.report_type == "Joint area review - progress inspection"
    assert review.published == "2009-07-03"
    assert [p.file_id for p in page.jtai_letters] == ["50024897"]


def test_provider_without_jtai_has_publications_but_no_letters():
    page = provider_page("80999")
    assert len(page.publications) == 2
    assert page.jtai_letters == ()


def test_date_read_from_time_text_when_it_has_no_datetime_attribute():
    # Bedford's fixture <time> carries only "31 March 2023"
    assert provider_page("80428").jtai_letters[0].published == "2023-03-31"


def test_time_element_wins_over_the_label_date():
    html = fixture_html("provider_80447.html").replace(
        "<time pubdate>26 September 2022</time>", "<time pubdate>27 September 2022</time>"
    )
    page = ofsted.parse_provider_page(html, f"{SITE}/provider/44/80447")
    assert page.jtai_letters[0].published == "2022-09-27"


def test_a_datetime_attribute_wins_over_the_time_text():
    # the earlier markup's <time datetime="...">: machine-readable, preferred when present
    html = fixture_html("provider_80447.html", pages_dir=EARLIER_MARKUP_DIR).replace(
        '<time datetime="2022-09-26">', '<time datetime="2022-09-27">'
    )
    page = ofsted.parse_provider_page(html, f"{SITE}/provider/44/80447")
    assert page.jtai_letters[0].published == "2022-09-27"


LIVE_PAGES = sorted(
    p.name for p in FIXTURE_DIR.glob("*.html") if p.name.startswith(("provider_8", "search_start"))
)


@pytest.mark.parametrize("name", LIVE_PAGES)
def test_the_default_fixtures_follow_the_live_markup(name: str):
    soup = BeautifulSoup(fixture_html(name), "html.parser")
    assert "follows the live markup" in fixture_html(name)  # and says so
    times = soup.find_all("time")
    assert all(t.has_attr("pubdate") and not t.has_attr("datetime") for t in times)
    if name.startswith("provider_"):
        assert times and soup.select("ol a.publication-link") and not soup.select("ul.timeline")
    else:
        assert not soup.select("li.pagination__next") and not soup.select("a[rel]")
    if name == "search_start0.html":
        assert soup.select("a.pagination__next[href]")


@pytest.mark.parametrize("name", LIVE_PAGES)
def test_the_earlier_markup_is_kept_as_a_variant_and_read_alike(name: str):
    earlier = fixture_html(name, pages_dir=EARLIER_MARKUP_DIR)
    assert "VARIANT" in earlier
    if name.startswith("provider_"):
        url = f"{SITE}/provider/44/{name[9:14]}"
        assert ofsted.parse_provider_page(earlier, url) == ofsted.parse_provider_page(
            fixture_html(name), url
        )
    else:
        url = ofsted.search_url(SITE, 0)
        assert ofsted.parse_search_page(earlier, url) == ofsted.parse_search_page(
            fixture_html(name), url
        )


def test_search_page_without_provider_links_raises_layout_changed():
    with pytest.raises(LayoutChanged, match=r"no provider links.*/provider/"):
        search_page("search_layout_changed.html", 0)


def test_provider_page_without_publication_links_raises_layout_changed():
    with pytest.raises(LayoutChanged, match=r'no publication links.*class="publication-link"'):
        provider_page("80441", "provider_layout_changed.html")


def test_publication_link_without_its_label_raises_layout_changed():
    html = fixture_html("provider_80441.html").replace('class="nonvisual"', 'class="sr-only"', 1)
    with pytest.raises(LayoutChanged, match="nonvisual"):
        ofsted.parse_provider_page(html, f"{SITE}/provider/44/80441")


HULL_LABEL = (
    "Inspection of services for children in need of help and protection, children looked "
    "after and care leavers single inspection of LA children's services as pdf - 10 February 2015"
)


def test_hulls_label_without_a_comma_is_read_and_does_not_fail_the_page():
    # Kingston upon Hull (URN 80477) lists a publication "... services as pdf - <date>"
    html = fixture_html("provider_80441.html").replace(
        "Children&#39;s services inspection, pdf - 1 May 2021", HULL_LABEL
    )
    page = ofsted.parse_provider_page(html, f"{SITE}/provider/44/80477")
    hull = page.publications[0]
    assert hull.report_type.endswith("single inspection of LA children's services")
    assert (hull.file_format, hull.is_jtai, hull.is_candidate) == ("pdf", False, False)
    assert [p.file_id for p in page.jtai_letters] == ["50000231"]


def test_one_label_in_no_known_form_does_not_fail_the_page():
    html = fixture_html("provider_80441.html").replace(
        "Children&#39;s services inspection, pdf - 1 May 2021", "Annual report (PDF, 1 May 2021)"
    )
    page = ofsted.parse_provider_page(html, f"{SITE}/provider/44/80441")
    (odd,) = page.odd_labels
    assert (odd.report_type, odd.published, odd.is_candidate) == ("", "2021-05-01", False)
    assert [p.file_id for p in page.jtai_letters] == ["50000231"]


def test_every_label_in_another_form_raises_layout_changed():
    html = fixture_html("provider_80441.html").replace(", pdf - ", " (PDF) ")
    with pytest.raises(LayoutChanged, match="none of the publication labels"):
        ofsted.parse_provider_page(html, f"{SITE}/provider/44/80441")


@pytest.mark.parametrize(
    ("label", "candidate"),
    [
        ("Joint targeted area inspection, pdf - 4 June 2025", True),
        ("Joint area child protection inspection (PDF, 1 December 2017)", True),  # unread
        ("Joint inspection of child protection arrangements, pdf - 1 May 2026", True),
        ("Joint area child protection inspection, pdf - 1 December 2017", False),  # the known
        ("Joint area review - progress inspection, pdf - 3 July 2009", False),  # before JTAIs
        ("Children's services inspection, pdf - 1 May 2021", False),
        ("Area SEND inspection, pdf - 2 December 2024", False),
    ],
)
def test_a_joint_inspection_under_another_label_is_a_candidate(label: str, candidate: bool):
    html = (
        fixture_html("provider_80441.html")
        .replace("Joint area child protection inspection, pdf - 1 December 2017", label)
        .replace("<time pubdate>1 December 2017</time>", "")
    )
    page = ofsted.parse_provider_page(html, f"{SITE}/provider/44/80441")
    assert [p.file_id for p in page.candidates] == (["50000231"] if candidate else [])


def test_the_total_is_the_largest_count_the_page_states():
    html = fixture_html("search_start0.html").replace(
        '<p class="search-results__count">',
        '<p>Showing 4 results per page</p><p class="search-results__count">',
    )
    page = ofsted.parse_search_page(html, ofsted.search_url(SITE, 0))
    assert page.total == 7


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("14 July 2017", "2017-07-14"),
        ("3 Aug 2016", "2016-08-03"),
        ("2022-07-18T00:00:00Z", "2022-07-18"),
        ("  1   December 2017 ", "2017-12-01"),
        ("2017-13-40", ""),
        ("soon", ""),
    ],
)
def test_parse_date(text: str, iso: str):
    assert ofsted.parse_date(text) == iso


@pytest.mark.parametrize(
    ("url", "urn"),
    [
        ("https://reports.ofsted.gov.uk/provider/44/80485", "80485"),
        ("/provider/44/80485/", "80485"),
        ("/provider/80485", "80485"),
        ("/provider/44", None),
        ("/provider/44/80485/reports", None),
        ("/search?start=100", None),
    ],
)
def test_urn_from_url(url: str, urn: str | None):
    assert ofsted.urn_from_url(url) == urn


def test_is_jtai_ignores_case_and_spacing_only():
    assert ofsted.is_jtai("joint area  child protection inspection ")
    assert not ofsted.is_jtai("Joint area child protection inspection - monitoring")
    assert not ofsted.is_jtai("Joint area review - progress inspection")
