"""A simulated robot camera: cubes with handwritten '1' and '2' on a dark table.

:func:`render_scene` draws what the robot arm's camera sees, with the ground
truth, so that the vision pipeline can be developed, tested and graded with no
robot. A scene is drawn the way the real photos look:

- a dark, unevenly lit table with some texture;
- 1 to 3 cubes that never overlap, each at a random place and rotation (any angle),
  seen in perspective: the top face is a white square of 75-130 pixels (at 480
  lines), the sides that face the camera are visible and darker;
- on the top face, a '1' or a '2' from MNIST's **test** set, inked dark on the
  paper, sometimes inside a printed dashed frame; the network never trained on
  these digits. ``split="public"`` uses one half of them, ``split="hidden"`` the
  other half (the autograder's hidden scenes);
- sometimes a cube touches the image's edge (its face may be cut by a few pixels);
- a light level from dim (the paper at 75-100 of 255) to normal (~240), blur, noise and
  a slight colour cast.

Same generator state, same scene: everything random comes from ``rng``.

Command line: ``python -m robot_lab.simulator --out DIR --n 5 --seed 0`` writes
``scene_000.png`` ... and ``truth.json`` into DIR (try them with
``python -m robot_lab.detect DIR/*.png``).
"""

import argparse
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

#: Side of the canvas a face is drawn on before it is warped into the image.
_CANVAS = 224

SPLITS = ("public", "hidden")


@functools.lru_cache(maxsize=None)
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
    from autograder.data import load_mnist

    _, (x_test, y_test) = load_mnist()
    offset = SPLITS.index(split)
    return {label: x_test[y_test == label][offset::2] for label in (1, 2)}


def _table(rng, shape):
    """Dark table, unevenly lit, with a faint texture: (H, W) float32, ~0.05-0.3."""
    h, w = shape
    level = rng.uniform(0.06, 0.22)
    light = cv2.resize(rng.uniform(0.7, 1.3, size=(3, 4)).astype(np.float32), (w, h),
                       interpolation=cv2.INTER_CUBIC)
    grain = cv2.GaussianBlur(rng.normal(0, 1, size=(h, w)).astype(np.float32), (0, 0), 2.0)
    return np.clip(level * light * (1 + 0.15 * grain), 0, 1)


def _dashed_frame(canvas, rng, darkness):
    """Draw a printed dashed square frame near the canvas's edge, in place."""
    size = canvas.shape[0]
    inset = rng.uniform(0.03, 0.07) * size
    thickness = max(2, int(round(rng.uniform(0.012, 0.022) * size)))
    dash, gap = rng.uniform(0.04, 0.07) * size, rng.uniform(0.025, 0.04) * size
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


def _face_canvas(rng, digit, paper):
    """The top face seen from the front: (C, C) float32, the paper at ``paper``, ink dark."""
    # Light falls unevenly across the face too.
    gradient = np.linspace(0, 1, _CANVAS, dtype=np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    shade = 1 - rng.uniform(0, 0.12) * (np.cos(angle) * gradient[None, :] + np.sin(angle) * gradient[:, None])
    canvas = np.ones((_CANVAS, _CANVAS), np.float32)
    if rng.random() < 0.4:
        _dashed_frame(canvas, rng, darkness=rng.uniform(0.5, 0.8))
    # The MNIST image (digit in its central 20x20) covers 62-80 % of the face: the
    # digit itself covers 45-57 %, like a digit written on a sticky note.
    span = int(round(rng.uniform(0.62, 0.80) * _CANVAS))
    ink = cv2.resize(digit.astype(np.float32) / 255.0, (span, span), interpolation=cv2.INTER_CUBIC)
    ink = np.clip(ink, 0, 1) * rng.uniform(0.75, 0.92)
    jitter = rng.uniform(-0.04, 0.04, size=2) * _CANVAS
    top = int(round((_CANVAS - span) / 2 + jitter[1]))
    left = int(round((_CANVAS - span) / 2 + jitter[0]))
    canvas[top:top + span, left:left + span] *= 1 - ink
    canvas *= paper * shade
    canvas += rng.normal(0, 0.01, canvas.shape).astype(np.float32)  # paper texture
    return np.clip(canvas, 0, 1)


def _cube_geometry(rng, image_shape, touch_edge):
    """Random pose of one cube: top-face corners (4, 2) and its visible height (2,)."""
    h, w = image_shape
    side = rng.uniform(0.16, 0.27) * h
    theta = rng.uniform(0, 2 * np.pi)
    square = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    offsets = square @ rotation.T * side
    # Seen obliquely: squashed vertically, wider at the bottom (nearer the camera).
    offsets[:, 1] *= rng.uniform(0.75, 1.0)
    offsets[:, 0] *= 1 + rng.uniform(0.0, 0.18) * offsets[:, 1] / side
    offsets += rng.uniform(-0.03, 0.03, size=(4, 2)) * side  # a lens is never perfect
    height = np.array([rng.uniform(-0.1, 0.1), rng.uniform(0.1, 0.3)]) * side
    footprint = np.vstack([offsets, offsets + height])
    low, high = footprint.min(axis=0), footprint.max(axis=0)
    if touch_edge:
        # Against one edge of the image, the face cut by up to 6 % of its side.
        centre = rng.uniform(-low, [w - high[0], h - high[1]])
        cut = rng.uniform(0, 0.06) * side
        edge = rng.integers(4)
        if edge == 0:
            centre[0] = -offsets[:, 0].min() - cut
        elif edge == 1:
            centre[0] = w - offsets[:, 0].max() + cut
        elif edge == 2:
            centre[1] = -offsets[:, 1].min() - cut
        else:
            centre[1] = h - footprint[:, 1].max() + cut
    else:
        centre = rng.uniform(-low + 2, [w - high[0] - 2, h - high[1] - 2])
    return offsets + centre, height


def _overlaps(footprint, others, margin):
    """Whether the footprint's bounding circle comes within margin of another's."""
    centre, radius = footprint
    return any(np.hypot(*(centre - c)) < radius + r + margin for c, r in others)


def _paste(image, layer, mask):
    """image <- image * (1 - mask) + layer * mask, in place (all (H, W) float32)."""
    image *= 1 - mask
    image += layer * mask


def _draw_cube(image, rng, corners, height, digit):
    """Draw one cube's visible sides and its top face into ``image`` in place."""
    h, w = image.shape
    top_light = rng.uniform(0.9, 1.0)
    paper = rng.uniform(0.85, 1.0)
    centre = corners.mean(axis=0)
    # A side is visible when its outward direction points the way the height goes.
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        outward = (a + b) / 2 - centre
        if np.dot(outward, height) <= 0:
            continue
        quad = np.array([a, b, b + height, a + height], np.float32)
        mask = np.zeros((h, w), np.float32)
        cv2.fillConvexPoly(mask, np.round(quad * 16).astype(np.int32), 1.0, cv2.LINE_AA, shift=4)
        # Lit from above: the sides get 30-60 % of the light the top gets.
        _paste(image, rng.uniform(0.3, 0.6) * paper * top_light, mask)
    canvas = _face_canvas(rng, digit, paper) * top_light
    source = np.array([[0, 0], [_CANVAS, 0], [_CANVAS, _CANVAS], [0, _CANVAS]], np.float32)
    homography = cv2.getPerspectiveTransform(source, corners.astype(np.float32))
    face = cv2.warpPerspective(canvas, homography, (w, h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones_like(canvas), homography, (w, h), flags=cv2.INTER_LINEAR)
    _paste(image, face, mask)


def render_scene(rng, n_cubes=None, size=(480, 640), split="public"):
    """Draw one camera image of cubes on a table, with its ground truth.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness: the same state gives the same scene.
    n_cubes : int, optional
        How many cubes, 0 to 3 (0: an empty table). Default: 1 to 3 at random.
    size : tuple (H, W), default (480, 640)
        The image's size; the real cameras give (480, 640) and (480, 752).
    split : {"public", "hidden"}, default "public"
        Which half of MNIST's test '1's and '2's the digits come from.

    Returns
    -------
    image : ndarray (H, W, 3) uint8, BGR
    truth : list of robot_lab.pipeline.Cube, left to right
        Each cube's digit, confidence 1.0, the centre and the corners of its top face
        (ordered as :func:`robot_lab.vision.find_faces` orders them; a corner may lie
        slightly outside the image when the cube touches its edge).
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"expected a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng)}")
    if n_cubes is None:
        n_cubes = int(rng.integers(1, 4))
    if not 0 <= n_cubes <= 3:
        raise ValueError(f"n_cubes must be 0 to 3, got {n_cubes}")
    height, width = size
    digits = mnist_digits(split)

    image = _table(rng, (height, width))
    placed, truth = [], []
    touch_edge = rng.random() < 0.3  # one cube of the scene against the edge
    for i in range(n_cubes):
        for _ in range(500):
            corners, lift = _cube_geometry(rng, (height, width), touch_edge and i == 0)
            footprint = np.vstack([corners, corners + lift])
            circle = (footprint.mean(axis=0), np.hypot(*(footprint - footprint.mean(axis=0)).T).max())
            if not _overlaps(circle, placed, margin=0.03 * height):
                break
        else:
            raise RuntimeError(f"could not place {n_cubes} cubes without overlap in {size}")
        placed.append(circle)
        label = int(rng.integers(1, 3))
        digit = digits[label][rng.integers(len(digits[label]))]
        _draw_cube(image, rng, corners, lift, digit)
        ordered = order_corners(corners)
        truth.append(Cube(label=label, confidence=1.0, center=face_center(ordered), corners=ordered))

    light = rng.uniform(0.38, 0.95) * 255
    image = cv2.GaussianBlur(image * light, (0, 0), rng.uniform(0.6, 1.6))
    image += rng.normal(0, rng.uniform(1.5, 5.0), image.shape).astype(np.float32)
    tint = rng.uniform(0.9, 1.04, size=3).astype(np.float32)  # B, G, R
    bgr = np.clip(np.round(image[..., None] * tint), 0, 255).astype(np.uint8)
    return bgr, sorted(truth, key=lambda c: c.center)


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
        distances = [np.hypot(*(np.subtract(cube.center, t.center))) / _mean_side(t.corners)
                     for t in unmatched]
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
        description="Write simulated robot-camera scenes as PNG files, with their truth in truth.json.")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into (created)")
    parser.add_argument("--n", type=int, default=5, help="number of scenes (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--split", choices=SPLITS, default="public")
    parser.add_argument("--width", type=int, choices=[w for _, w in CAMERA_SIZES], default=640)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    truths = {}
    for i in range(args.n):
        image, truth = render_scene(rng, size=(480, args.width), split=args.split)
        name = f"scene_{i:03d}.png"
        cv2.imwrite(str(args.out / name), image)
        truths[name] = [cube_to_json(cube) for cube in truth]
        print(f"{args.out / name}: {', '.join(str(c.label) for c in truth)}")
    (args.out / "truth.json").write_text(json.dumps(truths, indent=1) + "\n")
    print(f"truth: {args.out / 'truth.json'}")


if __name__ == "__main__":
    main()
