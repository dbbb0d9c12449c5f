"""Shared fixtures: one real build of each assignment per test session."""

import pytest

from autograder import build


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build an assignment once per session into a temporary dist/; returns ``{"dist", "zip"}``."""
    cache = {}
    work = tmp_path_factory.mktemp("work")

    def _built(name):
        if name not in cache:
            dist = tmp_path_factory.mktemp(f"dist-{name}")
            cache[name] = {"dist": dist, "zip": build.build(name, dist=dist, work=work)}
        return cache[name]

    return _built
