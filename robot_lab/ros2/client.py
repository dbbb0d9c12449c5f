"""Ask the robot lab's ROS 2 service which cubes an image shows, from the command line.

What ``ros2 service call`` does, for installs without the ``ros2`` command (the PyPI
wheels have none): one request, the answer printed as JSON, one cube a line.

    python -m robot_lab.ros2.client                      # an empty image: the camera's latest
    python -m robot_lab.ros2.client scene.png photo.jpg  # these images (read with OpenCV, sent as bgr8)
    python -m robot_lab.ros2.client --service /ros4pro/vision/predict scene.png

Each line: ``{"image": ..., "label": 1 or 2, "confidence": ..., "center": [x, y],
"corners": [[x, y] * 4]}`` (no confidence from ``/ros4pro/vision/predict``). Exit
status 1, with what was wrong, when the service is not there or an image cannot be read.
"""

import argparse
import json
import math
import sys

import rclpy
from robot_lab_interfaces.srv import RecogniseCubes, VisionPredict
from sensor_msgs.msg import Image

from robot_lab import pipeline, ros_service

SERVICES = {"/robot_lab/recognise_cubes": RecogniseCubes, "/ros4pro/vision/predict": VisionPredict}


def ask(node, service, image, timeout):
    """One request to ``service`` (a name in :data:`SERVICES`) -> list of robot_lab.pipeline.Cube."""
    service_type = SERVICES[service]
    client = node.create_client(service_type, service)
    if not client.wait_for_service(timeout_sec=timeout):
        raise RuntimeError(
            f"no service {service} after {timeout} s: start the vision server "
            "(ros2 launch robot_lab robot_lab.launch.py, or python -m robot_lab.ros2.vision_server) "
            "with the same ROS_DOMAIN_ID"
        )
    future = client.call_async(service_type.Request(image=image))
    rclpy.spin_until_future_complete(node, future, timeout_sec=timeout)
    if not future.done():
        raise RuntimeError(f"{service} did not answer in {timeout} s")
    return ros_service.cubes_from_response(future.result())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m robot_lab.ros2.client", description=__doc__.split("\n\n")[0])
    parser.add_argument("images", nargs="*", help="image files; none: an empty image (the camera's latest)")
    parser.add_argument("--service", choices=sorted(SERVICES), default="/robot_lab/recognise_cubes")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the service (default 30)")
    args = parser.parse_args(argv)
    import cv2

    rclpy.init()
    node = rclpy.create_node("robot_lab_client")
    try:
        for path in args.images or [None]:
            if path is None:
                image = Image()
            else:
                array = cv2.imread(path, cv2.IMREAD_COLOR)
                if array is None:
                    raise RuntimeError(f"cannot read {path} as an image (expected a PNG or JPEG file)")
                image = ros_service.array_to_image(array)
            for cube in ask(node, args.service, image, args.timeout):
                line = pipeline.cube_to_json(cube)
                if math.isnan(line["confidence"]):
                    del line["confidence"]
                print(json.dumps({"image": path, **line}), flush=True)
    except RuntimeError as error:
        sys.exit(f"error: {error}")
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == "__main__":
    main()
