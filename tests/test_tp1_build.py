"""TP1 through the real build: otter assign, both languages, reproducibility, no leaks."""

import json
import shutil

import nbformat
import pytest

from autograder import build

NAME = "tp1_dense"


def student_notebook(dist, lang):
    return nbformat.read(dist / lang / NAME / "student" / f"{NAME}.ipynb", as_version=4)


def test_outputs_exist_for_both_languages(built):
    out = built(NAME)
    for lang in build.LANGUAGES:
        assert (out["dist"] / lang / NAME / "student" / f"{NAME}.ipynb").is_file()
        for path in (f"{NAME}.ipynb", *build.SUPPORT_FILES):  # the instructor can run every check
            assert (out["dist"] / lang / NAME / "solution" / path).is_file(), path
    assert out["zip"] == out["dist"] / NAME / "autograder.zip"


def test_each_language_keeps_its_own_prose(built):
    dist = built(NAME)["dist"]
    fr = "\n".join(c.source for c in student_notebook(dist, "fr").cells)
    en = "\n".join(c.source for c in student_notebook(dist, "en").cells)
    assert "Un réseau de neurones dense" in fr and "A dense neural network" not in fr
    assert "A dense neural network" in en and "Un réseau de neurones dense" not in en
    # the calibrated threshold is written into the prose, in each language's format
    value = json.loads(build.THRESHOLDS.read_text())[NAME]["test_accuracy"]["threshold"]
    assert f"{100 * value:.1f} %" in en and f"{100 * value:.1f} %".replace(".", ",") in fr
    assert "{{" not in fr + en


def test_student_notebooks_open_as_python_notebooks_with_holes(built):
    nb = student_notebook(built(NAME)["dist"], "en")
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "otter.Notebook" in sources, "the init cell creates the grader"
    assert 'grader.check("q5_training")' in sources
    assert "validation_split=VALIDATION_SPLIT," not in sources, "the training call is a hole"
    assert sources.count("...") >= 6, "one hole per graded question"


def test_autograder_zip_holds_hidden_tests_and_support_files(built):
    contents = build.zip_contents(built(NAME)["zip"])
    for support in build.SUPPORT_FILES:
        assert f"files/{support}" in contents
    tests = {n: b.decode() for n, b in contents.items() if n.startswith("tests/")}
    assert sorted(tests) == [f"tests/{q}.py" for q in
                             ("q1_preprocess", "q2_one_hot", "q3_parameters", "q4_model", "q5_training", "q6_confusion")]
    for name, source in tests.items():
        assert "hidden=True" in source, f"{name} has no hidden test"
    requirements = contents["environment.yml"].decode()
    assert "tensorflow-cpu==2.21.0" in requirements and "otter-grader" in requirements


def test_no_hidden_test_or_solution_reaches_students(built):
    out = built(NAME)
    tests = {n: b.decode() for n, b in build.zip_contents(out["zip"]).items() if n.startswith("tests/")}
    assert len(build.hidden_test_lines(tests)) > 10
    for lang in build.LANGUAGES:
        student_dir = out["dist"] / lang / NAME / "student"
        assert sorted(p.name for p in student_dir.iterdir()) == [f"{NAME}.ipynb"]
        master = build.select_language(build.read_source(NAME), lang)
        assert build.find_leaks(student_dir, master, tests) == []
        # and, independently of the leak checker, what only the grader may know:
        text = (student_dir / f"{NAME}.ipynb").read_text()
        for secret in ("kit_checks", "load_heldout", "test_preprocess_on_new_images", "default_rng(2024)",
                       "validation_split=VALIDATION_SPLIT,", "return n_inputs * n_units + n_units"):
            assert secret not in text, secret


def test_two_builds_are_identical(built, tmp_path):
    first = built(NAME)
    again = build.build(NAME, dist=tmp_path / "dist", work=tmp_path / "work")
    assert again.read_bytes() == first["zip"].read_bytes()
    for lang in build.LANGUAGES:
        for kind in ("student", "solution"):
            path = f"{lang}/{NAME}/{kind}/{NAME}.ipynb"
            assert (tmp_path / "dist" / path).read_bytes() == (first["dist"] / path).read_bytes(), path


def test_build_stops_when_a_solution_would_leak(tmp_path, monkeypatch):
    """A solution line copied into the prose must stop the build, not ship."""
    assignments = tmp_path / "assignments"
    shutil.copytree(build.ASSIGNMENTS_DIR, assignments)
    source = assignments / NAME / f"{NAME}.py"
    text = source.read_text()
    leaked = "return images.reshape(len(images), 28 * 28).astype(\"float32\") / 255.0"
    assert leaked in text
    source.write_text(text.replace("# ### Question 1 — Flatten and normalise",
                                   f"# ### Question 1 — Flatten and normalise\n#\n# `{leaked}`", 1))
    monkeypatch.setattr(build, "ASSIGNMENTS_DIR", assignments)
    monkeypatch.setattr(build, "GRADING_REQUIREMENTS", assignments / "requirements.txt")
    with pytest.raises(build.BuildError, match="leak grading material"):
        build.build(NAME, dist=tmp_path / "dist", work=tmp_path / "work")
    assert not (tmp_path / "dist" / "en" / NAME / "student").exists()
