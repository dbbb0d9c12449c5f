"""Grade one robot-lab submission and write Gradescope's ``results.json``.

This file ships in the robot lab's autograder zip as ``grading/run.py`` and runs
with nothing but the standard library in the grading process itself: the
student's code only ever runs in worker processes, so a student function that
crashes, loops or kills its interpreter costs that test's points, never the run.

Two uses. In the autograder zip, it grades a submission (Gradescope's layout, or any
folder with the same three parts, below). In the students' folder, ``python grading/run.py``
(``--local``, the default there) grades the folder's own ``robot_lab/`` on public scenes
with the same tests, and prints the points and what to fix.

Layout (Gradescope's, or any folder with the same three parts)::

    $AUTOGRADER_ROOT/               default /autograder
        source/                     the unpacked autograder zip: robot_lab/ (the solution package),
                                    template/<lang>/robot_lab/ (the student files with holes, per language),
                                    grading/ (this file, hidden_tests.py, config.json, the model, the hidden scenes)
        submission/                 what the student handed in: the files they edit
                                    (vision.py, classifier.py, ...), loose or in a zip, any folder depth
        results/results.json        written here

Environment: ``AUTOGRADER_ROOT`` (the folder above), ``ROBOT_LAB_GRADING_TIMEOUT``
(seconds, replaces every test's own time limit), ``ROBOT_LAB_GRADING_BUDGET`` (seconds
for all the tests together, default config.json's ``budget_s``), ``ROBOT_LAB_GRADING_ROS=never``
(grade ``fill_response`` with stand-ins for the ROS message classes even where ROS is installed),
``ROBOT_LAB_GRADING_LANG`` (``fr`` or ``en``: the feedback's language; default: the language of
the student's files, recognised from the templates they were given).

Steps: copy the solution package to a scratch folder, put each file the student
edits over it (the unfilled template when the submission lacks one, so that it
scores 0 there), run every hidden test in a worker process under its time limit,
and write the results; a test that raises ``PartialCredit`` gets that share of its points.
Run ``AUTOGRADER_ROOT=/some/folder python grading/run.py --root /some/folder``.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

GRADING_DIR = Path(__file__).resolve().parent
PACKAGE = "robot_lab"


# --- the submission -------------------------------------------------------------


def _candidates(submission, unpacked):
    """Every file of the submission, the contents of the zips it holds included."""
    files = [p for p in sorted(submission.rglob("*")) if p.is_file()]
    for archive in [p for p in files if p.suffix == ".zip"]:
        target = unpacked / archive.stem
        try:
            with zipfile.ZipFile(archive) as z:
                for member in z.namelist():
                    # Only plain relative names: a zip cannot write outside its folder.
                    if member.endswith("/") or member.startswith("/") or ".." in Path(member).parts:
                        continue
                    path = target / member
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(z.read(member))
        except zipfile.BadZipFile:
            continue
        files += [p for p in sorted(target.rglob("*")) if p.is_file()]
    return [p for p in files if "__MACOSX" not in p.parts and not p.name.startswith("._")]


def place_submission(submission, package, template, student_files):
    """Put the student's files over the solution package.

    Parameters
    ----------
    submission : Path
        The folder of what the student handed in.
    package : Path
        A copy of the solution package (``.../robot_lab``), modified in place.
    template : Path
        The student version of the package (files with holes).
    student_files : list of str
        Paths relative to the package of the files students edit (``"vision.py"``).

    Returns
    -------
    notes : list of str
        What was taken from where, for the student's feedback.
    """
    unpacked = Path(tempfile.mkdtemp(prefix="unpacked-"))
    files = _candidates(submission, unpacked)
    notes = []
    for relative in student_files:
        name = Path(relative).name
        found = [p for p in files if p.name == name]
        # Prefer robot_lab/<relative> (a zip of the whole folder), then the shallowest file.
        found.sort(key=lambda p: (not p.as_posix().endswith(f"{PACKAGE}/{relative}"), len(p.parts), str(p)))
        if found:
            shutil.copyfile(found[0], package / relative)
            shown = (
                found[0].relative_to(unpacked)
                if found[0].is_relative_to(unpacked)
                else found[0].relative_to(submission)
            )
            notes.append(
                f"{relative}: graded from your {shown}"
                + (f" ({len(found) - 1} other file(s) named {name} ignored)" if len(found) > 1 else "")
            )
        else:
            shutil.copyfile(template / relative, package / relative)
            notes.append(f"{relative}: not found in your submission, graded as the unfilled file")
    shutil.rmtree(unpacked, ignore_errors=True)
    return notes


def _lines(path):
    """The stripped, non-empty lines of a text file (a set)."""
    try:
        return {line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()}
    except OSError:
        return set()


def detect_language(package, templates, student_files, default):
    """The language of the templates the student's files share most lines with (their docstrings, hints).

    ``templates``: ``{lang: folder of that language's student package}``; ``default`` when none is closer.
    """
    shared = dict.fromkeys(templates, 0)
    for relative in student_files:
        mine = _lines(package / relative)
        common = set.intersection(*(_lines(folder / relative) for folder in templates.values()))
        for lang, folder in templates.items():
            shared[lang] += len((mine & _lines(folder / relative)) - common)
    best = max(shared.values(), default=0)
    winners = [lang for lang, count in shared.items() if count == best]
    return winners[0] if best > 0 and len(winners) == 1 else default


# --- running the tests ------------------------------------------------------------


def _read_events(path):
    if not path.is_file():
        return []
    events = []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            pass  # a line cut by a killed worker
    return events


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def run_tests(tests, workdir, data_dir, log, budget_s=540, env_extra=None):
    """Run ``tests`` (config entries) in worker processes; returns ``{name: (fraction of the points, output)}``.

    One worker runs the tests in order (so TensorFlow is imported once); when a
    test goes over its time limit the worker is killed, and when a worker dies a
    fresh one takes the remaining tests. A killed or dead test fails with a message.
    All together stop after ``budget_s`` seconds (a module that loops on import would
    otherwise time out in every test), under Gradescope's own limit, so that
    ``results.json`` is always written; the tests not run by then fail.
    """
    deadline = time.monotonic() + budget_s
    results, remaining = {}, [t["name"] for t in tests]
    # ROBOT_LAB_GRADING_TIMEOUT (seconds) replaces every test's own limit: for a slow
    # grading machine, or for the kit's tests of the limit itself.
    override = os.environ.get("ROBOT_LAB_GRADING_TIMEOUT")
    limits = {t["name"]: float(override) if override else t["timeout_s"] for t in tests}
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(workdir), str(GRADING_DIR)]),
        ROBOT_LAB_GRADING_DATA=str(data_dir),
        MPLBACKEND="Agg",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONDONTWRITEBYTECODE="1",
        **(env_extra or {}),
    )
    round_ = 0
    while remaining and time.monotonic() < deadline:
        round_ += 1
        events_path = workdir / f"events-{round_}.jsonl"
        with open(log, "a") as out:
            process = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--worker", str(events_path), *remaining],
                cwd=workdir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        current, started = None, None
        while True:
            events = _read_events(events_path)
            ended = {e["name"]: e for e in events if e["event"] == "end"}
            starts = [e["name"] for e in events if e["event"] == "start"]
            if starts and starts[-1] not in ended and starts[-1] != current:
                current, started = starts[-1], time.monotonic()
            if process.poll() is not None:
                break
            if current and current not in ended and time.monotonic() - started > limits[current]:
                _kill_group(process)
                results[current] = (0.0, f"stopped after {limits[current]:.0f} s: an endless loop, or far too slow?")
                break
            if time.monotonic() > deadline:
                _kill_group(process)
                if current and current not in ended:
                    results[current] = (0.0, f"stopped: the grading run's {budget_s:.0f} s were used up")
                break
            time.sleep(0.05)
        for name, event in ended.items():
            results[name] = (event["fraction"], event["output"])
        if current and current not in results:
            tail = Path(log).read_text(errors="replace")[-1500:]
            results[current] = (
                0.0,
                f"the grading process died while running this test (exit code {process.returncode}):\n{tail}",
            )
        still = [n for n in remaining if n not in results]
        if still == remaining and time.monotonic() <= deadline:
            # The worker died before its first test: give up on the rest rather than loop.
            tail = Path(log).read_text(errors="replace")[-1500:]
            for name in remaining:
                results[name] = (0.0, f"the grader could not run this test (exit code {process.returncode}):\n{tail}")
        remaining = [n for n in remaining if n not in results]
    for name in remaining:
        results[name] = (
            0.0,
            f"not run: the grading run's {budget_s:.0f} s were used up by the tests before it "
            "(does a module loop or wait when it is imported?)",
        )
    return results


def worker(events_path, names):
    """Run the named hidden tests in this process, appending one JSON line per start and end."""
    import contextlib
    import importlib
    import io

    hidden_tests = importlib.import_module(os.environ.get("ROBOT_LAB_GRADING_TESTS", "hidden_tests"))

    def emit(**event):
        with open(events_path, "a") as f:
            f.write(json.dumps(event) + "\n")
            f.flush()
            os.fsync(f.fileno())

    for name in names:
        emit(event="start", name=name)
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                message = hidden_tests.TESTS[name]()
            fraction, output = 1.0, message or "passed"
        except hidden_tests.PartialCredit as error:
            fraction, output = error.fraction, str(error)
        except AssertionError as error:
            fraction, output = 0.0, str(error) or "failed"
        except BaseException as error:  # the student's code may raise anything, even SystemExit
            fraction, output = 0.0, hidden_tests.describe_error(error)
        emit(event="end", name=name, fraction=fraction, output=output)


# --- results.json ----------------------------------------------------------------------


def score_tests(config, outcome, lang):
    """Gradescope's ``tests`` entries from ``{name: (fraction, output)}``: points x fraction, to 0.01."""
    tests = []
    for test in config["tests"]:
        fraction, output = outcome[test["name"]]
        points = float(test["points"])
        tests.append(
            {
                "name": test.get(f"title_{lang}", test["title"]),
                "score": round(points * fraction, 2),
                "max_score": points,
                "status": "passed" if fraction >= 1 else "failed",
                "visibility": config.get("visibility", "visible"),
                "output": output,
            }
        )
    return tests


def grade(root):
    """Grade the submission in ``root/submission``; writes and returns ``root/results/results.json``'s content."""
    start = time.monotonic()
    source, submission, results_dir = root / "source", root / "submission", root / "results"
    config = json.loads((source / "grading" / "config.json").read_text())
    results_dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="robot-lab-grading-"))
    languages = config.get("languages", ["en"])
    templates = {lang: source / "template" / lang / PACKAGE for lang in languages}
    try:
        shutil.copytree(source / PACKAGE, workdir / PACKAGE)
        # Files the submission lacks come from the first language's template (the same code in every language).
        notes = place_submission(submission, workdir / PACKAGE, templates[languages[0]], config["student_files"])
        lang = os.environ.get("ROBOT_LAB_GRADING_LANG") or detect_language(
            workdir / PACKAGE, templates, config["student_files"], languages[0]
        )
        log = workdir / "worker.log"
        budget = float(os.environ.get("ROBOT_LAB_GRADING_BUDGET", config.get("budget_s", 540)))
        env = {"ROBOT_LAB_GRADING_LANG": lang, "ROBOT_LAB_REFERENCE": str(source / PACKAGE)}
        outcome = run_tests(config["tests"], workdir, source / "grading", log, budget, env)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    tests = score_tests(config, outcome, lang)
    results = {
        "score": round(sum(t["score"] for t in tests), 2),
        "execution_time": round(time.monotonic() - start, 1),
        "output": "Files graded:\n" + "\n".join(notes),
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    (results_dir / "results.json").write_text(json.dumps(results, indent=1))
    return results


def grade_local(folder):
    """Grade the student folder ``folder``'s own ``robot_lab/`` on the public scenes of ``folder/grading``.

    Nothing of the folder changes: the package is copied to a scratch folder, which the
    tests import first (another ``robot_lab`` installed elsewhere is never used).
    Returns the ``tests`` entries (as in ``results.json``).
    """
    config = json.loads((GRADING_DIR / "config.json").read_text())
    workdir = Path(tempfile.mkdtemp(prefix="robot-lab-checks-"))
    try:
        shutil.copytree(folder / PACKAGE, workdir / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
        env = {
            "ROBOT_LAB_GRADING_LANG": os.environ.get("ROBOT_LAB_GRADING_LANG") or config.get("language", "en"),
            "ROBOT_LAB_GRADING_MODEL": str(folder / config["model"]),
            "ROBOT_LAB_GRADING_TESTS": config.get("tests_module", "hidden_tests"),
        }
        budget = float(os.environ.get("ROBOT_LAB_GRADING_BUDGET", config.get("budget_s", 540)))
        outcome = run_tests(config["tests"], workdir, GRADING_DIR, workdir / "worker.log", budget, env)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return score_tests(config, outcome, env["ROBOT_LAB_GRADING_LANG"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")),
        help="the folder holding source/, submission/ and results/ (default $AUTOGRADER_ROOT or /autograder)",
    )
    parser.add_argument(
        "--local",
        action="store_true",
        help="grade the robot_lab/ folder beside grading/ on public scenes (the default in a student folder)",
    )
    parser.add_argument("--worker", nargs="+", metavar=("EVENTS", "TEST"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(Path(args.worker[0]), args.worker[1:])
        return
    local = args.local or json.loads((GRADING_DIR / "config.json").read_text()).get("local", False)
    if local:
        tests = grade_local(GRADING_DIR.parent)
        for test in tests:
            print(f"{test['score']:g} / {test['max_score']:g}  {test['name']}")
            print("    " + test["output"].replace("\n", "\n    "))
        total = round(sum(t["score"] for t in tests), 2)
        print(f"total {total:g} / {sum(t['max_score'] for t in tests):g}")
        return
    results = grade(args.root)
    for test in results["tests"]:
        print(f"{test['score']:g} / {test['max_score']:g}  {test['name']}")
    print(f"total {results['score']:g} / {sum(t['max_score'] for t in results['tests']):g}")


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
