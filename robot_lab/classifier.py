"""The network that reads the cubes' digits: a TP3-like CNN trained on MNIST.

The model is the TP3 convolutional network (Conv2D -> MaxPool -> Conv2D -> MaxPool
-> Dense -> Dense 10 softmax) trained on MNIST's *training* set, all ten digits.
The robot only ever sees '1' and '2', so :func:`predict_digits` restricts the
answer to those two labels; the network still knows the other eight, which lets
it say that a sprite looks like neither (a low confidence).

``python -m robot_lab.classifier`` trains it on the 60,000
training images (54,000 for fitting, the last 6,000 for validation, never the test
set, whose '1's and '2's the simulated camera draws on the cubes), 6 epochs of
Adam with early stopping on the validation loss, and saves it to
``data/robot_lab/digits.keras``: about a minute and a half on 2 CPU cores.
"""

import argparse
import time
from pathlib import Path

import numpy as np

from . import REPO_ROOT

#: Where ``python -m robot_lab.classifier`` saves the trained network, and where load_model() looks.
DEFAULT_MODEL_PATH = REPO_ROOT / "data" / "robot_lab" / "digits.keras"

#: The only digits written on the cubes.
LABELS = (1, 2)


def build_model():
    """The TP3 network, untrained.

    Returns
    -------
    model : keras.Model
        Input (batch, 28, 28, 1) float32 in [0, 1]; output (batch, 10) float32,
        softmax probabilities of the digits 0-9. Compiled (Adam, sparse
        categorical cross-entropy, accuracy).
    """
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(16, 5, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(32, 5, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="robot_digits",
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train_model(x_train=None, y_train=None, *, epochs=6, n_validation=6000, seed=0, verbose=2):
    """Train the TP3 network on MNIST's training set.

    Parameters
    ----------
    x_train : ndarray (n, 28, 28) uint8 (0-255) or float32 in [0, 1], optional
        Defaults to MNIST's 60,000 training images (:func:`robot_lab.mnist.load_mnist`).
        Tests pass a few thousand to train in seconds.
    y_train : ndarray (n,) int, digits 0-9, optional (with ``x_train``)
    epochs : int, default 6
        At most this many epochs; early stopping on the validation loss (patience 2)
        keeps the best epoch's weights.
    n_validation : int, default 6000
        The last ``n_validation`` examples are held out for validation (0: none).
    seed : int, default 0
        ``keras.utils.set_random_seed``: same seed, same machine -> same weights.
    verbose : int, default 2 (one line per epoch)

    Returns
    -------
    model : keras.Model, see :func:`build_model`
    """
    import keras

    if x_train is None:
        from .mnist import load_mnist

        (x_train, y_train), _ = load_mnist()
    x = np.asarray(x_train)
    x = (x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32))[..., None]
    y = np.asarray(y_train).astype(np.int64)
    if x.shape[1:] != (28, 28, 1) or len(x) != len(y):
        raise ValueError(
            f"expected x_train (n, 28, 28) and y_train (n,), got {np.shape(x_train)} and {np.shape(y_train)}"
        )

    keras.utils.set_random_seed(seed)
    model = build_model()
    fit_args = {}
    if n_validation:
        x, x_val, y, y_val = x[:-n_validation], x[-n_validation:], y[:-n_validation], y[-n_validation:]
        fit_args = {
            "validation_data": (x_val, y_val),
            "callbacks": [keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)],
        }
    model.fit(x, y, epochs=epochs, batch_size=128, verbose=verbose, **fit_args)
    return model


def save_model(model, path=DEFAULT_MODEL_PATH):
    """Save ``model`` to ``path`` (a ``.keras`` file), creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return path


def load_model(path=DEFAULT_MODEL_PATH, warm_up=True):
    """Load the robot's digit network.

    Parameters
    ----------
    path : str or Path, default DEFAULT_MODEL_PATH
    warm_up : bool, default True
        Run the network once on blank batches of 4 and 8 sprites, so that its compiled
        function is traced before the first camera frame (the first calls take ~50 ms
        each, later ones ~2 ms).

    Returns
    -------
    model : keras.Model, see :func:`build_model`

    Raises
    ------
    FileNotFoundError
        When there is no model at ``path``; the message says how to make one.
    ValueError
        When the file is not a model Keras can load (corrupt, another format).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no trained digit model at {path}. Train it with `python -m robot_lab.classifier` "
            f"(about a minute and a half), or pass the path of a .keras model you trained."
        )
    import keras

    try:
        model = keras.models.load_model(path)
    except Exception as error:  # Keras raises several kinds for a file it cannot read
        raise ValueError(
            f"{path} is not a Keras model this version of Keras can load ({error}). "
            "Train a new one with `python -m robot_lab.classifier`."
        ) from error
    if warm_up:
        # Two batch sizes: after the second, TensorFlow traces one function for any size.
        for n in (4, 8):
            model.predict_on_batch(np.zeros((n, 28, 28, 1), np.float32))
    return model


def predict_digits(model, sprites):
    """Read 28x28 sprites as '1' or '2', with the network's confidence.

    Parameters
    ----------
    model : keras.Model
        Input (batch, 28, 28, 1) float32, output (batch, 10) softmax probabilities.
    sprites : ndarray (n, 28, 28) float32 in [0, 1]
        White digits on black (:func:`robot_lab.vision.face_to_sprite`).

    Returns
    -------
    labels : ndarray (n,) int64, each 1 or 2
        Whichever of the two has the higher probability.
    confidences : ndarray (n,) float32 in [0, 1]
        The network's softmax probability of that label, among all ten digits:
        near 1 for a clear digit, low when the sprite looks like another digit or
        like no digit at all (it is not renormalised over {1, 2}).
    """
    sprites = np.asarray(sprites, dtype=np.float32).reshape(-1, 28, 28, 1)
    if len(sprites) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    # HINT: model.predict_on_batch(sprites) gives (n, 10) probabilities; keep the
    # columns of LABELS and take the larger one per sprite.
    # BEGIN SOLUTION
    # predict_on_batch runs the compiled network on one batch: for a few sprites it
    # is much faster than model.predict (which sets up a dataset) or an eager call.
    probabilities = np.asarray(model.predict_on_batch(sprites))
    candidates = probabilities[:, list(LABELS)]
    best = np.argmax(candidates, axis=1)
    labels = np.asarray(LABELS, dtype=np.int64)[best]
    confidences = candidates[np.arange(len(best)), best].astype(np.float32)
    # END SOLUTION
    return labels, confidences


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Train the robot lab's digit network on MNIST's training set and save it."
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH, help="the .keras file to write")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    model = train_model(epochs=args.epochs, seed=args.seed)
    path = save_model(model, args.out)
    print(f"saved {path} (trained in {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
