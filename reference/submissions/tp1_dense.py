"""TP1's wrong submissions (see reference/submissions/__init__.py for the format)."""

# name -> (list of (solution text, replacement), {question: points lost})
MUTANTS = {
    # A plausible flattening that scrambles the pixels (column by column): public checks
    # pass, the hidden one does not. The model learnt the scrambled digits, and the grader
    # measures it on its digits scrambled by the same preprocess(): the mistake costs q1 only.
    "preprocess_transposes_images": (
        [("images.reshape(len(images), 28 * 28)", "images.transpose(0, 2, 1).reshape(len(images), 28 * 28)")],
        {"q1_preprocess": 1},
    ),
    # One-hot width taken from the labels seen: right on 60,000 labels, wrong on five.
    "one_hot_width_from_data": (
        [
            (
                "keras.utils.to_categorical(labels, num_classes=10)",
                "keras.utils.to_categorical(labels, num_classes=len(np.unique(labels)))",
            )
        ],
        {"q2_one_hot": 0.5},
    ),
    # The two answers the public check asks for, hard-coded.
    "parameters_hard_coded": (
        [("return n_inputs * n_units + n_units", "return {(784, 784): 615440, (784, 10): 7850}[(n_inputs, n_units)]")],
        {"q3_parameters": 0.5},
    ),
    # Hands back one cached model instead of building a new one: the hidden test
    # calls build_model() twice, after training, and gets the trained model.
    "build_model_returns_a_cached_model": (
        [
            ("def build_model():", "_models = []\n\n\ndef build_model():\n    if _models:\n        return _models[0]"),
            ("    return model\n", "    _models.append(model)\n    return model\n"),
        ],
        {"q4_model": 1},
    ),
    # Pixels left in 0..255: public and hidden range checks fail. The accuracy is measured
    # with the student's own preprocess() (0..255 pixels, what the model learnt), so the
    # mistake costs q1's points, not q5's as well.
    "no_normalisation": (
        [('.astype("float32") / 255.0', '.astype("float32")')],
        {"q1_preprocess": 2},
    ),
    # Too short a training (1 epoch, ~96 %): the public accuracy check (0 points) already
    # says it misses the hidden pass mark; the hidden test takes the accuracy's 3 points.
    "one_epoch": (
        [("    epochs=EPOCHS,", "    epochs=1,")],
        {"q5_training": 3},
    ),
    # Training on the test set (x_test first, so that validation_split keeps training digits):
    # gains nothing on the grader's held-out half, and the test-set check flags it
    # (integrity.json's penalty_points, 0 by default: a flag, no points lost; see FLAGGED).
    "trains_on_its_test_set": (
        [
            (
                "    x_train,\n    y_train_1h,\n    epochs=EPOCHS,",
                "    np.concatenate([x_test, x_train]),\n"
                "    np.concatenate([y_test_1h, y_train_1h]),\n    epochs=EPOCHS,",
            )
        ],
        {},
    ),
    # Half of it.
    "trains_on_half_its_test_set": (
        [
            (
                "    x_train,\n    y_train_1h,\n    epochs=EPOCHS,",
                "    np.concatenate([x_test[:2500], x_train]),\n    np.concatenate([y_test_1h[:2500], y_train_1h]),\n"
                "    epochs=EPOCHS,",
            )
        ],
        {},
    ),
    # MNIST's whole test set, fetched around load_mnist from the grader's own file: in the kernel
    # that file holds the students' half only (the grader's never enters it), so the cheat
    # trains on x_test again, and is flagged as trains_on_its_test_set is.
    "trains_on_the_whole_test_set": (
        [
            (
                "    x_train,\n    y_train_1h,\n    epochs=EPOCHS,",
                "    np.concatenate([preprocess(np.load('mnist.npz')['x_test']), x_train]),\n"
                "    np.concatenate([one_hot(np.load('mnist.npz')['y_test']), y_train_1h]),\n"
                "    epochs=EPOCHS,",
            )
        ],
        {},
    ),
    # Never trained: fit for zero epochs.
    "untrained_model": (
        [("    epochs=EPOCHS,", "    epochs=0,")],
        {"q5_training": 5},
    ),
    # Too little training: 1 % of the data for one epoch.
    "trained_on_one_percent": (
        [
            (
                "    x_train,\n    y_train_1h,\n    epochs=EPOCHS,",
                "    x_train[:600],\n    y_train_1h[:600],\n    epochs=1,",
            )
        ],
        {"q5_training": 4},
    ),
    # Right answers written differently from the solution keep every point: the loss as the
    # function Keras documents, and the hidden ReLU as a layer of its own (the same
    # 623,290-parameter network).
    "loss_function_and_relu_layer": (
        [
            (
                'keras.layers.Dense(784, activation="relu"),',
                "keras.layers.Dense(784),\n            keras.layers.ReLU(),",
            ),
            ('loss="categorical_crossentropy"', "loss=keras.losses.categorical_crossentropy"),
        ],
        {},
    ),
    # The test digits appended to the training digits, unshuffled: validation_split takes the
    # end of the array, so the validation set is 1,500 training digits and the 5,000 test digits.
    "validation_split_over_appended_test_digits": (
        [
            (
                "    x_train,\n    y_train_1h,\n    epochs=EPOCHS,",
                "    np.concatenate([x_train, x_test]),\n    np.concatenate([y_train_1h, y_test_1h]),\n"
                "    epochs=EPOCHS,",
            )
        ],
        {"q5_training": 1},
    ),
    # Validation on the test set, the original course's mistake.
    "validation_on_test_set": (
        [("validation_split=VALIDATION_SPLIT,", "validation_data=(x_test, y_test_1h),")],
        {"q5_training": 1},
    ),
    # Three slips in one grading run, each caught by its own question's checks: labels
    # never one-hot encoded (one_hot hands back the integers), an output layer of 9
    # units, and a confusion matrix that uses the global test labels instead of its
    # argument (right on the public check's first 500 test digits, wrong on the
    # grader's). Either of the first two alone makes model.fit fail (a (n,) or a
    # 10-wide target against 9 outputs), so q5 is lost whole; the confusion check does
    # not depend on training, so the untrained model changes nothing there.
    "one_hot_missing_output_size_9_confusion_ignores_labels": (
        [
            (
                'keras.utils.to_categorical(labels, num_classes=10).astype("float32")',
                'np.asarray(labels, dtype="float32")',
            ),
            ('keras.layers.Dense(10, activation="softmax")', 'keras.layers.Dense(9, activation="softmax")'),
            (
                "return confusion_matrix(labels, predicted, labels=range(10))",
                "return confusion_matrix(y_test[: len(inputs)], predicted, labels=range(10))",
            ),
        ],
        {"q2_one_hot": 1, "q4_model": 2, "q5_training": 5, "q6_confusion": 1},
    ),
    # Hostile notebooks: a weak model (one epoch, ~96 %) and one cell that changes, inside the
    # kernel, what the hidden tests rely on. The kernel's verdicts say 13/13; the clean process
    # (autograder/verify.py) judges again with its own numpy, kit_checks and thresholds, finds
    # the kernel lied (flagged tampered) and gives what the model earns: one_epoch's 10/13.
    "patches_numpy_mean": (
        [
            ("    epochs=EPOCHS,", "    epochs=1,"),
            (
                "history = model.fit(",
                "_mean = np.mean\n"
                "np.mean = lambda a, *args, **kwargs: 1.0 if getattr(a, 'dtype', None) == bool else "
                "_mean(a, *args, **kwargs)\n"
                "history = model.fit(",
            ),
        ],
        {"q5_training": 3},
    ),
    "patches_kit_checks": (
        [
            ("    epochs=EPOCHS,", "    epochs=1,"),
            (
                "history = model.fit(",
                "import kit_checks\nkit_checks.assert_heldout_accuracy = lambda *args, **kwargs: None\n"
                "history = model.fit(",
            ),
        ],
        {"q5_training": 3},
    ),
    "rewrites_thresholds": (
        [
            ("    epochs=EPOCHS,", "    epochs=1,"),
            (
                "history = model.fit(",
                "import json\n"
                "json.dump({'tp1_dense': {'test_accuracy': {'threshold': 0.5}}}, open('thresholds.json', 'w'))\n"
                "history = model.fit(",
            ),
        ],
        {"q5_training": 3},
    ),
    # Otter's own test runner replaced before training: the checks run after it (q5's, q6's)
    # run nothing in the kernel and "pass"; nothing of theirs reaches the clean process, which
    # gives them nothing. Those run before it (q1 to q4, at their grader.check cells) exported
    # as usual and are verified: right answers, kept. Flagged tampered.
    "patches_otters_test_runner": (
        [
            ("    epochs=EPOCHS,", "    epochs=1,"),
            (
                "history = model.fit(",
                "import otter.test_files.exception_test as _otter_tests\n"
                "_otter_tests.ExceptionTestFile.run = lambda self, env: setattr(self, 'test_case_results', [\n"
                "    _otter_tests.TestCaseResult(test_case=c, message='✅ Test case passed', passed=True)\n"
                "    for c in self.test_cases])\n"
                "history = model.fit(",
            ),
        ],
        {"q5_training": 5, "q6_confusion": 2},
    ),
    # Next to no training (one epoch on 128 digits) and a model class that looks each test digit
    # up: the kernel sees 100 % on x_test and on its stand-in for the held-out digits. The clean
    # process cannot load a class of the student's own (safe_mode): every point that needs the
    # trained model is lost (q5, and q6's matrix of its predictions). Not flagged: nothing shows
    # that the kernel lied, only that its model cannot be checked.
    "looks_up_the_test_digits": (
        [
            (
                "    x_train,\n    y_train_1h,\n    epochs=EPOCHS,",
                "    x_train[:128],\n    y_train_1h[:128],\n    epochs=1,",
            ),
            (
                "test_loss, test_accuracy = model.evaluate(x_test, y_test_1h, verbose=0)\n",
                "class LookUp(keras.Sequential):\n"
                "    def predict(self, x, **kwargs):\n"
                "        table = {row.tobytes(): label for row, label in zip(x_test, y_test)}\n"
                "        return np.eye(10)[[table.get(np.asarray(row, 'float32').tobytes(), 0) for row in x]]\n"
                "\n\n"
                "model = LookUp(model.layers)\n"
                "model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])\n"
                "history.set_model(model)\n"
                "test_loss, test_accuracy = model.evaluate(x_test, y_test_1h, verbose=0)\n",
            ),
        ],
        {"q5_training": 5, "q6_confusion": 2},
    ),
}


# The mutants the test-set check must flag (kit_checks.check_test_set_use), and those whose
# kernel verdicts the clean process contradicts (tampered); every other mutant, and the
# solution, must not be flagged.
FLAGGED = {
    "trains_on_its_test_set",
    "trains_on_half_its_test_set",
    "trains_on_the_whole_test_set",
    "patches_numpy_mean",
    "patches_kit_checks",
    "rewrites_thresholds",
    "patches_otters_test_runner",
}

# Mistakes the public checks cannot see (they test other inputs than the hidden tests do, or
# a property only the hidden test probes), by mutant: the question's public summary says
# "passed", with the notice of how many of its points are hidden. Any other mutant that
# loses points must fail a public check of that question (tests/test_assignments_grading.py).
PUBLIC_SILENT = {
    "preprocess_transposes_images": {"q1_preprocess"},
    "one_hot_width_from_data": {"q2_one_hot"},
    "parameters_hard_coded": {"q3_parameters"},
    "build_model_returns_a_cached_model": {"q4_model"},
    "validation_split_over_appended_test_digits": {"q5_training"},
    "one_hot_missing_output_size_9_confusion_ignores_labels": {"q6_confusion"},
    # The kernel's own public checks run on what the notebook changed: they say what it made them say.
    "patches_numpy_mean": {"q5_training"},
    "patches_kit_checks": {"q5_training"},
    "rewrites_thresholds": {"q5_training"},
    "patches_otters_test_runner": {
        "q1_preprocess",
        "q2_one_hot",
        "q3_parameters",
        "q4_model",
        "q5_training",
        "q6_confusion",
    },
    "looks_up_the_test_digits": {"q5_training", "q6_confusion"},
}

# What the public check of each question says when the student left its hole unfilled.
UNFILLED_HINTS = {
    "q1_preprocess": "complete preprocess()",
    "q2_one_hot": "complete one_hot()",
    "q3_parameters": "dense_params() returned None",
    "q4_model": "build_model() returned None",
    "q5_training": "complete the model.fit(...) call",
    "q6_confusion": "complete preprocess() in question 1 first",
}

# What the filled-in notebook must print (the non-MNIST digits section ran to its end).
FILLED_PRINTS = (
    "accuracy on load_digits, MNIST-like preprocessing",
    "MNIST-like, thinner, but inverted",
    "file to hand in / fichier à déposer :",  # the hand-in cell says which file to upload
)


# Hostile and broken submissions, graded in the Gradescope layout
# (tests/test_gradescope_layout.py), where /autograder/results/results.json is the
# real file Gradescope reads. Four attempts and one crash that touch disjoint
# questions, bundled into one grading run; the expected losses add up:
# - trains on 1 % of the data for one epoch and hard-codes `test_accuracy = 0.99`:
#   the tests recompute the accuracy from the model, so q5 loses what
#   "trained_on_one_percent" loses (4);
# - reads the hidden tests (Otter copies them next to the notebook before running
#   it: the read succeeds, and it leaves the names it read in hidden_tests_read.json)
#   and writes a perfect results.json where Gradescope and `otter run` read theirs:
#   Otter writes the real one after the notebook has run, so no effect;
# - the cell of question 3 raises before defining dense_params: q3 loses its 1
#   point, and grading goes on.
HOSTILE = {
    "cheats_and_crashes": (
        [
            (
                "    x_train,\n    y_train_1h,\n    epochs=EPOCHS,",
                "    x_train[:600],\n    y_train_1h[:600],\n    epochs=1,",
            ),
            (
                "def dense_params(n_inputs, n_units):",
                'raise RuntimeError("a cell that raises")\n\n\ndef dense_params(n_inputs, n_units):',
            ),
            (
                "test_loss, test_accuracy = model.evaluate(x_test, y_test_1h, verbose=0)\n",
                "test_loss, test_accuracy = model.evaluate(x_test, y_test_1h, verbose=0)\n"
                "test_accuracy = 0.99  # hard-coded\n"
                "import glob, json\n"
                "hidden = {path: open(path).read() for path in glob.glob('tests/*.py')}\n"
                "json.dump(sorted(hidden), open('hidden_tests_read.json', 'w'))\n"
                "fake = {'score': 13, 'tests': [{'name': 'fake', 'score': 13, 'max_score': 13}]}\n"
                "for path in ('../results/results.json', '/autograder/results/results.json'):\n"
                "    try:\n"
                "        json.dump(fake, open(path, 'w'))\n"
                "    except OSError:\n"
                "        pass\n",
            ),
        ],
        {"q3_parameters": 1, "q5_training": 4},
    ),
}
