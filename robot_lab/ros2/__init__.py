"""The robot lab on ROS 2 Jazzy: the nodes (``vision_server``, ``sim_camera``), a command-line
client, the services' code generation without colcon, and the colcon packages (``colcon/``).

Only the ROS 2 plumbing lives here; the pipeline and the message conversions are shared
with the ROS 1 nodes (:mod:`robot_lab.pipeline`, :mod:`robot_lab.ros_service`). See README.md.
"""
