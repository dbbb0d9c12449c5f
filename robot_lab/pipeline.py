"""The whole recognition: camera image -> the cubes, their digits and positions.

Example::

    from robot_lab.classifier import load_model
    from robot_lab.pipeline import recognise

    model = load_model()
    for cube in recognise(cv2.imread("scene.png"), model):
        print(cube.label, cube.confidence, cube.center)
"""

from dataclasses import dataclass

import numpy as np

from .classifier import LABELS, predict_digits
from .vision import face_to_sprite, find_faces, to_gray, warp_face


@dataclass
class Cube:
    """One cube seen by the camera.

    Attributes
    ----------
    label : int, 1 or 2
        The digit on its face.
    confidence : float in [0, 1]
        The network's probability of that digit (see
        :func:`robot_lab.classifier.predict_digits`); 1.0 in the simulator's truth.
    center : tuple (x, y) of float
        The face's centre in pixels: the mean of its four corners.
    corners : ndarray (4, 2) float32
        The face's corners (x, y) in pixels, clockwise on screen starting from the
        one nearest the top-left (:func:`robot_lab.vision.order_corners`).
    """

    label: int
    confidence: float
    center: tuple
    corners: np.ndarray


def face_center(corners):
    """Centre (x, y) of a face: the mean of its corners (4, 2) -> tuple of 2 floats."""
    x, y = np.asarray(corners, dtype=np.float64).mean(axis=0)
    return float(x), float(y)


def cube_to_json(cube):
    """A Cube as plain JSON types: {"label", "confidence", "center": [x, y], "corners": [[x, y] * 4]}."""
    return {
        "label": int(cube.label),
        "confidence": round(float(cube.confidence), 4),
        "center": [round(float(v), 2) for v in cube.center],
        "corners": [[round(float(x), 2), round(float(y), 2)] for x, y in cube.corners],
    }


def combine_turns(labels, confidences):
    """One label and confidence per face from its four quarter-turns' readings.

    The network was trained on upright digits and the face's turn is unknown, so
    every turn is read and all four count: each label's *support* is the sum of the
    probabilities the network gave it over the turns (a '1' turned upside down is
    still a '1' and supports it; a sideways reading rarely looks like a 1 or a 2
    and adds little). The label is the better supported one, and

        confidence = (its share of the support) x (the highest probability of any turn)

    that is, how sure the network is that the face shows one of the cube digits
    at all, times how much of the evidence says it is this one. A clearly written
    digit is near 1; a face read '1' one way and '2' another, or a face that
    looks like no digit, is low.

    Parameters
    ----------
    labels : ndarray (n, 4) int, each 1 or 2
        :func:`robot_lab.classifier.predict_digits`'s label of each face's turns
        (``np.rot90(sprite, k)`` for k = 0..3).
    confidences : ndarray (n, 4) float
        The network's probability of that label, for each turn.

    Returns
    -------
    labels : ndarray (n,) int64
    confidences : ndarray (n,) float32 in [0, 1]
    """
    labels = np.asarray(labels).reshape(-1, 4)
    confidences = np.asarray(confidences, np.float64).reshape(-1, 4)
    support = np.stack([np.where(labels == digit, confidences, 0.0).sum(axis=1) for digit in LABELS], axis=1)
    best = np.argmax(support, axis=1)
    rows = np.arange(len(best))
    share = support[rows, best] / np.maximum(support.sum(axis=1), 1e-12)
    confidence = share * confidences.max(axis=1)
    return np.asarray(LABELS, np.int64)[best], confidence.astype(np.float32)


def recognise(image, model):
    """Find every cube in a camera image and read its digit.

    Each face is warped to a square and cut into a sprite; the cubes lie at any
    rotation, so the sprite is read in its four quarter-turns, all in one call to
    the network, and :func:`combine_turns` weighs the four readings into one label
    and one confidence.

    Parameters
    ----------
    image : ndarray (H, W, 3) uint8 BGR, or (H, W) uint8
    model : keras.Model, see :func:`robot_lab.classifier.load_model`

    Returns
    -------
    cubes : list of Cube, left to right
    """
    gray = to_gray(image)
    faces = find_faces(gray)
    if not faces:
        return []
    sprites = [face_to_sprite(warp_face(gray, corners)) for corners in faces]
    turned = np.stack([np.rot90(sprite, k) for sprite in sprites for k in range(4)])
    labels, confidences = combine_turns(*predict_digits(model, turned))
    return [
        Cube(label=int(label), confidence=float(confidence), center=face_center(corners), corners=corners)
        for label, confidence, corners in zip(labels, confidences, faces)
    ]
