"""Recognise the cubes in image files, from the command line.

    python -m robot_lab.detect IMAGE... [--json] [--draw OUT_DIR] [--model PATH]

For each image: every cube's digit, the network's confidence, the face's centre
and its four corners (x, y pixels; clockwise from the one nearest the top-left).
``--json`` prints one JSON document instead::

    [{"image": "scene_000.png", "cubes": [{"label": 2, "confidence": 0.998,
      "center": [312.4, 201.7], "corners": [[270.1, 160.3], ...]}]}]

``--draw OUT_DIR`` also writes each image with the faces outlined and labelled, as
``OUT_DIR/<folder>/<name>_cubes.png``: the images keep their folders below the one
they all share, so ``straight/1_1.jpg`` and ``rotations/1_1.jpg`` give two drawings
(see :func:`drawing_paths`). No robot at hand? Make scenes with
``python -m robot_lab.simulator --out scenes --n 5``. The exit status is 0 when
every image was read, 1 when one could not be, 2 for a usage error (no model, or
a file that is not one).
"""

import argparse
import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np

from .classifier import DEFAULT_MODEL_PATH, load_model
from .pipeline import cube_to_json, recognise


def read_image(path):
    """Read an image file as (H, W, 3) uint8 BGR.

    Raises
    ------
    ValueError
        When the file is missing or is not an image OpenCV can decode; the message
        says which.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"{path}: not an image OpenCV can read (expected a PNG, JPEG, BMP, TIFF... camera picture)")
    return image


def drawing_paths(images, out_dir):
    """Where ``--draw`` writes each image's drawing: one distinct file per image.

    Each drawing keeps the image's folders below the deepest folder that all the
    images share, and is named ``<name>_cubes.png``; two images of one folder with
    the same name but another suffix (``a.jpg``, ``a.png``) keep it
    (``a_jpg_cubes.png``, ``a_png_cubes.png``). The shared folder is that of the
    files OpenCV recognises as images (a text file passed by mistake does not move
    the drawings one folder down).

    Parameters
    ----------
    images : list of str or Path
    out_dir : str or Path

    Returns
    -------
    paths : dict {Path(image) as given: Path of its drawing}, for every image file
        that exists

    Example: ``scenes/straight/1_1.jpg`` and ``scenes/rotations/1_1.jpg`` ->
    ``OUT/straight/1_1_cubes.png`` and ``OUT/rotations/1_1_cubes.png``.
    """
    resolved = {Path(p): Path(p).resolve() for p in images if Path(p).is_file()}
    if not resolved:
        return {}
    readable = [full for path, full in resolved.items() if cv2.haveImageReader(str(path))]
    shared = Path(os.path.commonpath([full.parent for full in readable or resolved.values()]))
    stems = {}
    for full in resolved.values():
        key = (full.parent, full.stem)
        stems.setdefault(key, set()).add(full.suffix)
    paths = {}
    for path, full in resolved.items():
        clash = len(stems[(full.parent, full.stem)]) > 1
        name = f"{full.stem}_{full.suffix.lstrip('.').lower()}" if clash else full.stem
        below = full.parent.relative_to(shared) if full.parent.is_relative_to(shared) else Path(full.parent.name)
        paths[path] = Path(out_dir) / below / f"{name}_cubes.png"
    return paths


def draw_cubes(image, cubes):
    """A copy of ``image`` (H, W, 3) uint8 BGR with each cube's face and label drawn."""
    canvas = image.copy()
    for cube in cubes:
        corners = np.round(np.asarray(cube.corners) * 16).astype(np.int32)
        colour = (0, 200, 0) if cube.confidence >= 0.5 else (0, 165, 255)  # green / orange
        cv2.polylines(canvas, [corners], True, colour, 2, cv2.LINE_AA, shift=4)
        first = tuple(int(v) for v in np.round(cube.corners[0]))
        cv2.circle(canvas, first, 4, colour, -1, cv2.LINE_AA)  # shows where the order starts
        x, y = (int(round(v)) for v in cube.center)
        text = f"{cube.label} ({cube.confidence:.2f})"
        cv2.putText(canvas, text, (x - 30, y), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 4, cv2.LINE_AA)
        cv2.putText(canvas, text, (x - 30, y), cv2.FONT_HERSHEY_SIMPLEX, 0.6, colour, 2, cv2.LINE_AA)
    return canvas


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m robot_lab.detect",
        description="Find the cubes in camera images and read the digit ('1' or '2') on each.",
    )
    parser.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--draw", type=Path, metavar="OUT_DIR", help="write each image with the cubes drawn into this folder"
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_MODEL_PATH,
        help=f"the trained .keras network (default {DEFAULT_MODEL_PATH})",
    )
    args = parser.parse_args(argv)

    try:
        model = load_model(args.model)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    drawings = drawing_paths(args.images, args.draw) if args.draw else {}

    results, failed = [], False
    for path in args.images:
        try:
            image = read_image(path)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            failed = True
            continue
        cubes = recognise(image, model)
        results.append({"image": str(path), "cubes": [cube_to_json(c) for c in cubes]})
        if not args.json:
            print(f"{path}: {len(cubes)} cube{'s' if len(cubes) != 1 else ''}")
            for cube in cubes:
                corners = " ".join(f"({x:.0f}, {y:.0f})" for x, y in cube.corners)
                print(
                    f"  {cube.label}  confidence {cube.confidence:.3f}  "
                    f"centre ({cube.center[0]:.1f}, {cube.center[1]:.1f})  corners {corners}"
                )
        if args.draw:
            out = drawings[path]
            out.parent.mkdir(parents=True, exist_ok=True)
            if not cv2.imwrite(str(out), draw_cubes(image, cubes)):
                print(f"error: {out}: could not write the drawing (is {args.draw} writable?)", file=sys.stderr)
                failed = True
            if not args.json:
                print(f"  drawn: {out}")
    if args.json:
        print(json.dumps(results, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
