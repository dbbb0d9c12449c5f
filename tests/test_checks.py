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
    labels = np.arange(10, dtype=np.uint8)
    np.savez(
        tmp_path / checks.MNIST_FILE, x_test=np.zeros((10, 28, 28), np.uint8) + labels[:, None, None], y_test=labels
    )
    students, grader = checks.split_test_set(10)
    images, held = checks.load_heldout()
    assert images.shape == (5, 28, 28) and list(held) == list(grader) and (images[:, 0, 0] == held).all()
    assert list(checks.load_students_test()[1]) == list(students)
    (tmp_path / checks.THRESHOLDS_FILE).write_text(build.THRESHOLDS.read_text())
    expected = json.loads(build.THRESHOLDS.read_text())["tp1_dense"]["test_accuracy"]["threshold"]
    assert checks.threshold("tp1_dense", "test_accuracy") == expected


# --- the split of MNIST's test set, and the test-set check -------------------------------


def test_split_halves_are_disjoint_fixed_and_mix_both_writer_groups():
    students, grader = checks.split_test_set()
    assert len(students) == len(grader) == 5000
    assert sorted(np.concatenate([students, grader])) == list(range(10000))
    # MNIST's first 5,000 test digits come from other writers than the last 5,000: each half holds both.
    assert 2300 < np.sum(students < 5000) < 2700
    # numpy's legacy RandomState: the same permutation on every numpy version (the first indices, pinned).
    assert list(students[:5]) == list(np.sort(np.random.RandomState(20240).permutation(10000)[:5000])[:5])
    assert list(students[:3]) == [0, 2, 4]  # pinned: a numpy that changed RandomState would break the split


def test_the_notebooks_loader_returns_the_students_half(tmp_path, monkeypatch):
    """assignments/common/load_mnist.py (pasted into every notebook) splits as kit_checks does."""
    import os

    source = (build.ASSIGNMENTS_DIR / "common" / "load_mnist.py").read_text()
    namespace = {"os": os, "np": np, "keras": None}
    exec(source, namespace)
    assert namespace["TEST_SPLIT_SEED"] == checks.TEST_SPLIT_SEED
    labels = np.arange(10000) % 256
    x_test = labels.astype(np.uint8)[:, None, None] * np.ones((1, 28, 28), np.uint8)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=np.zeros((2, 28, 28), np.uint8), y_train=np.zeros(2, np.uint8), x_test=x_test, y_test=labels)
    (_, _), (x, y) = namespace["load_mnist"](str(path))
    monkeypatch.chdir(tmp_path)
    assert np.array_equal(y, checks.load_students_test()[1]) and np.array_equal(x, checks.load_students_test()[0])
    assert not set(checks.load_heldout()[1].tolist()) & set(y.tolist()) or len(y) == 5000


class ProbabilitiesModel:
    """A stand-in model: its class probabilities come from a function of the inputs."""

    input_shape = (None, 784)

    def __init__(self, function):
        self.function = function

    def predict(self, inputs, batch_size=None, verbose=0):
        return self.function(np.asarray(inputs))


def test_student_inputs_use_the_students_preprocess_or_fall_back_with_a_note():
    model = ProbabilitiesModel(lambda x: x)
    images = np.full((3, 28, 28), 255, np.uint8)
    inputs, note = checks.student_inputs(model, images, lambda im: im.reshape(len(im), 784).astype("float32"))
    assert inputs.shape == (3, 784) and inputs.max() == 255 and note == ""
    for broken, why, pourquoi in [
        (lambda im: 1 / 0, "ZeroDivisionError", "ZeroDivisionError"),
        (lambda im: im[:, :10], "shape", "forme"),
    ]:
        inputs, note = checks.student_inputs(model, images, broken)
        assert inputs.max() == 1.0 and why in note["en"] and "the grader's own" in note["en"]
        assert pourquoi in note["fr"] and "celui de la correction" in note["fr"]
    assert checks.student_inputs(model, images)[0].max() == 1.0


HONEST = {
    "accuracy_train": 0.996, "accuracy_students": 0.977, "accuracy_grader": 0.979,
    "loss_train": 0.012, "loss_students": 0.087, "loss_grader": 0.088, "gap_z": 0.1, "loss_ratio": 7.3,
}  # fmt: skip
SETTINGS = {"gap_z_max": 3.0, "accuracy_min": 0.95, "loss_ratio_min": 1.0}


def test_flags_name_each_way_of_training_on_test_digits():
    assert checks.flags_of_report(HONEST, SETTINGS) == []
    students_half = {**HONEST, "loss_students": 0.009, "accuracy_students": 0.997, "gap_z": 7.3}
    (flag,) = checks.flags_of_report(students_half, SETTINGS)
    assert "trained on x_test" in flag and "entraîné sur x_test" in flag
    whole = {**HONEST, "loss_grader": 0.008, "loss_students": 0.008, "gap_z": 0.0, "loss_ratio": 0.7}
    (flag,) = checks.flags_of_report(whole, SETTINGS)
    assert "whole test set" in flag
    # A weak model near its training loss is not flagged: the bar asks a high accuracy too.
    weak = {**HONEST, "accuracy_grader": 0.9, "loss_ratio": 0.95}
    assert checks.flags_of_report(weak, SETTINGS) == []


def test_check_test_set_use_fails_with_the_flag_marker(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    labels, train_labels = rng.integers(0, 10, 10000).astype(np.uint8), rng.integers(0, 10, 10000).astype(np.uint8)
    # Each image carries its index (pixels 0 and 1) and its set (pixel 2: 0 test, 1 training).
    ids = np.zeros((10000, 28, 28), np.uint8)
    ids[:, 0, 0], ids[:, 0, 1] = np.arange(10000) // 256, np.arange(10000) % 256
    train = ids.copy()
    train[:, 0, 2] = 1
    np.savez(tmp_path / checks.MNIST_FILE, x_train=train, y_train=train_labels, x_test=ids, y_test=labels)
    (tmp_path / checks.INTEGRITY_FILE).write_text(json.dumps(SETTINGS))
    students = np.zeros(10000, bool)
    students[checks.split_test_set()[0]] = True

    def model_that_learnt(known, sure_of_known=0.9991):
        """Sure of the training digits (99.91 %) and of the test digits ``known`` (a mask), 55 % sure elsewhere."""

        def predict(x):
            pixels = np.round(x.reshape(len(x), 28, 28)[:, 0, :3] * 255).astype(int)
            index, is_train = pixels[:, 0] * 256 + pixels[:, 1], pixels[:, 2] == 1
            truth = np.where(is_train, train_labels[index], labels[index])
            sure = is_train | known[index]
            out = np.full((len(x), 10), 0.05)
            out[np.arange(len(x)), truth] = 0.55
            out[sure] = 0.0001
            out[np.flatnonzero(sure), truth[sure]] = np.where(is_train[sure], 0.9991, sure_of_known)
            return out

        return ProbabilitiesModel(predict)

    checks.check_test_set_use(model_that_learnt(np.zeros(10000, bool)))  # honest: no flag
    with pytest.raises(AssertionError, match=r"^\[test-set flag\] .*trained on x_test"):
        checks.check_test_set_use(model_that_learnt(students))
    with pytest.raises(AssertionError, match=r"^\[test-set flag\] .*grader's held-out digits than on your"):
        checks.check_test_set_use(model_that_learnt(~students))  # the grader's half, fetched elsewhere
    with pytest.raises(AssertionError, match=r"whole test set"):
        checks.check_test_set_use(model_that_learnt(np.ones(10000, bool), sure_of_known=0.99999))


def test_the_flag_marker_is_the_one_make_grade_reads():
    from autograder import grade

    assert checks.FLAG == grade.FLAG
    results = {"tests": [{"name": "q5", "output": "ok"}, {"name": "q5_training", "output": f"x\n{checks.FLAG} why\n"}]}
    assert grade.flags(results) == ["q5_training: why"]


def test_the_tampered_marker_is_the_one_make_grade_reads():
    from autograder import grade, verify

    assert verify.TAMPERED == grade.TAMPERED
    results = {"tests": [{"name": "q4_model", "output": f"{verify.TAMPERED} the notebook's run lied\n"}]}
    assert grade.flags(results) == ["q4_model: tampered: the notebook's run lied"]


@pytest.mark.parametrize("lang, says", [("fr", "vos 4 chiffres de test"), ("en", "of your 4 test digits")])
def test_the_public_accuracy_check_travels_in_its_test_cell_and_speaks_the_notebooks_language(monkeypatch, lang, says):
    """The three TPs' public accuracy check is one function, pasted by the build where a test cell names it."""
    cell = (
        "def test_accuracy_on_your_test_digits(model, x_test, y_test):\n"
        "    # KIT_CHECK assert_accuracy_on_your_test_digits\n"
        "    assert_accuracy_on_your_test_digits(\n"
        "        model, x_test, y_test, {{public_bar_value tp1_dense test_accuracy}}, {{public_margin}}\n"
        "    )\n"
    )
    source = build.render_code_settings(cell)
    assert "KIT_CHECK" not in source and "kit_checks" not in source, "students run it without kit_checks"
    namespace = {}
    exec(source, namespace)  # noqa: S102 - the kit's own test cell
    monkeypatch.setenv("MNIST_KIT_LANGUAGE", lang)
    model = ScoresModel(np.eye(10)[[0, 1, 2, 3]])
    namespace["test_accuracy_on_your_test_digits"](model, np.zeros((4, 3)), np.array([0, 1, 2, 3]))
    with pytest.raises(AssertionError, match=says):
        namespace["test_accuracy_on_your_test_digits"](model, np.zeros((4, 3)), np.array([0, 1, 2, 9]))
    with pytest.raises(build.BuildError, match="no function"):
        build.render_code_settings("    # KIT_CHECK no_such_check\n")


# --- right answers written differently, judged by what they compute ------------------------


def tiny_dense(*layers, loss="categorical_crossentropy"):
    """A compiled 784-input model: ``layers`` then whatever they make of it."""
    import keras

    model = keras.Sequential([keras.Input(shape=(784,)), *layers])
    model.compile(optimizer="adam", loss=loss)
    return model


def test_the_hidden_layers_activation_counts_wherever_it_is_written():
    import keras

    Dense, ReLU, Activation, Dropout = (
        keras.layers.Dense,
        keras.layers.ReLU,
        keras.layers.Activation,
        keras.layers.Dropout,
    )
    out = Dense(10, activation="softmax")
    assert checks.dense_activations(tiny_dense(Dense(8, activation="relu"), out)) == ["relu", "softmax"]
    assert checks.dense_activations(tiny_dense(Dense(8), ReLU(), Dense(10, activation="softmax"))) == [
        "relu",
        "softmax",
    ]
    separate = tiny_dense(Dense(8), Dropout(0.1), Activation("relu"), Dense(10), keras.layers.Softmax())
    assert checks.dense_activations(separate) == ["relu", "softmax"]
    assert checks.dense_activations(tiny_dense(Dense(8), Dense(10, activation="softmax")))[0] == "linear"
    # The separate spelling is the same network: the same parameters.
    assert tiny_dense(Dense(784), ReLU(), Dense(10, activation="softmax")).count_params() == 623290


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_loss_is_judged_by_what_it_computes(monkeypatch, lang):
    import keras

    monkeypatch.setenv("MNIST_KIT_LANGUAGE", lang)
    softmax = keras.layers.Dense(10, activation="softmax")
    for right in (
        "categorical_crossentropy",
        keras.losses.categorical_crossentropy,
        keras.losses.CategoricalCrossentropy(),
    ):
        checks.assert_softmax_and_cross_entropy(tiny_dense(keras.layers.Dense(10, activation="softmax"), loss=right))
    says = {"fr": "« mean_squared_error »", "en": '"mean_squared_error"'}[lang]
    with pytest.raises(AssertionError, match=says):
        checks.assert_softmax_and_cross_entropy(tiny_dense(softmax, loss="mean_squared_error"))
    for wrong in ("sparse_categorical_crossentropy", keras.losses.CategoricalCrossentropy(from_logits=True)):
        with pytest.raises(AssertionError, match="cross"):
            checks.assert_softmax_and_cross_entropy(
                tiny_dense(keras.layers.Dense(10, activation="softmax"), loss=wrong)
            )
    with pytest.raises(AssertionError, match="softmax"):
        checks.assert_softmax_and_cross_entropy(tiny_dense(keras.layers.Dense(10, activation="sigmoid"), loss="mse"))


class FakeHistory:
    """What ``model.fit`` returns, as far as the checks read it: per-epoch metrics and the number of steps."""

    def __init__(self, val_accuracy, val_loss, steps=None):
        self.history = {"val_accuracy": list(val_accuracy), "val_loss": list(val_loss)}
        self.params = {"steps": steps}


def test_validation_on_the_test_digits_is_seen_in_the_history(monkeypatch):
    monkeypatch.setenv("MNIST_KIT_LANGUAGE", "fr")
    probabilities = np.full((4, 10), 0.05)
    probabilities[np.arange(4), [0, 1, 2, 3]] = 0.55
    labels = np.array([0, 1, 2, 9])
    loss = -np.log([0.55, 0.55, 0.55, 0.05]).mean()
    advice = {"fr": "validez ailleurs", "en": "validate elsewhere"}
    checks.assert_validation_is_not_your_test_digits(FakeHistory([0.75], [loss * 1.01]), probabilities, labels, advice)
    with pytest.raises(AssertionError, match="époque 2 .* : validez ailleurs$"):
        history = FakeHistory([0.5, 0.75], [loss, loss])
        checks.assert_validation_is_not_your_test_digits(history, probabilities, labels, advice)


def test_test_digits_appended_to_the_training_set_are_caught_in_the_validation_split(tmp_path, monkeypatch):
    """fit(concatenate([x_train, x_test]), validation_split=s): the validation set is the last
    training digits followed by the test digits; the check finds how many from the steps of fit.
    (A split of 0.75 on 7,000 digits here, for the 60,000 + 5,000 of the notebooks' 0.1.)"""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, (2000, 28, 28), dtype=np.uint8)
    np.savez(
        tmp_path / checks.MNIST_FILE,
        x_train=train,
        y_train=rng.integers(0, 10, 2000).astype(np.uint8),
        x_test=rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, 10000).astype(np.uint8),
    )
    import keras

    keras.utils.set_random_seed(0)
    model = tiny_dense(keras.layers.Dense(10, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    (x_tr, y_tr), (x_te, y_te) = checks.load_training_tail(2000), checks.load_students_test()
    x_all, y_all = checks.flat_inputs(np.concatenate([x_tr, x_te])), np.concatenate([y_tr, y_te])  # 7,000 digits
    split_at = int(np.floor(len(x_all) * 0.25))  # how Keras splits: the last 5,250 validate
    # What fit reports for its validation set: evaluate on it (Keras's own loss, from the logits).
    val_loss, val_accuracy = model.evaluate(x_all[split_at:], np.eye(10)[y_all[split_at:]], verbose=0)
    advice = {"fr": "non", "en": "no"}
    steps = int(np.ceil(split_at / 32))
    with pytest.raises(AssertionError, match="those of the test set"):
        checks.assert_validation_is_not_test(model, FakeHistory([val_accuracy], [val_loss], steps), advice, 32, 0.75)
    # Without the fit settings, only the test digits alone are compared; an honest history passes.
    checks.assert_validation_is_not_test(model, FakeHistory([val_accuracy], [val_loss], steps), advice)
    checks.assert_validation_is_not_test(model, FakeHistory([val_accuracy], [val_loss * 1.01], steps), advice, 32, 0.75)


def test_the_early_stopping_settings_named_by_the_text(monkeypatch):
    import keras

    monkeypatch.setenv("MNIST_KIT_LANGUAGE", "fr")
    good = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    checks.assert_early_stopping_settings(good)
    for wrong, says in [
        (dict(monitor="loss"), "il surveille « loss »$"),
        (dict(monitor="val_loss", mode="max"), "mode devrait valoir « min »"),
        (dict(patience=12), "de 2 à 10 époques"),
        (dict(restore_best_weights=False), "restore_best_weights=True"),
    ]:
        settings = {"monitor": "val_loss", "patience": 3, "restore_best_weights": True, **wrong}
        with pytest.raises(AssertionError, match=says):
            checks.assert_early_stopping_settings(keras.callbacks.EarlyStopping(**settings))


def test_the_hidden_points_notice_speaks_each_language_correctly():
    notice = build.hidden_points_notice(0.5, 1, 9, 13)
    assert "hold 0.5 of this question's 1 point (9 of the assignment's 13)" in notice
    assert "portent 0,5 point de cette question, notée sur 1 (9 points des 13 du TP)" in notice
    assert "1.5 of this question's 2 points" in build.hidden_points_notice(1.5, 2, 9, 13)


def test_the_training_reference_is_a_fresh_sample_of_trained_digits_in_the_clean_process(tmp_path, monkeypatch):
    """The test-set check's reference cannot be targeted: a new random sample at each grading,
    never from the last 10 % that validation_split keeps apart; fixed where the students' half
    stands in for the grader's (the kernel, and the clean process's comparison with it)."""
    monkeypatch.chdir(tmp_path)
    ids = np.arange(60000, dtype=np.int32)
    np.savez(tmp_path / checks.MNIST_FILE, x_train=ids, y_train=ids, x_test=ids[:10], y_test=ids[:10])
    first, second = checks.load_training_sample(1000)[1], checks.load_training_sample(1000)[1]
    assert len(set(first)) == 1000 and first.max() < checks.TRAINED_DIGITS
    assert list(first) != list(second)
    monkeypatch.setattr(checks, "HELDOUT_STAND_IN", True)
    assert list(checks.load_training_sample(1000)[1]) == list(range(1000))
