"""Benchmark of the robot lab's ROS service, printed as markdown tables.

    python -m reference.bench_ros [--calls 300] [--endurance 1000] [--model PATH] [--write]

A private roscore on 127.0.0.1 and the real nodes (``nodes/vision_server``), called
by a rospy client in this process:

1. Start-up: ``roscore`` until it answers; the service node until its services are
   advertised (Python + TensorFlow import, model load, the network's first call).
2. Round trip: ``/robot_lab/recognise_cubes`` on simulated 640x480 frames with 3
   cubes, median and 95th percentile (target p95 <= 60 ms), with a new connection
   per call (``rospy.ServiceProxy``'s default, what the workshop's node does) and
   with a persistent one.
3. Endurance: ``--endurance`` calls in a row; the node's resident memory (RSS) before
   and after (target: no growth beyond a few MB).

``--write`` also saves the tables to reference/bench_ros.md. Timings are upper
bounds when the machine is shared.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import rospy

from robot_lab import REPO_ROOT as REPO
from robot_lab import ros_msgs, ros_service, simulator
from robot_lab.classifier import DEFAULT_MODEL_PATH
from robot_lab.ros_processes import RosProcesses

from . import machine
from .machine import percentile, rss_mb

SERVICE = "/robot_lab/recognise_cubes"


def bench_startup(workdir, model, repeat):
    """roscore and node start times, each in a fresh master and node."""
    masters, nodes = [], []
    for i in range(repeat):
        with RosProcesses(Path(workdir) / f"start{i}") as ros:
            masters.append(ros.start_master())
            ros.run_node("vision_server", f"_model:={model}", "_camera_topic:=")
            nodes.append(ros.wait_for_service(SERVICE, watch=("vision_server",)))

    def row(name, values):
        return f"| {name} | {statistics.median(values):.1f} | {min(values):.1f}–{max(values):.1f} | {len(values)} |"

    return [
        "## Start-up",
        "",
        "| what | median s | range s | runs |",
        "|---|---:|---:|---:|",
        row("roscore on 127.0.0.1, until the master answers", masters),
        row("vision_server, until its services are advertised (TF import, model load, first call)", nodes),
        "",
    ]


def time_calls(call, requests, n):
    durations = []
    for i in range(n):
        start = time.perf_counter()
        call(requests[i % len(requests)])
        durations.append(time.perf_counter() - start)
    return durations


def bench_service(workdir, model, n_calls, n_endurance):
    """Round trips and memory over many calls, against one node."""
    rng = np.random.default_rng(0)
    images = [ros_service.array_to_image(simulator.render_scene(rng, n_cubes=3, size=(480, 640))[0]) for _ in range(20)]
    with RosProcesses(Path(workdir) / "service") as ros:
        ros.start_master()
        ros.run_node("vision_server", f"_model:={model}", "_camera_topic:=")
        ros.wait_for_service(SERVICE, watch=("vision_server",))
        pid = ros.node_pid("/vision_server")
        srv = ros_msgs.import_srv()
        with ros.client_environment():
            fresh = rospy.ServiceProxy(SERVICE, srv.RecogniseCubes)
            persistent = rospy.ServiceProxy(SERVICE, srv.RecogniseCubes, persistent=True)
            found = [len(fresh(image).label) for image in images]  # warm-up, and a check
            if sum(found) < 2 * len(images):  # the vision benchmark measures the misses (~0.5 %)
                raise RuntimeError(f"the service found {found} cubes in scenes of 3: is the model trained?")
            rounds = {
                "new connection per call": time_calls(fresh, images, n_calls),
                "persistent connection": time_calls(persistent, images, n_calls),
            }
            persistent.close()

            time_calls(fresh, images, 50)  # settle the allocator before the first reading
            rss = [(0, rss_mb(pid))]
            start = time.perf_counter()
            for done in range(n_endurance // 4, n_endurance + 1, n_endurance // 4):
                time_calls(fresh, images, n_endurance // 4)
                rss.append((done, rss_mb(pid)))
            endurance_s = time.perf_counter() - start

    # The same frames through recognise() in this process: what the round trip adds is ROS's.
    from robot_lab.classifier import load_model
    from robot_lab.pipeline import recognise

    network = load_model(model)
    arrays = [ros_service.image_to_array(image) for image in images]
    time_calls(lambda array: recognise(array, network), arrays, 20)
    rounds["no ROS: recognise() in the client's process"] = time_calls(
        lambda array: recognise(array, network), arrays, n_calls
    )

    lines = [
        f"## Round trip: 640x480 frames with 3 cubes ({n_calls} calls each, 20 different frames)",
        "",
        "| client | median ms | p95 ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for name, durations in rounds.items():
        ms = [1000 * d for d in durations]
        lines.append(f"| {name} | {statistics.median(ms):.1f} | {percentile(ms, 95):.1f} | {max(ms):.1f} |")
    lines += [
        "",
        "Target: p95 <= 60 ms. The request carries the raw image (921,600 bytes).",
        "",
        f"## Endurance: {n_endurance} calls in a row (new connection per call), the node's memory",
        "",
        "| calls made | node RSS MB |",
        "|---:|---:|",
        *[f"| {done} | {mb:.1f} |" for done, mb in rss],
        "",
        f"Growth over {n_endurance} calls: {rss[-1][1] - rss[0][1]:+.1f} MB (target: a few MB at most), "
        f"over the last {rss[-1][0] - rss[1][0]}: {rss[-1][1] - rss[1][1]:+.1f} MB; "
        f"{n_endurance} calls in {endurance_s:.1f} s.",
        "",
    ]
    return lines


def header(model):
    ros_version = (
        subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-rospy"], capture_output=True, text=True).stdout
        or "?"
    )
    return [
        "# Robot lab: ROS service benchmark",
        "",
        machine.describe() + "  ",
        f"Versions: Python {platform.python_version()}, ROS 1 from Debian (python3-rospy {ros_version}), "
        f"TensorFlow {version('tensorflow-cpu')}.  ",
        f"Model: `{Path(model).relative_to(REPO) if Path(model).is_relative_to(REPO) else model}`.  ",
        f"Command: `python -m reference.bench_ros {' '.join(sys.argv[1:])}`".rstrip() + "  ",
        "",
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="round trips timed per client (default 300)")
    parser.add_argument("--endurance", type=int, default=1000, help="calls in a row for memory (default 1000)")
    parser.add_argument("--starts", type=int, default=3, help="start-ups timed (default 3)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--write", action="store_true", help="also write reference/bench_ros.md")
    args = parser.parse_args(argv)
    if not args.model.is_file():
        sys.exit(f"error: no trained model at {args.model}: run `make robot-model` first")

    top = header(args.model)
    print("\n".join(top), flush=True)
    load_before = os.getloadavg()[0]
    lines = []
    with tempfile.TemporaryDirectory(prefix="bench_ros-") as workdir:
        for section in (
            bench_startup(workdir, args.model, args.starts),
            bench_service(workdir, args.model, args.calls, args.endurance),
        ):
            print("\n".join(section), flush=True)
            lines += section
    # On 2 shared cores the round trips' tail follows the other jobs' load: say what it was.
    load = (
        f"Load average (1 min) on the {os.cpu_count()} cores: {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end."
    )
    print(load)
    lines = top[:-1] + [load, ""] + lines
    if args.write:
        (REPO / "reference" / "bench_ros.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
