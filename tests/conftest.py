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
