"""The runtime set (requirements.txt) is whole, pinned, installed as pinned, listed in
docs/licences.md, and free of AGPL/GPL by the packages' own metadata."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
COPYLEFT = re.compile(r"\b(A?GPL|GNU (Affero )?General Public)", re.IGNORECASE)


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.txt: '{line}' is not pinned with =="
            pins[canonicalize_name(name)] = version
    return pins


def _documented() -> dict[str, tuple[str, str]]:
    rows = re.findall(
        r"^\| (\S+) \| (\S+) \| (.+) \|$", (REPO / "docs/licences.md").read_text(), re.M
    )
    return {canonicalize_name(n): (v, lic) for n, v, lic in rows if n not in ("package", "---")}


def _licence_fields(name: str) -> list[str]:
    meta = metadata.metadata(name)
    fields = [meta.get("License-Expression") or "", (meta.get("License") or "").split("\n")[0]]
    fields += [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return [f for f in fields if f]


def _runtime_closure(roots: list[str]) -> set[str]:
    """Every package the pinned ones need on this platform, by their installed metadata."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = canonicalize_name(stack.pop())
        if name in seen:
            continue
        seen.add(name)
        for spec in metadata.requires(name) or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                stack.append(req.name)
    return seen


def test_every_runtime_package_is_pinned_and_installed_as_pinned() -> None:
    pins = _pins()
    missing = _runtime_closure(list(pins)) - set(pins)
    assert not missing, f"runtime packages not pinned in requirements.txt: {sorted(missing)}"
    wrong = {n: (v, metadata.version(n)) for n, v in pins.items() if metadata.version(n) != v}
    assert not wrong, f"installed versions differ from the pins: {wrong}"


def test_every_runtime_package_is_listed_with_its_licence() -> None:
    pins, documented = _pins(), _documented()
    assert set(documented) == set(pins), set(documented) ^ set(pins)
    for name, version in pins.items():
        assert documented[name][0] == version, f"docs/licences.md: {name} {documented[name][0]}"


def test_no_runtime_package_is_gpl_or_agpl() -> None:
    for name in _pins():
        fields = _licence_fields(name)
        assert fields, f"{name} declares no licence: check it by hand and document it"
        bad = [f for f in fields if COPYLEFT.search(f) and "LGPL" not in f.upper()]
        assert not bad, f"{name}: {bad}"
    for name, (_, licence) in _documented().items():
        assert not COPYLEFT.search(licence), f"docs/licences.md lists {name} as {licence}"


def test_the_copyleft_check_can_fail() -> None:
    assert COPYLEFT.search("GNU Affero General Public License v3")
    assert COPYLEFT.search("AGPL-3.0-only")
    assert COPYLEFT.search("License :: OSI Approved :: GNU General Public License v3 (GPLv3)")
    assert not COPYLEFT.search("BSD-3-Clause")
