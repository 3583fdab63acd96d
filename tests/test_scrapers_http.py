"""scrapers/http.py: the polite client against the fixture site (real HTTP on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from site_fixture import FixtureSite, Status

import config
from scrapers.http import ClientSettings, PoliteClient, RobotsDisallowed, Throttle


def client(**settings) -> PoliteClient:
    return PoliteClient(ClientSettings(**{"delay": 0.0, "timeout": 5.0, **settings}))


def test_throttle_waits_out_the_interval():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(1.0, clock=lambda: now[0], sleep=sleep)
    throttle.wait()  # the first request goes at once
    now[0] += 0.25
    throttle.wait()
    now[0] += 5.0
    throttle.wait()  # long enough since the last one
    assert slept == [pytest.approx(0.75)]


def test_page_is_revalidated_from_the_cache(site: FixtureSite, data_dir: Path):
    url = f"{site.base_url}/provider/44/80426"
    with client() as c:
        first = c.get_page(url)
        second = c.get_page(url)
        assert c.requests_sent == 3  # robots.txt and the page twice
    assert first == second and b"Barnsley" in first
    hits = site.hits_on("/provider/44/80426")
    assert [h.answer for h in hits] == ["200", "304"]
    assert config.http_cache_path().exists()


def test_error_status_is_raised_without_retrying_a_404(site: FixtureSite, data_dir: Path):
    with client() as c, pytest.raises(requests.HTTPError, match="404"):
        c.get_page(f"{site.base_url}/provider/44/12345")
    assert len(site.hits_on("/provider/44/12345")) == 1


def test_robots_disallowed_path_is_never_requested(site: FixtureSite, data_dir: Path):
    with client() as c, pytest.raises(RobotsDisallowed, match="disallows"):
        c.get_page(f"{site.base_url}/admin/secrets")
    assert [h.path for h in site.hits] == ["/robots.txt"]


def test_robots_crawl_delay_slows_the_client_down(site: FixtureSite, data_dir: Path):
    site.robots = "robots_crawl_delay.txt"  # Crawl-delay: 1 (urllib.robotparser: whole seconds)
    with client(use_cache=False) as c:
        for _ in range(2):
            c.get_page(f"{site.base_url}/provider/44/80426")
    times = [h.at for h in site.hits]
    assert len(times) == 3
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.99


def test_missing_robots_txt_allows_everything(site: FixtureSite, data_dir: Path):
    site.robots = None
    with client() as c:
        assert b"Bedford" in c.get_page(f"{site.base_url}/provider/44/80428")


def test_unreadable_robots_txt_counts_as_disallowed(site: FixtureSite, data_dir: Path):
    site.script("/robots.txt", Status(503))
    with client(retries=0) as c, pytest.raises(RobotsDisallowed, match="HTTP 503"):
        c.get_page(f"{site.base_url}/provider/44/80428")
    assert [h.path for h in site.hits] == ["/robots.txt"]
