# Used by catkin_python_setup() in CMakeLists.txt: do not run it by hand (the
# course kit installs the Python package with pip from its own pyproject.toml).
# This folder is both the ROS package and the Python package robot_lab, hence
# package_dir maps robot_lab to the folder itself, written "../robot_lab" because
# catkin wants the path's last part to be the Python package's name.
from catkin_pkg.python_setup import generate_distutils_setup
from setuptools import setup

setup(**generate_distutils_setup(packages=["robot_lab"], package_dir={"robot_lab": "../robot_lab"}))
