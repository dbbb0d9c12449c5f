"""autograder/verify.py: what the kernel exports, and what the clean process rebuilds from it.

Fast: tiny Keras models, no training beyond one step. The end-to-end runs (Otter's kernel,
then the clean process, on the real zips) are the grading tests' (tests/test_assignments_grading.py).
"""

import numpy as np
import pytest

from autograder import build, verify


@pytest.fixture
def exports(tmp_path, monkeypatch):
    monkeypatch.setenv(verify.EXPORT_DIR_VARIABLE, str(tmp_path))
    verify._WRITERS.clear()
    return tmp_path


def tiny_model(layer=None):
    import keras

    model = keras.Sequential([keras.Input(shape=(784,)), layer or keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def rebuilt(folder, case):
    cases, reader = verify.read_exports(folder)
    return verify._environment(cases[case], reader)


@pytest.mark.parametrize(
    "function, kept",
    [
        (lambda x: x.reshape(len(x), 784).astype("float32") / 255, True),
        (lambda x: x.transpose(0, 2, 1).reshape(len(x), 784) / 255.0, True),  # another order of the pixels
        (lambda x: (x / 127.5 - 1).reshape(len(x), 28, 28, 1), True),
        (lambda x: 1 - x / 255, True),  # inverted
        (lambda x: x.reshape(len(x), -1) * 1.0, True),  # raw pixels
        (lambda x: np.sqrt(x), False),  # not affine
        (lambda x: np.zeros((len(x), 784)), False),
        (lambda x: x[:, :14], False),  # not one value per pixel
    ],
)
def test_a_function_of_images_is_replayed_on_new_digits_only_when_affine_in_each_pixel(function, kept):
    fit = verify._affine_fit(verify._probe_images(), function(verify._probe_images()))
    assert (fit is not None) == kept
    if kept:
        new = np.random.RandomState(1).randint(0, 256, (5, 28, 28)).astype(np.uint8)
        got = verify.apply_fit(fit, new)
        assert got.shape == function(new).shape and np.allclose(got, function(new), atol=1e-6)


def test_values_and_recorded_calls_come_back_in_the_clean_process(exports):
    import keras

    model = tiny_model()
    history = model.fit(np.zeros((4, 784)), np.eye(10)[[1, 2, 3, 4]], epochs=1, verbose=0)
    built = []

    def build_model():
        built.append(tiny_model())
        return built[-1]

    def preprocess(images):
        return images.reshape(len(images), 784).astype("float32") / 255

    model, history, recorded_build, recorded_preprocess = verify.export(
        "q.test", model=model, history=history, build_model=build_model, preprocess=preprocess
    )
    first, _ = recorded_build(), recorded_build()
    images = np.random.RandomState(2).randint(0, 256, (3, 28, 28)).astype(np.uint8)
    expected = recorded_preprocess(images)

    env = rebuilt(exports, "q.test")
    probe = np.random.RandomState(3).random((2, 784)).astype("float32")
    assert np.allclose(env["model"].predict(probe, verbose=0), model.predict(probe, verbose=0))
    assert env["history"].history == {k: [float(x) for x in v] for k, v in history.history.items()}
    assert env["history"].model is env["model"]  # what fit trained is the exported model
    m1, m2 = env["build_model"](), env["build_model"]()
    assert isinstance(m1, keras.Model) and m1 is not m2 and m1.count_params() == first.count_params()
    assert np.array_equal(env["preprocess"](images), expected)  # the call the kernel made
    new = np.random.RandomState(4).randint(0, 256, (6, 28, 28)).astype(np.uint8)
    assert np.allclose(env["preprocess"](new), preprocess(new))  # a new one: the affine map
    with pytest.raises(verify.NotVerifiable):
        len(env["x_test"])  # never exported


def test_one_object_handed_out_twice_stays_one_object(exports):
    cached = tiny_model()
    (recorded,) = verify.export("q.cached", build_model=lambda: cached)
    recorded(), recorded()
    env = rebuilt(exports, "q.cached")
    assert env["build_model"]() is env["build_model"]()


def test_a_model_class_of_the_students_own_does_not_load(exports):
    import keras

    class LookUp(keras.Sequential):
        def predict(self, x, **kwargs):
            return np.eye(10)[np.zeros(len(x), int)]

    model = LookUp([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    verify.export("q.lookup", model=model)
    with pytest.raises(verify.NotVerifiable, match="could not load the model back"):
        rebuilt(exports, "q.lookup")["model"].predict(np.zeros((1, 784)))


def test_a_call_the_kernel_never_made_cannot_be_verified(exports):
    (recorded,) = verify.export("q.params", dense_params=lambda n, k: n * k + k)
    assert recorded(3, 2) == 8
    replay = rebuilt(exports, "q.params")["dense_params"]
    assert replay(3, 2) == 8
    with pytest.raises(verify.NotVerifiable, match="was not called this way"):
        replay(5, 5)


def test_the_kernels_tests_export_and_score_nothing_where_the_clean_process_judges():
    source = (
        "@test_case(points=3, hidden=True)\ndef test_heldout_accuracy(model, preprocess):\n    pass\n\n"
        "@test_case(points=1, hidden=True)\ndef test_trains(train_with_early_stopping):\n    pass\n"
    )
    kernel = build.kernel_tests("q5_training", source)
    assert "@test_case(points=0, hidden=True)\ndef test_heldout_accuracy(model, preprocess):\n" in kernel
    assert 'export("q5_training.test_heldout_accuracy", model=model, preprocess=preprocess)' in kernel
    assert "@test_case(points=1, hidden=True)\ndef test_trains(train_with_early_stopping):\n    pass" in kernel


def test_the_kernels_verdicts_are_read_from_otters_output():
    output = (
        "q5 results:\n    q5 - 1 result:\n        ✅ Test case passed\n\n"
        "    q5 - 2 result:\n        ❌ Test case failed\n        AssertionError: no\n"
    )
    assert verify.kernel_verdicts(output, "q5", 3) == [True, False, False]
    assert verify.kernel_verdicts("q5 results: All test cases passed!", "q5", 2) == [True, True]
    assert "q5 - 2" not in verify.without_cases(output, {"q5 - 2"})
    assert "q5 - 1 result" in verify.without_cases(output, {"q5 - 2"})
