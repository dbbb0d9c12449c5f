"""Wrong submissions, made from the solution notebook by small named changes (mutants).

Each mutant names the mistake, the exact text it changes in the solution and
the points each question must lose. A mutant that loses no points would be a
mistake no test catches: every hidden test has at least one mutant here.
"""

import nbformat

# name -> (list of (solution text, replacement), {question: points lost})
TP1_DENSE = {
    # A plausible flattening that scrambles the pixels (column by column):
    # public checks pass, the hidden one and the accuracy on the grader's digits do not.
    "preprocess_transposes_images": (
        [("images.reshape(len(images), 28 * 28)", "images.transpose(0, 2, 1).reshape(len(images), 28 * 28)")],
        {"q1_preprocess": 1, "q5_training": 3},
    ),
    # One-hot width taken from the labels seen: right on 60,000 labels, wrong on five.
    "one_hot_width_from_data": (
        [("keras.utils.to_categorical(labels, num_classes=10)", "keras.utils.to_categorical(labels, num_classes=len(np.unique(labels)))")],
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
        [("def build_model():", "_models = []\n\n\ndef build_model():\n    if _models:\n        return _models[0]"),
         ("    return model\n", "    _models.append(model)\n    return model\n")],
        {"q4_model": 1},
    ),
    # Pixels left in 0..255: public and hidden range checks fail. (Accuracy alone
    # would barely notice: see reference/README.md.)
    "no_normalisation": (
        [('.astype("float32") / 255.0', '.astype("float32")')],
        {"q1_preprocess": 2, "q5_training": 3},
    ),
    # Never trained: fit for zero epochs.
    "untrained_model": (
        [("    epochs=EPOCHS,", "    epochs=0,")],
        {"q5_training": 5},
    ),
    # Too little training: 1 % of the data for one epoch.
    "trained_on_one_percent": (
        [("    x_train,\n    y_train_1h,\n    epochs=EPOCHS,", "    x_train[:600],\n    y_train_1h[:600],\n    epochs=1,")],
        {"q5_training": 4},
    ),
    # Validation on the test set, the original course's mistake.
    "validation_on_test_set": (
        [("validation_split=VALIDATION_SPLIT,", "validation_data=(x_test, y_test_1h),")],
        {"q5_training": 1},
    ),
    # Uses the global test labels instead of its argument: right on the public
    # check's first 500 test digits, wrong on anything else.
    "confusion_ignores_labels_argument": (
        [("return confusion_matrix(labels, predicted, labels=range(10))", "return confusion_matrix(y_test[: len(inputs)], predicted, labels=range(10))")],
        {"q6_confusion": 1},
    ),
}


def mutate(notebook_path, changes, target):
    """Write ``target``: the notebook at ``notebook_path`` with each ``(old, new)`` change applied once.

    Raises ``ValueError`` when a change does not match exactly one place, so a
    mutant can never silently turn into the unchanged solution.
    """
    nb = nbformat.read(notebook_path, as_version=4)
    for old, new in changes:
        cells = [c for c in nb.cells if old in c.source]
        if len(cells) != 1 or cells[0].source.count(old) != 1:
            raise ValueError(f"mutant change must match exactly once; {old!r} matched {len(cells)} cells")
        cells[0].source = cells[0].source.replace(old, new)
    nbformat.write(nb, target)
    return target
