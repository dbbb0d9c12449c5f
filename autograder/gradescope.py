"""Run an autograder zip the way Gradescope runs it, on this machine, and check its results.

Gradescope builds an image from the zip once (``setup.sh``), then for each
submission lays out ``/autograder`` and runs ``/autograder/run_autograder``::

    /autograder/source/              the zip, unpacked
    /autograder/run_autograder       copied from source/
    /autograder/submission/          the student's files
    /autograder/submission_metadata.json
    /autograder/results/results.json what run_autograder must write

Otter 7's scripts hard-code that layout: ``run_autograder`` runs
``python /autograder/source/run_otter.py`` in the conda environment
``otter-env`` (``mamba activate otter-env``), and ``run_otter.py`` calls
``run_autograder("/autograder")``, an argument that overrides the
``autograder_dir`` key of ``otter_config.json`` (so no configuration moves it).
To run the zip's own scripts unchanged, ``run_in_layout``

- lays the tree out in a folder of its own and runs ``run_autograder`` in a
  private mount namespace (``unshare --mount``, root only) where that folder is
  bind-mounted on ``/autograder``: the scripts see Gradescope's paths, nothing
  is visible to other processes, nothing is left mounted, and concurrent runs
  do not see each other's trees. The only trace on the machine is the empty
  directory ``/autograder`` that serves as mount point.
- stands in for conda: ``setup.sh`` installs Miniforge from GitHub and builds
  ``otter-env`` from the zip's ``environment.yml`` (needs the internet beyond
  PyPI, so it cannot run here). ``make_environment`` builds a venv with the
  same Python minor version and the same pip requirements (the conda packages
  that PyPI also has are installed with pip), and a ``mamba`` script first on
  the PATH turns ``mamba activate otter-env`` into activating that venv.

Not exercised here, and so only as good as Otter's template: ``setup.sh``
itself (apt packages, Miniforge, conda's ``nb_conda_kernels``, Playwright's
Chromium, all used only for PDFs, which the kit turns off).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from .grade import GradingError, watch

MOUNT_POINT = Path("/autograder")
CONDA_ENV = "otter-env"
# Conda packages of Otter's environment.yml that a venv gets another way: pip
# comes with every venv, python is the venv's own interpreter.
CONDA_ONLY = {"pip", "python"}

# Stands in for `mamba` in run_autograder's two calls: `mamba shell hook --shell bash`
# prints a shell function, with which `mamba activate otter-env` activates the venv.
_MAMBA = """#!/bin/bash
# Stand-in for mamba (see autograder/gradescope.py): otter-env is the venv at $KIT_OTTER_ENV.
if [ "$*" = "shell hook --shell bash" ]; then
  cat <<'HOOK'
mamba() {
  if [ "$1" = activate ] && [ "$2" = otter-env ]; then source "$KIT_OTTER_ENV/bin/activate"
  else echo "mamba stand-in: only 'mamba activate otter-env' is supported, got: mamba $*" >&2; return 1; fi
}
HOOK
else
  echo "mamba stand-in: unsupported: mamba $*" >&2; exit 1
fi
"""


def environment_spec(autograder_zip):
    """What the zip's ``environment.yml`` asks for.

    Returns
    -------
    python : str
        The Python version of the conda environment (``"3.11"``).
    conda : list of str
        The other conda packages (e.g. ``"jupyter_server"``).
    pip : list of str
        The pip requirements (e.g. ``"tensorflow-cpu==2.21.0"``).
    """
    import yaml

    with zipfile.ZipFile(autograder_zip) as z:
        spec = yaml.safe_load(z.read("environment.yml"))
    python, conda, pip = None, [], []
    for dependency in spec["dependencies"]:
        if isinstance(dependency, dict):
            pip.extend(dependency.get("pip", []))
        elif dependency.split("=")[0] == "python":
            python = dependency.split("=", 1)[1]
        else:
            conda.append(dependency)
    return python, conda, pip


def unpinned(requirements):
    """The requirements of a list (pip syntax) that do not name one exact version (``==``)."""
    from packaging.requirements import Requirement

    def pinned(requirement):
        specs = list(Requirement(requirement).specifier)
        return len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version

    return [r for r in requirements if not pinned(r)]


def find_python(version):
    """An interpreter of Python ``version`` (``"3.11"``) on this machine, or ``None``."""
    candidates = [sys.executable, shutil.which(f"python{version}"), "/usr/bin/python3", shutil.which("python3")]
    for candidate in filter(None, candidates):
        found = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True
        )
        if found.returncode == 0 and found.stdout.strip() == version:
            return candidate
    return None


def make_environment(autograder_zip, venv):
    """Build a fresh venv at ``venv`` from the zip's ``environment.yml``; returns the seconds it took.

    The venv has no access to system packages (``--system-site-packages`` is off),
    like a fresh image: whatever the notebooks import must come from the zip.
    """
    version, conda, pip = environment_spec(autograder_zip)
    python = find_python(version)
    if python is None:
        raise RuntimeError(f"the zip's environment asks for Python {version}; no python{version} found on this machine")
    start = time.perf_counter()
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    requirements = pip + [c for c in conda if c not in CONDA_ONLY]
    done = subprocess.run(
        [
            str(Path(venv) / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *requirements,
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pip could not install the zip's requirements:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return time.perf_counter() - start


def lay_out(autograder_zip, submission, root):
    """Lay out Gradescope's ``/autograder`` tree in the folder ``root``; returns ``root``.

    ``submission`` is a notebook, or a zip (what ``grader.export()`` writes) that
    Gradescope unpacks into ``submission/``.
    """
    root = Path(root)
    for folder in ("source", "submission", "results"):
        (root / folder).mkdir(parents=True)
    with zipfile.ZipFile(autograder_zip) as z:
        z.extractall(root / "source")
    for script in ("run_autograder", "setup.sh"):  # zipfile drops the executable bit
        (root / "source" / script).chmod(0o755)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    submission = Path(submission)
    if submission.suffix == ".zip":
        with zipfile.ZipFile(submission) as z:
            z.extractall(root / "submission")
    else:
        shutil.copy(submission, root / "submission" / submission.name)
    # Gradescope's documented metadata (only Otter's plugins read it).
    metadata = {
        "id": 1,
        "created_at": "2026-01-01T00:00:00Z",
        "submission_method": "upload",
        "assignment": {"id": 1, "title": "kit test", "total_points": None},
        "users": [{"email": "student@example.org", "id": 1, "name": "Student"}],
        "previous_submissions": [],
    }
    (root / "submission_metadata.json").write_text(json.dumps(metadata))
    return root


def run_in_layout(autograder_zip, submission, root, venv, timeout=900):
    """Run the zip's own ``run_autograder`` on ``submission`` as Gradescope would.

    Parameters
    ----------
    autograder_zip, submission : path-like
    root : path-like
        A folder that does not exist yet: it gets the ``/autograder`` tree (see ``lay_out``).
    venv : path-like
        The environment ``make_environment`` built from this zip.
    timeout : float
        Seconds before the run is killed (Gradescope's own timeout does the same).

    Returns
    -------
    results : dict
        ``results/results.json`` as run_autograder wrote it.
    run : dict
        ``wall_s``, ``peak_memory_mb`` (the run's process tree, kernel included),
        ``log`` (its stdout and stderr), ``root`` (the tree, left for inspection).
    """
    if os.geteuid() != 0:
        raise RuntimeError("running run_autograder at /autograder needs root (a private mount namespace)")
    root = lay_out(autograder_zip, submission, root)
    shims = root.parent / f"{root.name}-bin"
    shims.mkdir()
    (shims / "mamba").write_text(_MAMBA)
    (shims / "mamba").chmod(0o755)
    MOUNT_POINT.mkdir(exist_ok=True)
    env = {**os.environ, "PATH": f"{shims}:{os.environ['PATH']}", "KIT_OTTER_ENV": str(Path(venv).resolve())}
    env.pop("VIRTUAL_ENV", None)
    script = f'mount --bind "{root.resolve()}" {MOUNT_POINT} && cd {MOUNT_POINT} && exec ./run_autograder'
    log_path = root.parent / f"{root.name}.log"
    with open(log_path, "w") as log:
        start = time.perf_counter()
        process = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "bash", "-c", script],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tempfile.gettempdir(),
        )
        peak = watch(process, timeout)
    run = {
        "wall_s": time.perf_counter() - start,
        "peak_memory_mb": round(peak / 2**20),
        "log": log_path.read_text(errors="replace"),
        "root": root,
    }
    results_file = root / "results" / "results.json"
    if process.returncode != 0 or not results_file.is_file():
        raise GradingError("crash", f"run_autograder exited with {process.returncode}:\n{run['log'][-3000:]}")
    return json.loads(results_file.read_text()), run


# --- Gradescope's results.json, as documented ----------------------------------------
# https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output format").

VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
OUTPUT_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
TOP_LEVEL_KEYS = {
    "score": (int, float),
    "execution_time": (int, float),
    "output": str,
    "output_format": str,
    "test_output_format": str,
    "test_name_format": str,
    "visibility": str,
    "stdout_visibility": str,
    "extra_data": dict,
    "tests": list,
    "leaderboard": list,
}
TEST_KEYS = {
    "score": (int, float),
    "max_score": (int, float),
    "status": str,
    "name": str,
    "name_format": str,
    "number": str,
    "output": str,
    "output_format": str,
    "tags": list,
    "visibility": str,
    "extra_data": dict,
}


def schema_errors(results):
    """What in ``results`` (a parsed ``results.json``) Gradescope's documented format does not allow.

    Checked: known keys with the documented types; ``visibility`` and
    ``stdout_visibility`` among hidden/after_due_date/after_published/visible;
    test ``status`` passed/failed; formats among text/html/simple_format/md/ansi;
    a score either at the top or on the tests (Gradescope sums the tests'
    scores when the top has none); 0 ≤ score ≤ max_score on each test.

    Returns
    -------
    list of str
        One message per problem; empty when Gradescope accepts the file.
    """
    errors = []

    def check_keys(where, obj, allowed):
        if not isinstance(obj, dict):
            errors.append(f"{where}: expected an object, found {type(obj).__name__}")
            return False
        for key, value in obj.items():
            if key not in allowed:
                errors.append(f"{where}: unknown key {key!r}")
            elif isinstance(value, bool) or not isinstance(value, allowed[key]):
                errors.append(f"{where}.{key}: wrong type {type(value).__name__}")
        for key in ("visibility", "stdout_visibility"):
            if key in obj and obj[key] not in VISIBILITIES:
                errors.append(f"{where}.{key}: {obj[key]!r} is not one of {sorted(VISIBILITIES)}")
        for key in ("output_format", "name_format", "test_output_format", "test_name_format"):
            if key in obj and obj[key] not in OUTPUT_FORMATS:
                errors.append(f"{where}.{key}: {obj[key]!r} is not one of {sorted(OUTPUT_FORMATS)}")
        return True

    if not check_keys("results", results, TOP_LEVEL_KEYS):
        return errors
    tests = results.get("tests", [])
    for i, test in enumerate(tests if isinstance(tests, list) else []):
        where = f"tests[{i}]"
        if not check_keys(where, test, TEST_KEYS):
            continue
        if test.get("status", "passed") not in ("passed", "failed"):
            errors.append(f"{where}.status: {test['status']!r} is not 'passed' or 'failed'")
        if "max_score" in test and "score" not in test:
            errors.append(f"{where}: max_score without score")
        if isinstance(test.get("score"), (int, float)) and isinstance(test.get("max_score"), (int, float)):
            if not 0 <= test["score"] <= test["max_score"]:
                errors.append(f"{where}: score {test['score']} outside 0..{test['max_score']}")
    if "score" not in results and not any(isinstance(t, dict) and "score" in t for t in tests):
        errors.append("results: no score, neither at the top nor on any test")
    return errors
