"""Reusable checks for the hidden tests.

This file ships inside every autograder zip as ``kit_checks.py`` (next to the
held-out data and ``thresholds.json``), so it imports nothing from the kit and
only numpy at import time: hidden tests do ``from kit_checks import ...``.

A hidden test never trusts a number the student computed; it recomputes it
from the student's objects with the helpers below.
"""

import json
import math
import os
from pathlib import Path

import numpy as np

# MNIST as keras.datasets.mnist.load_data() gives it (keys x_train, y_train,
# x_test, y_test), the published files unchanged. The notebooks read it when present,
# so grading needs no download.
MNIST_FILE = "mnist.npz"
THRESHOLDS_FILE = "thresholds.json"
# The instructor's settings of the test-set check (what a flag costs, its bars).
INTEGRITY_FILE = "integrity.json"

# MNIST's 10,000 test digits are split once, after loading, by this fixed permutation
# (numpy's legacy RandomState: its streams never change across numpy versions) into two
# halves of 5,000: the first half of the permutation is the students' test set (what the
# notebooks' load_mnist returns as x_test, y_test; assignments/common/load_mnist.py uses
# the same seed), the second is the grader's held-out set. A model trained on the
# students' test set gains nothing on the grader's half, and shows it (see report_test_set_use).
# Not the first/last 5,000: MNIST's first 5,000 test digits are the cleaner writers.
TEST_SPLIT_SEED = 20240


def split_test_set(n_test=10000):
    """Indices of the students' half and of the grader's half of MNIST's test set.

    Returns
    -------
    students, grader : ndarray of shape (n_test // 2,) and (n_test - n_test // 2,), dtype int64
        Sorted, disjoint, together ``0 .. n_test - 1``.
    """
    order = np.random.RandomState(TEST_SPLIT_SEED).permutation(n_test)
    return np.sort(order[: n_test // 2]), np.sort(order[n_test // 2 :])


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
    # Otter copies the autograder's support files next to the submission, with this module
    # (kit_checks.py): found beside it first, so a notebook that changed its working
    # folder (os.chdir) is still graded; then in the working folder.
    path = next((p for p in (Path(__file__).resolve().parent / name, Path(name).resolve()) if p.is_file()), None)
    if path is None:
        raise FileNotFoundError(
            say(
                f"{name} est introuvable dans {Path.cwd()} : il est livré dans le zip du correcteur ; "
                "reconstruisez le zip avec `make assignments`.",
                f"{name} not found in {Path.cwd()}: it ships in the autograder zip; "
                "rebuild the zip with `make assignments`.",
            )
        )
    return path


#: The key of an ``mnist.npz`` whose test set is the students' half only (the kernel's copy).
STUDENTS_HALF_KEY = "students_half"
#: The students' half stands in for the grader's (kit_verify's clean process sets it to compare
#: with the kernel's run, which has only the students' half: ``mnist.npz`` beside the notebook).
HELDOUT_STAND_IN = False
#: How many times the grader's half was read (the clean process compares with the kernel only where it was).
GRADER_HALF_READS = 0


def _test_half(which):
    with np.load(_support_file(MNIST_FILE)) as data:
        images, labels = data["x_test"], data["y_test"]
        if STUDENTS_HALF_KEY in data.files:  # the kernel's copy: the students' half only, standing in for both
            return images, labels
    global GRADER_HALF_READS
    GRADER_HALF_READS += which == 1 and not HELDOUT_STAND_IN
    index = split_test_set(len(labels))[0 if HELDOUT_STAND_IN else which]
    return images[index], labels[index]


def load_heldout():
    """The grader's held-out digits: the half of MNIST's test set that students' notebooks never load.

    Returns
    -------
    images : ndarray of shape (5000, 28, 28), dtype uint8
        Raw digits, 0 = background, 255 = ink, as ``keras.datasets.mnist`` gives them.
    labels : ndarray of shape (5000,), dtype uint8
        Digit classes 0..9.
    """
    return _test_half(1)


def load_students_test():
    """The students' test digits: the half of MNIST's test set their ``load_mnist`` returns.

    Returns
    -------
    images : ndarray of shape (5000, 28, 28), dtype uint8
    labels : ndarray of shape (5000,), dtype uint8
    """
    return _test_half(0)


#: Training digits every notebook trains on: validation_split=0.1 keeps the last 6,000 apart.
TRAINED_DIGITS = 54000


def load_training_sample(n=10000):
    """``n`` training digits the notebooks train on, the test-set check's reference.

    In the clean process, a fresh random sample of the first :data:`TRAINED_DIGITS` at each
    grading: a student cannot target it (oversampling a known subset to look honest). Where
    the students' half stands in for the grader's (the kernel, and the clean process's
    comparison with it), the first ``n``: the same in both.

    Returns
    -------
    images : ndarray of shape (n, 28, 28), dtype uint8
    labels : ndarray of shape (n,), dtype uint8
    """
    with np.load(_support_file(MNIST_FILE)) as data:
        images, labels = data["x_train"], data["y_train"]
        fixed = HELDOUT_STAND_IN or STUDENTS_HALF_KEY in data.files
    if fixed or len(labels) < TRAINED_DIGITS:
        return images[:n], labels[:n]
    index = np.sort(np.random.default_rng().choice(TRAINED_DIGITS, size=n, replace=False))
    return images[index], labels[index]


def load_training_tail(n):
    """The last ``n`` training digits: where ``validation_split`` takes its validation set.

    Returns
    -------
    images : ndarray of shape (n, 28, 28), dtype uint8
    labels : ndarray of shape (n,), dtype uint8
    """
    with np.load(_support_file(MNIST_FILE)) as data:
        return data["x_train"][-n:], data["y_train"][-n:]


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


def student_inputs(model, images, preprocess=None):
    """The held-out ``images`` prepared the way the student prepared their own: with their ``preprocess``.

    A model is graded on what it was trained to read, so that a preprocessing mistake
    costs the preprocessing question's points only, not the accuracy's as well. When
    ``preprocess`` is missing, raises, or gives arrays the model cannot take, the
    grader's own preprocessing (:func:`model_inputs`) is used instead.

    Parameters
    ----------
    model : keras.Model
    images : ndarray of shape (n_samples, 28, 28), dtype uint8
    preprocess : callable, optional
        The student's function: uint8 images (n, 28, 28) -> the model's inputs.

    Returns
    -------
    inputs : ndarray of shape (n_samples, *model.input_shape[1:]), dtype float32
    note : dict or str
        ``""`` when the student's function was used; else why it was not,
        ``{"fr": ..., "en": ...}`` (:func:`say` picks the notebook's language).
    """
    if preprocess is not None:
        try:
            inputs = np.asarray(preprocess(images.copy()), dtype="float32")
            shape = tuple(model.input_shape[1:])
            if inputs.shape[0] == len(images) and inputs[0].size == int(np.prod(shape)) and np.isfinite(inputs).all():
                return inputs.reshape((len(images), *shape)), ""
            note = {
                "fr": f"votre prétraitement donne la forme {inputs.shape}, que le modèle ne peut pas lire",
                "en": f"your preprocessing gave shape {inputs.shape}, which the model cannot take",
            }
        except Exception as error:  # the student's code: any failure
            note = {
                "fr": f"votre prétraitement a échoué ({type(error).__name__} : {error})",
                "en": f"your preprocessing failed ({type(error).__name__}: {error})",
            }
        note["fr"] += " ; celui de la correction (pixels / 255) a servi à sa place"
        note["en"] += "; the grader's own (pixels / 255) was used instead"
        return model_inputs(model, images), note
    return model_inputs(model, images), ""


def _probabilities(model, inputs, batch_size=1024):
    scores = np.asarray(model.predict(inputs, batch_size=batch_size, verbose=0), dtype="float64")
    if scores.ndim != 2:
        raise AssertionError(
            f"the model should output one row of class scores per image, "
            f"shape (n_images, 10); it output shape {scores.shape}"
        )
    return scores


def percent_fr(value, digits=2):
    """``value`` (a fraction) as a French percentage: ``0.9812`` → ``"98,12 %"``."""
    return f"{100 * value:.{digits}f} %".replace(".", ",")


# --- public checks that several assignments share -----------------------------------------
# Students run public checks without this file: the build pastes each function's source
# into the test cell that names it (a line ``# KIT_CHECK <function>``), so each is
# self-contained, its imports inside.


def assert_accuracy_on_your_test_digits(model, x_test, y_test, bar, margin):
    """Fail unless ``model`` gets at least ``bar`` of the student's own test digits right.

    The public side of the hidden accuracy test: ``bar`` is the pass mark plus ``margin``
    (the build's ``PUBLIC_MARGIN``), because the students' half of the test set and the
    grader's can differ by that much.

    Parameters
    ----------
    model : keras.Model
        Outputs class probabilities, shape (n_samples, 10).
    x_test : ndarray
        The student's test digits, preprocessed as the model expects.
    y_test : ndarray of shape (n_samples,)
        Their integer labels.
    bar, margin : float
        The accuracy needed, and how much of it is above the hidden pass mark, as fractions.
    """
    import os

    import numpy as np

    accuracy = np.mean(np.asarray(model.predict(x_test, verbose=0)).argmax(axis=1) == y_test)
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language

    def points(fraction, digits=1):  # 0.9812 -> "98,12" (French decimal comma)
        return f"{100 * fraction:.{digits}f}".replace(".", ",")

    count = f"{len(y_test):,}".replace(",", " ")  # 5000 -> "5 000"
    assert accuracy >= bar, (
        (
            f"votre modèle reconnaît {points(accuracy, 2)} % de vos {count} chiffres de test (x_test). "
            f"Le test caché exige {points(bar - margin)} % sur les 5 000 chiffres que garde le correcteur ; "
            f"ce contrôle exige {points(bar)} % sur les vôtres, soit {points(margin)} point de plus, car deux "
            "moitiés du jeu de test peuvent différer d'autant."
        )
        if fr
        else (
            f"your model gets {accuracy:.2%} of your {len(y_test):,} test digits (x_test) right. The hidden "
            f"test asks {bar - margin:.1%} of the grader's own 5,000 test digits; this check asks {bar:.1%} of "
            f"yours, {100 * margin:.1f} point more, because two halves of the test set can differ by that much."
        )
    )


def assert_softmax_and_cross_entropy(model):
    """Fail unless ``model`` outputs class probabilities and is compiled with categorical cross-entropy.

    Both are judged by what they compute, not by how they are written: the output rows of
    random inputs must be probabilities that sum to 1 (a softmax, as an ``activation``
    argument or a layer of its own), and the compiled loss (a string, a function such as
    ``keras.losses.categorical_crossentropy`` or a ``keras.losses.Loss``) must give
    ``keras.losses.CategoricalCrossentropy()``'s value on one-hot labels.

    Parameters
    ----------
    model : keras.Model
        Compiled; its input shape is (None, 784) or (None, 28, 28, 1), its output (None, 10).
    """
    import os

    import keras
    import numpy as np

    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    rng = np.random.default_rng(1)
    probs = np.asarray(model.predict(rng.random((4, *model.input_shape[1:]), dtype=np.float32), verbose=0))
    assert probs.shape[1:] == (10,) and np.allclose(probs.sum(axis=1), 1, atol=1e-4) and probs.min() >= 0, (
        "la couche de sortie devrait être une softmax : 10 probabilités de somme 1 par image"
        if fr
        else "the output layer should be a softmax: 10 probabilities that sum to 1 per image"
    )
    assert getattr(model, "optimizer", None) is not None and getattr(model, "loss", None) is not None, (
        "le modèle devrait être compilé (appelez model.compile)"
        if fr
        else "the model should be compiled (call model.compile)"
    )
    loss = model.loss
    written = (
        loss if isinstance(loss, str) else getattr(loss, "name", None) or getattr(loss, "__name__", type(loss).__name__)
    )
    labels = np.eye(10, dtype="float32")[[3, 0, 7, 9]]
    scores = np.exp(rng.normal(size=(4, 10)))
    probabilities = (scores / scores.sum(axis=1, keepdims=True)).astype("float32")
    try:
        function = keras.losses.get(loss) if isinstance(loss, str) else loss
        value = float(np.mean(keras.ops.convert_to_numpy(function(labels, probabilities))))
    except Exception:  # the student's loss: anything that cannot take one-hot labels is not the one asked for
        value = float("nan")
    expected = float(keras.losses.CategoricalCrossentropy()(labels, probabilities))
    assert np.isclose(value, expected, rtol=1e-5), (
        f"la perte devrait être l'entropie croisée catégorielle (les étiquettes sont en one-hot) ; c'est « {written} »"
        if fr
        else f'the loss should be categorical cross-entropy (labels are one-hot); found "{written}"'
    )


def assert_validation_is_not_your_test_digits(
    history, probabilities, y_test, advice, losses=None, accuracy_match=2e-4, loss_match=1e-5
):
    """Fail when some epoch's validation accuracy and loss are those of the test digits.

    Had the test set been the validation set, the epoch whose weights the model holds (the
    last one, or the best one when early stopping restored it) would show the model's very
    accuracy and cross-entropy on the test digits. How close is "the same": ``accuracy_match``
    (absolute) and ``loss_match`` (relative). An honest TP2 run (its callback watching the
    training loss, 60 epochs of over-fitting) matched one epoch at 1e-4 on the loss by
    chance; none matched at 1e-5, which still catches validation on the test set in each TP
    (reference/submissions: validation_on_test_set).

    Parameters
    ----------
    history : keras.callbacks.History
        What ``model.fit`` returned; its ``history`` has ``val_accuracy`` and ``val_loss``.
    probabilities : ndarray of shape (n_samples, 10)
        The model's outputs on the test digits (``model.predict(x_test)``).
    y_test : ndarray of shape (n_samples,)
        Their integer labels.
    advice : dict of {"fr": str, "en": str}
        What to do instead, ending the failure message in the notebook's language.
    losses : ndarray of shape (n_samples,), optional
        Each digit's cross-entropy as Keras computed it in ``fit`` (the hidden check's
        :func:`keras_losses`). By default ``-log p(true class)``, clipped at 1e-7: the same
        unless the model gave some digit's true class less than 1e-7.
    """
    import os

    import numpy as np

    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    probabilities = np.asarray(probabilities, dtype="float64")
    labels = np.asarray(y_test)
    test_accuracy = np.mean(probabilities.argmax(axis=1) == labels)
    if losses is None:  # cross-entropy per digit, -log p(true class), clipped as Keras clips probabilities
        losses = -np.log(np.clip(probabilities[np.arange(len(labels)), labels], 1e-7, 1))
    test_loss = np.mean(losses)
    epochs = zip(history.history.get("val_accuracy", []), history.history.get("val_loss", []))
    for epoch, (val_accuracy, val_loss) in enumerate(epochs, start=1):
        same = abs(val_accuracy - test_accuracy) < accuracy_match and abs(val_loss - test_loss) < loss_match * test_loss
        assert not same, (
            f"l'exactitude et la perte de validation de l'époque {epoch} sont celles du jeu de test : {advice['fr']}"
            if fr
            else f"the validation accuracy and loss of epoch {epoch} are those of the test set: {advice['en']}"
        )


def assert_early_stopping_settings(callback, points=("monitor", "patience", "restore")):
    """Fail unless the ``EarlyStopping`` callback has the settings TP2's question 1 asks for.

    The three points the student text names: it watches a validation measure (``val_loss``
    or ``val_accuracy``, in the right direction), its patience is 2 to 10 epochs, it restores
    the best epoch's weights. The public check tests all of ``points``; each hidden test one.

    Parameters
    ----------
    callback : keras.callbacks.EarlyStopping
    points : tuple of {"monitor", "patience", "restore"}
    """
    import os

    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    if "monitor" in points:
        monitor = callback.monitor
        assert monitor in ("val_loss", "val_accuracy"), (
            "le callback devrait surveiller une mesure de validation, « val_loss » ou « val_accuracy » (mesurée "
            f"sur des images sur lesquelles le réseau ne s'entraîne pas) ; il surveille « {monitor} »"
            if fr
            else 'the callback should watch a validation measure, "val_loss" or "val_accuracy" (measured on '
            f'images the network does not train on); it watches "{monitor}"'
        )
        better = {"val_loss": "min", "val_accuracy": "max"}[monitor]
        assert callback.mode in (better, "auto"), (
            f"pour {monitor}, la meilleure époque est celle de plus {'petite' if better == 'min' else 'grande'} "
            f"valeur : mode devrait valoir « {better} » (ou « auto ») ; il vaut « {callback.mode} »"
            if fr
            else f"for {monitor}, the best epoch is the one with the {'lowest' if better == 'min' else 'highest'} "
            f'value: mode should be "{better}" (or "auto"); found mode="{callback.mode}"'
        )
    if "patience" in points:
        assert 2 <= callback.patience <= 10, (
            "la patience devrait être de 2 à 10 époques : assez pour franchir une époque bruitée, sans aller "
            f"jusqu'à sur-apprendre pendant la plupart des 30 époques ; elle vaut {callback.patience}"
            if fr
            else "the patience should be 2 to 10 epochs: enough to ride out a noisy epoch, not so much that most "
            f"of the 30 epochs are spent over-fitting; found {callback.patience}"
        )
    if "restore" in points:
        assert callback.restore_best_weights is True, (
            "le callback devrait revenir aux poids de la meilleure époque à la fin de l'entraînement : "
            "restore_best_weights=True (la valeur par défaut, False, garde ceux de la dernière époque)"
            if fr
            else "the callback should go back to the best epoch's weights when training ends: "
            "restore_best_weights=True (the default, False, keeps the last epoch's)"
        )


# --- hidden tests that several assignments share ----------------------------------------


def activation_of(layer):
    """The activation that ``layer`` applies when it is an activation layer of its own, else None.

    ``keras.layers.ReLU()`` → ``"relu"``, ``keras.layers.Activation("relu")`` → ``"relu"``,
    ``keras.layers.Softmax()`` → ``"softmax"``; any other layer → None.
    """
    import keras

    if isinstance(layer, keras.layers.Activation):
        return getattr(layer.activation, "__name__", type(layer.activation).__name__.lower())
    if isinstance(layer, (keras.layers.ReLU, keras.layers.Softmax)):
        return type(layer).__name__.lower()
    return None


def dense_activations(model):
    """The non-linearity of each Dense layer of ``model``, wherever it is written.

    ``Dense(784, activation="relu")``, and ``Dense(784)`` followed by ``keras.layers.ReLU()``
    or ``keras.layers.Activation("relu")`` (Dropout layers may sit between), are the same
    network: each gives ``"relu"``.

    Returns
    -------
    activations : list of str
        One per Dense layer, in order: ``"relu"``, ``"softmax"``, ..., or ``"linear"`` when
        nothing non-linear follows the layer's weights.
    """
    import keras

    activations = []
    for i, layer in enumerate(model.layers):
        if not isinstance(layer, keras.layers.Dense):
            continue
        name = getattr(layer.activation, "__name__", type(layer.activation).__name__.lower())
        for after in model.layers[i + 1 :]:
            if name != "linear" or not (activation_of(after) or isinstance(after, keras.layers.Dropout)):
                break
            name = activation_of(after) or name
        activations.append(name)
    return activations


def assert_heldout_accuracy(model, assignment, key="test_accuracy", preprocess=None):
    """Fail unless ``model`` reaches the calibrated pass mark on the held-out digits.

    Parameters
    ----------
    model : keras.Model
        The student's trained model, dense (input (None, 784)) or convolutional (None, 28, 28, 1).
    assignment, key : str
        Which pass mark of ``thresholds.json`` (e.g. ``"tp1_dense"``, ``"test_accuracy"``).
    preprocess : callable, optional
        The student's preprocessing function (see :func:`student_inputs`).
    """
    images, labels = load_heldout()
    inputs, note = student_inputs(model, images, preprocess)
    score, needed = accuracy(model, inputs, labels), threshold(assignment, key)
    assert score >= needed, say(
        f"votre modèle reconnaît {percent_fr(score)} des {len(labels)} chiffres réservés à la correction ; "
        f"il en faut au moins {percent_fr(needed)}" + (f" ({say(note)})" if note else ""),
        f"your model recognises {score:.2%} of the grader's {len(labels):,} held-out digits; "
        f"at least {needed:.2%} is needed" + (f" ({say(note)})" if note else ""),
    )


#: Marker of a failed test-set check in the grading output; ``make grade`` lists it in ``grades.csv``.
FLAG = "[test-set flag]"


def _integrity_settings():
    return json.loads(_support_file(INTEGRITY_FILE).read_text())


def _losses(probabilities, labels):
    """Per-digit cross-entropy, ``-log p(true class)``, clipped as Keras clips it (at 1e-7)."""
    return -np.log(np.clip(probabilities[np.arange(len(labels)), labels], 1e-7, 1))


def report_test_set_use(model, preprocess=None):
    """How ``model`` does on its training digits, the students' test half and the grader's half.

    An honest model does about as well on both halves of the test set (they are
    exchangeable: a fixed random split), and worse on either than on its training
    digits. A model trained on (part of) the students' half does better there than on
    the grader's; one trained on the whole test set (fetched elsewhere) does as well on
    the grader's half as on its training digits.

    Returns
    -------
    report : dict
        ``accuracy_train``, ``accuracy_students``, ``accuracy_grader``, ``loss_train``,
        ``loss_students``, ``loss_grader`` (mean cross-entropy per digit), ``gap_z`` (the
        grader's half's mean loss minus the students', in standard errors: near 0 when
        honest, large when the students' half was trained on) and ``loss_ratio``
        (``loss_grader / loss_train``: above 1 when honest).
    """
    report = {}
    for name, (images, labels) in {
        "train": load_training_sample(),
        "students": load_students_test(),
        "grader": load_heldout(),
    }.items():
        probabilities = _probabilities(model, student_inputs(model, images, preprocess)[0])
        losses = _losses(probabilities, labels)
        report[f"accuracy_{name}"] = float(np.mean(probabilities.argmax(axis=1) == labels))
        report[f"loss_{name}"] = float(losses.mean())
        report[f"_losses_{name}"] = losses
    g, s = report.pop("_losses_grader"), report.pop("_losses_students")
    report.pop("_losses_train")
    error = np.sqrt(g.var(ddof=1) / len(g) + s.var(ddof=1) / len(s))
    report["gap_z"] = float((g.mean() - s.mean()) / max(error, 1e-12))
    report["loss_ratio"] = float(report["loss_grader"] / max(report["loss_train"], 1e-12))
    return report


def flags_of_report(report, settings):
    """Why ``report`` (:func:`report_test_set_use`) looks like training on the test set; empty when it does not.

    ``settings`` (``integrity.json``): ``gap_z_max``, a bar on ``gap_z`` both ways (a model much
    better on either half of the test set than on the other was trained on it), and the pair
    ``accuracy_min`` / ``loss_ratio_min`` (see reference/README.md for how they were calibrated).
    """
    flags = []
    if report["gap_z"] < -settings["gap_z_max"]:
        flags.append(
            f"the model does much better on the grader's held-out digits than on your test digits (x_test): mean "
            f"loss {report['loss_grader']:.4f} against {report['loss_students']:.4f}, accuracy "
            f"{report['accuracy_grader']:.2%} against {report['accuracy_students']:.2%} (the mean losses are "
            f"{-report['gap_z']:.1f} standard errors apart; honest models stay under {settings['gap_z_max']:g}): "
            f"was it trained on the grader's half of MNIST's test set? / le modèle réussit bien mieux les chiffres "
            f"cachés du correcteur que vos chiffres de test : a-t-il été entraîné sur la moitié du correcteur ?"
        )
    if report["gap_z"] > settings["gap_z_max"]:
        flags.append(
            f"the model does much better on your test digits (x_test) than on the grader's: mean loss "
            f"{report['loss_students']:.4f} against {report['loss_grader']:.4f}, accuracy "
            f"{report['accuracy_students']:.2%} against {report['accuracy_grader']:.2%} (the mean losses are "
            f"{report['gap_z']:.1f} standard errors apart; honest models stay under {settings['gap_z_max']:g}): "
            f"was it trained on x_test? / le modèle réussit bien mieux vos chiffres de test (x_test) que ceux "
            f"du correcteur : a-t-il été entraîné sur x_test ?"
        )
    if report["accuracy_grader"] >= settings["accuracy_min"] and report["loss_ratio"] < settings["loss_ratio_min"]:
        flags.append(
            f"the model does as well on the grader's held-out digits as on its own training digits (mean loss "
            f"{report['loss_grader']:.4f} against {report['loss_train']:.4f}, ratio {report['loss_ratio']:.2f}; honest "
            f"models stay above {settings['loss_ratio_min']:g}): was it trained on MNIST's whole test set? / "
            f"le modèle réussit les chiffres cachés du correcteur aussi bien que ses chiffres d'entraînement : "
            f"a-t-il été entraîné sur tout le jeu de test de MNIST ?"
        )
    return flags


def check_test_set_use(model, preprocess=None):
    """The hidden test-set check: fail, with :data:`FLAG` in the message, when the model seems trained on test digits.

    What a flag costs is the points of the test case that calls this (the instructor's
    setting ``penalty_points`` of ``integrity.json``, written into the tests at build
    time; 0 by default: a flag for the instructor to review, in ``grades.csv`` and in
    Gradescope's output). The measures are printed either way.
    """
    report = report_test_set_use(model, preprocess)
    print("test-set check: " + ", ".join(f"{k} {v:.4f}" for k, v in report.items()))
    flags = flags_of_report(report, _integrity_settings())
    assert not flags, f"{FLAG} " + " | ".join(flags)


def keras_losses(model, inputs, labels, batch_size=1024):
    """Each digit's categorical cross-entropy as Keras computes it in ``fit`` and ``evaluate``.

    On a softmax output, Keras's loss works from the softmax's inputs (the logits) when it runs
    in a traced function, as in ``fit``: a digit whose true class gets p < 1e-7 costs its whole
    -log p there, while probabilities from ``predict``, clipped at 1e-7, cost at most 16.1. One
    such digit moves a mean over 6,500 by 1 %, far more than the match :func:`assert_validation_is_not_test` asks.

    Parameters
    ----------
    model : keras.Model
    inputs : ndarray of shape (n_samples, *model.input_shape[1:])
    labels : ndarray of shape (n_samples,)
        Integer classes.

    Returns
    -------
    losses : ndarray of shape (n_samples,), dtype float64
    """
    import keras
    import tensorflow as tf

    per_digit = tf.function(lambda x, y: keras.losses.categorical_crossentropy(y, model(x, training=False)))
    one_hot = np.eye(10, dtype="float32")[np.asarray(labels)]
    parts = [
        per_digit(inputs[i : i + batch_size], one_hot[i : i + batch_size]) for i in range(0, len(one_hot), batch_size)
    ]
    return np.concatenate([np.asarray(part, dtype="float64") for part in parts])


def assert_validation_is_not_test(model, history, advice, batch_size=None, validation_split=None):
    """Fail when the validation set held the students' test digits.

    Two ways: the test digits were the validation set (``validation_data=(x_test, ...)``,
    :func:`assert_validation_is_not_your_test_digits`), or they were appended to the training
    digits, so that ``validation_split``, which takes the end of the array, validated on them
    and on the last training digits before them. The second is checked when ``batch_size``
    and ``validation_split`` (what the notebook asks ``fit`` to use) are given: the number of
    training steps that ``history`` records bounds the array's length, hence how many training
    digits the validation set held; for each possible count, the model's accuracy and loss on
    those digits and the test digits together are compared with each epoch's.

    Parameters
    ----------
    model : keras.Model
        Outputs class probabilities, shape (n_samples, 10).
    history : keras.callbacks.History
        What ``model.fit`` returned; its ``history`` has ``val_accuracy`` and ``val_loss``.
    advice : dict of {"fr": str, "en": str}
        What to do instead, ending the failure message in the notebook's language.
    batch_size : int, optional
    validation_split : float, optional
    """
    import os

    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    # No validated epoch (a model never trained) shows nothing of its validation set: no point for it.
    assert (getattr(history, "history", None) or {}).get("val_accuracy"), (
        "l'historique ne compte aucune époque validée\u00a0: entraînez le modèle avec validation_split, "
        "puis relancez la cellule"
        if fr
        else "the history records no validated epoch: train the model with validation_split, then run the cell again"
    )
    images, labels = load_students_test()  # the test digits students have
    inputs = model_inputs(model, images)
    probabilities, losses = _probabilities(model, inputs), keras_losses(model, inputs, labels)
    assert_validation_is_not_your_test_digits(history, probabilities, labels, advice, losses)
    steps = (getattr(history, "params", None) or {}).get("steps")
    if not (batch_size and validation_split and steps):
        return

    # fit(x, validation_split=s) trains on x[:floor(n * (1 - s))] (Keras's train_validation_split) and
    # validates on the rest: the lengths n that make `steps` batches, and how many training digits
    # each leaves in the validation set before the test digits.
    def kept(n):
        return math.floor(n * (1 - validation_split))

    lengths = range((steps - 1) * batch_size, math.ceil(steps * batch_size / (1 - validation_split)) + 2)
    counts = {n - kept(n) - len(labels) for n in lengths if math.ceil(kept(n) / batch_size) == steps}
    counts = sorted(k for k in counts if 0 < k <= 60000)
    if not counts:
        return
    train_images, train_labels = load_training_tail(counts[-1])
    train_inputs = model_inputs(model, train_images)
    train_probabilities = _probabilities(model, train_inputs)
    train_losses = keras_losses(model, train_inputs, train_labels)
    for k in counts:
        assert_validation_is_not_your_test_digits(
            history,
            np.concatenate([train_probabilities[-k:], probabilities]),
            np.concatenate([train_labels[-k:], labels]),
            advice,
            np.concatenate([train_losses[-k:], losses]),
        )
