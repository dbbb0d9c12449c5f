"""Benchmark of the robot lab's ROS 2 (Jazzy) service: the ROS 2 column of reference/bench_ros.md.

    .venv-ros2/bin/python -m reference.bench_ros2 [--calls 300] [--endurance 1000] [--model PATH] [--write]

The real node (``python -m robot_lab.ros2.vision_server``, what ``ros2 run`` starts) in
a private DDS domain on loopback, called by an rclpy client in this process:

1. Start-up: the node until both its services answer ``wait_for_service`` (Python,
   rclpy and TensorFlow imports, model load, the network's first call). ROS 2 has no
   master to start.
2. Round trip: ``/robot_lab/recognise_cubes`` on simulated 640x480 frames with 3 cubes,
   median and 95th percentile (target p95 <= 30 ms), and ``recognise()`` in this process.
3. Endurance: ``--endurance`` calls in a row; the node's resident memory (RSS).

``--write`` puts the tables into reference/bench_ros.md between the ROS 2 markers
(after the ROS 1 tables that reference/bench_ros.py writes), with a ROS 1 / ROS 2 table
whose ROS 1 column is read from those tables. Timings are upper bounds when the
machine is shared (the load average is in the header).
"""

import argparse
import os
import platform
import re
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import rclpy
from robot_lab_interfaces.srv import RecogniseCubes

from robot_lab import REPO_ROOT as REPO
from robot_lab import pipeline, ros_service, simulator
from robot_lab.classifier import DEFAULT_MODEL_PATH, load_model
from robot_lab.ros2.processes import Ros2Processes

from . import machine
from .machine import percentile, rss_mb

SERVICE = "/robot_lab/recognise_cubes"
REPORT = REPO / "reference" / "bench_ros.md"
BEGIN, END = "<!-- ROS 2: reference/bench_ros2.py -->", "<!-- end of ROS 2 -->"


def call(node, client, request):
    future = client.call_async(request)
    rclpy.spin_until_future_complete(node, future, timeout_sec=60)
    if not future.done():
        raise TimeoutError(f"no answer from {SERVICE} in 60 s")
    return future.result()


def frames(n=20):
    """``n`` simulated 640x480 scenes with 3 cubes, as requests."""
    return [
        RecogniseCubes.Request(
            image=ros_service.array_to_image(
                simulator.render_scene(np.random.default_rng(seed), n_cubes=3, size=(480, 640))[0]
            )
        )
        for seed in range(n)
    ]


def bench(workdir, model, repeat, n_calls, n_endurance):
    results = {"startup": []}
    requests = frames()
    with Ros2Processes(workdir) as ros, ros.client_environment():
        rclpy.init()
        node = rclpy.create_node("bench_ros2")
        try:
            client = node.create_client(RecogniseCubes, SERVICE)
            for i in range(repeat):
                start = time.perf_counter()
                ros.run_node("vision_server", "-p", f"model:={model}", "-p", "camera_topic:=''")
                ros.wait_for_service(client)
                call(node, client, requests[0])  # answered: the service is up for a client
                results["startup"].append(time.perf_counter() - start)
                if i < repeat - 1:
                    ros.stop("vision_server")
            times = []
            for i in range(n_calls):
                start = time.perf_counter()
                response = call(node, client, requests[i % len(requests)])
                times.append((time.perf_counter() - start) * 1000)
                assert len(response.label) == 3
            results["ros2"] = times
            # The same frame size with nothing to find: ROS 2's share of a round trip.
            blank = RecogniseCubes.Request(image=ros_service.array_to_image(np.zeros((480, 640, 3), np.uint8)))
            times = []
            for _ in range(n_calls):
                start = time.perf_counter()
                call(node, client, blank)
                times.append((time.perf_counter() - start) * 1000)
            results["ros2_blank"] = times
            pid = ros.processes["vision_server"].pid
            memory, start = [(0, rss_mb(pid))], time.perf_counter()
            for i in range(1, n_endurance + 1):
                call(node, client, requests[i % len(requests)])
                if i % (n_endurance // 4) == 0:
                    memory.append((i, rss_mb(pid)))
            results["memory"], results["endurance_s"] = memory, time.perf_counter() - start
        finally:
            node.destroy_node()
            rclpy.try_shutdown()
    keras_model = load_model(model)
    images = [ros_service.image_to_array(r.image) for r in requests]
    local = []
    for i in range(n_calls):
        start = time.perf_counter()
        pipeline.recognise(images[i % len(images)], keras_model)
        local.append((time.perf_counter() - start) * 1000)
    results["local"] = local
    blank, local = np.zeros((480, 640, 3), np.uint8), []
    for _ in range(n_calls):
        start = time.perf_counter()
        pipeline.recognise(blank, keras_model)
        local.append((time.perf_counter() - start) * 1000)
    results["local_blank"] = local
    return results


def ros1_numbers(text):
    """The ROS 1 numbers of reference/bench_ros.md's own tables (None where not found)."""

    def find(pattern):
        match = re.search(pattern, text)
        return match.groups() if match else None

    return {
        "startup": find(r"\| vision_server, until its services are advertised[^|]*\| ([\d.]+) \|"),
        "rtt": find(r"\| persistent connection \| ([\d.]+) \| ([\d.]+) \|"),
        "rtt_new": find(r"\| new connection per call \| ([\d.]+) \| ([\d.]+) \|"),
        "growth": find(r"Growth over \d+ calls: ([+\-\d.]+ MB)"),
    }


def report(results, model, n_calls, n_endurance, load_start, previous):
    startup, rtt, local = results["startup"], results["ros2"], results["local"]
    memory = results["memory"]
    growth = memory[-1][1] - memory[0][1]
    ros1 = ros1_numbers(previous)
    shown = lambda values, i=0: values[i] if values else "see above"  # noqa: E731
    lines = [
        BEGIN,
        "## ROS 2 Jazzy",
        "",
        f"Versions: Python {platform.python_version()}, ROS 2 Jazzy from PyPI wheels (ros-jazzy-rclpy "
        f"{version('ros-jazzy-rclpy')}, rmw_fastrtps_cpp), TensorFlow {version('tensorflow-cpu')}.  ",
        f"Model: `{model}`. Command: `.venv-ros2/bin/python -m reference.bench_ros2 --write` (`make bench`).  ",
        f"Load average (1 min) on the 2 cores: {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.  ",
        "One DDS domain of its own, on loopback (`ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST`); an rclpy client "
        "in the benchmark's process, one `rclpy` client object kept for every call (ROS 2 has no per-call connection).",
        "",
        "| measure | ROS 1 (tables above) | ROS 2 Jazzy |",
        "|---|---:|---:|",
        "| start-up: master | roscore, see above | none (DDS discovery) |",
        f"| start-up: node until its service answers, median s ({len(startup)} runs) | {shown(ros1['startup'])} "
        f"| {statistics.median(startup):.1f} ({min(startup):.1f}–{max(startup):.1f}) |",
        f"| round trip 640x480, 3 cubes: median ms | {shown(ros1['rtt'])} (persistent), "
        f"{shown(ros1['rtt_new'])} (new connection) | {statistics.median(rtt):.1f} |",
        f"| round trip 640x480, 3 cubes: p95 ms (target <= 30) | {shown(ros1['rtt'], 1)} (persistent), "
        f"{shown(ros1['rtt_new'], 1)} (new connection) | {percentile(rtt, 95):.1f} |",
        f"| round trip: max ms | see above | {max(rtt):.1f} |",
        f"| round trip 640x480, blank (nothing to find): median / p95 ms | not measured "
        f"| {statistics.median(results['ros2_blank']):.1f} / {percentile(results['ros2_blank'], 95):.1f} |",
        f"| node memory growth over {n_endurance} calls | {shown(ros1['growth'])} | {growth:+.1f} MB |",
        "",
        f"Round trips: {n_calls} calls over 20 different frames (921,600 bytes each). In the same process, "
        f"without ROS, `recognise()` takes {statistics.median(local):.1f} ms median, "
        f"{percentile(local, 95):.1f} ms p95 over the same {n_calls} frames, and "
        f"{statistics.median(results['local_blank']):.1f} ms median on the blank frame: the rest of a round trip "
        "is ROS 2 (two processes' executors, DDS over loopback, message conversions: ~1 ms of these) and the "
        "CPU the two processes share with the machine's other jobs.",
        "",
        "| calls made | node RSS MB |",
        "|---:|---:|",
        *(f"| {calls} | {mb:.1f} |" for calls, mb in memory),
        "",
        f"Growth over {n_endurance} calls: {growth:+.1f} MB (target: a few MB at most); "
        f"{n_endurance} calls in {results['endurance_s']:.1f} s.",
        END,
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--endurance", type=int, default=1000)
    parser.add_argument("--startups", type=int, default=3)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH)
    parser.add_argument("--write", action="store_true", help="also write the ROS 2 section of reference/bench_ros.md")
    args = parser.parse_args(argv)
    if not args.model.is_file():
        sys.exit(f"error: no trained network at {args.model}: run `make robot-model` first")
    load_start = os.getloadavg()[0]
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench_ros2-") as workdir:
        results = bench(workdir, args.model, args.startups, args.calls, args.endurance)
    previous = REPORT.read_text() if REPORT.is_file() else ""
    model = args.model.relative_to(REPO) if args.model.is_relative_to(REPO) else args.model
    section = report(results, model, args.calls, args.endurance, load_start, previous)
    print(machine.describe())
    print(section)
    if args.write:
        kept = previous.split(BEGIN)[0].rstrip("\n") + "\n\n" if BEGIN in previous else previous.rstrip("\n") + "\n\n"
        after = previous.split(END, 1)[1].lstrip("\n") if END in previous else ""
        REPORT.write_text(kept + section + after)
        print(f"written: {REPORT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
