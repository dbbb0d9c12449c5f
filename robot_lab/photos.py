"""Score the pipeline on a folder of real camera photos.

A folder of photos is laid out like the course's development set
(``../shared/real_cubes``)::

    photos/
        truth.json            optional: {"sub/1_1.jpg": [{"label": 1, "centre": [x, y]}, ...], ...}
        sub/1_1.jpg           or labels from the file name: the digits before the first "_",
        sub/212_1.png         one per cube, left to right ("212_1.png": a 2, a 1, a 2)

Photos are searched for anywhere below the folder (hidden folders such as
``.ipynb_checkpoints`` excepted); a photo listed in ``truth.json`` takes its labels
from there, any other from its file name.

With ``truth.json`` a found cube counts as a true cube when its centre lies within
:data:`MATCH_RADIUS` pixels of that cube's centre. Without it, the file name gives the
labels only: the cubes found, left to right, are paired with the labels in the same
order, skipping (as missed, or as false) those that leave the most labels right.

Command line::

    python -m robot_lab.photos DIR [--model PATH]

It prints one line per photo (what was found, what went wrong) and a markdown table
of the totals; the exit status is 0 when the folder was scored (whatever the score),
2 when it could not be (no model, no photo, a photo without labels).
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

#: The labels a cube can carry.
LABELS = (1, 2)

_NAME_LABELS = re.compile(r"^([12]+)(?:_|$)")

_LAYOUT = (
    "laid out like ../shared/real_cubes: a truth.json such as "
    '{"sub/2_1.jpg": [{"label": 2, "centre": [320, 240]}]}, or labels in the file names, '
    "left to right, such as 2_1.jpg or 212_1.png"
)


@dataclass
class PhotoTruth:
    """What a photo shows: its cubes' labels, left to right, and their centres if known.

    Attributes
    ----------
    path : Path
        The image file.
    name : str
        Its path relative to the folder, with '/' (the key in ``truth.json``).
    labels : list of int (1 or 2)
    centres : list of (x, y) float, or None when only the file name gave the labels
    """

    path: Path
    name: str
    labels: list
    centres: list = None


@dataclass
class PhotoScore:
    """How the pipeline did on one photo (counts of cubes) and how long it took.

    Attributes
    ----------
    name : str
        The photo's path relative to the folder.
    n_true, found, right, false : int
        Cubes in the photo, found among them, read right among those, found that
        are no cube.
    seconds : float
        Wall time of ``recognise`` on the photo.
    readings : list of str
        "label (confidence)" per cube found, left to right.
    problems : list of str
        What went wrong, one phrase per missed, misread or false cube; empty when
        the photo is fully right.
    size : (width, height) of int, or None when unknown
    """

    name: str
    n_true: int
    found: int
    right: int
    false: int
    seconds: float
    readings: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    size: tuple = None

    @property
    def fully_right(self):
        """Every cube found and read right, no false cube."""
        return self.found == self.n_true == self.right and self.false == 0


def labels_from_name(path):
    """Labels left to right from a file name: '212_1.png' -> [2, 1, 2]; None when it has none."""
    match = _NAME_LABELS.match(Path(path).stem)
    return [int(c) for c in match.group(1)] if match else None


def _read_table(truth_file):
    """truth.json as {name: (labels, centres)}, each list sorted left to right."""
    try:
        table = json.loads(truth_file.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{truth_file}: not valid JSON ({error}); expected {_LAYOUT}") from None
    if not isinstance(table, dict):
        raise ValueError(
            f"{truth_file}: expected a JSON object {{photo: [cubes]}}, found a {type(table).__name__}; {_LAYOUT}"
        )
    entries = {}
    for name, cubes in table.items():
        try:
            cubes = sorted(cubes, key=lambda cube: float(cube["centre"][0]))
            labels = [int(cube["label"]) for cube in cubes]
            centres = [(float(cube["centre"][0]), float(cube["centre"][1])) for cube in cubes]
        except (TypeError, KeyError, IndexError, ValueError):
            raise ValueError(
                f'{truth_file}: the entry for "{name}" is not a list of '
                '{"label": 1 or 2, "centre": [x, y]} (found '
                f"{json.dumps(cubes)[:120]})"
            ) from None
        if any(label not in LABELS for label in labels):
            raise ValueError(f'{truth_file}: "{name}" has label(s) {labels}; a cube carries 1 or 2')
        entries[name] = (labels, centres)
    return entries


def read_truth(folder):
    """Every photo of a folder with what it shows.

    Parameters
    ----------
    folder : str or Path
        Photos anywhere below it; ``truth.json`` at its top, or labels in the file names.

    Returns
    -------
    photos : list of PhotoTruth, sorted by name

    Raises
    ------
    ValueError
        When the folder does not exist or has no photo, when ``truth.json`` is
        malformed or lists a photo the folder lacks, or when a photo has neither an
        entry in ``truth.json`` nor labels in its name (the message names it and
        says how to give them).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such folder (expected a folder of photos, {_LAYOUT})")
    truth_file = folder / "truth.json"
    table = _read_table(truth_file) if truth_file.is_file() else {}
    paths = sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in IMAGE_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    if not paths:
        raise ValueError(
            f"{folder}: no photo found (looked for {', '.join(IMAGE_SUFFIXES)} files "
            f"in it and its sub-folders); expected a folder {_LAYOUT}"
        )
    names = {p.relative_to(folder).as_posix(): p for p in paths}
    absent = sorted(set(table) - set(names))
    if absent:
        raise ValueError(
            f"{truth_file} lists {len(absent)} photo(s) that {folder} does not have: "
            f"{', '.join(absent[:5])}{', ...' if len(absent) > 5 else ''} "
            "(names are paths relative to the folder, with '/')"
        )
    photos, unlabelled = [], []
    for name, path in names.items():
        if name in table:
            labels, centres = table[name]
            photos.append(PhotoTruth(path, name, labels, centres))
        elif labels_from_name(path) is not None:
            photos.append(PhotoTruth(path, name, labels_from_name(path)))
        else:
            unlabelled.append(name)
    if unlabelled:
        example = unlabelled[0]
        raise ValueError(
            f"{folder}: no labels for {len(unlabelled)} photo(s): {', '.join(unlabelled[:5])}"
            f"{', ...' if len(unlabelled) > 5 else ''}. Give each one an entry in {truth_file} "
            f'(e.g. {{"{example}": [{{"label": 1, "centre": [320, 240]}}]}}) or name it by its '
            "labels left to right, e.g. 12_3.jpg for a '1' left of a '2'"
        )
    return photos


def _align(found, labels):
    """Pair two left-to-right sequences, in order, as many pairs as the shorter one has,
    with the most equal labels. Returns a list of (index in found, index in labels)."""
    swap = len(found) < len(labels)
    long, short = (labels, found) if swap else (found, labels)
    n, k = len(long), len(short)
    # best[i][j]: most equal labels pairing short[:j] with some of long[:i], in order.
    best = np.full((n + 1, k + 1), -1, dtype=np.int64)
    best[:, 0] = 0
    for i in range(1, n + 1):
        for j in range(1, min(i, k) + 1):
            skip = best[i - 1][j] if i - 1 >= j else -1
            take = best[i - 1][j - 1] + (long[i - 1] == short[j - 1])
            best[i][j] = max(skip, take)
    pairs, i, j = [], n, k
    while j > 0:
        if i - 1 >= j and best[i - 1][j] == best[i][j]:
            i -= 1
        else:
            pairs.append((j - 1, i - 1) if swap else (i - 1, j - 1))
            i, j = i - 1, j - 1
    return pairs[::-1]


def match_photo(cubes, truth):
    """Pair the cubes found in a photo with its true cubes.

    Parameters
    ----------
    cubes : list of robot_lab.pipeline.Cube
    truth : PhotoTruth

    Returns
    -------
    pairs : list of (Cube, int index of the true cube in ``truth.labels``)
        Each true cube at most once, left to right.
    false : list of Cube, the cubes found that are no true cube

    With centres, a cube is the nearest still unpaired true cube within
    :data:`MATCH_RADIUS` pixels (the cubes nearest a true cube first). Without
    them, the cubes sorted left to right are paired in order with the labels, as many
    as the shorter list has, skipping the ones that leave the most labels right.
    """
    cubes = sorted(cubes, key=lambda cube: cube.center[0])
    if truth.centres is None:
        pairs = [(cubes[c], t) for c, t in _align([c.label for c in cubes], truth.labels)]
    else:
        candidates = sorted(
            (float(np.hypot(*np.subtract(cube.center, centre))), c, t)
            for c, cube in enumerate(cubes)
            for t, centre in enumerate(truth.centres)
        )
        used_cubes, used_truth, pairs = set(), set(), []
        for distance, c, t in candidates:
            if distance <= MATCH_RADIUS and c not in used_cubes and t not in used_truth:
                used_cubes.add(c)
                used_truth.add(t)
                pairs.append((cubes[c], t))
        pairs.sort(key=lambda pair: pair[1])
    paired = {id(cube) for cube, _ in pairs}
    return pairs, [cube for cube in cubes if id(cube) not in paired]


def _where(xy):
    return f"({xy[0]:.0f}, {xy[1]:.0f})"


def score_photo(truth, cubes, seconds=0.0, size=None):
    """A PhotoScore from the cubes ``recognise`` found in one photo (see :func:`match_photo`)."""
    cubes = sorted(cubes, key=lambda cube: cube.center[0])
    pairs, false = match_photo(cubes, truth)
    problems = []
    paired = {t for _, t in pairs}
    for t, label in enumerate(truth.labels):
        if t not in paired:
            where = f" at {_where(truth.centres[t])}" if truth.centres is not None else ""
            problems.append(f"the '{label}'{where} missed")
    for cube, t in pairs:
        if cube.label != truth.labels[t]:
            problems.append(
                f"the '{truth.labels[t]}' at {_where(cube.center)} read as "
                f"'{cube.label}' (confidence {cube.confidence:.2f})"
            )
    for cube in false:
        problems.append(
            f"a false cube at {_where(cube.center)} read as '{cube.label}' (confidence {cube.confidence:.2f})"
        )
    return PhotoScore(
        name=truth.name,
        n_true=len(truth.labels),
        found=len(pairs),
        right=sum(cube.label == truth.labels[t] for cube, t in pairs),
        false=len(false),
        seconds=seconds,
        readings=[f"{c.label} ({c.confidence:.2f})" for c in cubes],
        problems=problems,
        size=size,
    )


def score_photos(folder, model, progress=None):
    """Run :func:`robot_lab.pipeline.recognise` on every photo of a folder.

    The network is warmed up on the first photo before any is timed (its first
    call traces it).

    Parameters
    ----------
    folder : str or Path, see :func:`read_truth`
    model : keras.Model, see :func:`robot_lab.classifier.load_model`
    progress : callable(PhotoScore), optional
        Called after each photo (e.g. to print it).

    Returns
    -------
    scores : list of PhotoScore, one per photo, sorted by name
    """
    from .detect import read_image
    from .pipeline import recognise

    photos = read_truth(folder)
    images = [read_image(truth.path) for truth in photos]
    recognise(images[0], model)  # warm-up, not timed
    scores = []
    for truth, image in zip(photos, images):
        start = time.perf_counter()
        cubes = recognise(image, model)
        score = score_photo(truth, cubes, time.perf_counter() - start, size=image.shape[1::-1])
        scores.append(score)
        if progress is not None:
            progress(score)
    return scores


def describe(score):
    """One line: 'ok'/'BAD', the photo, the counts, what was read and what went wrong."""
    line = (
        f"{'ok ' if score.fully_right else 'BAD'} {score.name}: {score.found}/{score.n_true} found, "
        f"{score.right} right, {score.false} false; read {', '.join(score.readings) or 'nothing'}"
    )
    return line + (f" -- {'; '.join(score.problems)}" if score.problems else "")


def summary_table(scores):
    """The scores as markdown lines: a table of totals and targets, then one line per
    photo that is not fully right (what went wrong)."""
    n_true = sum(s.n_true for s in scores)
    found = sum(s.found for s in scores)
    right = sum(s.right for s in scores)
    false = sum(s.false for s in scores)
    ms = [1000 * s.seconds for s in scores]
    lines = [
        "| measure | value | target |",
        "|---|---:|---|",
        f"| photos / cubes in them | {len(scores)} / {n_true} | |",
        f"| cubes found | {found} / {n_true} | all |",
        f"| false cubes | {false} | 0 |",
        f"| labels right | {right} / {n_true} | all |",
        f"| photos fully right | {sum(s.fully_right for s in scores)} / {len(scores)} | all |",
        f"| time per photo, median / max (ms) | {np.median(ms):.1f} / {max(ms):.1f} | |",
    ]
    sizes = sorted({s.size for s in scores if s.size is not None}, reverse=True)
    if len(sizes) > 1:
        for size in sizes:
            of_size = [1000 * s.seconds for s in scores if s.size == size]
            lines.append(
                f"| time per {size[0]}x{size[1]} photo, median / max (ms), {len(of_size)} photos "
                f"| {np.median(of_size):.1f} / {max(of_size):.1f} | |"
            )
    lines.append("")
    wrong = [s for s in scores if not s.fully_right]
    if wrong:
        lines += ["Not fully right:", ""]
        lines += [f"- `{s.name}`: {'; '.join(s.problems)}" for s in wrong]
        lines.append("")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m robot_lab.photos",
        description="Score the cube recognition on a folder of real photos: cubes found, "
        "false cubes, labels right, photos fully right, time per photo.",
    )
    parser.add_argument("folder", type=Path, help=f"a folder of photos {_LAYOUT}")
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="the trained .keras network (default data/robot_lab/digits.keras, "
        "made by `python -m robot_lab.classifier`)",
    )
    args = parser.parse_args(argv)
    try:
        read_truth(args.folder)  # a folder error before the network's slow import
        from .classifier import DEFAULT_MODEL_PATH, load_model

        model = load_model(args.model or DEFAULT_MODEL_PATH)
        scores = score_photos(args.folder, model, progress=lambda s: print(describe(s), flush=True))
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print()
    print("\n".join(summary_table(scores)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
