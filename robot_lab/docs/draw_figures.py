"""Draw the README's figure of the simulated camera's conditions (issue 9).

Simulated scenes only, drawn by :mod:`robot_lab.simulator`, beside a schematic of the
side view; the real photos they imitate are named, never copied.

    python -m robot_lab.docs.draw_figures      # writes robot_lab/docs/simulated_conditions.png
"""

import argparse
import dataclasses
import io
from pathlib import Path

import cv2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from robot_lab.simulator import Conditions, render_scene  # noqa: E402

HERE = Path(__file__).resolve().parent
FIGURE = HERE / "simulated_conditions.png"

# One scene a panel: (title, seed, render_scene keyword arguments).
SCENES = [
    (
        "side view, dim (like cubes/straight)",
        3,
        dict(
            n_cubes=1,
            size=(480, 752),
            view="side",
            conditions=Conditions(lighting="dim", frame="notched", ink_thickening=0.012, digit_turns=0),
        ),
    ),
    (
        "side view, bright, on fabric (like ergo_cubes)",
        6,
        dict(
            n_cubes=3,
            view="side",
            conditions=Conditions(lighting="bright", frame="dashed", top_face_depth=0.12, gripper=False, digit_turns=0),
        ),
    ),
    (
        "top view, normal light, a table's edge",
        2,
        dict(n_cubes=3, view="top", conditions=Conditions(lighting="normal", table_edge=True)),
    ),
]

# Close-ups of one face each: (title, seed, conditions).
FACES = [
    ("uneven light: ratio 0.4", 21, Conditions(face_light_ratio=0.4, frame="none")),
    ("notched frame", 22, Conditions(frame="notched", face_light_ratio=0.9)),
    ("marker, European '1'", 37, Conditions(ink_thickening=0.015, digit_span=0.95, european_one=True)),
    ("ragged edge, JPEG 60", 24, Conditions(ragged_edge=0.02, jpeg_quality=60)),
]


def face_close_up(seed, conditions, n=160):
    """One cube's digit face, side view, cut out along its true corners: (n, n) uint8."""
    conditions = dataclasses.replace(conditions, view="side", lighting="normal", digit_turns=0)
    image, truth = render_scene(np.random.default_rng(seed), n_cubes=1, conditions=conditions)
    corners = truth[0].corners
    centre = corners.mean(axis=0)
    outer = centre + (corners - centre) * 1.25  # a margin around the face
    square = np.float32([[0, 0], [n, 0], [n, n], [0, n]])
    homography = cv2.getPerspectiveTransform(outer.astype(np.float32), square)
    return cv2.warpPerspective(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), homography, (n, n))


def draw_schematic(ax):
    """The side view: the digit face (the truth's corners), the top face above it, a side face."""
    front = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], float)
    depth = np.array([0.25, -0.25])
    top = np.array([front[0] + depth, front[1] + depth, front[1], front[0]])
    flank = np.array([front[1], front[1] + depth, front[2] + depth, front[2]])
    for quad, colour, name in (
        (top, "0.97", "top face\n(brightest)"),
        (flank, "0.55", "side\nface"),
        (front, "0.85", "digit face"),
    ):
        ax.add_patch(plt.Polygon(quad, facecolor=colour, edgecolor="k"))
        ax.text(*quad.mean(axis=0), name, ha="center", va="center", fontsize=8)
    ax.plot(front[:, 0], front[:, 1], "o", color="tab:red", markersize=4)
    ax.text(0.5, 1.12, "Cube.corners: the digit face", ha="center", fontsize=8, color="tab:red")
    ax.set_xlim(-0.15, 1.4)
    ax.set_ylim(1.25, -0.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("side view (schematic)", fontsize=9)


def draw(path=FIGURE):
    fig = plt.figure(figsize=(11, 5.6), dpi=72)
    grid = fig.add_gridspec(2, 12, height_ratios=[1.35, 1])
    for k, (title, seed, kwargs) in enumerate(SCENES):
        ax = fig.add_subplot(grid[0, 4 * k : 4 * k + 4])
        image, truth = render_scene(np.random.default_rng(seed), **kwargs)
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        ax.imshow(image)
        for cube in truth:
            ax.plot(*np.vstack([cube.corners, cube.corners[:1]]).T, color="tab:red", linewidth=0.8)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    for k, (title, seed, conditions) in enumerate(FACES):
        ax = fig.add_subplot(grid[1, 2 * k : 2 * k + 2])
        ax.imshow(face_close_up(seed, conditions), cmap="gray", vmin=0, vmax=255)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    draw_schematic(fig.add_subplot(grid[1, 8:12]))
    fig.suptitle("Simulated robot-camera scenes (robot_lab.simulator); red: the truth's digit faces", fontsize=10)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    # A 128-colour palette keeps the committed figure small.
    Image.open(buffer).convert("RGB").quantize(128).save(path, optimize=True)
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIGURE, help=f"PNG to write (default {FIGURE})")
    written = draw(parser.parse_args().out)
    print(f"{written}: {written.stat().st_size // 1024} KB")
