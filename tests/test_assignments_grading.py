"""Every assignment graded end to end through its autograder zip with `otter run` (no Docker).

Each grading run executes the whole notebook, training included, so these tests
are the slow tier: the solution (full marks), the untouched student notebook
(zero, without crashing the grader) and every wrong submission of
reference/submissions/<name>.py (exactly the points it must lose). The solution's
full marks come from its Gradescope-layout run (tests/test_gradescope_layout.py),
the suite's one grading of each solution; the hostile submissions run there too.
"""

import json

import pytest

from autograder import build
from autograder.grade import apply_changes, flags, question_scores, run_otter
from reference import submissions

from . import gradescope_runs

pytestmark = pytest.mark.slow
ASSIGNMENTS = build.list_assignments()
MUTANTS = [(name, mutant) for name in ASSIGNMENTS for mutant in sorted(submissions.load(name).MUTANTS)]


def notebook(out, name, lang, kind):
    return out["dist"] / lang / name / kind / f"{name}.ipynb"


@pytest.fixture(scope="session")
def solution_scores(built, tmp_path_factory):
    """``{question: (score, max_score)}`` of the English solution, from its Gradescope-layout run.

    That run (tests/gradescope_runs.py) is the suite's only grading of each
    solution: tests/test_gradescope_layout.py checks its results.json.
    """
    return lambda name: question_scores(gradescope_runs.solution_run(built, tmp_path_factory, name)[0])


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_gets_full_marks(solution_scores, name):
    scores = solution_scores(name)
    assert scores
    for question, (score, possible) in scores.items():
        assert score == possible > 0, f"{question}: {score}/{possible}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_is_not_flagged_and_passes_its_public_checks(built, tmp_path_factory, name):
    results = gradescope_runs.solution_run(built, tmp_path_factory, name)[0]
    assert flags(results) == []
    public = next(t for t in results["tests"] if t["name"] == "Public Tests")["output"]
    for question in question_scores(results):
        assert f"{question} results: All test cases passed!" in public, public


def test_the_same_zip_grades_the_french_notebook(built, solution_scores, tmp_path):
    out = built("tp1_dense")
    scores = question_scores(run_otter(out["zip"], notebook(out, "tp1_dense", "fr", "solution"), tmp_path))
    assert scores == solution_scores("tp1_dense")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_unfilled_student_notebook_scores_zero_without_crashing(built, solution_scores, tmp_path, name):
    out = built(name)
    results = run_otter(out["zip"], notebook(out, name, "fr", "student"), tmp_path)
    scores = question_scores(results)
    assert scores.keys() == solution_scores(name).keys()
    assert all(score == 0 for score, _ in scores.values()), scores
    public = next(t for t in results["tests"] if t["name"] == "Public Tests")
    for question, hint in submissions.load(name).UNFILLED_HINTS.items():
        assert hint in public["output"], f"the public feedback of {question} says what to do"


@pytest.mark.parametrize("name, mutant", MUTANTS)
def test_each_mutant_loses_exactly_its_points(built, solution_scores, tmp_path, name, mutant):
    changes, expected_loss = submissions.load(name).MUTANTS[mutant]
    out = built(name)
    wrong = apply_changes(notebook(out, name, "en", "solution"), changes, tmp_path / f"{name}.ipynb")
    results = run_otter(out["zip"], wrong, tmp_path / "results")
    scores = question_scores(results)
    full = solution_scores(name)
    lost = {q: full[q][0] - score for q, (score, _) in scores.items() if score != full[q][0]}
    assert lost == expected_loss
    module = submissions.load(name)
    # Trained on test digits: flagged (what it costs is integrity.json's setting); anything else: never.
    assert bool(flags(results)) == (mutant in getattr(module, "FLAGGED", set())), flags(results)
    # A public check that says "passed" to a question that then loses points must be one the
    # submissions module names as blind to that mistake (the hidden-points notice says so).
    silent = getattr(module, "PUBLIC_SILENT", None)
    if silent is not None:
        public = next(t for t in results["tests"] if t["name"] == "Public Tests")["output"]
        passed_then_lost = {q for q in lost if f"{q} results: All test cases passed!" in public}
        assert passed_then_lost <= set(silent.get(mutant, ())), (passed_then_lost, public)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_hidden_test_has_a_mutant_that_it_catches(built, name):
    """Statically: each question with a hidden test appears in some mutant's expected losses."""
    questions = {
        path[len("tests/") : -len(".py")]
        for path in build.zip_contents(built(name)["zip"])
        if path.startswith("tests/")
    }
    caught = {q for _, losses in submissions.load(name).MUTANTS.values() for q in losses}
    assert questions <= caught, f"no wrong submission exercises {sorted(questions - caught)}"


def test_a_flag_costs_what_the_instructor_sets(tmp_path, monkeypatch):
    """``penalty_points`` of integrity.json at 1: the flagged cheat loses that point, and only that."""
    settings = {**json.loads(build.INTEGRITY.read_text()), "penalty_points": 1}
    integrity = tmp_path / "integrity.json"
    integrity.write_text(json.dumps(settings))
    monkeypatch.setattr(build, "INTEGRITY", integrity)
    out = {"dist": tmp_path / "dist"}
    out["zip"] = build.build("tp1_dense", languages=("en",), dist=out["dist"], work=tmp_path / "work")
    changes, loss = submissions.load("tp1_dense").MUTANTS["trains_on_its_test_set"]
    assert loss == {}, "with the default setting (0 points) the cheat loses nothing"
    cheat = apply_changes(notebook(out, "tp1_dense", "en", "solution"), changes, tmp_path / "tp1_dense.ipynb")
    results = run_otter(out["zip"], cheat, tmp_path / "results")
    assert flags(results)
    lost = {q: possible - score for q, (score, possible) in question_scores(results).items() if score != possible}
    assert lost == {"q5_training": 1}
