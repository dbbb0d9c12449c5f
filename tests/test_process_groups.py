"""robot_lab.process_groups without ROS: what the ROS 1 and ROS 2 process helpers share.

Plain Python processes stand in for the nodes: a wait that fails early when a watched
process exits, or after its timeout, with the output; a stop that kills a process which
ignores Ctrl-C; an environment lent to this process and given back.
"""

import os
import signal
import sys

import pytest

from robot_lab.process_groups import ProcessGroups


def python(code):
    """The command that runs ``code`` with this Python."""
    return [sys.executable, "-c", code]


def test_a_watched_process_that_exits_ends_the_wait_with_its_output(tmp_path):
    with ProcessGroups(tmp_path) as processes:
        processes.start("quitter", python("print('no model here')"))
        with pytest.raises(
            RuntimeError, match=r"(?s)quitter exited with status 0 while waiting for a service.*no model here"
        ):
            processes.wait_until(lambda: False, "a service", watch=("quitter",), timeout=60)


def test_a_wait_gives_up_after_its_timeout_and_returns_when_ready(tmp_path):
    with ProcessGroups(tmp_path) as processes:
        processes.start("sleeper", python("import time; print('asleep', flush=True); time.sleep(60)"))
        with pytest.raises(TimeoutError, match=r"waited 0.3 s for a service; sleeper's output"):
            processes.wait_until(lambda: False, "a service", watch=("sleeper",), timeout=0.3)
        waited = processes.wait_until(lambda: "asleep" in processes.output("sleeper"), "sleeper", ("sleeper",), 60)
        assert 0 <= waited < 60


def test_stop_kills_a_process_that_ignores_ctrl_c_and_forgets_it(tmp_path):
    with ProcessGroups(tmp_path) as processes:
        stubborn = python(
            "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
        )
        processes.start("stubborn", stubborn)
        # Python leaves Ctrl-C ignored when it starts with it ignored (a job started in the
        # background by a shell, as CI may be): the nodes install their own handler, so does this one.
        processes.start(
            "quiet",
            python("import signal, time; signal.signal(signal.SIGINT, signal.default_int_handler); time.sleep(60)"),
        )
        processes.wait_until(lambda: "up" in processes.output("stubborn"), "stubborn", ("stubborn",), 60)
        with pytest.raises(ValueError, match="a process named 'quiet' was started already"):
            processes.start("quiet", python("pass"))
        assert processes.stop("stubborn", timeout=0.5) == {"stubborn": -signal.SIGKILL}
        assert list(processes.processes) == ["quiet"]
        assert processes.stop() == {"quiet": -signal.SIGINT}
        assert processes.processes == {}


class Lending(ProcessGroups):
    """Process groups that lend two variables of their environment to this process."""

    CLIENT_KEYS = ("ROBOT_LAB_TEST_SET", "ROBOT_LAB_TEST_UNSET")


def test_client_environment_lends_the_keys_and_gives_them_back(tmp_path, monkeypatch):
    monkeypatch.delenv("ROBOT_LAB_TEST_SET", raising=False)
    monkeypatch.setenv("ROBOT_LAB_TEST_UNSET", "mine")
    processes = Lending(tmp_path)
    processes.env["ROBOT_LAB_TEST_SET"] = "theirs"
    processes.env.pop("ROBOT_LAB_TEST_UNSET")
    with processes.client_environment():
        assert os.environ.get("ROBOT_LAB_TEST_SET") == "theirs"
        assert "ROBOT_LAB_TEST_UNSET" not in os.environ
    assert "ROBOT_LAB_TEST_SET" not in os.environ
    assert os.environ["ROBOT_LAB_TEST_UNSET"] == "mine"
