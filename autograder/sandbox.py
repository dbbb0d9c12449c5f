"""Run a grading command in a bubblewrap sandbox (``bwrap``): student code never runs as you.

What the sandbox gives the command (all the options are in :data:`BWRAP_OPTIONS` and
:func:`command`, nowhere else):

- new user, PID, network, IPC and UTS namespaces and no capability (``--unshare-all``,
  ``--cap-drop ALL``): no network, no process of the machine visible, and, as root, no
  way to remount what is read-only (without ``--cap-drop ALL`` a root sandbox keeps every
  capability inside its namespace);
- the whole file system read-only (``--ro-bind / /``), fresh ``/dev``, ``/proc`` and a
  size-limited ``/tmp``; the folders passed as ``hide`` replaced by empty ones (the grades);
  one writable folder: the submission's scratch folder;
- ``--die-with-parent`` and a PID namespace: killing ``bwrap`` (the parent's timeout does)
  kills every process started inside, a double-forked daemon included;
- per-process limits set by ``prlimit`` before the command starts: address space (a
  backstop; the caller watches the resident memory of the whole tree) and file size.

``bwrap`` needs user namespaces (on in Debian; Ubuntu 24.04 allows them for bwrap through
its AppArmor profile). :func:`probe` checks once that it really runs here.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

#: What to tell whoever grades when there is no working sandbox.
INSTALL_HINT = (
    "install bubblewrap (apt install bubblewrap) or pass --no-sandbox to grade without one "
    "(unsafe: student code runs as you)"
)

#: Every sandbox's isolation, declared once (see the module's docstring).
BWRAP_OPTIONS = (
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
)

#: Largest file a sandboxed process may write, in MB (RLIMIT_FSIZE): a saved model is ~10 MB.
FILE_MB = 1024

#: Size of the sandbox's private ``/tmp`` (a tmpfs, in memory), in MB: Otter unpacks the zip there.
TMP_MB = 2048


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing, or cannot create its namespaces on this machine."""


def command(argv, scratch, memory_mb=None, hide=(), readable=()):
    """The command line that runs ``argv`` in a sandbox whose only writable folder is ``scratch``.

    Parameters
    ----------
    argv : list of str
        The command to run inside; it starts in ``scratch``, with ``HOME`` and ``TMPDIR``
        set to the private ``/tmp``.
    scratch : path-like
        An existing folder: the one place the command can write, seen at the same path inside.
    memory_mb : float, optional
        Each process's address-space limit is four times this (TensorFlow reserves ~3 GB of
        address space for ~0.7 GB resident): a backstop, the caller watches resident memory.
    hide : iterable of path-like
        Existing folders shown empty inside (e.g. the grades' folder: not even readable).
    readable : iterable of path-like
        Files or folders under ``/tmp`` that the command reads (e.g. the autograder zip):
        bound read-only over the private ``/tmp``.

    Returns
    -------
    list of str

    Raises
    ------
    SandboxUnavailable
        No ``bwrap`` or ``prlimit`` on this machine.
    """
    bwrap, prlimit = shutil.which("bwrap"), shutil.which("prlimit")
    if not bwrap or not prlimit:
        raise SandboxUnavailable(f"no {'bwrap' if not bwrap else 'prlimit'} on this machine: {INSTALL_HINT}")
    scratch = str(Path(scratch).resolve())
    line = [bwrap, *BWRAP_OPTIONS, "--size", str(TMP_MB * 2**20), "--tmpfs", "/tmp"]
    for folder in hide:
        line += ["--tmpfs", str(Path(folder).resolve())]
    # This Python's own folder (a venv) stays readable even under /tmp (a checkout in a temporary folder).
    for path in (*readable, sys.prefix):
        # Seen inside at the path as given (a venv reached through a symbolic link still starts).
        line += ["--ro-bind", str(Path(path).resolve()), os.path.abspath(path)]
    line += ["--bind", scratch, scratch, "--chdir", scratch, "--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp"]
    limits = [f"--fsize={FILE_MB * 2**20}"]
    if memory_mb:
        limits.append(f"--as={int(4 * memory_mb * 2**20)}")
    return [*line, "--", prlimit, *limits, "--", *argv]


def probe(scratch):
    """Raise :class:`SandboxUnavailable`, saying why and what to do, unless a sandbox runs ``true`` here.

    ``scratch`` is any existing writable folder (bound as in a real run).
    """
    line = command(["true"], scratch)
    try:
        run = subprocess.run(line, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxUnavailable(f"bubblewrap could not start ({error}): {INSTALL_HINT}") from None
    if run.returncode != 0:
        why = run.stderr.strip().splitlines()[-1:] or [f"exit status {run.returncode}"]
        raise SandboxUnavailable(
            f"bubblewrap cannot create its sandbox here ({why[0]}; user namespaces refused?): {INSTALL_HINT}"
        )
