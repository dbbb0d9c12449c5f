"""Submissions the grading tests replay, one module per assignment (``<name>.py``).

Each module defines

``MUTANTS``
    Wrong submissions made from the solution notebook by small named changes
    (applied with ``autograder.grade.apply_changes``):
    ``{name: ([(solution text, replacement), ...], {question: points lost})}``.
    Every hidden test must have a mutant that it catches (a mutant that loses no
    points is a mistake no test catches), except entries whose points lost are ``{}``:
    right answers written differently from the solution, which must keep every point.
``UNFILLED_HINTS``
    ``{question: text}``: what the public check says about the untouched hole.
``FILLED_PRINTS``
    Texts the notebook, filled in, prints on its way to the end.
"""

import importlib


def load(name):
    """The submissions module of assignment ``name``."""
    return importlib.import_module(f"{__name__}.{name}")
