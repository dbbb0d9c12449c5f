"""Build the robot lab's student version, its guide (fr, en) and its autograder zip.

The robot lab's sources are the solution package ``robot_lab/`` itself and its guide,
``assignments/robot_lab/robot_lab_guide.py`` (Jupytext, built like a TP's prose). The
parts students write sit between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` (the TPs'
markers) inside functions; the build replaces each such block with a hole::

    # HINT: threshold the face, then crop the digit's bounding box.   <- kept, and quoted in the hole
    # BEGIN SOLUTION
    ...solution lines...                                             <- removed
    # END SOLUTION

becomes::

    # HINT: threshold the face, then crop the digit's bounding box.
    raise NotImplementedError("robot_lab/vision.py, face_to_sprite(): yours to write. Hint: threshold ...")

so the student's package still imports, and running it stops with a message
that says which function to write. The build refuses to write a student file
that still holds a solution line (the leak check of ``autograder.build``).

Outputs::

    dist/<lang>/robot_lab/README.md          the steps from a fresh machine (robot_lab/guide/README.<lang>.md)
    dist/<lang>/robot_lab/guide.ipynb        the lab guide, what students open first
    dist/<lang>/robot_lab/robot_lab/         the package with holes (docstrings, hints and errors of the
                                             French folder in French: robot_lab/guide/fr.py)
    dist/<lang>/robot_lab/data/robot_lab/digits.keras   the trained network (load_model()'s default path)
    dist/<lang>/robot_lab/grading/           the same tests as the autograder's, on public scenes:
                                             ``python grading/run.py`` grades the folder
    dist/<lang>/robot_lab/requirements.txt   what the guide, the service and the local grading need (pinned)
    dist/robot_lab/autograder.zip            for Gradescope (setup.sh, run_autograder, hidden tests,
                                             the trained model, hidden scenes with reference answers)

Every text file of a student folder is checked for the kit's own commands and folders
(``make ...``, ``tests/``, ``reference/``...), which students do not have.

Run ``python -m autograder.build robot_lab [--model PATH]``.
"""

import ast
import importlib
import importlib.metadata
import json
import math
import re
import shutil
import zipfile
from pathlib import Path

import nbformat

from .. import REPO_ROOT, build, sandbox
from . import BuildError

LAB = "robot_lab"
# The JupyterLab students open the guide with (not a dependency of the kit itself).
JUPYTERLAB = "4.6.6"
PACKAGE_DIR = REPO_ROOT / LAB
GUIDE_SOURCE = build.ASSIGNMENTS_DIR / LAB / "robot_lab_guide.py"
GRADING_DIR = PACKAGE_DIR / "grading"
# The hidden scenes: simulated from the half of MNIST's test '1's and '2's that the
# public scenes never use, at both real cameras' sizes.
HIDDEN_SEEDS = tuple(range(7000, 7020))
HIDDEN_SIZES = ((480, 640), (480, 752))
# Both views, each at both sizes (scenes 0-1 top, 2-3 side, ...); the other conditions of
# the real photos (light, frames, marker digits, JPEG, clutter) are drawn from each seed.
HIDDEN_VIEWS = ("top", "side")
# The public scenes of the students' own grading folder (public split, the same layouts).
PUBLIC_SEEDS = tuple(range(100, 110))
# How far from the reference a student's pipeline may be on the hidden scenes: a
# cube or two that a slightly different, still correct sprite reads otherwise.
SCENE_MARGIN = 0.08
# Pixels between a found cube's centre and the true one for the cube to count as found.
CENTER_TOLERANCE = 20.0
# The reference sprites of the hidden faces: centre of mass at most 0.6 px from
# MNIST's (vision.MNIST_CENTRE), digit sides 18-20 px; centring by bounding box
# instead puts it up to 3 px off.
# A face is framed like MNIST when its sprite meets all four; an independent right answer misses
# one face of 40 (another threshold keeps a stroke the reference drops): 2 faces of slack.
SPRITE_LIMITS = {
    "max_center_offset": 1.0,
    "box_side": [16, 22],
    "aspect_tolerance": 0.25,
    "min_correlation": 0.5,
    "slack": 2,
}
# Where the student's copy of the trained network goes: classifier.load_model()'s
# default path, relative to the folder that holds robot_lab/.
STUDENT_MODEL = Path("data") / "robot_lab" / "digits.keras"

# Folders and files of robot_lab/ that students never get: the hidden tests and what
# Python, catkin or a training run leave behind.
NOT_FOR_STUDENTS = {"grading", "guide", "__pycache__", "build", "devel", ".pytest_cache"}
# The package's READMEs are the kit's (make targets, the kit's tests): students get the
# folder's own README.md instead, and the guide's ROS 2 commands.
NOT_FOR_STUDENTS_FILES = {Path("README.md"), Path("ros2/README.md")}
STUDENT_GUIDE_DIR = PACKAGE_DIR / "guide"
# What a student folder must never name: the kit's commands and folders, which students do not have.
KIT_ONLY = re.compile(
    r"(?<![\w-])make (ros|robot-model|data|grade|test|test-fast|assignments|lint|bench|calibrate|venv)\b"
    r"|(?<![\w./-])(tests|reference|autograder|assignments)/|python -m (autograder|reference)\b"
    r"|robot_lab/grading/|kit's folder|dossier du kit"
)
TEXT_SUFFIXES = {".py", ".md", ".txt", ".json", ".launch", ".xml", ".srv", ".ipynb", ".sh", ""}
GENERATED_SUFFIXES = {".pyc", ".keras", ".h5", ".npz", ".npy"}

BEGIN = re.compile(r"^(?P<indent>[ \t]*)#\s*BEGIN SOLUTION\b", re.I)
END = re.compile(r"^[ \t]*#\s*END SOLUTION\b", re.I)
HINT = re.compile(r"^[ \t]*#\s*(HINT:|INDICE\s*:)\s*(?P<text>.*)$", re.I)
HINT_MORE = re.compile(r"^[ \t]*#\s+(?P<text>\S.*)$")


# --- holes ---------------------------------------------------------------------


def _enclosing_functions(source):
    """``{line number: function name}`` for every line inside a function (innermost wins)."""
    owner = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for line in range(node.lineno, node.end_lineno + 1):
                if line not in owner or owner[line][0] < node.lineno:
                    owner[line] = (node.lineno, node.name)
    return {line: name for line, (_, name) in owner.items()}


def _hint_above(lines, index):
    """The ``# HINT:`` comment right above line ``index`` (with its continuation lines), or ``""``."""
    start = index
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    comment = lines[start:index]
    for i, line in enumerate(comment):
        match = HINT.match(line)
        if match:
            more = [HINT_MORE.match(text) for text in comment[i + 1 :]]
            return " ".join([match["text"].strip(), *(m["text"].strip() for m in more if m)]).strip()
    return ""


def _student_texts():
    """``robot_lab/guide/fr.py``: the French texts and the holes' messages in each language."""
    return importlib.import_module("robot_lab.guide.fr")


def translate(source, relative, lang):
    """``source`` (the file ``relative`` of the package) with its texts in ``lang`` (``robot_lab/guide/fr.py``).

    Raises ``BuildError`` when an English text of the table is not in ``source`` exactly once.
    """
    if lang != "fr":
        return source
    for english, french in _student_texts().FRENCH.get(relative, []):
        count = source.count(english)
        if count != 1:
            raise BuildError(
                f"robot_lab/guide/fr.py: a text of robot_lab/{relative} is found {count} times (expected once): "
                f"{english.strip()[:80]!r}... The source changed: update its French text."
            )
        source = source.replace(english, french)
    return source


def make_holes(source, label, lang="en"):
    """The student version of a solution file: each solution block becomes a ``raise``.

    Parameters
    ----------
    source : str
        A Python file of the solution package.
    label : str
        How messages name the file, e.g. ``"robot_lab/vision.py"``.
    lang : {"en", "fr"}
        The language of the ``NotImplementedError`` messages.

    Returns
    -------
    student : str
        ``source`` with every ``# BEGIN SOLUTION`` … ``# END SOLUTION`` block (markers
        included) replaced by ``raise NotImplementedError("<file>, <function>(): ...")``
        at the block's indentation.
    holes : list of str
        The name of the function of each hole, in order.

    Raises
    ------
    BuildError
        The source is not valid Python, or a block is unclosed, nested, empty or
        outside a function (the student's module would then fail on import).
    """
    lines = source.splitlines(keepends=True)
    try:
        owners = _enclosing_functions(source)
    except SyntaxError as error:
        raise BuildError(f"{label}:{error.lineno}: the solution is not valid Python ({error.msg})") from None
    out, holes, i = [], [], 0
    while i < len(lines):
        begin = BEGIN.match(lines[i])
        if END.match(lines[i]):
            raise BuildError(f"{label}:{i + 1}: '# END SOLUTION' without a '# BEGIN SOLUTION' above it")
        if not begin:
            out.append(lines[i])
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if END.match(lines[j]) or BEGIN.match(lines[j])), None)
        if end is None or BEGIN.match(lines[end]):
            raise BuildError(
                f"{label}:{i + 1}: '# BEGIN SOLUTION' is not closed by '# END SOLUTION' before the next block"
            )
        if not any(text.strip() for text in lines[i + 1 : end]):
            raise BuildError(f"{label}:{i + 1}: empty solution block")
        function = owners.get(i + 1)
        if function is None:
            raise BuildError(
                f"{label}:{i + 1}: solution block outside a function; the student's module would "
                "fail on import. Put the block inside the function students write."
            )
        hint, texts = _hint_above(lines, i), _student_texts()
        message = texts.HOLE_MESSAGE[lang].format(label=label, function=function) + (
            f". {texts.HINT_WORD[lang]}{' : ' if lang == 'fr' else ': '}{hint}" if hint else texts.SEE_DOCSTRING[lang]
        )
        out.append(f"{begin['indent']}raise NotImplementedError({message!r})\n")
        holes.append(function)
        i = end + 1
    return "".join(out), holes


def solution_lines(source):
    """Telling solution lines of a file, and its other lines, as ``build.split_master_lines`` sees them."""
    as_notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    return build.split_master_lines(as_notebook)


def file_leaks(student_source, solution_source, label):
    """Why ``student_source`` would give away the solution of ``solution_source`` (empty when safe)."""
    leaks = []
    if any(BEGIN.match(line) or END.match(line) for line in student_source.splitlines()):
        leaks.append(f"{label}: a solution marker is left")
    secret, public = solution_lines(solution_source)
    for line in sorted(secret - public):
        if line in student_source:
            leaks.append(f"{label}: solution line {line!r}")
    try:
        compile(student_source, label, "exec")
    except SyntaxError as error:
        leaks.append(f"{label}: the student file is not valid Python ({error.msg}, line {error.lineno})")
    return leaks


# --- the student's package -------------------------------------------------------


def package_files(root=PACKAGE_DIR):
    """Files of the package that students get, relative to ``root``, sorted."""
    files = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or NOT_FOR_STUDENTS & set(relative.parts) or path.suffix in GENERATED_SUFFIXES:
            continue
        if relative in NOT_FOR_STUDENTS_FILES:
            continue
        files.append(relative)
    return files


def student_files(root=PACKAGE_DIR):
    """The package's files that hold solution blocks: what students edit and hand in."""
    return [
        p
        for p in package_files(root)
        if p.suffix == ".py" and any(BEGIN.match(line) for line in (root / p).read_text().splitlines())
    ]


def write_student_package(target, root=PACKAGE_DIR, lang="en"):
    """Copy the package into ``target`` with holes in place of solutions, its texts in ``lang``.

    Returns ``{relative path: [function of each hole]}`` for the files with holes.
    Raises ``BuildError`` (and removes ``target``) when a student file would leak.
    """
    shutil.rmtree(target, ignore_errors=True)
    holes, leaks = {}, []
    for relative in package_files(root):
        source_path, target_path = root / relative, target / relative
        target_path.parent.mkdir(parents=True, exist_ok=True)
        if relative.suffix != ".py":
            shutil.copyfile(source_path, target_path)
        else:
            source = source_path.read_text()
            label = f"{LAB}/{relative.as_posix()}"
            student, found = make_holes(translate(source, relative.as_posix(), lang), label, lang)
            if found:
                holes[relative.as_posix()] = found
            leaks += file_leaks(student, source, label)
            target_path.write_text(student)
        shutil.copymode(source_path, target_path)  # nodes/ stay executable: rosrun and roslaunch need it
    if leaks:
        shutil.rmtree(target)
        raise BuildError("the student version of the robot lab would leak the solution:\n  " + "\n  ".join(leaks))
    if not holes:
        raise BuildError(f"no '# BEGIN SOLUTION' block in {PACKAGE_DIR}: the student version would be the solution")
    return holes


# --- the guide ---------------------------------------------------------------------


def write_guide(target, lang, source=GUIDE_SOURCE):
    """Write the guide in ``lang`` (cells tagged ``lang`` or untagged), with stable cell ids and no outputs."""
    if not source.is_file():
        raise BuildError(f"no lab guide at {source.relative_to(REPO_ROOT)}")
    nb = build.select_language(build.read_notebook(source), lang)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    build.normalize_notebook(target)


# --- the autograder ------------------------------------------------------------------


def hidden_scene_layout(i):
    """The image size (H, W) and the view ("top" or "side") of the i-th hidden scene."""
    return HIDDEN_SIZES[i % len(HIDDEN_SIZES)], HIDDEN_VIEWS[(i // len(HIDDEN_SIZES)) % len(HIDDEN_VIEWS)]


def hidden_scenes(model, seeds=HIDDEN_SEEDS, split="hidden"):
    """Simulate the hidden scenes and compute the reference answers with the solution package.

    Parameters
    ----------
    model : keras.Model
        The trained network that ships in the autograder.
    seeds : sequence of int
        One scene per seed (``numpy.random.default_rng(seed)``), ``split``'s digits, size and
        view from :func:`hidden_scene_layout`, the other conditions drawn at random.

    Returns
    -------
    arrays : dict of str -> ndarray
        What ``hidden_scenes.npz`` holds (see ``robot_lab/grading/hidden_tests.py``).
    """
    import numpy as np

    from robot_lab import classifier, pipeline, simulator, vision
    from robot_lab.grading import hidden_tests

    images, scene, labels, centers, corners = {}, [], [], [], []
    for i, seed in enumerate(seeds):
        size, view = hidden_scene_layout(i)
        image, truth = simulator.render_scene(np.random.default_rng(seed), size=size, split=split, view=view)
        images[f"image_{i:03d}"] = image
        for cube in truth:
            scene.append(i)
            labels.append(cube.label)
            centers.append(cube.center)
            corners.append(cube.corners)
    faces = np.stack([vision.warp_face(vision.to_gray(images[f"image_{i:03d}"]), c) for i, c in zip(scene, corners)])
    sprites = np.stack([vision.face_to_sprite(face) for face in faces]).astype(np.float32)
    ref_labels, ref_confidences = classifier.predict_digits(model, sprites)

    found, correct = hidden_tests.count_recognised(
        pipeline.recognise,
        model,
        hidden_tests.scene_images(images),
        np.asarray(scene),
        np.asarray(centers),
        np.asarray(labels),
        CENTER_TOLERANCE,
    )
    return {
        **images,
        "truth_scene": np.asarray(scene, np.int64),
        "truth_label": np.asarray(labels, np.int64),
        "truth_center": np.asarray(centers, np.float32),
        "truth_corners": np.asarray(corners, np.float32),
        "faces": faces,
        "sprites": sprites,
        "ref_labels": np.asarray(ref_labels, np.int64),
        "ref_confidences": np.asarray(ref_confidences, np.float32),
        "ref_found": np.int64(found),
        "ref_correct": np.int64(correct),
    }


def grading_config(student_paths, scenes):
    """``config.json`` of the autograder: the tests (from the hidden tests' own declarations) and the limits."""
    from robot_lab.grading import hidden_tests

    total = len(scenes["truth_label"])
    slack = max(1, math.ceil(SCENE_MARGIN * total))
    from robot_lab import vision

    return {
        "student_files": student_paths,
        "visibility": "visible",
        "hidden_seeds": list(HIDDEN_SEEDS),
        "tests": [{"name": name, **spec} for name, spec in hidden_tests.SPECS.items()],
        # All tests together, under Gradescope's default 10-minute limit: results.json is always written.
        "budget_s": 540,
        "sprite": {**SPRITE_LIMITS, "center": float(vision.MNIST_CENTRE)},
        "scenes": {
            "center_tolerance": CENTER_TOLERANCE,
            "cubes": total,
            "min_found": int(scenes["ref_found"]) - slack,
            "min_correct": int(scenes["ref_correct"]) - slack,
        },
    }


def requirements():
    """The autograder's pinned requirements: the TPs' plus OpenCV at the version the reference answers used."""
    opencv = f"opencv-python-headless=={importlib.metadata.version('opencv-python-headless')}"
    return build.GRADING_REQUIREMENTS.read_text().rstrip("\n") + f"\n# The robot lab's vision.\n{opencv}\n"


def kit_references(folder):
    """Lines of the text files under ``folder`` that name the kit's commands or folders (``KIT_ONLY``)."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES):
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if KIT_ONLY.search(line):
                found.append(f"{path.relative_to(folder)}:{number}: {line.strip()[:120]}")
    return found


def write_student_grading(folder, lang, scenes, student_paths):
    """The students' own grading folder: the hidden tests' code, run by ``python grading/run.py`` on public scenes."""
    target = folder / "grading"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(GRADING_DIR / "run.py", target / "run.py")
    shutil.copyfile(GRADING_DIR / "hidden_tests.py", target / "lab_checks.py")
    config = {
        **grading_config(student_paths, scenes),
        "local": True,
        "language": lang,
        "model": STUDENT_MODEL.as_posix(),
        "tests_module": "lab_checks",
        "scenes_file": "scenes.npz",
        "seeds": list(PUBLIC_SEEDS),
    }
    config.pop("hidden_seeds")
    (target / "config.json").write_text(json.dumps(config, indent=1) + "\n")
    build.write_npz(target / "scenes.npz", dict(sorted(scenes.items())), zipfile.ZIP_DEFLATED)


def student_requirements():
    """The students' pinned requirements: the autograder's, and Jupyter to open and run the guide."""
    versions = {name: importlib.metadata.version(name) for name in ("nbconvert", "ipykernel")}
    pins = [line for line in requirements().splitlines() if line and not line.startswith("#")]
    return (
        "# The robot lab's Python packages, at the versions the grader uses: pip install -r requirements.txt\n"
        + "\n".join(pins)
        + "\n# The guide: JupyterLab to open it, nbconvert and ipykernel to run it from the command line.\n"
        + f"jupyterlab=={JUPYTERLAB}\n"
        + "".join(f"{name}=={version}\n" for name, version in versions.items())
    )


def write_autograder(target, model_path, student_package, student_paths, work):
    """Write the robot lab's autograder zip (Gradescope's layout; see ``robot_lab/grading/run.py``).

    Parameters
    ----------
    target : Path
        The zip to write.
    model_path : Path
        The trained network (``.keras``) the hidden tests use.
    student_package : dict of str -> Path
        The student version of the package in each language (``write_student_package``):
        the template for files a submission lacks, and how the grader tells the language.
    student_paths : list of str
        The package's files that students edit, relative to it.
    work : Path
        Scratch folder.

    Returns
    -------
    config : dict
        The autograder's ``config.json``.
    """
    from robot_lab import classifier

    model = classifier.load_model(model_path)
    scenes = hidden_scenes(model)
    config = {**grading_config(student_paths, scenes), "languages": list(student_package)}

    staging = work / "autograder"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "grading").mkdir(parents=True)
    for name in ("setup.sh", "run_autograder"):
        shutil.copyfile(GRADING_DIR / name, staging / name)
    for name in ("run.py", "hidden_tests.py"):
        shutil.copyfile(GRADING_DIR / name, staging / "grading" / name)
    # The worker's bubblewrap sandbox: the module make grade uses (robot_lab/grading/run.py, worker_wrapper).
    shutil.copyfile(Path(sandbox.__file__), staging / "grading" / "sandbox.py")
    (staging / "requirements.txt").write_text(requirements())
    (staging / "grading" / "config.json").write_text(json.dumps(config, indent=1) + "\n")
    shutil.copyfile(model_path, staging / "grading" / "digits.keras")
    build.write_npz(staging / "grading" / "hidden_scenes.npz", dict(sorted(scenes.items())), zipfile.ZIP_DEFLATED)
    for relative in package_files():
        (staging / LAB / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE_DIR / relative, staging / LAB / relative)
    for lang, package in student_package.items():
        for relative in student_paths:
            (staging / "template" / lang / LAB / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(package / relative, staging / "template" / lang / LAB / relative)

    plain = work / "autograder.zip"
    with zipfile.ZipFile(plain, "w") as z:
        for path in sorted(p for p in staging.rglob("*") if p.is_file()):
            z.write(path, path.relative_to(staging).as_posix())
    build.repack_zip(plain, target)
    return config


def build_lab(languages=build.LANGUAGES, dist=build.DEFAULT_DIST, work=build.DEFAULT_WORK, model_path=None):
    """Build the robot lab: student folders (guide, package with holes, model) and the autograder zip.

    Returns the autograder zip's path.
    """
    from robot_lab import classifier

    model_path = Path(model_path or classifier.DEFAULT_MODEL_PATH)
    if not model_path.is_file():
        raise BuildError(
            f"no trained digit network at {model_path}: run `make robot-model` first "
            "(the autograder and the students' folders ship it)"
        )
    work = work / LAB
    work.mkdir(parents=True, exist_ok=True)
    holes, public = {}, None
    for lang in languages:
        folder = dist / lang / LAB
        shutil.rmtree(folder, ignore_errors=True)
        holes = write_student_package(folder / LAB, lang=lang)
        write_guide(folder / "guide.ipynb", lang)
        shutil.copyfile(STUDENT_GUIDE_DIR / f"README.{lang}.md", folder / "README.md")
        (folder / STUDENT_MODEL).parent.mkdir(parents=True, exist_ok=True)
        build.link_or_copy(model_path, folder / STUDENT_MODEL)
        (folder / "requirements.txt").write_text(student_requirements())
        if public is None:
            from robot_lab import classifier

            public = hidden_scenes(classifier.load_model(model_path), PUBLIC_SEEDS, split="public")
        write_student_grading(folder, lang, public, sorted(holes))
        leaks = [f"grading/lab_checks.py: {leak}" for leak in _grading_leaks(folder / "grading" / "lab_checks.py")]
        found = kit_references(folder)
        if leaks or found:
            shutil.rmtree(folder)
            raise BuildError(
                f"the students' folder {folder} would name what only the kit has, or leak the solution:\n  "
                + "\n  ".join(leaks + found)
            )
    target = dist / LAB / "autograder.zip"
    templates = {lang: dist / lang / LAB / LAB for lang in languages}
    write_autograder(target, model_path, templates, sorted(holes), work)
    return target


def _grading_leaks(path):
    """Solution lines of the student files that the shipped grading code would give away."""
    text = path.read_text()
    leaks = []
    for relative in student_files():
        secret, public = solution_lines((PACKAGE_DIR / relative).read_text())
        leaks += [f"solution line of {relative}: {line!r}" for line in sorted(secret - public) if line in text]
    return leaks
