"""Gradescope-layout runs shared by the test modules (once per session, whichever asks first).

The solution's run is the suite's one grading run of each solution: the
Gradescope-layout test checks its results.json, and the mutant tests take the
full marks from it (tests/test_assignments_grading.py). The caches are module
globals, not session fixtures, so that the two modules share them.
"""

import hashlib
import sys
import zipfile

from autograder import gradescope

_ENVIRONMENTS = {}  # sha256 of environment.yml -> (venv path, seconds it took to build)
_SOLUTION_RUNS = {}  # assignment -> (results, run)


def environment(autograder_zip, tmp_path_factory):
    """The venv built from the zip's environment.yml: one per distinct file content, per session."""
    with zipfile.ZipFile(autograder_zip) as z:
        key = hashlib.sha256(z.read("environment.yml")).hexdigest()
    if key not in _ENVIRONMENTS:
        venv = tmp_path_factory.mktemp("otter-env") / "venv"
        seconds = gradescope.make_environment(autograder_zip, venv)
        print(f"\n[gradescope] built {venv} from {autograder_zip.name}'s environment.yml in {seconds:.0f} s", file=sys.stderr)
        _ENVIRONMENTS[key] = (venv, seconds)
    return _ENVIRONMENTS[key][0]


def run(out, name, submission, tmp_path_factory):
    """``(results, run)`` of ``run_in_layout`` for a submission of assignment ``name`` (``out``: the ``built`` fixture's)."""
    venv = environment(out["zip"], tmp_path_factory)
    root = tmp_path_factory.mktemp(f"gradescope-{name}") / "autograder"
    return gradescope.run_in_layout(out["zip"], submission, root, venv)


def solution_run(built, tmp_path_factory, name):
    """The English solution of ``name`` run through its zip's run_autograder (cached)."""
    if name not in _SOLUTION_RUNS:
        out = built(name)
        solution = out["dist"] / "en" / name / "solution" / f"{name}.ipynb"
        _SOLUTION_RUNS[name] = run(out, name, solution, tmp_path_factory)
    return _SOLUTION_RUNS[name]
