"""The student notebooks as students run them: top to bottom in a Jupyter kernel, public checks included."""

import shutil

import nbclient
import nbformat
import pytest

from autograder import build
from reference import submissions

pytestmark = pytest.mark.slow
ASSIGNMENTS = build.list_assignments()


def student_notebook(built, name, lang, filled):
    """The student notebook of ``lang``; ``filled``: with every hole filled by the solution's code."""
    folder = built(name)["dist"] / lang / name
    nb = nbformat.read(folder / "student" / f"{name}.ipynb", as_version=4)
    if filled:
        solution = nbformat.read(folder / "solution" / f"{name}.ipynb", as_version=4)
        # The written questions' model answers are in the solution only (the student writes their own).
        model_answer = lambda c: (
            c.cell_type == "markdown" and "otter_assign_solution_cell" in c.metadata.get("tags", [])
        )  # noqa: E731
        solution.cells = [c for c in solution.cells if not model_answer(c)]
        assert len(solution.cells) == len(nb.cells)
        for mine, theirs in zip(nb.cells, solution.cells):
            if mine.source != theirs.source:
                assert "..." in mine.source, "only holes differ between the student and solution notebooks"
                mine.source = theirs.source
    return nb


def execute(built, name, lang, filled, folder):
    """Run a student notebook in ``folder`` as a student would; returns (notebook, {question: check output})."""
    nb = student_notebook(built, name, lang, filled)
    nbformat.write(nb, folder / f"{name}.ipynb")  # grader.export reads the saved notebook
    # Offline, the notebook reads MNIST from mnist.npz next to it (as during grading).
    shutil.copy(built(name)["mnist"], folder / "mnist.npz")
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", allow_errors=not filled, resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    checks = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("grader.check("):
            question = cell.source.split('"')[1]
            checks[question] = "".join(o.get("data", {}).get("text/plain", o.get("text", "")) for o in cell.outputs)
    return nb, checks


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_filled_in_french_notebook_runs_to_the_end_and_passes_its_checks(built, tmp_path, name):
    nb, checks = execute(built, name, "fr", True, tmp_path)
    assert sorted(checks) == sorted(submissions.load(name).UNFILLED_HINTS)
    for question, output in checks.items():
        assert "passed" in output and "failed" not in output, f"{question}: {output}"
    printed = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    for line in submissions.load(name).FILLED_PRINTS:
        assert line in printed
    assert list(tmp_path.glob(f"{name}_*.zip")), "the hand-in cell writes the zip to submit"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_unfilled_notebook_checks_fail_with_messages_that_say_what_to_do(built, tmp_path, name):
    _, checks = execute(built, name, "en", False, tmp_path)
    hints = submissions.load(name).UNFILLED_HINTS
    assert sorted(checks) == sorted(hints)
    for question, hint in hints.items():
        assert "failed" in checks[question] and hint in checks[question], f"{question}: {checks[question]}"
