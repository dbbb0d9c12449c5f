"""The robot lab on ROS 2 Jazzy: generated services, messages, the colcon package, the running nodes.

Runs under the ROS 2 venv (``make ros2``: ``.venv-ros2``, rclpy from PyPI wheels and the
services compiled by ``robot_lab.ros2.interfaces``); ``make test`` runs this module there
with ``ROBOT_LAB_REQUIRE_ROS2=1``, so that a missing ROS 2 is a failure, not a skip.
Elsewhere (the kit's ``.venv``, ``make test-fast``) it is skipped, with the reason.

Fast tests: the generated services have the ROS 1 fields; the shared message code
(``robot_lab.ros_service``) on ROS 2 messages; the colcon packages and the launch
file, checked without ``launch`` (no wheel exists). Slow tests: the real nodes
(``python -m robot_lab.ros2.vision_server`` and ``sim_camera``, what ``ros2 run`` runs)
as separate processes in a private DDS domain on loopback, called by an rclpy client
in this process, their answers compared byte for byte with the pipeline run here;
every process is stopped by its process group at the end.
"""

import ast
import importlib.util
import json
import os
import re
import sys
import time
import types
from pathlib import Path

import numpy as np
import pytest

try:
    import rclpy
    from rcl_interfaces.msg import Log
    from rclpy.serialization import serialize_message
    from robot_lab_interfaces.srv import RecogniseCubes, VisionPredict
    from sensor_msgs.msg import Image
except ImportError as error:
    # `make test` builds .venv-ros2 (`make ros2`) and runs this module there with
    # ROBOT_LAB_REQUIRE_ROS2=1: a missing ROS 2 is an error, so that CI never passes without it.
    _WHY = (
        f"ROS 2 is not in this Python ({error}): these tests run under .venv-ros2 "
        "(`make ros2` builds it; `make test` runs them there)"
    )
    if os.environ.get("ROBOT_LAB_REQUIRE_ROS2") == "1":
        raise ImportError(_WHY) from error
    pytest.skip(_WHY, allow_module_level=True)

from robot_lab import ros_service
from robot_lab.ros2 import interfaces, workspace
from robot_lab.ros2.processes import Ros2Processes

from .ros_common import CAMERA_SEED, SEEDS, WORKSHOP_FIELDS, bad_images, nothing_left_running, small_bgr, two_cubes

pytestmark = pytest.mark.ros2

ROBOT_LAB = Path(__file__).resolve().parent.parent / "robot_lab"
COLCON = ROBOT_LAB / "ros2" / "colcon"
# The same bad images as the ROS 1 tests, as ROS 2 messages.
BAD_IMAGES = bad_images(Image)


def srv_fields(path):
    """``(request fields, response fields)`` of a .srv file: [(type, name)] in order."""
    parts = [[], []]
    half = 0
    for line in Path(path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line == "---":
            half = 1
        elif line:
            kind, name = line.split()
            parts[half].append((kind, name))
    return parts


# -- generated services ----------------------------------------------------------------------


@pytest.mark.parametrize("service", [RecogniseCubes, VisionPredict], ids=lambda s: s.__name__)
def test_generated_services_have_the_ros1_fields_in_order(service):
    request, response = srv_fields(ROBOT_LAB / "srv" / f"{service.__name__}.srv")
    ros2_type = {
        "sensor_msgs/Image": "sensor_msgs/Image",
        "std_msgs/UInt32[]": "sequence<std_msgs/UInt32>",
        "float32[]": "sequence<float>",
    }
    assert list(service.Request.get_fields_and_field_types().items()) == [(n, ros2_type[t]) for t, n in request]
    assert list(service.Response.get_fields_and_field_types().items()) == [(n, ros2_type[t]) for t, n in response]
    assert [n for _, n in response][: len(WORKSHOP_FIELDS)] == WORKSHOP_FIELDS


def test_installed_interfaces_are_built_from_the_current_definitions():
    assert interfaces.is_current(), "srv/*.srv changed since `make ros2`: run it again"
    assert interfaces.fingerprint() != interfaces.fingerprint([ROBOT_LAB / "srv" / "VisionPredict.srv"])


# -- the shared message code on ROS 2 messages ------------------------------------------------


def test_images_round_trip_through_ros2_messages():
    bgr = small_bgr()
    message = ros_service.array_to_image(bgr)
    assert (message.encoding, message.height, message.width, message.step) == ("bgr8", 5, 7, 21)
    np.testing.assert_array_equal(ros_service.image_to_array(message), bgr)
    rgb = Image(height=5, width=7, encoding="rgb8", step=21, data=bgr[:, :, ::-1].tobytes())
    np.testing.assert_array_equal(ros_service.image_to_array(rgb), bgr)
    assert ros_service.is_empty(Image()) and not ros_service.is_empty(Image(encoding="bgr8"))


@pytest.mark.parametrize("make_image, error", BAD_IMAGES)
def test_bad_ros2_images_are_refused_with_what_was_expected(make_image, error):
    with pytest.raises(ValueError, match=error):
        ros_service.image_to_array(make_image())


def test_fill_response_and_copy_response_on_ros2_messages():
    response = ros_service.fill_response(two_cubes(), RecogniseCubes.Response())
    # It serialises (every field has the right type) and reads back, as a client gets it.
    back = ros_service.cubes_from_response(response)
    assert [c.label for c in back] == [2, 1] and back[1].center == (32.0, 325.0)
    np.testing.assert_array_equal(back[0].corners, [[10, 21], [110, 21], [109, 119], [9, 120]])
    assert serialize_message(response)
    workshop = ros_service.copy_response(response, VisionPredict.Response)
    assert isinstance(workshop, VisionPredict.Response)
    assert [v.data for v in workshop.label] == [2, 1] and [v.data for v in workshop.y4] == [120, 360]
    assert labels_and_positions(workshop) == labels_and_positions(response)


def labels_and_positions(response):
    """A response's labels and positions, serialised (CDR): equal bytes, equal answers."""
    if not isinstance(response, VisionPredict.Response):
        response = ros_service.copy_response(response, VisionPredict.Response)
    return serialize_message(response)


# -- the colcon packages and the launch file (no colcon, no `launch` here) ---------------------


def test_colcon_packages_are_ament_format_3():
    from catkin_pkg.package import parse_package

    node = parse_package(COLCON / "robot_lab")
    assert node.package_format == 3 and node.name == "robot_lab"
    assert node.get_build_type() == "ament_python"
    assert {"rclpy", "sensor_msgs", "robot_lab_interfaces", "launch_ros"} <= {d.name for d in node.exec_depends}
    srv = parse_package(COLCON / "robot_lab_interfaces")
    assert srv.package_format == 3 and srv.get_build_type() == "ament_cmake"
    assert "rosidl_interface_packages" in [g.name for g in srv.member_of_groups]
    cmake = (COLCON / "robot_lab_interfaces" / "CMakeLists.txt").read_text()
    # The CMake file names every service of robot_lab/srv (workspace.py copies them beside it).
    listed = set(re.findall(r"srv/(\w+\.srv)", cmake))
    assert listed == {p.name for p in (ROBOT_LAB / "srv").glob("*.srv")}


def setup_call(folder):
    """The keyword arguments of the ``setup(...)`` call in ``folder/setup.py``, evaluated."""
    tree = ast.parse((folder / "setup.py").read_text())
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "setup")
    namespace = {
        "PACKAGE": "robot_lab",
        "glob": lambda pattern: sorted(str(p.relative_to(folder)) for p in folder.glob(pattern)),
    }
    return {k.arg: eval(compile(ast.Expression(k.value), "setup.py", "eval"), namespace) for k in call.keywords}


@pytest.fixture
def written_package(tmp_path):
    """The ament_python package as ``python -m robot_lab.ros2.workspace`` writes it (with a network)."""
    model = tmp_path / "digits.keras"
    model.write_bytes(b"a network")
    return workspace.write_workspace(tmp_path / "src", model=model)[0]


def test_ament_python_setup_installs_the_kits_package_nodes_and_launch_file(written_package):
    folder = written_package
    setup = setup_call(folder)
    assert "package_dir" not in setup, "the Python packages lie in the package's own folder"
    for package in setup["packages"]:  # each package's folder, where setuptools finds it
        assert (folder / package.replace(".", "/") / "__init__.py").is_file(), package
    data = dict(setup["data_files"])
    assert data["share/robot_lab/launch"] == ["launch/robot_lab.launch.py"]
    assert data["share/robot_lab/models"] == ["models/digits.keras"]
    assert (folder / data["share/ament_index/resource_index/packages"][0]).is_file()
    scripts = dict(line.replace(" ", "").split("=") for line in setup["entry_points"]["console_scripts"])
    assert set(scripts) == {"vision_server", "sim_camera"}
    for target in scripts.values():
        module, function = target.split(":")
        assert re.search(rf"^def {function}\(", (ROBOT_LAB.parent / f"{module.replace('.', '/')}.py").read_text(), re.M)
    # ros2 run and the launch file look for executables in lib/<package>.
    assert "install_scripts=$base/lib/robot_lab" in (folder / "setup.cfg").read_text()


def test_setuptools_installs_the_package_as_colcon_would(written_package, tmp_path):
    import subprocess

    # What colcon's ament_python build runs, into a scratch install space (egg-info there too).
    root, prefix = tmp_path / "root", "/ws/install/robot_lab"
    done = subprocess.run(
        [
            sys.executable,
            "setup.py",
            "-q",
            "egg_info",
            "--egg-base",
            str(tmp_path),
            "build",
            "--build-base",
            str(tmp_path / "build"),
            "install",
            "--root",
            str(root),
            "--prefix",
            prefix,
            "--single-version-externally-managed",
        ],
        cwd=written_package,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    installed = root / prefix.lstrip("/")
    site = installed / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    for path in [
        "lib/robot_lab/vision_server",
        "lib/robot_lab/sim_camera",
        "share/robot_lab/package.xml",
        "share/robot_lab/launch/robot_lab.launch.py",
        "share/ament_index/resource_index/packages/robot_lab",
        "share/robot_lab/models/digits.keras",
    ]:
        assert (installed / path).is_file(), path
    for module in [
        "robot_lab/pipeline.py",
        "robot_lab/ros_service.py",
        "robot_lab/ros2/vision_server.py",
        "robot_lab/ros2/sim_camera.py",
        "robot_lab/mnist.py",
    ]:
        assert (site / module).is_file(), module
    assert not list(written_package.glob("*.egg-info")), "the build wrote into the source folder"


class Recorded:
    """Stands in for a launch class: keeps its arguments."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


def fake_launch_modules():
    """``launch`` and ``launch_ros`` as modules of :class:`Recorded` classes (no wheel exists)."""
    names = {
        "launch": ["LaunchDescription"],
        "launch.actions": ["DeclareLaunchArgument", "Shutdown"],
        "launch.conditions": ["IfCondition"],
        "launch.substitutions": ["LaunchConfiguration"],
        "launch_ros": [],
        "launch_ros.actions": ["Node"],
        "launch_ros.parameter_descriptions": ["ParameterValue"],
    }
    modules = {}
    for module, classes in names.items():
        modules[module] = types.ModuleType(module)
        for name in classes:
            setattr(modules[module], name, type(name, (Recorded,), {}))
    return modules


def declared_parameters(module):
    """Names of the parameters a node module declares (``declare_parameter("name", ...)``)."""
    return re.findall(r'declare_parameter\("(\w+)"', (ROBOT_LAB / "ros2" / f"{module}.py").read_text())


def test_launch_file_starts_both_nodes_with_their_parameters(monkeypatch):
    for name, module in fake_launch_modules().items():
        monkeypatch.setitem(sys.modules, name, module)
    path = COLCON / "robot_lab" / "launch" / "robot_lab.launch.py"
    spec = importlib.util.spec_from_file_location("launch_file", path)
    launch_file = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launch_file)
    description = launch_file.generate_launch_description()
    actions = description.args[0]
    declared = [a.args[0] for a in actions if type(a).__name__ == "DeclareLaunchArgument"]
    # The ROS 1 launch file's arguments, no more, no fewer.
    ros1 = re.findall(r'<arg name="(\w+)"', (ROBOT_LAB / "launch" / "robot_lab.launch").read_text())
    assert sorted(declared) == sorted(ros1)
    nodes = {a.kwargs["executable"]: a.kwargs for a in actions if type(a).__name__ == "Node"}
    assert set(nodes) == {"vision_server", "sim_camera"}
    for executable, node in nodes.items():
        assert node["package"] == "robot_lab" and node["name"] == executable
        parameters = node["parameters"][0]
        assert set(parameters) <= set(declared_parameters(executable))
        for value in parameters.values():  # every parameter comes from a declared launch argument
            assert value.args[0].args[0] in declared
    assert type(nodes["vision_server"]["on_exit"]).__name__ == "Shutdown"
    assert nodes["sim_camera"]["condition"].args[0].args[0] == "sim"
    assert [(a, b.args[0]) for a, b in nodes["sim_camera"]["remappings"]] == [("camera/image_raw", "camera_topic")]


# -- the running nodes (slow) -------------------------------------------------------------------


class Client:
    """An rclpy node in this process: service clients, and the error logs of /rosout."""

    def __init__(self):
        rclpy.init()
        self.node = rclpy.create_node("robot_lab_test_client")
        self.logs = []
        self.node.create_subscription(Log, "/rosout", self.logs.append, 100)

    def client(self, service_type, name):
        return self.node.create_client(service_type, name)

    def call(self, client, request, timeout=120):
        future = client.call_async(request)
        rclpy.spin_until_future_complete(self.node, future, timeout_sec=timeout)
        assert future.done(), f"no answer from {client.srv_name} in {timeout} s"
        return future.result()

    def wait_for_log(self, pattern, node="vision_server", timeout=10):
        """The first ERROR log of ``node`` matching ``pattern``, waiting for it up to ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for log in self.logs:
                if log.level == Log.ERROR and log.name == node and re.search(pattern, log.msg):
                    return log.msg
            rclpy.spin_once(self.node, timeout_sec=0.1)
        raise AssertionError(
            f"no error log of {node} matching {pattern!r}; its logs: {[(log.name, log.msg) for log in self.logs]}"
        )

    def close(self):
        self.node.destroy_node()
        rclpy.try_shutdown()


@pytest.fixture(scope="module")
def ros2(tmp_path_factory, robot_model_path):
    """The service and the simulated camera as separate processes, and a client in this process."""
    with nothing_left_running(Ros2Processes(tmp_path_factory.mktemp("ros2_home"))) as ros:
        ros.run_node("vision_server", "-p", f"model:={robot_model_path}")
        ros.run_node("sim_camera", "-p", f"seed:={CAMERA_SEED}", "-p", "cubes:=3")
        with ros.client_environment():
            client = Client()
            try:
                ros.client = client
                ros.recognise = client.client(RecogniseCubes, "/robot_lab/recognise_cubes")
                ros.predict = client.client(VisionPredict, "/ros4pro/vision/predict")
                ros.wait_for_service(ros.recognise)
                ros.wait_for_service(ros.predict)
                yield ros
            finally:
                client.close()


def request(image=None):
    return RecogniseCubes.Request(image=Image() if image is None else image)


def expected_response(image, model):
    from robot_lab import pipeline

    return ros_service.fill_response(pipeline.recognise(image, model), RecogniseCubes.Response())


@pytest.mark.slow
def test_client_process_gets_exactly_what_the_pipeline_says(ros2, robot_model):
    from robot_lab import simulator

    model, _ = robot_model
    for seed in SEEDS:
        image, truth = simulator.render_scene(np.random.default_rng(seed), n_cubes=3, size=(480, 640))
        response = ros2.client.call(ros2.recognise, request(ros_service.array_to_image(image)))
        expected = expected_response(image, model)
        assert len(response.label) == 3
        assert labels_and_positions(response) == labels_and_positions(expected)
        assert list(response.confidence) == pytest.approx(list(expected.confidence), abs=1e-5)
        found = sorted(c.label for c in ros_service.cubes_from_response(response))
        assert found == sorted(c.label for c in truth)
        # The workshop's service: the same answer without the confidences, byte for byte.
        workshop = ros2.client.call(ros2.predict, VisionPredict.Request(image=ros_service.array_to_image(image)))
        assert serialize_message(workshop) == labels_and_positions(expected)


@pytest.mark.slow
def test_empty_image_reads_the_simulated_camera(ros2, robot_model):
    from robot_lab import simulator

    model, _ = robot_model
    image, truth = simulator.render_scene(np.random.default_rng(CAMERA_SEED), n_cubes=3, size=(480, 640))
    deadline = time.monotonic() + 60
    while True:  # the camera's first image may still be on its way
        ros2.client.logs.clear()
        response = ros2.client.call(ros2.recognise, request())
        if len(response.label) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert labels_and_positions(response) == labels_and_positions(expected_response(image, model))
    assert len(response.label) == len(truth) == 3


@pytest.mark.slow
def test_a_table_without_cubes_gives_empty_lists(ros2):
    from robot_lab import simulator

    image, _ = simulator.render_scene(np.random.default_rng(0), n_cubes=0, size=(480, 640))
    response = ros2.client.call(ros2.recognise, request(ros_service.array_to_image(image)))
    assert all(len(getattr(response, f)) == 0 for f in RecogniseCubes.Response.get_fields_and_field_types())


@pytest.mark.slow
@pytest.mark.parametrize("make_image, error", BAD_IMAGES)
def test_bad_images_get_empty_lists_an_error_log_and_the_node_keeps_serving(ros2, robot_model, make_image, error):
    ros2.client.logs.clear()
    response = ros2.client.call(ros2.recognise, request(make_image()))
    assert all(len(getattr(response, f)) == 0 for f in RecogniseCubes.Response.get_fields_and_field_types())
    assert "answered with no cubes" in ros2.client.wait_for_log(error)
    # Still serving: the next, good request is answered, with the cubes.
    from robot_lab import simulator

    image, _ = simulator.render_scene(np.random.default_rng(SEEDS[0]), n_cubes=3, size=(480, 640))
    assert len(ros2.client.call(ros2.recognise, request(ros_service.array_to_image(image))).label) == 3
    ros2.check_alive("vision_server", "answers")


@pytest.mark.slow
def test_node_without_a_model_stops_and_says_how_to_train_one(ros2, tmp_path):
    node = ros2.run_node(
        "vision_server",
        "-p",
        f"model:={tmp_path / 'none.keras'}",
        "-r",
        "__node:=vision_server_no_model",
        name="vision_server_no_model",
    )
    status = node.wait(timeout=180)
    assert status != 0
    assert "python -m robot_lab.classifier" in ros2.output("vision_server_no_model")
    ros2.stop("vision_server_no_model")


@pytest.mark.slow
def test_empty_image_without_a_camera_gets_an_error(ros2, robot_model_path):
    ros2.run_node(
        "vision_server",
        "-p",
        f"model:={robot_model_path}",
        "-p",
        "camera_topic:=no_camera/image_raw",
        "-r",
        "__ns:=/no_camera",
        name="vision_server_no_camera",
    )
    try:
        recognise = ros2.client.client(RecogniseCubes, "/no_camera/robot_lab/recognise_cubes")
        ros2.wait_for_service(recognise, watch=("vision_server_no_camera",))
        ros2.client.logs.clear()
        response = ros2.client.call(recognise, request())
        assert len(response.label) == 0
        ros2.client.wait_for_log(
            r"image is empty and no image has arrived on the camera topic "
            r"/no_camera/no_camera/image_raw",
            node="no_camera.vision_server",
        )
    finally:
        ros2.stop("vision_server_no_camera")


@pytest.mark.slow
def test_command_line_client_process_prints_the_cubes(ros2, robot_model, tmp_path):
    import subprocess

    import cv2

    from robot_lab import pipeline, simulator

    model, _ = robot_model
    image, _ = simulator.render_scene(np.random.default_rng(SEEDS[1]), n_cubes=3, size=(480, 640))
    cv2.imwrite(str(tmp_path / "scene.png"), image)  # PNG: the same pixels back
    done = subprocess.run(
        [sys.executable, "-m", "robot_lab.ros2.client", str(tmp_path / "scene.png")],
        env=ros2.env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    expected = [pipeline.cube_to_json(c) for c in ros_service.cubes_from_response(expected_response(image, model))]
    assert [{k: v for k, v in p.items() if k != "image"} for p in printed] == expected
    # A service that is not there: a clear error, not a hang.
    done = subprocess.run(
        [sys.executable, "-m", "robot_lab.ros2.client", "--timeout", "1", str(tmp_path / "none.png")],
        env=ros2.env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 1 and "cannot read" in done.stderr


@pytest.mark.slow
def test_untouched_student_version_serves_and_says_which_function_to_write(ros2, robot_model_path, tmp_path):
    from autograder.build import robot_lab as robot_lab_build

    student = tmp_path / "student"
    robot_lab_build.write_student_package(student / "robot_lab")
    assert (student / "robot_lab" / "ros2" / "vision_server.py").is_file()
    ros2.env["PYTHONPATH"] = str(student)  # the student's robot_lab before the kit's
    try:
        ros2.run_node(
            "vision_server", "-p", f"model:={robot_model_path}", "-r", "__ns:=/student", name="vision_server_student"
        )
    finally:
        del ros2.env["PYTHONPATH"]
    try:
        recognise = ros2.client.client(RecogniseCubes, "/student/robot_lab/recognise_cubes")
        ros2.wait_for_service(recognise, watch=("vision_server_student",))
        from robot_lab import simulator

        image, _ = simulator.render_scene(np.random.default_rng(SEEDS[0]), n_cubes=3, size=(480, 640))
        ros2.client.logs.clear()
        response = ros2.client.call(recognise, request(ros_service.array_to_image(image)))
        assert len(response.label) == 0
        ros2.client.wait_for_log(
            r"NotImplementedError: robot_lab/\w+\.py, \w+\(\): yours to write", node="student.vision_server"
        )
        ros2.check_alive("vision_server_student", "a second request")
        assert len(ros2.client.call(recognise, request(ros_service.array_to_image(image))).label) == 0
    finally:
        ros2.stop("vision_server_student")
