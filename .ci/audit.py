"""Known vulnerabilities in the pinned runtime set (requirements.txt), by pip-audit.

    python .ci/audit.py        (make audit; CI runs it before the tests)

Fails (exit 1) on any known vulnerability not listed, with its reason, in
.ci/audit-exceptions.txt. A package the vulnerability service cannot answer for is named as NOT
AUDITED: a machine without that service cannot prove the absence of vulnerabilities, and the
output says so rather than passing in silence. AUDIT_STRICT=1 makes that a failure too.

Where pip-audit's service cannot answer (its per-release PyPI endpoint is not reachable from
every machine), a pin that is its project's latest release is checked against PyPI's project
JSON instead, whose ``vulnerabilities`` are those of the latest release: the same data
(PyPI's, from OSV) for the same version. Any other pin stays NOT AUDITED.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
EXCEPTIONS = REPO / ".ci" / "audit-exceptions.txt"


def exceptions() -> dict[str, str]:
    """Vulnerability id -> the documented reason it is accepted."""
    out: dict[str, str] = {}
    for line in EXCEPTIONS.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            vuln_id, _, reason = line.partition(" ")
            if not reason.strip():
                sys.exit(f"{EXCEPTIONS}: '{vuln_id}' has no reason")
            out[vuln_id] = reason.strip()
    return out


PYPI_PROJECT_JSON = os.environ.get("AUDIT_PYPI_URL", "https://pypi.org/pypi") + "/{name}/json"


def pinned_versions() -> dict[str, str]:
    """Canonical name -> pinned version, from requirements.txt (every runtime package is
    pinned with ==; pip-audit's report leaves the version out of a package it skipped)."""
    out = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        req = line.split("#")[0].strip()
        if "==" in req:
            name, _, version = req.partition("==")
            out[canonicalize_name(name.split("[")[0])] = version.strip()
    return out


def latest_release_vulns(name: str, version: str) -> list[dict] | None:
    """The known vulnerabilities of ``name`` ``version`` when that is the project's latest
    release on PyPI (in pip-audit's report shape), else None: the project JSON cannot tell."""
    import requests  # a pinned runtime dependency

    try:
        resp = requests.get(PYPI_PROJECT_JSON.format(name=name), timeout=30)
        resp.raise_for_status()
        project = resp.json()
    except (requests.RequestException, ValueError):
        return None
    if project.get("info", {}).get("version") != version or "vulnerabilities" not in project:
        return None
    return [
        {"id": v["id"], "aliases": v.get("aliases") or [], "fix_versions": v.get("fixed_in") or []}
        for v in project["vulnerabilities"]
        if not v.get("withdrawn")
    ]


def main() -> int:
    # Every runtime package is pinned (tests/test_licences.py), so no resolution is needed.
    cmd = [sys.executable, "-m", "pip_audit", "-r", str(REPO / "requirements.txt"), "--no-deps",
           "--disable-pip", "--format", "json", "--progress-spinner", "off"]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr, file=sys.stderr)
        print("pip-audit: no report (see above)", file=sys.stderr)
        return 1
    accepted = exceptions()
    deps = report["dependencies"]
    pins = pinned_versions()
    by_json = []
    for dep in deps:
        if dep.get("skip_reason"):
            dep["version"] = pins.get(canonicalize_name(dep["name"]), "")
            vulns = latest_release_vulns(dep["name"], dep["version"])
            if vulns is not None:
                dep.update(vulns=vulns, skip_reason=None)
                by_json.append(dep["name"])
    skipped = [d for d in deps if d.get("skip_reason")]
    found, waived = [], []
    for dep in deps:
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            entry = (
                f"{dep['name']} {dep.get('version', '')}: {vuln['id']} (fix: "
                + (", ".join(vuln.get("fix_versions", [])) or "none")
                + ")"
            )
            (waived if ids & set(accepted) else found).append(entry)
    print(
        f"pip-audit over requirements.txt: {len(deps)} packages, {len(deps) - len(skipped)} "
        f"audited ({len(by_json)} of them by PyPI's project JSON: the pin is the latest "
        f"release), {len(found)} known vulnerabilities, {len(waived)} accepted by exception, "
        f"{len(skipped)} NOT AUDITED"
    )
    for entry in found:
        print(f"  VULNERABLE {entry}")
    for entry in waived:
        print(f"  accepted   {entry}")
    if skipped:
        reasons = {d["skip_reason"].split(":")[0] for d in skipped}
        names = sorted(f"{d['name']} {d['version']}" for d in skipped)
        print(f"  not audited: {', '.join(names)}")
        print(f"  why: {'; '.join(sorted(reasons))} (is the vulnerability service reachable?)")
    if found:
        return 1
    if skipped and os.environ.get("AUDIT_STRICT") == "1":
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
