"""Processes started from Python, each in a process group of its own, and stopped by group.

What the ROS 1 and ROS 2 helpers (:mod:`robot_lab.ros_processes`, :mod:`robot_lab.ros2.processes`)
share, without ROS: each process's output goes to a file in a work folder; a wait fails
early, with the output, when a process it needs has exited; the environment the processes
get can be lent to this process's own ROS client for a while; and :meth:`ProcessGroups.stop`
ends each group by its id, with SIGINT (Ctrl-C) first, then SIGKILL.
"""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path


def set_environ(values):
    """Set this process's environment variables to ``values`` (dict name -> str, or None: unset)."""
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


class ProcessGroups:
    """Processes started in process groups of their own, with their output in ``workdir``.

    Parameters
    ----------
    workdir : path
        Each process's output (``<name>.out``) goes here; made if missing.

    Attributes
    ----------
    env : dict
        The processes' environment: a copy of this process's, which subclasses add to.
    processes : dict
        name -> subprocess.Popen, in start order.
    """

    #: The variables of :attr:`env` that :meth:`client_environment` lends to this process.
    CLIENT_KEYS = ()

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.processes = {}
        self.env = dict(os.environ)

    def start(self, name, command, env=None):
        """Start ``command`` (list) in its own process group; output to ``workdir/<name>.out``.

        ``env``: the process's environment, default :attr:`env`. Returns the subprocess.Popen.
        """
        if name in self.processes:
            raise ValueError(f"a process named {name!r} was started already")
        with open(self.workdir / f"{name}.out", "wb") as out:
            self.processes[name] = subprocess.Popen(
                command,
                env=env or self.env,
                cwd=self.workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self.processes[name]

    def output(self, name, tail=4000):
        """The last ``tail`` characters a started process printed."""
        path = self.workdir / f"{name}.out"
        return path.read_text(errors="replace")[-tail:] if path.is_file() else ""

    def check_alive(self, name, waiting_for):
        """Raise RuntimeError, with its output, when the process ``name`` has exited."""
        process = self.processes[name]
        if process.poll() is not None:
            raise RuntimeError(
                f"{name} exited with status {process.returncode} while waiting for {waiting_for}; "
                f"its output:\n{self.output(name)}"
            )

    def wait_until(self, ready, what, watch, timeout, interval=0.1):
        """Call ``ready()`` until it is true; fail early if a watched process exits.

        Parameters
        ----------
        ready : callable, no arguments -> bool
        what : str
            What is awaited, for the errors (e.g. a service's name).
        watch : iterable of str
            Names of started processes that must stay alive meanwhile.
        timeout : float
            Seconds before giving up.
        interval : float
            Seconds between two calls of ``ready`` (0 when ``ready`` waits itself).

        Returns
        -------
        float, seconds waited.

        Raises
        ------
        RuntimeError when a watched process exits, TimeoutError after ``timeout`` seconds:
        both with the watched processes' output.
        """
        start = time.perf_counter()
        while not ready():
            for name in watch:
                self.check_alive(name, what)
            if time.perf_counter() - start > timeout:
                outputs = "; ".join(f"{name}'s output:\n{self.output(name)}" for name in watch)
                raise TimeoutError(f"waited {timeout} s for {what}; {outputs}")
            time.sleep(interval)
        return time.perf_counter() - start

    @contextlib.contextmanager
    def client_environment(self):
        """Give this process the :data:`CLIENT_KEYS` of :attr:`env` (unset where :attr:`env` has none)
        for a while, so that a ROS client made inside the block finds the started processes."""
        saved = {key: os.environ.get(key) for key in self.CLIENT_KEYS}
        set_environ({key: self.env.get(key) for key in self.CLIENT_KEYS})
        try:
            yield
        finally:
            set_environ(saved)

    def stop(self, name=None, timeout=20):
        """Stop one started process group (``name``), or all of them, newest first.

        Each group gets SIGINT (what Ctrl-C sends: roslaunch stops its nodes, rospy and
        rclpy shut down cleanly), then, once its leader has exited or after ``timeout``
        seconds, SIGKILL for whatever is left in it.

        Returns
        -------
        dict name -> exit status
        """
        names = [name] if name else list(reversed(self.processes))
        statuses = {}
        for each in names:
            process = self.processes.pop(each)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGINT)
            try:
                statuses[each] = process.wait(timeout)
            except subprocess.TimeoutExpired:
                statuses[each] = None
            # Whatever the group leader left behind (a node roslaunch could not stop).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            if statuses[each] is None:
                statuses[each] = process.wait()
        return statuses

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
