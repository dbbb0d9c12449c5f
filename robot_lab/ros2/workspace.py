"""Lay out the robot lab's two ROS 2 packages in a colcon workspace's ``src/`` folder.

    python -m robot_lab.ros2.workspace ~/ros2_ws/src
    cd ~/ros2_ws && colcon build            # or colcon build --symlink-install

A ROS 2 package holds its own files, so that colcon's builds (``--symlink-install``'s links
included) only ever touch the workspace's ``build/``, ``install/`` and ``log/``. This writes
two self-contained packages from the templates in ``colcon/`` and this Python package::

    src/robot_lab/               ament_python: package.xml, setup.py, setup.cfg, resource/, launch/,
                                 robot_lab/ (the Python packages robot_lab and robot_lab.ros2, copied),
                                 models/digits.keras (the trained network, when there is one)
    src/robot_lab_interfaces/    ament_cmake: package.xml, CMakeLists.txt, srv/*.srv (copied)

The copies are taken from the robot_lab folder this module is in (the kit's, or a student's
with the holes filled in): after editing it, run this again, then ``colcon build``. A folder
this command wrote (it leaves a ``.robot_lab_workspace`` file) is replaced; any other folder
of those names is left alone, with an error.
"""

import argparse
import shutil
import sys
from pathlib import Path

from ..classifier import DEFAULT_MODEL_PATH

#: The Python package this module belongs to (the kit's robot_lab/ folder, or a student's).
PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: The two packages' templates (not buildable as they are: colcon skips the folder, see COLCON_IGNORE).
TEMPLATES = Path(__file__).resolve().parent / "colcon"
#: The Python packages the ament_python package installs (its setup.py's ``packages``), as folders.
PYTHON_PACKAGES = (Path("."), Path("ros2"))
#: Modules of those folders that are not the Python package's: the ROS 1 (catkin) package's setup.py.
NOT_PYTHON_PACKAGE = {Path("setup.py")}
#: Left in every folder this command writes: it may replace such a folder, and no other.
MARKER = ".robot_lab_workspace"
#: Where the trained network goes inside the ament_python package (setup.py installs it to share/).
MODEL_IN_PACKAGE = Path("models") / "digits.keras"


def _copy_files(files, source, destination):
    """Copy ``files`` (paths relative to ``source``) under ``destination`` as plain files.

    Symbolic links are followed: the copy holds the files themselves, never a link out of it.
    """
    for relative in files:
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, target)


def _fresh_folders(folders):
    """Empty ``folders`` for writing: create each, or replace it if this command wrote it.

    Raises FileExistsError, before anything is changed, when one of them exists and was not
    written by this command (no marker file): it is someone's, and is left as it is.
    """
    for folder in folders:
        if folder.is_symlink() or (folder.exists() and not (folder / MARKER).is_file()):
            raise FileExistsError(
                f"{folder} exists and was not written by `python -m robot_lab.ros2.workspace`: "
                "it is left as it is. Move it away, or give another workspace's src/ folder."
            )
    for folder in folders:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        (folder / MARKER).write_text("written by python -m robot_lab.ros2.workspace: replaced when it is run again\n")


def template_files(package):
    """The template files of ``package`` (``robot_lab`` or ``robot_lab_interfaces``), relative paths."""
    root = TEMPLATES / package
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def python_files():
    """The modules of the Python packages the ament_python package installs, relative to PACKAGE_DIR."""
    files = {folder / p.name for folder in PYTHON_PACKAGES for p in (PACKAGE_DIR / folder).glob("*.py")}
    return sorted(files - NOT_PYTHON_PACKAGE)


def write_workspace(src, model=DEFAULT_MODEL_PATH):
    """Write the packages ``robot_lab`` and ``robot_lab_interfaces`` into the folder ``src``.

    Parameters
    ----------
    src : str or Path
        A colcon workspace's source folder (``~/ros2_ws/src``); created if missing.
    model : str or Path or None, default DEFAULT_MODEL_PATH
        The trained network (.keras) to install under ``share/robot_lab/models/``, where the
        service finds it by default; skipped when None or missing (then give ``model:=``).

    Returns
    -------
    packages : list of Path
        The two package folders written.
    """
    src = Path(src).expanduser().resolve()
    if src == PACKAGE_DIR or PACKAGE_DIR in src.parents:
        raise ValueError(f"{src} is inside the kit's own folder: give a workspace's src/ folder, e.g. ~/ros2_ws/src")
    python_package = src / "robot_lab"
    interfaces = src / "robot_lab_interfaces"
    _fresh_folders([python_package, interfaces])

    _copy_files(template_files("robot_lab"), TEMPLATES / "robot_lab", python_package)
    _copy_files(python_files(), PACKAGE_DIR, python_package / "robot_lab")
    if model is not None and Path(model).is_file():
        (python_package / MODEL_IN_PACKAGE).parent.mkdir()
        shutil.copyfile(model, python_package / MODEL_IN_PACKAGE)

    _copy_files(template_files("robot_lab_interfaces"), TEMPLATES / "robot_lab_interfaces", interfaces)
    services = sorted(p.relative_to(PACKAGE_DIR) for p in (PACKAGE_DIR / "srv").glob("*.srv"))
    _copy_files(services, PACKAGE_DIR, interfaces)
    return [python_package, interfaces]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m robot_lab.ros2.workspace",
        description="Write the robot lab's ROS 2 packages into a colcon workspace's src/ folder.",
    )
    parser.add_argument("src", type=Path, help="the workspace's source folder, e.g. ~/ros2_ws/src")
    parser.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_MODEL_PATH,
        help=f"trained network to install with the package (default {DEFAULT_MODEL_PATH})",
    )
    args = parser.parse_args(argv)
    try:
        packages = write_workspace(args.src, args.model)
    except (FileExistsError, ValueError) as error:
        sys.exit(f"error: {error}")
    for package in packages:
        print(f"wrote {package}")
    if not (packages[0] / MODEL_IN_PACKAGE).is_file():
        print(f"no trained network at {args.model}: give the service model:=/path/to/digits.keras")
    print(f"next: cd {packages[0].parent.parent} && colcon build")


if __name__ == "__main__":
    main()
