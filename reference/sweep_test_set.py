"""The sweep behind the test-set check's bars (reference/README.md): dense models, honest and cheating.

Trains 784-h-10 dense networks (adam 1e-3, batch 128, pixels / 255, sparse labels) on
the first 54,000 training digits, honestly or with test digits added, and prints one
JSON line per run: accuracy and mean cross-entropy on the first 10,000 training digits
(``_t``), the students' half (``_s``) and the grader's half (``_g``) of MNIST's test set
(``autograder.checks.split_test_set``), ``z_loss`` (the check's ``gap_z``) and ``ratio``
(its ``loss_ratio``). Faster than ``make calibrate`` (no notebook, no Otter), for the
cases the notebooks do not have. About 1 minute a run on 2 cores.

    python -m reference.sweep_test_set > sweep.jsonl
"""

import json
import time

import keras
import numpy as np

from autograder.checks import split_test_set
from robot_lab.mnist import load_mnist


def main():
    (xtr, ytr), (xte, yte) = load_mnist()
    students, grader = split_test_set(len(yte))

    def flat(x):
        return x.reshape(len(x), -1).astype("float32") / 255

    x_train, x_s, x_g, y_s, y_g = flat(xtr), flat(xte[students]), flat(xte[grader]), yte[students], yte[grader]
    rng = np.random.default_rng(0)
    half, fifth = rng.permutation(5000)[:2500], rng.permutation(5000)[:1000]

    def shifted(x):
        r = np.random.default_rng(1)
        images = x.reshape(-1, 28, 28)
        out = np.empty_like(images)
        for i in range(len(images)):
            out[i] = np.roll(images[i], tuple(r.integers(-2, 3, 2)), axis=(0, 1))
        return out.reshape(len(x), -1)

    def losses(model, x, y):
        p = np.asarray(model.predict(x, batch_size=2048, verbose=0), dtype="float64")
        return -np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1)), p.argmax(1) == y

    def run(name, hidden=784, epochs=10, dropout=0.0, extra=None, augment=False, seed=0, scale=1.0, n=54000):
        keras.utils.set_random_seed(seed)
        x, y = x_train[:n] * scale, ytr[:n]
        if extra is not None:
            x, y = np.concatenate([x, extra[0] * scale]), np.concatenate([y, extra[1]])
        if augment:
            x, y = np.concatenate([x, shifted(x)]), np.concatenate([y, y])
        layers = [keras.Input((784,)), keras.layers.Dense(hidden, activation="relu")]
        layers += [keras.layers.Dropout(dropout)] if dropout else []
        model = keras.Sequential([*layers, keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
        start = time.time()
        model.fit(x, y, epochs=epochs, batch_size=128, verbose=0)
        lt, at = losses(model, x_train[:10000] * scale, ytr[:10000])
        ls, a_s = losses(model, x_s * scale, y_s)
        lg, ag = losses(model, x_g * scale, y_g)
        row = {
            "name": name,
            "seed": seed,
            "acc_s": a_s.mean(),
            "acc_g": ag.mean(),
            "acc_t": at.mean(),
            "loss_t": lt.mean(),
            "loss_s": ls.mean(),
            "loss_g": lg.mean(),
            "z_loss": (lg.mean() - ls.mean()) / np.sqrt(lg.var() / len(lg) + ls.var() / len(ls)),
            "ratio": lg.mean() / lt.mean(),
            "secs": time.time() - start,
        }
        print(json.dumps({k: v if isinstance(v, str) else round(float(v), 5) for k, v in row.items()}), flush=True)

    both = (np.concatenate([x_s, x_g]), np.concatenate([y_s, y_g]))
    run("honest 784 e10", seed=0)
    run("cheat half of student half", extra=(x_s[half], y_s[half]))
    run("cheat 1000 of student half", extra=(x_s[fifth], y_s[fifth]))
    run("cheat full test", extra=both)
    run("honest 64 e10", hidden=64)
    run("honest 784 e1", epochs=1)
    run("honest 512 drop0.3", hidden=512, dropout=0.3)
    run("cheat student half", extra=(x_s, y_s))
    run("cheat grader half", extra=(x_g, y_g))
    run("honest 784 aug", augment=True, epochs=5)
    run("cheat student half aug", extra=(x_s, y_s), augment=True, epochs=5)
    run("honest no /255", scale=255.0)
    run("honest 1% data", n=600, epochs=1)
    run("honest 2000 e10", hidden=2000, epochs=10)
    for seed in range(1, 5):
        run("honest 784 e10", seed=seed)


if __name__ == "__main__":
    main()
