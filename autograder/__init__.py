"""The course kit's engine: MNIST loading, the notebook/autograder build, grading checks."""

from pathlib import Path

#: The repository root: the folder that holds ``assignments/``, ``reference/`` and ``dist/``.
REPO_ROOT = Path(__file__).resolve().parent.parent
