"""The machine a benchmark runs on, for the header of its report (bench*.py)."""

import os
import platform
from pathlib import Path


def describe():
    """One line: CPU model, cores, OS, and the load when the benchmark started.

    The load average says whether other jobs shared the cores (then timings are
    upper bounds), rather than the report claiming it either way.
    """
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        f"load average (1 min) {os.getloadavg()[0]:.1f} when it started (where other jobs "
        "shared the cores, timings are upper bounds)."
    )
