"""TP1 graded end to end through its autograder zip with `otter run` (no Docker).

Each grading run executes the whole notebook, training included (~30 s here).
"""

import pytest

from autograder.grade import question_scores, run_otter

from .mutants import TP1_DENSE, mutate

NAME = "tp1_dense"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def solution_scores(built, tmp_path_factory):
    out = built(NAME)
    notebook = out["dist"] / "en" / NAME / "solution" / f"{NAME}.ipynb"
    return question_scores(run_otter(out["zip"], notebook, tmp_path_factory.mktemp("solution")))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_solution_gets_full_marks(built, solution_scores, tmp_path, lang):
    if lang == "en":
        scores = solution_scores
    else:  # the same zip grades the French notebook
        out = built(NAME)
        notebook = out["dist"] / lang / NAME / "solution" / f"{NAME}.ipynb"
        scores = question_scores(run_otter(out["zip"], notebook, tmp_path))
    assert len(scores) == 6
    for question, (score, possible) in scores.items():
        assert score == possible > 0, f"{question}: {score}/{possible}"


def test_unfilled_student_notebook_scores_zero_without_crashing(built, tmp_path):
    out = built(NAME)
    results = run_otter(out["zip"], out["dist"] / "fr" / NAME / "student" / f"{NAME}.ipynb", tmp_path)
    scores = question_scores(results)
    assert len(scores) == 6
    assert all(score == 0 for score, _ in scores.values()), scores
    public = next(t for t in results["tests"] if t["name"] == "Public Tests")
    assert "x_train is None" in public["output"], "the public feedback says what to do"


@pytest.mark.parametrize("mutant", sorted(TP1_DENSE))
def test_each_mutant_loses_exactly_its_points(built, solution_scores, tmp_path, mutant):
    changes, expected_loss = TP1_DENSE[mutant]
    out = built(NAME)
    notebook = mutate(out["dist"] / "en" / NAME / "solution" / f"{NAME}.ipynb", changes, tmp_path / f"{NAME}.ipynb")
    scores = question_scores(run_otter(out["zip"], notebook, tmp_path / "results"))
    lost = {q: solution_scores[q][0] - score for q, (score, _) in scores.items() if score != solution_scores[q][0]}
    assert lost == expected_loss
