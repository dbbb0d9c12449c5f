"""The robot lab's hidden tests: the student's functions on camera scenes they have never seen.

Written in the TPs' test format, an Otter exception-format test file: each test is a
function decorated with Otter's ``test_case(name=<what students read>, points=..., hidden=True)``.
Ships in the autograder zip as ``grading/hidden_tests.py``; ``grading/run.py``
runs each test in a worker process (with the student's files placed over the
solution package) and gives the test's points when it returns, none when it
raises. A test never trusts what the student computed: it compares with the
reference answers that the build computed with the solution on the same inputs
(``hidden_scenes.npz``), or with the scenes' ground truth.

The data folder is ``$ROBOT_LAB_GRADING_DATA`` (default: this file's folder)::

    config.json          points, time limits and thresholds (written by the build)
    digits.keras         the trained network the reference answers were computed with
    hidden_scenes.npz    simulated scenes of the hidden split, their truth, and reference answers:
        image_000, image_001, ... (H, W, 3) uint8 BGR, one per scene (640 or 752 pixels wide)
        truth_scene (k,) int64, truth_label (k,) int64 (1 or 2),
        truth_center (k, 2) float32 (x, y), truth_corners (k, 4, 2) float32
        faces (k, S, S) uint8         each truth face warped to a square by the reference warp_face
        sprites (k, 28, 28) float32   the reference face_to_sprite of each face
        ref_labels (k,) int64, ref_confidences (k,) float32   the reference predict_digits(model, sprites)
        ref_found, ref_correct ()     how many truth cubes the reference recognise() finds and reads right
"""

import functools
import json
import os
import traceback
from pathlib import Path

import numpy as np

# (Otter reads a test file by running its text, without __file__: the working directory then.)
_HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
DATA_DIR = Path(os.environ.get("ROBOT_LAB_GRADING_DATA", _HERE))
PACKAGE = "robot_lab"

#: Slack on a sprite's [0, 1] range: what float rounding leaves on a correct sprite.
RANGE_SLACK = 1e-6
#: A sprite is a white digit on black: its median pixel at most BACKGROUND_MAX, its brightest at least INK_MIN.
BACKGROUND_MAX = 0.1
INK_MIN = 0.5
#: How far predict_digits's confidences may be from the reference's (the same network, the same sprites).
CONFIDENCE_TOLERANCE = 1e-3
#: How far response.confidence may be from the cubes' own confidences.
RESPONSE_TOLERANCE = 1e-6

# The TPs' test format: this file is an Otter exception-format test file (each test a
# function decorated with Otter's test_case, its title in ``name``). The grading venv needs
# no Otter: there the same decorator only records what the tests declare.
try:
    from otter.test_files import test_case
except ImportError:

    class test_case:  # noqa: N801  (Otter's name)
        """Otter's ``test_case`` decorator, for a machine without Otter: it keeps the metadata and the function."""

        def __init__(self, name=None, points=None, hidden=False, success_message=None, failure_message=None):
            self.name, self.points, self.hidden = name, points, hidden
            self.success_message, self.failure_message = success_message, failure_message

        def __call__(self, test_func):
            self.test_func = test_func
            return self


# Otter's test-file header: exception format, one "question" for the whole lab, points per test.
OK_FORMAT = False
name = "robot_lab"
points = None

#: Seconds each test may run in grading/run.py (Otter's test_case has no time limit).
TIME_LIMITS_S = {"predict_digits": 180, "hidden_scenes": 240}
DEFAULT_TIME_LIMIT_S = 120


@functools.cache
def config():
    return json.loads((DATA_DIR / "config.json").read_text())


@functools.cache
def data():
    with np.load(DATA_DIR / "hidden_scenes.npz") as archive:
        return {key: archive[key] for key in archive.files}


@functools.cache
def model():
    """The grader's own copy of the network (never loaded through the student's code)."""
    import keras

    return keras.models.load_model(DATA_DIR / "digits.keras")


def describe_error(error):
    """What a student reads when their code raised: the exception and where, in their files."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f"/{PACKAGE}/" in f.filename.replace(os.sep, "/")]
    where = "".join(
        f"\n  {PACKAGE}/{Path(f.filename).name}, line {f.lineno}, in {f.name}: {f.line}" for f in frames[-3:]
    )
    if isinstance(error, SyntaxError) and error.filename:
        where += f"\n  {PACKAGE}/{Path(error.filename).name}, line {error.lineno}: {(error.text or '').strip()}"
    return f"{type(error).__name__}: {error}{where}"


def _array(value, what):
    assert isinstance(value, np.ndarray), f"{what} should be a numpy array; it is a {type(value).__name__}"
    return value


# --- face_to_sprite ---------------------------------------------------------------


def _student_sprites():
    """The student's face_to_sprite on every hidden face, checked for shape, type and range."""
    from robot_lab.vision import face_to_sprite

    sprites = []
    for i, face in enumerate(data()["faces"]):
        sprite = _array(face_to_sprite(face.copy()), f"face_to_sprite(face) (hidden face {i})")
        assert sprite.shape == (28, 28), (
            f"face_to_sprite should return shape (28, 28); it returned {sprite.shape} (hidden face {i})"
        )
        assert np.issubdtype(sprite.dtype, np.floating), (
            f"face_to_sprite should return float32 values in [0, 1]; it returned dtype {sprite.dtype} (hidden face {i})"
        )
        assert np.all(np.isfinite(sprite)) and sprite.min() >= -RANGE_SLACK and sprite.max() <= 1 + RANGE_SLACK, (
            f"face_to_sprite should return values in [0, 1]; found {np.nanmin(sprite):.3g} to {np.nanmax(sprite):.3g} "
            f"(hidden face {i})"
        )
        sprites.append(sprite.astype(np.float32))
    return np.stack(sprites)


def center_of_mass(sprites):
    """(row, column) centre of mass of each sprite: ndarray (n, 2) float64."""
    sprites = np.asarray(sprites, dtype=np.float64)
    total = sprites.sum(axis=(1, 2))
    rows, cols = np.indices(sprites.shape[1:])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.stack([(sprites * rows).sum(axis=(1, 2)) / total, (sprites * cols).sum(axis=(1, 2)) / total], axis=1)


def ink_box_side(sprites, level=0.3):
    """Longer side (pixels) of the box around each sprite's pixels above ``level``: ndarray (n,) int."""
    sides = []
    for sprite in sprites:
        ys, xs = np.nonzero(sprite > level)
        sides.append(0 if len(ys) == 0 else max(ys.max() - ys.min(), xs.max() - xs.min()) + 1)
    return np.array(sides)


def correlation(a, b):
    """Pearson correlation of each pair of sprites: ndarray (n,) float64 (0 for a constant sprite)."""
    a = np.asarray(a, np.float64).reshape(len(a), -1)
    b = np.asarray(b, np.float64).reshape(len(b), -1)
    a, b = a - a.mean(axis=1, keepdims=True), b - b.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.where(norm > 0, (a * b).sum(axis=1) / np.where(norm > 0, norm, 1), 0.0)


@test_case(name="face_to_sprite: a (28, 28) float sprite in [0, 1], white digit on black", points=1, hidden=True)
def sprite_format():
    sprites = _student_sprites()
    background = np.median(sprites.reshape(len(sprites), -1), axis=1)
    bad = np.flatnonzero((background > BACKGROUND_MAX) | (sprites.max(axis=(1, 2)) < INK_MIN))
    assert len(bad) == 0, (
        f"{len(bad)} of {len(sprites)} hidden faces give a sprite that is not a white digit (near 1) on a black "
        f"background (0): e.g. hidden face {bad[0]} has background {background[bad[0]]:.2f} and brightest pixel "
        f"{sprites[bad[0]].max():.2f}. Invert the face (the digit is dark on white paper) and scale it to [0, 1]."
    )
    return f"{len(sprites)} hidden faces: every sprite is a white digit on black, values in [0, 1]"


@test_case(
    name="face_to_sprite: MNIST-like (20x20 box, centred by centre of mass, close to the reference)",
    points=3,
    hidden=True,
)
def sprite_mnist_like():
    limits = config()["sprite"]
    sprites, reference = _student_sprites(), data()["sprites"]
    centre = limits["center"]
    off_centre = np.linalg.norm(center_of_mass(sprites) - centre, axis=1)
    off_centre = np.where(np.isfinite(off_centre), off_centre, np.inf)
    bad = np.flatnonzero(off_centre > limits["max_center_offset"])
    assert len(bad) == 0, (
        f"{len(bad)} of {len(sprites)} hidden faces give a sprite whose centre of mass is more than "
        f"{limits['max_center_offset']} pixel from ({centre:g}, {centre:g}) (row, column), where MNIST's digits have "
        f"theirs: e.g. hidden face {bad[0]} is {off_centre[bad[0]]:.1f} pixels off. Move the digit so that its centre "
        f"of mass lands there."
    )
    sides = ink_box_side(sprites)
    low, high = limits["box_side"]
    bad = np.flatnonzero((sides < low) | (sides > high))
    assert len(bad) == 0, (
        f"{len(bad)} of {len(sprites)} hidden faces give a digit whose longer side is not about 20 pixels "
        f"(expected {low} to {high}): e.g. hidden face {bad[0]}: {sides[bad[0]]} pixels. Scale the digit's "
        f"bounding box so that its longer side is 20 pixels, keeping its aspect ratio."
    )
    similar = correlation(sprites, reference)
    assert np.median(similar) >= limits["min_median_correlation"], (
        f"your sprites differ from the reference sprites of the same hidden faces: median correlation "
        f"{np.median(similar):.2f}, expected at least {limits['min_median_correlation']}. Remove the face's border "
        f"and dashed frame, keep only the digit, scale it into 20x20 and centre it by its centre of mass."
    )
    return (
        f"{len(sprites)} hidden faces: centre of mass at most {off_centre.max():.2f} px from ({centre:g}, {centre:g}), "
        f"digit sides {sides.min()}-{sides.max()} px, median correlation with the reference {np.median(similar):.2f}"
    )


# --- predict_digits -----------------------------------------------------------------


def _check_prediction(result, n, what):
    assert isinstance(result, tuple) and len(result) == 2, (
        f"{what} should return a tuple (labels, confidences); it returned {type(result).__name__}"
    )
    labels, confidences = (
        _array(np.asarray(x) if isinstance(x, list) else x, f"{what}'s {name}")
        for x, name in zip(result, ("labels", "confidences"))
    )
    assert labels.shape == (n,) and confidences.shape == (n,), (
        f"{what} should return labels and confidences of shape ({n},) for {n} sprites; "
        f"they have shapes {labels.shape} and {confidences.shape}"
    )
    assert np.issubdtype(labels.dtype, np.integer), (
        f"{what}: labels should be integers (int64); they are {labels.dtype}"
    )
    assert set(np.unique(labels)) <= {1, 2}, (
        f"{what}: labels should be the digits 1 or 2; found {sorted(set(np.unique(labels).tolist()))}. "
        f"The network's output column k is the probability of digit k."
    )
    return labels, confidences.astype(np.float64)


@test_case(name="predict_digits: labels 1 or 2 and confidences, as the reference computes them", points=3, hidden=True)
def predict_digits():
    from robot_lab.classifier import predict_digits as student_predict

    d, net = data(), model()
    sprites = d["sprites"]
    labels, confidences = _check_prediction(
        student_predict(net, sprites.copy()), len(sprites), f"predict_digits(model, {len(sprites)} sprites)"
    )
    wrong = np.flatnonzero(labels != d["ref_labels"])
    assert len(wrong) == 0, (
        f"predict_digits reads {len(wrong)} of {len(sprites)} hidden sprites differently from the reference "
        f"(e.g. sprite {wrong[0]}: {labels[wrong[0]]} instead of {d['ref_labels'][wrong[0]]}). Choose, between the "
        f"network's probabilities for digit 1 and digit 2, the larger."
    )
    gap = np.abs(confidences - d["ref_confidences"])
    assert gap.max() <= CONFIDENCE_TOLERANCE, (
        f"predict_digits's confidences differ from the reference by up to {gap.max():.3f} (sprite {gap.argmax()}: "
        f"{confidences[gap.argmax()]:.3f} instead of {d['ref_confidences'][gap.argmax()]:.3f}). The confidence is the "
        f"network's softmax probability of the chosen label (among the ten digits, not renormalised)."
    )
    one = _check_prediction(student_predict(net, sprites[:1].copy()), 1, "predict_digits(model, 1 sprite)")
    assert one[0][0] == d["ref_labels"][0], "predict_digits gives another label for a sprite alone than in a batch"
    return f"{len(sprites)} hidden sprites: the same labels and confidences as the reference"


# --- the whole pipeline on hidden scenes ----------------------------------------------


def nearest_cubes(found, truth_centers, tolerance):
    """Index in ``found`` of the cube nearest each truth centre (-1: none within ``tolerance`` pixels)."""
    matches = []
    for center in truth_centers:
        distances = [np.hypot(*(np.asarray(cube.center, float) - center)) for cube in found]
        best = int(np.argmin(distances)) if distances else -1
        matches.append(best if best >= 0 and distances[best] <= tolerance else -1)
    return np.array(matches)


def count_recognised(recognise, model, images, truth_scene, truth_center, truth_label, tolerance):
    """How many true cubes ``recognise(image, model)`` finds, and reads right, over the scenes.

    Parameters
    ----------
    recognise : callable (image, model) -> list of cubes with ``center`` and ``label``
    images : list of ndarray (H, W, 3) uint8, one per scene
    truth_scene, truth_label : ndarray (k,) int, the scene and the digit of each true cube
    truth_center : ndarray (k, 2) float, the centre (x, y) of each true cube's face
    tolerance : float, pixels between a found centre and the true one

    Returns
    -------
    found, correct : int
    """
    found = correct = 0
    for scene, image in enumerate(images):
        in_scene = truth_scene == scene
        cubes = list(recognise(image.copy(), model))
        for match, label in zip(nearest_cubes(cubes, truth_center[in_scene], tolerance), truth_label[in_scene]):
            found += int(match >= 0)
            correct += int(match >= 0 and int(cubes[match].label) == int(label))
    return found, correct


def scene_images(arrays):
    """The scenes' images, in order, from ``hidden_scenes.npz``'s arrays."""
    return [arrays[key] for key in sorted(arrays) if key.startswith("image_")]


@test_case(
    name="hidden scenes: recognise() with your sprites and predictions finds the cubes and reads their digits",
    points=4,
    hidden=True,
)
def hidden_scenes():
    from robot_lab.pipeline import recognise

    d, limits = data(), config()["scenes"]
    images = scene_images(d)
    found, correct = count_recognised(
        recognise, model(), images, d["truth_scene"], d["truth_center"], d["truth_label"], limits["center_tolerance"]
    )
    total = len(d["truth_label"])
    summary = (
        f"{len(images)} hidden scenes, {total} cubes: {found} found, {correct} read right "
        f"(the reference: {int(d['ref_found'])} found, {int(d['ref_correct'])} read right)"
    )
    assert found >= limits["min_found"] and correct >= limits["min_correct"], (
        f"{summary}; expected at least {limits['min_found']} found and {limits['min_correct']} read right. "
        "Check face_to_sprite and predict_digits on the guide's scenes."
    )
    return summary


# --- fill_response ------------------------------------------------------------------------


class StandInUInt32:
    """What ``std_msgs.msg.UInt32`` is to ``fill_response`` when ROS is not installed: a ``data`` field."""

    __slots__ = ("data",)

    def __init__(self, *args, **kwargs):
        self.data = args[0] if args else kwargs.get("data", 0)

    def __repr__(self):
        return f"UInt32(data={self.data!r})"


class StandInMessage:
    """Any other message class (``sensor_msgs.msg.Image``): keyword fields only."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def response_fields(srv_file):
    """Names of the response fields of a ``.srv`` file (the part after ``---``), in order."""
    response = srv_file.read_text().split("\n---", 1)[1]
    lines = (line.split("#", 1)[0].split() for line in response.splitlines())
    return [words[1] for words in lines if len(words) >= 2]


def ros_message_classes():
    """``(UInt32, make_response, what)``: the real ROS message classes when ROS is installed, else stand-ins.

    Without ROS (Gradescope's image), ``std_msgs.msg`` and ``sensor_msgs.msg`` are
    stand-in modules, so that the student's module imports, and the response is a
    plain object with the service's response fields, each an empty list.
    ``ROBOT_LAB_GRADING_ROS=never`` uses the stand-ins even where ROS is installed.
    """
    import sys
    import types

    if os.environ.get("ROBOT_LAB_GRADING_ROS", "auto") != "never":
        try:
            from std_msgs.msg import UInt32

            from robot_lab import ros_msgs

            return UInt32, ros_msgs.import_srv().RecogniseCubesResponse, "the service's genpy message classes"
        except (ImportError, OSError, RuntimeError):
            pass
    for package, classes in {"std_msgs": {"UInt32": StandInUInt32}, "sensor_msgs": {"Image": StandInMessage}}.items():
        module = types.ModuleType(f"{package}.msg")
        module.__dict__.update(classes)
        sys.modules[package] = types.ModuleType(package)
        sys.modules[package].msg = module
        sys.modules[f"{package}.msg"] = module
    import robot_lab

    fields = response_fields(Path(robot_lab.__file__).parent / "srv" / "RecogniseCubes.srv")

    def make_response():
        return types.SimpleNamespace(**{field: [] for field in fields})

    return StandInUInt32, make_response, "stand-ins for the ROS message classes (no ROS installed)"


class GradingCube:
    """A cube as ``robot_lab.pipeline.Cube`` holds it (made here, so a broken pipeline costs nothing)."""

    def __init__(self, label, confidence, center, corners):
        self.label, self.confidence, self.center = label, confidence, center
        self.corners = np.asarray(corners, dtype=np.float32)


def grading_cubes():
    """Three cubes with distinct, fractional coordinates, one corner left of the image (x < 0)."""
    return [
        GradingCube(2, 0.875, (101.4, 233.6), [[71.2, 201.9], [133.8, 204.4], [131.5, 266.7], [68.6, 261.2]]),
        GradingCube(1, 0.5, (412.7, 98.2), [[380.4, 66.1], [446.6, 70.3], [444.9, 130.6], [379.2, 126.4]]),
        GradingCube(1, 0.99, (27.5, 402.5), [[-3.4, 371.2], [58.6, 374.8], [57.9, 433.1], [-1.6, 431.4]]),
    ]


def expected_response(cubes):
    """Field name -> the values the response should hold for ``cubes`` (integers rounded, at least 0)."""

    def px(value):
        return max(0, int(round(float(value))))

    expected = {
        "label": [c.label for c in cubes],
        "x_center": [px(c.center[0]) for c in cubes],
        "y_center": [px(c.center[1]) for c in cubes],
        "confidence": [c.confidence for c in cubes],
    }
    for i in range(4):
        expected[f"x{i + 1}"] = [px(c.corners[i][0]) for c in cubes]
        expected[f"y{i + 1}"] = [px(c.corners[i][1]) for c in cubes]
    return expected


@test_case(
    name="fill_response: every field of the service's response, one entry per cube, in order", points=3, hidden=True
)
def fill_response():
    import numbers

    uint32, make_response, kind = ros_message_classes()
    from robot_lab.ros_service import fill_response as student_fill

    assert student_fill([], make_response()) is not None, "fill_response should return the response it filled"
    cubes = grading_cubes()
    response = make_response()
    returned = student_fill(cubes, response)
    assert returned is response, "fill_response should fill the response it is given, in place, and return it"
    for field, values in expected_response(cubes).items():
        entries = list(getattr(response, field))
        assert len(entries) == len(cubes), (
            f"response.{field} should hold one entry per cube ({len(cubes)} cubes); it holds {len(entries)}"
        )
        if field == "confidence":
            assert all(isinstance(e, numbers.Real) for e in entries), (
                f"response.confidence should hold floats; it holds {[type(e).__name__ for e in entries]}"
            )
            found = [float(e) for e in entries]
            ok = np.allclose(found, values, atol=RESPONSE_TOLERANCE)
        else:
            assert all(isinstance(e, uint32) for e in entries), (
                f"response.{field} should hold std_msgs/UInt32 messages (UInt32(data=...), see pixel()); "
                f"it holds {[type(e).__name__ for e in entries]}"
            )
            assert all(isinstance(e.data, numbers.Integral) for e in entries), (
                f"response.{field}: each UInt32's data should be an integer; found {[e.data for e in entries]}"
            )
            found = [int(e.data) for e in entries]
            ok = found == values
        assert ok, (
            f"response.{field} should be {values} for the grader's cubes (in their order); it is {found}. "
            f"x is the first coordinate of center and corners, y the second; x1, y1 is corners[0]."
        )
    if hasattr(response, "serialize"):
        import io

        response.serialize(io.BytesIO())  # a real ROS message: it must also be sendable
    return f"3 cubes: every field right ({kind})"


#: The tests in the order of this file: function name -> the function (it returns what students read when it passes).
TESTS = {key: value.test_func for key, value in list(globals().items()) if isinstance(value, test_case)}
#: name -> {"title", "points", "timeout_s"}: what the build writes into config.json.
SPECS = {
    key: {"title": value.name, "points": value.points, "timeout_s": TIME_LIMITS_S.get(key, DEFAULT_TIME_LIMIT_S)}
    for key, value in list(globals().items())
    if isinstance(value, test_case)
}
