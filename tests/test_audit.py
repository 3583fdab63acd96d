"""The supply-chain audit's fallback (.ci/audit.py): a pin that is its project's latest release
is checked against PyPI's project JSON, served here over real HTTP on loopback."""

from __future__ import annotations

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

AUDIT = Path(__file__).resolve().parent.parent / ".ci" / "audit.py"
PROJECTS = {
    "fresh": {"info": {"version": "2.0"}, "vulnerabilities": []},
    "flawed": {
        "info": {"version": "1.5"},
        "vulnerabilities": [
            {"id": "PYSEC-1", "aliases": ["CVE-1"], "fixed_in": ["1.6"], "withdrawn": None},
            {"id": "PYSEC-2", "aliases": [], "fixed_in": [], "withdrawn": "2026-01-01"},
        ],
    },
    "old-format": {"info": {"version": "3.0"}},  # no vulnerability data at all
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        name = self.path.strip("/").split("/")[1] if self.path.count("/") >= 3 else ""
        body = json.dumps(PROJECTS[name]).encode() if name in PROJECTS else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def audit(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AUDIT_PYPI_URL", f"http://127.0.0.1:{server.server_port}/pypi")
    spec = importlib.util.spec_from_file_location("ci_audit", AUDIT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    yield module
    server.shutdown()


def test_latest_release_is_checked_and_withdrawn_advisories_ignored(audit) -> None:  # noqa: ANN001
    assert audit.latest_release_vulns("fresh", "2.0") == []
    assert audit.latest_release_vulns("flawed", "1.5") == [
        {"id": "PYSEC-1", "aliases": ["CVE-1"], "fix_versions": ["1.6"]}
    ]


def test_what_the_project_json_cannot_tell_stays_unaudited(audit) -> None:  # noqa: ANN001
    assert audit.latest_release_vulns("fresh", "1.9") is None  # an older pin
    assert audit.latest_release_vulns("old-format", "3.0") is None  # no vulnerability data
    assert audit.latest_release_vulns("missing", "1.0") is None  # 404


def test_every_runtime_pin_is_read(audit) -> None:  # noqa: ANN001
    pins = audit.pinned_versions()
    assert pins["streamlit"] and pins["typing-extensions"] and pins["jinja2"]
    assert len(pins) == sum(
        "==" in line for line in Path("requirements.txt").read_text().splitlines()
    )
