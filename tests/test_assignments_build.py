"""Every assignment through the real build: otter assign, both languages, reproducibility, no leaks."""

import json
import shutil

import nbformat
import pytest

from autograder import build

ASSIGNMENTS = build.list_assignments()


def student_notebook(dist, name, lang):
    return nbformat.read(dist / lang / name / "student" / f"{name}.ipynb", as_version=4)


def autograder_tests(zip_path):
    return {n: b.decode() for n, b in build.zip_contents(zip_path).items() if n.startswith("tests/")}


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_outputs_exist_for_both_languages(built, name):
    out = built(name)
    for lang in build.LANGUAGES:
        assert (out["dist"] / lang / name / "student" / f"{name}.ipynb").is_file()
        for path in (f"{name}.ipynb", *build.SUPPORT_FILES):  # the instructor can run every check
            assert (out["dist"] / lang / name / "solution" / path).is_file(), path
    assert out["zip"] == out["dist"] / name / "autograder.zip"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_language_keeps_its_own_prose(built, name):
    dist = built(name)["dist"]
    text = {lang: "\n".join(c.source for c in student_notebook(dist, name, lang).cells) for lang in build.LANGUAGES}
    tagged, in_solution = [], False  # a written question's model answer is for the solution only
    for cell in build.read_source(name).cells:
        if cell.cell_type == "raw" and "SOLUTION" in cell.source:
            in_solution = "BEGIN SOLUTION" in cell.source
        elif cell.metadata.get("lang") and not in_solution:
            tagged.append(cell)
    assert {c.metadata["lang"] for c in tagged} == set(build.LANGUAGES), "prose in both languages"
    for cell in tagged:
        first_line = next(line for line in cell.source.splitlines() if line.strip())
        for lang in build.LANGUAGES:
            assert (first_line in text[lang]) == (lang == cell.metadata["lang"]), (lang, first_line)
    for lang in build.LANGUAGES:
        assert "{{" not in text[lang], "every template is rendered"


def test_thresholds_are_written_in_each_languages_format(built):
    dist = built("tp1_dense")["dist"]
    value = json.loads(build.THRESHOLDS.read_text())["tp1_dense"]["test_accuracy"]["threshold"]
    fr, en = ("\n".join(c.source for c in student_notebook(dist, "tp1_dense", lang).cells) for lang in ("fr", "en"))
    assert f"{100 * value:.1f} %" in en and f"{100 * value:.1f} %".replace(".", ",") in fr


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_notebooks_are_valid_and_have_one_hole_per_question(built, name):
    out = built(name)
    questions = [path[len("tests/") : -len(".py")] for path in sorted(autograder_tests(out["zip"]))]
    for lang in build.LANGUAGES:
        nb = student_notebook(out["dist"], name, lang)
        nbformat.validate(nb)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "otter.Notebook" in sources, "the init cell creates the grader"
        assert "grader.export(" in sources, "the last cell writes the file to hand in"
        for question in questions:
            assert f'grader.check("{question}")' in sources
        assert sources.count("...") >= len(questions), "one hole per graded question"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_autograder_zip_holds_hidden_tests_and_support_files(built, name):
    contents = build.zip_contents(built(name)["zip"])
    for support in build.SUPPORT_FILES:
        assert f"files/{support}" in contents
    tests = autograder_tests(built(name)["zip"])
    assert tests
    for path, source in tests.items():
        assert "hidden=True" in source, f"{path} has no hidden test"
    requirements = contents["environment.yml"].decode()
    assert "tensorflow-cpu==2.21.0" in requirements and "otter-grader" in requirements


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_hidden_test_or_solution_reaches_students(built, name):
    out = built(name)
    tests = autograder_tests(out["zip"])
    assert len(build.hidden_test_lines(tests)) >= len(tests)
    for lang in build.LANGUAGES:
        student_dir = out["dist"] / lang / name / "student"
        assert sorted(p.name for p in student_dir.iterdir()) == [f"{name}.ipynb"]
        master = build.select_language(build.read_source(name), lang)
        assert build.find_leaks(student_dir, master, tests) == []
        # and, independently of the leak checker, what only the grader may know:
        text = (student_dir / f"{name}.ipynb").read_text()
        for secret in ("kit_checks", "load_heldout", "hidden=True"):
            assert secret not in text, secret


def test_tp1_holes_hide_the_telling_lines(built):
    text = (built("tp1_dense")["dist"] / "en" / "tp1_dense" / "student" / "tp1_dense.ipynb").read_text()
    for secret in (
        "test_preprocess_on_new_images",
        "default_rng(2024)",
        "validation_split=VALIDATION_SPLIT,",
        "return n_inputs * n_units + n_units",
    ):
        assert secret not in text, secret


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_two_builds_are_identical(built, tmp_path, name):
    first = built(name)
    again = build.build(name, dist=tmp_path / "dist", work=tmp_path / "work")
    assert again.read_bytes() == first["zip"].read_bytes()
    for lang in build.LANGUAGES:
        for kind in ("student", "solution"):
            path = f"{lang}/{name}/{kind}/{name}.ipynb"
            assert (tmp_path / "dist" / path).read_bytes() == (first["dist"] / path).read_bytes(), path


def test_build_stops_when_a_solution_would_leak(tmp_path, monkeypatch):
    """A solution line copied into the prose must stop the build, not ship."""
    assignments = tmp_path / "assignments"
    shutil.copytree(build.ASSIGNMENTS_DIR, assignments)
    source = assignments / "tp1_dense" / "tp1_dense.py"
    text = source.read_text()
    leaked = 'return images.reshape(len(images), 28 * 28).astype("float32") / 255.0'
    assert leaked in text
    source.write_text(
        text.replace(
            "# ### Question 1 — Flatten and normalise", f"# ### Question 1 — Flatten and normalise\n#\n# `{leaked}`", 1
        )
    )
    monkeypatch.setattr(build, "ASSIGNMENTS_DIR", assignments)
    monkeypatch.setattr(build, "GRADING_REQUIREMENTS", assignments / "requirements.txt")
    with pytest.raises(build.BuildError, match="leak grading material"):
        build.build("tp1_dense", dist=tmp_path / "dist", work=tmp_path / "work")
    assert not (tmp_path / "dist" / "en" / "tp1_dense" / "student").exists()


def _init_cell(nb):
    return next(c for c in nb.cells if c.cell_type == "code" and "find_this_notebook(" in c.source)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_a_renamed_notebook_still_finds_its_checks(built, name, tmp_path, monkeypatch):
    """A second download, "tp1_dense (1).ipynb": the init cell finds it; no notebook at all: a clear error."""
    dist = built(name)["dist"]
    nb = student_notebook(dist, name, "fr")
    source = _init_cell(nb).source
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=f"rename it {name}.ipynb"):
        exec(source, {})
    shutil.copy(dist / "fr" / name / "student" / f"{name}.ipynb", tmp_path / f"{name} (1).ipynb")
    namespace = {}
    exec(source, namespace)
    assert namespace["NOTEBOOK"] == f"{name} (1).ipynb"
    # The checks are read from the renamed file's metadata: a real public check runs.
    assert "q" in repr(namespace["grader"].check(next(iter(nb.metadata["otter"]["tests"]))))


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_hand_in_cell_checks_without_retraining_and_names_the_file(built, name):
    nb = student_notebook(built(name)["dist"], name, "en")
    hand_in = nb.cells[-1].source
    assert "run_tests=False" in hand_in and "run_tests=True" not in hand_in, "export must not re-run the notebook"
    assert "grader.check(question)" in hand_in and "file to hand in" in hand_in
    questions = [path[len("tests/") : -len(".py")] for path in sorted(autograder_tests(built(name)["zip"]))]
    assert f"QUESTIONS = {questions!r}" in hand_in, "the hand-in cell checks every question"


def test_code_cells_get_the_public_bar_and_the_penalty(tmp_path):
    text = (
        "bar = {{public_bar_value tp1_dense test_accuracy}} + {{public_margin}}\npoints: {{integrity penalty_points}}"
    )
    rendered = build.render_code_settings(text)
    value = json.loads(build.THRESHOLDS.read_text())["tp1_dense"]["test_accuracy"]["threshold"]
    penalty = json.loads(build.INTEGRITY.read_text())["penalty_points"]
    assert rendered == f"bar = {value + build.PUBLIC_MARGIN:.4f} + {build.PUBLIC_MARGIN:g}\npoints: {penalty:g}"
    for bad in ("{{public_bar_value tp9 test_accuracy}}", "{{integrity nothing}}"):
        with pytest.raises(build.BuildError, match="names no"):
            build.render_code_settings(bad)


# The written questions (manual: true in Otter's question config), graded by the teacher.
WRITTEN_QUESTIONS = {"tp1_dense": ["q7_confusions"], "tp3_convnet": ["q7_curves"]}


@pytest.mark.parametrize("name", sorted(WRITTEN_QUESTIONS))
def test_written_questions_have_an_answer_cell_and_stay_out_of_the_autograder(built, name, tmp_path):
    from autograder.build import ANSWER_PLACEHOLDER
    from autograder.grade import written_answers

    out = built(name)
    assert not set(WRITTEN_QUESTIONS[name]) & set(autograder_tests(out["zip"])), "no automatic test for them"
    for lang in build.LANGUAGES:
        cells = student_notebook(out["dist"], name, lang).cells
        prompts = [i for i, c in enumerate(cells) if c.source.startswith("<!-- BEGIN QUESTION -->")]
        assert len(prompts) == len(WRITTEN_QUESTIONS[name])
        for i in prompts:
            answer = cells[i + 1]
            assert answer.cell_type == "markdown" and answer.source == ANSWER_PLACEHOLDER[lang]
            assert "otter_answer_cell" in answer.metadata["tags"]
        # the model answers are the teacher's only
        assert not any("Model answer" in c.source or "Réponse type" in c.source for c in cells)
    # make grade collects what a student wrote, under each question's heading
    nb = student_notebook(out["dist"], name, "fr")
    nb.cells[prompts[0] + 1].source = "Le 4 et le 9."
    nbformat.write(nb, tmp_path / "alice.ipynb")
    answers = written_answers(tmp_path / "alice.ipynb")
    assert "### Question 7" in answers and "Le 4 et le 9." in answers
