"""The robot lab's hidden tests: the student's functions on camera scenes they have never seen.

Written in the TPs' test format, an Otter exception-format test file: each test is a
function decorated with Otter's ``test_case(name=<what students read>, points=..., hidden=True)``.
Ships in the autograder zip as ``grading/hidden_tests.py`` (and, run on public scenes,
in the students' folder as ``grading/lab_checks.py``).

Each test has two halves, run by ``grading/run.py`` in two different processes:

- *collect* (:data:`COLLECT`, run in the untrusted worker, where the student's files are
  imported): calls the student's function on the inputs the judge wrote for it (faces,
  sprites, scene images: never an answer) and hands back only raw outputs (numeric arrays,
  plain JSON values, or the description of the exception raised), with :func:`collect`;
- *judge* (the ``test_case`` function, run in the trusted judge process, which never imports
  the student's code): holds the reference package, the hidden answers and the network, and
  turns those outputs into a share of the points (it returns: all of them; it raises
  :class:`PartialCredit`: a share; any other exception: none) and a message, with :func:`judge`.

Each hole is graded on its own: a scene test runs the student's half of ``recognise()``
in the worker and the reference's other half in the judge (``scenes_your_sprites``: the
worker records the sprites the student's pipeline gives the network, the judge reads them
with the reference ``predict_digits``; ``scenes_your_predictions``: the judge cuts the
reference sprites of the scenes, the worker reads them with the student's ``predict_digits``).
In the students' own folder the "reference" the judge imports is their own package.

Environment: ``ROBOT_LAB_GRADING_DATA`` (the data folder, default this file's folder),
``ROBOT_LAB_GRADING_MODEL`` (the judge's network, default ``digits.keras`` there),
``ROBOT_LAB_WORKER_MODEL`` (the worker's copy of the shipped network),
``ROBOT_LAB_GRADING_LANG`` (``fr`` or ``en``: the language of the feedback),
``ROBOT_LAB_GRADING_LOCAL=1`` (the students' folder: the judge's package is theirs).

The data folder (the judge's only)::

    config.json          points, time limits and thresholds (written by the build)
    digits.keras         the trained network the reference answers were computed with
    hidden_scenes.npz    simulated scenes (config.json's "scenes_file"), their truth, and reference answers:
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
#: The language of the feedback: "fr" or "en".
LANG = os.environ.get("ROBOT_LAB_GRADING_LANG", "en")
#: The students' own folder: the judge's "reference" package is their own.
LOCAL = os.environ.get("ROBOT_LAB_GRADING_LOCAL") == "1"

#: Slack on a sprite's [0, 1] range: what float rounding leaves on a correct sprite.
RANGE_SLACK = 1e-6
#: A sprite is a white digit on black: its median pixel at most BACKGROUND_MAX, its brightest at least INK_MIN.
BACKGROUND_MAX = 0.1
INK_MIN = 0.5
#: How far predict_digits's confidences may be from the reference's (the same network, the same sprites).
CONFIDENCE_TOLERANCE = 1e-3
#: How far response.confidence may be from the cubes' own confidences.
RESPONSE_TOLERANCE = 1e-6


def tr(en, fr):
    """The feedback in the grading language (``LANG``)."""
    return fr if LANG == "fr" else en


class PartialCredit(AssertionError):
    """A failed test that still earns ``fraction`` (0 to 1) of its points: some of the faces it judges are right.

    Otter (which does not know it) counts it as a plain failure; ``grading/run.py`` gives the share.
    """

    def __init__(self, fraction, message):
        super().__init__(message)
        self.fraction = float(min(1.0, max(0.0, fraction)))


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
TIME_LIMITS_S = {"predict_digits": 180, "scenes_your_sprites": 240, "scenes_your_predictions": 240}
DEFAULT_TIME_LIMIT_S = 120

#: The tests' titles in French (Otter's ``name`` is the English one).
TITLES_FR = {
    "sprite_format": "face_to_sprite : un chiffre (28, 28) en flottants dans [0, 1], blanc sur noir",
    "sprite_mnist_like": "face_to_sprite : cadré comme MNIST (boîte de 20 px, proportions conservées, centre de masse)",
    "predict_digits": "predict_digits : étiquettes 1 ou 2 et confiances, calculées comme par la référence",
    "scenes_your_sprites": (
        "scènes : recognise() lit les cubes avec votre face_to_sprite (et le predict_digits de référence)"
    ),
    "scenes_your_predictions": (
        "scènes : recognise() lit les cubes avec votre predict_digits (et le face_to_sprite de référence)"
    ),
    "fill_response": "fill_response : chaque champ de la réponse du service, une entrée par cube, dans l'ordre",
}


@functools.cache
def config():
    return json.loads((DATA_DIR / "config.json").read_text())


@functools.cache
def data():
    with np.load(DATA_DIR / config().get("scenes_file", "hidden_scenes.npz")) as archive:
        return {key: archive[key] for key in archive.files}


@functools.cache
def model():
    """The grader's own copy of the network (never loaded through the student's code)."""
    import keras

    return keras.models.load_model(os.environ.get("ROBOT_LAB_GRADING_MODEL", DATA_DIR / "digits.keras"))


@functools.cache
def worker_model():
    """The worker's copy of the shipped network (public: the students have it), for the student's predict_digits."""
    from robot_lab import classifier

    return classifier.load_model(os.environ["ROBOT_LAB_WORKER_MODEL"])


def describe_error(error):
    """What a student reads when their code raised: the exception and where, in their package's files.

    Runs in the worker; the judge bounds it again (:data:`MAX_MESSAGE`). Frames outside
    ``robot_lab/`` (the grader's own code) are never shown.
    """
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f"/{PACKAGE}/" in f.filename.replace(os.sep, "/")]
    where = "".join(
        f"\n  {PACKAGE}/{Path(f.filename).name}, line {f.lineno}, in {f.name}: {(f.line or '')[:200]}"
        for f in frames[-3:]
    )
    if isinstance(error, SyntaxError) and error.filename:
        where += f"\n  {PACKAGE}/{Path(error.filename).name}, line {error.lineno}: {(error.text or '').strip()[:200]}"
    try:
        text = str(error)
    except BaseException:  # noqa: BLE001  (a student's exception whose __str__ raises)
        text = "(its message could not be read)"
    return f"{type(error).__name__}: {bounded(text, MAX_MESSAGE // 2)}{where}"


# --- what crosses between the worker and the judge ---------------------------------------

#: Bounds on what the worker hands back: one array, the whole outputs file, a message shown to the student.
MAX_ARRAY_BYTES = 16 * 2**20
MAX_OUTPUT_BYTES = 64 * 2**20
MAX_MESSAGE = 2000


def bounded(text, limit=MAX_MESSAGE):
    """``text`` cut to ``limit`` characters (with a note that it was cut)."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit} more characters cut)"


def raw(value):
    """What the worker hands back of a value the student's code returned.

    A numeric numpy array (bool, int, float) of at most :data:`MAX_ARRAY_BYTES` is handed
    back as it is; anything else as a description, a dict ``{"type": name}`` (plus
    ``"shape"`` and ``"dtype"`` for another array), which the judge reports.
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and value.nbytes <= MAX_ARRAY_BYTES:
        return value
    described = {"type": type(value).__name__}
    if isinstance(value, np.ndarray):
        described.update(shape=[int(n) for n in value.shape], dtype=str(value.dtype))
    return described


def save_outputs(path, outputs):
    """Write ``outputs`` (``{key: ndarray or JSON value}``) as one ``.npz``: the arrays, and the rest as JSON."""
    arrays = {k: v for k, v in outputs.items() if isinstance(v, np.ndarray)}
    rest = {k: v for k, v in outputs.items() if not isinstance(v, np.ndarray)}
    meta = np.frombuffer(json.dumps(rest, default=lambda v: {"type": type(v).__name__}).encode(), np.uint8)
    with open(path, "wb") as f:
        np.savez(f, __meta__=meta, **arrays)


def load_outputs(path):
    """Read what :func:`save_outputs` wrote, trusting nothing: sizes checked first, no pickles.

    Returns ``{key: ndarray or JSON value}``; raises ``ValueError`` (with what was wrong) otherwise.
    """
    import zipfile

    size = Path(path).stat().st_size
    if size > MAX_OUTPUT_BYTES:
        raise ValueError(f"{size} bytes of outputs, more than the {MAX_OUTPUT_BYTES} the grader reads")
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_OUTPUT_BYTES:
            raise ValueError(f"{unpacked} bytes of outputs once unpacked, more than {MAX_OUTPUT_BYTES}")
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(arrays.pop("__meta__").tobytes().decode())
    return {**meta, **arrays}


def collect(name, inputs_path, outputs_path):
    """The worker's half of test ``name``: the student's function on the inputs, its raw outputs written.

    An exception from the student's code (anything, even ``SystemExit``) is handed back as
    ``{"error": describe_error(...)}``: a description, never a verdict.
    """
    with np.load(inputs_path, allow_pickle=False) as archive:
        inputs = {key: archive[key] for key in archive.files}
    try:
        outputs = COLLECT[name](inputs)
    except BaseException as error:  # noqa: BLE001  (the student's code may raise anything)
        outputs = {"error": describe_error(error)}
    try:
        save_outputs(outputs_path, outputs)
    except Exception as error:  # noqa: BLE001  (outputs the grader cannot write: the student's objects)
        save_outputs(outputs_path, {"error": f"the grader could not keep what your code returned: {error!r}"[:500]})


def write_inputs(name, path):
    """The judge's: write test ``name``'s inputs for the worker (``.npz``; no answer among them)."""
    np.savez(path, **INPUTS[name]())


def judge(name, outputs_path):
    """The judge's half of test ``name`` on the worker's outputs: ``(fraction of the points, message)``."""
    try:
        outputs = load_outputs(outputs_path)
    except (OSError, ValueError, KeyError) as error:
        return 0.0, tr(
            f"the grader could not read what your code returned ({bounded(error, 300)})",
            f"le correcteur n'a pas pu lire ce que votre code a rendu ({bounded(error, 300)})",
        )
    if "error" in outputs:
        return 0.0, bounded(outputs["error"])
    try:
        message = TESTS[name](outputs)
        return 1.0, bounded(message or "passed")
    except PartialCredit as credit:
        return credit.fraction, bounded(str(credit))
    except AssertionError as failure:
        return 0.0, bounded(str(failure) or "failed")
    except Exception as error:  # noqa: BLE001  (outputs the checks did not foresee; locally, the student's code)
        shown = describe_error(error) if LOCAL else f"{type(error).__name__}: {bounded(error, 300)}"
        return 0.0, tr(
            f"the grader could not judge what your code returned: {shown}",
            f"le correcteur n'a pas pu juger ce que votre code a rendu : {shown}",
        )


def _array(value, what):
    if isinstance(value, dict) and value.get("type") == "ndarray":
        raise AssertionError(
            tr(
                f"{what} should be a numpy array of numbers; it is an array of {value.get('dtype')}, "
                f"shape {tuple(value.get('shape', ()))}",
                f"{what} devrait être un tableau numpy de nombres ; c'est un tableau de {value.get('dtype')}, "
                f"de forme {tuple(value.get('shape', ()))}",
            )
        )
    kind = value.get("type", "?") if isinstance(value, dict) else type(value).__name__
    assert isinstance(value, np.ndarray), tr(
        f"{what} should be a numpy array; it is a {kind}",
        f"{what} devrait être un tableau numpy ; c'est un {kind}",
    )
    return value


def share(right, total, slack=0):
    """The share of the points for ``right`` items out of ``total``: 1 from ``total - slack`` right on."""
    return 1.0 if right >= total - slack else right / total


# --- face_to_sprite ---------------------------------------------------------------


def collect_sprites(inputs):
    """Worker: the student's ``face_to_sprite`` on each face of ``inputs["faces"]`` ((n, S, S) uint8).

    Returns ``{"sprite_<i>": raw(sprite)}``.
    """
    from robot_lab.vision import face_to_sprite

    return {f"sprite_{i}": raw(face_to_sprite(face.copy())) for i, face in enumerate(inputs["faces"])}


def _student_sprites(outputs):
    """Judge: the student's sprites of the hidden faces, checked for shape, type and range: (n, 28, 28) float32."""
    sprites = []
    for i in range(len(data()["faces"])):
        sprite = _array(outputs.get(f"sprite_{i}", {"type": "nothing"}), f"face_to_sprite(face) (face {i})")
        assert sprite.shape == (28, 28), tr(
            f"face_to_sprite should return shape (28, 28); it returned {sprite.shape} (face {i})",
            f"face_to_sprite devrait rendre un tableau de forme (28, 28) ; elle a rendu {sprite.shape} (face {i})",
        )
        assert np.issubdtype(sprite.dtype, np.floating), tr(
            f"face_to_sprite should return float32 values in [0, 1]; it returned dtype {sprite.dtype} (face {i})",
            f"face_to_sprite devrait rendre des float32 dans [0, 1] ; elle a rendu le type {sprite.dtype} (face {i})",
        )
        low, high = np.nanmin(sprite), np.nanmax(sprite)
        assert np.all(np.isfinite(sprite)) and low >= -RANGE_SLACK and high <= 1 + RANGE_SLACK, tr(
            f"face_to_sprite should return values in [0, 1]; found {low:.3g} to {high:.3g} (face {i})",
            f"face_to_sprite devrait rendre des valeurs dans [0, 1] ; on trouve de {low:.3g} à {high:.3g} (face {i})",
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


def ink_boxes(sprites, level=0.3):
    """Height and width (pixels) of the box around each sprite's pixels above ``level``: ndarray (n, 2) int."""
    boxes = []
    for sprite in sprites:
        ys, xs = np.nonzero(np.asarray(sprite) > level)
        boxes.append((0, 0) if len(ys) == 0 else (ys.max() - ys.min() + 1, xs.max() - xs.min() + 1))
    return np.array(boxes, dtype=np.int64).reshape(-1, 2)


def ink_box_side(sprites, level=0.3):
    """Longer side (pixels) of the box around each sprite's pixels above ``level``: ndarray (n,) int."""
    return ink_boxes(sprites, level).max(axis=1)


def aspect_ratio(boxes):
    """Width / height of each box (ndarray (n, 2) of height, width): ndarray (n,) float (0 for an empty box)."""
    boxes = np.asarray(boxes, np.float64)
    return np.where(boxes[:, 0] > 0, boxes[:, 1] / np.maximum(boxes[:, 0], 1), 0.0)


def correlation(a, b):
    """Pearson correlation of each pair of sprites: ndarray (n,) float64 (0 for a constant sprite)."""
    a = np.asarray(a, np.float64).reshape(len(a), -1)
    b = np.asarray(b, np.float64).reshape(len(b), -1)
    a, b = a - a.mean(axis=1, keepdims=True), b - b.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.where(norm > 0, (a * b).sum(axis=1) / np.where(norm > 0, norm, 1), 0.0)


@test_case(name="face_to_sprite: a (28, 28) float sprite in [0, 1], white digit on black", points=1, hidden=True)
def sprite_format(outputs):
    sprites = _student_sprites(outputs)
    background = np.median(sprites.reshape(len(sprites), -1), axis=1)
    bad = np.flatnonzero((background > BACKGROUND_MAX) | (sprites.max(axis=(1, 2)) < INK_MIN))
    if len(bad):
        i = bad[0]
        raise PartialCredit(
            share(len(sprites) - len(bad), len(sprites)),
            tr(
                f"{len(bad)} of {len(sprites)} faces give a sprite that is not a white digit (near 1) on a black "
                f"background (0): e.g. face {i} has background {background[i]:.2f} and brightest pixel "
                f"{sprites[i].max():.2f}. Invert the face (the digit is dark on white paper) and scale it to [0, 1].",
                f"{len(bad)} faces sur {len(sprites)} donnent un chiffre qui n'est pas blanc (proche de 1) sur fond "
                f"noir (0) : par exemple la face {i} a un fond à {background[i]:.2f} et son pixel le plus clair à "
                f"{sprites[i].max():.2f}. Inversez la face (le chiffre est sombre sur le papier blanc) et ramenez-la "
                f"dans [0, 1].",
            ),
        )
    return tr(
        f"{len(sprites)} faces: every sprite is a white digit on black, values in [0, 1]",
        f"{len(sprites)} faces : chaque chiffre est blanc sur noir, valeurs dans [0, 1]",
    )


def sprite_faults(sprites, reference, limits):
    """What is wrong with each sprite's framing: ``{fault: boolean ndarray (n,)}`` (True: that face has the fault).

    Faults: ``"centre"`` (centre of mass more than ``max_center_offset`` px from MNIST's),
    ``"size"`` (longer side of the ink's box outside ``box_side``), ``"aspect"`` (the box's
    width / height more than ``aspect_tolerance`` (relative) from the reference sprite's),
    ``"shape"`` (correlation with the reference sprite below ``min_correlation``).
    """
    centre = limits["center"]
    off_centre = np.linalg.norm(center_of_mass(sprites) - centre, axis=1)
    off_centre = np.where(np.isfinite(off_centre), off_centre, np.inf)
    boxes, reference_boxes = ink_boxes(sprites), ink_boxes(reference)
    sides = boxes.max(axis=1)
    low, high = limits["box_side"]
    ratio, reference_ratio = aspect_ratio(boxes), aspect_ratio(reference_boxes)
    aspect_gap = np.abs(np.log(np.maximum(ratio, 1e-3) / np.maximum(reference_ratio, 1e-3)))
    return {
        "centre": off_centre > limits["max_center_offset"],
        "size": (sides < low) | (sides > high),
        "aspect": aspect_gap > np.log1p(limits["aspect_tolerance"]),
        "shape": correlation(sprites, reference) < limits["min_correlation"],
    }, {"off_centre": off_centre, "sides": sides, "ratio": ratio, "reference_ratio": reference_ratio}


@test_case(
    name="face_to_sprite: framed like MNIST (20-px box, aspect ratio kept, centre of mass)",
    points=3,
    hidden=True,
)
def sprite_mnist_like(outputs):
    limits = config()["sprite"]
    sprites, reference = _student_sprites(outputs), data()["sprites"]
    faults, measures = sprite_faults(sprites, reference, limits)
    centre, n = limits["center"], len(sprites)
    wrong = np.logical_or.reduce(list(faults.values()))
    if not wrong.any():
        return tr(
            f"{n} faces framed like MNIST: centre of mass at most {measures['off_centre'].max():.2f} px from "
            f"({centre:g}, {centre:g}), digit sides {measures['sides'].min()}-{measures['sides'].max()} px, "
            "aspect ratios kept",
            f"{n} faces cadrées comme MNIST : centre de masse au plus à {measures['off_centre'].max():.2f} px de "
            f"({centre:g}, {centre:g}), plus grand côté du chiffre de {measures['sides'].min()} à "
            f"{measures['sides'].max()} px, proportions conservées",
        )
    lines = []
    if faults["aspect"].any():
        i = np.flatnonzero(faults["aspect"])[0]
        lines.append(
            tr(
                f"{faults['aspect'].sum()} faces: the digit's aspect ratio is not kept (face {i}: width/height "
                f"{measures['ratio'][i]:.2f}, the reference's {measures['reference_ratio'][i]:.2f}). Probable "
                "mistake: the digit is stretched to fill 20x20. Scale both sides by the same factor, 20 / the "
                "longer side.",
                f"{faults['aspect'].sum()} faces : les proportions du chiffre ne sont pas conservées (face {i} : "
                f"largeur/hauteur {measures['ratio'][i]:.2f}, {measures['reference_ratio'][i]:.2f} pour la "
                "référence). Erreur probable : le chiffre est étiré pour remplir 20×20. Multipliez les deux côtés "
                "par un même facteur : 20 / le plus grand côté.",
            )
        )
    if faults["size"].any():
        i = np.flatnonzero(faults["size"])[0]
        low, high = limits["box_side"]
        lines.append(
            tr(
                f"{faults['size'].sum()} faces: the digit's longer side is not about 20 pixels (face {i}: "
                f"{measures['sides'][i]} px, expected {low} to {high}). Scale the digit's bounding box so that its "
                "longer side is 20 pixels.",
                f"{faults['size'].sum()} faces : le plus grand côté du chiffre ne fait pas environ 20 pixels (face "
                f"{i} : {measures['sides'][i]} px, attendu de {low} à {high}). Mettez la boîte englobante du "
                "chiffre à l'échelle pour que son plus grand côté fasse 20 pixels.",
            )
        )
    if faults["centre"].any():
        i = np.flatnonzero(faults["centre"])[0]
        lines.append(
            tr(
                f"{faults['centre'].sum()} faces: the centre of mass is more than {limits['max_center_offset']} px "
                f"from ({centre:g}, {centre:g}) (row, column), where MNIST's digits have theirs (face {i}: "
                f"{measures['off_centre'][i]:.1f} px off). Probable mistake: the digit's box is centred, not its "
                "centre of mass (the ink-weighted mean row and column).",
                f"{faults['centre'].sum()} faces : le centre de masse est à plus de {limits['max_center_offset']} px "
                f"de ({centre:g}, {centre:g}) (ligne, colonne), là où MNIST place celui de ses chiffres (face {i} : "
                f"décalé de {measures['off_centre'][i]:.1f} px). Erreur probable : c'est la boîte du chiffre qui est "
                "centrée, pas son centre de masse (la ligne et la colonne moyennes, pondérées par l'encre).",
            )
        )
    if faults["shape"].any():
        i = np.flatnonzero(faults["shape"])[0]
        similar = correlation(sprites[i : i + 1], reference[i : i + 1])[0]
        lines.append(
            tr(
                f"{faults['shape'].sum()} faces: the sprite does not look like the reference sprite of the same "
                f"face (face {i}: correlation {similar:.2f}, expected at "
                f"least {limits['min_correlation']}). Remove the face's border and printed frame, keep only the digit.",
                f"{faults['shape'].sum()} faces : le chiffre ne ressemble pas à celui de la référence pour la même "
                f"face (face {i} : corrélation {similar:.2f}, au moins "
                f"{limits['min_correlation']} attendu). Enlevez le bord de la face et le cadre imprimé, ne gardez "
                "que le chiffre.",
            )
        )
    right = int(n - wrong.sum())
    raise PartialCredit(
        share(right, n, limits.get("slack", 0)),
        tr(f"{right} of {n} faces framed like MNIST.\n", f"{right} faces sur {n} cadrées comme MNIST.\n")
        + "\n".join(lines),
    )


# --- predict_digits -----------------------------------------------------------------


def _prediction(result, key):
    """Worker: what ``predict_digits`` returned, as raw outputs under ``<key>_...`` (its type, length, two arrays)."""
    outputs = {f"{key}_type": type(result).__name__, f"{key}_len": len(result) if isinstance(result, tuple) else -1}
    if isinstance(result, tuple) and len(result) == 2:
        for name, value in zip(("labels", "confidences"), result):
            outputs[f"{key}_{name}"] = raw(np.asarray(value) if isinstance(value, list) else value)
    return outputs


def collect_predictions(inputs):
    """Worker: the student's ``predict_digits`` on ``inputs["sprites"]`` ((n, 28, 28) float32), then on one."""
    from robot_lab.classifier import predict_digits

    net, sprites = worker_model(), inputs["sprites"]
    return {
        **_prediction(predict_digits(net, sprites.copy()), "batch"),
        **_prediction(predict_digits(net, sprites[:1].copy()), "one"),
    }


def _shaped_prediction(outputs, key, n, what):
    """Judge: the labels and confidences of ``outputs``'s ``key``, checked to be a tuple of two (n,) arrays."""
    assert outputs.get(f"{key}_len") == 2, tr(
        f"{what} should return a tuple (labels, confidences); it returned {outputs.get(f'{key}_type')}",
        f"{what} devrait rendre un tuple (étiquettes, confiances) ; elle a rendu un {outputs.get(f'{key}_type')}",
    )
    labels, confidences = (
        _array(outputs.get(f"{key}_{name}", {"type": "nothing"}), f"{what}: {name}")
        for name in ("labels", "confidences")
    )
    assert labels.shape == (n,) and confidences.shape == (n,), tr(
        f"{what} should return labels and confidences of shape ({n},) for {n} sprites; "
        f"they have shapes {labels.shape} and {confidences.shape}",
        f"{what} devrait rendre des étiquettes et des confiances de forme ({n},) pour {n} chiffres ; "
        f"elles ont les formes {labels.shape} et {confidences.shape}",
    )
    return labels, confidences


def _check_prediction(outputs, key, n, what):
    labels, confidences = _shaped_prediction(outputs, key, n, what)
    assert np.issubdtype(labels.dtype, np.integer), tr(
        f"{what}: labels should be integers (int64); they are {labels.dtype}",
        f"{what} : les étiquettes devraient être des entiers (int64) ; elles sont de type {labels.dtype}",
    )
    found = sorted(set(np.unique(labels).tolist()))
    if set(found) <= {0, 1} and 0 in found:
        hint = tr(
            " Probable mistake: these are the indices 0/1 of the two columns kept, not the digits 1/2.",
            " Erreur probable : ce sont les indices 0/1 des deux colonnes gardées, pas les chiffres 1/2.",
        )
    else:
        hint = tr(
            " The network's output column k is the probability of digit k.",
            " La colonne k de la sortie du réseau est la probabilité du chiffre k.",
        )
    assert set(found) <= {1, 2}, (
        tr(
            f"{what}: labels should be the digits 1 or 2; found {found}.",
            f"{what} : les étiquettes devraient être les chiffres 1 ou 2 ; on trouve {found}.",
        )
        + hint
    )
    return labels, confidences.astype(np.float64)


@test_case(name="predict_digits: labels 1 or 2 and confidences, as the reference computes them", points=3, hidden=True)
def predict_digits(outputs):
    d = data()
    n = len(d["sprites"])
    labels, confidences = _check_prediction(outputs, "batch", n, f"predict_digits(model, {n} sprites)")
    one = _check_prediction(outputs, "one", 1, "predict_digits(model, 1 sprite)")
    assert one[0][0] == labels[0], tr(
        "predict_digits gives another label for a sprite alone than in a batch",
        "predict_digits ne donne pas la même étiquette à un chiffre seul qu'au même chiffre dans un lot",
    )
    gap = np.abs(confidences - d["ref_confidences"])
    wrong_label = labels != d["ref_labels"]
    wrong_confidence = ~wrong_label & ~(gap <= CONFIDENCE_TOLERANCE)
    right = int(n - wrong_label.sum() - wrong_confidence.sum())
    if right == n:
        return tr(
            f"{n} sprites: the same labels and confidences as the reference",
            f"{n} chiffres : les mêmes étiquettes et confiances que la référence",
        )
    lines = []
    if wrong_label.any():
        i = np.flatnonzero(wrong_label)[0]
        lines.append(
            tr(
                f"{wrong_label.sum()} sprites read differently from the reference (e.g. sprite {i}: "
                f"{labels[i]} instead of {d['ref_labels'][i]}). Choose, between the network's probabilities for "
                "digit 1 and digit 2, the larger.",
                f"{wrong_label.sum()} chiffres lus autrement que par la référence (par exemple le chiffre {i} : "
                f"{labels[i]} au lieu de {d['ref_labels'][i]}). Entre les probabilités que le réseau donne au "
                "chiffre 1 et au chiffre 2, choisissez la plus grande.",
            )
        )
    if wrong_confidence.any():
        i = np.flatnonzero(wrong_confidence)[0]
        percent = abs(confidences[i] / 100 - d["ref_confidences"][i]) <= CONFIDENCE_TOLERANCE / 100
        lines.append(
            tr(
                f"{wrong_confidence.sum()} confidences differ from the reference (sprite {i}: {confidences[i]:.3f} "
                f"instead of {d['ref_confidences'][i]:.3f}). "
                + (
                    "Probable mistake: a percentage; a confidence is a probability in [0, 1]."
                    if percent
                    else "The confidence is the network's softmax probability of the chosen label (among the ten "
                    "digits, not renormalised)."
                ),
                f"{wrong_confidence.sum()} confiances diffèrent de la référence (chiffre {i} : {confidences[i]:.3f} "
                f"au lieu de {d['ref_confidences'][i]:.3f}). "
                + (
                    "Erreur probable : la confiance est donnée en pourcentage ; c'est une probabilité, entre 0 et 1."
                    if percent
                    else "La confiance est la probabilité softmax que le réseau donne à l'étiquette choisie (parmi "
                    "les dix chiffres, sans renormaliser)."
                ),
            )
        )
    raise PartialCredit(
        share(right, n),
        tr(
            f"{right} of {n} sprites read as the reference reads them.\n",
            f"{right} chiffres sur {n} lus comme par la référence.\n",
        )
        + "\n".join(lines),
    )


# --- the whole pipeline on hidden scenes ----------------------------------------------


def nearest_cubes(centers, truth_centers, tolerance):
    """Index in ``centers`` ((m, 2) x, y) of the centre nearest each truth centre (-1: none within ``tolerance`` px)."""
    centers = np.asarray(centers, np.float64).reshape(-1, 2)
    matches = []
    for center in truth_centers:
        distances = np.hypot(*(centers - center).T) if len(centers) else np.zeros(0)
        best = int(np.argmin(distances)) if len(distances) else -1
        matches.append(best if best >= 0 and distances[best] <= tolerance else -1)
    return np.array(matches)


def count_read(readings, truth_scene, truth_center, truth_label, tolerance):
    """How many true cubes the per-scene ``readings`` find, and read right.

    Parameters
    ----------
    readings : list of (centers, labels), one per scene: ndarray (m, 2) float (x, y) and ndarray (m,) int
    truth_scene, truth_label : ndarray (k,) int, the scene and the digit of each true cube
    truth_center : ndarray (k, 2) float, the centre (x, y) of each true cube's face
    tolerance : float, pixels between a found centre and the true one

    Returns
    -------
    found, correct : int
    """
    found = correct = 0
    for scene, (centers, labels) in enumerate(readings):
        in_scene = truth_scene == scene
        for match, label in zip(nearest_cubes(centers, truth_center[in_scene], tolerance), truth_label[in_scene]):
            found += int(match >= 0)
            correct += int(match >= 0 and int(labels[match]) == int(label))
    return found, correct


def count_recognised(recognise, model, images, truth_scene, truth_center, truth_label, tolerance):
    """:func:`count_read` of ``recognise(image, model)`` (cubes with ``center`` and ``label``) on each image."""
    readings = []
    for image in images:
        cubes = list(recognise(image.copy(), model))
        readings.append(([c.center for c in cubes], [c.label for c in cubes]))
    return count_read(readings, truth_scene, truth_center, truth_label, tolerance)


def scene_images(arrays):
    """The scenes' images, in order, from the scenes file's arrays."""
    return [arrays[key] for key in sorted(arrays) if key.startswith("image_")]


def scene_share(correct, total, min_correct):
    """The share of a scene test's points: cubes read right beyond chance (half of them), full from ``min_correct``."""
    chance = total / 2
    if correct >= min_correct:
        return 1.0
    return max(0.0, (correct - chance) / max(min_correct - chance, 1))


def scene_inputs():
    """Judge: the hidden scenes' images, ``{"image_<s>": (H, W, 3) uint8}``, for the worker's ``recognise()``."""
    return {f"image_{s:03d}": image for s, image in enumerate(scene_images(data()))}


def collect_scene_sprites(inputs):
    """Worker: ``recognise()`` with the student's vision on each scene, the network replaced by a recorder.

    Returns, per scene ``s``: ``centers_<s>`` (m, 2) float64, the centres of the cubes found, and
    ``turned_<s>``: raw((4m, 28, 28)), what the pipeline gave ``predict_digits`` (each sprite's four turns).
    """
    from robot_lab import pipeline

    given = []

    def record(model, sprites):
        given.append(raw(sprites))
        return np.ones(len(sprites), np.int64), np.ones(len(sprites), np.float32)

    pipeline.predict_digits = record
    outputs = {}
    for key in sorted(inputs):
        given.clear()
        cubes = list(pipeline.recognise(inputs[key].copy(), None))
        scene = key.split("_")[1]
        outputs[f"centers_{scene}"] = np.array([c.center for c in cubes], np.float64).reshape(-1, 2)
        outputs[f"turned_{scene}"] = given[0] if given else np.zeros((0, 28, 28), np.float32)
    return outputs


@functools.cache
def reference_scene_sprites():
    """Judge: the reference pipeline's faces of each scene: ``[(centers (m, 2), turned sprites (4m, 28, 28))]``."""
    from robot_lab import pipeline, vision

    scenes = []
    for image in scene_images(data()):
        gray = vision.to_gray(image)
        faces = vision.find_faces(gray)
        sprites = [vision.face_to_sprite(vision.warp_face(gray, corners)) for corners in faces]
        turned = [np.rot90(sprite, k) for sprite in sprites for k in range(4)]
        scenes.append(
            (
                np.array([pipeline.face_center(c) for c in faces], np.float64).reshape(-1, 2),
                np.asarray(turned, np.float32).reshape(-1, 28, 28),
            )
        )
    return scenes


def collect_scene_predictions(inputs):
    """Worker: the student's ``predict_digits`` on each scene's ``turned_<s>`` sprites (4m, 28, 28) float32."""
    from robot_lab.classifier import predict_digits

    outputs = {}
    for key in sorted(inputs):
        if len(inputs[key]):
            outputs.update(
                _prediction(predict_digits(worker_model(), inputs[key].copy()), f"scene_{key.split('_')[1]}")
            )
    return outputs


def _scene_readings(yours, outputs):
    """Judge: ``[(centers, labels)]`` per scene, the student's ``yours`` combined with the reference's other half."""
    from robot_lab import pipeline

    readings = []
    if yours == "face_to_sprite":
        from robot_lab.classifier import predict_digits as reference_predict

        for scene in range(len(scene_images(data()))):
            centers = _array(outputs.get(f"centers_{scene:03d}"), "the centres of the cubes found")
            turned = _array(outputs.get(f"turned_{scene:03d}"), "the sprites recognise() made")
            assert turned.shape == (4 * len(centers), 28, 28) and np.all(np.isfinite(turned)), tr(
                f"recognise() with your face_to_sprite gave the network sprites of shape {turned.shape} for "
                f"{len(centers)} cubes (scene {scene}); expected ({4 * len(centers)}, 28, 28), finite values",
                f"recognise() avec votre face_to_sprite a donné au réseau des chiffres de forme {turned.shape} pour "
                f"{len(centers)} cubes (scène {scene}) ; attendu ({4 * len(centers)}, 28, 28), valeurs finies",
            )
            labels = (
                pipeline.combine_turns(*reference_predict(model(), turned.astype(np.float32)))[0]
                if len(centers)
                else []
            )
            readings.append((centers, labels))
        return readings
    for scene, (centers, turned) in enumerate(reference_scene_sprites()):
        if len(centers) == 0:
            readings.append((centers, []))
            continue
        labels, confidences = _shaped_prediction(
            outputs, f"scene_{scene:03d}", len(turned), f"predict_digits(model, {len(turned)} sprites)"
        )
        readings.append((centers, pipeline.combine_turns(labels, confidences)[0]))
    return readings


def _scenes(yours, outputs):
    """Judge a scene test: the cubes of the hidden scenes read with the student's ``yours``
    ("face_to_sprite" or "predict_digits") and the reference's other function."""
    other = {"face_to_sprite": "predict_digits", "predict_digits": "face_to_sprite"}[yours]
    d, limits = data(), config()["scenes"]
    found, correct = count_read(
        _scene_readings(yours, outputs),
        d["truth_scene"],
        d["truth_center"],
        d["truth_label"],
        limits["center_tolerance"],
    )
    total = len(d["truth_label"])
    with_ = (
        tr(f"your {yours} and your {other}", f"votre {yours} et votre {other}")
        if LOCAL
        else tr(f"your {yours} with the reference {other}", f"votre {yours} avec le {other} de référence")
    )
    summary = tr(
        f"{len(scene_images(d))} scenes, {total} cubes, {with_}: {found} found, {correct} read right "
        f"(the reference: {int(d['ref_found'])} found, {int(d['ref_correct'])} read right)",
        f"{len(scene_images(d))} scènes, {total} cubes, {with_} : {found} trouvés, {correct} bien lus "
        f"(la référence : {int(d['ref_found'])} trouvés, {int(d['ref_correct'])} bien lus)",
    )
    if found >= limits["min_found"] and correct >= limits["min_correct"]:
        return summary
    raise PartialCredit(
        scene_share(correct, total, limits["min_correct"]),
        summary
        + tr(
            f"; full marks from {limits['min_correct']} read right (half the cubes, what coin-tossing gives, earns "
            f"nothing). Check {yours} on the guide's scenes.",
            f" ; tous les points à partir de {limits['min_correct']} bien lus (la moitié des cubes, ce que donne "
            f"pile ou face, ne rapporte rien). Vérifiez {yours} sur les scènes du guide.",
        ),
    )


@test_case(
    name="scenes: recognise() with your face_to_sprite (and the reference predict_digits) reads the cubes",
    points=2,
    hidden=True,
)
def scenes_your_sprites(outputs):
    return _scenes("face_to_sprite", outputs)


@test_case(
    name="scenes: recognise() with your predict_digits (and the reference face_to_sprite) reads the cubes",
    points=2,
    hidden=True,
)
def scenes_your_predictions(outputs):
    return _scenes("predict_digits", outputs)


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
    """``(UInt32, make_response, kind)``: the real ROS message classes (kind ``"genpy"``) when ROS is installed,
    else stand-ins (``"stand-ins"``).

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

            return UInt32, ros_msgs.import_srv().RecogniseCubesResponse, "genpy"
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

    return StandInUInt32, make_response, "stand-ins"


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


def expected_response(cubes, to_pixel=None):
    """Field name -> the values the response should hold for ``cubes`` (integers rounded, at least 0).

    ``to_pixel``: another way of turning a coordinate into an integer (a mistake's, to recognise it).
    """

    def px(value):
        return max(0, int(round(float(value))))

    px = to_pixel or px
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


def probable_mistake(field, found, cubes):
    """A sentence naming the likely mistake behind a wrong coordinate field, or the general rule."""
    truncated = expected_response(cubes, lambda v: max(0, int(float(v))))
    unclamped = expected_response(cubes, lambda v: int(round(float(v))))
    swapped = field.replace("x", "#").replace("y", "x").replace("#", "y")
    right = expected_response(cubes)
    if field in truncated and found == truncated[field]:
        return tr(
            "Probable mistake: the coordinates are truncated (int() drops the decimals: 233.6 -> 233); round them "
            "to the nearest pixel (pixel() does).",
            "Erreur probable : les coordonnées sont tronquées (int() coupe les décimales : 233,6 -> 233) ; "
            "arrondissez-les au pixel le plus proche (pixel() le fait).",
        )
    if swapped != field and swapped in right and found == right[swapped]:
        return tr(
            f"Probable mistake: x and y are swapped ({field} holds what {swapped} should). x is the first "
            "coordinate of center and of each corner, y the second.",
            f"Erreur probable : x et y sont inversés ({field} contient ce que devrait contenir {swapped}). x est la "
            "première coordonnée de center et de chaque coin, y la seconde.",
        )
    if field in unclamped and found == unclamped[field]:
        return tr(
            "Probable mistake: a coordinate below 0 is kept; UInt32 cannot hold it: it becomes 0 (pixel() does it).",
            "Erreur probable : une coordonnée négative est conservée ; un UInt32 ne peut pas la représenter : elle "
            "doit devenir 0 (pixel() s'en charge).",
        )
    return tr(
        "x is the first coordinate of center and corners, y the second; x1, y1 is corners[0].",
        "x est la première coordonnée de center et des coins, y la seconde ; x1, y1 est corners[0].",
    )


#: Entries of a response field the worker hands back (three are expected).
MAX_ENTRIES = 20


def _entry(entry, uint32):
    """Worker: what the judge needs of one entry of a response field (plain JSON values)."""
    import numbers

    data_ = getattr(entry, "data", None)
    return {
        "type": type(entry).__name__,
        "uint32": isinstance(entry, uint32),
        "real": float(entry) if isinstance(entry, numbers.Real) else None,
        "data": int(data_) if isinstance(data_, numbers.Integral) else None,
        "data_shown": bounded(repr(data_), 40),
    }


def collect_response(inputs):
    """Worker: the student's ``fill_response`` on no cubes, then on :func:`grading_cubes`, described field by field."""
    uint32, make_response, kind = ros_message_classes()
    from robot_lab.ros_service import fill_response as student_fill

    outputs = {"kind": kind, "empty_returned": student_fill([], make_response()) is not None}
    response = make_response()
    outputs["returned_itself"] = student_fill(grading_cubes(), response) is response
    fields = {}
    for field in expected_response(grading_cubes()):
        entries = list(getattr(response, field))
        fields[field] = {"count": len(entries), "entries": [_entry(e, uint32) for e in entries[:MAX_ENTRIES]]}
    outputs["fields"] = fields
    if hasattr(response, "serialize"):
        import io

        response.serialize(io.BytesIO())  # a real ROS message: it must also be sendable
    return outputs


@test_case(
    name="fill_response: every field of the service's response, one entry per cube, in order", points=3, hidden=True
)
def fill_response(outputs):
    assert outputs["empty_returned"], tr(
        "fill_response should return the response it filled", "fill_response devrait rendre la réponse remplie"
    )
    cubes = grading_cubes()
    assert outputs["returned_itself"], tr(
        "fill_response should fill the response it is given, in place, and return it",
        "fill_response devrait remplir en place la réponse qu'elle reçoit, et la rendre",
    )
    for field, values in expected_response(cubes).items():
        count, entries = outputs["fields"][field]["count"], outputs["fields"][field]["entries"]
        assert count == len(cubes), tr(
            f"response.{field} should hold one entry per cube ({len(cubes)} cubes); it holds {count}",
            f"response.{field} devrait contenir une entrée par cube ({len(cubes)} cubes) ; elle en contient {count}",
        )
        types = [e["type"] for e in entries]
        if field == "confidence":
            assert all(e["real"] is not None for e in entries), tr(
                f"response.confidence should hold floats; it holds {types}",
                f"response.confidence devrait contenir des flottants ; elle contient {types}",
            )
            found = [e["real"] for e in entries]
            ok = np.allclose(found, values, atol=RESPONSE_TOLERANCE)
        else:
            assert all(e["uint32"] for e in entries), tr(
                f"response.{field} should hold std_msgs/UInt32 messages (UInt32(data=...), see pixel()); "
                f"it holds {types}",
                f"response.{field} devrait contenir des messages std_msgs/UInt32 (UInt32(data=...), voir pixel()) ; "
                f"elle contient {types}",
            )
            assert all(e["data"] is not None for e in entries), tr(
                f"response.{field}: each UInt32's data should be an integer; found "
                f"{[e['data_shown'] for e in entries]}",
                f"response.{field} : le champ data de chaque UInt32 devrait être un entier ; on trouve "
                f"{[e['data_shown'] for e in entries]}",
            )
            found = [e["data"] for e in entries]
            ok = found == values
        assert ok, tr(
            f"response.{field} should be {values} for the grader's cubes (in their order); it is {found}. ",
            f"response.{field} devrait valoir {values} pour les cubes du correcteur (dans leur ordre) ; elle vaut "
            f"{found}. ",
        ) + probable_mistake(field, found, cubes)
    kind = {
        "genpy": tr("the service's genpy message classes", "les classes de messages genpy du service"),
        "stand-ins": tr(
            "stand-ins for the ROS message classes (no ROS installed)",
            "des classes de remplacement pour les messages ROS (ROS n'est pas installé)",
        ),
    }.get(outputs["kind"], "?")
    return tr(f"3 cubes: every field right ({kind})", f"3 cubes : chaque champ est juste ({kind})")


#: The tests in the order of this file: function name -> the function (it returns what students read when it passes).
TESTS = {key: value.test_func for key, value in list(globals().items()) if isinstance(value, test_case)}
#: Tests whose inputs are reference sprites (the answers of the tests that judge the student's sprites):
#: grading/run.py runs them after all the others, so that nothing the worker has seen gives those answers away.
REVEALS_SPRITES = {"predict_digits", "scenes_your_predictions"}
#: name -> {"title", "title_fr", "points", "timeout_s", "run_last"}: what the build writes into config.json.
SPECS = {
    key: {
        "title": value.name,
        "title_fr": TITLES_FR[key],
        "points": value.points,
        "timeout_s": TIME_LIMITS_S.get(key, DEFAULT_TIME_LIMIT_S),
        "run_last": key in REVEALS_SPRITES,
    }
    for key, value in list(globals().items())
    if isinstance(value, test_case)
}

#: Each test's worker half: ``inputs -> raw outputs`` (:func:`collect`).
COLLECT = {
    "sprite_format": collect_sprites,
    "sprite_mnist_like": collect_sprites,
    "predict_digits": collect_predictions,
    "scenes_your_sprites": collect_scene_sprites,
    "scenes_your_predictions": collect_scene_predictions,
    "fill_response": collect_response,
}
#: Each test's inputs for the worker, made by the judge: ``() -> {name: ndarray}`` (:func:`write_inputs`).
INPUTS = {
    "sprite_format": lambda: {"faces": data()["faces"]},
    "sprite_mnist_like": lambda: {"faces": data()["faces"]},
    "predict_digits": lambda: {"sprites": data()["sprites"]},
    "scenes_your_sprites": scene_inputs,
    "scenes_your_predictions": lambda: {f"turned_{s:03d}": t for s, (_, t) in enumerate(reference_scene_sprites())},
    "fill_response": dict,
}
