"""Start a private ROS master and the robot lab's nodes from Python, and stop them all.

The tests and the benchmark run a real ``roscore`` and real nodes. Each
:class:`RosProcesses` has its own master port on 127.0.0.1 and its own ``ROS_HOME``
(logs included) in a folder you give, so that it disturbs no other ROS system on
the machine and leaves nothing behind; every process it starts runs in its own
process group, and :meth:`RosProcesses.stop` ends the groups by their ids
(:class:`robot_lab.process_groups.ProcessGroups`, shared with ROS 2).

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
import socket
import sys
import time
import xmlrpc.client
from pathlib import Path

import rosgraph

from .process_groups import ProcessGroups
from .ros_msgs import GENERATED_DIR

#: The ROS package folder (``ROS_PACKAGE_PATH`` points here, so that roslaunch finds it).
PACKAGE_DIR = Path(__file__).resolve().parent


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RosProcesses(ProcessGroups):
    """A private ROS master on 127.0.0.1 and the processes started against it.

    Parameters
    ----------
    workdir : path
        ``ROS_HOME``, the logs and each process's output (``<name>.out``) go here.
    port : int, optional
        The master's port; default a free one.
    """

    #: What rospy clients in this process need to find the master (:meth:`client_environment`).
    CLIENT_KEYS = ("ROS_MASTER_URI", "ROS_HOSTNAME", "ROS_HOME", "ROS_LOG_DIR")

    def __init__(self, workdir, port=None):
        super().__init__(workdir)
        self.master_uri = f"http://127.0.0.1:{port or free_port()}"
        self.env.update(
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
        self.wait_until(master.is_online, "roscore to answer", watch=("roscore",), timeout=timeout)
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
        master = rosgraph.Master("/ros_processes", master_uri=self.master_uri)

        def advertised():
            with contextlib.suppress(rosgraph.MasterError, OSError):
                master.lookupService(service)
                return True
            return False

        return self.wait_until(advertised, service, watch, timeout)

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

    def command_line_env(self):
        """Environment for ROS command-line tools (``rosservice call``) that run under
        Debian's Python and must import the generated ``robot_lab.srv``."""
        return dict(self.env, PYTHONPATH=str(GENERATED_DIR))
