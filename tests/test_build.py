"""Unit tests of the build's pieces: language selection, reproducible zips, leak detection."""

import zipfile

import nbformat
import pytest

from autograder import build


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def md(source, lang=None):
    cell = nbformat.v4.new_markdown_cell(source)
    if lang:
        cell.metadata["lang"] = lang
    return cell


def code(source):
    return nbformat.v4.new_code_cell(source)


HIDDEN_TEST_FILE = """
from otter.test_files import test_case
name = "q1"
@test_case(points=1, hidden=False)
def test_public(x):
    assert x.shape == (3, 4), "public message"
@test_case(points=2, hidden=True)
def test_secret(f):
    assert f(123456) == 98765, "the secret check of the hidden test"
"""


def test_select_language_keeps_shared_and_own_language_cells():
    nb = notebook(md("Bonjour", "fr"), md("Hello", "en"), code("x = 1"), md("shared"))
    fr = build.select_language(nb, "fr")
    assert [c.source for c in fr.cells] == ["Bonjour", "x = 1", "shared"]
    assert all("lang" not in c.metadata for c in fr.cells)
    assert fr.metadata["kernelspec"]["name"] == "python3"
    # the source is not modified
    assert nb.cells[0].metadata["lang"] == "fr"


def test_select_language_rejects_unknown_language():
    with pytest.raises(build.BuildError, match="unknown language"):
        build.select_language(notebook(md("Hallo", "de")), "fr")


def test_thresholds_are_written_into_prose_per_language():
    text = "at least {{threshold tp1_dense test_accuracy}}."
    value = build.json.loads(build.THRESHOLDS.read_text())["tp1_dense"]["test_accuracy"]["threshold"]
    assert build.render_thresholds(text, "en") == f"at least {100 * value:.1f} %."
    assert build.render_thresholds(text, "fr") == f"at least {100 * value:.1f} %.".replace(".", ",", 1)


def test_unknown_threshold_is_a_clear_build_error():
    with pytest.raises(build.BuildError, match="names no threshold.*tp1_dense test_accuracy"):
        build.render_thresholds("{{threshold tp1_dense no_such_key}}", "en")


def test_repacked_zip_is_byte_identical_and_keeps_contents(tmp_path):
    source = tmp_path / "otter.zip"
    with zipfile.ZipFile(source, "w") as z:
        z.writestr("tests/q1.py", "x = 1\n")
        z.writestr("run_autograder", "#!/bin/bash\n")
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    build.repack_zip(source, first)
    build.repack_zip(source, second)
    assert first.read_bytes() == second.read_bytes()
    assert build.zip_contents(first) == build.zip_contents(source)
    with zipfile.ZipFile(first) as z:
        assert (z.getinfo("run_autograder").external_attr >> 16) & 0o111, "run_autograder must stay executable"


def test_hidden_test_lines_come_from_hidden_cases_only():
    lines = build.hidden_test_lines({"tests/q1.py": HIDDEN_TEST_FILE})
    assert any("the secret check of the hidden test" in line for line in lines)
    assert not any("public message" in line for line in lines)


def test_solution_lines_are_split_from_what_students_see():
    nb = notebook(
        code("def f(x):\n    # BEGIN SOLUTION\n    return x.reshape(len(x), 784) / 255\n    # END SOLUTION"),
        code("answer = compute_the_answer_now(42)  # SOLUTION\nprint('shown to students')"),
    )
    solution, public = build.split_master_lines(nb)
    assert solution == {"return x.reshape(len(x), 784) / 255", "answer = compute_the_answer_now(42)"}
    assert "print('shown to students')" in public


def write_student(folder, *cells):
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook(*cells), folder / "tp.ipynb")


def test_find_leaks_accepts_a_clean_student_folder(tmp_path):
    master = notebook(
        code("def f(x):\n    # BEGIN SOLUTION\n    return x.reshape(len(x), 784) / 255\n    # END SOLUTION")
    )
    write_student(tmp_path, code("def f(x):\n    ..."))
    assert build.find_leaks(tmp_path, master, {"tests/q1.py": HIDDEN_TEST_FILE}) == []


def test_find_leaks_reports_solution_hidden_test_and_data(tmp_path):
    master = notebook(
        code("def f(x):\n    # BEGIN SOLUTION\n    return x.reshape(len(x), 784) / 255\n    # END SOLUTION")
    )
    write_student(
        tmp_path,
        code("def f(x):\n    return x.reshape(len(x), 784) / 255"),
        md('assert f(123456) == 98765, "the secret check of the hidden test"'),
    )
    (tmp_path / "mnist.npz").write_bytes(b"held-out data")
    leaks = "\n".join(build.find_leaks(tmp_path, master, {"tests/q1.py": HIDDEN_TEST_FILE}))
    assert "return x.reshape(len(x), 784) / 255" in leaks
    assert "the secret check of the hidden test" in leaks
    assert "mnist.npz" in leaks


def test_list_assignments_finds_tp1():
    assert "tp1_dense" in build.list_assignments()


def test_unknown_assignment_is_a_clear_error():
    with pytest.raises(build.BuildError, match="expected assignments/tp9_nothing/tp9_nothing.py"):
        build.read_source("tp9_nothing")


def test_include_lines_are_replaced_by_the_shared_file_and_a_missing_one_is_named():
    source = "x = 1\n# INCLUDE common/load_mnist.py\n\ny = load_mnist()\n"
    expanded = build.expand_includes(source, "tp.py")
    assert "def load_mnist(" in expanded and "# INCLUDE" not in expanded
    assert expanded.endswith("return (x_train, y_train), (x_test[yours], y_test[yours])\n\ny = load_mnist()\n")
    with pytest.raises(build.BuildError, match="common/nothing.py"):
        build.expand_includes("# INCLUDE common/nothing.py\n", "tp.py")
