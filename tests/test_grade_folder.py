"""`make grade`: a folder mixing good, wrong and broken submissions graded into a correct CSV."""

import csv
import json
import time
import zipfile

import nbformat
import pytest

from autograder.grade import grade_folder

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
