"""The robot lab on ROS 2: the cube-recognition service and a simulated camera.

    ros2 launch robot_lab robot_lab.launch.py
    ros2 launch robot_lab robot_lab.launch.py seed:=3 cubes:=3
    ros2 launch robot_lab robot_lab.launch.py sim:=false camera_topic:=/camera/image_raw
    ros2 launch robot_lab robot_lab.launch.py model:=/path/to/another.keras

then: ros2 service call /robot_lab/recognise_cubes robot_lab_interfaces/srv/RecogniseCubes "{}"
(an empty image: the camera's). The twin of launch/robot_lab.launch (ROS 1).
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, Shutdown
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue

#: name, default, description: the same arguments as the ROS 1 launch file.
ARGUMENTS = [
    ("model", "", "trained network (.keras); empty: the one installed with the package (share/robot_lab/models/)"),
    ("sim", "true", "start the simulated camera"),
    ("camera_topic", "camera/image_raw", "where the service takes camera images from"),
    ("seed", "0", "simulated scene's seed"),
    ("cubes", "-1", "simulated cubes, 0 to 3; -1: 1 to 3 at random"),
    ("width", "640", "simulated image width, 640 or 752"),
]


def generate_launch_description():
    arg = LaunchConfiguration
    return LaunchDescription(
        [
            *(DeclareLaunchArgument(name, default_value=default, description=doc) for name, default, doc in ARGUMENTS),
            # on_exit=Shutdown(): without its network the service cannot run, so the launch stops
            # with it (ROS 1's required="true").
            Node(
                package="robot_lab",
                executable="vision_server",
                name="vision_server",
                output="screen",
                parameters=[
                    {
                        "model": ParameterValue(arg("model"), value_type=str),
                        "camera_topic": ParameterValue(arg("camera_topic"), value_type=str),
                    }
                ],
                on_exit=Shutdown(),
            ),
            Node(
                package="robot_lab",
                executable="sim_camera",
                name="sim_camera",
                output="screen",
                condition=IfCondition(arg("sim")),
                parameters=[
                    {
                        "seed": ParameterValue(arg("seed"), value_type=int),
                        "cubes": ParameterValue(arg("cubes"), value_type=int),
                        "width": ParameterValue(arg("width"), value_type=int),
                    }
                ],
                remappings=[("camera/image_raw", arg("camera_topic"))],
            ),
        ]
    )
