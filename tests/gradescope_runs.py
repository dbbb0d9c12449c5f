"""Gradescope-layout runs shared by the test modules (once per session, whichever asks first).

The solution's run is the suite's one grading run of each solution: the
Gradescope-layout test checks its results.json, and the mutant tests take the
full marks from it (tests/test_assignments_grading.py).

`make test` runs the slow tests in two pytest-xdist workers (processes), so the
venv and the solution runs are cached on disk, in the folder the workers share,
under a file lock: the first worker to ask does the work, the other waits for it.
"""

import hashlib
import os
import pickle
import sys
import zipfile

from filelock import FileLock

from autograder import gradescope


def _once_per_session(tmp_path_factory, key, make):
    """``make()``'s result, computed once per test session by whichever worker asks first.

    The result is pickled in the session's temporary folder; under pytest-xdist each
    worker's folder (``popen-gwN``) sits in the one shared by the whole session.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = shared / f"once-{key}.pickle"
    with FileLock(f"{path}.lock"):
        if not path.exists():
            path.write_bytes(pickle.dumps(make()))
        return pickle.loads(path.read_bytes())


def environment(autograder_zip, tmp_path_factory):
    """The venv built from the zip's environment.yml: one per distinct file content, per session."""
    with zipfile.ZipFile(autograder_zip) as z:
        key = hashlib.sha256(z.read("environment.yml")).hexdigest()

    def make():
        venv = tmp_path_factory.mktemp("otter-env") / "venv"
        seconds = gradescope.make_environment(autograder_zip, venv)
        print(
            f"\n[gradescope] built {venv} from {autograder_zip.name}'s environment.yml in {seconds:.0f} s",
            file=sys.stderr,
        )
        return venv

    return _once_per_session(tmp_path_factory, f"venv-{key[:16]}", make)


def run(out, name, submission, tmp_path_factory):
    """``(results, run)`` of ``run_in_layout`` for a submission of ``name`` (``out``: the ``built`` fixture's)."""
    venv = environment(out["zip"], tmp_path_factory)
    root = tmp_path_factory.mktemp(f"gradescope-{name}") / "autograder"
    return gradescope.run_in_layout(out["zip"], submission, root, venv)


def solution_run(built, tmp_path_factory, name):
    """The English solution of ``name`` run through its zip's run_autograder (once per session)."""
    out = built(name)
    solution = out["dist"] / "en" / name / "solution" / f"{name}.ipynb"
    return _once_per_session(tmp_path_factory, f"solution-{name}", lambda: run(out, name, solution, tmp_path_factory))
