"""`make grade`: a folder mixing good, wrong and broken submissions graded into a correct CSV."""

import contextlib
import csv
import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import REPO_ROOT
from autograder.grade import grade_folder, read_done

pytestmark = pytest.mark.slow
NAME = "tp1_dense"


def with_first_code(notebook_path, source, target):
    """The notebook with ``source`` as a new first code cell (a broken submission)."""
    nb = nbformat.read(notebook_path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, target)


def read_csv(path):
    with open(path) as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_broken_submissions_are_graded_as_broken_without_harming_the_others(built, tmp_path):
    out = built(NAME)
    student = out["dist"] / "en" / NAME / "student" / f"{NAME}.ipynb"
    folder = tmp_path / "submissions"
    folder.mkdir()
    with_first_code(student, "while True:\n    pass", folder / "endless_loop.ipynb")
    with_first_code(student, "memory = bytearray(8 * 2**30)", folder / "huge_memory.ipynb")
    with_first_code(student, "import os\nos._exit(3)", folder / "kills_its_kernel.ipynb")
    with_first_code(student, "import sys\nsys.exit(1)", folder / "calls_sys_exit.ipynb")
    with_first_code(student, "def broken(:\n    pass", folder / "syntax_error.ipynb")
    (folder / "not_a_notebook.ipynb").write_text("this is not JSON")
    with zipfile.ZipFile(folder / "empty_export.zip", "w") as z:
        z.writestr("README.txt", "no notebook in here")
    other = nbformat.read(student, as_version=4)
    other.metadata["otter"]["assignment_name"] = "tp3_convnet"
    nbformat.write(other, folder / "wrong_assignment.ipynb")

    start = time.monotonic()
    csv_path = grade_folder(out["zip"], folder, tmp_path / "grades", jobs=2, timeout=90, memory_mb=3000)
    rows = read_csv(csv_path)
    assert sorted(rows) == sorted(p.stem for p in folder.iterdir())
    assert rows["endless_loop"]["status"] == "timeout"
    assert rows["huge_memory"]["status"] == "memory"
    assert rows["kills_its_kernel"]["status"] == "crash"
    assert "DeadKernelError" in rows["kills_its_kernel"]["message"]
    for invalid, message in [
        ("not_a_notebook", "not a readable notebook"),
        ("empty_export", "holds 0"),
        ("wrong_assignment", "a notebook of tp3_convnet, not of tp1_dense"),
    ]:
        assert rows[invalid]["status"] == "invalid" and message in rows[invalid]["message"], rows[invalid]
    # A notebook that raises is still graded: each failing cell costs its question's points.
    for graded in ("calls_sys_exit", "syntax_error"):
        assert rows[graded]["status"] == "graded" and float(rows[graded]["total"]) == 0
    assert "tp3_convnet" in (tmp_path / "grades" / "wrong_assignment" / "feedback.txt").read_text()

    # Re-running reuses what was graded: no submission runs again.
    start = time.monotonic()
    assert read_csv(grade_folder(out["zip"], folder, tmp_path / "grades", timeout=90)) == rows
    assert time.monotonic() - start < 5


def test_good_and_wrong_submissions_get_their_points_in_the_csv(built, tmp_path):
    from autograder.grade import apply_changes
    from reference.submissions import tp1_dense

    out = built(NAME)
    solution = out["dist"] / "en" / NAME / "solution" / f"{NAME}.ipynb"
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "alice.ipynb").write_bytes(solution.read_bytes())
    changes, lost = tp1_dense.MUTANTS["parameters_hard_coded"]
    apply_changes(solution, changes, folder / "bob.ipynb")

    rows = read_csv(grade_folder(out["zip"], folder, tmp_path / "grades", jobs=2))
    assert rows["alice"]["status"] == rows["bob"]["status"] == "graded"
    assert float(rows["alice"]["total"]) == float(rows["alice"]["possible"]) == 13
    assert float(rows["bob"]["total"]) == 13 - sum(lost.values())
    assert float(rows["bob"]["q3_parameters"]) == 1 - lost["q3_parameters"]
    results = json.loads((tmp_path / "grades" / "alice" / "results.json").read_text())
    assert {t["name"] for t in results["tests"]} >= {"q1_preprocess", "q6_confusion"}


#: In the command line of every process the hostile notebook starts: none may outlive the batch.
DAEMON_MARKER = "31717"


def processes_with(marker):
    """The pids whose command line holds ``marker`` (read from /proc)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if marker.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
    return found


def make_grade(zip_path, submissions, out, tmpdir, *args):
    """``python -m autograder.grade`` as `make grade` runs it, with its own TMPDIR; returns the CSV's rows."""
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    command = [sys.executable, "-m", "autograder.grade", NAME, str(submissions), "--zip", str(zip_path)]
    command += ["--out", str(out), "--jobs", "2", "--timeout", "400", *args]
    run = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    return {row["submission"]: row for row in read_csv(out / "grades.csv").values()}


def test_hostile_submissions_stay_in_their_sandbox(built, tmp_path):
    out = built(NAME)
    dist = out["dist"] / "en" / NAME
    folder, grades, tmpdir = tmp_path / "submissions", tmp_path / "grades", tmp_path / "tmp"
    folder.mkdir()
    tmpdir.mkdir()
    # An honest solution that leaves the working folder at its end: keeps every point.
    nb = nbformat.read(dist / "solution" / f"{NAME}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import os\nos.chdir('..')"))
    nbformat.write(nb, folder / "chdir_then_ok.ipynb")
    # A double-forked daemon that keeps rewriting grades.csv and its classmate's done.json.
    loop = f"echo hacked > {grades}/grades.csv; echo '{{}}' > {grades}/chdir_then_ok/done.json"
    daemon = f"(while :; do {loop}; sleep 1; done) & exec sleep {DAEMON_MARKER}"
    with_first_code(
        dist / "student" / f"{NAME}.ipynb",
        f"import subprocess\nsubprocess.Popen(['sh', '-c', {daemon!r}], start_new_session=True)",
        folder / "..ipynb",
    )
    (folder / "...ipynb").write_text("not a notebook")
    (folder / "José Müller.ipynb").write_text("not a notebook either")
    other = nbformat.read(dist / "student" / f"{NAME}.ipynb", as_version=4)
    other.metadata["otter"]["assignment_name"] = "tp3_convnet"
    with zipfile.ZipFile(folder / "export.zip", "w") as z:
        z.writestr("a/../../b c.ipynb", nbformat.writes(other))
    (folder / "ghost.ipynb").symlink_to(tmp_path / "nowhere.ipynb")
    outside = lambda: {p for p in tmp_path.rglob("*") if p != grades and grades not in p.parents}  # noqa: E731
    before = outside()

    seen, done = [], threading.Event()

    def watch_daemon():  # proof that the daemon did run, while the batch runs
        while not done.wait(0.5):
            seen.extend(processes_with(DAEMON_MARKER))

    watcher = threading.Thread(target=watch_daemon)
    watcher.start()
    try:
        rows = make_grade(out["zip"], folder, grades, tmpdir)
    finally:
        done.set()
        watcher.join()
    assert seen, "the daemon never ran: the test proves nothing"
    assert not processes_with(DAEMON_MARKER), "a process of the sandbox outlived the batch"
    assert outside() == before, "a file outside grades/ changed"
    assert not list(tmpdir.iterdir()), "a temporary tree was left behind"
    assert sorted(rows) == sorted(p.name for p in folder.iterdir())
    assert len({row["student"] for row in rows.values()}) == len(rows)
    assert all((grades / row["student"]).parent == grades for row in rows.values())
    honest = rows["chdir_then_ok.ipynb"]
    assert honest["status"] == "graded" and float(honest["total"]) == 13, honest
    assert rows["..ipynb"]["status"] == "graded"
    assert rows["ghost.ipynb"]["status"] == "error" and "cannot be read" in rows["ghost.ipynb"]["message"]
    for name in ("...ipynb", "José Müller.ipynb", "export.zip"):
        assert rows[name]["status"] == "invalid", rows[name]

    # A done.json edited by hand (a better score) is not trusted: that submission is graded again.
    done = grades / rows["..ipynb"]["student"] / "done.json"
    stored = json.loads(done.read_text())
    stored["row"]["scores"] = {"q1_preprocess": [2, 2]}
    done.write_text(json.dumps(stored))
    again = make_grade(out["zip"], folder, grades, tmpdir)
    assert again == rows
    assert read_done(done, (grades / ".key").read_bytes()) is not None, "the regraded row is signed again"
    assert not processes_with(DAEMON_MARKER) and not list(tmpdir.iterdir())


def test_without_bubblewrap_grading_stops_unless_told_to_run_unsandboxed(tmp_path):
    """No bwrap on the PATH: a clear refusal before anyone is graded; --no-sandbox grades anyway."""
    zip_path, folder = tmp_path / "autograder.zip", tmp_path / "submissions"
    with zipfile.ZipFile(zip_path, "w") as z:
        z.writestr("otter_config.json", json.dumps({"assignment_name": NAME}))
    folder.mkdir()
    (folder / "alice.ipynb").write_text("not a notebook")
    command = [sys.executable, "-m", "autograder.grade", NAME, str(folder), "--zip", str(zip_path)]
    command += ["--out", str(tmp_path / "grades")]
    env = {**os.environ, "PATH": str(tmp_path / "empty")}
    refused = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "install bubblewrap (apt install bubblewrap) or pass --no-sandbox" in refused.stderr
    assert not (tmp_path / "grades" / "grades.csv").exists()
    unsafe = subprocess.run([*command, "--no-sandbox"], env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    assert unsafe.returncode == 0, unsafe.stderr
    assert read_csv(tmp_path / "grades" / "grades.csv")["alice"]["status"] == "invalid"
