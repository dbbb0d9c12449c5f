"""Start the robot lab's ROS 2 nodes from Python, on loopback only, and stop them all.

The ROS 2 tests and benchmark run the real nodes as separate processes. A
:class:`Ros2Processes` gives them (and, through :meth:`client_environment`, this
process's rclpy) a private DDS domain: ``ROS_DOMAIN_ID`` of its own and
``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST``, so that they find each other over
127.0.0.1 and nothing else on the network; logs go to a folder you give. Every
process runs in its own process group, and :meth:`Ros2Processes.stop` ends the
groups by their ids. ROS 2 has no master: there is nothing else to start.

Example::

    with Ros2Processes(tmp_dir) as ros:
        ros.run_node("vision_server", "-p", "model:=/tmp/digits.keras")
        ros.run_node("sim_camera", "-p", "seed:=3")
        with ros.client_environment():
            rclpy.init()
            ...
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

#: The node modules of robot_lab.ros2, by node name.
NODES = {"vision_server": "robot_lab.ros2.vision_server", "sim_camera": "robot_lab.ros2.sim_camera"}

#: Environment variables that put ROS 2 processes on loopback in one domain.
ROS2_KEYS = ("ROS_DOMAIN_ID", "ROS_AUTOMATIC_DISCOVERY_RANGE", "ROS_LOCALHOST_ONLY", "ROS_LOG_DIR", "ROS_HOME")


def domain_id():
    """A DDS domain for this run: 1 to 100 (valid on Linux), from the process id."""
    return 1 + os.getpid() % 100


class Ros2Processes:
    """ROS 2 nodes started in a private loopback domain, and stopped by process group.

    Parameters
    ----------
    workdir : path
        Logs (``ROS_LOG_DIR``) and each process's output (``<name>.out``) go here.
    domain : int, optional
        ``ROS_DOMAIN_ID``, default :func:`domain_id`.
    """

    def __init__(self, workdir, domain=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.domain = domain_id() if domain is None else domain
        self.processes = {}  # name -> Popen, in start order
        self.env = dict(
            os.environ,
            ROS_DOMAIN_ID=str(self.domain),
            ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST",
            ROS_LOG_DIR=str(self.workdir / "log"),
            ROS_HOME=str(self.workdir),
            PYTHONUNBUFFERED="1",
        )
        self.env.pop("ROS_LOCALHOST_ONLY", None)  # deprecated in Jazzy; the range above says it
        self.env.pop("ROS_STATIC_PEERS", None)

    def start(self, name, command):
        """Start ``command`` (list) in its own process group; output to ``workdir/<name>.out``."""
        if name in self.processes:
            raise ValueError(f"a process named {name!r} was started already")
        with open(self.workdir / f"{name}.out", "wb") as out:
            self.processes[name] = subprocess.Popen(
                command,
                env=self.env,
                cwd=self.workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self.processes[name]

    def run_node(self, node, *ros_args, name=None):
        """``python -m robot_lab.ros2.<node> --ros-args <ros_args>`` (what ``ros2 run robot_lab <node>`` runs).

        ``ros_args``: e.g. ``"-p", "model:=/tmp/digits.keras", "-r", "__ns:=/test"``.
        """
        command = [sys.executable, "-m", NODES[node]]
        if ros_args:
            command += ["--ros-args", *ros_args]
        return self.start(name or node, command)

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

    def wait_for_service(self, client, timeout=180, watch=("vision_server",)):
        """Wait until an rclpy ``client``'s service is there; fail early if a watched process exits.

        Returns
        -------
        float, seconds waited.
        """
        start = time.perf_counter()
        while not client.wait_for_service(timeout_sec=0.2):
            for name in watch:
                self.check_alive(name, client.srv_name)
            if time.perf_counter() - start > timeout:
                raise TimeoutError(
                    f"waited {timeout} s for {client.srv_name}; output of "
                    + "; ".join(f"{n}:\n{self.output(n)}" for n in watch)
                )
        return time.perf_counter() - start

    @contextlib.contextmanager
    def client_environment(self):
        """Put this process's rclpy (initialised inside the block) in the same domain, on loopback."""
        saved = {key: os.environ.get(key) for key in ROS2_KEYS}
        for key in ROS2_KEYS:
            os.environ.pop(key, None)
        os.environ.update({key: self.env[key] for key in ROS2_KEYS if key in self.env})
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def stop(self, name=None, timeout=20):
        """Stop one started process group (``name``), or all of them, newest first.

        Each group gets SIGINT (Ctrl-C: rclpy shuts down cleanly), then SIGKILL if it is
        still there after ``timeout`` seconds.

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
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            if statuses[each] is None:
                statuses[each] = process.wait()
        return statuses

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
