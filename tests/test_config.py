"""config.py: the exit codes are defined there once, and README.md lists exactly them."""

from __future__ import annotations

import os
import re

import config

README = config.REPO_ROOT / "README.md"
CLIS = [
    config.REPO_ROOT / "scrapers" / "__main__.py",
    config.REPO_ROOT / "analysis" / "__main__.py",
]


def _codes() -> dict[str, int]:
    return {k: v for k, v in vars(config).items() if k.startswith("EXIT_")}


def _readme_table() -> dict[int, str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## When things go wrong") :]
    section = section[: section.index("\n## ", 3)]
    return {
        int(m.group(1)): m.group(2)
        for m in re.finditer(r"^\| (\d+) \| (.*) \|$", section, flags=re.MULTILINE)
    }


def test_the_readme_lists_every_exit_code_and_no_other() -> None:
    assert sorted(_readme_table()) == sorted(_codes().values()) == [0, 1, 2, 3]


def test_the_readme_gives_a_layout_change_the_code_the_scraper_exits_with() -> None:
    table = _readme_table()
    assert "layout changed" in table[config.EXIT_STOPPED]
    rows_naming_layout = [code for code, row in table.items() if "layout" in row]
    assert rows_naming_layout == [config.EXIT_STOPPED]
    prose = README.read_text(encoding="utf-8")
    for m in re.finditer(r"layout[^.]*\(exit (\d)\)", prose):
        assert int(m.group(1)) == config.EXIT_STOPPED, m.group(0)


def test_the_command_lines_use_the_named_codes_only() -> None:
    for path in CLIS:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"return\s+\d+\s*$", source, flags=re.MULTILINE), path


def test_train_jobs_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("JTAI_TRAIN_JOBS", "3")
    assert config.train_jobs() == 3
    for bad in ("0", "two", ""):
        monkeypatch.setenv("JTAI_TRAIN_JOBS", bad)
        assert config.train_jobs() == (os.cpu_count() or 1)
