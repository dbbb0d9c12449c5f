# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [raw]
# # ASSIGNMENT CONFIG
# name: tp2_early_stopping
# requirements: requirements.txt
# python_version: "3.11"
# run_tests: false
# init_cell: false
# check_all_cell: false
# export_cell: false
# generate:
#   pdf: false
#   show_stdout: true
#   show_hidden: true
# tests:
#   files: false
#   ok_format: false
# autograder_files:
#   - mnist.npz
#   - kit_checks.py
#   - kit_verify.py
#   - thresholds.json
#   - integrity.json

# %% [markdown] lang="fr"
# # TP2 — Le sur-apprentissage et l'arrêt précoce
#
# Au TP1, le réseau dense 784 → 784 → 10 s'entraînait pendant un nombre d'époques fixé
# d'avance. Combien d'époques faut-il vraiment ? Trop peu, et le réseau n'a pas fini
# d'apprendre ; trop, et il apprend les images d'entraînement **par cœur** et reconnaît moins
# bien les autres. Dans ce TP, vous allez observer ce **sur-apprentissage** sur les courbes,
# puis laisser Keras choisir le bon moment pour s'arrêter.
#
# Au programme :
# 1. les données et le réseau du TP1 (fournis) ;
# 2. provoquer le sur-apprentissage et l'observer sur les courbes ;
# 3. le *callback* `EarlyStopping` de Keras ;
# 4. une fonction d'entraînement qui s'arrête toute seule, comparée à la précédente ;
# 5. l'entraînement complet, puis l'évaluation sur le jeu de test — une seule fois.
#
# **Comment ce TP est noté.** Les cellules `...` sont à compléter. Après chaque question,
# la cellule `grader.check(...)` lance des vérifications rapides qui vous indiquent ce qui
# était attendu et ce qui a été obtenu. À la correction, le notebook est exécuté **en
# entier, de haut en bas**, entraînements compris (environ une minute sur deux cœurs ;
# l'entraînement complet s'arrête de lui-même après une dizaine d'époques). Des tests
# cachés :
# - examinent le *callback* que renvoie votre `make_early_stopping()` ;
# - appellent votre `train_with_early_stopping(...)` avec **leur propre** petit réseau et
#   **leurs propres** données, sur lesquelles la perte de validation remonte au bout de
#   quelques époques : l'entraînement doit s'arrêter avant le nombre maximal d'époques, et
#   le réseau doit ensuite avoir retrouvé les poids de sa **meilleure** époque ;
# - recalculent l'exactitude de votre `model` final sur les 5 000 chiffres de test que garde
#   le correcteur (votre `x_test` est l'autre moitié du jeu de test de MNIST), vérifient que
#   vous n'avez pas validé sur le jeu de test, et signalent à l'enseignant un modèle entraîné
#   sur le jeu de test (il réussit mieux sur vos chiffres de test que sur ceux du correcteur).
#
# Gardez donc un notebook qui s'exécute du début à la fin sans erreur, et des fonctions qui
# n'utilisent que leurs arguments.

# %% [markdown] lang="en"
# # TP2 — Over-fitting and early stopping
#
# In TP1 the dense 784 → 784 → 10 network trained for a number of epochs fixed in advance.
# How many epochs does it really need? Too few and the network has not finished learning;
# too many and it learns the training images **by heart** and gets worse on the others.
# In this lab you will see this **over-fitting** on the learning curves, then let Keras
# choose the right moment to stop.
#
# The plan:
# 1. TP1's data and network (given);
# 2. cause over-fitting and see it on the curves;
# 3. Keras's `EarlyStopping` callback;
# 4. a training function that stops by itself, compared with the previous one;
# 5. the full training, then the evaluation on the test set — once.
#
# **How this lab is graded.** Fill in the cells that contain `...`. After each question,
# the `grader.check(...)` cell runs quick checks that tell you what was expected and what
# was found. For grading, the notebook is run **whole, top to bottom**, trainings included
# (about a minute on two cores; the full training stops by itself after about ten epochs).
# Hidden tests then:
# - inspect the callback that your `make_early_stopping()` returns;
# - call your `train_with_early_stopping(...)` with **their own** small network and **their
#   own** data, on which the validation loss turns up after a few epochs: training must stop
#   before the maximum number of epochs, and the network it hands back must have the weights
#   of its **best** epoch;
# - recompute the accuracy of your final `model` on the 5,000 test digits the grader keeps
#   (your `x_test` is the other half of MNIST's test set), check that you did not validate on
#   the test set, and flag to your teacher a model trained on the test set (it does better on
#   your test digits than on the grader's).
#
# So keep a notebook that runs from start to end without errors, and functions that use
# nothing but their arguments.

# %%
# Initialize Otter (the kit's cell: it finds this notebook even when renamed)
# INCLUDE common/init_otter.py


NOTEBOOK = find_this_notebook("tp2_early_stopping.ipynb", "tp2_early_stopping")
grader = otter.Notebook(NOTEBOOK)

# %%
import os

import keras
import matplotlib.pyplot as plt
import numpy as np

# One seed for Python, NumPy and the Keras backend: same seed, same machine, same weights.
SEED = 0
keras.utils.set_random_seed(SEED)

# %% lang="fr"
# Langue de ce notebook : les vérifications (grader.check) et la correction vous
# répondent en français, et tr(fr, en) donne aux figures leurs textes en français.
os.environ["MNIST_KIT_LANGUAGE"] = "fr"


def tr(fr, en):
    """Le texte en français (fr) ; en est la version anglaise du même texte."""
    return fr

# %% lang="en"
# This notebook's language: the checks (grader.check) and the grader answer you in
# English, and tr(fr, en) gives the figures their English text.
os.environ["MNIST_KIT_LANGUAGE"] = "en"


def tr(fr, en):
    """The English text (en); fr is the French version of the same text."""
    return en

# %% [markdown] lang="fr"
# ## 1. Les données et le réseau du TP1
#
# On charge MNIST comme au TP1 (si un fichier `mnist.npz` se trouve à côté du notebook,
# comme lors de la correction, qui se fait sans Internet, il est lu à la place du
# téléchargement), puis on aplatit, on normalise et on écrit les étiquettes en one-hot :
# c'étaient les questions 1 et 2 du TP1, les voici toutes faites.

# %% [markdown] lang="en"
# ## 1. TP1's data and network
#
# We load MNIST as in TP1 (if a file `mnist.npz` sits next to the notebook, as it does
# during grading, which runs offline, it is read instead of downloading), then flatten,
# normalise and write the labels one-hot: those were TP1's questions 1 and 2, here they
# are done for you.

# %%
# INCLUDE common/load_mnist.py


def preprocess(images):
    """uint8 images (n, 28, 28), values 0..255 -> float32 array (n, 784), values in [0, 1]."""
    return images.reshape(len(images), 28 * 28).astype("float32") / 255.0


def one_hot(labels):
    """Integer labels of shape (n,) -> float32 one-hot array of shape (n, 10)."""
    return keras.utils.to_categorical(labels, num_classes=10).astype("float32")


(x_train_raw, y_train), (x_test_raw, y_test) = load_mnist()
x_train, x_test = preprocess(x_train_raw), preprocess(x_test_raw)
y_train_1h, y_test_1h = one_hot(y_train), one_hot(y_test)
print("training:", x_train.shape, y_train_1h.shape, "  test:", x_test.shape, y_test_1h.shape)

# %% [markdown] lang="fr"
# ### Trois jeux de données, trois rôles
#
# - Le **jeu d'entraînement** (`x_fit`) : le réseau ajuste ses poids dessus.
# - Le **jeu de validation** (`x_val`) : le réseau ne s'entraîne pas dessus ; on y évalue
#   le réseau après chaque époque, et c'est lui qui va décider **quand s'arrêter**.
# - Le **jeu de test** (`x_test`) : il ne sert qu'une fois, à la toute fin, pour dire ce
#   que vaut le réseau sur des chiffres jamais vus. S'en servir pour décider quoi que ce soit
#   (quand s'arrêter, par exemple) fausserait cette mesure.
#
# Au TP1, `validation_split=0.1` mettait de côté les 10 % **derniers** exemples
# d'entraînement. Nous faisons ici le même découpage à la main, car nous allons transmettre le jeu de
# validation à notre propre fonction.

# %% [markdown] lang="en"
# ### Three data sets, three roles
#
# - The **training set** (`x_fit`): the network adjusts its weights on it.
# - The **validation set** (`x_val`): the network does not train on it; we measure it
#   there after every epoch, and it is what will decide **when to stop**.
# - The **test set** (`x_test`): used once, at the very end, to tell what the network is
#   worth on digits it has never seen. Deciding anything with it (when to stop, for
#   instance) would bias that measure.
#
# In TP1, `validation_split=0.1` set aside the **last** 10 % of the training examples. We
# make the same cut by hand, because we are going to pass the validation set to our own
# function.

# %%
VALIDATION_SIZE = 6000  # the last 10 % of the 60,000 training images
x_fit, y_fit_1h = x_train[:-VALIDATION_SIZE], y_train_1h[:-VALIDATION_SIZE]
x_val, y_val_1h = x_train[-VALIDATION_SIZE:], y_train_1h[-VALIDATION_SIZE:]
print("fit:", x_fit.shape, "  validation:", x_val.shape, "  test:", x_test.shape)

# %% [markdown] lang="fr"
# ### Le réseau
#
# C'est celui du TP1 : 784 → 784 (ReLU) → 10 (softmax), 623 290 paramètres. Une différence :
# au TP1, le taux d'apprentissage décroissait jusqu'à 0 sur un nombre d'époques connu
# d'avance. Ici, c'est l'arrêt précoce qui décidera du nombre d'époques : on garde donc un
# taux d'apprentissage constant (Adam, 0,001).

# %% [markdown] lang="en"
# ### The network
#
# It is TP1's: 784 → 784 (ReLU) → 10 (softmax), 623,290 parameters. One difference: in TP1
# the learning rate decayed to 0 over a number of epochs known in advance. Here early
# stopping will decide how many epochs to run, so we keep a constant rate (Adam, 0.001).

# %%
BATCH_SIZE = 128


def build_model():
    """A new compiled Sequential model: 784 inputs -> Dense(784, relu) -> Dense(10, softmax)."""
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(784, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def plot_history(history, title="", best_epoch=None):
    """Loss and accuracy per epoch, training vs validation; a dotted line at best_epoch (from 1)."""
    epochs = np.arange(1, len(history.history["loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4))
    for ax, metric in [(ax_loss, "loss"), (ax_acc, "accuracy")]:
        ax.plot(epochs, history.history[metric], "o-", ms=3, label=tr("entraînement", "training"))
        ax.plot(epochs, history.history[f"val_{metric}"], "o-", ms=3, label="validation")
        if best_epoch is not None:
            ax.axvline(best_epoch, color="grey", ls=":", label=tr(f"perte de validation minimale (époque {best_epoch})", f"lowest validation loss (epoch {best_epoch})"))
        ax.set_xlabel(tr("époque", "epoch"))
        ax.set_ylabel(tr({"loss": "perte", "accuracy": "exactitude"}[metric], metric))
        ax.legend()
    fig.suptitle(title)
    plt.tight_layout()
    plt.show()


build_model().summary()

# %% [markdown] lang="fr"
# ## 2. Voir le sur-apprentissage
#
# Avec 54 000 images, le sur-apprentissage s'installe lentement et discrètement. Pour le
# voir nettement en quelques secondes, prenons-en seulement 2 000 : avec 623 290 paramètres,
# plus de 300 par image, le réseau a de quoi toutes les retenir par cœur. On l'entraîne 40 époques
# et on l'évalue après chacune sur les 6 000 images de validation.

# %% [markdown] lang="en"
# ## 2. Seeing over-fitting
#
# With 54,000 images, over-fitting sets in slowly and quietly. To see it plainly within
# seconds, let us take only 2,000: with 623,290 parameters, over 300 per image, the network
# has room to learn every one of them by heart. We train it for 40 epochs and measure it
# after each one on the 6,000 validation images.

# %%
SMALL = 2000
OVERFIT_EPOCHS = 40

keras.utils.set_random_seed(SEED)
overfit_net = build_model()
overfit_history = overfit_net.fit(
    x_fit[:SMALL],
    y_fit_1h[:SMALL],
    validation_data=(x_val, y_val_1h),
    epochs=OVERFIT_EPOCHS,
    batch_size=BATCH_SIZE,
    verbose=0,  # 40 lines would hide the plot: the curves tell the story
)
overfit_best = int(np.argmin(overfit_history.history["val_loss"])) + 1
plot_history(overfit_history, f"{SMALL} training images, {OVERFIT_EPOCHS} epochs", best_epoch=overfit_best)

# %% [markdown] lang="fr"
# Lisez les courbes de gauche à droite :
#
# - la perte d'**entraînement** ne cesse de baisser, jusqu'à presque 0, et l'exactitude
#   d'entraînement atteint 100 % : le réseau connaît ses 2 000 images ;
# - la perte de **validation** baisse d'abord avec elle, atteint un minimum (ligne
#   pointillée), puis **remonte** : à partir de là, chaque époque de plus rend le réseau
#   *moins* bon sur des images qu'il n'a pas vues. C'est le sur-apprentissage.
#
# L'exactitude de validation, elle, ne baisse presque pas. Pourquoi la perte remonte-t-elle
# alors ? L'entropie croisée ne tient pas seulement compte de la justesse de la réponse, mais
# aussi de la **confiance** avec laquelle elle est donnée. En apprenant par cœur, le réseau devient de plus en
# plus sûr de lui, y compris quand il se trompe, et une erreur commise avec assurance coûte
# très cher. La perte détecte ce début de dérive avant l'exactitude.

# %% [markdown] lang="en"
# Read the curves from left to right:
#
# - the **training** loss keeps falling, almost to 0, and the training accuracy reaches
#   100 %: the network knows its 2,000 images;
# - the **validation** loss falls with it at first, reaches a minimum (dotted line), then
#   **turns up**: from there on, each extra epoch makes the network *worse* on images it
#   has not seen. That is over-fitting.
#
# The validation accuracy hardly drops, though. Why does the loss rise, then? Cross-entropy
# looks not only at whether the answer is right but at how **confident** it is. Learning by
# heart, the network grows more and more sure of itself, including when it is wrong, and a
# confident mistake costs a lot. The loss sees this drift before the accuracy does.

# %%
val_losses = overfit_history.history["val_loss"]
print(f"lowest validation loss {min(val_losses):.4f} at epoch {overfit_best}")
print(f"validation loss after {OVERFIT_EPOCHS} epochs: {val_losses[-1]:.4f}")
print(f"training loss after {OVERFIT_EPOCHS} epochs:   {overfit_history.history['loss'][-1]:.4f}")

# %% [markdown] lang="fr"
# Le bon réseau à garder est donc celui de l'époque marquée en pointillés, pas celui de la
# dernière époque. Mais on ne connaît cette époque qu'*après* coup, en regardant toute la
# courbe. Peut-on la trouver pendant l'entraînement, et s'arrêter peu après ?

# %% [markdown] lang="en"
# So the network to keep is the one of the epoch marked by the dotted line, not the last
# epoch's. But we only know that epoch *afterwards*, by looking at the whole curve. Can we
# find it during training, and stop soon after?

# %% [markdown] lang="fr"
# ## 3. L'arrêt précoce (*early stopping*)
#
# L'idée : après chaque époque, examiner une mesure de **validation**. Tant qu'elle
# s'améliore, on continue et on note les poids de la meilleure époque. Si elle ne s'est
# pas améliorée depuis `patience` époques, on arrête, et on **revient aux poids de la
# meilleure époque**.
#
# Pourquoi attendre `patience` époques au lieu de s'arrêter à la première remontée ? Parce
# que la courbe de validation est bruitée : elle remonte parfois d'une époque avant de
# redescendre. Une patience de 0 s'arrêterait trop tôt au premier accroc ; une patience de
# 50 n'arrêterait jamais rien.
#
# Keras fournit cela sous la forme d'un **callback** : un objet que `fit` appelle à la fin
# de chaque époque (`model.fit(..., callbacks=[...])`). Les arguments de
# [`keras.callbacks.EarlyStopping`](https://keras.io/api/callbacks/early_stopping/) :
#
# | argument | rôle | défaut |
# |---|---|---|
# | `monitor` | la mesure à surveiller, telle qu'elle apparaît dans `history.history` | `"val_loss"` |
# | `mode` | `"min"` si plus petit est meilleur (une perte), `"max"` si plus grand est meilleur (une exactitude) | `"auto"` (deviné d'après le nom) |
# | `patience` | nombre d'époques sans amélioration avant d'arrêter | `0` |
# | `restore_best_weights` | revenir aux poids de la meilleure époque à la fin | **`False`** |
# | `min_delta` | amélioration minimale qui compte comme une amélioration | `0` |
#
# Attention au piège : par défaut, `restore_best_weights=False`. Le réseau garde alors les
# poids de la **dernière** époque, `patience` époques *après* la meilleure, c'est-à-dire en
# plein sur-apprentissage.

# %% [markdown] lang="en"
# ## 3. Early stopping
#
# The idea: after every epoch, look at a **validation** measure. While it improves, go on
# and note the weights of the best epoch. If it has not improved for `patience` epochs,
# stop, and **go back to the weights of the best epoch**.
#
# Why wait `patience` epochs instead of stopping at the first rise? Because the validation
# curve is noisy: it sometimes goes up for one epoch and then down again. A patience of 0
# would stop too early at the first hiccup; a patience of 50 would never stop anything.
#
# Keras provides this as a **callback**: an object that `fit` calls at the end of every
# epoch (`model.fit(..., callbacks=[...])`). The arguments of
# [`keras.callbacks.EarlyStopping`](https://keras.io/api/callbacks/early_stopping/):
#
# | argument | role | default |
# |---|---|---|
# | `monitor` | the measure to watch, as it appears in `history.history` | `"val_loss"` |
# | `mode` | `"min"` if smaller is better (a loss), `"max"` if larger is better (an accuracy) | `"auto"` (guessed from the name) |
# | `patience` | number of epochs without improvement before stopping | `0` |
# | `restore_best_weights` | go back to the best epoch's weights at the end | **`False`** |
# | `min_delta` | smallest change that counts as an improvement | `0` |
#
# Mind the trap: by default `restore_best_weights=False`. The network then keeps the
# weights of the **last** epoch, `patience` epochs *after* the best one, right in the middle
# of over-fitting.

# %% [markdown] lang="fr"
# ### Question 1 — Le callback
#
# Complétez `make_early_stopping()` : elle renvoie un **nouveau**
# `keras.callbacks.EarlyStopping`. À vous de choisir ses arguments, d'après le tableau et
# les courbes de la partie 2, pour qu'il :
# - surveille une mesure qui voit venir le sur-apprentissage (laquelle ? et une plus
#   petite valeur est-elle meilleure, ou une plus grande ?) ;
# - ne s'arrête pas au premier soubresaut de la courbe, sans pour autant laisser le réseau
#   sur-apprendre pendant des dizaines d'époques : une patience de 2 à 10 époques (au-delà,
#   l'entraînement de la partie 5, limité à 30 époques, passerait l'essentiel de son temps à
#   sur-apprendre) ;
# - rende le réseau de la meilleure époque, pas celui de la dernière.
#
# Laissez les autres arguments à leur valeur par défaut. Le correcteur vérifie chacun de
# ces trois points, et la vérification qui suit la question aussi.

# %% [markdown] lang="en"
# ### Question 1 — The callback
#
# Complete `make_early_stopping()`: it returns a **new** `keras.callbacks.EarlyStopping`.
# Choose its arguments yourself, from the table and the curves of part 2, so that it:
# - watches a measure that sees over-fitting coming (which one? and is a smaller value
#   better, or a larger one?);
# - does not stop at the curve's first hiccup, without letting the network over-fit for
#   dozens of epochs either: a patience of 2 to 10 epochs (beyond that, the training of
#   part 5, limited to 30 epochs, would spend most of its time over-fitting);
# - hands back the network of the best epoch, not the last one.
#
# Leave the other arguments at their defaults. The grader checks each of these three
# points, and so does the check after the question.

# %% [raw]
# # BEGIN QUESTION
# name: q1_callback

# %% [raw]
# # BEGIN SOLUTION

# %%
def make_early_stopping():
    """A new keras.callbacks.EarlyStopping on a validation measure that restores the best weights."""
    # BEGIN SOLUTION
    return keras.callbacks.EarlyStopping(
        monitor="val_loss",
        mode="min",
        patience=3,
        restore_best_weights=True,
    )
    # END SOLUTION


early_stopping = make_early_stopping()
print(early_stopping)

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 0.5
""" # END TEST CONFIG
def test_callback_is_early_stopping(make_early_stopping):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import keras
    callback = make_early_stopping()
    assert callback is not None, "make_early_stopping() a renvoyé None : complétez-la (à la place des ...) pour qu'elle renvoie le callback" if fr else "make_early_stopping() returned None: complete it (replace the ...) so that it returns the callback"
    assert isinstance(callback, keras.callbacks.EarlyStopping), f"make_early_stopping() devrait renvoyer un keras.callbacks.EarlyStopping ; elle renvoie un {type(callback).__name__}" if fr else f"make_early_stopping() should return a keras.callbacks.EarlyStopping; found {type(callback).__name__}"

test_callback_is_early_stopping(make_early_stopping)

# %%
""" # BEGIN TEST CONFIG
points: 0
""" # END TEST CONFIG
def test_callback_settings(make_early_stopping):
    """The three points of the question: its measure, its patience, its weights (0 points: the hidden tests score them)."""
    # KIT_CHECK assert_early_stopping_settings
    assert_early_stopping_settings(make_early_stopping())

test_callback_settings(make_early_stopping)

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_callback_monitors_validation(make_early_stopping):
    from kit_checks import assert_early_stopping_settings
    assert_early_stopping_settings(make_early_stopping(), ["monitor"])

test_callback_monitors_validation(make_early_stopping)

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_callback_patience(make_early_stopping):
    from kit_checks import assert_early_stopping_settings
    assert_early_stopping_settings(make_early_stopping(), ["patience"])

test_callback_patience(make_early_stopping)

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_callback_restores_best_weights(make_early_stopping):
    from kit_checks import assert_early_stopping_settings
    assert_early_stopping_settings(make_early_stopping(), ["restore"])

test_callback_restores_best_weights(make_early_stopping)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ## 4. Une fonction d'entraînement qui s'arrête toute seule
#
# ### Question 2 — Entraîner avec arrêt précoce
#
# Complétez `train_with_early_stopping(model, x_train, y_train, x_val, y_val, max_epochs)`.
# Elle reçoit un modèle **déjà compilé** et l'entraîne avec `model.fit` :
# - sur `x_train`, `y_train`, par lots de `BATCH_SIZE` ;
# - en l'évaluant après chaque époque sur `x_val`, `y_val` (argument
#   `validation_data=(x_val, y_val)`) ;
# - pendant **au plus** `max_epochs` époques ;
# - avec le callback de `make_early_stopping()`.
#
# Elle renvoie ce que renvoie `fit` (l'objet `History`). Le modèle est entraîné « en
# place » : après l'appel, `model` a les poids de la meilleure époque.
#
# Les tests cachés appellent cette fonction avec leur propre modèle et leurs propres
# données : n'utilisez que ses arguments (et `BATCH_SIZE`, `make_early_stopping`), jamais
# `x_fit` ou `x_val` directement.

# %% [markdown] lang="en"
# ## 4. A training function that stops by itself
#
# ### Question 2 — Train with early stopping
#
# Complete `train_with_early_stopping(model, x_train, y_train, x_val, y_val, max_epochs)`.
# It receives an **already compiled** model and trains it with `model.fit`:
# - on `x_train`, `y_train`, in batches of `BATCH_SIZE`;
# - measuring it after every epoch on `x_val`, `y_val` (argument
#   `validation_data=(x_val, y_val)`);
# - for **at most** `max_epochs` epochs;
# - with the callback of `make_early_stopping()`.
#
# It returns what `fit` returns (the `History` object). The model is trained "in place":
# after the call, `model` has the weights of the best epoch.
#
# The hidden tests call this function with their own model and their own data: use only
# its arguments (and `BATCH_SIZE`, `make_early_stopping`), never `x_fit` or `x_val`
# directly.

# %% [raw]
# # BEGIN QUESTION
# name: q2_train_function

# %% [raw]
# # BEGIN SOLUTION

# %%
def train_with_early_stopping(model, x_train, y_train, x_val, y_val, max_epochs):
    """Train a compiled model in place, stopping early on the validation set.

    x_train, x_val: float32 arrays (n, 784); y_train, y_val: one-hot float32 arrays (n, 10).
    Runs at most max_epochs epochs; afterwards the model holds the best epoch's weights.
    Returns the keras.callbacks.History of the training.
    """
    # BEGIN SOLUTION
    return model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=max_epochs,
        batch_size=BATCH_SIZE,
        callbacks=[make_early_stopping()],
        verbose=2,  # one line per epoch
    )
    # END SOLUTION

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 0.5
""" # END TEST CONFIG
def test_training_function_runs(train_with_early_stopping, build_model, x_fit, y_fit_1h, x_val, y_val_1h):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    small = build_model()
    history = train_with_early_stopping(small, x_fit[:256], y_fit_1h[:256], x_val[:256], y_val_1h[:256], 3)
    assert history is not None, "train_with_early_stopping() a renvoyé None : complétez-la (à la place des ...) et renvoyez ce que renvoie model.fit" if fr else "train_with_early_stopping() returned None: complete it (replace the ...) and return what model.fit returns"
    assert hasattr(history, "history"), f"train_with_early_stopping() devrait renvoyer ce que renvoie model.fit (un History) ; elle renvoie un {type(history).__name__}" if fr else f"train_with_early_stopping() should return what model.fit returns (a History); found {type(history).__name__}"
    assert history.model is small, "train_with_early_stopping() devrait entraîner le modèle qu'elle reçoit (model.fit), pas un nouveau" if fr else "train_with_early_stopping() should train the model it receives (model.fit), not a new one"
    assert "val_loss" in history.history, "pas de val_loss dans l'historique : passez validation_data=(x_val, y_val) à fit" if fr else "no val_loss in the history: pass validation_data=(x_val, y_val) to fit"
    epochs = len(history.history["loss"])
    assert 1 <= epochs <= 3, f"avec max_epochs=3, l'entraînement devrait durer au plus 3 époques ; il en a duré {epochs} : passez epochs=max_epochs à fit" if fr else f"with max_epochs=3, training should run at most 3 epochs; it ran {epochs}: pass epochs=max_epochs to fit"

test_training_function_runs(train_with_early_stopping, build_model, x_fit, y_fit_1h, x_val, y_val_1h)

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_training_stops_early(train_with_early_stopping):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import keras
    import numpy as np
    from kit_checks import flat_inputs, load_students_test
    images, labels = load_students_test()  # digits the kernel has (the grader's half never enters it)
    x, y = flat_inputs(images[:1000]), np.eye(10, dtype="float32")[labels[:1000]]
    # 500 training images for a 784 -> 128 -> 10 net with a large step: the validation
    # loss is lowest around epoch 9, then rises.
    keras.utils.set_random_seed(7)
    net = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    net.compile(optimizer=keras.optimizers.Adam(3e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    history = train_with_early_stopping(net, x[:500], y[:500], x[500:], y[500:], 60)
    assert history is not None, "train_with_early_stopping() a renvoyé None : renvoyez ce que renvoie model.fit" if fr else "train_with_early_stopping() returned None: return what model.fit returns"
    ran = len(history.history["loss"])
    assert ran < 60, f"sur des données dont la perte de validation remonte après une dizaine d'époques, l'entraînement est allé jusqu'au bout des {ran} époques de max_epochs=60 : passez le callback de make_early_stopping() à fit (callbacks=[...]) et faites-lui surveiller une mesure de validation" if fr else f"on data whose validation loss turns up after about 10 epochs, training ran all {ran} epochs of max_epochs=60: pass the callback of make_early_stopping() to fit (callbacks=[...]) and make it watch a validation measure"

test_training_stops_early(train_with_early_stopping)

# %%
""" # BEGIN TEST CONFIG
points: 1.5
hidden: true
""" # END TEST CONFIG
def test_training_returns_best_epoch_weights(train_with_early_stopping, make_early_stopping):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import keras
    import numpy as np
    from kit_checks import flat_inputs, load_students_test
    images, labels = load_students_test()  # digits the kernel has (the grader's half never enters it)
    x, y = flat_inputs(images[:1000]), np.eye(10, dtype="float32")[labels[:1000]]
    keras.utils.set_random_seed(7)
    net = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    net.compile(optimizer=keras.optimizers.Adam(3e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    history = train_with_early_stopping(net, x[:500], y[:500], x[500:], y[500:], 60)
    assert history is not None and "val_loss" in history.history, "train_with_early_stopping() devrait renvoyer l'History d'un fit avec validation_data=(x_val, y_val)" if fr else "train_with_early_stopping() should return the History of a fit with validation_data=(x_val, y_val)"
    # The best epoch, by the rule of the student's own callback (its measure and min_delta).
    callback = make_early_stopping()
    monitor = getattr(callback, "monitor", "val_loss")
    monitor = monitor if monitor in ("val_loss", "val_accuracy") else "val_loss"
    sign = 1 if monitor == "val_accuracy" else -1
    delta = abs(getattr(callback, "min_delta", 0))
    values, best = history.history[monitor], 0
    for epoch, value in enumerate(values):
        if sign * (value - values[best]) > delta:
            best = epoch
    val_losses = np.asarray(history.history["val_loss"])
    loss = net.evaluate(x[500:], y[500:], verbose=0)[0]
    closest = int(np.argmin(np.abs(val_losses - loss)))
    same_as = np.isclose(loss, val_losses[closest], rtol=1e-4)
    assert np.isclose(loss, val_losses[best], rtol=1e-4, atol=1e-6), (
        f"après l'entraînement, la perte de validation du modèle vaut {loss:.4f}"
        + (f" (celle de l'époque {closest + 1})" if same_as else "")
        + f", mais sa meilleure époque était l'époque {best + 1} sur {len(values)} (perte de validation {val_losses[best]:.4f}) : "
        "le modèle devrait revenir aux poids de sa meilleure époque sur le jeu de validation "
        "(un callback qui surveille une mesure de validation avec restore_best_weights=True, et validation_data=(x_val, y_val))"
    ) if fr else (
        f"after training, the model's validation loss is {loss:.4f}"
        + (f" (that of epoch {closest + 1})" if np.isclose(loss, val_losses[closest], rtol=1e-4) else "")
        + f", but its best epoch was epoch {best + 1} of {len(values)} (validation loss {val_losses[best]:.4f}): "
        "the model should come back with the weights of its best epoch on the validation set "
        "(a callback that watches a validation measure with restore_best_weights=True, and validation_data=(x_val, y_val))"
    )

test_training_returns_best_epoch_weights(train_with_early_stopping, make_early_stopping)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ### Comparer : les mêmes 2 000 images, avec arrêt précoce
#
# Reprenons l'expérience de la partie 2, avec la même graine : même réseau de départ, mêmes
# lots dans le même ordre. Seule différence : `train_with_early_stopping`, avec au plus
# `OVERFIT_EPOCHS` époques.

# %% [markdown] lang="en"
# ### Compare: the same 2,000 images, with early stopping
#
# Let us redo the experiment of part 2 with the same seed: the same starting network, the
# same batches in the same order. The only difference: `train_with_early_stopping`, with at
# most `OVERFIT_EPOCHS` epochs.

# %%
keras.utils.set_random_seed(SEED)
stopped_net = build_model()
stopped_history = train_with_early_stopping(
    stopped_net, x_fit[:SMALL], y_fit_1h[:SMALL], x_val, y_val_1h, OVERFIT_EPOCHS
)
stopped_best = int(np.argmin(stopped_history.history["val_loss"])) + 1
plot_history(stopped_history, f"{SMALL} training images, early stopping", best_epoch=stopped_best)

# %%
ran = len(stopped_history.history["loss"])
overfit_val_loss, overfit_val_accuracy = overfit_net.evaluate(x_val, y_val_1h, verbose=0)
stopped_val_loss, stopped_val_accuracy = stopped_net.evaluate(x_val, y_val_1h, verbose=0)
print(f"early stopping ran {ran} epochs of {OVERFIT_EPOCHS}; lowest validation loss at epoch {stopped_best}")
print(f"(in part 2, the lowest validation loss came at epoch {overfit_best})")
print(f"after {OVERFIT_EPOCHS} epochs:      validation loss {overfit_val_loss:.4f}, accuracy {overfit_val_accuracy:.2%}")
print(f"with early stopping: validation loss {stopped_val_loss:.4f}, accuracy {stopped_val_accuracy:.2%}")

# %% [markdown] lang="fr"
# Ce qu'il faut regarder :
#
# - **le calcul** : l'arrêt précoce a demandé bien moins d'époques ;
# - **la perte de validation** : le réseau obtenu est nettement meilleur que celui des 40
#   époques, car il n'a pas eu le temps de devenir sûr de lui à tort ;
# - **l'époque gardée** : comparez-la au minimum de la partie 2. Si les deux diffèrent, c'est
#   qu'un accroc de la courbe (quelques époques sans progrès) a duré autant que la patience :
#   l'entraînement s'est arrêté sur un minimum local. Plus de patience rapproche du vrai
#   minimum, au prix de plus d'époques ;
# - **l'exactitude de validation** : elle peut être un peu plus basse qu'après 40 époques.
#   Sur 2 000 images, l'exactitude continue de grappiller quelques images pendant que la perte
#   se dégrade : les deux mesures ne désignent pas toujours la même meilleure époque. C'est
#   pourquoi on peut surveiller l'une ou l'autre.
#
# Voyons maintenant ce qu'il en est avec toutes les images.

# %% [markdown] lang="en"
# What to look at:
#
# - **computation**: early stopping ran far fewer epochs;
# - **validation loss**: the network it handed back is clearly better than the 40-epoch one,
#   because it did not have time to grow wrongly confident;
# - **the epoch it kept**: compare it with part 2's minimum. If they differ, a bump in the
#   curve (a few epochs without progress) lasted as long as the patience: training stopped at
#   a local minimum. More patience gets closer to the true minimum, at the cost of more
#   epochs;
# - **validation accuracy**: it may be a little lower than after 40 epochs. With 2,000
#   images the accuracy keeps gaining a few images while the loss gets worse: the two measures
#   do not always point at the same best epoch. That is why you may watch either one.
#
# Now let us see what happens with all the images.

# %% [markdown] lang="fr"
# ## 5. L'entraînement complet
#
# ### Question 3 — Entraîner le réseau final
#
# Construisez un nouveau réseau avec `build_model()`, rangez-le dans `model`, et
# entraînez-le avec `train_with_early_stopping` sur les 54 000 images d'entraînement
# (`x_fit`, `y_fit_1h`), validé sur `x_val`, `y_val_1h`, pendant au plus `MAX_EPOCHS`
# époques. Gardez ce que renvoie la fonction dans `history`.
#
# Le correcteur recalcule l'exactitude de **votre** `model` sur des chiffres de test qu'il
# apporte lui-même : il faut au moins {{threshold tp2_early_stopping test_accuracy}}. Il
# vérifie aussi que la validation ne s'est pas faite sur le jeu de test.

# %% [markdown] lang="en"
# ## 5. The full training
#
# ### Question 3 — Train the final network
#
# Build a new network with `build_model()`, keep it in `model`, and train it with
# `train_with_early_stopping` on the 54,000 training images (`x_fit`, `y_fit_1h`),
# validated on `x_val`, `y_val_1h`, for at most `MAX_EPOCHS` epochs. Keep what the function
# returns in `history`.
#
# The grader recomputes the accuracy of **your** `model` on test digits it brings itself:
# it must reach at least {{threshold tp2_early_stopping test_accuracy}}. It also checks that
# validation was not done on the test set.

# %%
MAX_EPOCHS = 30
# Start the final training from the seed again, whatever ran above.
keras.utils.set_random_seed(SEED)

# %% [raw]
# # BEGIN QUESTION
# name: q3_full_training

# %% [raw]
# # BEGIN SOLUTION

# %%
# Build model with build_model(), train it with train_with_early_stopping; keep its History in history.
# BEGIN SOLUTION
model = build_model()
history = train_with_early_stopping(model, x_fit, y_fit_1h, x_val, y_val_1h, MAX_EPOCHS)
# END SOLUTION

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_final_model_is_trained(model, history, x_test, y_test, MAX_EPOCHS, make_early_stopping):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    assert history is not None, "history vaut None : complétez la cellule (construisez model avec build_model(), entraînez-le avec train_with_early_stopping(...) et gardez ce qu'elle renvoie dans history)" if fr else "history is None: complete the cell (build model with build_model(), train it with train_with_early_stopping(...) and keep what it returns in history)"
    assert model is not None, "model vaut None : construisez-le avec build_model() et entraînez-le avec train_with_early_stopping(...)" if fr else "model is None: build it with build_model() and train it with train_with_early_stopping(...)"
    assert "val_loss" in history.history, "history n'a pas de val_loss : entraînez avec train_with_early_stopping, qui valide sur x_val, y_val_1h" if fr else "history has no val_loss: train with train_with_early_stopping, which validates on x_val, y_val_1h"
    monitor = make_early_stopping().monitor
    assert monitor.startswith("val_"), f"l'arrêt précoce devrait surveiller une mesure de validation ; il surveille « {monitor} », et l'époque où il s'arrête ne dit rien du sur-apprentissage" if fr else f'early stopping should watch a validation measure; it watches "{monitor}", and the epoch where it stops says nothing about over-fitting'
    epochs = len(history.history["loss"])
    assert epochs < MAX_EPOCHS, f"l'entraînement est allé jusqu'au bout des {epochs} époques de MAX_EPOCHS : l'arrêt précoce aurait dû l'interrompre (le callback est-il passé à fit ?)" if fr else f"training ran all {epochs} epochs of MAX_EPOCHS: early stopping should have stopped it (is the callback passed to fit?)"
    predicted = np.asarray(model.predict(x_test[:1000], verbose=0)).argmax(axis=1)
    accuracy = np.mean(predicted == y_test[:1000])
    assert accuracy > 0.9, f"un modèle entraîné reconnaît bien plus de 90 % des 1 000 premiers chiffres de test ; le vôtre en reconnaît {100 * accuracy:.1f} %".replace(".", ",") if fr else f"a trained model gets well over 90 % of the first 1000 test digits right; yours gets {accuracy:.1%}"

test_final_model_is_trained(model, history, x_test, y_test, MAX_EPOCHS, make_early_stopping)

# %%
""" # BEGIN TEST CONFIG
points: 0
""" # END TEST CONFIG
def test_accuracy_on_your_test_digits(model, x_test, y_test):
    """The hidden pass mark, measured on your own 5,000 test digits (0 points: the hidden test scores it)."""
    # KIT_CHECK assert_accuracy_on_your_test_digits
    assert_accuracy_on_your_test_digits(model, x_test, y_test, {{public_bar_value tp2_early_stopping test_accuracy}}, {{public_margin}})

test_accuracy_on_your_test_digits(model, x_test, y_test)

# %%
""" # BEGIN TEST CONFIG
points: 2
hidden: true
""" # END TEST CONFIG
def test_heldout_accuracy(model, preprocess):
    from kit_checks import assert_heldout_accuracy
    assert_heldout_accuracy(model, "tp2_early_stopping", preprocess=preprocess)

test_heldout_accuracy(model, preprocess)

# %%
""" # BEGIN TEST CONFIG
points: {{integrity penalty_points}}
hidden: true
""" # END TEST CONFIG
def test_not_trained_on_test_digits(model, preprocess):
    from kit_checks import check_test_set_use
    check_test_set_use(model, preprocess)

test_not_trained_on_test_digits(model, preprocess)

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_validation_is_not_the_test_set(model, history):
    from kit_checks import assert_validation_is_not_test
    assert_validation_is_not_test(model, history, {"fr": "validez sur x_val, y_val_1h (pris parmi les images d'entraînement), jamais sur le jeu de test", "en": "validate on x_val, y_val_1h (taken from the training images), never on the test set"})

test_validation_is_not_the_test_set(model, history)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ### Les courbes de l'entraînement complet

# %% [markdown] lang="en"
# ### The learning curves of the full training

# %%
best_epoch = int(np.argmin(history.history["val_loss"])) + 1
plot_history(history, f"{len(x_fit)} training images, early stopping", best_epoch=best_epoch)
print(f"ran {len(history.history['loss'])} epochs of at most {MAX_EPOCHS}; lowest validation loss at epoch {best_epoch}")

# %% [markdown] lang="fr"
# Avec 27 fois plus d'images, le sur-apprentissage arrive plus tard et plus doucement, mais
# il arrive : la perte de validation atteint son minimum en quelques époques, puis remonte
# pendant que la perte d'entraînement continue de baisser. L'arrêt précoce a choisi le
# nombre d'époques à votre place, en ne regardant que le jeu de validation.

# %% [markdown] lang="en"
# With 27 times more images, over-fitting comes later and more gently, but it comes: the
# validation loss reaches its minimum within a few epochs, then rises while the training
# loss keeps falling. Early stopping chose the number of epochs for you, looking only at the
# validation set.

# %% [markdown] lang="fr"
# ### Évaluation sur le jeu de test — une seule fois
#
# Le jeu de validation a servi à **décider** (quand s'arrêter, quels poids garder) : le
# réseau final a été choisi parce qu'il y obtenait de bons résultats, et son score de validation est
# donc un peu optimiste. Le jeu de test, jamais utilisé jusqu'ici, donne la mesure honnête.

# %% [markdown] lang="en"
# ### Evaluation on the test set — once
#
# The validation set was used to **decide** (when to stop, which weights to keep): the final
# network was chosen because it did well there, so its validation score is a little
# optimistic. The test set, never used so far, gives the honest measure.

# %%
val_loss, val_accuracy = model.evaluate(x_val, y_val_1h, verbose=0)
test_loss, test_accuracy = model.evaluate(x_test, y_test_1h, verbose=0)
print(f"validation: loss {val_loss:.4f}, accuracy {val_accuracy:.2%}")
print(f"test:       loss {test_loss:.4f}, accuracy {test_accuracy:.2%}")

# %% [markdown] lang="fr"
# Comparez avec le TP1, où le taux d'apprentissage décroissait sur 10 époques fixées d'avance.
# L'arrêt précoce sur `val_loss` garde le réseau dont les **probabilités** sont les plus
# fiables ; l'exactitude, elle, peut encore gagner un peu au-delà, comme on l'a vu sur les
# 2 000 images. Les deux idées se combinent : on peut baisser le taux d'apprentissage quand la
# validation stagne (`keras.callbacks.ReduceLROnPlateau`) et arrêter un peu plus tard.

# %% [markdown] lang="en"
# Compare with TP1, where the learning rate decayed over 10 epochs fixed in advance. Early
# stopping on `val_loss` keeps the network whose **probabilities** are the most trustworthy;
# the accuracy may still gain a little beyond that point, as we saw on the 2,000 images. The
# two ideas combine: one can lower the learning rate when validation stalls
# (`keras.callbacks.ReduceLROnPlateau`) and stop a little later.

# %% [markdown] lang="fr"
# **À retenir.**
# - Le sur-apprentissage se voit quand la perte d'entraînement continue de baisser alors que
#   la perte de validation remonte. Avec peu de données il arrive vite ; avec beaucoup, plus
#   tard, mais il arrive.
# - L'arrêt précoce surveille une mesure de **validation**, tolère quelques époques sans
#   progrès (`patience`) et doit **revenir aux meilleurs poids** (`restore_best_weights=True`),
#   sans quoi on garde le réseau obtenu `patience` époques trop tard.
# - Le jeu de validation sert à décider ; le jeu de test sert à mesurer, une seule fois, à la fin.
#
# Au TP3, un réseau convolutif fera mieux avec bien moins de paramètres : vous pourrez lui
# appliquer le même arrêt précoce.

# %% [markdown] lang="en"
# **Take-away.**
# - Over-fitting shows when the training loss keeps falling while the validation loss turns
#   up. With little data it comes fast; with a lot, later, but it comes.
# - Early stopping watches a **validation** measure, tolerates a few epochs without progress
#   (`patience`) and must **go back to the best weights** (`restore_best_weights=True`), or
#   you keep the network of `patience` epochs too late.
# - Validation to decide, test to measure, once, at the end.
#
# In TP3 a convolutional network will do better with far fewer parameters: you can give it
# the same early stopping.

# %% [markdown] lang="fr"
# ## Rendre votre travail
#
# 1. Exécutez tout le notebook depuis le début (*Kernel → Restart & Run All*) et vérifiez
#    qu'il va jusqu'au bout sans erreur : c'est ce que fera le correcteur.
# 2. Enregistrez le notebook (*File → Save*).
# 3. Exécutez la cellule ci-dessous : elle relance les vérifications publiques, crée
#    à côté du notebook le fichier `tp2_early_stopping_<date>.zip` à déposer et affiche
#    son chemin complet (un lien permet aussi de le télécharger).

# %% [markdown] lang="en"
# ## Handing in your work
#
# 1. Run the whole notebook from the top (*Kernel → Restart & Run All*) and check that it
#    runs to the end without errors: the grader will do exactly that.
# 2. Save the notebook (*File → Save*).
# 3. Run the cell below: it re-runs the public checks and writes, next to the notebook,
#    the file `tp2_early_stopping_<date>.zip` to hand in, and prints its full path (a link
#    also lets you download it).

# %%
QUESTIONS = ['q1_callback', 'q2_train_function', 'q3_full_training']
# INCLUDE common/hand_in.py
