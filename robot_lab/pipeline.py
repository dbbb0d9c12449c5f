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

from .classifier import predict_digits
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
    return {"label": int(cube.label), "confidence": round(float(cube.confidence), 4),
            "center": [round(float(v), 2) for v in cube.center],
            "corners": [[round(float(x), 2), round(float(y), 2)] for x, y in cube.corners]}


def recognise(image, model):
    """Find every cube in a camera image and read its digit.

    Each face is warped to a square and cut into a sprite; the cubes lie at any
    rotation, so the sprite is read in its four quarter-turns and the turn the
    network is surest of gives the label (a '1' or '2' turned sideways or upside
    down looks like neither to a network trained on upright digits). All sprites go
    through the network in one call.

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
    labels, confidences = predict_digits(model, turned)
    labels, confidences = labels.reshape(-1, 4), confidences.reshape(-1, 4)
    best = np.argmax(confidences, axis=1)
    rows = np.arange(len(faces))
    return [Cube(label=int(label), confidence=float(confidence), center=face_center(corners),
                 corners=corners)
            for label, confidence, corners in zip(labels[rows, best], confidences[rows, best], faces)]
