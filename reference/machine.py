"""What the benchmarks (bench*.py) share: the machine they run on, for the header of their
reports, and the two measures they take of it (percentiles of timings, a process's memory)."""

import os
import platform
from pathlib import Path

import numpy as np


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


def percentile(values, q):
    """The ``q``-th percentile (0 to 100) of ``values`` (a sequence of numbers), as a float."""
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def rss_mb(pid):
    """Resident memory of a process, MB (VmRSS in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")
