# The ROS 2 (ament_python) package robot_lab, built by colcon: `colcon build` runs this.
# Its Python packages robot_lab and robot_lab.ros2 lie in this folder (robot_lab/), copied
# there by `python -m robot_lab.ros2.workspace <workspace>/src`, as the trained network
# (models/): nothing here points outside the package, so colcon's builds, --symlink-install
# included, only touch the workspace's build/, install/ and log/. The nodes are
# robot_lab.ros2.vision_server and robot_lab.ros2.sim_camera, installed where
# `ros2 run robot_lab <node>` and the launch file find them (setup.cfg).
from glob import glob

from setuptools import setup

PACKAGE = "robot_lab"

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=[PACKAGE, f"{PACKAGE}.ros2"],
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/launch", glob("launch/*.launch.py")),
        (f"share/{PACKAGE}/models", glob("models/*.keras")),
    ],
    install_requires=["setuptools"],
    zip_safe=False,
    maintainer="mnist_tf2 course kit maintainers",
    maintainer_email="maintainers@users.noreply.example",
    description="The robot lab's cube-recognition service and simulated camera on ROS 2",
    license="MIT",
    entry_points={
        "console_scripts": [
            "vision_server = robot_lab.ros2.vision_server:main",
            "sim_camera = robot_lab.ros2.sim_camera:main",
        ],
    },
)
