"""TP1's notebooks as students run them: top to bottom in a Jupyter kernel, public checks included."""

import shutil

import nbclient
import nbformat
import pytest

NAME = "tp1_dense"
QUESTIONS = ("q1_preprocess", "q2_one_hot", "q3_parameters", "q4_model", "q5_training", "q6_confusion")
pytestmark = pytest.mark.slow


def student_notebook(built, lang, filled):
    """The student notebook of ``lang``; ``filled``: with every hole filled by the solution's code."""
    folder = built(NAME)["dist"] / lang / NAME
    nb = nbformat.read(folder / "student" / f"{NAME}.ipynb", as_version=4)
    if filled:
        solution = nbformat.read(folder / "solution" / f"{NAME}.ipynb", as_version=4)
        assert len(solution.cells) == len(nb.cells)
        for mine, theirs in zip(nb.cells, solution.cells):
            if mine.source != theirs.source:
                assert "..." in mine.source, "only holes differ between the student and solution notebooks"
                mine.source = theirs.source
    return nb


def execute(built, lang, filled, folder):
    """Run TP1's student notebook in ``folder`` as a student would; returns (notebook, {question: check output})."""
    nb = student_notebook(built, lang, filled)
    nbformat.write(nb, folder / f"{NAME}.ipynb")  # grader.export reads the saved notebook
    # Offline, the notebook reads MNIST from mnist.npz next to it (as during grading).
    shutil.copy(built(NAME)["mnist"], folder / "mnist.npz")
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=not filled,
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    checks = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("grader.check("):
            question = cell.source.split('"')[1]
            checks[question] = "".join(o.get("data", {}).get("text/plain", o.get("text", "")) for o in cell.outputs)
    return nb, checks


def test_filled_in_french_notebook_runs_to_the_end_and_passes_its_checks(built, tmp_path):
    nb, checks = execute(built, "fr", True, tmp_path)
    assert sorted(checks) == sorted(QUESTIONS)
    for question, output in checks.items():
        assert "passed" in output and "failed" not in output, f"{question}: {output}"
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "accuracy on load_digits, MNIST-like preprocessing" in text
    assert list(tmp_path.glob(f"{NAME}_*.zip")), "the hand-in cell writes the zip to submit"


def test_unfilled_notebook_checks_fail_with_messages_that_say_what_to_do(built, tmp_path):
    _, checks = execute(built, "en", False, tmp_path)
    assert sorted(checks) == sorted(QUESTIONS)
    expected = {
        "q1_preprocess": "complete preprocess()",
        "q2_one_hot": "complete one_hot()",
        "q3_parameters": "dense_params() returned None",
        "q4_model": "build_model() returned None",
        "q5_training": "complete the model.fit(...) call",
        "q6_confusion": "complete preprocess() in question 1 first",
    }
    for question, hint in expected.items():
        assert "failed" in checks[question] and hint in checks[question], f"{question}: {checks[question]}"
