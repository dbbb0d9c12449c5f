#!/usr/bin/env bash
# Gradescope runs this once, when it builds the grading image (Ubuntu base image,
# internet access). It installs Python 3.11 with Miniforge (the pinned numpy and
# TensorFlow need Python >= 3.11, newer than some Ubuntu images' python3), then
# the pinned requirements into /autograder/venv, which run_autograder uses.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends wget ca-certificates
wget -nv "https://github.com/conda-forge/miniforge/releases/download/25.3.1-0/Miniforge3-Linux-$(uname -m).sh" \
    -O /tmp/miniforge.sh
bash /tmp/miniforge.sh -b -p /opt/miniforge
/opt/miniforge/bin/conda create -y -q -p /opt/python311 python=3.11
/opt/python311/bin/python -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
/autograder/venv/bin/python -m pip install --quiet -r /autograder/source/requirements.txt
