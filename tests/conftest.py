"""Shared fixtures: one real build of each assignment per test session."""

import pytest

from autograder import build, checks


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build an assignment once per session into a temporary dist/.

    Returns ``{"dist": dist folder, "zip": autograder zip, "mnist": the mnist.npz the zip ships}``.
    """
    cache = {}
    work = tmp_path_factory.mktemp("work")

    def _built(name):
        if name not in cache:
            dist = tmp_path_factory.mktemp(f"dist-{name}")
            zip_path = build.build(name, dist=dist, work=work)
            cache[name] = {"dist": dist, "zip": zip_path, "mnist": work / checks.MNIST_FILE}
        return cache[name]

    return _built


@pytest.fixture(scope="session")
def robot_model(tmp_path_factory):
    """The robot lab's digit network, small: trained 2 epochs on 12,000 MNIST training
    images (all ten digits) in seconds, once per session for every robot-lab test.

    Returns ``(model, path)``: the keras.Model and the ``.keras`` file it was saved to
    (what the ROS node and the grader load).
    """
    from autograder.data import load_mnist
    from robot_lab import classifier

    (x_train, y_train), _ = load_mnist()
    model = classifier.train_model(x_train[:12000], y_train[:12000], epochs=2, n_validation=2000, verbose=0)
    return model, classifier.save_model(model, tmp_path_factory.mktemp("robot_model") / "digits.keras")
