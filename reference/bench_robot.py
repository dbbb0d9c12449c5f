"""Benchmark of the robot lab's vision pipeline, printed as markdown tables.

    python -m reference.bench_robot [--frames 200] [--scenes 500] [--model PATH] [--train]
                                   [--photos DIR] [--write]

0. With ``--train``: the wall time of ``make robot-model``'s training command
   (``python -m robot_lab.classifier``, into a temporary file), imports included.
1. Speed: ``recognise`` on simulated 640x480 frames with 3 cubes (ROS excluded),
   per frame, median and 95th percentile, with the share of each step.
2. Accuracy: 500 simulated scenes of the HIDDEN split (the autograder's digits;
   640x480 and 752x480 alternately) read by the ``make robot-model`` network:
   cubes found, cubes missed, false cubes (also on empty tables), labels right,
   corner error. Targets: every cube found, no false cube, >= 99 % labels right,
   <= 30 ms per frame.
3. With ``--photos DIR``: the same network on a folder of real camera photos laid
   out like ``../shared/real_cubes`` (labels from its ``truth.json`` or the file
   names, see :mod:`robot_lab.photos`): cubes found, false cubes, labels right,
   photos fully right, time per photo. Targets: all, 0, all, all.

``--write`` also saves the tables to reference/bench_robot.md. Timings are upper
bounds when the machine is shared.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from robot_lab import REPO_ROOT as REPO

from . import machine
from .machine import percentile


def header(model_path):
    import cv2
    import keras
    import tensorflow as tf

    return [
        "# Robot lab: vision pipeline benchmark",
        "",
        machine.describe() + "  ",
        f"Versions: Python {platform.python_version()}, numpy {np.__version__}, "
        f"OpenCV {cv2.__version__}, TensorFlow {tf.__version__}, Keras {keras.__version__}.  ",
        f"Model: `{Path(model_path).relative_to(REPO) if Path(model_path).is_relative_to(REPO) else model_path}` "
        "(`make robot-model`).  ",
        f"Command: `python -m reference.bench_robot {' '.join(sys.argv[1:])}`".rstrip() + "",
        "",
    ]


def bench_training():
    """Wall time and peak memory of the training command, run in a fresh process."""
    import resource
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "robot_lab.classifier", "--out", f"{tmp}/digits.keras"],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return [
        "## Training (`make robot-model`)",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| wall time, imports included | {wall:.0f} s |",
        f"| peak memory | {peak_mb:,.0f} MB |",
        "",
    ]


def bench_speed(model, n_frames, seed=0):
    """Time recognise() and its steps on n_frames simulated 640x480 frames of 3 cubes."""
    from robot_lab.classifier import predict_digits
    from robot_lab.pipeline import recognise
    from robot_lab.simulator import render_scene
    from robot_lab.vision import face_to_sprite, find_faces, to_gray, warp_face

    rng = np.random.default_rng(seed)
    frames = [render_scene(rng, n_cubes=3, size=(480, 640))[0] for _ in range(n_frames)]
    for frame in frames[:5]:
        recognise(frame, model)  # warm-up: the network's first calls trace it

    total, detect, cut, network = [], [], [], []
    for frame in frames:
        start = time.perf_counter()
        recognise(frame, model)
        total.append(time.perf_counter() - start)
        # The same steps one by one, to see where the time goes.
        t0 = time.perf_counter()
        gray = to_gray(frame)
        faces = find_faces(gray)
        t1 = time.perf_counter()
        sprites = np.stack([np.rot90(face_to_sprite(warp_face(gray, c)), k) for c in faces for k in range(4)])
        t2 = time.perf_counter()
        predict_digits(model, sprites)
        t3 = time.perf_counter()
        detect.append(t1 - t0)
        cut.append(t2 - t1)
        network.append(t3 - t2)

    def row(name, values):
        ms = [1000 * v for v in values]
        return f"| {name} | {statistics.median(ms):.1f} | {percentile(ms, 95):.1f} |"

    return [
        f"## Speed: one 640x480 frame with 3 cubes ({n_frames} frames, ROS excluded)",
        "",
        "| step | median ms | p95 ms |",
        "|---|---:|---:|",
        row("find_faces (threshold, contours, corners)", detect),
        row("warp + face_to_sprite, 3 faces (x4 turns)", cut),
        row("network, 12 sprites in one call", network),
        row("**recognise, whole frame** (target <= 30 ms)", total),
        "",
    ]


def bench_accuracy(model, n_scenes, n_empty, seed=2024):
    """Score recognise() on n_scenes hidden-split scenes and n_empty empty tables."""
    from robot_lab.pipeline import recognise
    from robot_lab.simulator import corner_error, match_cubes, render_scene

    rng = np.random.default_rng(seed)
    n_true = found = false = right = 0
    errors, confidences, wrong = [], [], []
    for i in range(n_scenes):
        size = (480, 640) if i % 2 == 0 else (480, 752)
        image, truth = render_scene(rng, size=size, split="hidden")
        cubes = recognise(image, model)
        pairs, missed, extra = match_cubes(cubes, truth)
        n_true += len(truth)
        found += len(pairs)
        false += len(extra)
        for cube, true in pairs:
            right += cube.label == true.label
            if cube.label != true.label:
                wrong.append(f"scene {i}: {true.label} read as {cube.label} ({cube.confidence:.2f})")
            errors.append(corner_error(cube.corners, true.corners))
            confidences.append(cube.confidence)
    empty_false = sum(len(recognise(render_scene(rng, n_cubes=0, split="hidden")[0], model)) for _ in range(n_empty))
    lines = [
        f"## Accuracy: {n_scenes} simulated scenes, HIDDEN split (seed {seed})",
        "",
        "| measure | value | target |",
        "|---|---:|---|",
        f"| cubes in the scenes | {n_true} | |",
        f"| cubes found | {found} ({100 * found / n_true:.2f} %) | all |",
        f"| false cubes | {false} | 0 |",
        f"| false cubes on {n_empty} empty tables | {empty_false} | 0 |",
        f"| labels right (of the cubes found) | {right} / {found} ({100 * right / max(found, 1):.2f} %) | >= 99 % |",
        f"| corner error, median / p95 / max (pixels) | {statistics.median(errors):.1f} / "
        f"{percentile(errors, 95):.1f} / {max(errors):.1f} | |",
        f"| confidence, median / 5th percentile | {statistics.median(confidences):.3f} / "
        f"{percentile(confidences, 5):.3f} | |",
        "",
    ]
    if wrong:
        lines += ["Misread cubes: " + "; ".join(wrong[:20]) + ("; ..." if len(wrong) > 20 else ""), ""]
    return lines


def bench_photos(model, folder):
    """Score recognise() on a folder of real photos (robot_lab.photos)."""
    from robot_lab.photos import score_photos, summary_table

    folder = Path(folder)
    scores = score_photos(folder, model)
    sizes = sorted({s.size for s in scores}, reverse=True)
    shown = Path(os.path.relpath(folder.resolve(), REPO)).as_posix()
    return [
        f"## Real photos: `{shown}` ({len(scores)} photos; {', '.join(f'{w}x{h}' for w, h in sizes)})",
        "",
        *summary_table(scores),
    ]


def main(argv=None):
    from robot_lab.classifier import DEFAULT_MODEL_PATH, load_model

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=200, help="frames timed (default 200)")
    parser.add_argument("--scenes", type=int, default=500, help="hidden scenes scored (default 500)")
    parser.add_argument("--empty", type=int, default=100, help="empty tables scored (default 100)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--train", action="store_true", help="also time the training (~1.5 min)")
    parser.add_argument(
        "--photos",
        type=Path,
        metavar="DIR",
        help="also score a folder of real photos laid out like ../shared/real_cubes "
        "(truth.json or labels in the file names)",
    )
    parser.add_argument("--write", action="store_true", help="also write reference/bench_robot.md")
    args = parser.parse_args(argv)

    try:
        if args.photos is not None:
            from robot_lab.photos import read_truth

            read_truth(args.photos)  # a bad folder stops the bench before minutes of work
        model = load_model(args.model)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    lines = header(args.model)
    print("\n".join(lines), flush=True)
    sections = [bench_training] if args.train else []
    sections += [lambda: bench_speed(model, args.frames), lambda: bench_accuracy(model, args.scenes, args.empty)]
    if args.photos is not None:
        sections.append(lambda: bench_photos(model, args.photos))
    for make_section in sections:
        section = make_section()
        print("\n".join(section), flush=True)
        lines += section
    if args.write:
        (REPO / "reference" / "bench_robot.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
