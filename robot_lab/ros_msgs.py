"""Python code for the robot lab's ROS services, generated from ``srv/`` without catkin.

In a catkin workspace, ``catkin_make`` runs genpy on ``srv/*.srv`` and puts the
result in the devel space, where ``from robot_lab.srv import RecogniseCubes``
finds it. This module does the same without catkin: it runs genpy's own script
(``gensrv_py.py``) on the ``.srv`` files into ``build/ros/python/robot_lab/srv/``
(git-ignored) and adds that folder to the ``robot_lab`` package's path, as
catkin's devel space does. The command below runs it; the nodes call
:func:`import_srv`, which regenerates the code when a ``.srv`` file changed.

    python -m robot_lab.ros_msgs            # generate into build/ros/python

Command-line tools that run under Debian's own Python (``rosservice call``) find
the generated code with ``PYTHONPATH=build/ros/python``.
"""

import argparse
import glob
import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import REPO_ROOT

#: This package's service definitions.
SRV_DIR = Path(__file__).resolve().parent / "srv"

#: Where the generated code goes: ``GENERATED_DIR / "robot_lab" / "srv" / "__init__.py"``.
GENERATED_DIR = REPO_ROOT / "build" / "ros" / "python"

#: The message packages the services use.
DEPENDENCIES = ("std_msgs", "sensor_msgs")

# Where ROS 1 installs its message definitions and genpy's scripts: Debian and
# Ubuntu's own packages (/usr), the ROS Noetic binaries (/opt/ros/noetic).
_SHARE_DIRS = ["/usr/share", *sorted(glob.glob("/opt/ros/*/share"))]
_GENPY_SCRIPTS = ["/usr/lib/genpy/gensrv_py.py", *sorted(glob.glob("/opt/ros/*/lib/genpy/gensrv_py.py"))]

_MISSING_ROS = "Install ROS 1 from your system's packages (Debian 12, Ubuntu 24.04: see README.md)."


def find_msg_dir(package):
    """The folder that holds the ``.msg`` files of a ROS message package.

    Looks in ``$ROS_PACKAGE_PATH``, then in ``/usr/share`` and ``/opt/ros/*/share``.

    Parameters
    ----------
    package : str, e.g. ``"std_msgs"``

    Returns
    -------
    pathlib.Path, a folder ``<...>/<package>/msg``

    Raises
    ------
    FileNotFoundError
        when no such folder exists (ROS not installed).
    """
    roots = [p for p in os.environ.get("ROS_PACKAGE_PATH", "").split(os.pathsep) if p]
    candidates = [Path(root) / package / "msg" for root in roots + _SHARE_DIRS]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"no message definitions for {package}: looked for {', '.join(map(str, candidates))}. {_MISSING_ROS}"
    )


def _gensrv_script():
    for script in _GENPY_SCRIPTS:
        if Path(script).is_file():
            return script
    raise FileNotFoundError(f"genpy's gensrv_py.py is not in {', '.join(_GENPY_SCRIPTS)}. {_MISSING_ROS}")


def generate(srv_files=None, package="robot_lab", out_dir=GENERATED_DIR):
    """Generate the Python code of ROS services with genpy, as catkin would.

    Parameters
    ----------
    srv_files : list of path, default every ``srv/*.srv`` of this package
    package : str, default ``"robot_lab"``
        The ROS package the services belong to (their Python package).
    out_dir : path, default :data:`GENERATED_DIR`
        Import root: the code lands in ``out_dir/<package>/srv/``.

    Returns
    -------
    pathlib.Path, the generated ``srv`` folder (``__init__.py`` and one module per service).
    """
    srv_files = sorted(Path(f).resolve() for f in (srv_files or SRV_DIR.glob("*.srv")))
    srv_dir = Path(out_dir) / package / "srv"
    srv_dir.parent.mkdir(parents=True, exist_ok=True)
    script = _gensrv_script()
    includes = [f"-I{package}:{srv_files[0].parent}"]
    includes += [f"-I{dep}:{find_msg_dir(dep)}" for dep in DEPENDENCIES]
    # Generate next to the target, then swap it in, so that a reader never sees half a folder.
    tmp = tempfile.mkdtemp(dir=srv_dir.parent, prefix=".srv-")
    os.chmod(tmp, 0o755)
    try:
        for args in ([*includes, *map(str, srv_files)], ["--initpy"]):
            done = subprocess.run(
                [sys.executable, script, "-p", package, "-o", tmp, *args], capture_output=True, text=True
            )
            if done.returncode != 0:
                raise RuntimeError(
                    f"{Path(script).name} failed on {', '.join(f.name for f in srv_files)}:\n{done.stdout}{done.stderr}"
                )
        (Path(tmp) / _STAMP).write_text(_fingerprint(srv_files))
        shutil.rmtree(srv_dir, ignore_errors=True)
        try:
            os.rename(tmp, srv_dir)
        except OSError:  # another process generated the same code at the same moment
            if not _is_current(srv_dir, srv_files):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return srv_dir


_STAMP = ".srv.sha256"


def _fingerprint(srv_files):
    digest = hashlib.sha256()
    for srv in srv_files:
        digest.update(srv.name.encode() + b"\0" + srv.read_bytes() + b"\0")
    return digest.hexdigest()


def _is_current(srv_dir, srv_files):
    stamp = Path(srv_dir) / _STAMP
    return stamp.is_file() and stamp.read_text() == _fingerprint(srv_files)


def generate_if_stale(out_dir=GENERATED_DIR):
    """Run :func:`generate` unless the code in ``out_dir`` matches ``srv/*.srv`` already.

    Returns
    -------
    pathlib.Path, the generated ``srv`` folder.
    """
    srv_dir = Path(out_dir) / "robot_lab" / "srv"
    if _is_current(srv_dir, sorted(SRV_DIR.glob("*.srv"))):
        return srv_dir
    return generate(out_dir=out_dir)


def import_srv():
    """Import ``robot_lab.srv``, the services' message classes, generating them if needed.

    In a catkin workspace the devel space already provides ``robot_lab.srv``; it is
    used as is. Elsewhere the code is (re)generated into :data:`GENERATED_DIR` and
    that folder joins ``robot_lab.__path__``, so that ``from robot_lab.srv import
    RecogniseCubes`` works from then on, as in a catkin workspace.

    Returns
    -------
    module ``robot_lab.srv``, with ``RecogniseCubes``, ``RecogniseCubesRequest``,
    ``RecogniseCubesResponse``, ``VisionPredict``, ``VisionPredictRequest``,
    ``VisionPredictResponse``.
    """
    import robot_lab

    catkin_built = any((Path(p) / "srv" / "__init__.py").is_file() for p in robot_lab.__path__)
    if not catkin_built:
        generated = str(generate_if_stale().parent)
        if generated not in robot_lab.__path__:
            robot_lab.__path__.append(generated)
    return importlib.import_module("robot_lab.srv")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=GENERATED_DIR, help=f"import root of the generated code (default {GENERATED_DIR})"
    )
    args = parser.parse_args(argv)
    srv_dir = generate(out_dir=args.out)
    for module in sorted(srv_dir.glob("*.py")):
        print(module)
    print(f"rosservice and other tools under Debian's Python: export PYTHONPATH={args.out}")


if __name__ == "__main__":
    main()
