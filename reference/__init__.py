"""Calibration and benchmarks of the kit, run as modules (``python -m reference.calibrate``, ``make bench``).

``submissions/`` holds the known-good and known-bad submissions that the tests replay and
the benchmarks grade; ``results.md`` and ``bench*.md`` are the reports these modules write.
"""
