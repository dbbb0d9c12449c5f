"""ROS 2 node: which cubes does the camera see, and which digit is on each?

The ROS 2 twin of ``robot_lab/nodes/vision_server`` (ROS 1): the same services,
names and fields, the same pipeline (:mod:`robot_lab.pipeline`) and message
conversions (:mod:`robot_lab.ros_service`); only the ROS plumbing differs.

Services (both answer from the same network, loaded once):
  robot_lab/recognise_cubes  (robot_lab_interfaces/srv/RecogniseCubes)  cubes, positions, digits, confidences
  ros4pro/vision/predict     (robot_lab_interfaces/srv/VisionPredict)   the same without confidences
Subscribed topic:
  camera/image_raw (sensor_msgs/msg/Image)  a request whose image is empty uses the latest image from here
Parameters:
  model         path of the trained network (default "": the one installed with the package,
                share/robot_lab/models/digits.keras, else data/robot_lab/digits.keras beside robot_lab/)
  camera_topic  the topic to subscribe to (default camera/image_raw; "" for none)

A request ROS 2 cannot answer with an error: a ROS 2 service has no error reply
(ROS 1's ``rospy.ServiceException``), and the service definitions are shared with
ROS 1. A bad request (an image it cannot read, an empty image without a camera
image) gets a response with every list empty, and the node logs what was wrong
and what was expected at ERROR level (console and ``/rosout``); it keeps serving.
So does a request on which the pipeline fails (in the students' version, a function
still to write: the log says which), where rospy would answer with an error.

    ros2 run robot_lab vision_server --ros-args -p model:=/path/to/digits.keras
    python -m robot_lab.ros2.vision_server --ros-args -p model:=/path/to/digits.keras   # without colcon
"""

import sys
from pathlib import Path

import rclpy
from ament_index_python.packages import PackageNotFoundError, get_package_share_directory
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from robot_lab_interfaces.srv import RecogniseCubes, VisionPredict
from sensor_msgs.msg import Image

from robot_lab import classifier, pipeline, ros_service

#: The trained network inside the package's share folder (python -m robot_lab.ros2.workspace puts it there).
INSTALLED_MODEL = Path("models") / "digits.keras"


def default_model_path():
    """The network the service loads when its ``model`` parameter is empty.

    The one installed with the ROS 2 package (``share/robot_lab/models/digits.keras``), when the
    package is installed (colcon) and holds one; else the kit's ``data/robot_lab/digits.keras``.
    """
    try:
        installed = Path(get_package_share_directory("robot_lab")) / INSTALLED_MODEL
    except (PackageNotFoundError, OSError):  # not installed (python -m), or no AMENT_PREFIX_PATH at all
        return classifier.DEFAULT_MODEL_PATH
    return installed if installed.is_file() else classifier.DEFAULT_MODEL_PATH


class VisionServer(Node):
    """The two services and the camera subscription around one loaded network.

    Raises FileNotFoundError or ValueError (from :func:`robot_lab.classifier.load_model`)
    when the ``model`` parameter names no network Keras can load.
    """

    def __init__(self):
        super().__init__("vision_server")
        model_path = self.declare_parameter("model", "").value or str(default_model_path())
        self.camera_topic = self.declare_parameter("camera_topic", "camera/image_raw").value
        self.model = classifier.load_model(model_path)
        self.latest_image = None
        if self.camera_topic:
            # Sensor-data QoS (best effort, volatile): it receives from any camera driver's publisher.
            self.create_subscription(Image, self.camera_topic, self.on_image, qos_profile_sensor_data)
        self.create_service(RecogniseCubes, "robot_lab/recognise_cubes", self.recognise_cubes)
        self.create_service(VisionPredict, "ros4pro/vision/predict", self.vision_predict)
        self.get_logger().info(f"ready: model {model_path}, camera topic {self.camera_topic!r}")

    def on_image(self, image):
        self.latest_image = image

    def read_request_image(self, image):
        """The request's image as a numpy array, or the camera's when the request's is empty.

        Raises ValueError saying what was wrong and what was expected.
        """
        if ros_service.is_empty(image):
            if not self.camera_topic:
                raise ValueError(
                    "the request's image is empty and this node has no camera topic "
                    "(parameter camera_topic): send an image"
                )
            if self.latest_image is None:
                topic = self.resolve_topic_name(self.camera_topic)
                raise ValueError(
                    f"the request's image is empty and no image has arrived on the camera topic "
                    f"{topic} yet: send an image, or start a camera publishing there"
                )
            image = self.latest_image
        return ros_service.image_to_array(image)

    def recognise_cubes(self, request, response):
        try:
            image = self.read_request_image(request.image)
        except ValueError as error:
            self.get_logger().error(f"bad request, answered with no cubes: {error}")
            return response
        try:
            cubes = pipeline.recognise(image, self.model)
            self.get_logger().debug(f"{len(cubes)} cube(s): {[(c.label, round(c.confidence, 3)) for c in cubes]}")
            return ros_service.fill_response(cubes, response)
        except Exception as error:  # a function still to write, a bug: said, and the node goes on serving
            self.get_logger().error(f"the recognition failed, answered with no cubes: {type(error).__name__}: {error}")
            return RecogniseCubes.Response()

    def vision_predict(self, request, response):
        full = self.recognise_cubes(request, RecogniseCubes.Response())
        return ros_service.copy_response(full, type(response))


def main(args=None):
    rclpy.init(args=args)
    try:
        node = VisionServer()
    except (FileNotFoundError, ValueError) as error:  # no model there, or not one Keras can load
        rclpy.logging.get_logger("vision_server").fatal(str(error))
        rclpy.try_shutdown()
        sys.exit(1)
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    main()
