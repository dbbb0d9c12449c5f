"""Make the ROS 2 Jazzy wheels from PyPI usable by ``colcon build`` in this Python's venv.

    python -m robot_lab.ros2.wheels          # make ros2 runs it once the wheels are installed

The wheels are built on a manylinux image whose Python lives in ``/opt/python/cpXY-cpXY``:
their exported CMake targets (``share/*/cmake/*Export.cmake``) name that image's Python and
numpy include folders, which do not exist here, and CMake stops at the Generate step
("Imported target ... includes non-existent path"). This rewrites those two paths to this
Python's include folder and this numpy's, in the venv's own files only. Running it again
changes nothing. A ROS 2 install from the distribution (``/opt/ros/jazzy``) needs none of this.
"""

import re
import sys
import sysconfig
from pathlib import Path

#: The build image's folders, as the wheels' CMake files name them.
BUILD_PYTHON_INCLUDE = re.compile(r"/opt/python/cp\d+-cp\d+/include/python3\.\d+")
BUILD_NUMPY_INCLUDE = re.compile(r"/opt/python/cp\d+-cp\d+/lib/python3\.\d+/site-packages/numpy/_core/include")


def local_includes():
    """``(Python include folder, numpy include folder)`` of this interpreter, both checked to exist.

    Raises FileNotFoundError naming what to install when Python's headers are missing.
    """
    import numpy

    python_include = Path(sysconfig.get_paths()["include"])
    if not (python_include / "Python.h").is_file():
        raise FileNotFoundError(
            f"no Python.h in {python_include}: the interfaces' C extension needs Python's headers "
            "(Debian/Ubuntu: apt-get install libpython3-dev)"
        )
    return python_include, Path(numpy.get_include())


def fix_cmake_exports(prefix=sys.prefix):
    """Rewrite the build image's include paths in the CMake files under ``prefix/share``.

    Parameters
    ----------
    prefix : str or Path, default sys.prefix
        The venv that holds the wheels (its ``share/`` folder is the ament prefix).

    Returns
    -------
    changed : list of Path
        The files rewritten (empty when there was nothing left to fix).
    """
    python_include, numpy_include = local_includes()
    changed = []
    for path in sorted(Path(prefix, "share").glob("*/cmake/*.cmake")):
        text = path.read_text()
        fixed = BUILD_NUMPY_INCLUDE.sub(str(numpy_include), text)
        fixed = BUILD_PYTHON_INCLUDE.sub(str(python_include), fixed)
        if fixed != text:
            path.write_text(fixed)
            changed.append(path)
    return changed


def main():
    try:
        changed = fix_cmake_exports()
    except FileNotFoundError as error:
        sys.exit(f"error: {error}")
    print(f"robot_lab.ros2.wheels: {len(changed)} CMake file(s) of {sys.prefix}/share now name this Python's includes")


if __name__ == "__main__":
    main()
