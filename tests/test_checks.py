"""The helpers hidden tests import from kit_checks (autograder/checks.py)."""

import json

import numpy as np
import pytest

from autograder import build, checks


class ScoresModel:
    """Any object with Keras's ``predict(inputs, batch_size, verbose)`` will do for these helpers."""

    def __init__(self, scores):
        self.scores = np.asarray(scores)

    def predict(self, inputs, batch_size=None, verbose=0):
        return self.scores[: len(inputs)]


def test_flat_inputs_flattens_row_by_row_and_scales():
    images = np.arange(2 * 28 * 28, dtype=np.uint32).reshape(2, 28, 28) % 256
    inputs = checks.flat_inputs(images.astype(np.uint8))
    assert inputs.shape == (2, 784) and inputs.dtype == np.float32
    assert inputs[0, 1] == pytest.approx(1 / 255) and inputs[0, 28] == pytest.approx(28 / 255)
    assert inputs.max() == 1.0


def test_accuracy_and_predicted_labels_use_the_argmax():
    model = ScoresModel([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    assert list(checks.predicted_labels(model, np.zeros((4, 3)))) == [1, 0, 1, 0]
    assert checks.accuracy(model, np.zeros((4, 3)), [1, 0, 0, 0]) == 0.75


def test_predicted_labels_rejects_a_model_without_class_scores():
    with pytest.raises(AssertionError, match=r"shape \(n_images, 10\)"):
        checks.predicted_labels(ScoresModel(np.zeros(4)), np.zeros((4, 3)))


def test_heldout_and_thresholds_read_from_the_grading_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="ships in the autograder zip"):
        checks.load_heldout()
    np.savez(tmp_path / checks.MNIST_FILE, x_test=np.zeros((3, 28, 28), np.uint8), y_test=np.array([1, 2, 3], np.uint8))
    images, labels = checks.load_heldout()
    assert images.shape == (3, 28, 28) and list(labels) == [1, 2, 3]
    (tmp_path / checks.THRESHOLDS_FILE).write_text(build.THRESHOLDS.read_text())
    expected = json.loads(build.THRESHOLDS.read_text())["tp1_dense"]["test_accuracy"]["threshold"]
    assert checks.threshold("tp1_dense", "test_accuracy") == expected
