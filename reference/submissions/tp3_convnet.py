"""TP3's wrong submissions (see reference/submissions/__init__.py for the format).

Each grading run of TP3 trains a convnet (about a minute on 2 cores), so the
mistakes the public checks miss share one submission, and two mutants are made
to train in seconds.
"""

# name -> (list of (solution text, replacement), {question: points lost})
MUTANTS = {
    # Five slips, one per question, that the public checks let through and a hidden
    # test catches: pixels divided by the batch's largest value (255 for MNIST, not
    # for the grader's images); "same" padding that ignores the stride; parameter
    # counts hard-coded for the two convolutions of the notebook; logits instead of a
    # softmax (the loss made to match, so training and accuracy are unharmed: only the
    # 0-point public check of the softmax says so); the global test labels used instead of
    # the labels argument.
    "slips_the_public_checks_miss": (
        [
            (
                'np.expand_dims(images.astype("float32") / 255.0, axis=-1)',
                'np.expand_dims(images.astype("float32") / images.max(), axis=-1)',
            ),
            ('if padding == "same":\n        return -(-size // stride)', 'if padding == "same":\n        return size'),
            (
                "return (kernel_size * kernel_size * in_channels + 1) * filters",
                "return {(5, 1, 16): 416, (5, 16, 32): 12832}[(kernel_size, in_channels, filters)]",
            ),
            ('            keras.layers.Dense(10, activation="softmax"),', "            keras.layers.Dense(10),"),
            (
                'optimizer=make_optimizer(), loss="categorical_crossentropy"',
                "optimizer=make_optimizer(), loss=keras.losses.CategoricalCrossentropy(from_logits=True)",
            ),
            (
                "return np.flatnonzero(predicted != np.asarray(labels))",
                "return np.flatnonzero(predicted != y_test[: len(inputs)])",
            ),
        ],
        {"q1_images": 1, "q2_output_size": 0.5, "q3_parameters": 0.5, "q4_model": 1, "q6_mistakes": 1},
    ),
    # No channel axis: (n, 28, 28). Keras quietly adds the axis when it feeds the
    # model, so training goes as well as the solution's, and the shape checks catch
    # it. In the notebook's kernel the model then fails on (n, 28, 28, 1) images (its
    # predict function, traced on rank-3 inputs, is retraced for an unknown rank the
    # Sequential model cannot handle), so q6's check of misclassified fails there. The
    # clean process loads the model afresh: it reads the grader's (n, 28, 28, 1) digits,
    # and the trained model keeps its points: the mistake costs the tensors' question.
    "channels_not_added": (
        [('np.expand_dims(images.astype("float32") / 255.0, axis=-1)', 'images.astype("float32") / 255.0')],
        {"q1_images": 2, "q6_mistakes": 1},
    ),
    # A dense network behind the Input, no convolution (TP1's kind of model, with
    # more parameters than the budget): layer checks fail, accuracy stays below
    # the convnet's pass mark. Trains in seconds.
    "dense_only_model": (
        [
            (
                '            keras.layers.Conv2D(16, 5, activation="relu"),\n'
                "            keras.layers.MaxPooling2D(2),\n"
                '            keras.layers.Conv2D(32, 5, activation="relu"),\n'
                "            keras.layers.MaxPooling2D(2),\n",
                "",
            )
        ],
        {"q4_model": 2, "q5_training": 3},
    ),
    # Too little training: 1 % of the data for one epoch. Trains in a second.
    "trained_on_one_percent": (
        [
            (
                "    x_train,\n    y_train_1h,\n    epochs=EPOCHS,",
                "    x_train[:600],\n    y_train_1h[:600],\n    epochs=1,",
            )
        ],
        {"q5_training": 4},
    ),
    # The student's own design over the 100,000-parameter budget (Dense(256): 147,146
    # parameters): the public check and the hidden layer check both say so. Trained on 1 %
    # of the data for one epoch, to grade in seconds.
    "design_over_the_budget": (
        [
            ('keras.layers.Dense(128, activation="relu")', 'keras.layers.Dense(256, activation="relu")'),
            (
                "    x_train,\n    y_train_1h,\n    epochs=EPOCHS,",
                "    x_train[:600],\n    y_train_1h[:600],\n    epochs=1,",
            ),
        ],
        {"q4_model": 2, "q5_training": 4},
    ),
    # Right answers written differently from the solution keep every point: another design
    # within the budget (3 × 3 filters, padding="same", a 32-neuron dense layer: 55,338
    # parameters) and the rounding up of question 2 with math.ceil.
    "own_design_and_math_ceil": (
        [
            ("return -(-size // stride)", "return math.ceil(size / stride)"),
            (
                '            keras.layers.Conv2D(16, 5, activation="relu"),\n'
                "            keras.layers.MaxPooling2D(2),\n"
                '            keras.layers.Conv2D(32, 5, activation="relu"),\n'
                "            keras.layers.MaxPooling2D(2),\n"
                "            keras.layers.Flatten(),\n"
                '            keras.layers.Dense(128, activation="relu"),\n'
                "            keras.layers.Dropout(0.3),\n",
                '            keras.layers.Conv2D(16, 3, padding="same", activation="relu"),\n'
                "            keras.layers.MaxPooling2D(2),\n"
                '            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),\n'
                "            keras.layers.MaxPooling2D(2),\n"
                "            keras.layers.Flatten(),\n"
                '            keras.layers.Dense(32, activation="relu"),\n',
            ),
        ],
        {},
    ),
    # The solution's network with every activation as a layer of its own, and the loss as
    # the function Keras documents: the same network, every point kept. Trained on 1 % of the
    # data for one epoch to grade in seconds, so q5 loses what "trained_on_one_percent" loses.
    "separate_activations_and_loss_function": (
        [
            (
                'keras.layers.Conv2D(16, 5, activation="relu"),',
                "keras.layers.Conv2D(16, 5),\n            keras.layers.ReLU(),",
            ),
            (
                'keras.layers.Conv2D(32, 5, activation="relu"),',
                'keras.layers.Conv2D(32, 5),\n            keras.layers.Activation("relu"),',
            ),
            ('keras.layers.Dense(128, activation="relu")', "keras.layers.Dense(128),\n            keras.layers.ReLU()"),
            (
                'keras.layers.Dense(10, activation="softmax"),',
                "keras.layers.Dense(10),\n            keras.layers.Softmax(),",
            ),
            (
                'optimizer=make_optimizer(), loss="categorical_crossentropy"',
                "optimizer=make_optimizer(), loss=keras.losses.categorical_crossentropy",
            ),
            (
                "    x_train,\n    y_train_1h,\n    epochs=EPOCHS,",
                "    x_train[:600],\n    y_train_1h[:600],\n    epochs=1,",
            ),
        ],
        {"q5_training": 4},
    ),
    # Validation on the test set, the original course's mistake.
    "validation_on_test_set": (
        [("validation_split=VALIDATION_SPLIT,", "validation_data=(x_test, y_test_1h),")],
        {"q5_training": 1},
    ),
}


# What the public check of each question says when the student left its hole unfilled.
UNFILLED_HINTS = {
    "q1_images": "complete to_images()",
    "q2_output_size": "conv_output_size() returned None",
    "q3_parameters": "conv_params() returned None",
    "q4_model": "build_convnet() returned None",
    "q5_training": "complete the training cell",
    "q6_mistakes": "complete to_images() in question 1 first",
}

# What the filled-in notebook must print (the mistakes and the non-MNIST sections ran).
FILLED_PRINTS = (
    "misclassified test digits, the first ones",
    "load_digits prepared",
    "file to hand in / fichier à déposer :",  # the hand-in cell says which file to upload
)
