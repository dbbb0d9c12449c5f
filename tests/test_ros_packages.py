"""No ROS package the kit ships reaches outside its own folder.

colcon's ament_python build with ``--symlink-install`` joins each ``package_dir`` value of
``setup.py`` to the package's build folder and removes the result (``shutil.rmtree``): a
``package_dir`` three levels up made it delete the folder that holds the workspace. So every
ROS package here (the ROS 1 catkin package, the ROS 2 templates, the workspace that
``python -m robot_lab.ros2.workspace`` writes, the students' folder) is checked: no symbolic link,
``package_dir``, data file or CMake path that resolves above the package's own folder.
(tests/test_robot_colcon.py runs the real colcon builds.)
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import REPO_ROOT
from autograder.build import robot_lab as rlb
from robot_lab.ros2 import workspace

#: A ``..`` path segment in a CMake file: a path that climbs out of the package.
CMAKE_PARENT = re.compile(r"(^|[/\"'\s(])\.\.($|[/\"'\s)])", re.M)


def _inside(path, folder):
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


def _setup_paths(setup_py):
    """``[(what, relative path)]``: the ``package_dir`` values and data-file sources ``setup_py`` names.

    Read from the source (AST), not run: literal strings, and glob patterns given to ``glob()``.
    """
    found = []
    for node in ast.walk(ast.parse(setup_py.read_text(), str(setup_py))):
        if not isinstance(node, ast.keyword):
            continue
        if node.arg == "package_dir":
            found += [("package_dir", value) for value in ast.literal_eval(node.value).values()]
        elif node.arg == "data_files":
            for entry in node.value.elts:  # (destination, [sources] or glob(pattern))
                sources = entry.elts[1]
                found += [
                    ("data_files", leaf.value)
                    for leaf in ast.walk(sources)
                    if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str)
                ]
    return found


def reaches_outside(package):
    """What in the ROS package folder ``package`` points outside it; empty when nothing does.

    Returns
    -------
    list of str, one line per link, ``setup.py`` path or CMake path that resolves above ``package``.
    """
    package = Path(package)
    problems = []
    for path in sorted(package.rglob("*")):
        if path.is_symlink() and not _inside(path, package):
            problems.append(f"{path.relative_to(package)}: a link to {path.resolve()}")
    for setup_py in sorted(package.rglob("setup.py")):
        for what, value in _setup_paths(setup_py):
            if not _inside(setup_py.parent / value, package):
                problems.append(f"{setup_py.relative_to(package)}: {what} {value!r} is outside the package")
    for cmake in sorted(package.rglob("CMakeLists.txt")):
        for match in CMAKE_PARENT.finditer(cmake.read_text()):
            line = cmake.read_text()[: match.start()].count("\n") + 1
            problems.append(f"{cmake.relative_to(package)}:{line}: a path through '..'")
    return problems


def ros_packages(root):
    """The ROS packages (folders holding a ``package.xml``) under ``root``, sorted."""
    return sorted(p.parent for p in Path(root).rglob("package.xml") if "__pycache__" not in p.parts)


def test_the_check_finds_what_deleted_the_workspaces_parent(tmp_path):
    # Yesterday's ament_python package: its Python package three levels up, and a link out.
    package = tmp_path / "ws" / "src" / "robot_lab"
    package.mkdir(parents=True)
    (package / "setup.py").write_text(
        'from setuptools import setup\nsetup(name="robot_lab", packages=["robot_lab"], '
        'package_dir={"robot_lab": "../../.."}, data_files=[("share/robot_lab", ["../package.xml"])])\n'
    )
    (package / "CMakeLists.txt").write_text(
        'get_filename_component(KIT "${CMAKE_CURRENT_SOURCE_DIR}/../../.." REALPATH)\n'
    )
    (package / "srv").symlink_to(tmp_path)
    problems = reaches_outside(package)
    assert any("package_dir '../../..'" in p for p in problems), problems
    assert any("data_files '../package.xml'" in p for p in problems), problems
    assert any(p.startswith("CMakeLists.txt:1:") for p in problems), problems
    assert any(p.startswith("srv: a link") for p in problems), problems


def test_the_kits_ros_packages_stay_inside_their_folders():
    packages = ros_packages(REPO_ROOT / "robot_lab")
    names = {p.relative_to(REPO_ROOT).as_posix() for p in packages}
    assert names == {"robot_lab", "robot_lab/ros2/colcon/robot_lab", "robot_lab/ros2/colcon/robot_lab_interfaces"}
    for package in packages:
        assert reaches_outside(package) == [], package


def test_no_link_in_the_kit_points_outside_it():
    listed = subprocess.run(["git", "ls-files", "-s"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    links = [REPO_ROOT / line.split("\t", 1)[1] for line in listed.stdout.splitlines() if line.startswith("120000 ")]
    outside = [f"{p.relative_to(REPO_ROOT)} -> {p.resolve()}" for p in links if not _inside(p, REPO_ROOT)]
    assert outside == []


def test_the_ros2_templates_are_not_a_workspace_colcon_would_build():
    # The templates hold no Python package: colcon must skip them (build the written workspace).
    assert (workspace.TEMPLATES / "COLCON_IGNORE").is_file()


def test_the_written_workspace_holds_self_contained_packages(tmp_path):
    model = tmp_path / "digits.keras"
    model.write_bytes(b"a network")
    written = workspace.write_workspace(tmp_path / "ws" / "src", model=model)
    assert [p.name for p in written] == ["robot_lab", "robot_lab_interfaces"]
    for package in written:
        assert reaches_outside(package) == [], package
        assert not [p for p in package.rglob("*") if p.is_symlink()], "the workspace holds copies, not links"
    python_package = written[0] / "robot_lab"
    for module in [
        "__init__.py",
        "pipeline.py",
        "vision.py",
        "classifier.py",
        "ros_service.py",
        "ros2/vision_server.py",
    ]:
        assert (python_package / module).read_bytes() == (workspace.PACKAGE_DIR / module).read_bytes(), module
    assert not (python_package / "setup.py").exists(), "the ROS 1 package's setup.py is not a module"
    assert not (python_package / "grading").exists()
    assert (written[0] / "models" / "digits.keras").read_bytes() == b"a network"
    services = sorted(p.name for p in (written[1] / "srv").glob("*.srv"))
    assert services == sorted(p.name for p in (workspace.PACKAGE_DIR / "srv").glob("*.srv"))
    cmake = (written[1] / "CMakeLists.txt").read_text()
    assert set(re.findall(r"srv/(\w+\.srv)", cmake)) == set(services), "CMakeLists.txt names every service"


def test_writing_again_replaces_its_own_folders_and_nothing_else(tmp_path):
    src = tmp_path / "src"
    first = workspace.write_workspace(src, model=None)
    (first[0] / "robot_lab" / "stale.py").write_text("# a module deleted since\n")
    workspace.write_workspace(src, model=None)
    assert not (first[0] / "robot_lab" / "stale.py").exists()
    # A folder of the same name that this command did not write is the owner's: left alone.
    mine = tmp_path / "mine"
    (mine / "robot_lab").mkdir(parents=True)
    (mine / "robot_lab" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="was not written by"):
        workspace.write_workspace(mine, model=None)
    assert (mine / "robot_lab" / "notes.txt").read_text() == "mine"
    assert not (mine / "robot_lab_interfaces").exists()
    with pytest.raises(ValueError, match="inside the kit's own folder"):
        workspace.write_workspace(workspace.PACKAGE_DIR / "ros2" / "ws", model=None)


def test_the_students_folder_ships_no_package_that_reaches_outside(tmp_path):
    target = tmp_path / "student" / "robot_lab"
    rlb.write_student_package(target)
    packages = ros_packages(target)
    assert target in packages and target / "ros2" / "colcon" / "robot_lab" in packages
    for package in packages:
        assert reaches_outside(package) == [], package
    # The students' own copy of the command writes their package (holes and all).
    src = tmp_path / "ws" / "src"
    done = subprocess.run(
        [sys.executable, "-m", "robot_lab.ros2.workspace", str(src)],
        cwd=target.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "next: cd" in done.stdout and "colcon build" in done.stdout
    for package in ros_packages(src):
        assert reaches_outside(package) == [], package
    for module in ["vision.py", "pipeline.py"]:
        assert (src / "robot_lab" / "robot_lab" / module).read_text() == (target / module).read_text(), module
