"""Start the robot lab's ROS 2 nodes from Python, on loopback only, and stop them all.

The ROS 2 tests and benchmark run the real nodes as separate processes. A
:class:`Ros2Processes` gives them (and, through :meth:`client_environment`, this
process's rclpy) a private DDS domain: ``ROS_DOMAIN_ID`` of its own and
``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST``, so that they find each other over
127.0.0.1 and nothing else on the network; logs go to a folder you give. Every
process runs in its own process group, and :meth:`Ros2Processes.stop` ends the
groups by their ids (:class:`robot_lab.process_groups.ProcessGroups`, shared with
ROS 1). ROS 2 has no master: there is nothing else to start.

Example::

    with Ros2Processes(tmp_dir) as ros:
        ros.run_node("vision_server", "-p", "model:=/tmp/digits.keras")
        ros.run_node("sim_camera", "-p", "seed:=3")
        with ros.client_environment():
            rclpy.init()
            ...
"""

import os
import sys

from robot_lab.process_groups import ProcessGroups

#: The node modules of robot_lab.ros2, by node name.
NODES = {"vision_server": "robot_lab.ros2.vision_server", "sim_camera": "robot_lab.ros2.sim_camera"}


def domain_id():
    """A DDS domain for this run: 1 to 100 (valid on Linux), from the process id."""
    return 1 + os.getpid() % 100


class Ros2Processes(ProcessGroups):
    """ROS 2 nodes started in a private loopback domain, and stopped by process group.

    Parameters
    ----------
    workdir : path
        Logs (``ROS_LOG_DIR``) and each process's output (``<name>.out``) go here.
    domain : int, optional
        ``ROS_DOMAIN_ID``, default :func:`domain_id`.
    """

    #: The variables that put ROS 2 processes on loopback in one domain: this process's rclpy
    #: gets them from :meth:`client_environment`.
    CLIENT_KEYS = ("ROS_DOMAIN_ID", "ROS_AUTOMATIC_DISCOVERY_RANGE", "ROS_LOCALHOST_ONLY", "ROS_LOG_DIR", "ROS_HOME")

    def __init__(self, workdir, domain=None):
        super().__init__(workdir)
        self.domain = domain_id() if domain is None else domain
        self.env.update(
            ROS_DOMAIN_ID=str(self.domain),
            ROS_AUTOMATIC_DISCOVERY_RANGE="LOCALHOST",
            ROS_LOG_DIR=str(self.workdir / "log"),
            ROS_HOME=str(self.workdir),
            PYTHONUNBUFFERED="1",
        )
        self.env.pop("ROS_LOCALHOST_ONLY", None)  # deprecated in Jazzy; the range above says it
        self.env.pop("ROS_STATIC_PEERS", None)

    def run_node(self, node, *ros_args, name=None):
        """``python -m robot_lab.ros2.<node> --ros-args <ros_args>`` (what ``ros2 run robot_lab <node>`` runs).

        ``ros_args``: e.g. ``"-p", "model:=/tmp/digits.keras", "-r", "__ns:=/test"``.
        """
        command = [sys.executable, "-m", NODES[node]]
        if ros_args:
            command += ["--ros-args", *ros_args]
        return self.start(name or node, command)

    def wait_for_service(self, client, timeout=180, watch=("vision_server",)):
        """Wait until an rclpy ``client``'s service is there; fail early if a watched process exits.

        Returns
        -------
        float, seconds waited.
        """
        # rclpy's own wait lasts 0.2 s: no sleep between two.
        return self.wait_until(lambda: client.wait_for_service(timeout_sec=0.2), client.srv_name, watch, timeout, 0)
