"""ROS 2 node: a simulated robot camera looking at cubes on a table.

The ROS 2 twin of ``robot_lab/nodes/sim_camera`` (ROS 1): draws one scene with
:mod:`robot_lab.simulator` and publishes it, as a camera looking at a still table
would, until stopped.

Published topic:
  camera/image_raw (sensor_msgs/msg/Image, bgr8; reliable, transient local: a late
  subscriber that asks for it still gets the last image)  the scene, `rate` times a second
Parameters:
  seed    the scene's random seed (default 0): the same seed draws the same scene
  cubes   how many cubes, 0 to 3 (default -1: 1 to 3 at random)
  width   640 or 752 (default 640); the height is 480
  split   "public" (default) or "hidden": which half of MNIST's test digits
  rate    publications per second (default 2.0)
Set by the node:
  truth   (read only) the scene's ground truth, JSON: a list of {label, confidence, center, corners}

    ros2 run robot_lab sim_camera --ros-args -p seed:=3 -p cubes:=3
    python -m robot_lab.ros2.sim_camera --ros-args -p seed:=3 -p cubes:=3   # without colcon
"""

import json

import numpy as np
import rclpy
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import Image

from robot_lab import pipeline, ros_service, simulator

#: Like ROS 1's latched topic: the last image waits for subscribers that ask for it.
LATCHED = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)


class SimCamera(Node):
    """Publishes one simulated scene, ``rate`` times a second."""

    def __init__(self):
        super().__init__("sim_camera")
        seed = self.declare_parameter("seed", 0).value
        cubes = self.declare_parameter("cubes", -1).value
        width = self.declare_parameter("width", 640).value
        split = self.declare_parameter("split", "public").value
        rate = self.declare_parameter("rate", 2.0).value

        scene, truth = simulator.render_scene(
            np.random.default_rng(seed), n_cubes=None if cubes < 0 else cubes, size=(480, width), split=split
        )
        self.declare_parameter(
            "truth",
            json.dumps([pipeline.cube_to_json(cube) for cube in truth]),
            ParameterDescriptor(read_only=True, description="the scene's ground truth, JSON"),
        )
        self.image = ros_service.array_to_image(scene)
        self.image.header.frame_id = "camera"
        self.publisher = self.create_publisher(Image, "camera/image_raw", LATCHED)
        self.create_timer(1.0 / rate, self.publish)
        self.get_logger().info(f"seed {seed}, {width}x480, digits {[cube.label for cube in truth]}")
        self.publish()

    def publish(self):
        self.image.header.stamp = self.get_clock().now().to_msg()
        self.publisher.publish(self.image)


def main(args=None):
    rclpy.init(args=args)
    node = SimCamera()
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    main()
