"""Configuration in one place: paths under the data directory, the live site's addresses,
and the politeness settings of the scraper.

Everything reads and writes under ``JTAI_DATA_DIR`` (default ``data/`` in the repo) so that
two corpora never mix. Values are read when called, not at import, so tests can point a
process at a temporary directory by setting the environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent
# The shared material (letters for tests, the LA lookup and boundaries) sits beside the repo;
# JTAI_SHARED_DIR points elsewhere (e.g. a mounted volume in a container).
SHARED_DIR = Path(os.environ.get("JTAI_SHARED_DIR") or REPO_ROOT.parent / "shared")
REFERENCE_DIR = SHARED_DIR / "reference"
LA_LOOKUP_CSV = REFERENCE_DIR / "la_lookup.csv"
LA_BOUNDARIES_GEOJSON = REFERENCE_DIR / "la_district_boundaries.geojson"
GOLD_DIR = REPO_ROOT / "gold"

PROJECT_URL = "https://github.com/jtai-findings-explorer/jtai-findings-explorer"
USER_AGENT = f"jtai-findings-explorer/0.1 (+{PROJECT_URL})"

# Ofsted's reports website, as of 2025-2026. Both are overridable (--base-url) so the
# scraper can be pointed at a fixture server.
SITE_BASE_URL = "https://reports.ofsted.gov.uk"
SEARCH_PATH = "/search"
# category 3 = children's social care, sub-category 12 = local authority children's services
SEARCH_PARAMS = {
    "q": "",
    "location": "",
    "lat": "",
    "lon": "",
    "radius": "",
    "level_1_types": "3",
    "level_2_types[]": "12",
}
SEARCH_ROWS = 100  # the site serves at most 100 results a page
JTAI_REPORT_TYPE = "Joint area child protection inspection"

DEFAULT_DELAY_SECONDS = 1.0  # at most one request a second unless told otherwise
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_RETRIES = 4
# A server that drips bytes just inside the timeout would otherwise hold a run for ever: one
# file gets this long in all, and a letter (a few hundred KB) is never near this size.
DEFAULT_DOWNLOAD_DEADLINE_SECONDS = 300.0
MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024  # a letter is a few hundred KB; fetch and ingest cap
# JTAIs began in 2016: a publication dated earlier is not one, whatever its label says.
JTAI_FIRST_YEAR = 2016
# The reports website lists about 150 local authorities, la_lookup.csv 156: discovery that
# finds far fewer than this share of the lookup's areas has stopped early, and says so.
MIN_PROVIDER_SHARE = 0.9
# The JTAIs known to have taken place (area, URN, publication date): what coverage is measured
# against after a fetch or ingest, and on the dashboard.
KNOWN_JTAI_LETTERS_CSV = REFERENCE_DIR / "known_jtai_letters.csv"

# Exit codes of every command (python -m scrapers ..., python -m analysis ...), the one place
# they are defined; README.md "When things go wrong" lists them.
EXIT_OK = 0  # done
EXIT_FAILURES = 1  # finished, but some items failed: each is named in the summary
EXIT_USAGE = 2  # bad command line (argparse's code), or nothing to work on yet
EXIT_STOPPED = 3  # stopped before the end, nothing half-done: the message says why


def _jobs(variable: str) -> int:
    """A positive whole number from the environment variable, else every core."""
    value = os.environ.get(variable, "")
    return int(value) if value.isdigit() and int(value) > 0 else (os.cpu_count() or 1)


def train_jobs() -> int:
    """Threads that train the label and tag models side by side (JTAI_TRAIN_JOBS; default:
    every core). Training runs after the embedding, so the cores are otherwise idle."""
    return _jobs("JTAI_TRAIN_JOBS")


def embed_jobs() -> int:
    """Model sessions that embed batches side by side, one core each (JTAI_EMBED_JOBS; default:
    every core). Two one-thread sessions embed the shared letters about a tenth faster than
    one session spreading each small batch over two threads, with the same vectors."""
    return _jobs("JTAI_EMBED_JOBS")


def gold_letters_dir() -> Path | None:
    """Where the gold set's letters can be read for training when the corpus lacks them (a
    folder of other letters, or a partial fetch): the shared letters, or JTAI_GOLD_LETTERS_DIR
    ("" turns this off). The gold files hold keys and labels only; the text comes from here."""
    value = os.environ.get("JTAI_GOLD_LETTERS_DIR")
    if value is not None:
        return Path(value) if value else None
    return SHARED_DIR / "jtai-letters"


def data_dir() -> Path:
    return Path(os.environ.get("JTAI_DATA_DIR") or REPO_ROOT / "data")


def raw_dir() -> Path:
    """Raw PDFs as downloaded, named ``<file_id>.pdf``, never edited."""
    return data_dir() / "raw"


def raw_manifest_path() -> Path:
    """One row per raw PDF: where it came from and its checksum (see scrapers.rawstore)."""
    return raw_dir() / "manifest.csv"


def http_cache_path() -> Path:
    return data_dir() / "http_cache.sqlite"


def db_path() -> Path:
    return data_dir() / "jtai.sqlite"


def build_lock_path() -> Path:
    return data_dir() / "build.lock"


def models_dir() -> Path:
    return data_dir() / "models"


def embed_cache_path() -> Path:
    """Sentence vectors kept between builds (analysis.embed_cache); JTAI_EMBED_CACHE puts them
    elsewhere (the tests share one file across their many small data directories)."""
    return Path(os.environ.get("JTAI_EMBED_CACHE") or data_dir() / "cache" / "embeddings.sqlite")


def evaluation_dir() -> Path:
    return data_dir() / "evaluation"
