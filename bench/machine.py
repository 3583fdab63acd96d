"""The machine a benchmark ran on, one line, printed above its figures."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> str:
    model = "?"
    ram_gib = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gib = int(line.split()[1]) / 1024 / 1024
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} cores, {model}, {ram_gib:.0f} GiB RAM, "
        f"Python {platform.python_version()}, load average at start {load}"
    )
