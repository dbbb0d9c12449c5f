"""A simulated robot camera: cubes with handwritten '1' and '2', as the real robots see them.

:func:`render_scene` draws what the robot arm's camera sees, with the ground truth,
so that the vision pipeline can be developed, tested and graded with no robot. Each
thing the real photos show (``../shared/real_cubes``, measured on their faces) is a
field of :class:`Conditions`, drawn at random from a named range unless it is fixed:

- ``view``: ``"top"`` looks down on the cubes (the digit is on the top face, the sides
  that face the camera show below it, darker; any rotation); ``"side"`` faces them
  from the side, as in the ``ergo_cubes`` and ``cubes/straight`` photos (the digit
  face roughly upright and frontal, the cube's top face above it as a bright
  parallelogram, often the brightest thing in the picture, a shaded side face);
- ``lighting``: ``"dim"`` (paper 80-115 of 255 on a table at 0-10, like
  ``cubes/straight``), ``"normal"``, ``"bright"`` (paper 220-240 on folded, textured
  dark fabric with highlights, like ``ergo_cubes``), and vignetting;
- ``face_light_ratio``: light uneven across a face (a hotspot and a gradient): the
  darkest paper of a face is 0.4-1.0 of its brightest, 0.76 on average;
- ``frame``: a printed frame on the face: none, dashed, or notched (dark-outlined
  tabs along every edge and at the corners, as on the ``cubes/straight`` faces);
- ``digit_span``, ``ink_thickening``, ``european_one``, ``digit_turns``: MNIST's
  **test** '1's and '2's (the network never trained on them) inked dark, from
  sticky-note size to thick marker strokes near the face's edges, a '1' with a long
  flag, the digit turned by quarter-turns in the side view;
- ``ragged_edge``, ``jpeg_quality``, ``cube_gap``, ``gripper``, ``table_edge``: torn
  paper edges, JPEG block noise, cubes close together, clutter at the image's edge.

Sometimes a cube touches the image's edge (its face may be cut by a few pixels).
``split="public"`` draws the digits from one half of MNIST's test set,
``split="hidden"`` from the other (the autograder's hidden scenes). Same generator
state and arguments, same scene: everything random comes from ``rng``.

Command line: ``python -m robot_lab.simulator --out DIR --n 5 --seed 0 [--view side]``
writes ``scene_000.png`` ... and ``truth.json`` into DIR (try them with
``python -m robot_lab.detect DIR/*.png``).
"""

import argparse
import dataclasses
import functools
import json
import math
from pathlib import Path

import cv2
import numpy as np

from .pipeline import Cube, cube_to_json, face_center
from .vision import order_corners

#: The sizes (H, W) of the real robots' camera images.
CAMERA_SIZES = ((480, 640), (480, 752))

SPLITS = ("public", "hidden")

#: Where the camera looks from, and how often each is drawn.
VIEWS = ("top", "side")
VIEW_P = (0.5, 0.5)

#: The light of a scene, and how often each is drawn.
LIGHTINGS = ("dim", "normal", "bright")
LIGHTING_P = (0.3, 0.4, 0.3)

#: The brightest paper of a face (grey level, 0-255) in each lighting.
PAPER_LEVEL = {"dim": (80.0, 115.0), "normal": (115.0, 220.0), "bright": (220.0, 240.0)}

#: The table's grey level in dim scenes; in normal ones, its fraction of the paper's.
DIM_TABLE_LEVEL = (0.0, 10.0)
NORMAL_TABLE_FRACTION = (0.06, 0.22)

#: Bright scenes: the dark fabric's grey level, and its folds' highlights at most.
FABRIC_LEVEL = (10.0, 45.0)
FABRIC_HIGHLIGHT_MAX = 110.0

#: Darkening of the image's corners (0: none, 0.2: the corners at 80 % of the centre).
VIGNETTING = (0.0, 0.2)

#: Darkest / brightest paper across one face (1.0: evenly lit).
FACE_LIGHT_RATIO = (0.4, 1.0)

#: Printed frames on a face, and how often each is drawn.
FRAMES = ("none", "dashed", "notched")
FRAME_P = (0.15, 0.35, 0.5)

#: Side of the 28 x 28 MNIST box on the face, as a fraction of the face's side (the
#: digit itself covers 20/28 of it: 44 % to 71 % of the face).
DIGIT_SPAN = (0.62, 1.0)

#: Marker strokes: the ink grown by this fraction of the face's side on each side
#: (0: MNIST's pen; MNIST's strokes are already 5-9 % of the face, a marker's 6-8 %).
INK_THICKENING = (0.0, 0.015)
THICK_P = 0.5

#: How often a '1' gets a long flag, as Europeans write it (the real cubes' '1's have no foot:
#: a slanted stroke on a foot reads as a '2' and is not what the cubes carry).
EUROPEAN_ONE_P = 0.35

#: Side view: quarter-turns of the digit on the face (the cube turned in the gripper).
DIGIT_TURN_P = 0.2

#: Depth of the torn strip along a face's edges, as a fraction of its side.
RAGGED_EDGE = (0.0, 0.02)

#: JPEG quality when a frame is compressed (0 in Conditions: not compressed).
JPEG_QUALITY = (60, 95)
JPEG_P = 0.6

#: Gap between neighbouring cubes, in face sides.
CUBE_GAP = (0.08, 0.6)

#: Clutter at the image's edge: how often a gripper, how often a table's edge.
GRIPPER_P = 0.25
TABLE_EDGE_P = 0.3

#: A face's side as a fraction of the image's height, in each view (~150 px at 480
#: lines from the side, as in the real photos).
FACE_SIDE = {"top": (0.16, 0.27), "side": (0.26, 0.36)}

#: Side view: the top face's visible depth and the side face's visible width, in face
#: sides; the top face's light and the side face's, relative to the digit face's light
#: along their common edge (one light falls on the whole cube: two faces differ by
#: their orientation to it, so a hotspot on the digit face goes on across the edge);
#: the camera's roll (degrees).
TOP_FACE_DEPTH = (0.0, 0.12)  # ergo_cubes: up to ~0.07 (8-10 px of a 150 px face)
SIDE_FACE_WIDTH = (0.0, 0.12)
TOP_FACE_LIGHT = (1.08, 1.35)
SIDE_FACE_LIGHT = (0.35, 0.8)
SIDE_VIEW_ROLL = (-20.0, 20.0)

#: Side of the canvas a face is drawn on before it is warped into the image.
_CANVAS = 224


@dataclasses.dataclass(frozen=True)
class Conditions:
    """What a scene looks like. A field left ``None`` is drawn at random from its range.

    Scene fields hold for the whole image; face fields for every cube (``None``: each
    cube draws its own). The ranges are the module's constants of the same name.

    Attributes
    ----------
    view : {"top", "side"}
        Scene. The camera looks down on the cubes, or faces them from the side.
    lighting : {"dim", "normal", "bright"}
        Scene. Sets the paper's level and the backdrop (a table; fabric when bright).
    paper_level : float, 80 to 240
        Scene. The brightest paper's grey level (``PAPER_LEVEL[lighting]``).
    vignetting : float, 0 to 0.2
        Scene. How much darker the image's corners are than its centre.
    cube_gap : float, 0.08 to 0.6
        Scene. Smallest gap between two cubes, in face sides.
    gripper, table_edge : bool
        Scene. A dark-grey gripper entering from an edge; a table's edge across the image.
    jpeg_quality : int, 0 or 60 to 95
        Scene. The frame is JPEG-compressed at this quality (0: not compressed).
    face_light_ratio : float, 0.4 to 1.0
        Face. Darkest / brightest paper across the face (a hotspot and a gradient).
    frame : {"none", "dashed", "notched"}
        Face. The printed frame.
    digit_span : float, 0.62 to 1.0
        Face. Side of the 28 x 28 MNIST box, in face sides.
    ink_thickening : float, 0 to 0.015
        Face. Marker strokes, solid and dark: the ink grown by this many face sides.
    european_one : bool
        Face. A '1' gets a long flag; no effect on a '2'.
    digit_turns : int, 0 to 3
        Face. Quarter-turns of the digit on the face (side view; the top view turns
        the whole cube by any angle).
    ragged_edge : float, 0 to 0.02
        Face. Depth of the torn paper along the face's edges, in face sides.
    top_face_depth, side_face_width : float, 0 to 0.12
        Face, side view. How much of the cube's top face and side face shows, in face
        sides (the real side-view photos show up to ~0.07).
    """

    view: str = None
    lighting: str = None
    paper_level: float = None
    vignetting: float = None
    cube_gap: float = None
    gripper: bool = None
    table_edge: bool = None
    jpeg_quality: int = None
    face_light_ratio: float = None
    frame: str = None
    digit_span: float = None
    ink_thickening: float = None
    european_one: bool = None
    digit_turns: int = None
    ragged_edge: float = None
    top_face_depth: float = None
    side_face_width: float = None

    def __post_init__(self):
        choices = {"view": VIEWS, "lighting": LIGHTINGS, "frame": FRAMES, "digit_turns": (0, 1, 2, 3)}
        for name, allowed in choices.items():
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise ValueError(f"Conditions.{name} must be one of {allowed}, got {value!r}")
        ranges = {
            "paper_level": (PAPER_LEVEL["dim"][0], PAPER_LEVEL["bright"][1]),
            "vignetting": VIGNETTING,
            "cube_gap": CUBE_GAP,
            "face_light_ratio": FACE_LIGHT_RATIO,
            "digit_span": DIGIT_SPAN,
            "ink_thickening": INK_THICKENING,
            "ragged_edge": RAGGED_EDGE,
            "top_face_depth": TOP_FACE_DEPTH,
            "side_face_width": SIDE_FACE_WIDTH,
        }
        for name, (low, high) in ranges.items():
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                raise ValueError(f"Conditions.{name} must be in [{low}, {high}] (what real photos show), got {value!r}")
        quality = self.jpeg_quality
        if quality is not None and quality != 0 and not JPEG_QUALITY[0] <= quality <= JPEG_QUALITY[1]:
            raise ValueError(f"Conditions.jpeg_quality must be 0 (none) or in {JPEG_QUALITY}, got {quality!r}")


def _keep(fixed, drawn):
    """``drawn`` with the fields that ``fixed`` sets replaced by its values."""
    chosen = {f.name: getattr(fixed, f.name) for f in dataclasses.fields(fixed) if getattr(fixed, f.name) is not None}
    return dataclasses.replace(drawn, **chosen)


def draw_scene_conditions(rng, fixed=Conditions()):
    """Draw a scene's conditions; face fields stay as ``fixed`` has them.

    Everything is drawn, then ``fixed``'s values replace what was drawn, so fixing a
    field never changes the rest of the scene.

    Parameters
    ----------
    rng : numpy.random.Generator
    fixed : Conditions

    Returns
    -------
    Conditions
    """
    view = VIEWS[rng.choice(len(VIEWS), p=VIEW_P)]
    lighting = LIGHTINGS[rng.choice(len(LIGHTINGS), p=LIGHTING_P)]
    lighting = fixed.lighting or lighting
    drawn = Conditions(
        view=view,
        lighting=lighting,
        paper_level=float(rng.uniform(*PAPER_LEVEL[lighting])),
        vignetting=float(rng.uniform(*VIGNETTING)),
        cube_gap=float(rng.uniform(*CUBE_GAP)),
        gripper=bool(rng.random() < GRIPPER_P),
        table_edge=bool(rng.random() < TABLE_EDGE_P),
        jpeg_quality=int(rng.integers(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1)) if rng.random() < JPEG_P else 0,
    )
    scene_fields = (
        "view",
        "lighting",
        "paper_level",
        "vignetting",
        "cube_gap",
        "gripper",
        "table_edge",
        "jpeg_quality",
    )
    face_fields = {f.name: getattr(fixed, f.name) for f in dataclasses.fields(fixed) if f.name not in scene_fields}
    return dataclasses.replace(_keep(fixed, drawn), **face_fields)


def draw_face_conditions(rng, scene):
    """Draw one face's conditions; the fields that ``scene`` sets stay.

    Parameters
    ----------
    rng : numpy.random.Generator
    scene : Conditions
        From :func:`draw_scene_conditions`.

    Returns
    -------
    Conditions
        Every field set.
    """
    turns = int(rng.integers(1, 4)) if rng.random() < DIGIT_TURN_P else 0
    drawn = dataclasses.replace(
        scene,
        face_light_ratio=float(1 - (1 - FACE_LIGHT_RATIO[0]) * rng.beta(2.5, 2)),  # mean 0.67
        frame=FRAMES[rng.choice(len(FRAMES), p=FRAME_P)],
        digit_span=float(rng.uniform(*DIGIT_SPAN)),
        ink_thickening=float(rng.uniform(*INK_THICKENING)) if rng.random() < THICK_P else 0.0,
        european_one=bool(rng.random() < EUROPEAN_ONE_P),
        digit_turns=turns if scene.view == "side" else 0,
        ragged_edge=float(rng.uniform(*RAGGED_EDGE)),
        top_face_depth=float(rng.uniform(*TOP_FACE_DEPTH)),
        side_face_width=float(rng.uniform(*SIDE_FACE_WIDTH)),
    )
    return _keep(scene, drawn)


@functools.cache
def mnist_digits(split="public"):
    """The MNIST test-set '1's and '2's a split draws from.

    The test set's '1's and '2's, in their order in the file, are dealt alternately:
    even positions to ``"public"``, odd ones to ``"hidden"`` (each digit separately).

    Parameters
    ----------
    split : {"public", "hidden"}

    Returns
    -------
    digits : dict {1: ndarray (n1, 28, 28) uint8, 2: ndarray (n2, 28, 28) uint8}
        White digits on black, as in MNIST (about 570 and 515 per split).
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    from .mnist import load_mnist

    _, (x_test, y_test) = load_mnist()
    offset = SPLITS.index(split)
    return {label: x_test[y_test == label][offset::2] for label in (1, 2)}


# --- the backdrop ------------------------------------------------------------------


def _smooth_field(rng, shape, low, high, cells=(3, 4)):
    """A smooth random field in [low, high]: (H, W) float32."""
    h, w = shape
    coarse = rng.uniform(low, high, size=cells).astype(np.float32)
    return cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)


def _table(rng, shape, level):
    """A table at ``level`` (0-1), unevenly lit, faint grain: (H, W) float32."""
    h, w = shape
    grain = cv2.GaussianBlur(rng.normal(0, 1, size=(h, w)).astype(np.float32), (0, 0), 2.0)
    return np.clip(level * _smooth_field(rng, shape, 0.7, 1.3) * (1 + 0.15 * grain), 0, 1)


def _fabric(rng, shape, level):
    """Folded dark fabric at ``level`` (0-1): soft folds, lit crests, a weave: (H, W) float32."""
    h, w = shape
    yy, xx = np.mgrid[0:h:2, 0:w:2].astype(np.float32)  # folds are smooth: half resolution
    folds = np.zeros(yy.shape, np.float32)
    for _ in range(int(rng.integers(3, 7))):
        angle = rng.uniform(0, np.pi)
        across = xx * np.cos(angle) + yy * np.sin(angle)
        along = -xx * np.sin(angle) + yy * np.cos(angle)
        across += rng.uniform(0.02, 0.1) * h * np.sin(along / (rng.uniform(0.3, 1.0) * h) + rng.uniform(0, 6.3))
        distance = (across - rng.uniform(across.min(), across.max())) / (rng.uniform(0.05, 0.18) * h)
        folds += rng.uniform(0.3, 1.0) * np.exp(-(distance**2))  # the fold's lit side
        folds += rng.uniform(0.2, 0.8) * np.exp(-((distance / 0.4) ** 2))  # its crest catches the light
        folds -= rng.uniform(0.2, 0.5) * np.exp(-(((distance + 1.4) / 0.5) ** 2))  # the crease in its shadow
    folds = cv2.resize(folds, (w, h), interpolation=cv2.INTER_LINEAR)
    weave = cv2.GaussianBlur(rng.normal(0, 1, size=(h, w)).astype(np.float32), (0, 0), 0.8)
    fabric = level * _smooth_field(rng, shape, 0.6, 1.4) * np.maximum(0.3, 1 + folds) * (1 + 0.12 * weave)
    return np.clip(fabric, 0, FABRIC_HIGHLIGHT_MAX / 255)


def _add_table_edge(rng, image, paper):
    """A table's straight edge across the image: beyond it another level, a lit rim; in place."""
    h, w = image.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    y0 = rng.uniform(0.05, 0.3) * h if rng.random() < 0.5 else rng.uniform(0.7, 0.95) * h
    slope = rng.uniform(-0.15, 0.15)
    signed = yy - (y0 + slope * (xx - w / 2))  # > 0 below the edge
    beyond = (signed < 0) if y0 < h / 2 else (signed > 0)
    factor = rng.uniform(0.3, 0.7) if rng.random() < 0.5 else rng.uniform(1.3, 2.0)
    ceiling = max(float(image.max()), 0.15 * paper)  # never brighter than the backdrop gets
    image[beyond] = np.minimum(image[beyond] * factor, ceiling)
    rim = np.exp(-((signed / rng.uniform(1.0, 2.5)) ** 2))
    image += rim * (min(0.5 * paper, 3 * float(np.median(image)) + 0.05) - image) * rng.uniform(0.5, 1.0)
    np.clip(image, 0, 1, out=image)


def _add_gripper(rng, image, paper):
    """A dark gripper (an arm ending in two fingers) entering from an edge, as in cubes/straight; in place."""
    h, w = image.shape
    arm, reach = rng.uniform(0.08, 0.16) * h, rng.uniform(0.15, 0.3) * h
    finger = rng.uniform(0.3, 0.45) * arm
    # Drawn entering from the left edge at height y, then turned to the chosen edge.
    y = rng.uniform(0.2, 0.8) * h
    shapes = [
        np.array([[-10, y - arm / 2], [reach, y - arm / 2], [reach, y + arm / 2], [-10, y + arm / 2]]),
        np.array(
            [
                [reach - 2, y - arm / 2],
                [reach + finger * 1.6, y - arm / 2],
                [reach + finger * 1.6, y - arm / 2 + finger],
                [reach - 2, y - arm / 2 + finger],
            ]
        ),
        np.array(
            [
                [reach - 2, y + arm / 2 - finger],
                [reach + finger * 1.6, y + arm / 2 - finger],
                [reach + finger * 1.6, y + arm / 2],
                [reach - 2, y + arm / 2],
            ]
        ),
    ]
    edge = int(rng.integers(4))  # left, right, top, bottom
    mask = np.zeros((h, w), np.float32)
    for shape in shapes:
        if edge == 1:
            shape = np.column_stack([w - shape[:, 0], shape[:, 1]])
        elif edge >= 2:
            x = shape[:, 1] / h * w
            shape = np.column_stack([x, shape[:, 0] if edge == 2 else h - shape[:, 0]])
        cv2.fillConvexPoly(mask, np.round(shape * 16).astype(np.int32), 1.0, cv2.LINE_AA, shift=4)
    mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(1.0, 3.0))  # out of focus, near the lens
    level = float(np.median(image)) * rng.uniform(0.2, 0.6)  # a silhouette, darker than the table
    sheen = 1 + 0.4 * _smooth_field(rng, (h, w), 0, 1, cells=(2, 2))  # a dull metallic sheen
    image *= 1 - mask
    image += mask * level * sheen


# --- a face ------------------------------------------------------------------------


def _face_light(rng, ratio, size=_CANVAS):
    """Light across a face, a hotspot and a gradient: (size, size) float32 from ``ratio`` to 1."""
    grid = np.linspace(0, 1, size, dtype=np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    gradient = np.cos(angle) * grid[None, :] + np.sin(angle) * grid[:, None]
    spot, spread = rng.uniform(-0.3, 1.3, size=2), rng.uniform(0.3, 0.9)
    hotspot = np.exp(-((grid[None, :] - spot[0]) ** 2 + (grid[:, None] - spot[1]) ** 2) / (2 * spread**2))
    field = rng.uniform(0, 1) * (gradient - gradient.min()) + hotspot
    field = (field - field.min()) / max(float(np.ptp(field)), 1e-6)
    return (ratio + (1 - ratio) * field).astype(np.float32)


def _dashed_frame(canvas, rng, darkness):
    """Draw a printed dashed square frame near the canvas's edge, in place."""
    size = canvas.shape[0]
    inset = rng.uniform(0.02, 0.07) * size
    thickness = max(2, int(round(rng.uniform(0.012, 0.022) * size)))
    dash, gap = rng.uniform(0.03, 0.07) * size, rng.uniform(0.025, 0.04) * size
    corners = [(inset, inset), (size - inset, inset), (size - inset, size - inset), (inset, size - inset)]
    for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1]):
        length = math.hypot(x1 - x0, y1 - y0)
        t = 0.0
        while t < length:
            t1 = min(t + dash, length)
            a = (int(round(x0 + (x1 - x0) * t / length)), int(round(y0 + (y1 - y0) * t / length)))
            b = (int(round(x0 + (x1 - x0) * t1 / length)), int(round(y0 + (y1 - y0) * t1 / length)))
            cv2.line(canvas, a, b, float(1 - darkness), thickness, cv2.LINE_AA)
            t = t1 + gap


def _notched_frame(canvas, rng, darkness):
    """Draw the printed tabs of a finger-jointed box along every edge, in place.

    Each edge gets 2 or 3 tabs (one often at a corner): rectangles against the edge,
    outlined dark, filled a little grey, as on the real cubes' faces.
    """
    size = canvas.shape[0]
    depth, length = rng.uniform(0.05, 0.08) * size, rng.uniform(0.13, 0.2) * size
    line = max(1, int(round(rng.uniform(0.008, 0.016) * size)))
    fill = float(1 - rng.uniform(0.05, 0.2))
    for edge in range(4):
        count = int(rng.integers(2, 4))
        slots = np.linspace(0, size - length, count + 2)[1:-1] + rng.uniform(-0.05, 0.05, count) * size
        if rng.random() < 0.5:
            slots[0 if rng.random() < 0.5 else -1] = 0 if rng.random() < 0.5 else size - length
        for t in slots:
            along = np.array([t, t + length, t + length, t])
            inward = np.array([-2, -2, depth, depth])
            if edge == 0:
                x, y = along, inward
            elif edge == 1:
                x, y = size - inward, along
            elif edge == 2:
                x, y = size - along, size - inward
            else:
                x, y = inward, size - along
            points = np.round(np.column_stack([x, y]) * 16).astype(np.int32)
            cv2.fillConvexPoly(canvas, points, fill, cv2.LINE_AA, shift=4)
            cv2.polylines(canvas, [points], True, float(1 - darkness), line, cv2.LINE_AA, shift=4)


def _paper(rng, frame, light):
    """Blank paper with its printed frame, lit by ``light`` (C, C): (C, C) float32."""
    canvas = np.ones((_CANVAS, _CANVAS), np.float32)
    if frame == "dashed":
        _dashed_frame(canvas, rng, darkness=rng.uniform(0.5, 0.8))
    elif frame == "notched":
        _notched_frame(canvas, rng, darkness=rng.uniform(0.4, 0.75))
    return canvas * light


def _european_one(ink, rng):
    """Add a long flag at the top of a '1', in place."""
    ys, xs = np.nonzero(ink > 0.5)
    if len(xs) < 10:
        return
    points = np.column_stack([xs, ys]).astype(np.float64)
    _, vectors = np.linalg.eigh(np.cov(points.T))
    down = vectors[:, -1] * (1 if vectors[1, -1] >= 0 else -1)  # the stroke's axis, pointing down
    along = points @ down
    length = float(np.ptp(along))
    width = max(2, int(round(len(xs) / max(length, 1.0))))
    top = points[np.argmin(along)]
    up, left = np.array([0.0, -1.0]), np.array([-1.0, 0.0])  # the writer's, whatever the stroke's slant
    angle = np.radians(rng.uniform(125, 150))  # from straight up, towards the left and down
    flag = top + rng.uniform(0.25, 0.4) * length * (np.cos(angle) * up + np.sin(angle) * left)
    cv2.line(ink, tuple(np.round(top).astype(int)), tuple(np.round(flag).astype(int)), 1.0, width, cv2.LINE_AA)


def _ink(rng, digit, label, face):
    """The digit's ink on the face's canvas, 0 (none) to ~0.95: (C, C) float32."""
    span = int(round(face.digit_span * _CANVAS))
    ink = np.clip(cv2.resize(digit.astype(np.float32) / 255.0, (span, span), interpolation=cv2.INTER_CUBIC), 0, 1)
    if label == 1 and face.european_one:
        _european_one(ink, rng)
    grow = int(round(face.ink_thickening * _CANVAS))
    if face.ink_thickening > 0:  # a marker: solid, dark, thicker strokes
        ink = np.clip(1.6 * ink - 0.1, 0, 1)
        if grow > 0:
            ink = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
        ink = cv2.GaussianBlur(ink, (0, 0), 1.0)
    darkness = rng.uniform(0.88, 0.96) if face.ink_thickening > 0 else rng.uniform(0.75, 0.92)
    ink = np.rot90(ink, face.digit_turns) * darkness
    # Centred, with a jitter that keeps the MNIST box on the face.
    room = max(0.0, (_CANVAS - span) / 2 - 2)
    jitter = rng.uniform(-1, 1, size=2) * min(room, 0.04 * _CANVAS)
    top, left = int(round((_CANVAS - span) / 2 + jitter[1])), int(round((_CANVAS - span) / 2 + jitter[0]))
    canvas = np.zeros((_CANVAS, _CANVAS), np.float32)
    canvas[max(0, top) : top + span, max(0, left) : left + span] = ink[max(0, -top) :, max(0, -left) :][
        : _CANVAS - max(0, top), : _CANVAS - max(0, left)
    ]
    return canvas


def _ragged_alpha(rng, depth):
    """The paper's outline with torn edges: (C, C) float32, 1 on paper, 0 where it is torn off."""
    alpha = np.ones((_CANVAS, _CANVAS), np.float32)
    if depth <= 0:
        return alpha
    grid = np.arange(_CANVAS, dtype=np.float32)
    for edge in range(4):
        profile = np.abs(cv2.GaussianBlur(rng.normal(0, 1, (1, _CANVAS)).astype(np.float32), (0, 0), 3)[0])
        torn = depth * _CANVAS * profile / max(float(profile.max()), 1e-6)
        torn *= rng.random(_CANVAS) < 0.985  # mostly along the whole edge
        inside = grid[:, None] >= torn[None, :]  # (distance from the edge, position along it)
        if edge == 0:
            alpha *= inside
        elif edge == 1:
            alpha *= inside[::-1].T
        elif edge == 2:
            alpha *= inside[::-1]
        else:
            alpha *= inside.T
    return alpha


def _digit_face(rng, digit, label, face, light):
    """The digit face, lit by ``light`` (C, C), seen from the front: (canvas (C, C), alpha (C, C)) float32."""
    canvas = _paper(rng, face.frame, light)
    canvas *= 1 - _ink(rng, digit, label, face)
    canvas += rng.normal(0, 0.01 * float(light.max()), canvas.shape).astype(np.float32)  # paper texture
    return np.clip(canvas, 0, 1), _ragged_alpha(rng, face.ragged_edge)


# --- a cube ------------------------------------------------------------------------


def _edge_light(light, face, quad):
    """The light (C, C) of a neighbouring face: the face's light along their common edge.

    One light falls on the whole cube, so a hotspot on the digit face goes on across
    the edge; the neighbour only gets a different share of it (its orientation), the
    factor the caller multiplies by. ``face`` (4, 2) holds the face's corners in the
    order of its canvas's (top-left, top-right, bottom-right, bottom-left of
    ``light``); ``quad`` (4, 2) is the neighbour, built on two of them (the same
    points). The result is the neighbour's canvas, constant across its depth.
    """
    corner = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float64)  # canvas corners, in sides
    shared = [
        (q, int(np.argmin(np.hypot(*(face - point).T))))
        for q, point in enumerate(quad)
        if np.min(np.hypot(*(face - point).T)) < 1e-6
    ]
    if len(shared) != 2:
        raise ValueError(f"the neighbouring face {quad.tolist()} shares no edge with the face {face.tolist()}")
    (qa, fa), (qb, fb) = shared
    size = light.shape[0]
    steps = np.linspace(0, 1, size)
    along = corner[fa] + steps[:, None] * (corner[fb] - corner[fa])  # the face's edge, fa to fb
    index = np.round(along * (size - 1)).astype(int)
    profile = light[index[:, 1], index[:, 0]]
    # Each pixel of the neighbour's canvas takes the light of the edge point in front of it.
    grid = np.stack(np.meshgrid(steps, steps), axis=-1)  # (y, x) -> (x, y) in sides
    direction = corner[qb] - corner[qa]
    t = np.clip((grid - corner[qa]) @ direction / (direction @ direction), 0, 1)
    return np.interp(t, steps, profile).astype(np.float32)


def _paint(image, canvas, quad, alpha=None):
    """Warp a (C, C) canvas onto the quad (4, 2) of the image, blended by alpha; in place."""
    h, w = image.shape
    x0, y0 = np.maximum(np.floor(quad.min(axis=0)).astype(int) - 2, 0)
    x1, y1 = np.minimum(np.ceil(quad.max(axis=0)).astype(int) + 3, [w, h])
    if x1 <= x0 or y1 <= y0:
        return
    source = np.array([[0, 0], [_CANVAS, 0], [_CANVAS, _CANVAS], [0, _CANVAS]], np.float32)
    homography = cv2.getPerspectiveTransform(source, (quad - [x0, y0]).astype(np.float32))
    size = (int(x1 - x0), int(y1 - y0))
    layer = cv2.warpPerspective(canvas, homography, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(
        np.ones_like(canvas) if alpha is None else alpha, homography, size, flags=cv2.INTER_LINEAR
    )
    roi = image[y0:y1, x0:x1]
    roi *= 1 - mask
    roi += layer * mask


def _top_view_cube(rng, side):
    """Top view: the digit face (4, 2) around (0, 0) and the visible sides [(quad (4, 2), light)]."""
    theta = rng.uniform(0, 2 * np.pi)
    square = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    face = square @ rotation.T * side
    # Seen obliquely: squashed vertically, wider at the bottom (nearer the camera).
    face[:, 1] *= rng.uniform(0.75, 1.0)
    face[:, 0] *= 1 + rng.uniform(0.0, 0.18) * face[:, 1] / side
    face += rng.uniform(-0.03, 0.03, size=(4, 2)) * side  # a lens is never perfect
    height = np.array([rng.uniform(-0.1, 0.1), rng.uniform(0.1, 0.3)]) * side
    sides = []
    for i in range(4):  # a side shows when its outward direction points the way the height goes
        a, b = face[i], face[(i + 1) % 4]
        if np.dot((a + b) / 2, height) > 0:
            # Lit from above: the sides get 30-60 % of the light the top gets along their edge.
            sides.append((np.array([a, b, b + height, a + height]), rng.uniform(0.3, 0.6)))
    return face, sides


def _side_view_cube(rng, side, face_conditions):
    """Side view: the digit face (4, 2) around (0, 0), its top and side faces [(quad (4, 2), light)]."""
    square = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]]) * side
    square[:, 1] *= rng.uniform(0.92, 1.0)  # seen a little from above
    square += rng.uniform(-0.02, 0.02, size=(4, 2)) * side  # perspective, a lens
    depth = np.array([0.0, -face_conditions.top_face_depth * side])
    depth[0] = face_conditions.side_face_width * side * rng.choice([-1, 1])
    tl, tr, br, bl = square
    top_light, flank_light = rng.uniform(*TOP_FACE_LIGHT), rng.uniform(*SIDE_FACE_LIGHT)
    roll = np.radians(rng.uniform(*SIDE_VIEW_ROLL))
    others = []
    if face_conditions.side_face_width > 0:  # the side face, on the left or the right
        flank = [tr, tr + depth, br + depth, br] if depth[0] > 0 else [tl + depth, tl, bl, bl + depth]
        others.append((np.array(flank), flank_light))
    if face_conditions.top_face_depth > 0:  # the top face, its far edge first
        others.append((np.array([tl + depth, tr + depth, tr, tl]), top_light))
    rotation = np.array([[np.cos(roll), -np.sin(roll)], [np.sin(roll), np.cos(roll)]])
    return square @ rotation.T, [(quad @ rotation.T, light) for quad, light in others]


def _place(rng, shape, face, others, occupied, gap, touch_edge):
    """A random position for a cube: the shift (2,) that puts it in the image, or None if it overlaps."""
    h, w = shape
    points = np.vstack([face] + [quad for quad, _ in others])
    low, high = points.min(axis=0), points.max(axis=0)
    if touch_edge:  # against one edge, the face cut by up to 6 % of its side
        side = float(np.hypot(*(face[1] - face[0])))
        cut, edge = rng.uniform(0, 0.06) * side, int(rng.integers(4))
        shift = rng.uniform(-low, np.maximum(-low + 1, [w - high[0], h - high[1]]))
        if edge == 0:
            shift[0] = -face[:, 0].min() - cut
        elif edge == 1:
            shift[0] = w - face[:, 0].max() + cut
        elif edge == 2:
            shift[1] = -face[:, 1].min() - cut
        else:
            shift[1] = h - face[:, 1].max() + cut
    else:
        if np.any(high - low + 4 > [w, h]):
            return None
        shift = rng.uniform(-low + 2, [w - high[0] - 2, h - high[1] - 2])
    hull = cv2.convexHull(np.round((points + shift) * 16).astype(np.int32))
    mine = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(mine, hull, 1, shift=4)
    if np.any(mine & occupied):
        return None
    cv2.fillConvexPoly(occupied, hull, 1, shift=4)
    cv2.polylines(occupied, [hull], True, 1, 2 * int(math.ceil(gap)) + 1, shift=4)
    return shift


# --- the scene ---------------------------------------------------------------------


def _backdrop(rng, scene, shape):
    """The table or fabric, with its clutter: (H, W) float32 in 0-1."""
    paper = scene.paper_level / 255
    if scene.lighting == "bright":
        image = _fabric(rng, shape, rng.uniform(*FABRIC_LEVEL) / 255)
    elif scene.lighting == "dim":
        image = _table(rng, shape, rng.uniform(*DIM_TABLE_LEVEL) / 255)
    else:
        image = _table(rng, shape, rng.uniform(*NORMAL_TABLE_FRACTION) * paper)
    if scene.table_edge:
        _add_table_edge(rng, image, paper)
    if scene.gripper:
        _add_gripper(rng, image, paper)
    return image


def _finish(rng, image, scene):
    """Vignetting, blur, noise, colour cast and JPEG: (H, W) float32 0-1 -> (H, W, 3) uint8 BGR."""
    h, w = image.shape
    yy, xx = np.ogrid[0:h, 0:w]
    radius2 = (((xx - w / 2) ** 2 + (yy - h / 2) ** 2) / ((w / 2) ** 2 + (h / 2) ** 2)).astype(np.float32)
    image = image * (1 - scene.vignetting * radius2)
    image = cv2.GaussianBlur(image * 255, (0, 0), rng.uniform(0.6, 1.6))
    image += rng.normal(0, rng.uniform(1.5, 5.0), image.shape).astype(np.float32)
    tint = rng.uniform(0.9, 1.04, size=3).astype(np.float32)  # B, G, R
    bgr = np.clip(np.round(image[..., None] * tint), 0, 255).astype(np.uint8)
    if scene.jpeg_quality:
        _, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(scene.jpeg_quality)])
        bgr = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    return bgr


def _begin(rng, n_cubes, view, conditions):
    """Check the arguments, split ``rng`` into one stream per stage, draw the conditions.

    One stream for each stage: fixing a condition changes only what depends on it.
    Returns (n_cubes, [choose, backdrop, place, finish, paint 1-3], scene Conditions,
    [3 face Conditions]).
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"expected a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng)}")
    if n_cubes is None:
        n_cubes = int(rng.integers(1, 4))
    if not 0 <= n_cubes <= 3:
        raise ValueError(f"n_cubes must be 0 to 3, got {n_cubes}")
    fixed = conditions or Conditions()
    if view is not None:
        fixed = dataclasses.replace(fixed, view=view)
    streams = [np.random.default_rng(seed) for seed in rng.integers(0, 2**63, size=7)]
    scene = draw_scene_conditions(streams[0], fixed)
    faces = [draw_face_conditions(streams[0], scene) for _ in range(3)]
    return n_cubes, streams, scene, faces


def scene_conditions(rng, n_cubes=None, view=None, conditions=None):
    """The conditions :func:`render_scene` draws with the same arguments, without drawing.

    Parameters
    ----------
    rng, n_cubes, view, conditions
        As for :func:`render_scene` (``rng`` advances the same way).

    Returns
    -------
    scene : Conditions
        The scene's conditions (its face fields as ``conditions`` sets them).
    faces : list of Conditions
        One per cube, every field set, in the order the cubes are drawn.
    """
    n_cubes, _, scene, faces = _begin(rng, n_cubes, view, conditions)
    return scene, faces[:n_cubes]


def render_scene(rng, n_cubes=None, size=(480, 640), split="public", view=None, conditions=None):
    """Draw one camera image of cubes on a table, with its ground truth.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness: the same state and arguments give the same scene.
    n_cubes : int, optional
        How many cubes, 0 to 3 (0: an empty table). Default: 1 to 3 at random.
    size : tuple (H, W), default (480, 640)
        The image's size; the real cameras give (480, 640) and (480, 752).
    split : {"public", "hidden"}, default "public"
        Which half of MNIST's test '1's and '2's the digits come from.
    view : {"top", "side"}, optional
        Where the camera looks from (see :class:`Conditions`). Default: at random,
        or ``conditions.view``.
    conditions : Conditions, optional
        The conditions to fix; the fields it leaves ``None`` are drawn at random from
        their ranges. Fixing a field leaves the rest of the scene as it was.

    Returns
    -------
    image : ndarray (H, W, 3) uint8, BGR
    truth : list of robot_lab.pipeline.Cube, left to right
        Each cube's digit, confidence 1.0, the centre and the corners of its digit face
        (the top face in the top view, the front face in the side view; ordered as
        :func:`robot_lab.vision.find_faces` orders them; a corner may lie slightly
        outside the image when the cube touches its edge).
    """
    n_cubes, streams, scene, faces = _begin(rng, n_cubes, view, conditions)
    choose, backdrop, place, finish, *paint = streams
    labels, picks = choose.integers(1, 3, size=3), choose.integers(0, 2**31, size=3)
    reflectances = choose.uniform(0.9, 1.0, size=3)
    reflectances /= reflectances[: max(n_cubes, 1)].max()  # the brightest paper is at paper_level
    shape = tuple(size)
    digits = mnist_digits(split)
    paper = scene.paper_level / 255

    image = _backdrop(backdrop, scene, shape)
    occupied = np.zeros(shape, np.uint8)
    truth = []
    touch_edge = place.random() < 0.3  # one cube of the scene against the edge
    scale = place.uniform(*FACE_SIDE[scene.view])  # the side view's cubes are all about as far
    for i in range(n_cubes):
        face = faces[i]
        for attempt in range(1000):
            shrink = 0.93 ** (attempt // 50)  # no room left: smaller cubes, closer together
            if scene.view == "top":
                side = place.uniform(*FACE_SIDE["top"]) * shrink * shape[0]
                corners, others = _top_view_cube(place, side)
            else:
                side = scale * place.uniform(0.93, 1.07) * shrink * shape[0]
                corners, others = _side_view_cube(place, side, face)
            gap = scene.cube_gap * shrink * side
            shift = _place(place, shape, corners, others, occupied, gap, touch_edge and i == 0)
            if shift is not None:
                break
        else:
            raise RuntimeError(f"could not place {n_cubes} cubes without overlap in {size}")
        corners = corners + shift
        reflectance = reflectances[i]
        light = _face_light(paint[i], face.face_light_ratio) * reflectance * paper
        for quad, factor in others:
            field = _edge_light(light, corners, quad + shift) * factor
            _paint(image, np.clip(_paper(paint[i], face.frame, field), 0, 1), quad + shift)
        label = int(labels[i])
        digit = digits[label][picks[i] % len(digits[label])]
        canvas, alpha = _digit_face(paint[i], digit, label, face, light)
        _paint(image, canvas, corners, alpha)
        ordered = order_corners(corners)
        truth.append(Cube(label=label, confidence=1.0, center=face_center(ordered), corners=ordered))
    return _finish(finish, image, scene), sorted(truth, key=lambda c: c.center)


def match_cubes(found, truth, max_distance=0.3):
    """Pair the cubes found in a scene with its true cubes.

    A found cube matches the nearest unmatched true cube whose centre lies within
    ``max_distance`` times that face's mean side.

    Parameters
    ----------
    found, truth : lists of robot_lab.pipeline.Cube
    max_distance : float, default 0.3

    Returns
    -------
    pairs : list of (found Cube, true Cube)
    missed : list of true Cubes nothing matched
    false : list of found Cubes that match no true cube
    """
    pairs, unmatched = [], list(truth)
    false = []
    for cube in found:
        distances = [np.hypot(*(np.subtract(cube.center, t.center))) / _mean_side(t.corners) for t in unmatched]
        if distances and min(distances) <= max_distance:
            pairs.append((cube, unmatched.pop(int(np.argmin(distances)))))
        else:
            false.append(cube)
    return pairs, unmatched, false


def corner_error(found, true):
    """Largest distance (pixels) between matching corners of two faces (4, 2).

    Taken over the best of the 4 cyclic orders, so that a face turned near 45 degrees,
    whose first corner is a toss-up, is measured by where its corners are.
    """
    found, true = np.asarray(found, np.float64), np.asarray(true, np.float64)
    return min(float(np.hypot(*(np.roll(found, k, axis=0) - true).T).max()) for k in range(4))


def _mean_side(corners):
    corners = np.asarray(corners, np.float64)
    return float(np.hypot(*(np.roll(corners, -1, axis=0) - corners).T).mean())


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Write simulated robot-camera scenes as PNG files, with their truth in truth.json."
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write into (created)")
    parser.add_argument("--n", type=int, default=5, help="number of scenes (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--split", choices=SPLITS, default="public")
    parser.add_argument("--width", type=int, choices=[w for _, w in CAMERA_SIZES], default=640)
    parser.add_argument(
        "--view",
        choices=VIEWS,
        default=None,
        help="camera looking down on the cubes, or facing them (default: at random)",
    )
    parser.add_argument("--lighting", choices=LIGHTINGS, default=None, help="default: at random")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    truths = {}
    for i in range(args.n):
        image, truth = render_scene(
            rng, size=(480, args.width), split=args.split, view=args.view, conditions=Conditions(lighting=args.lighting)
        )
        name = f"scene_{i:03d}.png"
        cv2.imwrite(str(args.out / name), image)
        truths[name] = [cube_to_json(cube) for cube in truth]
        print(f"{args.out / name}: {', '.join(str(c.label) for c in truth)}")
    (args.out / "truth.json").write_text(json.dumps(truths, indent=1) + "\n")
    print(f"truth: {args.out / 'truth.json'}")


if __name__ == "__main__":
    main()
