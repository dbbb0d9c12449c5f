"""Reusable checks for the hidden tests.

This file ships inside every autograder zip as ``kit_checks.py`` (next to the
held-out data and ``thresholds.json``), so it imports nothing from the kit and
only numpy at import time: hidden tests do ``from kit_checks import ...``.

A hidden test never trusts a number the student computed; it recomputes it
from the student's objects with the helpers below.
"""

import json
import os
from pathlib import Path

import numpy as np

# MNIST as keras.datasets.mnist.load_data() gives it (keys x_train, y_train,
# x_test, y_test). The notebooks read it when present, so grading needs no
# download; the hidden tests take their held-out digits from its test part.
MNIST_FILE = "mnist.npz"
THRESHOLDS_FILE = "thresholds.json"
# The student notebook's first cells set it ("fr" or "en"); the messages follow it, so that
# one autograder zip gives French notebooks French feedback and English ones English.
LANGUAGE_VARIABLE = "MNIST_KIT_LANGUAGE"


def language():
    """The language of the notebook being checked: ``"fr"`` or ``"en"`` (the default)."""
    return "fr" if os.environ.get(LANGUAGE_VARIABLE) == "fr" else "en"


def say(fr, en=None):
    """The message of the notebook's language (:func:`language`): ``fr`` or ``en`` (str).

    ``fr`` and ``en`` may also be a dict ``{"fr": ..., "en": ...}`` given as ``fr`` alone.
    """
    if isinstance(fr, dict):
        fr, en = fr["fr"], fr["en"]
    return fr if language() == "fr" else en


def _support_file(name):
    # Otter copies the autograder's support files next to the submission,
    # which is the working directory of the grading kernel.
    path = Path(name)
    if not path.is_file():
        raise FileNotFoundError(
            say(
                f"{name} est introuvable dans {Path.cwd()} : il est livré dans le zip du correcteur ; "
                "reconstruisez le zip avec `make assignments`.",
                f"{name} not found in {Path.cwd()}: it ships in the autograder zip; "
                "rebuild the zip with `make assignments`.",
            )
        )
    return path


def load_heldout():
    """Held-out MNIST digits that ship only in the autograder.

    Returns
    -------
    images : ndarray of shape (n_samples, 28, 28), dtype uint8
        Raw digits, 0 = background, 255 = ink, as ``keras.datasets.mnist`` gives them.
    labels : ndarray of shape (n_samples,), dtype uint8
        Digit classes 0..9.
    """
    with np.load(_support_file(MNIST_FILE)) as data:
        return data["x_test"], data["y_test"]


def threshold(assignment, key):
    """The calibrated pass mark ``key`` of ``assignment`` (see assignments/thresholds.json)."""
    table = json.loads(_support_file(THRESHOLDS_FILE).read_text())
    return table[assignment][key]["threshold"]


def flat_inputs(images):
    """The grader's own preprocessing, independent of the student's.

    Parameters
    ----------
    images : ndarray of shape (n_samples, 28, 28), dtype uint8

    Returns
    -------
    inputs : ndarray of shape (n_samples, 784), dtype float32, values in [0, 1]
    """
    return images.reshape(len(images), -1).astype("float32") / 255.0


def model_inputs(model, images):
    """The grader's own preprocessing, shaped for ``model``'s input.

    Parameters
    ----------
    model : keras.Model
        Its input shape is (None, 784) for a dense net or (None, 28, 28, 1) for a convnet.
    images : ndarray of shape (n_samples, 28, 28), dtype uint8

    Returns
    -------
    inputs : ndarray of shape (n_samples, *model.input_shape[1:]), dtype float32, values in [0, 1]
    """
    shape = tuple(model.input_shape[1:])
    if int(np.prod(shape)) != 28 * 28:
        raise AssertionError(
            say(
                f"le modèle devrait prendre 28 × 28 = 784 pixels par image ; sa forme d'entrée est {model.input_shape}",
                f"the model should take 28 × 28 = 784 pixels per image; its input shape is {model.input_shape}",
            )
        )
    return flat_inputs(images).reshape((len(images), *shape))


def predicted_labels(model, inputs, batch_size=1024):
    """Class predicted by ``model`` for each input.

    Parameters
    ----------
    model : keras.Model
        Outputs one score per class, shape (n_samples, n_classes).
    inputs : ndarray of shape (n_samples, ...)
        Already preprocessed the way the model expects.

    Returns
    -------
    labels : ndarray of shape (n_samples,), dtype int64
    """
    scores = np.asarray(model.predict(inputs, batch_size=batch_size, verbose=0))
    if scores.ndim != 2:
        raise AssertionError(
            say(
                f"le modèle devrait sortir une ligne de scores de classes par image, "
                f"de forme (n_images, 10) ; sa sortie est de forme {scores.shape}",
                f"the model should output one row of class scores per image, "
                f"shape (n_images, 10); it output shape {scores.shape}",
            )
        )
    return scores.argmax(axis=1)


def accuracy(model, inputs, labels):
    """Fraction of ``inputs`` whose predicted class equals ``labels`` (float in [0, 1])."""
    return float(np.mean(predicted_labels(model, inputs) == np.asarray(labels)))


def percent_fr(value, digits=2):
    """``value`` (a fraction) as a French percentage: ``0.9812`` → ``"98,12 %"``."""
    return f"{100 * value:.{digits}f} %".replace(".", ",")


# --- hidden tests that several assignments share ----------------------------------------


def assert_heldout_accuracy(model, assignment, key="test_accuracy"):
    """Fail unless ``model`` reaches the calibrated pass mark on the held-out digits.

    Parameters
    ----------
    model : keras.Model
        The student's trained model, dense (input (None, 784)) or convolutional (None, 28, 28, 1).
    assignment, key : str
        Which pass mark of ``thresholds.json`` (e.g. ``"tp1_dense"``, ``"test_accuracy"``).
    """
    images, labels = load_heldout()
    score, needed = accuracy(model, model_inputs(model, images), labels), threshold(assignment, key)
    assert score >= needed, say(
        f"votre modèle reconnaît {percent_fr(score)} des chiffres réservés à la correction ; "
        f"il en faut au moins {percent_fr(needed)}",
        f"your model recognises {score:.2%} of the grader's held-out digits; at least {needed:.2%} is needed",
    )


def assert_validation_is_not_test(model, history, advice):
    """Fail when some epoch's validation accuracy and loss are those of the held-out test digits.

    Had the test set been the validation set, the epoch whose weights ``model`` holds (the
    last one, or the best one when early stopping restored it) would show the model's very
    accuracy and cross-entropy on the test digits.

    Parameters
    ----------
    model : keras.Model
        Outputs class probabilities, shape (n_samples, 10).
    history : keras.callbacks.History
        What ``model.fit`` returned; its ``history`` has ``val_accuracy`` and ``val_loss``.
    advice : str or dict of {"fr": str, "en": str}
        What to do instead, ending the failure message (in the notebook's language when a dict).
    """
    images, labels = load_heldout()
    probabilities = np.asarray(model.predict(model_inputs(model, images), batch_size=1024, verbose=0), dtype="float64")
    test_accuracy = np.mean(probabilities.argmax(axis=1) == labels)
    test_loss = -np.mean(np.log(np.clip(probabilities[np.arange(len(labels)), labels], 1e-7, 1)))
    advice = advice if isinstance(advice, str) else say(advice)
    epochs = zip(history.history["val_accuracy"], history.history["val_loss"])
    for epoch, (val_accuracy, val_loss) in enumerate(epochs, start=1):
        same = abs(val_accuracy - test_accuracy) < 2e-4 and abs(val_loss - test_loss) < 1e-4 * test_loss
        assert not same, say(
            f"l'exactitude et la perte de validation de l'époque {epoch} sont celles du jeu de test : {advice}",
            f"the validation accuracy and loss of epoch {epoch} are those of the test set: {advice}",
        )
