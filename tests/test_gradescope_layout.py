"""Every autograder zip installed and run the way Gradescope runs it (see autograder/gradescope.py).

For each TP: the zip is unpacked into a fresh /autograder-like tree in a temporary
folder, its environment is built from its own environment.yml into a fresh venv
(one per distinct file; pip's cache makes the second one fast), and its own
run_autograder grades the English solution. results.json must follow
Gradescope's documented format, give full marks, and tell students before
publication how many points the hidden tests hold. That run is also the suite's
only grading of each solution: tests/test_assignments_grading.py takes the full
marks from it.

What this does not exercise: setup.sh (apt, Miniforge from GitHub, conda), which
needs more of the internet than this machine reaches; the venv stands in for the
conda environment it builds, with the same Python minor version and the same pip
requirements.
"""

import ast
import json

import pytest

from autograder import build, gradescope
from autograder.grade import apply_changes, question_scores
from reference import submissions

from . import gradescope_runs

ASSIGNMENTS = build.list_assignments()
# Conda packages that Otter's own environment.yml template lists without a version.
OTTER_TEMPLATE_UNPINNED = {"pip", "jupyter_server"}


def hidden_points(test_source):
    """``(hidden points, all points)`` of a test file, read from its decorators (the build's notice left out).

    Independent of the build, which asks Otter: here the ``points=`` and
    ``hidden=`` literals of each ``@test_case(...)`` are added up.
    """
    hidden = total = 0
    for node in ast.walk(ast.parse(test_source)):
        if isinstance(node, ast.FunctionDef) and node.name != "hidden_points_notice":
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "test_case":
                    keywords = {k.arg: ast.literal_eval(k.value) for k in decorator.keywords}
                    total += keywords["points"]
                    hidden += keywords["points"] if keywords.get("hidden") else 0
    return hidden, total


def expected_notices(autograder_zip):
    """``{question: text}``: what the public feedback must say of each question's hidden points.

    Counted on the clean process's copy of the tests (``judge/tests/``): the kernel's copy gives
    the cases judged outside 0 points.
    """
    prefix = f"{build.JUDGE_DIR}/tests/"
    tests = {
        n[len(prefix) : -len(".py")]: b.decode()
        for n, b in build.zip_contents(autograder_zip).items()
        if n.startswith(prefix)
    }
    points = {q: hidden_points(source) for q, source in tests.items()}
    all_hidden, all_total = sum(h for h, _ in points.values()), sum(t for _, t in points.values())
    return {q: build.hidden_points_notice(h, t, all_hidden, all_total).split(";")[0] for q, (h, t) in points.items()}


def check_seconds(results_pkl):
    """``{question: seconds}`` its ``grader.check`` cell took in the graded notebook (Otter's results.pkl).

    nbclient stamps each executed cell with the times its execution began and
    ended (``metadata.execution``); Otter keeps the executed notebook in the pickle.
    """
    from datetime import datetime

    import dill

    with open(results_pkl, "rb") as f:
        notebook = dill.load(f).notebook
    seconds = {}
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith("grader.check("):
            stamps = cell.metadata["execution"]
            began, ended = (
                datetime.fromisoformat(stamps[key]) for key in ("iopub.execute_input", "shell.execute_reply")
            )
            seconds[cell.source.split('"')[1]] = (ended - began).total_seconds()
    return seconds


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_zip_installs_pinned_requirements_and_cpu_tensorflow(built, name):
    python, conda, pip = gradescope.environment_spec(built(name)["zip"])
    assert python == "3.11", "the conda environment names the Python minor version the kit is tested with"
    assert gradescope.unpinned(pip) == [], "every pip requirement names one exact version"
    assert set(conda) <= OTTER_TEMPLATE_UNPINNED, (
        f"unexpected unpinned conda packages: {set(conda) - OTTER_TEMPLATE_UNPINNED}"
    )
    packages = {requirement.split("==")[0].split("[")[0].lower() for requirement in pip}
    assert "tensorflow-cpu" in packages, pip
    assert not packages & {"tensorflow", "tensorflow-gpu", "tf-nightly"}, "TensorFlow must be the CPU build"
    assert any(r.startswith("otter-grader[") and r.endswith("==7.0.0") for r in pip), (
        "the Otter that built the zip grades it"
    )


def test_unpinned_finds_loose_requirements():
    assert gradescope.unpinned(["a==1.0", "b>=2", "c", "d==1.*", "e[x]==3"]) == ["b>=2", "c", "d==1.*"]


def test_schema_validator_accepts_gradescope_examples_and_rejects_mistakes():
    good = {
        "score": 4.0,
        "execution_time": 12,
        "output": "ok",
        "visibility": "after_due_date",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "score": 2,
                "max_score": 2,
                "name": "q1",
                "number": "1",
                "output": "",
                "tags": [],
                "visibility": "visible",
                "status": "passed",
            }
        ],
    }
    assert gradescope.schema_errors(good) == []
    assert (
        gradescope.schema_errors({"tests": [{"name": "info", "output": "no score here"}, {"score": 1, "max_score": 1}]})
        == []
    )
    bad = [
        {"tests": [{"name": "no score anywhere"}]},
        {"score": "13", "tests": []},
        {"score": 1, "visibility": "after_publication"},
        {"score": 1, "stdout_visibility": "shown"},
        {"score": 1, "tests": [{"score": 3, "max_score": 2}]},
        {"score": 1, "tests": [{"max_score": 2}]},
        {"score": 1, "tests": [{"score": 1, "status": "error"}]},
        {"score": 1, "tests": [{"score": 1, "output_format": "latex"}]},
        {"score": 1, "grade": 2},
        {"score": 1, "tests": ["q1"]},
        {"score": True},
    ]
    for results in bad:
        assert gradescope.schema_errors(results), results


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_question_tells_how_many_of_its_points_are_hidden(built, name):
    """The build's notice is in every test file of the zip, a public 0-point case with the right counts."""
    from otter.test_files import ExceptionTestFile

    notices = expected_notices(built(name)["zip"])
    assert notices
    for question, text in notices.items():
        source = build.zip_contents(built(name)["zip"])[f"tests/{question}.py"].decode()
        (notice,) = [
            c
            for c in ExceptionTestFile.from_string(source, path=question).test_cases
            if c.name == build.HIDDEN_POINTS_CASE
        ]
        assert notice.points == 0 and not notice.hidden
        assert text in notice.success_message, (question, notice.success_message)
    # an assignment with no hidden points at all would be a mistake the notice would reveal
    assert not all(text.startswith("hidden tests hold 0 ") for text in notices.values())


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_gradescope_run_of_the_solution(built, tmp_path_factory, name):
    results, run = gradescope_runs.solution_run(built, tmp_path_factory, name)
    assert gradescope.schema_errors(results) == []
    scores = question_scores(results)
    assert scores and all(score == possible > 0 for score, possible in scores.values()), scores
    assert "Total Score:" in run["log"]

    # Before publication students see the public summary only, and it says what is still hidden.
    public = [t for t in results["tests"] if t.get("visibility", "visible") == "visible"]
    assert [t["name"] for t in public] == ["Public Tests"]
    assert {t["name"] for t in results["tests"] if t.get("visibility") == "after_published"} == set(scores)
    assert results.get("stdout_visibility") != "visible", "the grading log shows hidden tests' messages"
    for question, text in expected_notices(built(name)["zip"]).items():
        assert text in public[0]["output"], f"the public feedback does not tell {question}'s hidden points"

    # Checks take seconds, not minutes (no training inside a check). While grading, a
    # check runs the hidden tests too, so a student's public check takes less than this.
    seconds = check_seconds(run["root"] / "results" / "results.pkl")
    assert seconds.keys() == scores.keys()
    assert max(seconds.values()) < 30, seconds


@pytest.mark.slow
def test_gradescope_environment_has_the_cpu_tensorflow(built, tmp_path_factory):
    """The venv built from the zip holds tensorflow-cpu, not the CUDA build."""
    import subprocess

    venv = gradescope_runs.environment(built("tp1_dense")["zip"], tmp_path_factory)
    probe = (
        "import importlib.metadata as m; names = {d.metadata['Name'].lower() for d in m.distributions()};"
        "print('tensorflow-cpu' in names or 'tensorflow_cpu' in names, 'tensorflow' in names,"
        " any(n.startswith('nvidia-') for n in names))"
    )
    found = subprocess.run([str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["True", "False", "False"], found.stdout


@pytest.mark.slow
@pytest.mark.parametrize("mutant", sorted(submissions.load("tp1_dense").HOSTILE))
def test_hostile_submission_gains_nothing_in_the_gradescope_layout(built, tmp_path_factory, mutant):
    name = "tp1_dense"
    changes, expected_loss = submissions.load(name).HOSTILE[mutant]
    out = built(name)
    folder = tmp_path_factory.mktemp(mutant)
    hostile = apply_changes(out["dist"] / "en" / name / "solution" / f"{name}.ipynb", changes, folder / f"{name}.ipynb")
    results, run = gradescope_runs.run(out, name, hostile, tmp_path_factory)
    assert gradescope.schema_errors(results) == []
    assert "fake" not in {t["name"] for t in results["tests"]}, "the submission's own results.json survived"
    full = question_scores(gradescope_runs.solution_run(built, tmp_path_factory, name)[0])
    scores = question_scores(results)
    lost = {q: full[q][0] - score for q, (score, _) in scores.items() if score != full[q][0]}
    assert lost == expected_loss
    # Otter's design lets the notebook read the hidden tests (they sit next to it while it
    # runs, and the tests run in its kernel); the read happened, and bought nothing.
    read = json.loads((run["root"] / "submission" / "hidden_tests_read.json").read_text())
    assert "tests/q5_training.py" in read
