"""Benchmarks of the kit, printed as tables (``make bench``).

Each measurement runs in a fresh process, several times; the tables give the
median and the range. Peak memory is the largest resident set of any process
the command started (for a grading run: the notebook's kernel).

    python reference/bench.py [--repeat 3]
"""

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Runs a command and reports its wall time and the peak RSS of its process tree.
_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall_s": wall, "peak_mb": peak_kb / 1024, "exit": done.returncode}))
"""


def measure(command, repeat):
    """Run ``command`` ``repeat`` times; returns the list of ``{"wall_s", "peak_mb"}``."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _MEASURE, *map(str, command)],
                             capture_output=True, text=True, cwd=REPO, check=True)
        run = json.loads(out.stdout)
        if run["exit"] != 0:
            raise RuntimeError(f"{' '.join(map(str, command))} exited with {run['exit']}")
        runs.append(run)
    return runs


def row(name, runs):
    walls = [r["wall_s"] for r in runs]
    peaks = [r["peak_mb"] for r in runs]
    return (f"| {name} | {statistics.median(walls):.1f} | {min(walls):.1f}–{max(walls):.1f} "
            f"| {statistics.median(peaks):,.0f} | {len(runs)} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import keras
    import otter
    import tensorflow as tf

    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
          f"{len(__import__('os').sched_getaffinity(0))} cores; Python {platform.python_version()}, "
          f"tensorflow {tf.__version__}, keras {keras.__version__}, otter-grader {otter.__version__}\n")
    print("| what | median (s) | range (s) | peak memory (MB, median) | runs |")
    print("|---|---|---|---|---|")

    python = sys.executable
    build = measure([python, "-m", "autograder.build"], args.repeat)
    print(row("`make assignments` (all TPs, fr + en, warm environment)", build), flush=True)

    dist = REPO / "dist"
    for zip_path in sorted(dist.glob("*/autograder.zip")):
        name = zip_path.parent.name
        solution = dist / "en" / name / "solution" / f"{name}.ipynb"
        with tempfile.TemporaryDirectory() as out:
            runs = measure([python, "-m", "otter", "run", "-a", zip_path, "-o", out, solution], args.repeat)
        print(row(f"`otter run` grading the {name} solution", runs), flush=True)

    # Accuracy is deterministic for a seed: `make calibrate` measured it once (reference/results.md).
    print("\n| reference solution | held-out accuracy, min | median | seeds | pass mark |")
    print("|---|---|---|---|---|")
    for name, entry in json.loads((REPO / "reference" / "thresholds.json").read_text()).items():
        stats = entry["test_accuracy"]
        if "reference_min" in stats:
            print(f"| {name} | {100 * stats['reference_min']:.2f} % | {100 * stats['reference_median']:.2f} % "
                  f"| {stats['seeds']} | {100 * stats['threshold']:.1f} % |")


if __name__ == "__main__":
    main()
