"""What the ROS 1 and ROS 2 tests (test_robot_ros.py, test_robot_ros2.py) share.

The scenes the running services are called on, the sample images and cubes of the
message tests, the bad image messages that both services refuse, and the check that the
processes a fixture started are all gone at its end. The test modules import it once they
have found their ROS (:mod:`robot_lab.ros_service` imports ``sensor_msgs``, ROS 1's in the
kit's ``.venv``, ROS 2's in ``.venv-ros2``), and pass it that ROS's Image class.
"""

import contextlib
import os
import time

import numpy as np
import pytest

from robot_lab import ros_service
from robot_lab.pipeline import Cube

#: Seeds of the simulated 640x480 scenes, 3 cubes each, sent to the running services.
SEEDS = [3, 11, 12, 21]
#: The simulated camera's seed (its scene also has 3 cubes).
CAMERA_SEED = 5

#: The responses' position fields, and the ROS4PRO workshop's fields (labels first) in their order.
POSITION_FIELDS = ["x_center", "y_center"] + [f"{axis}{k}" for k in range(1, 5) for axis in "xy"]
WORKSHOP_FIELDS = ["label", *POSITION_FIELDS]


def small_bgr(seed=0, shape=(5, 7, 3)):
    """A small random image: ndarray ``shape`` uint8."""
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def cube(label, confidence, corners):
    """A :class:`~robot_lab.pipeline.Cube` with these corners (4 x 2, pixels), centred on their mean."""
    corners = np.asarray(corners, np.float32)
    return Cube(label=label, confidence=confidence, center=tuple(corners.mean(axis=0)), corners=corners)


def two_cubes():
    """Two cubes for the responses: corners with fractions to round, and one corner left of the image (x < 0)."""
    return [
        cube(2, 0.875, [[10.4, 20.6], [110.5, 21], [109, 119.49], [9, 120]]),
        cube(1, 0.5, [[-2.7, 300], [60, 290], [70, 350], [0.4, 360]]),
    ]


def bad_images(Image):
    """Image messages that :func:`robot_lab.ros_service.image_to_array` refuses, and why.

    Parameters
    ----------
    Image : class
        ``sensor_msgs.msg.Image``, ROS 1's or ROS 2's.

    Returns
    -------
    list of pytest.param ``(make_image, error)``, each with its id: ``make_image()`` makes the
    message, ``error`` is a regular expression that the ValueError's message matches.
    """
    huge = ros_service.MAX_SIDE + 1
    cases = [
        (
            "encoding",
            lambda: Image(height=2, width=2, encoding="16UC1", step=4, data=bytes(8)),
            r"unsupported image encoding '16UC1': expected one of bgr8, rgb8, mono8, bgra8, rgba8",
        ),
        ("no-encoding", lambda: Image(height=2, width=2, step=6, data=bytes(12)), r"unsupported image encoding ''"),
        (
            "step",
            lambda: Image(height=5, width=7, encoding="bgr8", step=20, data=bytes(100)),
            r"step is 20 bytes.*expected step >= width x 3 = 21",
        ),
        (
            "truncated",
            lambda: Image(height=5, width=7, encoding="bgr8", step=21, data=bytes(21 * 5 - 1)),
            r"has 104 bytes: expected step x height = 21 x 5 = 105",
        ),
        ("zero-size", lambda: Image(height=0, width=0, encoding="bgr8", step=0, data=b""), r"no pixels \(0x0\)"),
        ("zero-width", lambda: Image(height=480, width=0, encoding="mono8", step=0, data=b""), r"no pixels \(0x480\)"),
        (
            "huge",
            lambda: Image(height=1, width=huge, encoding="mono8", step=huge, data=bytes(huge)),
            r"is 4097x1 pixels: expected at most 4096x4096",
        ),
    ]
    return [pytest.param(make_image, error, id=name) for name, make_image, error in cases]


def running_groups(groups, wait=5.0):
    """The process groups among ``groups`` (ids) that still exist after ``wait`` seconds at most."""
    deadline = time.monotonic() + wait
    while True:
        alive = []
        for group in groups:
            try:
                os.killpg(group, 0)
                alive.append(group)
            except ProcessLookupError:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


@contextlib.contextmanager
def nothing_left_running(processes):
    """Give ``processes`` (a RosProcesses or Ros2Processes) to the block; at its end, however it
    ends, stop every process group still there and fail if one of them outlives the stop."""
    try:
        yield processes
    finally:
        groups = [process.pid for process in processes.processes.values()]
        processes.stop()
        assert not running_groups(groups), "processes left running after the tests"
