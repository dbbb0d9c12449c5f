"""TP2's wrong submissions (see reference/submissions/__init__.py for the format)."""

# name -> (list of (solution text, replacement), {question: points lost})
MUTANTS = {
    # The trap of the lab: Keras's default keeps the last epoch's weights, `patience`
    # epochs past the best. The final model, 3 epochs later, still passes the accuracy test.
    "no_restore_best_weights": (
        [("restore_best_weights=True,", "restore_best_weights=False,")],
        {"q1_callback": 0.5, "q2_train_function": 1.5},
    ),
    # Watches the training loss: on the hidden test's small data set it keeps falling, all
    # 60 epochs run, and the model comes back with the weights of the lowest *training* loss.
    # The full training happens to stop before MAX_EPOCHS: q3 reads the measure itself.
    "monitors_training_loss": (
        [('monitor="val_loss",', 'monitor="loss",')],
        {"q1_callback": 0.5, "q2_train_function": 2.5, "q3_full_training": 1},
    ),
    # The right measure in the wrong direction: the "best" epoch is the worst, epoch 1,
    # whose weights the final model gets back (96.3 % of the grader's digits at seed 0).
    "mode_max_with_val_loss": (
        [('mode="min",', 'mode="max",')],
        {"q1_callback": 0.5, "q2_train_function": 1.5, "q3_full_training": 2},
    ),
    # Three slips in one grading run (one costly training instead of three). No early
    # stopping at all: the callback is never passed to fit, so training runs max_epochs
    # every time and ends with the last epoch's weights; a patience of 0, which only the
    # callback's own check notices (the callback is not used anyway); and the final
    # network trained on 5,000 images only: 93 % of the public check's 1000 digits (it
    # passes), far below the pass mark on the grader's 10,000. q3 loses 1 to its
    # public check (all MAX_EPOCHS ran) and 2 to the accuracy test; without the 5,000
    # images, the 30 epochs alone still pass that test (checked when this was written).
    "no_early_stopping_patience_zero_5000_images": (
        [
            ("callbacks=[make_early_stopping()],", ""),
            ("patience=3,", "patience=0,"),
            (
                "x_fit, y_fit_1h, x_val, y_val_1h, MAX_EPOCHS)",
                "x_fit[:5000], y_fit_1h[:5000], x_val, y_val_1h, MAX_EPOCHS)",
            ),
        ],
        {"q1_callback": 0.5, "q2_train_function": 2.5, "q3_full_training": 3},
    ),
    # Validates on a slice of its training data instead of the x_val, y_val it receives:
    # the weights restored are the best for another validation set.
    "validation_split_instead_of_validation_data": (
        [("validation_data=(x_val, y_val),", "validation_split=0.1,")],
        {"q2_train_function": 1.5},
    ),
    # A fixed number of epochs instead of max_epochs: early stopping hides it everywhere
    # but in the public check, which asks for at most 3 epochs.
    "ignores_max_epochs": (
        [("epochs=max_epochs,", "epochs=100,")],
        {"q2_train_function": 0.5},
    ),
    # The original course's mistake: validation (and so the choice of epoch) on the test set.
    "validation_on_test_set": (
        [("x_fit, y_fit_1h, x_val, y_val_1h, MAX_EPOCHS)", "x_fit, y_fit_1h, x_test, y_test_1h, MAX_EPOCHS)")],
        {"q3_full_training": 1},
    ),
    # Training on the test set as well: nothing gained on the grader's held-out half, and
    # the test-set check flags it (integrity.json's penalty_points, 0 by default; see FLAGGED).
    "trains_on_its_test_set": (
        [
            (
                "model, x_fit, y_fit_1h, x_val",
                "model, np.concatenate([x_test, x_fit]), np.concatenate([y_test_1h, y_fit_1h]), x_val",
            )
        ],
        {},
    ),
}

# The mutants the test-set check must flag (kit_checks.check_test_set_use); no other.
FLAGGED = {"trains_on_its_test_set"}


# What the public check of each question says when the student left its hole unfilled.
UNFILLED_HINTS = {
    "q1_callback": "make_early_stopping() returned None",
    "q2_train_function": "train_with_early_stopping() returned None",
    "q3_full_training": "history is None: complete the cell",
}

# What the filled-in notebook must print (the comparison and the final evaluation ran).
FILLED_PRINTS = (
    "early stopping ran",
    "with early stopping: validation loss",
    "lowest validation loss at epoch",
    "test:       loss",
    "file to hand in / fichier à déposer :",  # the hand-in cell says which file to upload
)
