# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [raw]
# # ASSIGNMENT CONFIG
# name: tp1_dense
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
# # TP1 — Un réseau de neurones dense pour reconnaître des chiffres manuscrits
#
# Dans ce TP, vous allez entraîner un réseau de neurones à reconnaître les chiffres
# manuscrits de la base **MNIST**, puis le mettre à l'épreuve sur des chiffres écrits par d'autres
# personnes, hors de MNIST.
#
# Au programme :
# 1. le neurone artificiel et ses fonctions d'activation ;
# 2. les données MNIST : les observer, les mettre en forme pour le réseau ;
# 3. un réseau dense 784 → 784 → 10 et son nombre de paramètres ;
# 4. l'entraînement, les courbes d'apprentissage, l'évaluation sur le jeu de test ;
# 5. la matrice de confusion ;
# 6. des chiffres qui ne viennent pas de MNIST : l'importance du prétraitement.
#
# **Comment ce TP est noté.** Les cellules `...` sont à compléter. Après chaque question,
# la cellule `grader.check(...)` lance des vérifications rapides, qui vous indiquent ce qui
# était attendu et ce qui a été obtenu. À la correction, le notebook est exécuté **en entier,
# de haut en bas** ; des tests cachés appellent alors vos fonctions avec leurs propres données
# et recalculent l'exactitude de votre modèle sur 5 000 chiffres de test que votre notebook ne
# charge pas (la moitié du jeu de test de MNIST que garde le correcteur, voir la partie 2). Ils
# comparent aussi votre modèle sur vos chiffres de test et sur ceux du correcteur : un modèle
# entraîné sur le jeu de test est signalé à l'enseignant. Gardez
# donc un notebook qui s'exécute du début à la fin sans erreur, et un entraînement de moins
# d'une minute.

# %% [markdown] lang="en"
# # TP1 — A dense neural network that reads handwritten digits
#
# In this lab you will train a neural network to recognise the handwritten digits of the
# **MNIST** database, then try it on digits written by other people, outside MNIST.
#
# The plan:
# 1. the artificial neuron and its activation functions;
# 2. the MNIST data: look at it, shape it for a network;
# 3. a dense 784 → 784 → 10 network, and how many parameters it has;
# 4. training, learning curves, evaluation on the test set;
# 5. the confusion matrix;
# 6. digits that do not come from MNIST: why preprocessing matters.
#
# **How this lab is graded.** Fill in the cells that contain `...`. After each question,
# the `grader.check(...)` cell runs quick checks that tell you what was expected and what
# was found. For grading, the notebook is run **whole, top to bottom**; hidden tests then
# call your functions with their own data and recompute your model's accuracy on 5,000 test
# digits your notebook does not load (the half of MNIST's test set that the grader keeps, see
# part 2). They also compare your model on your test digits and on the grader's: a model
# trained on the test set is flagged to your teacher. So keep a notebook that runs from start to end without errors, and a
# training that takes less than a minute.

# %%
# Initialize Otter (the kit's cell: it finds this notebook even when renamed)
# INCLUDE common/init_otter.py


NOTEBOOK = find_this_notebook("tp1_dense.ipynb", "tp1_dense")
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
# ## 1. Le neurone artificiel
#
# Un neurone artificiel reçoit des entrées $x_1, \dots, x_n$, les pondère par des **poids**
# $w_1, \dots, w_n$, ajoute un **biais** $b$ et passe le résultat dans une **fonction
# d'activation** $f$ :
#
# $$y = f\left(\sum_{i=1}^{n} w_i x_i + b\right) = f(\mathbf{w} \cdot \mathbf{x} + b)$$
#
# Sans fonction d'activation (ou avec une fonction linéaire), empiler des couches ne
# servirait à rien : une composée de fonctions linéaires reste linéaire. C'est la
# non-linéarité de $f$ qui donne leur puissance aux réseaux. Traçons les plus courantes.

# %% [markdown] lang="en"
# ## 1. The artificial neuron
#
# An artificial neuron takes inputs $x_1, \dots, x_n$, weighs them with **weights**
# $w_1, \dots, w_n$, adds a **bias** $b$ and passes the result through an **activation
# function** $f$:
#
# $$y = f\left(\sum_{i=1}^{n} w_i x_i + b\right) = f(\mathbf{w} \cdot \mathbf{x} + b)$$
#
# Without an activation function (or with a linear one), stacking layers would be
# pointless: a composition of linear functions is still linear. The non-linearity of $f$
# is what gives networks their power. Let us plot the most common ones.

# %%
z = np.linspace(-5, 5, 201)
activations = {
    tr("échelon (Heaviside)", "step (Heaviside)"): (z > 0).astype(float),
    tr("sigmoïde", "sigmoid"): 1 / (1 + np.exp(-z)),
    "tanh": np.tanh(z),
    "ReLU": np.maximum(0, z),
}
fig, axes = plt.subplots(1, len(activations), figsize=(14, 3), sharex=True)
for ax, (name, values) in zip(axes, activations.items()):
    ax.plot(z, values)
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_title(name)
    ax.set_xlabel("z = w·x + b")
axes[0].set_ylabel("f(z)")
plt.tight_layout()
plt.show()

# %% [markdown] lang="fr"
# La **ReLU** ($\max(0, z)$) est l'activation par défaut des couches cachées : elle est peu
# coûteuse à calculer et son gradient ne s'annule pas pour $z > 0$. Pour la couche de sortie d'un
# classifieur à 10 classes, on utilise la **softmax**, qui transforme 10 scores $z_k$ en
# 10 probabilités positives dont la somme vaut 1 :
# $\mathrm{softmax}(\mathbf{z})_k = e^{z_k} / \sum_j e^{z_j}$.

# %% [markdown] lang="en"
# **ReLU** ($\max(0, z)$) is the default activation of hidden layers: cheap to compute, and
# its gradient does not vanish for $z > 0$. For the output layer of a 10-class classifier
# we use **softmax**, which turns 10 scores $z_k$ into 10 positive probabilities that sum
# to 1: $\mathrm{softmax}(\mathbf{z})_k = e^{z_k} / \sum_j e^{z_j}$.

# %%
scores = np.array([2.0, 1.0, 0.1, -1.0, 3.0, 0.0, 0.5, -2.0, 1.5, 0.2])
probabilities = np.exp(scores) / np.exp(scores).sum()
plt.figure(figsize=(8, 2.5))
plt.bar(range(10), probabilities)
plt.xticks(range(10))
plt.xlabel(tr("classe", "class"))
plt.ylabel("softmax")
plt.title(tr(f"softmax de 10 scores (somme = {probabilities.sum():.3f})", f"softmax of 10 scores (sum = {probabilities.sum():.3f})"))
plt.show()

# %% [markdown] lang="fr"
# ## 2. Les données MNIST
#
# MNIST contient 70 000 chiffres manuscrits en niveaux de gris, de 28 × 28 pixels, écrits
# par des employés du recensement américain et des lycéens : 60 000 pour l'entraînement,
# 10 000 pour le test (écrits par d'autres personnes). Ces 10 000 chiffres de test sont coupés
# une fois pour toutes en deux moitiés tirées au hasard : `load_mnist` vous en donne 5 000
# (`x_test`), le correcteur garde les 5 000 autres pour évaluer votre modèle. Chaque pixel va de 0 (fond noir)
# à 255 (encre blanche). Chaque chiffre a été placé de sorte que son centre de masse soit au centre de l'image.
#
# La fonction ci-dessous charge MNIST avec Keras (qui le télécharge la première fois). Si un
# fichier `mnist.npz` se trouve à côté du notebook (c'est le cas pendant la correction, qui
# se fait sans Internet), elle le lit à la place.

# %% [markdown] lang="en"
# ## 2. The MNIST data
#
# MNIST holds 70,000 greyscale handwritten digits of 28 × 28 pixels, written by US Census
# Bureau employees and high-school students: 60,000 for training, 10,000 for testing
# (written by other people). Those 10,000 test digits are split once and for all into two
# random halves: `load_mnist` gives you 5,000 (`x_test`), the grader keeps the other 5,000 to
# measure your model. Each pixel goes from 0 (black background) to 255 (white ink).
# Each digit was centred by its centre of mass in the image.
#
# The function below loads MNIST with Keras (downloaded the first time). If a file
# `mnist.npz` sits next to the notebook (it does during grading, which runs offline), it
# reads that file instead.

# %%
# INCLUDE common/load_mnist.py


(x_train_raw, y_train), (x_test_raw, y_test) = load_mnist()
print("training images:", x_train_raw.shape, x_train_raw.dtype)
print("training labels:", y_train.shape, y_train.dtype)
print("test images:    ", x_test_raw.shape, x_test_raw.dtype)
print("pixel values from", x_train_raw.min(), "to", x_train_raw.max())

# %%
plt.imshow(x_train_raw[0], cmap="gray")
plt.title(tr(f"x_train_raw[0], étiquette {y_train[0]}", f"x_train_raw[0], label {y_train[0]}"))
plt.colorbar()
plt.show()

# %%
fig, axes = plt.subplots(3, 8, figsize=(10, 4))
for ax, image, label in zip(axes.flat, x_train_raw, y_train):
    ax.imshow(image, cmap="gray")
    ax.set_title(label)
    ax.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown] lang="fr"
# Rangeons maintenant les chiffres par classe : une ligne par chiffre, de 0 à 9. Observez
# la variété des écritures au sein d'une même classe, et le nombre d'exemples par classe.

# %% [markdown] lang="en"
# Now let us sort digits by class: one row per digit, 0 to 9. Note how varied the
# handwriting is within a class, and how many examples each class has.

# %%
fig, axes = plt.subplots(10, 12, figsize=(9, 8))
for digit in range(10):
    examples = x_train_raw[y_train == digit][:12]
    for ax, image in zip(axes[digit], examples):
        ax.imshow(image, cmap="gray")
        ax.axis("off")
    axes[digit, 0].set_title(str(digit), loc="left", fontsize=9)
plt.tight_layout()
plt.show()
print("examples per class:", np.bincount(y_train))

# %% [markdown] lang="fr"
# ### Question 1 — Aplatir et normaliser
#
# Un réseau **dense** prend en entrée un vecteur, pas une image : chaque image 28 × 28
# devient un vecteur de 28 × 28 = 784 valeurs. Par ailleurs, les réseaux apprennent bien mieux
# sur des entrées de petite amplitude : on ramène les pixels de [0, 255] à [0, 1].
#
# Complétez `preprocess(images)` : elle reçoit un tableau `uint8` de forme `(n, 28, 28)`
# et renvoie un tableau `float32` de forme `(n, 784)` à valeurs dans [0, 1]. Elle ne doit
# pas modifier son argument. (Indices : `reshape`, `astype`.)

# %% [markdown] lang="en"
# ### Question 1 — Flatten and normalise
#
# A **dense** network takes a vector as input, not an image: each 28 × 28 image becomes a
# vector of 28 × 28 = 784 values. Networks also learn much better when inputs are small:
# we bring pixels from [0, 255] down to [0, 1].
#
# Complete `preprocess(images)`: it receives a `uint8` array of shape `(n, 28, 28)` and
# returns a `float32` array of shape `(n, 784)` with values in [0, 1]. It must not modify
# its argument. (Hints: `reshape`, `astype`.)

# %% [raw]
# # BEGIN QUESTION
# name: q1_preprocess

# %% [raw]
# # BEGIN SOLUTION

# %%
def preprocess(images):
    """Flatten and scale MNIST images.

    images: uint8 array of shape (n, 28, 28), values 0..255.
    Returns a float32 array of shape (n, 784), values in [0, 1].
    """
    # BEGIN SOLUTION
    return images.reshape(len(images), 28 * 28).astype("float32") / 255.0
    # END SOLUTION


x_train = preprocess(x_train_raw)
x_test = preprocess(x_test_raw)
print(x_train.shape, x_train.dtype, x_train.min(), x_train.max())

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_training_inputs(x_train, x_test):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    assert x_train is not None, "x_train vaut None : complétez preprocess() (à la place des ...) puis relancez sa cellule" if fr else "x_train is None: complete preprocess() (replace the ...) and run its cell again"
    assert isinstance(x_train, np.ndarray), f"x_train devrait être un tableau NumPy ; c'est un {type(x_train).__name__}" if fr else f"x_train should be a NumPy array, found {type(x_train).__name__}"
    assert x_train.shape == (60000, 784), f"x_train devrait être de forme (60000, 784) : une ligne de 784 pixels par image ; il est de forme {x_train.shape}" if fr else f"x_train should have shape (60000, 784): one row of 784 pixels per image; found {x_train.shape}"
    assert x_test.shape == (5000, 784), f"x_test devrait être de forme (5000, 784) : vos 5 000 chiffres de test ; il est de forme {x_test.shape}" if fr else f"x_test should have shape (5000, 784): your 5,000 test digits; found {x_test.shape}"
    assert x_train.dtype == np.float32, f"x_train devrait être en float32 (le type de calcul de Keras) ; il est en {x_train.dtype}" if fr else f"x_train should be float32 (what Keras computes in); found {x_train.dtype}"
    assert x_train.min() >= 0 and x_train.max() <= 1, f"les pixels devraient être ramenés dans [0, 1] ; leurs valeurs vont de {x_train.min()} à {x_train.max()}" if fr else f"pixels should be scaled to [0, 1]; found values from {x_train.min()} to {x_train.max()}"
    assert x_train.max() == 1, f"le pixel le plus clair (255) devrait devenir 1.0 ; la plus grande valeur est {x_train.max()}" if fr else f"the brightest pixel (255) should become 1.0; the largest value is {x_train.max()}"

test_training_inputs(x_train, x_test)

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_preprocess_on_new_images(preprocess):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    images = np.random.default_rng(2024).integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    before = images.copy()
    result = np.asarray(preprocess(images))
    assert result.shape == (7, 784), f"preprocess appliquée à 7 images devrait renvoyer un tableau de forme (7, 784) ; sa forme est {result.shape}" if fr else f"preprocess on 7 images should return shape (7, 784); found {result.shape}"
    assert np.allclose(result, images.reshape(7, 784) / 255.0, atol=1e-6), "preprocess devrait garder l'ordre des pixels (ligne par ligne) et diviser par 255" if fr else "preprocess should keep the pixel order (row by row) and divide by 255"
    assert np.array_equal(images, before), "preprocess ne doit pas modifier le tableau qu'elle reçoit" if fr else "preprocess should not modify the array it receives"

test_preprocess_on_new_images(preprocess)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ### Question 2 — Étiquettes en « one-hot »
#
# La couche de sortie aura 10 neurones, un par chiffre. Pour la comparer à la bonne
# réponse, on écrit l'étiquette sous la forme d'un vecteur de 10 valeurs, toutes nulles sauf un 1
# à la position du chiffre : 3 → `[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]`.
#
# Complétez `one_hot(labels)` : entiers de forme `(n,)` → tableau `float32` de forme
# `(n, 10)`. (Keras fournit une fonction pour cela : `keras.utils.to_categorical`.)
#
# Documentation : [`keras.utils.to_categorical`](https://keras.io/api/utils/python_utils/#tocategorical-function).

# %% [markdown] lang="en"
# ### Question 2 — One-hot labels
#
# The output layer will have 10 neurons, one per digit. To compare it with the right
# answer, we write the label as a vector of 10 values, all zero but a 1 at the digit's
# position: 3 → `[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]`.
#
# Complete `one_hot(labels)`: integers of shape `(n,)` → `float32` array of shape
# `(n, 10)`. (Keras has a function for this: `keras.utils.to_categorical`.)
#
# Documentation: [`keras.utils.to_categorical`](https://keras.io/api/utils/python_utils/#tocategorical-function).

# %% [raw]
# # BEGIN QUESTION
# name: q2_one_hot

# %% [raw]
# # BEGIN SOLUTION

# %%
def one_hot(labels):
    """Integer labels of shape (n,) -> float32 one-hot array of shape (n, 10)."""
    # BEGIN SOLUTION
    return keras.utils.to_categorical(labels, num_classes=10).astype("float32")
    # END SOLUTION


y_train_1h = one_hot(y_train)
y_test_1h = one_hot(y_test)
print(y_train[:3], "->")
print(y_train_1h[:3])

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 0.5
""" # END TEST CONFIG
def test_one_hot_labels(y_train_1h, y_train):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    assert y_train_1h is not None, "y_train_1h vaut None : complétez one_hot() (à la place des ...) puis relancez sa cellule" if fr else "y_train_1h is None: complete one_hot() (replace the ...) and run its cell again"
    y = np.asarray(y_train_1h)
    assert y.shape == (60000, 10), f"y_train_1h devrait être de forme (60000, 10) : une ligne de 10 valeurs par étiquette ; il est de forme {y.shape}" if fr else f"y_train_1h should have shape (60000, 10): one row of 10 values per label; found {y.shape}"
    assert np.all(y.sum(axis=1) == 1) and set(np.unique(y)) <= {0, 1}, "chaque ligne devrait contenir un seul 1 et neuf 0" if fr else "each row should hold a single 1 and nine 0s"
    assert np.array_equal(y.argmax(axis=1), y_train), "le 1 de chaque ligne devrait être à la position de l'étiquette" if fr else "the 1 of each row should sit at the position of the label"

test_one_hot_labels(y_train_1h, y_train)

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_one_hot_on_new_labels(one_hot):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    labels = np.array([9, 0, 4, 4, 7])
    y = np.asarray(one_hot(labels))
    expected = np.zeros((5, 10))
    expected[np.arange(5), labels] = 1
    assert y.shape == (5, 10), f"one_hot de 5 étiquettes devrait être de forme (5, 10), même s'il manque des chiffres ; sa forme est {y.shape}" if fr else f"one_hot of 5 labels should have shape (5, 10) even when some digits are missing; found {y.shape}"
    assert np.array_equal(y, expected), "one_hot devrait placer le 1 à la position de chaque étiquette" if fr else "one_hot should put the 1 at the position of each label"

test_one_hot_on_new_labels(one_hot)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ## 3. Le réseau dense
#
# Notre réseau a deux couches **denses** (chaque neurone est relié à toutes les sorties de
# la couche précédente) :
# - une couche cachée de 784 neurones, activation ReLU ;
# - une couche de sortie de 10 neurones, activation softmax.
#
# ### Question 3 — Compter les paramètres
#
# Dans une couche dense, chaque neurone est relié à chacune des entrées de la couche, et
# chaque liaison a son propre poids ; chaque neurone a en plus un biais. Combien de
# paramètres compte une couche de $m$ neurones qui reçoit $n$ entrées ? Dessinez-en une
# petite (3 entrées, 2 neurones), comptez, puis généralisez.
#
# Complétez `dense_params(n_inputs, n_units)` pour qu'elle renvoie ce nombre. Notre réseau
# doit en avoir **623 290** en tout ; le correcteur essaie aussi votre fonction sur
# d'autres tailles de couches.

# %% [markdown] lang="en"
# ## 3. The dense network
#
# Our network has two **dense** layers (each neuron is connected to every output of the
# previous layer):
# - a hidden layer of 784 neurons, ReLU activation;
# - an output layer of 10 neurons, softmax activation.
#
# ### Question 3 — Count the parameters
#
# In a dense layer each neuron is connected to every input of the layer, and each
# connection has its own weight; each neuron also has a bias. How many parameters does a
# layer of $m$ neurons fed $n$ inputs have? Draw a small one (3 inputs, 2 neurons), count,
# then generalise.
#
# Complete `dense_params(n_inputs, n_units)` so that it returns that number. Our network
# must have **623,290** in all; the grader also tries your function on other layer sizes.

# %% [raw]
# # BEGIN QUESTION
# name: q3_parameters

# %% [raw]
# # BEGIN SOLUTION

# %%
def dense_params(n_inputs, n_units):
    """Number of trainable parameters of a Dense(n_units) layer fed n_inputs values."""
    # BEGIN SOLUTION
    return n_inputs * n_units + n_units
    # END SOLUTION


print("hidden layer:", dense_params(784, 784))
print("output layer:", dense_params(784, 10))
print("total:       ", dense_params(784, 784) + dense_params(784, 10))

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 0.5
""" # END TEST CONFIG
def test_params_of_our_network(dense_params):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    assert dense_params(784, 10) is not None, "dense_params() a renvoyé None : complétez-la (à la place des ...)" if fr else "dense_params() returned None: complete it (replace the ...)"
    total = dense_params(784, 784) + dense_params(784, 10)
    assert total == 623290, f"784 → 784 → 10 devrait avoir 623 290 paramètres ; votre formule en donne {total:,}".replace(",", " ") if fr else f"784 → 784 → 10 should have 623,290 parameters; your formula gives {total:,}"

test_params_of_our_network(dense_params)

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_params_other_sizes(dense_params):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    for n_inputs, n_units in [(3, 2), (100, 1), (1, 100), (64, 32)]:
        expected = n_inputs * n_units + n_units
        got = dense_params(n_inputs, n_units)
        assert got == expected, f"dense_params({n_inputs}, {n_units}) devrait valoir {expected} ; elle vaut {got}" if fr else f"dense_params({n_inputs}, {n_units}) should be {expected}; found {got}"

test_params_other_sizes(dense_params)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ### Le taux d'apprentissage
#
# Après chaque lot d'images, l'optimiseur Adam corrige les poids d'une quantité
# proportionnelle au **taux d'apprentissage** (*learning rate*). Nous le faisons décroître
# de 0,001 à 0 en suivant un cosinus au fil de l'entraînement : de fortes corrections au
# début pour progresser vite, de toutes petites à la fin pour se poser au fond d'un
# minimum. Ce réglage a été choisi, comme tout réglage, sur le **jeu de validation** :
# après 10 époques, la perte de validation finit à 0,058 et 0,057 (graines 0 et 1), contre
# 0,076 et 0,071 avec un taux constant de 0,001. Vérifiez-le vous-même en remplaçant
# `make_optimizer()` par `keras.optimizers.Adam(1e-3)` et en comparant les courbes de
# validation.

# %% [markdown] lang="en"
# ### The learning rate
#
# The Adam optimiser adjusts the weights after each batch of images, by a step
# proportional to the **learning rate**. We make it decrease from 0.001 to 0 along a
# cosine over the training: large steps at first to progress fast, small steps at the
# end to settle at the bottom of a minimum. This setting was chosen, as every setting
# should be, on the **validation set**: after 10 epochs the validation loss ends at 0.058
# and 0.057 (seeds 0 and 1), against 0.076 and 0.071 with a constant rate of 0.001. Check
# it yourself by replacing `make_optimizer()` with `keras.optimizers.Adam(1e-3)` and
# comparing the validation curves.

# %%
import math

EPOCHS = 10
BATCH_SIZE = 128
VALIDATION_SPLIT = 0.1  # the last 10 % of the training images
STEPS = EPOCHS * math.ceil(len(x_train_raw) * (1 - VALIDATION_SPLIT) / BATCH_SIZE)
LEARNING_RATE = 1e-3  # at the first step


# INCLUDE common/make_optimizer.py


schedule = keras.optimizers.schedules.CosineDecay(LEARNING_RATE, decay_steps=STEPS)
steps = np.arange(0, STEPS, 20)
plt.figure(figsize=(6, 2.5))
plt.plot(steps, [float(schedule(step)) for step in steps])
plt.xlabel(tr("itération (un lot d'images)", "training step (batch)"))
plt.ylabel(tr("taux d'apprentissage", "learning rate"))
plt.show()

# %% [markdown] lang="fr"
# ### La perte : l'entropie croisée
#
# Pour apprendre, le réseau a besoin d'un nombre qui dise à quel point il se trompe : la
# **perte** (*loss*). Pour une image dont le vrai chiffre est $c$, la sortie softmax donne
# 10 probabilités $p_0, \dots, p_9$ ; l'**entropie croisée** ne tient compte que de celle que le
# réseau a attribuée à la bonne classe :
#
# $$L = -\sum_{k=0}^{9} y_k \log p_k = -\log p_c$$
#
# où $y$ est l'étiquette en one-hot (un seul $y_k$ vaut 1 : celui de la bonne classe).
# La perte affichée pendant l'entraînement est la moyenne de $L$ sur les images.
# Si le réseau attribue 0,9 à la bonne classe, la perte est faible ; s'il ne lui attribue que
# 0,01, elle est forte : se tromper **avec assurance** coûte très cher. Un réseau qui
# répond au hasard (0,1 pour chaque chiffre) a une perte de $-\log 0{,}1 \approx 2{,}3$ :
# c'est à peu près la perte du réseau avant l'entraînement ; comparez-la aux pertes de vos
# courbes.

# %% [markdown] lang="en"
# ### The loss: cross-entropy
#
# To learn, the network needs a number that says how wrong it is: the **loss**. For an
# image whose true digit is $c$, the softmax output gives 10 probabilities
# $p_0, \dots, p_9$; the **cross-entropy** looks only at the one the network gave to the
# right class:
#
# $$L = -\sum_{k=0}^{9} y_k \log p_k = -\log p_c$$
#
# where $y$ is the one-hot label (a single $y_k$ is 1: that of the right class). The loss
# shown during training is the mean of $L$ over the images. If the network gives 0.9 to
# the right class, the loss is small; if it gives it only 0.01, the loss is large: being
# wrong **with confidence** costs a lot. A network that answers at random (0.1 for each
# digit) has a loss of $-\log 0.1 \approx 2.3$: roughly the network's loss before
# training; compare it with the losses on your curves.

# %%
for p in (0.9, 0.5, 0.1, 0.01):
    print(f"p = {p:<4}  ->  -log p = {-np.log(p):.2f}")

p = np.linspace(0.005, 1, 200)
plt.figure(figsize=(5, 3))
plt.plot(p, -np.log(p))
plt.xlabel(tr("probabilité p donnée à la bonne classe", "probability p given to the right class"))
plt.ylabel("-log p")
plt.show()

# %% [markdown] lang="fr"
# Reprenons les 10 probabilités de la softmax de la partie 1, comme si un réseau les avait
# données pour une image. Calculez de tête la perte si l'image est un 4, puis si c'est un 7,
# avant de lire la réponse.

# %% [markdown] lang="en"
# Take the 10 probabilities of the softmax of part 1 again, as if a network had given them
# for one image. Work out the loss in your head if the image is a 4, then if it is a 7,
# before reading the answer.

# %%
for true_digit in (4, 7):
    one_hot_label = np.eye(10)[true_digit]
    image_loss = -np.sum(one_hot_label * np.log(probabilities))
    print(f"{tr('vrai chiffre', 'true digit')} {true_digit}: p = {probabilities[true_digit]:.3f}, -log p = {image_loss:.2f}")

# %% [markdown] lang="fr"
# ### Question 4 — Construire le modèle
#
# Complétez `build_model()` : elle renvoie un **nouveau** modèle Keras `Sequential`
# 784 → 784 (ReLU) → 10 (softmax), compilé avec l'optimiseur de `make_optimizer()`, la
# perte `categorical_crossentropy` (adaptée aux étiquettes one-hot) et la métrique
# `accuracy`.
# Commencez par `keras.Input(shape=(784,))`.
#
# Documentation : [`keras.Sequential`](https://keras.io/api/models/sequential/),
# [`keras.layers.Dense`](https://keras.io/api/layers/core_layers/dense/),
# [`compile`](https://keras.io/api/models/model_training_apis/#compile-method),
# [l'entropie croisée](https://keras.io/api/losses/probabilistic_losses/#categoricalcrossentropy-class),
# [Adam](https://keras.io/api/optimizers/adam/) et sa [décroissance en cosinus](https://keras.io/api/optimizers/learning_rate_schedules/cosine_decay/).

# %% [markdown] lang="en"
# ### Question 4 — Build the model
#
# Complete `build_model()`: it returns a **new** Keras `Sequential` model 784 → 784 (ReLU)
# → 10 (softmax), compiled with the optimiser of `make_optimizer()`, the
# `categorical_crossentropy` loss (made for one-hot labels) and the `accuracy` metric.
# Start with `keras.Input(shape=(784,))`.
#
# Documentation: [`keras.Sequential`](https://keras.io/api/models/sequential/),
# [`keras.layers.Dense`](https://keras.io/api/layers/core_layers/dense/),
# [`compile`](https://keras.io/api/models/model_training_apis/#compile-method),
# [cross-entropy](https://keras.io/api/losses/probabilistic_losses/#categoricalcrossentropy-class),
# [Adam](https://keras.io/api/optimizers/adam/) and its [cosine decay](https://keras.io/api/optimizers/learning_rate_schedules/cosine_decay/).

# %% [raw]
# # BEGIN QUESTION
# name: q4_model

# %% [raw]
# # BEGIN SOLUTION

# %%
def build_model():
    """A new compiled Sequential model: 784 inputs -> Dense(784, relu) -> Dense(10, softmax)."""
    # BEGIN SOLUTION
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(784, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer=make_optimizer(), loss="categorical_crossentropy", metrics=["accuracy"])
    return model
    # END SOLUTION


model = build_model()
model.summary()

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_model_shapes(build_model):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import keras
    m = build_model()
    assert m is not None, "build_model() a renvoyé None : complétez-la (à la place des ...) pour qu'elle renvoie le modèle" if fr else "build_model() returned None: complete it (replace the ...) so that it returns the model"
    assert isinstance(m, keras.Model), f"build_model() devrait renvoyer un modèle Keras ; elle renvoie un {type(m).__name__}" if fr else f"build_model() should return a Keras model; found {type(m).__name__}"
    assert tuple(m.input_shape) == (None, 784), f"le modèle devrait prendre des vecteurs de 784 pixels, forme d'entrée (None, 784) ; elle est {m.input_shape}" if fr else f"the model should take vectors of 784 pixels, input shape (None, 784); found {m.input_shape}"
    assert tuple(m.output_shape) == (None, 10), f"le modèle devrait sortir 10 valeurs par image, forme de sortie (None, 10) ; elle est {m.output_shape}" if fr else f"the model should output 10 values per image, output shape (None, 10); found {m.output_shape}"
    assert m.count_params() == 623290, f"784 → 784 → 10 a 623 290 paramètres ; votre modèle en a {m.count_params():,}".replace(",", " ") if fr else f"784 → 784 → 10 has 623,290 parameters; your model has {m.count_params():,}"

test_model_shapes(build_model)

# %%
""" # BEGIN TEST CONFIG
points: 0
""" # END TEST CONFIG
def test_softmax_and_cross_entropy(build_model):
    """A softmax output and the categorical cross-entropy loss (0 points: the hidden test scores them)."""
    # KIT_CHECK assert_softmax_and_cross_entropy
    assert_softmax_and_cross_entropy(build_model())

test_softmax_and_cross_entropy(build_model)

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_model_layers_and_loss(build_model):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import keras
    from kit_checks import assert_softmax_and_cross_entropy, dense_activations
    m1, m2 = build_model(), build_model()
    assert m1 is not m2, "build_model() devrait construire un nouveau modèle à chaque appel" if fr else "build_model() should build a new model at each call"
    dense = [layer for layer in m1.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [784, 10], f"il faut deux couches Dense de 784 et 10 neurones ; le modèle en a {[layer.units for layer in dense]}" if fr else f"expected two Dense layers of 784 and 10 units; found {[layer.units for layer in dense]}"
    hidden = dense_activations(m1)[0]  # its activation argument, or a ReLU / Activation layer after it
    assert hidden == "relu", f"la couche cachée devrait avoir l'activation relu (son argument activation, ou une couche ReLU juste après elle) ; son activation est « {hidden} »" if fr else f'the hidden layer should have the relu activation (its activation argument, or a ReLU layer right after it); its activation is "{hidden}"'
    assert_softmax_and_cross_entropy(m1)

test_model_layers_and_loss(build_model)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ## 4. L'entraînement
#
# On entraîne le réseau par descente de gradient (Adam) sur des lots (*batches*) de 128
# images. Une **époque** est un passage sur toutes les images d'entraînement.
#
# Pour savoir si le réseau **généralise** (s'il reconnaît des chiffres qu'il n'a pas vus),
# on met de côté une partie des images d'entraînement : le **jeu de validation**. Le réseau
# ne s'entraîne pas dessus ; on l'évalue dessus à chaque époque. Le **jeu de test**, lui,
# ne sert qu'une fois, à la toute fin : si on s'en servait pour choisir le nombre d'époques
# ou les réglages, on retiendrait ce qui marche sur *ce* jeu-là, et le score de test ne
# mesurerait plus la généralisation.
#
# ### Question 5 — Entraîner
#
# Entraînez `model` sur `x_train`, `y_train_1h` pendant `EPOCHS` époques, par lots de
# `BATCH_SIZE`, en gardant 10 % des images d'entraînement pour la validation
# (`validation_split=VALIDATION_SPLIT`). Gardez le résultat de `fit` dans `history`.
# Documentation : [`fit`](https://keras.io/api/models/model_training_apis/#fit-method).
#
# Le correcteur recalcule l'exactitude de **votre** `model` sur des chiffres de test qu'il
# apporte lui-même : il faut au moins {{threshold tp1_dense test_accuracy}}.

# %% [markdown] lang="en"
# ## 4. Training
#
# We train the network by gradient descent (Adam) on batches of 128 images. An **epoch** is
# one pass over all the training images.
#
# To know whether the network **generalises** (whether it recognises digits it has not
# seen), we set aside part of the training images: the **validation set**. The network does
# not train on it; we measure it there after each epoch. The **test set** is used only once,
# at the very end: if we used it to choose the number of epochs or the settings, we would
# pick what works on *that* set, and the test score would no longer measure generalisation.
#
# ### Question 5 — Train
#
# Train `model` on `x_train`, `y_train_1h` for `EPOCHS` epochs, in batches of `BATCH_SIZE`,
# keeping 10 % of the training images for validation
# (`validation_split=VALIDATION_SPLIT`). Keep what `fit`
# returns in `history`. Documentation: [`fit`](https://keras.io/api/models/model_training_apis/#fit-method).
#
# The grader recomputes the accuracy of **your** `model` on test digits it brings itself:
# it must reach at least {{threshold tp1_dense test_accuracy}}.

# %% [raw]
# # BEGIN QUESTION
# name: q5_training

# %% [raw]
# # BEGIN SOLUTION

# %%
# Train model with EPOCHS, BATCH_SIZE and VALIDATION_SPLIT; keep what fit returns in history.
# BEGIN SOLUTION
history = model.fit(
    x_train,
    y_train_1h,
    epochs=EPOCHS,
    batch_size=BATCH_SIZE,
    validation_split=VALIDATION_SPLIT,
    verbose=2,  # one line per epoch
)
# END SOLUTION

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_model_is_trained(model, history, x_test, y_test):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    assert history is not None, "history vaut None : complétez l'appel model.fit(...) et gardez ce qu'il renvoie dans history" if fr else "history is None: complete the model.fit(...) call and keep what it returns in history"
    assert "val_loss" in history.history, "history n'a pas de val_loss : entraînez avec validation_split=VALIDATION_SPLIT pour que Keras mesure un jeu de validation" if fr else "history has no val_loss: train with validation_split=VALIDATION_SPLIT so that Keras measures a validation set"
    predicted = np.asarray(model.predict(x_test[:1000], verbose=0)).argmax(axis=1)
    accuracy = np.mean(predicted == y_test[:1000])
    assert accuracy > 0.9, f"un modèle entraîné reconnaît bien plus de 90 % des 1 000 premiers chiffres de test ; le vôtre en reconnaît {100 * accuracy:.1f} %".replace(".", ",") if fr else f"a trained model gets well over 90 % of the first 1000 test digits right; yours gets {accuracy:.1%}"

test_model_is_trained(model, history, x_test, y_test)

# %%
""" # BEGIN TEST CONFIG
points: 0
""" # END TEST CONFIG
def test_accuracy_on_your_test_digits(model, x_test, y_test):
    """The hidden pass mark, measured on your own 5,000 test digits (0 points: the hidden test scores it)."""
    # KIT_CHECK assert_accuracy_on_your_test_digits
    assert_accuracy_on_your_test_digits(model, x_test, y_test, {{public_bar_value tp1_dense test_accuracy}}, {{public_margin}})

test_accuracy_on_your_test_digits(model, x_test, y_test)

# %%
""" # BEGIN TEST CONFIG
points: 0
""" # END TEST CONFIG
def test_validation_is_not_your_test_set(model, history, x_test, y_test):
    """Validation on x_test, seen in the history (0 points: the hidden test scores it)."""
    # KIT_CHECK assert_validation_is_not_your_test_digits
    assert_validation_is_not_your_test_digits(history, model.predict(x_test, verbose=0), y_test, {"fr": "validez sur une partie du jeu d'entraînement (validation_split), jamais sur le jeu de test", "en": "validate on part of the training set (validation_split), never on the test set"})

test_validation_is_not_your_test_set(model, history, x_test, y_test)

# %%
""" # BEGIN TEST CONFIG
points: 3
hidden: true
""" # END TEST CONFIG
def test_heldout_accuracy(model, preprocess):
    from kit_checks import assert_heldout_accuracy
    assert_heldout_accuracy(model, "tp1_dense", preprocess=preprocess)

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
def test_validation_is_not_the_test_set(model, history, BATCH_SIZE, VALIDATION_SPLIT):
    from kit_checks import assert_validation_is_not_test
    assert_validation_is_not_test(model, history, {"fr": "validez sur une partie du jeu d'entraînement seul (validation_split sur x_train), jamais sur des chiffres de test, même ajoutés à x_train", "en": "validate on part of the training set alone (validation_split on x_train), never on test digits, even appended to x_train"}, BATCH_SIZE, VALIDATION_SPLIT)

test_validation_is_not_the_test_set(model, history, BATCH_SIZE, VALIDATION_SPLIT)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ### Courbes d'apprentissage
#
# La perte d'entraînement baisse à chaque époque. La perte de validation baisse d'abord,
# puis stagne ou remonte : le réseau commence à apprendre par cœur les images
# d'entraînement (**sur-apprentissage**). Le TP2 montre comment s'arrêter au bon moment.

# %% [markdown] lang="en"
# ### Learning curves
#
# The training loss falls at every epoch. The validation loss falls at first, then
# levels off or rises: the network starts to learn the training images by heart
# (**over-fitting**). TP2 shows how to stop at the right time.

# %%
def plot_history(history):
    """Loss and accuracy per epoch, training vs validation."""
    epochs = np.arange(1, len(history.history["loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4))
    for ax, metric in [(ax_loss, "loss"), (ax_acc, "accuracy")]:
        ax.plot(epochs, history.history[metric], "o-", label=tr("entraînement", "training"))
        ax.plot(epochs, history.history[f"val_{metric}"], "o-", label="validation")
        ax.set_xlabel(tr("époque", "epoch"))
        ax.set_ylabel(tr({"loss": "perte", "accuracy": "exactitude"}[metric], metric))
        ax.legend()
    plt.tight_layout()
    plt.show()


plot_history(history)

# %% [markdown] lang="fr"
# ### Évaluation sur le jeu de test — une seule fois

# %% [markdown] lang="en"
# ### Evaluation on the test set — once

# %%
test_loss, test_accuracy = model.evaluate(x_test, y_test_1h, verbose=0)
print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.2%}")

# %% [markdown] lang="fr"
# ## 5. La matrice de confusion
#
# L'exactitude globale ne dit rien de la nature des erreurs. La **matrice de confusion** les détaille : la
# case (ligne $i$, colonne $j$) compte les images du chiffre $i$ que le réseau a prises
# pour un $j$. La diagonale compte les bonnes réponses.
#
# ### Question 6 — Calculer la matrice
#
# Complétez `confusion(model, inputs, labels)` : elle renvoie un tableau d'entiers
# `(10, 10)`, **lignes = vrai chiffre, colonnes = chiffre prédit**. Le chiffre prédit est
# la sortie de plus grande probabilité (`argmax`). `sklearn.metrics.confusion_matrix`
# peut vous aider : attention à l'ordre de ses arguments.
#
# Documentation : [`confusion_matrix`](https://scikit-learn.org/stable/modules/generated/sklearn.metrics.confusion_matrix.html),
# [`ConfusionMatrixDisplay`](https://scikit-learn.org/stable/modules/generated/sklearn.metrics.ConfusionMatrixDisplay.html).

# %% [markdown] lang="en"
# ## 5. The confusion matrix
#
# Overall accuracy hides the mistakes. The **confusion matrix** spells them out: cell
# (row $i$, column $j$) counts the images of digit $i$ that the network took for a $j$.
# The diagonal counts the right answers.
#
# ### Question 6 — Compute the matrix
#
# Complete `confusion(model, inputs, labels)`: it returns a `(10, 10)` array of integers,
# **rows = true digit, columns = predicted digit**. The predicted digit is the output with
# the highest probability (`argmax`). `sklearn.metrics.confusion_matrix` can help: mind the
# order of its arguments.
#
# Documentation: [`confusion_matrix`](https://scikit-learn.org/stable/modules/generated/sklearn.metrics.confusion_matrix.html),
# [`ConfusionMatrixDisplay`](https://scikit-learn.org/stable/modules/generated/sklearn.metrics.ConfusionMatrixDisplay.html).

# %% [raw]
# # BEGIN QUESTION
# name: q6_confusion

# %% [raw]
# # BEGIN SOLUTION

# %%
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix


def confusion(model, inputs, labels):
    """Confusion matrix of model on preprocessed inputs (n, 784) with integer labels (n,).

    Returns an int array of shape (10, 10): rows = true digit, columns = predicted digit.
    """
    # BEGIN SOLUTION
    predicted = np.asarray(model.predict(inputs, verbose=0)).argmax(axis=1)
    return confusion_matrix(labels, predicted, labels=range(10))
    # END SOLUTION


test_confusion = confusion(model, x_test, y_test)
print(test_confusion)

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_confusion_counts(confusion, model, x_test, y_test):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    assert x_test is not None, "x_test vaut None : complétez d'abord preprocess() à la question 1" if fr else "x_test is None: complete preprocess() in question 1 first"
    matrix = confusion(model, x_test[:500], y_test[:500])
    assert matrix is not None, "confusion() a renvoyé None : complétez-la (à la place des ...)" if fr else "confusion() returned None: complete it (replace the ...)"
    matrix = np.asarray(matrix)
    assert matrix.shape == (10, 10), f"la matrice devrait être de taille 10 × 10 ; elle est de forme {matrix.shape}" if fr else f"the matrix should be 10 × 10; found {matrix.shape}"
    assert matrix.sum() == 500, f"la matrice de 500 images devrait compter 500 réponses en tout ; elle en compte {matrix.sum()}" if fr else f"the matrix of 500 images should count 500 answers in all; found {matrix.sum()}"
    assert np.array_equal(matrix.sum(axis=1), np.bincount(y_test[:500], minlength=10)), "la ligne i devrait compter les images dont le vrai chiffre est i (lignes = vrai chiffre)" if fr else "row i should hold the images whose true digit is i (rows = true digit)"

test_confusion_counts(confusion, model, x_test, y_test)

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_confusion_matches_model(confusion, model):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    from kit_checks import flat_inputs, load_students_test, predicted_labels
    images, labels = load_students_test()  # digits the kernel has (the grader's half never enters it)
    inputs = flat_inputs(images[-2000:])
    predicted = predicted_labels(model, inputs)
    expected = np.zeros((10, 10), dtype=int)
    np.add.at(expected, (labels[-2000:], predicted), 1)
    assert np.array_equal(np.asarray(confusion(model, inputs, labels[-2000:])), expected), "la matrice ne correspond pas aux prédictions du modèle (lignes = vrai chiffre, colonnes = chiffre prédit)" if fr else "the matrix does not match the model's predictions (rows = true digit, columns = predicted digit)"

test_confusion_matches_model(confusion, model)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# Affichons-la.

# %% [markdown] lang="en"
# Let us display it.

# %%
display = ConfusionMatrixDisplay(test_confusion, display_labels=range(10))
display.plot(cmap="Blues", colorbar=False)
display.ax_.set_xlabel(tr("chiffre prédit", "predicted digit"))
display.ax_.set_ylabel(tr("vrai chiffre", "true digit"))
display.ax_.set_title(tr(f"jeu de test MNIST, exactitude {100 * test_accuracy:.2f} %".replace(".", ","), f"MNIST test set, accuracy {test_accuracy:.2%}"))
plt.show()

# %% [raw]
# # BEGIN QUESTION
# name: q7_confusions
# manual: true
# points: 1

# %% [markdown] lang="fr"
# ### Question 7 — Les confusions (réponse écrite)
#
# Quels chiffres le réseau confond-il le plus souvent ? Citez les deux ou trois cases hors
# de la diagonale les plus chargées (vrai chiffre → chiffre prédit, combien de fois), puis
# dites si ces confusions vous semblent naturelles en regardant la forme des chiffres.
# Répondez en quelques phrases dans la cellule qui suit ; votre enseignant lit et note cette
# réponse (les tests automatiques ne la notent pas).

# %% [markdown] lang="en"
# ### Question 7 — The confusions (written answer)
#
# Which digits does the network confuse most often? Quote the two or three fullest cells off
# the diagonal (true digit → predicted digit, how many times), then say whether these
# confusions seem natural when you look at the shapes of the digits. Answer in a few
# sentences in the next cell; your teacher reads and marks this answer (the automatic tests
# do not).

# %% [raw]
# # BEGIN SOLUTION

# %% [markdown] lang="fr"
# *Réponse type* (les nombres changent d'un entraînement à l'autre). Les cases les plus
# chargées hors de la diagonale sont de l'ordre de 5 à 10 erreurs sur 5 000 : typiquement un 4
# pris pour un 9, un 7 pris pour un 2 ou un 9, un 5 pris pour un 3, un 8 pris pour un 3 ou un 5.
# Ce sont des confusions naturelles : ces chiffres ne diffèrent que par un petit trait (le haut
# ouvert ou fermé d'un 4, la barre d'un 7, la boucle d'un 8), et le réseau dense, qui reçoit les
# 784 pixels sans savoir lesquels sont voisins, est sensible à l'épaisseur et à la position
# du trait plus qu'à la forme d'ensemble.

# %% [markdown] lang="en"
# *Model answer* (the numbers change from one training to the next). The fullest cells off
# the diagonal hold some 5 to 10 mistakes out of 5,000: typically a 4 taken for a 9, a 7 taken
# for a 2 or a 9, a 5 taken for a 3, an 8 taken for a 3 or a 5. These confusions are natural:
# these digits differ by a small stroke only (the open or closed top of a 4, the bar of a 7,
# the loop of an 8), and the dense network, which receives the 784 pixels without knowing
# which are neighbours, is sensitive to the thickness and position of the stroke more than
# to the overall shape.

# %% [raw]
# # END SOLUTION

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ## 6. Des chiffres qui ne viennent pas de MNIST
#
# Un réseau qui obtient 98 % sur le test MNIST reconnaît-il *n'importe quel* chiffre manuscrit ?
# Essayons-le sur les 1 797 chiffres de [`sklearn.datasets.load_digits`](https://scikit-learn.org/stable/modules/generated/sklearn.datasets.load_digits.html), écrits par
# d'autres personnes et numérisés autrement : des images de 8 × 8 pixels, dont les valeurs vont de 0
# à 16.

# %% [markdown] lang="en"
# ## 6. Digits that do not come from MNIST
#
# Does a network that gets 98 % of the MNIST test set right recognise *any* handwritten
# digit? Let us try it on the 1,797 digits of [`sklearn.datasets.load_digits`](https://scikit-learn.org/stable/modules/generated/sklearn.datasets.load_digits.html), written by
# other people and digitised differently: 8 × 8-pixel images with values from 0 to 16.

# %%
from sklearn.datasets import load_digits

digits = load_digits()
print(digits.images.shape, digits.images.dtype, digits.images.min(), digits.images.max())
fig, axes = plt.subplots(1, 10, figsize=(10, 1.5))
for ax, image, label in zip(axes, digits.images, digits.target):
    ax.imshow(image, cmap="gray")
    ax.set_title(label)
    ax.axis("off")
plt.show()

# %% [markdown] lang="fr"
# ### Première tentative : agrandir l'image
#
# Le plus simple : agrandir chaque image 8 × 8 en 28 × 28 et la ramener dans [0, 1].

# %% [markdown] lang="en"
# ### First attempt: enlarge the image
#
# The simplest idea: enlarge each 8 × 8 image to 28 × 28 and bring it into [0, 1].

# %%
from scipy import ndimage


def naive_28x28(image8):
    """8x8 image, values 0..16 -> 28x28 float image in [0, 1], stretched to fill the frame."""
    big = ndimage.zoom(image8.astype("float32"), 28 / 8, order=1)
    return np.clip(big / 16.0, 0, 1)


def accuracy_on_digits(images):
    """Fraction of load_digits that model gets right, given as (n, 28, 28) float images in [0, 1]."""
    predicted = model.predict(images.reshape(len(images), 784), verbose=0).argmax(axis=1)
    return np.mean(predicted == digits.target)


naive = np.stack([naive_28x28(image) for image in digits.images])
naive_accuracy = accuracy_on_digits(naive)
print(f"accuracy on load_digits, naive enlargement: {naive_accuracy:.1%}")

# %% [markdown] lang="fr"
# ### Faire comme MNIST
#
# Les chiffres de MNIST n'occupent pas toute l'image : chacun a été réduit pour tenir dans
# une boîte de 20 × 20 pixels (en gardant ses proportions), puis placé dans l'image
# 28 × 28 de sorte que son **centre de masse** tombe au centre. Un réseau dense n'a aucune
# idée de ce qu'est un « voisin » : un chiffre décalé, plus gros ou plus gras est pour lui
# une tout autre entrée. Reproduisons la fabrication de MNIST.

# %% [markdown] lang="en"
# ### Do as MNIST did
#
# MNIST digits do not fill their image: each one was shrunk to fit a 20 × 20-pixel box
# (keeping its aspect ratio), then placed in the 28 × 28 image so that its **centre of
# mass** falls at the centre. A dense network has no notion of a "neighbour": a digit that
# is shifted, bigger or bolder is an entirely different input to it. Let us redo how MNIST
# was made.

# %%
# INCLUDE common/mnist_like.py


careful = np.stack([mnist_like(image, ink_max=16) for image in digits.images])
careful_accuracy = accuracy_on_digits(careful)
print(f"accuracy on load_digits, MNIST-like preprocessing: {careful_accuracy:.1%}")

# %% [markdown] lang="fr"
# ### L'épaisseur du trait
#
# Agrandir une image 8 × 8 jusqu'à 20 pixels multiplie aussi l'épaisseur du trait par
# 2,5 : nos chiffres sont plus gras que ceux de MNIST. Amincissons le trait par une
# **érosion** en niveaux de gris : chaque pixel prend la plus petite valeur de son
# voisinage 2 × 2. Avant de lancer la cellule, pariez : l'exactitude va-t-elle monter ou
# baisser ?

# %% [markdown] lang="en"
# ### Stroke width
#
# Enlarging an 8 × 8 image to 20 pixels also makes the stroke 2.5 times thicker: our
# digits are bolder than MNIST's. Let us thin the stroke with a greyscale **erosion**:
# each pixel takes the smallest value of its 2 × 2 neighbourhood. Before running the cell,
# make a bet: will the accuracy go up or down?

# %%
thinner = np.stack([ndimage.grey_erosion(image, size=(2, 2)) for image in careful])
thinner_accuracy = accuracy_on_digits(thinner)
print(f"accuracy on load_digits, MNIST-like with a thinner stroke: {thinner_accuracy:.1%}")

# %%
versions = {"8×8": digits.images, tr("naïf", "naive"): naive, tr("façon MNIST", "MNIST-like"): careful, tr("plus fin", "thinner"): thinner}
fig, axes = plt.subplots(len(versions), 8, figsize=(10, 5.5))
for row, (name, images) in enumerate(versions.items()):
    for column in range(8):
        axes[row, column].imshow(images[column], cmap="gray")
        axes[row, column].axis("off")
    axes[row, 0].text(-0.3, 0.5, name, transform=axes[row, 0].transAxes, ha="right", va="center")
for column in range(8):
    axes[0, column].set_title(digits.target[column])
plt.tight_layout()
plt.show()

# %% [markdown] lang="fr"
# ### Et si l'encre était noire sur fond blanc ?
#
# Sur la photo d'un chiffre écrit au feutre sur du papier, l'encre est *sombre* sur fond *clair* :
# c'est l'inverse de MNIST. Sans inversion des couleurs, le réseau voit un tout autre dessin.

# %% [markdown] lang="en"
# ### What if the ink were black on white?
#
# A photo of a digit written in marker on paper has *dark* ink on a *light* background:
# the opposite of MNIST. Without inverting the colours, the network sees an entirely
# different picture.

# %%
inverted = 1.0 - thinner
inverted_accuracy = accuracy_on_digits(inverted)
print(f"naive enlargement:                 {naive_accuracy:.1%}")
print(f"MNIST-like:                        {careful_accuracy:.1%}")
print(f"MNIST-like, thinner stroke:        {thinner_accuracy:.1%}")
print(f"MNIST-like, thinner, but inverted: {inverted_accuracy:.1%}")

# %% [markdown] lang="fr"
# **À retenir.** Un réseau ne reconnaît bien que des entrées qui ressemblent à ses données
# d'entraînement : même échelle de valeurs, même polarité (encre claire sur fond sombre),
# même taille et même centrage du chiffre. Le prétraitement fait partie du modèle. C'est
# ce que vous ferez au TP robot : découper la face d'un cube photographiée par le robot et
# la transformer en image « façon MNIST » avant de la donner au réseau.
#
# Les réseaux convolutifs du TP3 tolèrent mieux les petits décalages : vous comparerez.

# %% [markdown] lang="en"
# **Take-away.** A network recognises well only inputs that look like its training data:
# the same value range, the same polarity (light ink on a dark background), the same size
# and centring of the digit. Preprocessing is part of the model. You will do exactly this
# in the robot lab: cut out the face of a cube photographed by the robot and turn it into
# an "MNIST-like" image before giving it to the network.
#
# The convolutional networks of TP3 cope better with small shifts: you will compare.

# %% [markdown] lang="fr"
# ## 7. Votre propre chiffre
#
# Écrivez un chiffre au feutre sur une feuille blanche, photographiez-le ou scannez-le,
# et soumettez la photo au réseau. La cellule qui suit affiche un bouton pour choisir la
# photo (sur Colab, une fenêtre de choix de fichier) ; s'il n'y a pas de bouton, déposez
# la photo à côté du notebook sous le nom `my_digit.png`. Sans photo, les cellules
# utilisent un chiffre de synthèse.
#
# Une photo n'est pas une image de `load_digits` : le papier n'est pas uniformément
# éclairé et l'encre est sombre. Avant `mnist_like`, trois étapes de plus :
# 1. **le papier** : une *fermeture* morphologique (un maximum puis un minimum sur une
#    fenêtre plus large que les traits) efface l'encre et ne laisse que la lumière du papier ;
# 2. **l'encre** : on divise la photo par cette lumière, et on inverse : l'encre devient
#    claire sur fond noir, comme dans MNIST, quel que soit l'éclairage ;
# 3. **les traits** : on garde ce qui est nettement plus sombre que le papier, on ignore
#    les petites taches, et on épaissit un trait de stylo fin jusqu'à l'épaisseur des
#    traits de MNIST (environ un dixième de la hauteur du chiffre).
#
# Le réseau lit-il votre chiffre ? Essayez un chiffre penché, très gras, écrit au crayon
# à papier, ou tout petit dans un coin de la feuille : lesquels le trompent, et pourquoi ?

# %% [markdown] lang="en"
# ## 7. Your own digit
#
# Write a digit in marker on white paper, photograph or scan it, and give the photo to the
# network. The next cell shows a button to choose the photo (on Colab, a file chooser);
# where there is no button, put the photo next to the notebook, named `my_digit.png`.
# Without a photo, the cells work on a made-up digit.
#
# A photo is not a `load_digits` image: the paper is unevenly lit and the ink is dark.
# Before `mnist_like`, three more steps:
# 1. **the paper**: a morphological *closing* (a maximum then a minimum over a window
#    wider than the strokes) wipes out the ink and leaves only the paper's light;
# 2. **the ink**: dividing the photo by that light, then inverting, makes the ink light on
#    black, as in MNIST, whatever the lighting;
# 3. **the strokes**: we keep what is clearly darker than the paper, forget small specks,
#    and thicken a thin pen's stroke to the width of MNIST's strokes (about a tenth of the
#    digit's height).
#
# Does the network read your digit? Try a slanted digit, a very bold one, one written in
# pencil, or a tiny one in a corner of the page: which ones fool it, and why?

# %%
# INCLUDE common/own_digit.py


if not Path(MY_DIGIT).exists():
    upload_digit()

# %%
photo = read_photo(MY_DIGIT) if Path(MY_DIGIT).exists() else example_photo()
steps = photo_to_mnist(photo)
show_steps(steps)
own_probabilities = read_digit(model, steps["MNIST-like"])
print(tr("le réseau lit un", "the network reads a"), own_probabilities.argmax(), f"({own_probabilities.max():.0%})")
print(np.round(own_probabilities, 3))

# %% [markdown] lang="fr"
# ## Rendre votre travail
#
# 1. Exécutez tout le notebook depuis le début (*Kernel → Restart & Run All*) et vérifiez
#    qu'il va jusqu'au bout sans erreur : c'est ce que fera le correcteur.
# 2. Enregistrez le notebook (*File → Save*).
# 3. Exécutez la cellule ci-dessous : elle relance les vérifications publiques, crée
#    à côté du notebook le fichier `tp1_dense_<date>.zip` à déposer et affiche son chemin
#    complet (un lien permet aussi de le télécharger).

# %% [markdown] lang="en"
# ## Handing in your work
#
# 1. Run the whole notebook from the top (*Kernel → Restart & Run All*) and check that it
#    runs to the end without errors: the grader will do exactly that.
# 2. Save the notebook (*File → Save*).
# 3. Run the cell below: it re-runs the public checks and writes, next to the notebook,
#    the file `tp1_dense_<date>.zip` to hand in, and prints its full path (a link also lets
#    you download it).

# %%
QUESTIONS = ['q1_preprocess', 'q2_one_hot', 'q3_parameters', 'q4_model', 'q5_training', 'q6_confusion']
# INCLUDE common/hand_in.py
