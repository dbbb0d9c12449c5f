"""Feedback in the student's language: one zip, French messages for French notebooks, English for English ones."""

import ast
import re

import nbformat
import pytest
from otter.test_files import ExceptionTestFile

from autograder import build, checks

ASSIGNMENTS = build.list_assignments()
TPS = [name for name in ASSIGNMENTS if name.startswith("tp")]
# The French words the course settles on, and those it must not use for them.
FORBIDDEN_FRENCH = {
    r"\bprécision\b": "accuracy is « exactitude » (scikit-learn's precision is another metric)",
    r"\barrêt anticipé\b": "early stopping is « arrêt précoce » everywhere",
    r"\bpas d'apprentissage\b": "the learning rate is « taux d'apprentissage »; « pas » is the stride only",
}


def source_text(name):
    """The source with the build's settings filled in (``{{public_bar_value ...}}`` is not Python)."""
    return build.render_code_settings((build.ASSIGNMENTS_DIR / name / f"{name}.py").read_text())


def graded_functions(name):
    """The hidden and public test functions of a source (``ast.FunctionDef`` named ``test_*``)."""
    tree = ast.parse(source_text(name))
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


@pytest.mark.parametrize("name", TPS)
def test_every_test_message_exists_in_both_languages(name):
    functions = graded_functions(name)
    assert functions
    for function in functions:
        messages = [n.msg for n in ast.walk(function) if isinstance(n, ast.Assert) and n.msg is not None]
        for message in messages:
            # `assert ..., "<French>" if fr else "<English>"` (a bare string would reach French students in English)
            bilingual = (
                isinstance(message, ast.IfExp) and isinstance(message.test, ast.Name) and message.test.id == "fr"
            )
            assert bilingual, f"{name}, {function.name}, line {message.lineno}: a message in one language only"
        if messages:
            assigned = {
                t.id
                for n in ast.walk(function)
                if isinstance(n, ast.Assign)
                for t in n.targets
                if isinstance(t, ast.Name)
            }
            assert "fr" in assigned, f"{name}, {function.name}: uses fr without reading the notebook's language"


@pytest.mark.parametrize("name", TPS)
def test_french_prose_uses_the_courses_terms(name):
    nb = build.read_source(name)
    french = "\n".join(c.source for c in nb.cells if c.metadata.get("lang") == "fr")
    french += "\n".join(
        line for c in nb.cells if c.cell_type == "code" for line in c.source.splitlines() if " if fr else " in line
    )
    for pattern, why in FORBIDDEN_FRENCH.items():
        found = re.findall(pattern, french, re.IGNORECASE)
        assert not found, f"{name}: {found[0]!r} in French: {why}"


def test_checks_speak_the_notebooks_language(monkeypatch):
    # Set, then removed: the fixture then restores the variable's absence after the test
    # (the cell sets it in os.environ, which a bare delenv would not undo).
    monkeypatch.setenv(checks.LANGUAGE_VARIABLE, "en")
    monkeypatch.delenv(checks.LANGUAGE_VARIABLE)
    assert checks.language() == "en" and checks.say("bonjour", "hello") == "hello"
    monkeypatch.setenv(checks.LANGUAGE_VARIABLE, "fr")
    assert checks.language() == "fr" and checks.say({"fr": "bonjour", "en": "hello"}) == "bonjour"
    assert checks.percent_fr(0.98125) == "98,12 %" or checks.percent_fr(0.98125) == "98,13 %"


def run_public_test(nb, question, env):
    """Run one public test file of a student notebook's metadata; ``[(passed, message)]`` per case."""
    test_file = ExceptionTestFile.from_string(nb.metadata["otter"]["tests"][question], path=question)
    test_file.run(env)
    return [(r.passed, r.message) for r in test_file.test_case_results]


def language_cell_environment(nb, monkeypatch):
    """Run the student notebook's language cell as the student's kernel would; returns its globals."""
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and checks.LANGUAGE_VARIABLE in c.source]
    # Set, then removed: the fixture then restores the variable's absence after the test
    # (the cell sets it in os.environ, which a bare delenv would not undo).
    monkeypatch.setenv(checks.LANGUAGE_VARIABLE, "en")
    monkeypatch.delenv(checks.LANGUAGE_VARIABLE)
    env = {}
    exec("import os\n" + cell.source, env)  # the notebook imported os in its first cell
    return env


@pytest.mark.parametrize("name", TPS)
def test_a_failing_public_check_answers_in_the_notebooks_language(built, name, monkeypatch):
    """The untouched notebook's checks fail in French for the French notebook, in English otherwise."""
    out = built(name)
    expected = {"fr": "vaut None", "en": "is None"}
    for lang in build.LANGUAGES:
        nb = nbformat.read(out["dist"] / lang / name / "student" / f"{name}.ipynb", as_version=4)
        env = language_cell_environment(nb, monkeypatch)
        assert env["tr"]("fr", "en") == lang, "figures' text in the notebook's language"
        results = [r for question in nb.metadata["otter"]["tests"] for r in run_public_test(nb, question, env)]
        # Otter shows the failing line (both languages) then "AssertionError: <message>": keep the message.
        failures = [message.rpartition("Error: ")[2] for passed, message in results if not passed]
        assert failures, f"{name} ({lang}): public checks pass on an empty environment"
        assert any(expected[lang] in message for message in failures), f"{name} ({lang}): {failures}"
        other = expected["en" if lang == "fr" else "fr"]
        assert not any(other in message for message in failures), f"{name} ({lang}): a message in the other language"


@pytest.mark.parametrize("name", TPS)
def test_every_comment_of_the_shared_code_has_its_french_line(name):
    from autograder.build.code_language import prose_lines, translations

    table = translations("fr")
    missing = [
        line
        for cell in build.read_source(name).cells
        if cell.cell_type == "code" and not cell.metadata.get("lang") and "BEGIN TEST CONFIG" not in cell.source
        for line in prose_lines(cell.source)
        if line not in table
    ]
    assert not missing, f"{name}: add these lines' French to assignments/common/code_fr.json: {missing}"


def test_the_french_notebook_has_french_comments_and_the_english_one_english():
    nb = build.read_source("tp1_dense")
    code = {lang: "\n".join(c.source for c in build.select_language(nb, lang).cells) for lang in build.LANGUAGES}
    assert "# Une seule graine pour Python" in code["fr"] and "# One seed for Python" not in code["fr"]
    assert "# One seed for Python" in code["en"] and "# Une seule graine" not in code["en"]
    assert code["fr"].count("def preprocess(images):") == 1, "code itself is never translated"


@pytest.mark.slow
@pytest.mark.parametrize("lang", build.LANGUAGES)
def test_the_grader_answers_each_notebook_in_its_language(built, tmp_path, lang):
    """One zip grades the untouched TP1 notebook of each language; the feedback is in that language."""
    from autograder.grade import run_otter

    out = built("tp1_dense")
    results = run_otter(out["zip"], out["dist"] / lang / "tp1_dense" / "student" / "tp1_dense.ipynb", tmp_path)
    public = next(t for t in results["tests"] if t["name"] == "Public Tests")["output"]
    messages = {"fr": "AssertionError: x_train vaut None", "en": "AssertionError: x_train is None"}
    assert messages[lang] in public, public
    assert messages["en" if lang == "fr" else "fr"] not in public
