"""Build every student notebook and autograder zip from the Jupytext sources.

One source per assignment, ``assignments/<name>/<name>.py`` (Jupytext percent
format), holds the prose in both languages, the solutions and the public and
hidden tests. For each language the build

1. keeps the cells of that language (cells whose metadata say ``lang="fr"`` or
   ``lang="en"``; cells without ``lang`` are shared),
2. writes an ``.ipynb`` with a kernelspec (``otter assign`` reads only notebooks
   and fails without one) next to the files the autograder ships,
3. runs ``otter assign``,
4. makes the outputs reproducible (stable cell ids, a zip with fixed timestamps),
5. checks that no hidden test, solution line or held-out file reached a
   student file, and stops the build if one did.

Outputs::

    dist/<lang>/<name>/student/<name>.ipynb    what students get
    dist/<lang>/<name>/solution/<name>.ipynb   the instructor's solution notebook
    dist/<name>/autograder.zip                 for Gradescope or `make grade`

Run ``python -m autograder.build [NAME ...]`` (``autograder/build/__main__.py``); the robot
lab, a Python package rather than a notebook, is built by :mod:`autograder.build.robot_lab`.
"""

import ast
import contextlib
import copy
import inspect
import io
import json
import os
import re
import shutil
import textwrap
import zipfile
from pathlib import Path

import jupytext
import nbformat
import numpy as np

from robot_lab.mnist import load_mnist

from .. import REPO_ROOT, checks, verify
from .code_language import translate_code

LANGUAGES = ("fr", "en")
ASSIGNMENTS_DIR = REPO_ROOT / "assignments"
DEFAULT_DIST = REPO_ROOT / "dist"
DEFAULT_WORK = REPO_ROOT / "build"
GRADING_REQUIREMENTS = ASSIGNMENTS_DIR / "requirements.txt"
THRESHOLDS = ASSIGNMENTS_DIR / "thresholds.json"
# The instructor's settings of the test-set check (autograder/checks.py, check_test_set_use).
INTEGRITY = ASSIGNMENTS_DIR / checks.INTEGRITY_FILE
# A public accuracy check measures the student's own 5,000 test digits against the hidden
# pass mark plus this margin, so that a pass there is a pass on the grader's 5,000 (two
# halves of one random split differ by about 0.3 point for an honest model: reference/results.md).
PUBLIC_MARGIN = 0.003

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
# 1980-01-01 is the earliest date a zip entry can hold; a fixed date makes the
# zip's bytes depend on its contents only.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
EXECUTABLE_IN_ZIP = {"run_autograder", "setup.sh"}
# What the autograder ships beside the tests (each source's `autograder_files`).
SUPPORT_FILES = (checks.MNIST_FILE, "kit_checks.py", checks.THRESHOLDS_FILE, checks.INTEGRITY_FILE)
# What the kernel gets beside them: the exporter of autograder/verify.py. Its mnist.npz holds the
# students' half of the test set only; the grader's half ships in judge/, with the clean process.
KERNEL_FILES = (*SUPPORT_FILES, "kit_verify.py")
JUDGE_DIR = "judge"
# Gradescope's run_autograder, after Otter's run: the clean process judges again (autograder/verify.py).
JUDGE_COMMAND = (
    "python /autograder/source/judge/kit_verify.py /autograder/source/judge /autograder/submission/kit_exports "
    "/autograder/results/results.json /autograder/results/results.json"
)
# What `otter assign` may put in a student folder; anything else is a leak.
STUDENT_FILES_ALLOWED = {".ipynb"}
# A line of a source cell replaced by a file of assignments/ at build time.
INCLUDE = re.compile(r"^# INCLUDE (?P<path>\S+)$", re.MULTILINE)
# A line of a test cell replaced by a public check of autograder/checks.py (its source).
KIT_CHECK = re.compile(r"^(?P<indent>[ \t]*)# KIT_CHECK (?P<name>\w+)$", re.MULTILINE)
# Lines this short ("return model", "...") say nothing about a solution.
MIN_LEAK_LINE = 16


class BuildError(RuntimeError):
    """The build cannot produce safe, complete outputs."""


def list_assignments():
    """Names of the assignments: folders of ``assignments/`` holding ``<name>/<name>.py``."""
    return sorted(p.parent.name for p in ASSIGNMENTS_DIR.glob("*/*.py") if p.stem == p.parent.name)


def read_source(name):
    """The assignment's Jupytext source as a notebook (``nbformat.NotebookNode``)."""
    path = ASSIGNMENTS_DIR / name / f"{name}.py"
    if not path.is_file():
        raise BuildError(
            f"no source for assignment {name!r}: expected {path.relative_to(REPO_ROOT)}; "
            f"known assignments: {', '.join(list_assignments()) or 'none'}"
        )
    return read_notebook(path)


def read_notebook(path):
    """A Jupytext percent source as a notebook, its ``# INCLUDE`` lines replaced (:func:`expand_includes`)."""
    # Expanded before Jupytext parses the text, so a notebook reads as if the file were pasted in.
    return jupytext.reads(expand_includes(Path(path).read_text(), path), fmt="py:percent")


def expand_includes(source, origin):
    """Replace each line ``# INCLUDE <path>`` by that file of ``assignments/`` (a cell several notebooks share).

    The file's text goes in as it is, less its final newline, so a shared function is
    written once (``assignments/common/``) and each notebook still shows it in full.
    """

    def insert(match):
        path = ASSIGNMENTS_DIR / match["path"]
        if not path.is_file():
            raise BuildError(f"{origin}: {match[0]!r} names no file; expected {path.relative_to(REPO_ROOT)}")
        return path.read_text().rstrip("\n")

    return INCLUDE.sub(insert, source)


def render_thresholds(text, lang):
    """Replace ``{{threshold NAME KEY}}`` with that calibrated pass mark, as a percentage."""
    table = json.loads(THRESHOLDS.read_text())

    def percent(match, plus=0.0):
        try:
            value = table[match["name"]][match["key"]]["threshold"] + plus
        except KeyError:
            raise BuildError(
                f"{match[0]} names no threshold in {THRESHOLDS.relative_to(REPO_ROOT)}; "
                f"it has: {', '.join(f'{n} {k}' for n in table for k in table[n])}"
            ) from None
        formatted = f"{100 * value:.1f} %"
        return formatted.replace(".", ",") if lang == "fr" else formatted

    text = re.sub(r"\{\{threshold (?P<name>\w+) (?P<key>\w+)\}\}", percent, text)
    return re.sub(r"\{\{public_bar (?P<name>\w+) (?P<key>\w+)\}\}", lambda m: percent(m, PUBLIC_MARGIN), text)


def render_code_settings(text):
    """Replace, in a code cell, ``{{public_bar_value NAME KEY}}`` (a pass mark plus :data:`PUBLIC_MARGIN`,
    as a number), ``{{public_margin}}`` (:data:`PUBLIC_MARGIN`), ``{{integrity KEY}}`` (a setting of
    ``assignments/integrity.json``) and ``# KIT_CHECK NAME`` lines (:func:`paste_check`)."""
    table, integrity = json.loads(THRESHOLDS.read_text()), json.loads(INTEGRITY.read_text())

    def bar(match):
        try:
            return f"{table[match['name']][match['key']]['threshold'] + PUBLIC_MARGIN:.4f}"
        except KeyError:
            raise BuildError(f"{match[0]} names no threshold in {THRESHOLDS.relative_to(REPO_ROOT)}") from None

    def setting(match):
        if match["key"] not in integrity:
            raise BuildError(f"{match[0]} names no setting of {INTEGRITY.relative_to(REPO_ROOT)}")
        return f"{integrity[match['key']]:g}"

    text = re.sub(r"\{\{public_bar_value (?P<name>\w+) (?P<key>\w+)\}\}", bar, text)
    text = re.sub(r"\{\{integrity (?P<key>\w+)\}\}", setting, text)
    text = text.replace("{{public_margin}}", f"{PUBLIC_MARGIN:g}")
    return KIT_CHECK.sub(paste_check, text)


def paste_check(match):
    """The source of the public check ``autograder.checks.<name>``, indented as the line ``# KIT_CHECK <name>``.

    Students run public checks without ``kit_checks.py``: the function travels inside the test.
    """
    function = getattr(checks, match["name"], None)
    if not callable(function):
        raise BuildError(f"{match[0].strip()!r} names no function of autograder/checks.py")
    return textwrap.indent(inspect.getsource(function).rstrip("\n"), match["indent"])


def select_language(nb, lang):
    """Copy of ``nb`` keeping the shared cells and the cells of ``lang``.

    The ``lang`` metadata key is removed, thresholds are written into the prose
    and a kernelspec is set, so the result is what ``otter assign`` expects as a
    master notebook.
    """
    langs = {c.metadata.get("lang") for c in nb.cells} - {None}
    unknown = langs - set(LANGUAGES)
    if unknown:
        raise BuildError(f"cells tagged with unknown language(s) {sorted(unknown)}; use one of {LANGUAGES}")
    out = nbformat.v4.new_notebook()
    out.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    for cell in nb.cells:
        cell_lang = cell.metadata.get("lang")
        if cell_lang not in (None, lang):
            continue
        cell = copy.deepcopy(cell)
        cell.metadata.pop("lang", None)
        if cell.cell_type == "markdown":
            cell.source = render_thresholds(cell.source, lang)
        elif cell.cell_type == "code":
            cell.source = render_code_settings(cell.source)
            if cell_lang is None and not _is_test_cell(cell.source):
                cell.source = translate_code(cell.source, lang)
        out.cells.append(cell)
    return out


def write_mnist_npz(path):
    """Write MNIST as the autograder ships it: an ``.npz`` with the keys of ``keras.datasets.mnist``."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    write_npz(path, {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test})


def write_kernel_mnist_npz(source, path):
    """Write the kernel's ``mnist.npz``: ``source``'s training set and the students' half of its test set only."""
    with np.load(source) as data:
        students, _ = checks.split_test_set(len(data["y_test"]))
        arrays = {"x_train": data["x_train"], "y_train": data["y_train"]}
        arrays.update(x_test=data["x_test"][students], y_test=data["y_test"][students])
    arrays[checks.STUDENTS_HALF_KEY] = np.array(True)
    write_npz(path, arrays)


def write_npz(path, arrays, compression=zipfile.ZIP_STORED):
    """Write ``arrays`` (name -> ndarray, in that order) as an ``.npz`` whose bytes depend on the arrays only.

    ``np.savez`` stamps the current time into the archive; entries written with a
    fixed date keep two builds' zips identical.
    """
    with zipfile.ZipFile(path, "w", compression) as npz:
        for key, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
            npz.writestr(
                zipfile.ZipInfo(f"{key}.npy", date_time=ZIP_DATE), buffer.getvalue(), compress_type=compression
            )


def link_or_copy(source, target):
    """Hard-link ``source`` to ``target`` (no second copy of a 55 MB file), else copy it."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy(source, target)


def stage(nb, name, lang, work):
    """Lay out the master notebook and the autograder's support files in ``work/<name>/<lang>``.

    Returns the path of the master ``.ipynb``.
    """
    folder = work / name / lang
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    master = folder / f"{name}.ipynb"
    nbformat.write(select_language(nb, lang), master)
    shutil.copy(GRADING_REQUIREMENTS, folder / "requirements.txt")
    shutil.copy(THRESHOLDS, folder / checks.THRESHOLDS_FILE)
    shutil.copy(INTEGRITY, folder / checks.INTEGRITY_FILE)
    shutil.copy(Path(checks.__file__), folder / "kit_checks.py")
    shutil.copy(Path(verify.__file__), folder / "kit_verify.py")
    link_or_copy(work / KERNEL_MNIST, folder / checks.MNIST_FILE)
    return master


# The kernel's mnist.npz, in the build folder (the full one is checks.MNIST_FILE there).
KERNEL_MNIST = "mnist_kernel.npz"
# The first line of an Otter test case: its decorator and its function's signature.
TEST_CASE = re.compile(r"^@test_case\((?P<options>.*)\)\ndef (?P<name>\w+)\((?P<arguments>[^)]*)\):\n", re.MULTILINE)


def kernel_tests(question, source):
    """The kernel's copy of a test file: each case the clean process judges exports its arguments, for 0 points.

    A case is judged outside (autograder/verify.py) when every argument is in ``verify.JUDGED``;
    its first line becomes a call to ``kit_verify.export``, its points 0. The zip's ``judge/tests/``
    keeps the cases as written, points included.
    """

    def exporting(match):
        arguments = [a.strip() for a in match["arguments"].split(",") if a.strip()]
        if not arguments or not all(a in verify.JUDGED for a in arguments):
            return match[0]
        options = re.sub(r"\bpoints=[^,)]+", "points=0", match["options"])
        keywords = ", ".join(f"{a}={a}" for a in arguments)
        line = f'{", ".join(arguments)}, = __import__("kit_verify").export("{question}.{match["name"]}", {keywords})'
        return f"@test_case({options})\ndef {match['name']}({match['arguments']}):\n    {line}\n"

    return TEST_CASE.sub(exporting, source)


def with_clean_judge(contents, work):
    """The zip's entries (``{name: bytes}``) with the kernel's tests, the ``judge/`` folder and its step in run_autograder."""
    out = dict(contents)
    for name, source in contents.items():
        if name.startswith("tests/"):
            out[f"{JUDGE_DIR}/{name}"] = source
            out[name] = kernel_tests(Path(name).stem, source.decode()).encode()
    for support in (checks.THRESHOLDS_FILE, checks.INTEGRITY_FILE, "kit_checks.py", "kit_verify.py"):
        out[f"{JUDGE_DIR}/{support}"] = contents[f"files/{support}"]
    out[f"{JUDGE_DIR}/{checks.MNIST_FILE}"] = (work / checks.MNIST_FILE).read_bytes()
    script = contents["run_autograder"].decode().rstrip("\n")
    out["run_autograder"] = f"{script}\n{JUDGE_COMMAND}\n".encode()
    return out


def run_otter_assign(master):
    """Run ``otter assign`` on ``master``; returns the output folder (``<master dir>/out``)."""
    from otter.assign import main as otter_assign

    out = master.parent / "out"
    log = io.StringIO()
    try:
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            otter_assign(str(master), str(out), no_pdfs=True, no_run_tests=True)
    except Exception as error:
        raise BuildError(f"otter assign failed on {master}:\n{log.getvalue()}\n{error!r}") from error
    return out


# What Otter writes in the answer cell of a written (manual) question, and its French.
ANSWER_PLACEHOLDER = {"en": "_Type your answer here, replacing this text._", "fr": "_Écrivez votre réponse ici, à la place de ce texte._"}


def normalize_notebook(path, lang="en"):
    """Rewrite a notebook so that two builds give identical bytes (stable cell ids, no outputs).

    The answer cells of written questions get their placeholder in ``lang``.
    """
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:03d}"
        if cell.cell_type == "markdown" and cell.source == ANSWER_PLACEHOLDER["en"]:
            cell.source = ANSWER_PLACEHOLDER[lang]
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("jupytext", None)
    nbformat.write(nb, path)


def repack_zip(source, target, replace=None):
    """Copy a zip with sorted entries and fixed timestamps (identical inputs → identical bytes).

    ``replace`` (``{entry name: str}``) gives new contents for some entries.
    """
    contents = zip_contents(source)
    contents.update({name: text.encode() for name, text in (replace or {}).items() if name in contents})
    write_zip(contents, target)


def write_zip(contents, target):
    """Write ``contents`` (``{entry name: bytes}``) as a zip with sorted entries and fixed timestamps."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for entry in sorted(contents):
            info = zipfile.ZipInfo(entry, date_time=ZIP_DATE)
            mode = 0o755 if Path(entry).name in EXECUTABLE_IN_ZIP else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, contents[entry])


def zip_contents(path):
    """``{entry name: bytes}`` of a zip file."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if not n.endswith("/")}


# --- hidden points, disclosed --------------------------------------------------

HIDDEN_POINTS_CASE = "hidden points"


def hidden_points_notice(hidden, total, all_hidden, all_total):
    """What the public feedback of a question says of its hidden points, in English then French.

    Numbers as each language writes them (0.5 / 0,5), and "point" in the singular where each
    language wants it (English: 1 point; French: under 2, 0,5 point, 1 point).
    """

    def en(n, points=False):
        return f"{n:g}" + (" point" + "s" * (n != 1) if points else "")

    def fr(n, points=False):
        return f"{n:g}".replace(".", ",") + (" point" + "s" * (n >= 2) if points else "")

    return (
        f"hidden tests hold {en(hidden)} of this question's {en(total, points=True)} "
        f"({en(all_hidden)} of the assignment's {en(all_total)}); their results appear once grades are published. / "
        f"des tests cachés portent {fr(hidden, points=True)} de cette question, notée sur {fr(total)} "
        f"({fr(all_hidden, points=True)} des {fr(all_total)} du TP) ; leurs résultats apparaissent à la publication des notes."
    )


def points_by_visibility(test_source, name="test"):
    """``(hidden points, all points)`` of one exception-format test file, as Otter resolves them."""
    from otter.test_files import ExceptionTestFile

    cases = ExceptionTestFile.from_string(test_source, path=name).test_cases
    return sum(c.points for c in cases if c.hidden), sum(c.points for c in cases)


def with_hidden_points_notice(test_files):
    """The test files, each with one more public test case that says how many points are hidden.

    Gradescope shows students only the *Public Tests* summary until grades are
    published, and Otter writes "All test cases passed!" there when the public
    checks pass, hidden points or not. Otter 7 has no setting for this (its
    ``show_hidden`` only makes the hidden results visible after publication), so
    the build adds a 0-point public case whose ``success_message`` (Otter prints
    it in the public summary, passed or not) gives the question's hidden points
    and the assignment's. Both languages: one zip grades both.

    Parameters
    ----------
    test_files : dict of {str: str}
        ``tests/<question>.py`` → source, as ``otter assign`` wrote them (exception format).

    Returns
    -------
    dict of {str: str}
        The same names, each source with the notice case appended.
    """
    points = {name: points_by_visibility(source, name) for name, source in test_files.items()}
    all_hidden, all_total = (sum(p[i] for p in points.values()) for i in (0, 1))
    notices = {}
    for name, source in test_files.items():
        hidden, total = points[name]
        message = hidden_points_notice(hidden, total, all_hidden, all_total)
        notices[name] = (
            f"{source.rstrip()}\n\n\n"
            f"@test_case(name={HIDDEN_POINTS_CASE!r}, points=0, hidden=False, success_message={message!r})\n"
            f"def hidden_points_notice():\n"
            f'    """Added by the kit\'s build: tells students how many points the hidden tests hold."""\n'
        )
    return notices


# --- leak checks -------------------------------------------------------------


def _strings(value):
    """Every string inside a JSON-like value (notebook metadata holds the public tests)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _is_test_cell(source):
    """A test cell (public or hidden): its code is the zip's, the same in every language."""
    return "BEGIN TEST CONFIG" in source


def _is_hidden_test_cell(source):
    head = source.lstrip().splitlines()[0] if source.strip() else ""
    config = source.split("END TEST CONFIG")[0] if "BEGIN TEST CONFIG" in source else ""
    return bool(re.search(r"hidden:\s*true", config, re.I)) or bool(re.match(r"#.*\bhidden\b", head, re.I))


def split_master_lines(nb):
    """Split a master notebook's lines into what otter assign must strip and what students see.

    Solution lines are those inside ``# BEGIN SOLUTION`` / ``# END SOLUTION`` or ending
    in ``# SOLUTION``; hidden test cells are left out of both sets (the zip's test files
    are the reference for them, see ``hidden_test_lines``).

    Returns
    -------
    solution : set of str
        Stripped solution lines long enough to be telling.
    public : set of str
        Stripped lines of everything else (prose, prompts, public tests).
    """
    solution, public = set(), set()
    for cell in nb.cells:
        if cell.cell_type == "code" and _is_hidden_test_cell(cell.source):
            continue
        inside = False
        for line in cell.source.splitlines():
            marker = line.strip().upper()
            if marker.startswith("# BEGIN SOLUTION"):
                inside = True
            elif marker.startswith("# END SOLUTION"):
                inside = False
            elif inside:
                solution.add(line.strip())
            elif line.rstrip().endswith("# SOLUTION"):
                solution.add(line.rsplit("#", 1)[0].strip())
            else:
                public.add(line.strip())
    # Otter rewrites test code (its quotes, for one): a public line also counts as public in that form.
    public |= {normalized for line in public if (normalized := _normalized_line(line))}
    return {line for line in solution if len(line) >= MIN_LEAK_LINE}, public - {""}


def _normalized_line(line):
    """``line`` as ``ast.unparse`` writes it (Otter's form of test code), or None when it is no statement."""
    try:
        return ast.unparse(ast.parse(line))
    except SyntaxError:
        return None


def hidden_test_lines(test_files):
    """Source lines of the hidden test cases in otter's exception-format test files.

    Parameters
    ----------
    test_files : dict of {str: str}
        Test file name → Python source, as found in the autograder zip's ``tests/``.
    """
    found = []
    for source in test_files.values():
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                hidden = isinstance(deco, ast.Call) and any(
                    k.arg == "hidden" and isinstance(k.value, ast.Constant) and k.value.value is True
                    for k in deco.keywords
                )
                if hidden:
                    body = ast.get_source_segment(source, node)
                    found.extend(line.strip() for line in body.splitlines()[1:])
    return [line for line in found if len(line) >= MIN_LEAK_LINE]


def find_leaks(student_dir, master, test_files):
    """What of the grader's secrets a student folder holds.

    Parameters
    ----------
    student_dir : Path
        A ``dist/<lang>/<name>/student`` folder.
    master : nbformat.NotebookNode
        The master notebook the folder was built from.
    test_files : dict of {str: str}
        The autograder zip's test files (name → source).

    Returns
    -------
    leaks : list of str
        One message per leak; empty when the folder is safe.
    """
    leaks = []
    for path in sorted(p for p in student_dir.rglob("*") if p.is_file()):
        if path.suffix not in STUDENT_FILES_ALLOWED:
            leaks.append(f"{path.relative_to(student_dir)}: file that is not a notebook in the student folder")
    texts = []
    for path in student_dir.rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        texts += [c.source for c in nb.cells] + list(_strings(dict(nb.metadata)))
    student = "\n".join(texts)

    solution, public = split_master_lines(master)
    secrets = solution | set(hidden_test_lines(test_files))
    # A line the students see anyway (a prompt, a public test) gives nothing away;
    # anything else found anywhere in their notebook, even inside a sentence, is a leak.
    for line in sorted(secrets - public):
        if line in student:
            leaks.append(f"secret line in the student notebook: {line!r}")
    return leaks


# --- the build -----------------------------------------------------------------


def build(name, languages=LANGUAGES, dist=DEFAULT_DIST, work=DEFAULT_WORK):
    """Build one assignment in every language; returns the autograder zip's path."""
    nb = read_source(name)
    work.mkdir(parents=True, exist_ok=True)
    if not (work / checks.MNIST_FILE).is_file():
        write_mnist_npz(work / checks.MNIST_FILE)
    if not (work / KERNEL_MNIST).is_file():
        write_kernel_mnist_npz(work / checks.MNIST_FILE, work / KERNEL_MNIST)

    zips = {}
    for lang in languages:
        master = stage(nb, name, lang, work)
        out = run_otter_assign(master)
        (ag_zip,) = sorted((out / "autograder").glob("*.zip"))
        zips[lang] = work / name / lang / "autograder.zip"
        generated = {n: b.decode() for n, b in zip_contents(ag_zip).items() if n.startswith("tests/")}
        contents = {**zip_contents(ag_zip), **{n: t.encode() for n, t in with_hidden_points_notice(generated).items()}}
        write_zip(with_clean_judge(contents, work), zips[lang])

        student = dist / lang / name / "student"
        solution = dist / lang / name / "solution"
        for folder in (student, solution):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        for path in (out / "student").iterdir():
            if path.is_file():
                shutil.copy(path, student / path.name)
        shutil.copy(out / "autograder" / f"{name}.ipynb", solution / f"{name}.ipynb")
        # Next to the solution, the files the hidden tests read, so that an instructor
        # can run the solution notebook with every check, hidden ones included.
        for support in SUPPORT_FILES:
            link_or_copy(master.parent / support, solution / support)
        link_or_copy(work / checks.MNIST_FILE, solution / checks.MNIST_FILE)  # both halves: every check runs
        for notebook in (student / f"{name}.ipynb", solution / f"{name}.ipynb"):
            normalize_notebook(notebook, lang)

        tests = {n: b.decode() for n, b in zip_contents(zips[lang]).items() if n.startswith("tests/")}
        if not any("hidden=True" in t for t in tests.values()):
            raise BuildError(f"{name} ({lang}): the autograder has no hidden test")
        leaks = find_leaks(student, select_language(nb, lang), tests)
        if leaks:
            shutil.rmtree(student)
            raise BuildError(
                f"{name} ({lang}): the student folder would leak grading material:\n  " + "\n  ".join(leaks)
            )

    # Tests and support files are language-independent, so one zip grades both.
    first, *others = languages
    for lang in others:
        if zip_contents(zips[lang]) != zip_contents(zips[first]):
            raise BuildError(
                f"{name}: the {lang} and {first} autograders differ; tests and support files "
                "must not depend on the language (tag only prose cells with lang)"
            )
    target = dist / name / "autograder.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(zips[first], target)
    return target
