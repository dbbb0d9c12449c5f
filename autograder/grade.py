"""Grade one submission with an autograder zip, without Docker (``otter run``).

``otter grade`` needs Docker; ``otter run`` unpacks the zip and runs the
notebook in a kernel of the current environment, which must therefore hold the
zip's requirements (the kit's virtual environment does).
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat


class GradingError(RuntimeError):
    """Otter could not grade the submission at all (not: the submission lost points)."""


def run_otter(autograder_zip, submission, output_dir=None, timeout=600):
    """Grade ``submission`` (a notebook or an exported zip) with ``otter run``.

    Parameters
    ----------
    autograder_zip : path-like
        A ``dist/<name>/autograder.zip``.
    submission : path-like
        The student's ``.ipynb`` (or the zip that ``grader.export`` made).
    output_dir : path-like, optional
        Where ``results.json`` is written; a temporary folder when omitted.
    timeout : float
        Seconds before the grading run is stopped.

    Returns
    -------
    results : dict
        Gradescope's ``results.json`` as Otter wrote it: ``tests`` is a list of
        ``{"name", "score", "max_score", "visibility", "output"}``.
    """
    submission = Path(submission).resolve()
    if not submission.is_file():
        raise GradingError(f"no submission at {submission}: expected a .ipynb notebook or an export .zip")
    output_dir = Path(output_dir or tempfile.mkdtemp(prefix="grade-"))
    output_dir.mkdir(parents=True, exist_ok=True)
    # otter run writes next to the submission; grade a copy so the original stays untouched.
    with tempfile.TemporaryDirectory(prefix="submission-") as work:
        copy = Path(work) / submission.name
        shutil.copy(submission, copy)
        command = [sys.executable, "-m", "otter", "run", "-a", str(Path(autograder_zip).resolve()),
                   "-o", str(output_dir.resolve()), str(copy)]
        done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=timeout)
    results_file = output_dir / "results.json"
    if done.returncode != 0 or not results_file.is_file():
        raise GradingError(
            f"otter run failed on {submission.name} (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return json.loads(results_file.read_text())


def question_scores(results):
    """``{question: (score, max_score)}`` from a ``results.json`` (the public summary row left out)."""
    return {
        test["name"]: (test["score"], test["max_score"])
        for test in results["tests"]
        if "max_score" in test
    }


def apply_changes(notebook_path, changes, target):
    """Write ``target``: the notebook at ``notebook_path`` with each ``(old, new)`` text change applied once.

    Used to make wrong submissions from a solution (tests/submissions) and the
    calibration's variants (reference/calibrate.py). Raises ``ValueError`` when a
    change does not match exactly one place, so a variant can never silently turn
    into the unchanged notebook.
    """
    nb = nbformat.read(notebook_path, as_version=4)
    for old, new in changes:
        cells = [c for c in nb.cells if old in c.source]
        if len(cells) != 1 or cells[0].source.count(old) != 1:
            raise ValueError(f"a change must match exactly once; {old!r} matched {len(cells)} cells")
        cells[0].source = cells[0].source.replace(old, new)
    nbformat.write(nb, target)
    return target
