"""Calibrate the pass marks: train each TP's reference solution over several seeds.

For each assignment this runs the built solution notebook (``dist/en/<name>/solution``)
top to bottom once per seed, as a student's notebook runs at grading, and records the
held-out accuracy of its final ``model`` (recomputed with ``kit_checks``, as the hidden
tests do), the epochs its ``history`` ran and the time spent in training cells. It
then runs known-bad variants of the solution (seed 0) and checks they fall below the
threshold derived from the seeds:

    threshold = (lowest accuracy over the seeds) - MARGINS[name], rounded down to 0.1 %

It prints a Markdown report and, with ``--write``, stores it in reference/results.md
and the thresholds in assignments/thresholds.json (the one place hidden tests and the
notebooks' prose read them from).

    python -m reference.calibrate [NAME ...] [--seeds 0 1 2 3 4] [--write]
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import nbclient
import nbformat

from autograder import REPO_ROOT as REPO
from autograder import build, checks
from autograder.grade import apply_changes

RESULTS = REPO / "reference" / "results.md"

# How far below the worst reference seed a correct solution may fall (accuracy, 0-1):
# room for another CPU and for correct variations, tighter than the known-bad variants.
MARGINS = {"tp1_dense": 0.006, "tp2_early_stopping": 0.006, "tp3_convnet": 0.006}

# Known-bad variants of each solution: name -> text changes (autograder.grade.apply_changes).
# Each must fall below the pass mark derived from the seeds (the report says if one does not).
VARIANTS = {
    "tp1_dense": {
        "untrained": [("    epochs=EPOCHS,", "    epochs=0,")],
        "no normalisation": [('.astype("float32") / 255.0', '.astype("float32")')],
        "784-100-10": [('keras.layers.Dense(784, activation="relu")', 'keras.layers.Dense(100, activation="relu")')],
        "1 % of the training data": [
            ("    x_train,\n    y_train_1h,\n", "    x_train[:600],\n    y_train_1h[:600],\n")
        ],
    },
    "tp2_early_stopping": {
        "untrained": [("x_val, y_val_1h, MAX_EPOCHS)", "x_val, y_val_1h, 0)")],
        "no normalisation": [('.astype("float32") / 255.0', '.astype("float32")')],
        "1 % of the training data": [("model, x_fit, y_fit_1h, x_val", "model, x_fit[:540], y_fit_1h[:540], x_val")],
        # The callback watching val_loss in the wrong direction keeps epoch 1's weights.
        'early stopping with mode="max" on val_loss': [('mode="min",', 'mode="max",')],
    },
    "tp3_convnet": {
        "untrained": [("    epochs=EPOCHS,", "    epochs=0,")],
        "no normalisation": [('images.astype("float32") / 255.0', 'images.astype("float32")')],
        "1 % of the training data": [
            (
                "history = model.fit(\n    x_train,\n    y_train_1h,",
                "history = model.fit(\n    x_train[:600],\n    y_train_1h[:600],",
            )
        ],
        # The convolutions removed: the same recipe on a 784 -> 128 -> 10 dense network.
        "dense network, no convolution": [
            (
                '            keras.layers.Conv2D(16, 5, activation="relu"),\n'
                "            keras.layers.MaxPooling2D(2),\n"
                '            keras.layers.Conv2D(32, 5, activation="relu"),\n'
                "            keras.layers.MaxPooling2D(2),\n",
                "",
            )
        ],
    },
}

# Honest variants that must not be flagged by the test-set check (besides the seeds and
# the known-bad variants above, honest too), and cheats that must be: name -> text changes.
_FIT_TP1 = "    x_train,\n    y_train_1h,\n    epochs=EPOCHS,"
_FIT_TP2 = "model, x_fit, y_fit_1h, x_val"
# Flat images (n, 784) shifted 2 pixels down and 1 left: a cheap augmentation.
_SHIFTED = "np.roll({}.reshape(-1, 28, 28), (2, -1), axis=(1, 2)).reshape(-1, 784)"
_FIT_TP3 = "history = model.fit(\n    x_train,\n    y_train_1h,\n    epochs=EPOCHS,"
HONEST = {
    "tp1_dense": {
        "dropout 0.3": [
            (
                'keras.layers.Dense(784, activation="relu"),',
                'keras.layers.Dense(784, activation="relu"),\n            keras.layers.Dropout(0.3),',
            )
        ],
        "augmentation (shifts of up to 2 pixels)": [
            (
                _FIT_TP1,
                "    np.concatenate([x_train,\n"
                "                    np.roll(x_train.reshape(-1, 28, 28), (2, -1), axis=(1, 2)).reshape(-1, 784)]),\n"
                "    np.concatenate([y_train_1h, y_train_1h]),\n    epochs=EPOCHS // 2,",
            ),
            ("validation_split=VALIDATION_SPLIT,", "validation_data=(x_train[-6000:], y_train_1h[-6000:]),"),
        ],
        "784-2000-10": [('keras.layers.Dense(784, activation="relu")', 'keras.layers.Dense(2000, activation="relu")')],
        "1 epoch": [("    epochs=EPOCHS,", "    epochs=1,")],
    },
    "tp2_early_stopping": {
        "dropout 0.3": [
            (
                'keras.layers.Dense(784, activation="relu"),',
                'keras.layers.Dense(784, activation="relu"),\n            keras.layers.Dropout(0.3),',
            )
        ],
        "augmentation (shifts of up to 2 pixels)": [
            (
                _FIT_TP2,
                "model,\n"
                f"    np.concatenate([x_fit, {_SHIFTED.format('x_fit')}]),\n"
                "    np.concatenate([y_fit_1h, y_fit_1h]),\n    x_val",
            )
        ],
    },
    "tp3_convnet": {
        "no dropout": [("            keras.layers.Dropout(0.3),\n", "")],
        "augmentation (shifts of up to 2 pixels)": [
            (
                _FIT_TP3,
                "history = model.fit(\n    np.concatenate(\n"
                "        [x_train[:-6000], np.roll(x_train[:-6000], (2, -1), axis=(1, 2)), x_train[-6000:]]\n    ),\n"
                "    np.concatenate([y_train_1h[:-6000], y_train_1h[:-6000], y_train_1h[-6000:]]),\n"
                "    epochs=EPOCHS // 2,",
            ),
            ("validation_split=VALIDATION_SPLIT,", "validation_split=6000 / 114000,"),
        ],
    },
}
CHEATS = {
    "tp1_dense": {
        "trained on x_test too": [
            (
                _FIT_TP1,
                "    np.concatenate([x_test, x_train]),\n"
                "    np.concatenate([y_test_1h, y_train_1h]),\n    epochs=EPOCHS,",
            )
        ],
        "on half of x_test": [
            (
                _FIT_TP1,
                "    np.concatenate([x_test[:2500], x_train]),\n    np.concatenate([y_test_1h[:2500], y_train_1h]),\n"
                "    epochs=EPOCHS,",
            )
        ],
        "on a fifth of x_test": [
            (
                _FIT_TP1,
                "    np.concatenate([x_test[:1000], x_train]),\n    np.concatenate([y_test_1h[:1000], y_train_1h]),\n"
                "    epochs=EPOCHS,",
            )
        ],
        "on x_test shifted by a pixel and x_test": [
            (
                _FIT_TP1,
                "    np.concatenate([x_test, np.roll(x_test.reshape(-1, 28, 28), 1, axis=2).reshape(-1, 784),\n"
                "                    x_train]),\n"
                "    np.concatenate([y_test_1h, y_test_1h, y_train_1h]),\n    epochs=EPOCHS,",
            )
        ],
        "on MNIST's whole test set": [
            (
                _FIT_TP1,
                "    np.concatenate([preprocess(np.load('mnist.npz')['x_test']), x_train]),\n"
                "    np.concatenate([one_hot(np.load('mnist.npz')['y_test']), y_train_1h]),\n    epochs=EPOCHS,",
            )
        ],
    },
    "tp2_early_stopping": {
        "trained on x_test too": [
            (_FIT_TP2, "model, np.concatenate([x_test, x_fit]), np.concatenate([y_test_1h, y_fit_1h]), x_val")
        ],
        "on half of x_test": [
            (
                _FIT_TP2,
                "model, np.concatenate([x_test[:2500], x_fit]),\n"
                "    np.concatenate([y_test_1h[:2500], y_fit_1h]), x_val",
            )
        ],
        "on x_test with shifted copies": [
            (
                _FIT_TP2,
                f"model,\n    np.concatenate([x_test, {_SHIFTED.format('x_test')}, x_fit]),\n"
                "    np.concatenate([y_test_1h, y_test_1h, y_fit_1h]),\n    x_val",
            )
        ],
        "on MNIST's whole test set": [
            (
                _FIT_TP2,
                "model,\n    np.concatenate([preprocess(np.load('mnist.npz')['x_test']), x_fit]),\n"
                "    np.concatenate([one_hot(np.load('mnist.npz')['y_test']), y_fit_1h]),\n    x_val",
            )
        ],
    },
    "tp3_convnet": {
        "trained on x_test too": [
            (
                _FIT_TP3,
                "history = model.fit(\n    np.concatenate([x_test, x_train]),\n"
                "    np.concatenate([y_test_1h, y_train_1h]),\n    epochs=EPOCHS,",
            )
        ],
        "on MNIST's whole test set": [
            (
                _FIT_TP3,
                "history = model.fit(\n    np.concatenate([to_images(np.load('mnist.npz')['x_test']), x_train]),\n"
                "    np.concatenate([keras.utils.to_categorical(np.load('mnist.npz')['y_test'], 10), y_train_1h]),\n"
                "    epochs=EPOCHS,",
            )
        ],
    },
}

# Appended to the notebook: what the hidden tests would recompute, as one JSON line: the
# accuracy on the grader's half (the hidden test), on the students' half (the public check)
# and the test-set check's measures, with the student's preprocessing when there is one.
PROBE = """
import json as _json
from kit_checks import accuracy as _accuracy, load_heldout as _load_heldout, student_inputs as _inputs
from kit_checks import load_students_test as _load_students_test, report_test_set_use as _report
_prep = globals().get("preprocess", globals().get("to_images"))
_images, _labels = _load_heldout()
_simages, _slabels = _load_students_test()
print("CALIBRATION", _json.dumps({
    "accuracy": _accuracy(model, _inputs(model, _images, _prep)[0], _labels),
    "accuracy_students": _accuracy(model, _inputs(model, _simages, _prep)[0], _slabels),
    "epochs": len(history.history.get("loss", [])),
    "report": _report(model, _prep),
}))
"""


GRADED_FIT = re.compile(r"^history = ", re.MULTILINE)


def cell_seconds(cell):
    """Wall time of an executed cell, from the timestamps nbclient records."""
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = lambda stamp: datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def run_solution(name, seed, changes=()):
    """Execute the solution of ``name`` with ``SEED = seed`` and ``changes``; returns a result dict."""
    solution_dir = REPO / "dist" / "en" / name / "solution"
    with tempfile.TemporaryDirectory(prefix=f"calibrate-{name}-") as folder:
        folder = Path(folder)
        for path in solution_dir.iterdir():
            shutil.copy(path, folder / path.name)
        notebook = folder / f"{name}.ipynb"
        apply_changes(notebook, [("SEED = 0", f"SEED = {seed}"), *changes], notebook)
        nb = nbformat.read(notebook, as_version=4)
        # A variant may break the notebook on purpose: carry on, the probe says what is left.
        nb.cells = [c for c in nb.cells if not c.source.startswith(("grader.check(", "grader.export("))]
        nb.cells.append(nbformat.v4.new_code_cell(PROBE))
        client = nbclient.NotebookClient(
            nb, timeout=1800, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(folder)}}
        )
        client.execute()
    probe = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    if "CALIBRATION" not in probe:
        return {"accuracy": 0.0, "epochs": 0, "fit_s": 0.0, "error": probe.strip()[-300:]}
    result = json.loads(probe.split("CALIBRATION", 1)[1])
    # The graded training is the cell that keeps its History in `history` (TP2 trains
    # through the student's function, not a visible .fit call).
    result["fit_s"] = sum(cell_seconds(c) for c in nb.cells if c.cell_type == "code" and GRADED_FIT.search(c.source))
    result["notebook_s"] = sum(cell_seconds(c) for c in nb.cells if c.cell_type == "code")
    return result


def calibrate(name, seeds):
    """Run the seeds and the known-bad variants of one assignment; returns (threshold, report lines)."""
    runs = {}
    for seed in seeds:
        runs[seed] = run_solution(name, seed)
        print(f"  {name} seed {seed}: {runs[seed]}", file=sys.stderr, flush=True)
    accuracies = [r["accuracy"] for r in runs.values()]
    lowest, margin = min(accuracies), MARGINS[name]
    threshold = math.floor((lowest - margin) * 1000) / 1000

    lines = [
        f"### {name}",
        "",
        "| seed | held-out accuracy | epochs | training time of `model` (s) | whole notebook (s) |",
        "|---|---|---|---|---|",
        *(
            f"| {s} | {100 * r['accuracy']:.2f} % | {r['epochs']} | {r['fit_s']:.0f} | {r['notebook_s']:.0f} |"
            for s, r in runs.items()
        ),
        f"| **min / median** | **{100 * lowest:.2f} % / {100 * statistics.median(accuracies):.2f} %** | "
        f"{statistics.median(r['epochs'] for r in runs.values())} | "
        f"{statistics.median(r['fit_s'] for r in runs.values()):.0f} | "
        f"{statistics.median(r['notebook_s'] for r in runs.values()):.0f} |",
        "",
        f"Threshold: {100 * lowest:.2f} % − {100 * margin:.1f} points → **{100 * threshold:.1f} %**.",
        "",
    ]
    checked = {f"reference, seed {s}": ("honest", r) for s, r in runs.items()}
    variants = VARIANTS.get(name, {})
    if variants:
        lines += ["| known-bad variant (seed 0) | held-out accuracy | below the threshold |", "|---|---|---|"]
        for variant, changes in variants.items():
            result = run_solution(name, seeds[0], changes)
            print(f"  {name} {variant}: {result}", file=sys.stderr, flush=True)
            below = "yes" if result["accuracy"] < threshold else "**no**"
            lines.append(f"| {variant} | {100 * result['accuracy']:.2f} % | {below} |")
            checked[variant] = ("honest", result)
        lines.append("")
    for kind, table in (("honest", HONEST), ("cheat", CHEATS)):
        for variant, changes in table.get(name, {}).items():
            checked[variant] = (kind, run_solution(name, seeds[0], changes))
            print(f"  {name} {variant}: {checked[variant][1]}", file=sys.stderr, flush=True)
    lines += integrity_table(name, threshold, checked)
    stats = {
        "threshold": threshold,
        "reference_min": round(lowest, 4),
        "reference_median": round(statistics.median(accuracies), 4),
        "seeds": len(seeds),
        "margin": margin,
        "how": f"lowest held-out accuracy of the reference over seeds {seeds[0]}-{seeds[-1]} minus the margin, "
        "rounded down to 0.1 %; see reference/results.md",
    }
    return stats, lines


def integrity_table(name, threshold, checked):
    """Report lines: each run's two test-set measures, whether it is flagged, and the public check's verdict.

    ``checked``: ``{run: ("honest" or "cheat", run_solution's result)}``.
    """
    settings = json.loads(build.INTEGRITY.read_text())
    bar = threshold + build.PUBLIC_MARGIN
    lines = [
        f"Test-set check (`assignments/integrity.json`: flagged when `gap_z` > {settings['gap_z_max']:g}, or when "
        f"held-out accuracy ≥ {100 * settings['accuracy_min']:.0f} % and `loss_ratio` < "
        f"{settings['loss_ratio_min']:g}) "
        f"and the public accuracy check (your 5,000 test digits ≥ {100 * bar:.1f} %):",
        "",
        "| run | kind | held-out (grader's half) | students' half | `gap_z` | `loss_ratio` | flagged | public check |",
        "|---|---|---|---|---|---|---|---|",
    ]
    wrong = {"honest": 0, "cheat": 0}
    count = {"honest": 0, "cheat": 0}
    for run, (kind, result) in checked.items():
        report = result.get("report")
        if not report:
            lines.append(f"| {run} | {kind} | (the notebook failed) | | | | | |")
            continue
        flagged = bool(checks.flags_of_report(report, settings))
        count[kind] += 1
        wrong[kind] += flagged if kind == "honest" else not flagged
        public = result["accuracy_students"] >= bar
        says = "passes" if public else "fails"
        # A public pass on work whose hidden accuracy fails would be a lie: shown in bold.
        if public and result["accuracy"] < threshold:
            says = "**passes, hidden fails**"
        lines.append(
            f"| {run} | {kind} | {100 * result['accuracy']:.2f} % | {100 * result['accuracy_students']:.2f} % "
            f"| {report['gap_z']:.1f} | {report['loss_ratio']:.2f} "
            f"| {'**yes**' if flagged and kind == 'honest' else 'yes' if flagged else 'no'} | {says} |"
        )
    lines += [
        "",
        f"False positives: {wrong['honest']} of {count['honest']} honest runs flagged; "
        f"detection: {count['cheat'] - wrong['cheat']} of {count['cheat']} cheats flagged.",
        "",
    ]
    return lines


def merge_sections(old, new):
    """``new`` report, keeping the ``### name`` sections of ``old`` that ``new`` does not replace."""

    def sections(text):
        head, *rest = text.split("\n### ")
        return head, {part.split("\n", 1)[0]: "### " + part for part in rest}

    _, kept = sections(old)
    head, fresh = sections(new)
    merged = {**kept, **fresh}
    return "\n".join([head.rstrip("\n"), "", *(merged[name].rstrip("\n") + "\n" for name in sorted(merged))])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("assignments", nargs="*", help="default: every assignment with a margin")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--write", action="store_true", help="update reference/results.md and thresholds.json")
    args = parser.parse_args(argv)
    names = args.assignments or [n for n in build.list_assignments() if n in MARGINS]

    import keras
    import tensorflow as tf

    header = [
        "# Calibration results",
        "",
        f"Written by `make calibrate` on {datetime.date.today()}: {platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} cores (load average {os.getloadavg()[0]:.1f} at the start: the times "
        f"are upper bounds when it is above the cores), Python {platform.python_version()}, "
        f"tensorflow {tf.__version__}, keras {keras.__version__}. Accuracy is measured as the hidden "
        "tests measure it: the final `model` of the solution notebook on the grader's held-out digits "
        "(the half of MNIST's test set that students do not load, `kit_checks.split_test_set`), with the "
        "student's own preprocessing; validation always comes from the training set.",
        "",
    ]
    report, measured = list(header), {}
    for name in names:
        measured[name], lines = calibrate(name, args.seeds)
        report += lines
    print("\n".join(report))
    if args.write:
        # Read when writing, not when starting: another calibration may have written since.
        RESULTS.write_text(merge_sections(RESULTS.read_text() if RESULTS.exists() else "", "\n".join(report)))
        table = json.loads(build.THRESHOLDS.read_text())
        for name, stats in measured.items():
            table.setdefault(name, {})["test_accuracy"] = stats
        build.THRESHOLDS.write_text(json.dumps(table, indent=2) + "\n")
        print(f"wrote {RESULTS.relative_to(REPO)} and {build.THRESHOLDS.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
