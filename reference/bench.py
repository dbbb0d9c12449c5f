"""Benchmarks of the kit, printed as tables (``make bench``).

Each measurement runs in a fresh process, several times; the tables give the
median and the range. Peak memory is the largest resident set of any process
the command started (for a grading run: the notebook's kernel).

    python -m reference.bench [--repeat 3] [--only build|grading] [--submissions 20] [--write]
    python -m reference.bench --against REV [--repeat 5]

``--against REV`` times the grading of TP1's solution by this tree's zip and by the
zip of git revision REV (built in a temporary worktree), alternating the two so that
both see the same load: how much a change to the grading costs.

``--write`` also saves the tables to reference/bench.md. The robot lab has its own
benchmarks (reference/bench_robot.py, reference/bench_ros.py); `make bench` runs all three.

The grading section measures what an instructor plans with: `make grade`'s
throughput on a folder of TP1 submissions (solution copies and wrong ones), and
each autograder zip's own run_autograder in Gradescope's layout (in a venv built
from the zip's environment.yml; see autograder/gradescope.py).
"""

import argparse
import contextlib
import io
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder import REPO_ROOT as REPO

from . import machine

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
        out = subprocess.run(
            [sys.executable, "-c", _MEASURE, *map(str, command)], capture_output=True, text=True, cwd=REPO, check=True
        )
        run = json.loads(out.stdout)
        if run["exit"] != 0:
            raise RuntimeError(f"{' '.join(map(str, command))} exited with {run['exit']}")
        runs.append(run)
    return runs


def row(name, runs):
    walls = [r["wall_s"] for r in runs]
    peaks = [r["peak_mb"] for r in runs]
    return (
        f"| {name} | {statistics.median(walls):.1f} | {min(walls):.1f}–{max(walls):.1f} "
        f"| {statistics.median(peaks):,.0f} | {len(runs)} |"
    )


def graded_zips():
    """``[(name, autograder zip, English solution notebook)]`` of the notebook assignments in dist/."""
    dist = REPO / "dist"
    found = []
    for zip_path in sorted(dist.glob("*/autograder.zip")):
        name = zip_path.parent.name
        solution = dist / "en" / name / "solution" / f"{name}.ipynb"
        if solution.is_file():  # the robot lab's zip grades something else
            found.append((name, zip_path, solution))
    return found


def grading_throughput(n_submissions, jobs=2):
    """Grade a folder of ``n_submissions`` TP1 notebooks with ``make grade``'s entry point.

    One in five is a wrong submission (reference/submissions/tp1_dense.py), the rest
    copies of the solution. Returns ``(wall seconds, peak MB of the whole grading
    run's processes together, [peak MB of each submission's run])``.
    """
    from autograder.grade import apply_changes, watch

    from .submissions import tp1_dense

    solution = REPO / "dist" / "en" / "tp1_dense" / "solution" / "tp1_dense.ipynb"
    mutants = sorted(tp1_dense.MUTANTS.items())
    with tempfile.TemporaryDirectory() as work:
        folder, out = Path(work) / "submissions", Path(work) / "grades"
        folder.mkdir()
        for i in range(n_submissions):
            target = folder / f"student{i:02d}.ipynb"
            if i % 5 == 4:
                apply_changes(solution, mutants[(i // 5) % len(mutants)][1][0], target)
            else:
                target.write_bytes(solution.read_bytes())
        start = time.perf_counter()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "autograder.grade",
                "tp1_dense",
                str(folder),
                "--out",
                str(out),
                "--jobs",
                str(jobs),
            ],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        peak = watch(process, timeout=3600)
        wall = time.perf_counter() - start
        if process.returncode != 0:
            raise RuntimeError(f"make grade exited with {process.returncode}")
        rows = [json.loads(p.read_text()) for p in out.glob("*/done.json")]
    return wall, peak / 2**20, [r["peak_memory_mb"] for r in rows if r["status"] == "graded"]


def grading_against(revision, repeat, name="tp1_dense"):
    """Alternate `otter run` on ``name``'s solution with this tree's zip and ``revision``'s; prints a table."""
    python = sys.executable
    trees = {"this tree": REPO}
    with tempfile.TemporaryDirectory() as work:
        other = Path(work) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(other), revision], cwd=REPO, check=True)
        try:
            (other / "data").symlink_to(REPO / "data")  # the checksum-verified MNIST files
            trees[f"`{revision}`"] = other
            for tree in trees.values():
                subprocess.run([python, "-m", "autograder.build", name], cwd=tree, check=True, capture_output=True)
            runs = {label: [] for label in trees}
            for _ in range(repeat):
                for label, tree in trees.items():
                    solution = tree / "dist" / "en" / name / "solution" / f"{name}.ipynb"
                    zip_path = tree / "dist" / name / "autograder.zip"
                    out = Path(work) / "out"
                    out.mkdir(exist_ok=True)
                    runs[label] += measure([python, "-m", "otter", "run", "-a", zip_path, "-o", out, solution], 1)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=REPO, check=True)
    print(
        f"\n| `otter run` grading the {name} solution, alternated | median (s) | range (s) "
        "| peak memory (MB, median) | runs |"
    )
    print("|---|---|---|---|---|")
    for label, measured in runs.items():
        print(row(label, measured).replace(f"| {label} |", f"| zip of {label} |", 1), flush=True)
    medians = [statistics.median(r["wall_s"] for r in measured) for measured in runs.values()]
    print(f"\nThis tree's median is {100 * (medians[0] / medians[1] - 1):+.0f} % of `{revision}`'s.", flush=True)


def gradescope_runs(repeat):
    """Each zip's run_autograder in Gradescope's layout, on its solution; prints a table."""
    from autograder import gradescope

    print("\n| Gradescope layout | median (s) | range (s) | peak memory (MB, median) | runs |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        venvs = {}
        for name, zip_path, solution in graded_zips():
            spec = gradescope.environment_spec(zip_path)
            key = json.dumps(spec)
            if key not in venvs:
                venvs[key] = Path(work) / f"venv{len(venvs)}"
                seconds = gradescope.make_environment(zip_path, venvs[key])
                print(f"| venv from {name}'s environment.yml (pip cache warm) | {seconds:.0f} | | | 1 |", flush=True)
            runs = []
            for i in range(repeat):
                _, run = gradescope.run_in_layout(
                    zip_path, solution, Path(work) / f"{name}-{i}" / "autograder", venvs[key]
                )
                runs.append({"wall_s": run["wall_s"], "peak_mb": run["peak_memory_mb"]})
            print(row(f"`run_autograder`, {name} solution", runs), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["build", "grading"], help="one section (default: both)")
    parser.add_argument(
        "--submissions", type=int, default=20, help="TP1 submissions in the throughput folder (default 20)"
    )
    parser.add_argument("--write", action="store_true", help="also write the tables to reference/bench.md")
    parser.add_argument("--against", metavar="REV", help="only time TP1's grading: this tree's zip vs REV's")
    args = parser.parse_args(argv)
    if args.against:
        grading_against(args.against, args.repeat)
        return
    if args.write:
        tables = io.StringIO()
        with contextlib.redirect_stdout(_Tee(sys.stdout, tables)):
            run(args)
        (REPO / "reference" / "bench.md").write_text("# Benchmarks (`make bench`)\n\n" + tables.getvalue())
    else:
        run(args)


class _Tee(io.TextIOBase):
    """A text stream that writes to several streams (the terminal and the saved report)."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self):
        for stream in self.streams:
            stream.flush()


def run(args):
    """The sections ``args`` asks for, printed as they are measured."""
    import keras
    import otter
    import tensorflow as tf

    print(
        f"{machine.describe()}  \nVersions: Python {platform.python_version()}, "
        f"tensorflow {tf.__version__}, keras {keras.__version__}, otter-grader {otter.__version__}\n"
    )
    if args.only != "grading":
        build_section(args.repeat)
    if args.only != "build":
        wall, peak, per_submission = grading_throughput(args.submissions)
        print(
            f"\n| `make grade`, {args.submissions} TP1 submissions, 2 jobs | submissions per minute | wall (s) "
            f"| peak memory, whole run (MB) | peak memory per submission (MB, median / max) |"
        )
        print("|---|---|---|---|---|")
        print(
            f"| | {60 * args.submissions / wall:.1f} | {wall:.0f} | {peak:,.0f} "
            f"| {statistics.median(per_submission):,.0f} / {max(per_submission):,.0f} |",
            flush=True,
        )
        gradescope_runs(args.repeat)


def build_section(repeat):
    """The build and `otter run` on each solution, then the calibrated accuracies; prints tables."""
    print("| what | median (s) | range (s) | peak memory (MB, median) | runs |")
    print("|---|---|---|---|---|")

    python = sys.executable
    from autograder.build import list_assignments

    build = measure([python, "-m", "autograder.build", *list_assignments()], repeat)
    print(row("`make assignments` (all TPs, fr + en, warm environment)", build), flush=True)

    for name, zip_path, solution in graded_zips():
        with tempfile.TemporaryDirectory() as out:
            runs = measure([python, "-m", "otter", "run", "-a", zip_path, "-o", out, solution], repeat)
        print(row(f"`otter run` grading the {name} solution", runs), flush=True)

    # Accuracy takes minutes per seed: `make calibrate` measures it (reference/results.md).
    print("\n| reference solution | held-out accuracy, min | median | seeds | pass mark |")
    print("|---|---|---|---|---|")
    for name, entry in json.loads((REPO / "assignments" / "thresholds.json").read_text()).items():
        stats = entry["test_accuracy"]
        if "reference_min" in stats:
            print(
                f"| {name} | {100 * stats['reference_min']:.2f} % | {100 * stats['reference_median']:.2f} % "
                f"| {stats['seeds']} | {100 * stats['threshold']:.1f} % |"
            )


if __name__ == "__main__":
    main()
