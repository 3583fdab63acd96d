"""Known vulnerabilities in the pinned runtime set (requirements.txt), by pip-audit.

    python .ci/audit.py        (make audit; CI runs it before the tests)

Fails (exit 1) on any known vulnerability not listed, with its reason, in
.ci/audit-exceptions.txt. A package the vulnerability service cannot answer for is named as NOT
AUDITED: a machine without that service cannot prove the absence of vulnerabilities, and the
output says so rather than passing in silence. AUDIT_STRICT=1 makes that a failure too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
        f"audited, {len(found)} known vulnerabilities, {len(waived)} accepted by exception, "
        f"{len(skipped)} NOT AUDITED"
    )
    for entry in found:
        print(f"  VULNERABLE {entry}")
    for entry in waived:
        print(f"  accepted   {entry}")
    if skipped:
        reasons = {d["skip_reason"].split(":")[0] for d in skipped}
        print(f"  not audited: {', '.join(sorted(d['name'] for d in skipped))}")
        print(f"  why: {'; '.join(sorted(reasons))} (is the vulnerability service reachable?)")
    if found:
        return 1
    if skipped and os.environ.get("AUDIT_STRICT") == "1":
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
