"""Score the pipeline on a folder of real camera photos.

A folder of photos is laid out like the course's development set::

    photos/
        truth.json            optional: {"sub/1_1.jpg": [{"label": 1, "centre": [x, y]}, ...], ...}
        sub/1_1.jpg           or labels from the file name: the digits before the first "_",
        sub/212_1.png         one per cube, left to right ("212_1.png": a 2, a 1, a 2)

With ``truth.json`` a found cube counts as a true cube when its centre lies within
:data:`MATCH_RADIUS` pixels of that cube's centre. Without it, the file name gives the
labels only: the cubes found are paired with them left to right, and a photo with
more or fewer cubes than its name says counts the difference as false or missed.

Command line (also ``reference/bench_robot.py --photos DIR``)::

    python -m robot_lab.photos DIR [--model PATH]
"""

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: How far (pixels) a found cube's centre may lie from the true one in ``truth.json``.
MATCH_RADIUS = 60

#: The image files a folder is searched for (lower-case suffixes).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")

_NAME_LABELS = re.compile(r"^([12]+)(?:_|$)")


@dataclass
class PhotoTruth:
    """What a photo shows: its cubes' labels, left to right, and their centres if known.

    Attributes
    ----------
    path : Path
    labels : list of int (1 or 2)
    centres : list of (x, y) float, or None when only the file name gave the labels
    """

    path: Path
    labels: list
    centres: list = None


@dataclass
class PhotoScore:
    """How the pipeline did on one photo (counts of cubes) and how long it took (s)."""

    path: Path
    n_true: int
    found: int
    right: int
    false: int
    seconds: float
    readings: list = field(default_factory=list)  # "label (confidence)" per cube found

    @property
    def fully_right(self):
        """Every cube found and read right, no false cube."""
        return self.found == self.n_true == self.right and self.false == 0


def labels_from_name(path):
    """Labels left to right from a file name: '212_1.png' -> [2, 1, 2]; None when it has none."""
    match = _NAME_LABELS.match(Path(path).stem)
    return [int(c) for c in match.group(1)] if match else None


def read_truth(folder):
    """Every photo of a folder with what it shows.

    Parameters
    ----------
    folder : str or Path
        Photos anywhere below it; ``truth.json`` at its top, or labels in the file names.

    Returns
    -------
    photos : list of PhotoTruth, sorted by path

    Raises
    ------
    ValueError
        When the folder has no photo, or a photo has neither an entry in
        ``truth.json`` nor labels in its name (the message names it and says how
        to give them).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder (expected a folder of photos, laid out like "
                         "../shared/real_cubes: a truth.json, or labels in the file names such as 2_1.jpg)")
    truth_file = folder / "truth.json"
    table = json.loads(truth_file.read_text()) if truth_file.is_file() else {}
    paths = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise ValueError(f"{folder}: no photo found (looked for {', '.join(IMAGE_SUFFIXES)} files)")
    photos = []
    for path in paths:
        key = path.relative_to(folder).as_posix()
        if key in table:
            cubes = sorted(table[key], key=lambda cube: cube["centre"][0])
            photos.append(PhotoTruth(path, [int(c["label"]) for c in cubes],
                                     [tuple(map(float, c["centre"])) for c in cubes]))
        elif labels_from_name(path) is not None:
            photos.append(PhotoTruth(path, labels_from_name(path)))
        else:
            raise ValueError(f"{key}: no labels for this photo. Add it to {truth_file} "
                             '(e.g. {"' + key + '": [{"label": 1, "centre": [320, 240]}]}) '
                             "or name it by its labels left to right, e.g. 12_3.jpg")
    return photos


def match_photo(cubes, truth):
    """Pair the cubes found in a photo with its true cubes.

    Parameters
    ----------
    cubes : list of robot_lab.pipeline.Cube, left to right
    truth : PhotoTruth

    Returns
    -------
    pairs : list of (Cube, true label)
    n_false : int, found cubes that are no true cube
    """
    if truth.centres is None:
        if len(cubes) != len(truth.labels):
            n = min(len(cubes), len(truth.labels))
            # Without centres a count mismatch cannot say which is which: pair none.
            return [], len(cubes) - n if len(cubes) > n else 0
        return list(zip(cubes, truth.labels)), 0
    pairs, free = [], list(range(len(truth.labels)))
    for cube in cubes:
        distances = [np.hypot(*np.subtract(cube.center, truth.centres[i])) for i in free]
        if distances and min(distances) <= MATCH_RADIUS:
            pairs.append((cube, truth.labels[free.pop(int(np.argmin(distances)))]))
    return pairs, len(cubes) - len(pairs)


def score_photos(folder, model):
    """Run :func:`robot_lab.pipeline.recognise` on every photo of a folder.

    Returns
    -------
    scores : list of PhotoScore, one per photo, sorted by path
    """
    from .detect import read_image
    from .pipeline import recognise

    scores = []
    for truth in read_truth(folder):
        image = read_image(truth.path)
        start = time.perf_counter()
        cubes = recognise(image, model)
        seconds = time.perf_counter() - start
        pairs, n_false = match_photo(cubes, truth)
        scores.append(PhotoScore(
            path=truth.path, n_true=len(truth.labels), found=len(pairs),
            right=sum(cube.label == label for cube, label in pairs), false=n_false, seconds=seconds,
            readings=[f"{c.label} ({c.confidence:.2f})" for c in cubes]))
    return scores


def summary_table(scores, folder):
    """The scores as markdown lines: one table of totals, one line per photo not fully right."""
    n_true = sum(s.n_true for s in scores)
    found = sum(s.found for s in scores)
    right = sum(s.right for s in scores)
    false = sum(s.false for s in scores)
    ms = [1000 * s.seconds for s in scores]
    lines = [
        f"| measure | value | target |",
        "|---|---:|---|",
        f"| photos / cubes | {len(scores)} / {n_true} | |",
        f"| cubes found | {found} / {n_true} | all |",
        f"| false cubes | {false} | 0 |",
        f"| labels right | {right} / {n_true} | all |",
        f"| photos fully right | {sum(s.fully_right for s in scores)} / {len(scores)} | all |",
        f"| time per photo, median / max (ms) | {np.median(ms):.1f} / {max(ms):.1f} | |",
        "",
    ]
    wrong = [s for s in scores if not s.fully_right]
    if wrong:
        lines.append("Not fully right: " + "; ".join(
            f"`{s.path.relative_to(folder).as_posix()}` read {', '.join(s.readings) or 'no cube'}"
            for s in wrong))
        lines.append("")
    return lines


def main(argv=None):
    from .classifier import DEFAULT_MODEL_PATH, load_model

    parser = argparse.ArgumentParser(prog="python -m robot_lab.photos",
                                     description="Score the cube recognition on a folder of real photos.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    args = parser.parse_args(argv)
    try:
        model = load_model(args.model)
        scores = score_photos(args.folder, model)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for s in scores:
        mark = "ok " if s.fully_right else "BAD"
        print(f"{mark} {s.path.relative_to(args.folder)}: {s.found}/{s.n_true} found, "
              f"{s.right} right, {s.false} false; read {', '.join(s.readings) or 'nothing'}")
    print("\n".join(summary_table(scores, args.folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
