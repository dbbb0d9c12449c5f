"""The Colab path: a Colab version of each student notebook and a bundle of its public checks.

Otter's ``grader.check`` reads the tests from the notebook file's metadata, which Colab
does not have on disk; on Colab it reads them from a ``tests/`` folder beside the notebook
instead (and it disables ``grader.export``). So for each TP the build writes

    dist/colab/<name>.zip                      the student bundle: tests/<question>.py (public checks only),
                                               one for both languages (the checks speak the notebook's)
    dist/<lang>/<name>/colab/<name>.ipynb      the student notebook whose first cell installs the
                                               pinned Otter and unpacks the bundle fetched from the URL

The instructor publishes ``dist/colab/`` at the URL given to the build
(``python -m autograder.build --colab-url URL``, ``make assignments COLAB_URL=URL``); the
notebook fetches ``<URL>/<name>.zip``. The hand-in cell says how to submit from Colab: the
``.ipynb`` itself, which ``make grade`` and Gradescope grade as they grade the zip.
"""

import copy
import importlib.metadata
import zipfile

import nbformat

from . import ZIP_DATE, BuildError

OTTER_REQUIREMENT = f"otter-grader=={importlib.metadata.version('otter-grader')}"

SETUP = {
    "fr": "# Sur Google Colab : installe Otter (le correcteur) et récupère les vérifications de ce TP.\n"
    "# Exécutez cette cellule en premier, une fois par session.",
    "en": "# On Google Colab: installs Otter (the grader) and fetches this lab's checks.\n"
    "# Run this cell first, once per session.",
}
SETUP_CODE = """
import importlib.metadata
import io
import subprocess
import sys
import urllib.request
import zipfile

OTTER = {otter!r}
BUNDLE_URL = {url!r}
try:
    installed = importlib.metadata.version("otter-grader")
except importlib.metadata.PackageNotFoundError:
    installed = None
if OTTER != f"otter-grader=={{installed}}":
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", OTTER])
with urllib.request.urlopen(BUNDLE_URL) as response:
    bundle = zipfile.ZipFile(io.BytesIO(response.read()))
bundle.extractall()
print(len(bundle.namelist()), "checks in tests/")
"""
INIT = '# Initialize Otter\nimport otter\ngrader = otter.Notebook(tests_dir="tests")'
HAND_IN = {
    "fr": "## Rendre votre travail depuis Colab\n\n"
    "Sur Colab, Otter ne peut pas écrire le zip à rendre. À la place :\n\n"
    "1. *Exécution → Redémarrer la session et tout exécuter* : le notebook doit aller jusqu'au bout "
    "sans erreur, c'est ce que fera le correcteur ; la cellule ci-dessous relance toutes les vérifications ;\n"
    "2. *Fichier → Télécharger → Télécharger le fichier .ipynb* ;\n"
    "3. déposez ce fichier `.ipynb` (sans le renommer en autre chose qu'un `.ipynb`) là où votre "
    "enseignant vous l'a demandé.",
    "en": "## Handing in your work from Colab\n\n"
    "On Colab, Otter cannot write the zip to hand in. Instead:\n\n"
    "1. *Runtime → Restart session and run all*: the notebook must run to the end without errors, "
    "as the grader will run it; the cell below re-runs every check;\n"
    "2. *File → Download → Download .ipynb*;\n"
    "3. hand in that `.ipynb` file (keep it a `.ipynb`) where your teacher asked you to.",
}
CHECK_ALL = "for question in sorted(grader_questions):\n    display(grader.check(question))"


def public_tests(notebook):
    """``{question: test file source}`` of a student notebook's public checks (its Otter metadata)."""
    return dict(notebook.metadata.get("otter", {}).get("tests", {}))


def write_bundle(name, tests, target):
    """Write the student bundle: ``tests/<question>.py`` for each public check, fixed timestamps."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for question, source in sorted(tests.items()):
            bundle.writestr(zipfile.ZipInfo(f"tests/{question}.py", date_time=ZIP_DATE), source)
    return target


def colab_notebook(student, lang, url, questions):
    """The Colab version of a student notebook (``nbformat.NotebookNode``).

    Its first cell installs ``OTTER_REQUIREMENT`` and unpacks the bundle found at ``url``; the
    init cell reads the checks from ``tests/``; the hand-in cell is replaced by Colab's way.
    """
    nb = copy.deepcopy(student)
    for key in ("tests", "OK_FORMAT"):  # Otter wants both or neither
        nb.metadata.get("otter", {}).pop(key, None)
    setup = nbformat.v4.new_code_cell(SETUP[lang] + SETUP_CODE.format(otter=OTTER_REQUIREMENT, url=url))
    cells = [setup]
    found_init = found_export = False
    for cell in nb.cells:
        if cell.cell_type == "code" and "otter.Notebook(" in cell.source:
            cell.source, found_init = INIT, True
        if cell.cell_type == "code" and "grader.export(" in cell.source:
            found_export = True
            if cells[-1].cell_type == "markdown":
                cells.pop()  # the prose of the hand-in cell, which describes the zip
            cells.append(nbformat.v4.new_markdown_cell(HAND_IN[lang]))
            cells.append(nbformat.v4.new_code_cell(f"grader_questions = {sorted(questions)!r}\n" + CHECK_ALL))
            continue
        cells.append(cell)
    if not (found_init and found_export):
        raise BuildError("a student notebook without Otter's init cell or hand-in cell: no Colab version")
    nb.cells = cells
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:03d}"
    return nb


def build_colab(name, url, dist, languages):
    """Write the bundle and the Colab notebooks of ``name`` from its built student notebooks.

    Returns the bundle's path. ``url`` is where the instructor publishes ``dist/colab/``.
    """
    url = url.rstrip("/") + f"/{name}.zip"
    students = {
        lang: nbformat.read(dist / lang / name / "student" / f"{name}.ipynb", as_version=4) for lang in languages
    }
    tests = {lang: public_tests(nb) for lang, nb in students.items()}
    first, *others = languages
    if any(tests[lang] != tests[first] for lang in others):
        raise BuildError(f"{name}: the public checks differ between languages; one bundle must serve both")
    bundle = write_bundle(name, tests[first], dist / "colab" / f"{name}.zip")
    for lang, student in students.items():
        folder = dist / lang / name / "colab"
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(colab_notebook(student, lang, url, tests[first]), folder / f"{name}.ipynb")
    return bundle
