"""``python -m autograder.build [NAME ...]``: build the TPs' notebooks and zips, and the robot lab.

Without a name, every assignment: the TPs of ``assignments/`` (Otter notebooks), then the
robot lab (a Python package with holes, its guide and its zip; it needs the trained
network, ``make robot-model``).
"""

import argparse
import sys
import time
from pathlib import Path

from . import DEFAULT_DIST, LANGUAGES, BuildError, build, colab, list_assignments, robot_lab


def _shown(path):
    path = Path(path).resolve()
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


def build_one(name, languages, dist, model=None, colab_url=None):
    """Build assignment ``name``; returns the paths to print.

    With ``colab_url``, a TP also gets its Colab notebooks and student bundle (:mod:`.colab`).
    """
    if name == robot_lab.LAB:
        target = robot_lab.build_lab(languages, dist, model_path=model)
        folders = [
            f"{_shown(dist / lang / name)}/  (guide.ipynb, {name}/ with holes, {robot_lab.STUDENT_MODEL}, "
            "requirements.txt)"
            for lang in languages
        ]
        return [*folders, _shown(target)]
    target = build(name, languages, dist)
    shown = [*(_shown(dist / lang / name / "student" / f"{name}.ipynb") for lang in languages), _shown(target)]
    if colab_url:
        bundle = colab.build_colab(name, colab_url, dist, languages)
        shown += [*(_shown(dist / lang / name / "colab" / f"{name}.ipynb") for lang in languages), _shown(bundle)]
    return shown


def main(argv=None):
    names = [*list_assignments(), robot_lab.LAB]
    parser = argparse.ArgumentParser(prog="python -m autograder.build", description=__doc__.split("\n")[0])
    parser.add_argument(
        "assignments", nargs="*", metavar="NAME", help=f"names to build (default: all: {', '.join(names)})"
    )
    parser.add_argument("--lang", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    parser.add_argument("--dist", type=Path, default=DEFAULT_DIST, help="output folder (default: dist/)")
    parser.add_argument(
        "--model", type=Path, help="the robot lab's trained network (default: data/robot_lab/digits.keras)"
    )
    parser.add_argument(
        "--colab-url",
        help="also build each TP's Colab notebooks and its student bundle (dist/colab/<name>.zip), "
        "which the instructor publishes at this URL",
    )
    args = parser.parse_args(argv)
    for name in args.assignments or names:
        start = time.perf_counter()
        print(f"building {name} ({', '.join(args.lang)}) ...", flush=True)
        try:
            shown = build_one(name, args.lang, args.dist, args.model, args.colab_url)
        except BuildError as error:
            sys.exit(f"error: {error}")
        for line in shown:
            print(f"  {line}")
        print(f"  done in {time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    main()
