"""The calibration script's pieces (its full run is `make calibrate`, minutes per assignment)."""

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
def test_every_known_bad_variant_still_applies_to_the_solution(built, tmp_path, name):
    solution = built(name)["dist"] / "en" / name / "solution" / f"{name}.ipynb"
    apply_changes(solution, [("SEED = 0", "SEED = 3")], tmp_path / "seeded.ipynb")
    for changes in calibrate.VARIANTS[name].values():
        apply_changes(solution, changes, tmp_path / "variant.ipynb")  # raises if a change no longer matches
