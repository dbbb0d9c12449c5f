"""The robot lab: recognise the digits '1' and '2' handwritten on cubes seen by a robot's camera.

This folder is both the Python package ``robot_lab`` and a ROS 1 (catkin) package.
The vision part is plain Python (numpy, OpenCV, Keras) and runs without ROS:

- :mod:`robot_lab.vision`: find the cubes' faces in a camera image, warp each face to a
  square, cut it into a 28x28 MNIST-like sprite;
- :mod:`robot_lab.classifier`: the convolutional network that reads the sprites;
- :mod:`robot_lab.pipeline`: ``recognise(image, model)`` -> list of :class:`~robot_lab.pipeline.Cube`;
- :mod:`robot_lab.simulator`: simulated camera scenes with their ground truth;
- :mod:`robot_lab.detect`: the command line ``python -m robot_lab.detect IMAGE...``.
- :mod:`robot_lab.mnist`: the kit's MNIST loader (checksum-verified), which the simulator, the
  network's training, the TPs' build and the tests all use.
"""

from pathlib import Path


def _source_folder():
    # In a catkin workspace this file is run by the __init__.py that catkin writes in
    # devel/, so __file__ points there; the real sources are on the package's __path__.
    for folder in map(Path, __path__):
        if (folder / "vision.py").is_file():
            return folder.resolve()
    return Path(__file__).resolve().parent


#: The repository root (the folder that holds ``robot_lab/`` and ``data/``): the kit's one root
#: helper (``autograder.REPO_ROOT`` is this one), also right in a student's robot-lab folder.
REPO_ROOT = _source_folder().parent
