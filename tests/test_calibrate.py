"""The calibration script's pieces (its full run is `make calibrate`, minutes per assignment)."""

import ast

import nbformat
import pytest

from autograder.grade import apply_changes
from reference import calibrate


def test_merge_sections_replaces_only_the_recalibrated_assignments():
    old = "# Results\nold header\n\n### tp1_dense\nold tp1\n\n### tp2_early_stopping\nold tp2\n"
    new = "# Results\nnew header\n\n### tp2_early_stopping\nnew tp2\n"
    merged = calibrate.merge_sections(old, new)
    assert "new header" in merged and "old header" not in merged
    assert "old tp1" in merged and "new tp2" in merged and "old tp2" not in merged
    assert merged.index("### tp1_dense") < merged.index("### tp2_early_stopping")


@pytest.mark.parametrize("name", sorted(calibrate.VARIANTS))
def test_every_variant_still_applies_to_the_solution(built, tmp_path, name):
    """The known-bad, honest and cheating variants each still match the solution once, and still parse."""
    solution = built(name)["dist"] / "en" / name / "solution" / f"{name}.ipynb"
    apply_changes(solution, [("SEED = 0", "SEED = 3")], tmp_path / "seeded.ipynb")
    for table in (calibrate.VARIANTS, calibrate.HONEST, calibrate.CHEATS):
        for variant, changes in table.get(name, {}).items():
            # apply_changes raises if a change no longer matches exactly once.
            notebook = nbformat.read(apply_changes(solution, changes, tmp_path / "variant.ipynb"), as_version=4)
            for cell in notebook.cells:
                if cell.cell_type == "code" and not cell.source.lstrip().startswith(("%", "!")):
                    ast.parse(cell.source, filename=f"{name}: {variant}")
