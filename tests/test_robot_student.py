"""The robot lab's student version, guide and autograder (autograder/build/robot_lab.py, robot_lab/grading/).

Fast tests: holes and leak checks on small sources and on the real package, the
student package imports and stops with clear messages, the guide in both
languages, where the grader finds the submitted files. Slow tests: a real build
with a network trained for seconds, then the zip's own ``run_autograder`` in a
temporary ``/autograder``-like folder on the solution, the untouched student
version and one wrong submission per hidden test, each losing exactly its points.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import REPO_ROOT, build, gradescope
from autograder.build import robot_lab as rlb
from robot_lab.grading import run as grading_run

SOLUTION = REPO_ROOT / "robot_lab"
STUDENT_FILES = ["classifier.py", "ros_service.py", "vision.py"]

SOURCE = '''\
import numpy as np


def area(side):
    """Area of a square."""
    # HINT: multiply the side by itself;
    #   numpy broadcasts.
    # BEGIN SOLUTION
    result = np.asarray(side) * np.asarray(side)
    return result
    # END SOLUTION


class Shape:
    def perimeter(self, side):
        if side < 0:
            raise ValueError("negative side")
        # BEGIN SOLUTION
        return 4 * side + 0 * side ** 2
        # END SOLUTION
'''


# --- holes ------------------------------------------------------------------------


def test_holes_keep_indentation_hint_and_function_name():
    student, holes = rlb.make_holes(SOURCE, "robot_lab/shapes.py")
    assert holes == ["area", "perimeter"]
    assert (
        '    raise NotImplementedError("robot_lab/shapes.py, area(): yours to write. '
        'Hint: multiply the side by itself; numpy broadcasts.")'
    ) in student.replace("'", '"')
    assert (
        "        raise NotImplementedError('robot_lab/shapes.py, perimeter(): yours to write (see its docstring)')"
        in student
    )
    assert "# HINT: multiply the side by itself;" in student, "the hint stays in the student's file"
    assert "np.asarray(side) * np.asarray(side)" not in student and "SOLUTION" not in student
    assert 'raise ValueError("negative side")' in student, "code outside the blocks is kept"
    assert rlb.file_leaks(student, SOURCE, "shapes.py") == []


def test_student_functions_raise_their_message():
    student, _ = rlb.make_holes(SOURCE, "robot_lab/shapes.py")
    namespace = {}
    exec(compile(student, "shapes.py", "exec"), namespace)  # imports: valid Python
    with pytest.raises(NotImplementedError, match=r"area\(\): yours to write. Hint: multiply"):
        namespace["area"](3)
    with pytest.raises(NotImplementedError, match=r"perimeter\(\)"):
        namespace["Shape"]().perimeter(3)


@pytest.mark.parametrize(
    "source, message",
    [
        ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "not closed"),
        ("def f():\n    return 1\n    # END SOLUTION\n", "without a '# BEGIN SOLUTION'"),
        ("def f():\n    x = 1\n    # BEGIN SOLUTION\n\n    # END SOLUTION\n", "empty solution block"),
        ("def f(:\n    pass\n", "not valid Python"),
        ("# BEGIN SOLUTION\nCONSTANT = 42\n# END SOLUTION\n", "outside a function"),
    ],
)
def test_malformed_blocks_are_build_errors(source, message):
    with pytest.raises(build.BuildError, match=message):
        rlb.make_holes(source, "robot_lab/bad.py")


def test_leak_check_finds_solution_lines_markers_and_syntax_errors():
    leaked = SOURCE.replace("    # BEGIN SOLUTION\n    result", "    result", 1)
    leaks = rlb.file_leaks(leaked, SOURCE, "shapes.py")
    assert any("result = np.asarray(side) * np.asarray(side)" in leak for leak in leaks)
    assert any("solution marker" in leak for leak in leaks)
    assert any("not valid Python" in leak for leak in rlb.file_leaks("def f(:\n", SOURCE, "shapes.py"))


def test_a_leaking_package_is_refused_and_not_written(tmp_path, monkeypatch):
    package = tmp_path / "robot_lab"
    package.mkdir()
    (package / "shapes.py").write_text(SOURCE)
    # A line of the solution repeated outside its block, in a comment: a leak.
    (package / "other.py").write_text(SOURCE + "\n# result = np.asarray(side) * np.asarray(side)\n")
    monkeypatch.setattr(rlb, "PACKAGE_DIR", package)
    target = tmp_path / "student" / "robot_lab"
    with pytest.raises(build.BuildError, match="would leak"):
        rlb.write_student_package(target, root=package)
    assert not target.exists()


# --- the real package --------------------------------------------------------------


@pytest.fixture(scope="module")
def student_package(tmp_path_factory):
    target = tmp_path_factory.mktemp("student") / "robot_lab"
    holes = rlb.write_student_package(target)
    return target, holes


def test_student_package_has_holes_where_students_work_and_no_solution(student_package):
    target, holes = student_package
    assert holes == {
        "classifier.py": ["predict_digits"],
        "ros_service.py": ["fill_response"],
        "vision.py": ["face_to_sprite"],
    }
    assert sorted(p.as_posix() for p in rlb.student_files()) == STUDENT_FILES
    for relative in rlb.package_files():
        student = (target / relative).read_bytes()
        if relative.suffix == ".py":
            assert rlb.file_leaks(student.decode(), (SOLUTION / relative).read_text(), str(relative)) == []
        if relative.as_posix() not in holes:
            assert student == (SOLUTION / relative).read_bytes(), f"{relative} should be copied unchanged"
        assert (target / relative).stat().st_mode == (SOLUTION / relative).stat().st_mode, (
            "modes kept (nodes/ executable)"
        )
    shipped = {p.relative_to(target).parts[0] for p in target.rglob("*")}
    assert not shipped & {"grading", "guide", "__pycache__"}, "hidden tests and the guide's source stay out"


def test_untouched_student_version_imports_and_stops_with_clear_messages(student_package):
    target, _ = student_package
    script = """
import numpy as np
from robot_lab import ros_service, vision, classifier, pipeline
for call in (lambda: vision.face_to_sprite(np.zeros((112, 112), np.uint8)),
             lambda: classifier.predict_digits(None, np.zeros((2, 28, 28), np.float32)),
             lambda: ros_service.fill_response([], None)):
    try:
        call()
    except NotImplementedError as error:
        print(error)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=target.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(target.parent)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(" Hint: ")[0] for line in lines] == [
        "robot_lab/vision.py, face_to_sprite(): yours to write.",
        "robot_lab/classifier.py, predict_digits(): yours to write.",
        "robot_lab/ros_service.py, fill_response(): yours to write.",
    ]
    assert all(" Hint: " in line for line in lines), "each hole quotes the hint written above its solution"


def test_student_package_is_reproducible(student_package, tmp_path):
    target, _ = student_package
    again = tmp_path / "robot_lab"
    rlb.write_student_package(again)
    files = rlb.package_files(target)
    assert files == rlb.package_files(again)
    assert all((target / f).read_bytes() == (again / f).read_bytes() for f in files)


# --- the guide ----------------------------------------------------------------------


def test_guide_has_one_language_each_and_the_same_code(tmp_path):
    notebooks = {}
    for lang in build.LANGUAGES:
        rlb.write_guide(tmp_path / lang / "guide.ipynb", lang)
        first = (tmp_path / lang / "guide.ipynb").read_bytes()
        rlb.write_guide(tmp_path / lang / "guide.ipynb", lang)
        assert (tmp_path / lang / "guide.ipynb").read_bytes() == first, "two builds give the same bytes"
        notebooks[lang] = nbformat.read(tmp_path / lang / "guide.ipynb", as_version=4)
    fr, en = notebooks["fr"], notebooks["en"]
    code = {lang: [c.source for c in nb.cells if c.cell_type == "code"] for lang, nb in notebooks.items()}
    assert code["fr"] == code["en"] and len(code["en"]) >= 6
    prose = {lang: "\n".join(c.source for c in nb.cells if c.cell_type == "markdown") for lang, nb in notebooks.items()}
    assert "cube" in prose["en"] and "cubes" in prose["fr"] and prose["fr"] != prose["en"]
    for text in prose.values():
        for command in ("roslaunch", "rosservice call", "python -m robot_lab.detect", "export PYTHONPATH=$PWD"):
            assert command in text, f"the guide should show {command!r}"
        assert not rlb.KIT_ONLY.search(text), "the guide names only what students have"
        # The launch's scene is the guide's: the same seed and the same number of cubes.
        assert "seed:=5 cubes:=3" in text
    assert "render_scene(np.random.default_rng(5), n_cubes=3)" in "\n".join(code["en"])
    assert all("lang" not in c.metadata for nb in (fr, en) for c in nb.cells)


def test_guides_name_only_files_students_have(student_package, tmp_path):
    """Every ``robot_lab/...`` path the guide notebook and README name exists in the student folder."""
    package, _ = student_package
    for lang in build.LANGUAGES:
        rlb.write_guide(tmp_path / f"guide.{lang}.ipynb", lang)
        guide = nbformat.read(tmp_path / f"guide.{lang}.ipynb", as_version=4)
        texts = [c.source for c in guide.cells] + [(rlb.STUDENT_GUIDE_DIR / f"README.{lang}.md").read_text()]
        named = {m.rstrip(".,:;)") for text in texts for m in re.findall(r"(?<![\w/.-])robot_lab/[\w./-]*", text)}
        assert named, "the guide names the files students edit"
        missing = sorted(path for path in named if not (package.parent / path).exists())
        assert not missing, f"{lang}: the guide names files the student folder does not have: {missing}"


# --- where the grader finds the submitted files ---------------------------------------------


def _package_copy(tmp_path):
    package = tmp_path / "graded" / "robot_lab"
    package.mkdir(parents=True)
    template = tmp_path / "template" / "robot_lab"
    template.mkdir(parents=True)
    for name in STUDENT_FILES:
        (package / name).write_text("solution\n")
        (template / name).write_text("template\n")
    return package, template


def test_submission_files_loose_zipped_or_missing(tmp_path):
    package, template = _package_copy(tmp_path)
    submission = tmp_path / "submission"
    (submission / "elsewhere").mkdir(parents=True)
    (submission / "vision.py").write_text("loose vision\n")
    (submission / "elsewhere" / "vision.py").write_text("deeper vision\n")
    with zipfile.ZipFile(submission / "work.zip", "w") as z:
        z.writestr("robot_lab/classifier.py", "zipped classifier\n")
        z.writestr("__MACOSX/robot_lab/._classifier.py", "junk")
        z.writestr("../escape.py", "outside\n")
    notes = grading_run.place_submission(submission, package, template, STUDENT_FILES)
    assert (package / "vision.py").read_text() == "loose vision\n", "the shallowest file wins"
    assert (package / "classifier.py").read_text() == "zipped classifier\n"
    assert (package / "ros_service.py").read_text() == "template\n", "a missing file is graded unfilled"
    assert not (tmp_path / "escape.py").exists()
    assert any("ros_service.py: not found in your submission" in note for note in notes)
    assert any("vision.py: graded from your vision.py (1 other file(s)" in note for note in notes)


def test_zip_of_the_whole_folder_prefers_robot_lab_paths(tmp_path):
    package, template = _package_copy(tmp_path)
    submission = tmp_path / "submission"
    submission.mkdir()
    with zipfile.ZipFile(submission / "robot_lab.zip", "w") as z:
        for name in STUDENT_FILES:
            z.writestr(f"my_work/robot_lab/{name}", f"student {name}\n")
        z.writestr("my_work/backup/vision.py", "old vision\n")
    grading_run.place_submission(submission, package, template, STUDENT_FILES)
    assert [(package / n).read_text() for n in STUDENT_FILES] == [f"student {n}\n" for n in STUDENT_FILES]


@pytest.mark.parametrize("script", ["setup.sh", "run_autograder"])
def test_gradescope_scripts_are_valid_bash(script):
    path = SOLUTION / "grading" / script
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0
    assert path.read_text().startswith("#!/usr/bin/env bash\n")


# --- a real build, graded by the zip's own run_autograder ------------------------------------


@pytest.fixture(scope="module")
def robot_build(tmp_path_factory, robot_model):
    """A real robot-lab build with the session's small network (tests/conftest.py): ``{"dist", "zip", "model"}``."""
    _, model_path = robot_model
    dist = tmp_path_factory.mktemp("dist")
    target = rlb.build_lab(dist=dist, work=tmp_path_factory.mktemp("work"), model_path=model_path)
    return {"dist": dist, "zip": target, "model": model_path}


def grade(robot_build, tmp_path, files=None, env=None, as_zip=False, extra=None):
    """Grade a submission with the zip's ``run_autograder`` in a ``/autograder``-like folder.

    ``files``: file name -> text (the solution's file when None is given for it);
    ``None``: the untouched student version; ``extra``: called with the submission folder,
    to add more to it. Returns ``(scores by test name, results)``.
    """
    root = tmp_path / "autograder"
    for folder in ("source", "submission", "results"):
        (root / folder).mkdir(parents=True)
    with zipfile.ZipFile(robot_build["zip"]) as z:
        z.extractall(root / "source")
    student = robot_build["dist"] / "en" / "robot_lab" / "robot_lab"
    texts = {n: (SOLUTION / n).read_text() if t is None else t for n, t in (files or {}).items()}
    texts = texts or {n: (student / n).read_text() for n in STUDENT_FILES}
    if as_zip:
        with zipfile.ZipFile(root / "submission" / "robot_lab.zip", "w") as z:
            for name, text in texts.items():
                z.writestr(f"robot_lab/{name}", text)
    else:
        for name, text in texts.items():
            (root / "submission" / name).write_text(text)
    if extra:
        extra(root / "submission")
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        capture_output=True,
        text=True,
        env={**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable, **(env or {})},
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert gradescope.schema_errors(results) == [], "Gradescope accepts the results.json"
    names = {}
    for t in json.loads((root / "source" / "grading" / "config.json").read_text())["tests"]:
        names[t["title"]] = names[t["title_fr"]] = t["name"]
    return {names[t["name"]]: t["score"] for t in results["tests"]}, results


FULL = {
    "sprite_format": 1,
    "sprite_mnist_like": 3,
    "predict_digits": 3,
    "scenes_your_sprites": 2,
    "scenes_your_predictions": 2,
    "fill_response": 3,
}


def solution_with(name, old, new):
    """The solution's ``name`` with ``old`` replaced by ``new`` exactly once (a wrong submission)."""
    text = (SOLUTION / name).read_text()
    assert text.count(old) == 1, f"{old!r} should occur once in {name}"
    return {name: text.replace(old, new), **{n: None for n in STUDENT_FILES if n != name}}


@pytest.mark.slow
def test_build_is_reproducible_and_complete(robot_build, tmp_path):
    again = rlb.build_lab(dist=tmp_path / "dist", work=tmp_path / "work", model_path=robot_build["model"])
    assert again.read_bytes() == robot_build["zip"].read_bytes(), "two builds give byte-identical zips"
    names = set(build.zip_contents(again))
    assert {
        "setup.sh",
        "run_autograder",
        "requirements.txt",
        "grading/run.py",
        "grading/hidden_tests.py",
        "grading/config.json",
        "grading/digits.keras",
        "grading/hidden_scenes.npz",
    } <= names
    assert {f"template/{lang}/robot_lab/{n}" for n in STUDENT_FILES for lang in build.LANGUAGES} <= names
    with zipfile.ZipFile(again) as z:
        assert all((z.getinfo(n).external_attr >> 16) & 0o111 for n in ("setup.sh", "run_autograder"))
    requirements = build.zip_contents(again)["requirements.txt"].decode()
    assert build.GRADING_REQUIREMENTS.read_text().strip() in requirements
    assert all("==" in line for line in requirements.splitlines() if line and not line.startswith("#"))
    assert "opencv-python-headless==" in requirements
    for lang in build.LANGUAGES:
        folder = robot_build["dist"] / lang / "robot_lab"
        assert (folder / "guide.ipynb").is_file() and (folder / rlb.STUDENT_MODEL).is_file()
        for name in STUDENT_FILES:
            template = build.zip_contents(again)[f"template/{lang}/robot_lab/{name}"]
            assert (folder / "robot_lab" / name).read_bytes() == template


@pytest.mark.slow
def test_solution_scores_full_marks(robot_build, tmp_path):
    scores, results = grade(robot_build, tmp_path, {n: None for n in STUDENT_FILES})
    assert scores == FULL, results
    assert results["score"] == sum(FULL.values())
    assert "genpy" in next(t["output"] for t in results["tests"] if t["name"].startswith("fill_response"))


@pytest.mark.slow
def test_untouched_student_version_scores_zero_cleanly(robot_build, tmp_path):
    scores, results = grade(robot_build, tmp_path)
    assert scores == dict.fromkeys(FULL, 0.0)
    assert all(t["status"] == "failed" for t in results["tests"])
    outputs = "\n".join(t["output"] for t in results["tests"])
    for function in ("face_to_sprite", "predict_digits", "fill_response"):
        assert "NotImplementedError: robot_lab/" in outputs and f"{function}(): yours to write" in outputs
    assert "died" not in outputs and "stopped after" not in outputs


@pytest.mark.slow
def test_zip_of_the_folder_without_ros_scores_full_marks(robot_build, tmp_path):
    scores, results = grade(
        robot_build, tmp_path, {n: None for n in STUDENT_FILES}, as_zip=True, env={"ROBOT_LAB_GRADING_ROS": "never"}
    )
    assert scores == FULL, results
    assert "stand-ins" in next(t["output"] for t in results["tests"] if t["name"].startswith("fill_response"))


# A face_to_sprite written independently of the reference (another threshold, a
# sub-pixel shift by scipy): a right answer the grader must not confuse with a wrong one.
INDEPENDENT_SPRITE = """

def face_to_sprite(face):
    from scipy import ndimage

    face = np.asarray(face, np.float32)
    margin = int(0.15 * face.shape[0])
    inner = face[margin:-margin, margin:-margin]
    paper = np.percentile(inner, 70)
    ink = np.clip((paper - inner) / max(paper - inner.min(), 1e-6), 0, 1)
    ink[ink < 0.25] = 0
    ys, xs = np.nonzero(ink > 0.3)
    if len(ys) == 0:
        return np.zeros((28, 28), np.float32)
    crop = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    scale = 20 / max(crop.shape)
    crop = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))),
                      interpolation=cv2.INTER_AREA)
    sprite = np.zeros((28, 28), np.float32)
    top, left = (28 - crop.shape[0]) // 2, (28 - crop.shape[1]) // 2
    sprite[top:top + crop.shape[0], left:left + crop.shape[1]] = crop
    row, col = ndimage.center_of_mass(sprite)
    return np.clip(ndimage.shift(sprite, (14 - row, 14 - col), order=1), 0, 1).astype(np.float32)
"""


@pytest.mark.slow
def test_an_independent_right_answer_scores_full_marks(robot_build, tmp_path):
    files = {name: None for name in STUDENT_FILES}
    files["vision.py"] = (SOLUTION / "vision.py").read_text() + INDEPENDENT_SPRITE  # replaces the reference's
    scores, results = grade(robot_build, tmp_path, files)
    assert scores == FULL, results


STRETCH_OLD = (
    "    new_w = max(1, min(20, int(round(digit.shape[1] * scale))))\n"
    "    new_h = max(1, min(20, int(round(digit.shape[0] * scale))))\n"
)


def points(test, right, total):
    """What a test that judges ``total`` faces gives for ``right`` of them (grading/run.py's rounding)."""
    return round(float(FULL[test]) * (right / total), 2)


# Each wrong submission: the edit of the solution, and every test's score that differs from full marks.
# The framing tests judge the 40 hidden faces (measured: the reference frames all 40).
WRONG = {
    # face_to_sprite centres the digit's bounding box, not its centre of mass: 30 of 40 faces off
    "not centred by centre of mass": (
        ("vision.py", "    sprite = np.roll(sprite, (dy, dx), axis=(0, 1))\n", ""),
        {"sprite_mnist_like": points("sprite_mnist_like", 10, 40)},
        "centre of mass",
    ),
    # the digit stretched to fill 20 x 20: 21 of 40 faces lose their aspect ratio (the '1's)
    "stretched sprite": (
        ("vision.py", STRETCH_OLD, "    new_w = new_h = 20\n"),
        # The session's small network (tests/conftest.py, trained the same way every run) then reads
        # fewer cubes right than the reference minus 8 %: measured 1.33 of 2.
        {"sprite_mnist_like": points("sprite_mnist_like", 19, 40), "scenes_your_sprites": 1.33},
        "stretched",
    ),
    # black digit on white
    "inverted sprite": (
        (
            "vision.py",
            "    return np.clip(sprite, 0.0, 1.0).astype(np.float32)\n    # END",
            "    return np.clip(1.0 - sprite, 0.0, 1.0).astype(np.float32)\n    # END",
        ),
        # (the session's small network still reads some inverted digits beyond chance: measured 0.67)
        {"sprite_format": 0.0, "sprite_mnist_like": 0.0, "scenes_your_sprites": 0.67},
        "Invert the face",
    ),
    # the index of the column among (1, 2) instead of the digit
    "labels 0/1": (
        ("classifier.py", "labels = np.asarray(LABELS, dtype=np.int64)[best]", "labels = best.astype(np.int64)"),
        {"predict_digits": 0.0, "scenes_your_predictions": 0.0},
        "indices 0/1",
    ),
    # confidences in percent (recognise() still picks the same quarter turns: the scenes are read right)
    "confidence in percent": (
        (
            "classifier.py",
            "confidences = candidates[np.arange(len(best)), best]",
            "confidences = 100 * candidates[np.arange(len(best)), best]",
        ),
        {"predict_digits": 0.0},
        "percentage",
    ),
    # x and y swapped
    "x and y swapped": (
        (
            "ros_service.py",
            "response.x_center.append(pixel(cube.center[0]))",
            "response.x_center.append(pixel(cube.center[1]))",
        ),
        {"fill_response": 0.0},
        "x and y are swapped",
    ),
    # coordinates truncated by int() instead of rounded
    "coordinates truncated": (
        (
            "ros_service.py",
            "        response.x_center.append(pixel(cube.center[0]))\n",
            "        response.x_center.append(UInt32(data=int(cube.center[0])))\n",
        ),
        {"fill_response": 0.0},
        "truncated",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("wrong", WRONG, ids=list(WRONG))
def test_wrong_submission_loses_exactly_its_points_and_names_the_mistake(robot_build, tmp_path, wrong):
    (name, old, new), losses, mistake = WRONG[wrong]
    scores, results = grade(robot_build, tmp_path, solution_with(name, old, new))
    assert scores == {**FULL, **losses}, results
    outputs = "\n".join(t["output"] for t in results["tests"] if t["status"] == "failed")
    assert mistake in outputs, outputs


@pytest.mark.slow
def test_only_face_to_sprite_right_gets_its_points_and_the_scene_points_it_earns(robot_build, tmp_path):
    student = robot_build["dist"] / "en" / "robot_lab" / "robot_lab"
    files = {"vision.py": None, **{n: (student / n).read_text() for n in ("classifier.py", "ros_service.py")}}
    scores, results = grade(robot_build, tmp_path, files)
    assert scores == {**FULL, "predict_digits": 0.0, "scenes_your_predictions": 0.0, "fill_response": 0.0}, results


@pytest.mark.slow
def test_french_files_get_french_feedback(robot_build, tmp_path):
    student = robot_build["dist"] / "fr" / "robot_lab" / "robot_lab"
    files = {n: (student / n).read_text() for n in STUDENT_FILES}
    scores, results = grade(robot_build, tmp_path, files)
    assert scores == dict.fromkeys(FULL, 0.0)
    assert results["tests"][0]["name"].startswith("face_to_sprite : un chiffre")
    assert "à vous de l'écrire" in results["tests"][0]["output"]


@pytest.mark.slow
def test_a_crash_or_an_endless_loop_costs_only_its_tests(robot_build, tmp_path):
    files = solution_with(
        "classifier.py", "    # BEGIN SOLUTION\n", "    # BEGIN SOLUTION\n    import os; os._exit(3)\n"
    )
    files["ros_service.py"] = solution_with(
        "ros_service.py", "    # BEGIN SOLUTION\n", "    # BEGIN SOLUTION\n    while True:\n        pass\n"
    )["ros_service.py"]
    # 120 s: time enough for a scene test (20 scenes) on a loaded machine; the loop costs that much.
    scores, results = grade(robot_build, tmp_path, files, env={"ROBOT_LAB_GRADING_TIMEOUT": "120"})
    # The scenes read with the student's face_to_sprite use the reference predict_digits: full marks.
    assert scores == {**FULL, "predict_digits": 0.0, "scenes_your_predictions": 0.0, "fill_response": 0.0}, results
    outputs = {t["name"].split(":")[0]: t["output"] for t in results["tests"]}
    assert "died" in outputs["predict_digits"] and "exit code 3" in outputs["predict_digits"]
    assert "stopped after 120 s" in outputs["fill_response"]


# --- hostile submissions: what the student's process can reach earns nothing --------------------

# Where a hole looks for the grader's files: its environment, the command lines of the processes
# above it, the folders above its own, the grading folder, Gradescope's /autograder. Not the
# folder of the interpreter's venv: here it is the kit's own checkout (with the solution, readable
# by all), which the grader cannot hide from a process that runs that interpreter.
FIND_GRADER = """
def _grader_paths(*relatives):
    import os
    import sys
    from pathlib import Path

    starts = [Path(v) for v in os.environ.values() if v.startswith("/")] + [Path.cwd(), Path("/autograder")]
    pid = os.getppid()
    while pid > 1:
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().split(bytes(1))
            starts += [Path(w.decode()) for w in words if w.startswith(b"/")]
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            break
    try:
        import hidden_tests

        starts.append(Path(hidden_tests.__file__).parent)
    except ImportError:
        pass
    found, kit = [], Path(sys.prefix).resolve().parent
    for start in starts:
        for folder in [start, *start.parents]:
            for relative in relatives:
                try:
                    if (folder / relative).is_file() and not (folder / relative).is_relative_to(kit):
                        found.append(folder / relative)
                except OSError:
                    pass
    return found
"""

# predict_digits: the solution's, imported from wherever it can be found (ROBOT_LAB_REFERENCE, ../source...).
STEAL_REFERENCE = (
    FIND_GRADER
    + """

def predict_digits(model, sprites):
    import importlib.util

    for path in _grader_paths("source/robot_lab/classifier.py", "robot_lab/classifier.py"):
        text = path.read_text()
        if "STOLEN" not in text and "# BEGIN SOLUTION" in text:  # STOLEN: this very file
            spec = importlib.util.spec_from_file_location("robot_lab._stolen", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module.predict_digits(model, sprites)
    raise NotImplementedError("no reference found")
"""
)

# face_to_sprite: the hidden answer of the same face, looked up in hidden_scenes.npz.
STEAL_ANSWERS = (
    FIND_GRADER
    + """

def face_to_sprite(face):
    for path in _grader_paths("source/grading/hidden_scenes.npz", "grading/hidden_scenes.npz", "hidden_scenes.npz"):
        with np.load(path) as scenes:
            same = [i for i, f in enumerate(scenes["faces"]) if f.shape == face.shape and np.array_equal(f, face)]
            if same:
                return scenes["sprites"][same[0]]
    raise NotImplementedError("no answers found")
"""
)

# face_to_sprite raises the grader's own PartialCredit(1.0) after writing fake verdicts where the
# old runner read them; predict_digits raises an endless AssertionError.
FAKE_VERDICTS = """

def face_to_sprite(face):
    import json, os
    for name in ("events-1.jsonl", "events-2.jsonl", "io/sprite_format.out.npz"):
        try:
            with open(name, "a") as f:
                for test in ("sprite_format", "sprite_mnist_like", "scenes_your_sprites"):
                    f.write(json.dumps({"event": "end", "name": test, "fraction": 1.0, "output": "ok"}) + chr(10))
        except OSError:
            pass
    import hidden_tests
    raise hidden_tests.PartialCredit(1.0, "all right")
"""
ENDLESS_ASSERTION = """

def predict_digits(model, sprites):
    raise AssertionError("x" * 1_000_000)
"""

# fill_response: a double-forked daemon (setsid between the forks) that writes its pid, then sleeps.
DAEMON = """

_real_fill_response = fill_response


def fill_response(cubes, response):
    import os, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp("sh", ["sh", "-c", "sleep 600; : robot-lab-daemon-{token}"])
        os._exit(0)
    time.sleep(0.5)
    return _real_fill_response(cubes, response)
"""


def _processes_named(token):
    """The pids of the live (not zombie) processes whose command line holds ``token``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            alive = stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if alive and token.encode() in cmdline:
            found.append(int(stat.parent.name))
    return found


def _solution_plus(name, code):
    """The solution with ``code`` appended to ``name`` (its definitions replace the solution's)."""
    return {**{n: None for n in STUDENT_FILES}, name: (SOLUTION / name).read_text() + code}


@pytest.mark.slow
def test_a_hole_that_imports_the_reference_or_reads_the_answers_gets_nothing(robot_build, tmp_path):
    files = _solution_plus("classifier.py", STEAL_REFERENCE)
    files["vision.py"] = _solution_plus("vision.py", STEAL_ANSWERS)["vision.py"]
    scores, results = grade(robot_build, tmp_path, files)
    # Nothing found: each stolen hole raises; the ROS part, the student's own, keeps its 3 points.
    assert scores == {**dict.fromkeys(FULL, 0.0), "fill_response": 3}, results
    outputs = "\n".join(t["output"] for t in results["tests"])
    assert "no reference found" in outputs and "no answers found" in outputs


@pytest.mark.slow
def test_verdicts_raised_or_written_by_the_student_count_for_nothing(robot_build, tmp_path):
    files = _solution_plus("vision.py", FAKE_VERDICTS)
    files["classifier.py"] = _solution_plus("classifier.py", ENDLESS_ASSERTION)["classifier.py"]
    scores, results = grade(robot_build, tmp_path, files)
    assert scores == {**dict.fromkeys(FULL, 0.0), "fill_response": 3}, results
    outputs = {t["name"].split(":")[0]: t["output"] for t in results["tests"]}
    assert outputs["face_to_sprite"].startswith("PartialCredit: all right")
    assert outputs["predict_digits"].startswith("AssertionError: xxx") and len(outputs["predict_digits"]) < 2500


@pytest.mark.slow
def test_nothing_the_student_starts_outlives_the_grading(robot_build, tmp_path):
    token = f"{os.getpid()}-{time.monotonic_ns()}"
    seen, grading = set(), threading.Event()

    def watch():  # the daemon's pid as this machine sees it, while the grading runs (it may be in a PID namespace)
        while not grading.is_set():
            seen.update(_processes_named(token))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        scores, results = grade(
            robot_build, tmp_path, _solution_plus("ros_service.py", DAEMON.replace("{token}", token))
        )
    finally:
        grading.set()
        watcher.join()
    assert scores == FULL, results
    assert seen, "the daemon ran"
    assert not _processes_named(token), f"daemon {sorted(seen)} still alive"


def _hostile_zips(submission):
    """A zip bomb (a 200 MB vision.py, ~200 KB zipped), ``../`` and absolute members, an empty zip, a folder x.zip."""
    with zipfile.ZipFile(submission / "bomb.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("robot_lab/vision.py", "w", force_zip64=True) as member:
            for _ in range(200):
                member.write(b"\0" * 2**20)
        z.writestr("../../escape/ros_service.py", "raise SystemExit('escaped')\n")
        z.writestr("/tmp/absolute/classifier.py", "raise SystemExit('absolute')\n")
    (submission / "empty.zip").write_bytes(b"")
    with zipfile.ZipFile(submission / "nothing.zip", "w"):
        pass
    (submission / "folder.zip").mkdir()
    (submission / "folder.zip" / "vision.py").write_text("vision in a folder named folder.zip\n")


def test_hostile_zips_are_notes_and_the_runner_stays_small(tmp_path):
    package, template = _package_copy(tmp_path)
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "classifier.py").write_text("loose classifier\n")
    _hostile_zips(submission)
    # Peak memory of a fresh interpreter that only places this submission: VmHWM, its own high-water
    # mark (ru_maxrss would also count the pages of the pytest process it was forked from).
    code = (
        "import re, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); import run; "
        "notes = run.place_submission(*map(Path, sys.argv[2:5]), sys.argv[5:]); "
        "print(re.search(r'VmHWM:\\s*(\\d+)', Path('/proc/self/status').read_text())[1]); print('\\n'.join(notes))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(SOLUTION / "grading"), submission, package, template, *STUDENT_FILES],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    peak_kb, *notes = done.stdout.splitlines()
    assert int(peak_kb) < 40_000, f"peak RSS {int(peak_kb) // 1024} MB for a 200 MB member"
    text = "\n".join(notes)
    assert "bomb.zip: robot_lab/vision.py is larger than" in text
    assert "empty.zip: not a readable zip" in text
    assert (package / "classifier.py").read_text() == "loose classifier\n"
    # The bomb's vision.py is skipped; the folder named folder.zip is a folder (its files are loose files).
    assert (package / "vision.py").read_text() == "vision in a folder named folder.zip\n"
    assert "vision.py: graded from your folder.zip/vision.py" in text
    # The ../ and absolute members are only basenames: read from the zip, never written where they point.
    assert not (tmp_path / "escape").exists() and not Path("/tmp/absolute").exists()
    assert (package / "ros_service.py").read_text() == "raise SystemExit('escaped')\n"


@pytest.mark.slow
def test_a_submission_with_hostile_zips_is_graded(robot_build, tmp_path):
    scores, results = grade(robot_build, tmp_path, {n: None for n in STUDENT_FILES}, extra=_hostile_zips)
    assert scores == FULL, results
    assert "bomb.zip: robot_lab/vision.py is larger than" in results["output"]


# --- the guide, run ------------------------------------------------------------------------


def run_guide(folder):
    """Execute ``folder/guide.ipynb`` in place; returns ``(notebook, error or None)``."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(folder / "guide.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    try:
        # The folder's own robot_lab and MNIST loader; MNIST from the kit's data folder (no download).
        client.execute(env={**os.environ, "PYTHONPATH": str(folder), "MNIST_DIR": str(REPO_ROOT / "data" / "mnist")})
    except CellExecutionError as error:
        return nb, error
    return nb, None


def pictures(nb):
    """How many images the notebook's outputs hold."""
    return sum("image/png" in out.get("data", {}) for c in nb.cells if c.cell_type == "code" for out in c.outputs)


@pytest.mark.slow
def test_untouched_guide_draws_the_scene_then_stops_at_the_students_part(robot_build):
    nb, error = run_guide(robot_build["dist"] / "fr" / "robot_lab")
    assert error is not None and "face_to_sprite() : à vous de l'écrire" in str(error)
    assert pictures(nb) == 3, "the scene, the faces found and the warped faces are drawn before the student's part"


@pytest.mark.slow
def test_guide_runs_to_the_end_with_the_solution(robot_build, tmp_path):
    import shutil

    folder = tmp_path / "robot_lab"
    shutil.copytree(robot_build["dist"] / "en" / "robot_lab", folder)
    for name in STUDENT_FILES:
        shutil.copyfile(SOLUTION / name, folder / "robot_lab" / name)
    nb, error = run_guide(folder)
    assert error is None, str(error)
    assert pictures(nb) == 6


@pytest.mark.slow
def test_guide_ros_commands_work_in_the_student_folder(robot_build, tmp_path):
    """The guide's section 7, command for command, in a student folder completed with the solution."""
    import shutil
    import signal
    import socket
    import time

    if shutil.which("roslaunch") is None:
        pytest.skip("ROS 1 is not installed here: run `make ros`")
    folder = tmp_path / "robot_lab"
    shutil.copytree(robot_build["dist"] / "en" / "robot_lab", folder)
    for name in STUDENT_FILES:
        shutil.copyfile(SOLUTION / name, folder / "robot_lab" / name)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "ROS_MASTER_URI": f"http://127.0.0.1:{port}",
        "ROS_HOSTNAME": "127.0.0.1",
        "ROS_HOME": str(tmp_path / "ros"),
        "ROS_PACKAGE_PATH": str(folder / "robot_lab"),
    }
    env.pop("PYTHONPATH", None)
    subprocess.run([sys.executable, "-m", "robot_lab.ros_msgs"], cwd=folder, env=env, check=True, capture_output=True)
    with open(tmp_path / "roslaunch.log", "w") as log:
        launch = subprocess.Popen(
            ["roslaunch", "-p", str(port), "robot_lab", "robot_lab.launch", "seed:=5"],
            cwd=folder,
            env={**env, "PYTHONPATH": str(folder)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline, answer = time.monotonic() + 180, None
        while time.monotonic() < deadline and launch.poll() is None:
            done = subprocess.run(
                ["rosservice", "call", "/robot_lab/recognise_cubes", "{}"],
                cwd=folder,
                env={**env, "PYTHONPATH": "build/ros/python"},
                capture_output=True,
                text=True,
                timeout=60,
            )
            if done.returncode == 0:
                answer = done.stdout
                break
            time.sleep(2)
        assert answer is not None, (tmp_path / "roslaunch.log").read_text()[-3000:]
        assert "label:" in answer and "x_center:" in answer and "confidence: [" in answer
        assert "data: 1" in answer or "data: 2" in answer
    finally:
        os.killpg(launch.pid, signal.SIGINT)  # what Ctrl-C does: roslaunch stops its nodes and roscore
        try:
            launch.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(launch.pid, signal.SIGKILL)
            launch.wait()


@pytest.mark.slow
def test_a_module_that_loops_on_import_still_gets_a_results_file(robot_build, tmp_path):
    files = solution_with("vision.py", "\nimport cv2\n", "\nimport cv2\nwhile True:\n    pass\n")
    scores, results = grade(
        robot_build, tmp_path, files, env={"ROBOT_LAB_GRADING_TIMEOUT": "15", "ROBOT_LAB_GRADING_BUDGET": "25"}
    )
    assert scores == dict.fromkeys(FULL, 0.0)
    outputs = [t["output"] for t in results["tests"]]
    assert outputs[0].startswith("stopped after 15 s") and "used up" in outputs[-1]
    assert results["execution_time"] < 60


def test_hidden_tests_are_an_otter_exception_format_test_file_like_the_tps():
    from otter.test_files import ExceptionTestFile

    from robot_lab.grading import hidden_tests

    parsed = ExceptionTestFile.from_file(str(REPO_ROOT / "robot_lab" / "grading" / "hidden_tests.py"))
    assert [c.name for c in parsed.test_cases] == [spec["title"] for spec in hidden_tests.SPECS.values()]
    assert build.points_by_visibility(Path(hidden_tests.__file__).read_text()) == (14, 14)


@pytest.mark.slow
def test_make_grade_grades_a_folder_of_robot_lab_submissions(robot_build, tmp_path, monkeypatch):
    """`make grade TP=robot_lab`: a folder or a zip per student, the TPs' CSV, feedback and resume."""
    import csv

    from autograder.grade import grade_folder

    monkeypatch.setenv("ROBOT_LAB_GRADING_ROS", "never")
    submissions = tmp_path / "submissions"
    (submissions / "alice").mkdir(parents=True)
    for name in STUDENT_FILES:
        (submissions / "alice" / name).write_text((SOLUTION / name).read_text())
    student = robot_build["dist"] / "en" / "robot_lab" / "robot_lab"
    with zipfile.ZipFile(submissions / "bob.zip", "w") as z:
        for name in STUDENT_FILES:
            z.writestr(f"robot_lab/{name}", (student / name).read_text())
    (submissions / "carol.zip").write_text("not a zip")
    (submissions / "notes.txt").write_text("not a submission")
    out = tmp_path / "grades"
    csv_path = grade_folder(robot_build["zip"], submissions, out, jobs=2, timeout=600)
    with open(csv_path) as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"alice", "bob", "carol"}
    assert rows["alice"]["status"] == "graded" and float(rows["alice"]["total"]) == sum(FULL.values())
    assert rows["alice"]["possible"] == rows["bob"]["possible"] == f"{sum(FULL.values()):g}"
    assert rows["bob"]["status"] == "graded" and float(rows["bob"]["total"]) == 0
    assert rows["carol"]["status"] == "invalid" and "not a readable zip" in rows["carol"]["message"]
    assert "NotImplementedError" in (out / "bob" / "feedback.txt").read_text()
    assert json.loads((out / "alice" / "results.json").read_text())["score"] == sum(FULL.values())
    # Resumed: nothing changed, nothing is graded again (the rows come from done.json).
    before = (out / "alice" / "done.json").stat().st_mtime
    assert grade_folder(robot_build["zip"], submissions, out, jobs=2).read_text() == csv_path.read_text()
    assert (out / "alice" / "done.json").stat().st_mtime == before


# --- the student folder stands on its own ------------------------------------------------------


def test_french_package_speaks_french(tmp_path):
    target = tmp_path / "robot_lab"
    holes = rlb.write_student_package(target, lang="fr")
    assert sorted(holes) == STUDENT_FILES
    vision = (target / "vision.py").read_text()
    assert "Découper une face carrée" in vision and "# INDICE : rognez" in vision
    assert "face_to_sprite() : à vous de l'écrire. Indice : rognez" in vision
    assert "Cut a square face" not in vision
    assert "pas de réseau entraîné" in (target / "classifier.py").read_text()
    assert "Écrire les cubes trouvés" in (target / "ros_service.py").read_text()


def test_a_stale_french_text_is_a_build_error(monkeypatch):
    from robot_lab.guide import fr

    monkeypatch.setitem(fr.FRENCH, "vision.py", [("a text that is not in vision.py", "un texte")])
    with pytest.raises(build.BuildError, match="found 0 times"):
        rlb.translate((SOLUTION / "vision.py").read_text(), "vision.py", "fr")


def test_kit_references_are_found(tmp_path):
    (tmp_path / "a.py").write_text("# run `make robot-model` first\nx = 1  # see tests/test_robot_ros.py\n")
    (tmp_path / "README.md").write_text("catkin_make works; python -m robot_lab.classifier too\n")
    found = rlb.kit_references(tmp_path)
    assert [line.split(":")[:2] for line in found] == [["a.py", "1"], ["a.py", "2"]]


def test_student_package_and_readmes_name_only_what_students_have(student_package):
    target, _ = student_package
    assert rlb.kit_references(target) == []
    for lang in build.LANGUAGES:
        text = (rlb.STUDENT_GUIDE_DIR / f"README.{lang}.md").read_text()
        assert not rlb.KIT_ONLY.search(text)
        blocks = readme_blocks(text)
        assert set(blocks) == {"system", "venv", "guide", "grade", "service", "call"}
        assert "roslaunch robot_lab robot_lab.launch seed:=5 cubes:=3" in blocks["service"]
        assert "export PYTHONPATH=$PWD\n" in blocks["service"]
    # The README's apt-get line installs what the kit's `make ros` does.
    makefile = (REPO_ROOT / "Makefile").read_text()
    debs = makefile.split("ROS_DEBS    :=", 1)[1].split("\nSUDO", 1)[0].replace("\\", " ").split()
    system = readme_blocks((rlb.STUDENT_GUIDE_DIR / "README.en.md").read_text())["system"].replace("\\", " ").split()
    assert set(debs) <= set(system)


def readme_blocks(text):
    """``{name: shell code}`` of the README's blocks marked ``<!-- student-step: name -->`` or ``student-run``."""
    import re

    return {
        m["name"]: m["code"]
        for m in re.finditer(r"<!-- student-(?:step|run): (?P<name>[\w-]+) -->\n```sh\n(?P<code>.*?)```", text, re.S)
    }


def test_a_node_refuses_another_copy_of_the_package(student_package):
    """vision_server from a student folder, Python finding the kit's robot_lab first: it stops and says why."""
    import shutil

    if shutil.which("roslaunch") is None:
        pytest.skip("ROS 1 is not installed here: run `make ros`")
    target, _ = student_package
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, str(target / "nodes" / "vision_server")], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode != 0
    assert "another copy of robot_lab" in done.stderr and f"export PYTHONPATH={target.parent}" in done.stderr


def _student_env(tmp_path, port):
    """A clean terminal's environment: no kit venv on PATH, no PYTHONPATH, a private ROS master."""
    kit_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != kit_bin)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "ROS_PACKAGE_PATH")}
    return {
        **env,
        "PATH": path,
        "ROS_MASTER_URI": f"http://127.0.0.1:{port}",
        "ROS_HOSTNAME": "127.0.0.1",
        "ROS_HOME": str(tmp_path / "ros"),
        # No internet here but the package registries: MNIST (the simulator's digits) from the kit's data.
        "MNIST_DIR": str(REPO_ROOT / "data" / "mnist"),
        "MPLBACKEND": "Agg",
    }


@pytest.mark.slow
def test_readme_commands_word_for_word_in_a_copy_of_the_student_folder(robot_build, tmp_path):
    """The English README's blocks, as written, in a copy of the built folder completed with the solution:
    a fresh environment from requirements.txt, the guide, the local grading, the service on the simulator."""
    import shutil
    import signal
    import socket
    import time

    if shutil.which("roslaunch") is None:
        pytest.skip("ROS 1 is not installed here: run `make ros`")
    folder = tmp_path / "robot_lab"
    shutil.copytree(robot_build["dist"] / "en" / "robot_lab", folder)
    blocks = readme_blocks((folder / "README.md").read_text())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = _student_env(tmp_path, port)

    def terminal(code, timeout, activate=True):
        """A new terminal in the folder: the README's "source .venv/bin/activate" first, then ``code``."""
        script = ("source .venv/bin/activate\n" if activate else "") + "set -e\n" + code
        return subprocess.run(
            ["bash", "-c", script], cwd=folder, env=env, capture_output=True, text=True, timeout=timeout
        )

    done = terminal(blocks["venv"], 900, activate=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    # The untouched folder's guide runs up to the first function to write, and says which.
    done = terminal(blocks["guide"], 600)
    assert done.returncode != 0 and "face_to_sprite(): yours to write" in done.stdout + done.stderr
    for name in STUDENT_FILES:
        shutil.copyfile(SOLUTION / name, folder / "robot_lab" / name)
    done = terminal(blocks["guide"], 600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (folder / "guide-run.ipynb").is_file()
    done = terminal(blocks["grade"], 600)
    assert done.returncode == 0 and "total 14 / 14" in done.stdout, done.stdout + done.stderr[-2000:]

    with open(tmp_path / "service.log", "w") as log:
        service = subprocess.Popen(
            ["bash", "-c", blocks["service"]],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline, answer = time.monotonic() + 240, None
        while time.monotonic() < deadline and service.poll() is None:
            done = terminal(blocks["call"], 60)
            if done.returncode == 0:
                answer = done.stdout
                break
            time.sleep(2)
        assert answer is not None, (tmp_path / "service.log").read_text()[-3000:]
        assert "label:" in answer and "x_center:" in answer and "confidence: [" in answer
        # The simulated camera shows the guide's scene: seed 5, 3 cubes.
        import numpy as np

        from robot_lab import simulator

        _, truth = simulator.render_scene(np.random.default_rng(5), n_cubes=3)
        import re

        assert [int(x) for x in re.findall(r"label: (\d)", answer)] == [c.label for c in truth], answer
    finally:
        os.killpg(service.pid, signal.SIGINT)  # what Ctrl-C does: roslaunch stops its nodes and roscore
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(service.pid, signal.SIGKILL)
            service.wait()
