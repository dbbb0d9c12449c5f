"""Start a private ROS master and the robot lab's nodes from Python, and stop them all.

The tests and the benchmark run a real ``roscore`` and real nodes. Each
:class:`RosProcesses` has its own master port on 127.0.0.1 and its own ``ROS_HOME``
(logs included) in a folder you give, so that it disturbs no other ROS system on
the machine and leaves nothing behind; every process it starts runs in its own
process group, and :meth:`RosProcesses.stop` ends the groups by their ids.

Example::

    with RosProcesses(tmp_dir) as ros:
        ros.start_master()
        ros.launch("robot_lab.launch", "model:=/tmp/digits.keras", "seed:=3")
        ros.wait_for_service("/robot_lab/recognise_cubes")
        with ros.client_environment():
            answer = rospy.ServiceProxy("/robot_lab/recognise_cubes", RecogniseCubes)(image)
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

import rosgraph

from .ros_msgs import GENERATED_DIR

#: The ROS package folder (``ROS_PACKAGE_PATH`` points here, so that roslaunch finds it).
PACKAGE_DIR = Path(__file__).resolve().parent


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RosProcesses:
    """A private ROS master on 127.0.0.1 and the processes started against it.

    Parameters
    ----------
    workdir : path
        ``ROS_HOME``, the logs and each process's output (``<name>.out``) go here.
    port : int, optional
        The master's port; default a free one.
    """

    def __init__(self, workdir, port=None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.master_uri = f"http://127.0.0.1:{port or free_port()}"
        self.processes = {}  # name -> Popen, in start order
        self.env = dict(
            os.environ,
            ROS_MASTER_URI=self.master_uri,
            ROS_HOSTNAME="127.0.0.1",
            ROS_HOME=str(self.workdir),
            ROS_LOG_DIR=str(self.workdir / "log"),
            ROS_PACKAGE_PATH=str(PACKAGE_DIR),
            # The nodes' `#!/usr/bin/env python3` must find this Python (the kit's venv: TensorFlow).
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        self.env.pop("ROS_IP", None)

    # -- starting -------------------------------------------------------------------------

    def start(self, name, command, env=None):
        """Start ``command`` (list) in its own process group; output to ``workdir/<name>.out``."""
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

    def start_master(self, timeout=60):
        """Start ``roscore`` and wait until it answers.

        Returns
        -------
        float, seconds from start to the first answer.
        """
        start = time.perf_counter()
        port = self.master_uri.rsplit(":", 1)[1]
        self.start("roscore", ["roscore", "-p", port])
        master = rosgraph.Master("/ros_processes", master_uri=self.master_uri)
        while not master.is_online():
            self._check_alive("roscore", timeout, start)
            time.sleep(0.1)
        return time.perf_counter() - start

    def launch(self, launch_file, *args, name="roslaunch"):
        """``roslaunch robot_lab <launch_file> <args>`` (e.g. ``"seed:=3"``), against the master."""
        return self.start(name, ["roslaunch", "--skip-log-check", "robot_lab", launch_file, *args])

    def run_node(self, node, *args, name=None):
        """One node of ``nodes/`` run directly, as ``rosrun robot_lab <node> <args>`` does."""
        return self.start(name or node, [str(PACKAGE_DIR / "nodes" / node), *args])

    # -- waiting and asking ---------------------------------------------------------------

    def wait_for_service(self, service, timeout=180, watch=("roslaunch",)):
        """Wait until ``service`` is advertised; fail early if a watched process exits.

        Returns
        -------
        float, seconds waited.
        """
        start = time.perf_counter()
        master = rosgraph.Master("/ros_processes", master_uri=self.master_uri)
        while True:
            with contextlib.suppress(rosgraph.MasterError, OSError):
                master.lookupService(service)
                return time.perf_counter() - start
            for name in watch:
                self._check_alive(name, timeout, start, waiting_for=service)
            time.sleep(0.1)

    def node_pid(self, node):
        """The process id of a running node, asked to the node itself (as ``rosnode info`` does)."""
        master = rosgraph.Master("/ros_processes", master_uri=self.master_uri)
        code, message, pid = xmlrpc.client.ServerProxy(master.lookupNode(node)).getPid("/ros_processes")
        if code != 1:
            raise RuntimeError(f"node {node} did not give its pid: {message}")
        return pid

    def get_param(self, name):
        """A parameter's value from the master."""
        return rosgraph.Master("/ros_processes", master_uri=self.master_uri).getParam(name)

    def output(self, name, tail=4000):
        """The last ``tail`` characters a started process printed."""
        path = self.workdir / f"{name}.out"
        return path.read_text(errors="replace")[-tail:] if path.is_file() else ""

    @contextlib.contextmanager
    def client_environment(self):
        """Point this process's rospy clients (``rospy.ServiceProxy``) at this master for a while."""
        keys = ("ROS_MASTER_URI", "ROS_HOSTNAME", "ROS_HOME", "ROS_LOG_DIR")
        saved = {key: os.environ.get(key) for key in keys}
        os.environ.update({key: self.env[key] for key in keys})
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def command_line_env(self):
        """Environment for ROS command-line tools (``rosservice call``) that run under
        Debian's Python and must import the generated ``robot_lab.srv``."""
        return dict(self.env, PYTHONPATH=str(GENERATED_DIR))

    def _check_alive(self, name, timeout, start, waiting_for=None):
        process = self.processes[name]
        what = waiting_for or f"{name} to answer"
        if process.poll() is not None:
            raise RuntimeError(
                f"{name} exited with status {process.returncode} while waiting for "
                f"{what}; its output:\n{self.output(name)}"
            )
        if time.perf_counter() - start > timeout:
            raise TimeoutError(f"waited {timeout} s for {what}; {name}'s output:\n{self.output(name)}")

    # -- stopping -------------------------------------------------------------------------

    def stop(self, name=None, timeout=20):
        """Stop one started process group (``name``), or all of them, newest first.

        Each group gets SIGINT (what Ctrl-C sends: roslaunch then stops its nodes),
        then SIGKILL if it is still there after ``timeout`` seconds.

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
