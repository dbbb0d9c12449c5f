"""Shared fixtures (one real build of each assignment per test session) and the ``ros`` marker.

Tests that need ROS 1 (``make ros``) carry the ``ros`` marker: without ROS they are
skipped, with the reason, so that ``make test-fast`` runs on a machine without it;
under ``make test``, which installs ROS first and sets ``ROBOT_LAB_REQUIRE_ROS=1``,
they run, and a missing ROS is a failure. ``tests/test_robot_ros.py`` imports rospy
at module level and skips itself the same way.
"""

import importlib.util
import os

import pytest

from autograder import build, checks

#: ROS 1's Python packages that the robot lab's service imports (Debian: ``make ros``).
ROS_MODULES = ("rospy", "genpy", "std_msgs", "sensor_msgs")

#: Tests outside tests/test_robot_ros.py that need ROS 1: they import the robot lab's
#: service (robot_lab/ros_service.py), whose messages come from ROS. Marked ``ros`` here.
NEEDS_ROS = {
    "tests/test_robot_student.py::test_untouched_student_version_imports_and_stops_with_clear_messages",
}


def missing_ros():
    """The ROS 1 packages of :data:`ROS_MODULES` that this Python cannot import (empty: ROS is here).

    Returns
    -------
    list of str
    """
    return [name for name in ROS_MODULES if importlib.util.find_spec(name) is None]


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "ros: needs ROS 1 (`make ros`); skipped without it, except under `make test` (ROBOT_LAB_REQUIRE_ROS=1)",
    )
    config.addinivalue_line(
        "markers",
        "ros2: needs ROS 2 (`make ros2`, .venv-ros2); tests/test_robot_ros2.py skips itself without it, "
        "except under `make test` (ROBOT_LAB_REQUIRE_ROS2=1)",
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid in NEEDS_ROS:
            item.add_marker(pytest.mark.ros)
    missing = missing_ros()
    if not missing or os.environ.get("ROBOT_LAB_REQUIRE_ROS") == "1":
        return
    skip = pytest.mark.skip(
        reason=f"ROS 1 is not installed (no {', '.join(missing)} module): "
        "`make ros` installs it from Debian/Ubuntu packages, `make test` does so first"
    )
    for item in items:
        if item.get_closest_marker("ros"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build an assignment once per session into a temporary dist/.

    Returns ``{"dist": dist folder, "zip": autograder zip, "mnist": the mnist.npz the zip ships}``.
    """
    cache = {}
    work = tmp_path_factory.mktemp("work")

    def _built(name):
        if name not in cache:
            dist = tmp_path_factory.mktemp(f"dist-{name}")
            zip_path = build.build(name, dist=dist, work=work)
            cache[name] = {"dist": dist, "zip": zip_path, "mnist": work / checks.MNIST_FILE}
        return cache[name]

    return _built


@pytest.fixture(scope="session")
def robot_model(tmp_path_factory):
    """The robot lab's digit network, small: trained 2 epochs on 12,000 MNIST training
    images (all ten digits) in seconds, once per session for every robot-lab test.

    Returns ``(model, path)``: the keras.Model and the ``.keras`` file it was saved to
    (what the ROS node and the grader load).
    """
    from robot_lab import classifier
    from robot_lab.mnist import load_mnist

    (x_train, y_train), _ = load_mnist()
    model = classifier.train_model(x_train[:12000], y_train[:12000], epochs=2, n_validation=2000, verbose=0)
    return model, classifier.save_model(model, tmp_path_factory.mktemp("robot_model") / "digits.keras")


@pytest.fixture(scope="session")
def robot_model_path(robot_model):
    """The ``.keras`` file of :func:`robot_model`'s network: what the ROS nodes load."""
    return robot_model[1]
