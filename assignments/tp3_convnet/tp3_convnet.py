# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [raw]
# # ASSIGNMENT CONFIG
# name: tp3_convnet
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
# # TP3 — Un réseau convolutif pour reconnaître des chiffres manuscrits
#
# Au TP1, le réseau dense recevait chaque image comme une liste de 784 nombres : il ne
# savait pas quels pixels étaient voisins. Un **réseau convolutif** (CNN) parcourt l'image par
# petites fenêtres et cherche partout les mêmes motifs (bords, courbes, coins). Avec huit
# fois moins de paramètres que le réseau du TP1, il fait deux à trois fois moins
# d'erreurs.
#
# Au programme :
# 1. les images comme tenseurs de forme `(N, 28, 28, 1)` ;
# 2. la convolution : un filtre appliqué à un vrai chiffre, le *padding*, le pas (*stride*) ;
# 3. le *max-pooling* ;
# 4. un réseau à la LeNet : son nombre de paramètres, compté à la main, puis votre propre
#    réseau, sous un budget de 100 000 paramètres ;
# 5. l'entraînement sur un nombre d'époques fixé d'avance, avec un taux d'apprentissage qui
#    décroît jusqu'à 0 (et pourquoi on se passe ici d'arrêt précoce), les courbes, la matrice
#    de confusion ;
# 6. les erreurs qu'il commet encore ;
# 7. les chiffres hors MNIST du TP1 : le CNN face au réseau dense.
#
# **Comment ce TP est noté.** Les cellules `...` sont à compléter. Après chaque question,
# la cellule `grader.check(...)` lance des vérifications rapides qui vous indiquent ce qui était
# attendu et ce qui a été obtenu. À la correction, le notebook est exécuté **une fois, en
# entier, de haut en bas, entraînement compris**, sur une machine à 2 cœurs ; des tests
# cachés appellent ensuite vos fonctions avec leurs propres données et recalculent
# l'exactitude de votre modèle sur les 5 000 chiffres de test que garde le correcteur (votre
# `x_test` est l'autre moitié du jeu de test de MNIST) ; un modèle entraîné sur le jeu de
# test (il réussit mieux sur vos chiffres de test que sur ceux du correcteur) est signalé à l'enseignant.
#
# **Temps d'entraînement.** L'entraînement dure `EPOCHS = 10` époques (environ une minute
# sur 2 cœurs) et le seuil de réussite a été calibré pour cette durée : gardez
# les réglages donnés (`EPOCHS`, `BATCH_SIZE`, l'optimiseur). Le correcteur ne prolonge
# pas votre entraînement et n'en relance pas un autre : il évalue le `model` que votre
# notebook a entraîné.

# %% [markdown] lang="en"
# # TP3 — A convolutional network that reads handwritten digits
#
# In TP1, the dense network received each image as a list of 784 numbers: it did not know
# which pixels are neighbours. A **convolutional network** (CNN) looks at the image
# through small windows and searches everywhere for the same patterns (edges, curves,
# corners). With eight times fewer parameters than TP1's network, it makes two to three
# times fewer mistakes.
#
# The plan:
# 1. images as tensors of shape `(N, 28, 28, 1)`;
# 2. convolution: a filter applied to a real digit, padding, stride;
# 3. max-pooling;
# 4. a LeNet-like network: its number of parameters, counted by hand, then your own
#    network, under a budget of 100,000 parameters;
# 5. training for a number of epochs fixed in advance, with a learning rate that decays to 0
#    (and why we do without early stopping here), learning curves, the confusion matrix;
# 6. the mistakes it still makes;
# 7. TP1's non-MNIST digits: the CNN against the dense network.
#
# **How this lab is graded.** Fill in the cells that contain `...`. After each question,
# the `grader.check(...)` cell runs quick checks that say what was expected and what was
# found. For grading, the notebook is run **once, whole, top to bottom, training
# included**, on a 2-core machine; hidden tests then call your functions with their own
# data and recompute your model's accuracy on the 5,000 test digits the grader keeps (your
# `x_test` is the other half of MNIST's test set); a model trained on the test set (it does
# better on your test digits than on the grader's) is flagged to your teacher.
#
# **Training time.** Training lasts `EPOCHS = 10` epochs (about a minute on 2 cores) and
# the pass mark was calibrated for that length: keep the settings given
# (`EPOCHS`, `BATCH_SIZE`, the optimiser). The grader neither extends your training nor
# runs another one: it evaluates the `model` your notebook trained.

# %%
# Initialize Otter (the kit's cell: it finds this notebook even when renamed)
# INCLUDE common/init_otter.py


NOTEBOOK = find_this_notebook("tp3_convnet.ipynb", "tp3_convnet")
grader = otter.Notebook(NOTEBOOK)

# %%
import math
import os

import keras
import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage, signal

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
# ## 1. Les données, en images
#
# Les mêmes données qu'au TP1 : 60 000 chiffres d'entraînement et vos 5 000 chiffres de test, en
# `uint8` de 0 (fond) à 255 (encre). Si un fichier `mnist.npz` se trouve à côté du notebook
# (c'est le cas pendant la correction, qui se fait sans Internet), il est lu à la place du
# téléchargement.

# %% [markdown] lang="en"
# ## 1. The data, as images
#
# The same data as in TP1: 60,000 training digits and your 5,000 test digits, `uint8` from 0
# (background) to 255 (ink). If a file `mnist.npz` sits next to the notebook (it does
# during grading, which runs offline), it is read instead of the download.

# %%
# INCLUDE common/load_mnist.py


(x_train_raw, y_train), (x_test_raw, y_test) = load_mnist()
y_train_1h = keras.utils.to_categorical(y_train, num_classes=10)  # one-hot, as in TP1
y_test_1h = keras.utils.to_categorical(y_test, num_classes=10)
print("training images:", x_train_raw.shape, x_train_raw.dtype)
print("test images:    ", x_test_raw.shape, x_test_raw.dtype)

# %% [markdown] lang="fr"
# ### Question 1 — Des images avec un axe de canaux
#
# Une couche de convolution Keras (`Conv2D`) attend un tenseur à 4 axes
# `(N, hauteur, largeur, canaux)` : N images, chacune composée de `canaux` plans de pixels.
# Une photo en couleur a 3 canaux (rouge, vert, bleu) ; nos chiffres en niveaux de gris
# n'en ont qu'un. Cette fois, on **n'aplatit pas** l'image : le réseau a besoin de savoir
# quel pixel est à côté de quel autre.
#
# Complétez `to_images(images)` : elle reçoit un tableau `uint8` de forme `(n, 28, 28)` et
# renvoie un tableau `float32` de forme `(n, 28, 28, 1)`, à valeurs dans [0, 1] (divisez
# par 255, la plus grande valeur possible d'un pixel). Elle ne doit pas modifier son
# argument. (Indices : `astype`, puis `reshape` ou `np.expand_dims`.)

# %% [markdown] lang="en"
# ### Question 1 — Images with a channel axis
#
# A Keras convolution layer (`Conv2D`) expects a tensor with 4 axes
# `(N, height, width, channels)`: N images, each made of `channels` planes of pixels. A
# colour photo has 3 channels (red, green, blue); our greyscale digits have only one.
# This time we do **not** flatten the image: the network needs to know which pixel is
# next to which.
#
# Complete `to_images(images)`: it receives a `uint8` array of shape `(n, 28, 28)` and
# returns a `float32` array of shape `(n, 28, 28, 1)` with values in [0, 1] (divide by
# 255, the largest value a pixel can take). It must not modify its argument. (Hints:
# `astype`, then `reshape` or `np.expand_dims`.)

# %% [raw]
# # BEGIN QUESTION
# name: q1_images

# %% [raw]
# # BEGIN SOLUTION

# %%
def to_images(images):
    """Scale MNIST images and give them a channel axis.

    images: uint8 array of shape (n, 28, 28), values 0..255.
    Returns a float32 array of shape (n, 28, 28, 1), values in [0, 1].
    """
    # BEGIN SOLUTION
    return np.expand_dims(images.astype("float32") / 255.0, axis=-1)
    # END SOLUTION


x_train = to_images(x_train_raw)
x_test = to_images(x_test_raw)
print(x_train.shape, x_train.dtype, x_train.min(), x_train.max())

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_image_tensors(x_train, x_test):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    assert x_train is not None, "x_train vaut None : complétez to_images() (à la place des ...) puis relancez sa cellule" if fr else "x_train is None: complete to_images() (replace the ...) and run its cell again"
    assert isinstance(x_train, np.ndarray), f"x_train devrait être un tableau NumPy ; c'est un {type(x_train).__name__}" if fr else f"x_train should be a NumPy array, found {type(x_train).__name__}"
    assert x_train.shape == (60000, 28, 28, 1), f"x_train devrait être de forme (60000, 28, 28, 1) : 60 000 images de 28 × 28 pixels et 1 canal ; il est de forme {x_train.shape}" if fr else f"x_train should have shape (60000, 28, 28, 1): 60,000 images of 28 × 28 pixels and 1 channel; found {x_train.shape}"
    assert x_test.shape == (5000, 28, 28, 1), f"x_test devrait être de forme (5000, 28, 28, 1) : vos 5 000 chiffres de test ; il est de forme {x_test.shape}" if fr else f"x_test should have shape (5000, 28, 28, 1): your 5,000 test digits; found {x_test.shape}"
    assert x_train.dtype == np.float32, f"x_train devrait être en float32 (le type de calcul de Keras) ; il est en {x_train.dtype}" if fr else f"x_train should be float32 (what Keras computes in); found {x_train.dtype}"
    assert x_train.min() >= 0 and x_train.max() <= 1, f"les pixels devraient être ramenés dans [0, 1] ; leurs valeurs vont de {x_train.min()} à {x_train.max()}" if fr else f"pixels should be scaled to [0, 1]; found values from {x_train.min()} to {x_train.max()}"
    assert x_train.max() == 1, f"le pixel le plus clair (255) devrait devenir 1.0 ; la plus grande valeur est {x_train.max()}" if fr else f"the brightest pixel (255) should become 1.0; the largest value is {x_train.max()}"

test_image_tensors(x_train, x_test)

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_to_images_on_new_images(to_images):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    images = np.random.default_rng(2025).integers(0, 201, size=(5, 28, 28), dtype=np.uint8)
    before = images.copy()
    result = to_images(images)
    assert result is not None, "to_images() a renvoyé None : complétez-la" if fr else "to_images() returned None: complete it"
    result = np.asarray(result)
    assert result.shape == (5, 28, 28, 1), f"to_images appliquée à 5 images devrait renvoyer la forme (5, 28, 28, 1), l'axe des canaux en dernier ; elle renvoie {result.shape}" if fr else f"to_images on 5 images should return shape (5, 28, 28, 1), the channel axis last; found {result.shape}"
    assert result.dtype == np.float32, f"to_images devrait renvoyer du float32 ; elle renvoie du {result.dtype}" if fr else f"to_images should return float32; found {result.dtype}"
    assert np.allclose(result[..., 0], images / 255.0, atol=1e-6), "to_images devrait garder chaque image telle quelle et diviser chaque pixel par 255 (la plus grande valeur possible), pas par la plus grande valeur du lot" if fr else "to_images should keep each image as it is and divide every pixel by 255 (the largest possible value), not by the largest value of the batch"
    assert np.array_equal(images, before), "to_images ne doit pas modifier le tableau qu'elle reçoit" if fr else "to_images should not modify the array it receives"

test_to_images_on_new_images(to_images)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ## 2. La convolution
#
# Un **filtre** (ou noyau, *kernel*) est une petite grille de poids, par exemple 3 × 3. On
# le pose sur un coin de l'image, on multiplie chaque poids par le pixel qu'il couvre, on
# additionne (et on ajoute un biais) : on obtient une valeur de la sortie. Puis on fait
# glisser le filtre d'un pixel et on recommence, partout :
#
# $$\text{sortie}[i, j] = \sum_{u=0}^{2} \sum_{v=0}^{2} w[u, v]\; x[i + u,\, j + v] + b$$
#
# La sortie est élevée là où l'image ressemble au filtre. Et comme **les mêmes poids
# servent à toutes les positions**, un motif appris à un endroit est reconnu partout.
#
# Voici un filtre qui détecte les bords verticaux, appliqué à une petite image 6 × 6 dont
# la moitié droite est claire.

# %% [markdown] lang="en"
# ## 2. Convolution
#
# A **filter** (or kernel) is a small grid of weights, say 3 × 3. We lay it on a corner of
# the image, multiply each weight by the pixel it covers, add everything up (plus a bias):
# that gives one number of the output. Then we slide the filter by one pixel and do it
# again, everywhere:
#
# $$\text{output}[i, j] = \sum_{u=0}^{2} \sum_{v=0}^{2} w[u, v]\; x[i + u,\, j + v] + b$$
#
# The output is large where the image looks like the filter. And since **the same weights
# are used at every position**, a pattern learnt in one place is recognised everywhere.
#
# Here is a filter that detects vertical edges, applied to a small 6 × 6 image whose
# right half is lit.

# %%
def show_numbers(ax, array, title):
    """Draw a small 2-D array as a grid of cells, each labelled with its value."""
    ax.imshow(array, cmap="coolwarm", vmin=-np.abs(array).max() - 1e-9, vmax=np.abs(array).max() + 1e-9)
    for (row, col), value in np.ndenumerate(array):
        ax.text(col, row, f"{value:g}", ha="center", va="center", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{title}\n{array.shape[0]} × {array.shape[1]}")


tiny = np.zeros((6, 6))
tiny[:, 3:] = 1
vertical_edges = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=float)
tiny_output = signal.correlate2d(tiny, vertical_edges, mode="valid")

fig, axes = plt.subplots(1, 3, figsize=(10, 3.5), gridspec_kw={"width_ratios": [6, 3, 4]})
show_numbers(axes[0], tiny, "image")
show_numbers(axes[1], vertical_edges, "filter")
show_numbers(axes[2], tiny_output, "output")
plt.tight_layout()
plt.show()

# %% [markdown] lang="fr"
# La sortie vaut 3 le long du bord (le filtre y voit « sombre à gauche, clair à droite »)
# et 0 là où l'image est uniforme. Elle est plus petite que l'image : un filtre 3 × 3 ne
# tient entièrement dans une image 6 × 6 qu'à 4 × 4 positions.
#
# Appliquons trois filtres à un vrai chiffre : bords verticaux, bords horizontaux, et un
# flou (la moyenne des 9 pixels).

# %% [markdown] lang="en"
# The output is 3 along the edge (there the filter sees "dark on the left, light on the
# right") and 0 where the image is uniform. It is smaller than the image: a 3 × 3 filter
# fits entirely inside a 6 × 6 image at only 4 × 4 positions.
#
# Let us apply three filters to a real digit: vertical edges, horizontal edges, and a
# blur (the mean of 9 pixels).

# %%
digit = x_train_raw[0].astype("float32") / 255
filters = {
    "vertical edges": vertical_edges,
    "horizontal edges": vertical_edges.T,
    "blur": np.full((3, 3), 1 / 9),
}
fig, axes = plt.subplots(1, 1 + len(filters), figsize=(13, 3.5))
axes[0].imshow(digit, cmap="gray")
axes[0].set_title(tr(f"chiffre {y_train[0]}, {digit.shape[0]} × {digit.shape[1]}", f"digit {y_train[0]}, {digit.shape[0]} × {digit.shape[1]}"))
for ax, (name, kernel) in zip(axes[1:], filters.items()):
    feature_map = signal.correlate2d(digit, kernel, mode="valid")
    limit = np.abs(feature_map).max()
    ax.imshow(feature_map, cmap="coolwarm", vmin=-limit, vmax=limit)
    ax.set_title(f"{name}, {feature_map.shape[0]} × {feature_map.shape[1]}")
for ax in axes:
    ax.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown] lang="fr"
# Rouge : le filtre reconnaît son motif (clair à droite, ou en bas) ; bleu : le motif
# inverse. Chaque sortie est une **carte de caractéristiques** (*feature map*). Un réseau
# convolutif n'utilise pas des filtres choisis à la main : il **apprend** les poids de ses
# filtres pendant l'entraînement.
#
# Voici le même calcul avec une couche Keras `Conv2D` dont on fixe les poids : elle prend un
# tenseur `(N, 28, 28, 1)` et renvoie un tenseur `(N, 26, 26, 3)`, une carte par filtre.
# (Ce que Keras appelle convolution est, au sens mathématique, une corrélation : le filtre
# n'est pas retourné. Pour un réseau qui apprend ses filtres, cela ne change rien.)

# %% [markdown] lang="en"
# Red: the filter finds its pattern (light on the right, or below); blue: the opposite
# pattern. Each output is a **feature map**. A convolutional network does not use filters
# chosen by hand: it **learns** the weights of its filters during training.
#
# The same computation with a Keras `Conv2D` layer whose weights we set: it takes a
# `(N, 28, 28, 1)` tensor and returns a `(N, 26, 26, 3)` tensor, one map per filter.
# (What Keras calls convolution is, mathematically, a correlation: the filter is not
# flipped. For a network that learns its filters, that makes no difference.)

# %%
conv = keras.layers.Conv2D(filters=3, kernel_size=3, use_bias=False)
batch = digit.reshape(1, 28, 28, 1)
conv.build(batch.shape)
# Keras stores the kernels as (height, width, input channels, filters).
conv.set_weights([np.stack(list(filters.values()), axis=-1)[:, :, np.newaxis, :]])
maps = np.asarray(conv(batch))
print("input tensor: ", batch.shape)
print("kernel tensor:", conv.kernel.shape)
print("output tensor:", maps.shape)
print("same as scipy:", np.allclose(maps[0, :, :, 0], signal.correlate2d(digit, vertical_edges, mode="valid"), atol=1e-5))

# %% [markdown] lang="fr"
# ### Le *padding* et le pas (*stride*)
#
# Deux réglages changent la taille de la sortie :
# - le **padding** : `"valid"` (par défaut) ne pose le filtre que là où il tient en
#   entier, et la sortie rétrécit ; `"same"` entoure l'image de zéros pour que la sortie
#   garde la taille de l'image ;
# - le **pas** (`strides`) : le nombre de pixels dont le filtre avance à chaque fois. Avec un
#   pas de 2, on ne calcule qu'une position sur deux dans chaque direction : la sortie est
#   environ deux fois plus petite.

# %% [markdown] lang="en"
# ### Padding and stride
#
# Two settings change the size of the output:
# - **padding**: `"valid"` (the default) only lays the filter where it fits entirely, so
#   the output shrinks; `"same"` surrounds the image with zeros so that the output keeps
#   the size of the image;
# - **stride** (`strides`): how many pixels the filter moves each time. With a stride of 2
#   we compute only one position in two in each direction: the output is about half as
#   big.

# %%
fig, axes = plt.subplots(1, 4, figsize=(13, 3.5))
for ax, (padding, stride) in zip(axes, [("valid", 1), ("same", 1), ("valid", 2), ("same", 2)]):
    layer = keras.layers.Conv2D(1, 3, strides=stride, padding=padding, use_bias=False)
    layer.build(batch.shape)
    layer.set_weights([vertical_edges[:, :, np.newaxis, np.newaxis]])
    output = np.asarray(layer(batch))
    ax.imshow(output[0, :, :, 0], cmap="coolwarm", vmin=-3, vmax=3)
    ax.set_title(f'padding="{padding}", strides={stride}\n{tuple(output.shape)}')
    ax.set_xticks([])
    ax.set_yticks([])
plt.tight_layout()
plt.show()

# %% [markdown] lang="fr"
# ### Question 2 — La taille de la sortie
#
# Pour une image de côté $n$, un filtre de côté $k$ et un pas $s$ :
# - `"valid"` : le filtre tient à $\lfloor (n - k) / s \rfloor + 1$ positions par ligne ;
# - `"same"` : $\lceil n / s \rceil$ positions (avec $s = 1$, la taille de l'image).
#
# ($\lfloor \cdot \rfloor$ arrondit vers le bas, $\lceil \cdot \rceil$ vers le haut. En
# Python, `a // b` arrondit la division entière vers le bas ; pour arrondir vers le haut,
# à vous de jouer, en restant dans les entiers ou non. Le correcteur essaie votre fonction
# sur d'autres tailles, pas et paddings que ceux de ce notebook.)
#
# Complétez `conv_output_size(size, kernel_size, stride=1, padding="valid")`, qui renvoie
# ce côté (un entier). La formule s'applique aussi au *max-pooling* (partie 3), qui fait
# glisser une fenêtre de la même façon.

# %% [markdown] lang="en"
# ### Question 2 — The size of the output
#
# For an image of side $n$, a filter of side $k$ and a stride $s$:
# - `"valid"`: the filter fits at $\lfloor (n - k) / s \rfloor + 1$ positions per row;
# - `"same"`: $\lceil n / s \rceil$ positions (with $s = 1$, the size of the image).
#
# ($\lfloor \cdot \rfloor$ rounds down, $\lceil \cdot \rceil$ rounds up. In Python, `a // b`
# rounds the integer division down; rounding up is yours to find, with integers or not. The
# grader tries your function on other sizes, strides and paddings than this notebook's.)
#
# Complete `conv_output_size(size, kernel_size, stride=1, padding="valid")` so that it
# returns that side (an integer). The formula also holds for max-pooling (part 3), which
# slides a window in the same way.

# %% [raw]
# # BEGIN QUESTION
# name: q2_output_size

# %% [raw]
# # BEGIN SOLUTION

# %%
def conv_output_size(size, kernel_size, stride=1, padding="valid"):
    """Side of the output of a convolution (or pooling) window sliding over a size × size input.

    padding: "valid" (the window stays inside) or "same" (zeros around the input).
    """
    # BEGIN SOLUTION
    if padding == "same":
        return -(-size // stride)
    return (size - kernel_size) // stride + 1
    # END SOLUTION


for padding, stride in [("valid", 1), ("same", 1), ("valid", 2), ("same", 2)]:
    print(f'28 × 28 image, 3 × 3 filter, padding="{padding}", strides={stride}:', conv_output_size(28, 3, stride, padding))

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 0.5
""" # END TEST CONFIG
def test_output_sizes_in_this_notebook(conv_output_size):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    assert conv_output_size(28, 3) is not None, "conv_output_size() a renvoyé None : complétez-la (à la place des ...)" if fr else "conv_output_size() returned None: complete it (replace the ...)"
    for args, expected in [((28, 3), 26), ((28, 5), 24), ((28, 3, 1, "same"), 28), ((28, 3, 2, "valid"), 13), ((24, 2, 2), 12), ((11, 2, 2), 5)]:
        found = conv_output_size(*args)
        assert found == expected, f"conv_output_size{args} devrait valoir {expected} ; elle vaut {found}" if fr else f"conv_output_size{args} should be {expected}; found {found}"

test_output_sizes_in_this_notebook(conv_output_size)

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_output_sizes_other_cases(conv_output_size):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    cases = [((28, 3, 2, "same"), 14), ((7, 3, 2, "same"), 4), ((7, 3, 2, "valid"), 3), ((5, 5), 1),
             ((32, 5, 1, "same"), 32), ((100, 7, 3, "valid"), 32), ((13, 2, 2, "same"), 7)]
    for args, expected in cases:
        found = conv_output_size(*args)
        assert found == expected, f"pour conv_output_size{args}, la réponse est {expected} ; la vôtre est {found}" if fr else f"for conv_output_size{args} the answer is {expected}; yours is {found}"

test_output_sizes_other_cases(conv_output_size)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ## 3. Le *max-pooling*
#
# Après une convolution, on réduit souvent la carte de caractéristiques avec un
# **max-pooling** : une fenêtre 2 × 2 glisse avec un pas de 2 et ne garde que la plus
# grande valeur de chaque fenêtre. La carte devient deux fois plus petite dans chaque
# direction (quatre fois moins de valeurs), sans aucun paramètre à apprendre. Elle retient
# « le motif est présent quelque part dans ce coin » et oublie sa position exacte au
# pixel près : le réseau tolère de petits décalages.

# %% [markdown] lang="en"
# ## 3. Max-pooling
#
# After a convolution, the feature map is often reduced by **max-pooling**: a 2 × 2
# window slides with a stride of 2 and keeps only the largest value of each window. The
# map becomes half as big in each direction (four times fewer values), with no parameter
# to learn. It keeps "the pattern is somewhere in this corner" and forgets its exact
# position to within a pixel: the network tolerates small shifts.

# %%
small = np.array([[1, 3, 0, 2], [5, 2, 1, 0], [0, 1, 4, 4], [2, 0, 1, 6]], dtype=float)
pooled = np.asarray(keras.layers.MaxPooling2D(pool_size=2)(small.reshape(1, 4, 4, 1)))[0, :, :, 0]

edge_map = signal.correlate2d(digit, vertical_edges, mode="valid")
pooled_map = np.asarray(keras.layers.MaxPooling2D(pool_size=2)(edge_map.reshape(1, 26, 26, 1)))[0, :, :, 0]

fig, axes = plt.subplots(1, 4, figsize=(13, 3.5))
show_numbers(axes[0], small, "input")
axes[0].axhline(1.5, color="black", lw=2)  # the four 2 × 2 windows
axes[0].axvline(1.5, color="black", lw=2)
show_numbers(axes[1], pooled, "max-pooling 2 × 2")
for ax, array, title in [(axes[2], edge_map, "vertical edges"), (axes[3], pooled_map, "after max-pooling")]:
    ax.imshow(array, cmap="coolwarm", vmin=-3, vmax=3)
    ax.set_title(f"{title}\n{array.shape[0]} × {array.shape[1]}")
    ax.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown] lang="fr"
# ## 4. Un réseau à la LeNet
#
# En 1998, Yann LeCun et ses collègues lisaient les chèques bancaires avec **LeNet-5** :
# des convolutions 5 × 5 suivies de réductions de taille, puis des couches denses. Voici
# un réseau qui suit la même idée (à la question 4, vous concevrez le vôtre) :
#
# | couche | réglages | forme de sortie |
# |---|---|---|
# | `Conv2D` | 16 filtres 5 × 5, ReLU | (24, 24, 16) |
# | `MaxPooling2D` | 2 × 2 | (12, 12, 16) |
# | `Conv2D` | 32 filtres 5 × 5, ReLU | (8, 8, 32) |
# | `MaxPooling2D` | 2 × 2 | (4, 4, 32) |
# | `Flatten` | | (512,) |
# | `Dense` | 128 neurones, ReLU | (128,) |
# | `Dropout` | 30 % | (128,) |
# | `Dense` | 10 neurones, softmax | (10,) |
#
# Les convolutions trouvent des motifs locaux, de plus en plus grands d'une couche à
# l'autre : la seconde combine les 16 cartes de la première. `Flatten` met les
# 4 × 4 × 32 = 512 valeurs à plat pour les couches denses, qui décident du chiffre. Le
# **dropout** désactive au hasard 30 % des 128 neurones à chaque lot d'entraînement (jamais
# en prédiction) : le réseau ne peut pas compter sur un neurone en particulier, ce qui
# limite le sur-apprentissage.
#
# Documentation : [`Conv2D`](https://keras.io/api/layers/convolution_layers/convolution2d/),
# [`MaxPooling2D`](https://keras.io/api/layers/pooling_layers/max_pooling2d/),
# [`Flatten`](https://keras.io/api/layers/reshaping_layers/flatten/),
# [`Dropout`](https://keras.io/api/layers/regularization_layers/dropout/).

# %% [markdown] lang="en"
# ## 4. A LeNet-like network
#
# In 1998 Yann LeCun and his colleagues read bank cheques with **LeNet-5**: 5 × 5
# convolutions followed by size reductions, then dense layers. Here is a network that
# follows the same idea (in question 4 you will design your own):
#
# | layer | settings | output shape |
# |---|---|---|
# | `Conv2D` | 16 filters 5 × 5, ReLU | (24, 24, 16) |
# | `MaxPooling2D` | 2 × 2 | (12, 12, 16) |
# | `Conv2D` | 32 filters 5 × 5, ReLU | (8, 8, 32) |
# | `MaxPooling2D` | 2 × 2 | (4, 4, 32) |
# | `Flatten` | | (512,) |
# | `Dense` | 128 neurons, ReLU | (128,) |
# | `Dropout` | 30 % | (128,) |
# | `Dense` | 10 neurons, softmax | (10,) |
#
# The convolutions find local patterns, larger and larger from one layer to the next:
# the second one combines the 16 maps of the first. `Flatten` lays the
# 4 × 4 × 32 = 512 values out flat for the dense layers, which decide on the digit.
# **Dropout** switches off a random 30 % of the 128 neurons at each training step (never
# when predicting): the network cannot rely on any one neuron, which limits over-fitting.
#
# Documentation: [`Conv2D`](https://keras.io/api/layers/convolution_layers/convolution2d/),
# [`MaxPooling2D`](https://keras.io/api/layers/pooling_layers/max_pooling2d/),
# [`Flatten`](https://keras.io/api/layers/reshaping_layers/flatten/),
# [`Dropout`](https://keras.io/api/layers/regularization_layers/dropout/).

# %% [markdown] lang="fr"
# ### Question 3 — Compter les paramètres
#
# Un filtre $k \times k$ qui lit $c$ cartes en entrée couvre une fenêtre $k \times k$ dans
# *chacune* des $c$ cartes, avec un poids par pixel couvert, et il a un biais. Combien de
# paramètres a une couche `Conv2D` de $f$ filtres ? Remarquez que la taille de l'image
# n'entre pas dans votre réponse : les mêmes poids servent à toutes les positions, c'est le
# partage des poids. Le pooling, `Flatten` et le dropout n'ont aucun paramètre.
#
# Complétez `conv_params(kernel_size, in_channels, filters)` ; le correcteur l'essaie sur
# d'autres couches que celles de ce réseau. La fonction `dense_params` du TP1 est donnée. La cellule suivante dresse le tableau du réseau, couche par couche.

# %% [markdown] lang="en"
# ### Question 3 — Count the parameters
#
# A $k \times k$ filter that reads $c$ input maps covers a $k \times k$ window in *each* of
# the $c$ maps, with one weight per pixel covered, and it has one bias. How many parameters
# does a `Conv2D` layer of $f$ filters have? Notice that the size of the image has no part
# in your answer: the same weights serve at every position, that is weight sharing.
# Pooling, `Flatten` and dropout have no parameters.
#
# Complete `conv_params(kernel_size, in_channels, filters)`; the grader tries it on other
# layers than this network's. TP1's `dense_params` is given. The next cell draws up the network's table, layer by layer.

# %% [raw]
# # BEGIN QUESTION
# name: q3_parameters

# %% [raw]
# # BEGIN SOLUTION

# %%
def dense_params(n_inputs, n_units):
    """Number of trainable parameters of a Dense(n_units) layer fed n_inputs values (TP1)."""
    return n_inputs * n_units + n_units


def conv_params(kernel_size, in_channels, filters):
    """Number of trainable parameters of a Conv2D(filters, kernel_size) layer reading in_channels maps."""
    # BEGIN SOLUTION
    return (kernel_size * kernel_size * in_channels + 1) * filters
    # END SOLUTION


print("first convolution: ", conv_params(5, 1, 16))
print("second convolution:", conv_params(5, 16, 32))

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 0.5
""" # END TEST CONFIG
def test_params_of_our_network(conv_params, dense_params):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    assert conv_params(5, 1, 16) is not None, "conv_params() a renvoyé None : complétez-la (à la place des ...)" if fr else "conv_params() returned None: complete it (replace the ...)"
    assert conv_params(5, 1, 16) == 416, f"16 filtres 5 × 5 sur 1 canal ont 16 × (25 + 1) = 416 paramètres ; votre formule en donne {conv_params(5, 1, 16)}" if fr else f"16 filters 5 × 5 on 1 channel have 16 × (25 + 1) = 416 parameters; your formula gives {conv_params(5, 1, 16)}"
    total = conv_params(5, 1, 16) + conv_params(5, 16, 32) + dense_params(4 * 4 * 32, 128) + dense_params(128, 10)
    assert total == 80202, f"le réseau du tableau a 80 202 paramètres ; votre formule en donne {total} : vérifiez la deuxième convolution (elle lit 16 cartes)" if fr else f"the network of the table has 80,202 parameters; your formula gives {total}: check the second convolution (it reads 16 maps)"

test_params_of_our_network(conv_params, dense_params)

# %%
""" # BEGIN TEST CONFIG
points: 0.5
hidden: true
""" # END TEST CONFIG
def test_conv_params_other_sizes(conv_params):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    for args in [(3, 1, 32), (3, 3, 8), (1, 64, 10), (7, 2, 5)]:
        kernel_size, in_channels, filters = args
        expected = (kernel_size * kernel_size * in_channels + 1) * filters
        found = conv_params(*args)
        assert found == expected, f"conv_params{args} devrait valoir {expected} ; elle vaut {found}" if fr else f"conv_params{args} should be {expected}; found {found}"

test_conv_params_other_sizes(conv_params)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# Le tableau du réseau, calculé avec vos deux fonctions. Comparez la colonne des
# paramètres : presque tout est dans la première couche dense. Les convolutions, qui font
# l'essentiel du travail de reconnaissance, en ont très peu.

# %% [markdown] lang="en"
# The network's table, computed with your two functions. Look at the parameter column:
# nearly everything sits in the first dense layer. The convolutions, which do most of
# the recognition work, have very few.

# %%
side_1 = conv_output_size(28, 5)  # first convolution, 5 × 5 filters
side_2 = conv_output_size(side_1, 2, stride=2)  # max-pooling 2 × 2
side_3 = conv_output_size(side_2, 5)  # second convolution
side_4 = conv_output_size(side_3, 2, stride=2)  # max-pooling
flat = side_4 * side_4 * 32
table = [
    ("Conv2D(16, 5)", (side_1, side_1, 16), conv_params(5, 1, 16)),
    ("MaxPooling2D(2)", (side_2, side_2, 16), 0),
    ("Conv2D(32, 5)", (side_3, side_3, 32), conv_params(5, 16, 32)),
    ("MaxPooling2D(2)", (side_4, side_4, 32), 0),
    ("Flatten", (flat,), 0),
    ("Dense(128)", (128,), dense_params(flat, 128)),
    ("Dropout(0.3)", (128,), 0),
    ("Dense(10)", (10,), dense_params(128, 10)),
]
print(f"{'layer':<18}{'output shape':<16}{'parameters':>10}")
for name, shape, params in table:
    print(f"{name:<18}{str(shape):<16}{params:>10,}")
total_by_hand = sum(params for _, _, params in table)
print(f"{'total':<34}{total_by_hand:>10,}   (TP1's dense network: 623,290)")

# %% [markdown] lang="fr"
# ### L'optimiseur et les réglages de l'entraînement (donnés)
#
# Comme au TP1, Adam avec un taux d'apprentissage qui décroît en suivant un cosinus, ici de
# 0,002 à 0 sur les `EPOCHS` époques, par lots de 128 images. Ces réglages ont été choisis
# sur le jeu de validation, et le seuil de réussite a été calibré avec eux : gardez-les.

# %% [markdown] lang="en"
# ### The optimiser and the training settings (given)
#
# As in TP1, Adam with a learning rate that decays along a cosine, here from 0.002 to 0
# over the `EPOCHS` epochs, in batches of 128 images. These settings were chosen on the
# validation set, and the pass mark was calibrated with them: keep them.

# %%
EPOCHS = 10  # the whole budget: the learning rate reaches 0 at its end
BATCH_SIZE = 128
VALIDATION_SPLIT = 0.1  # the last 10 % of the training images
STEPS = EPOCHS * math.ceil(len(x_train_raw) * (1 - VALIDATION_SPLIT) / BATCH_SIZE)
LEARNING_RATE = 2e-3  # at the first step


# INCLUDE common/make_optimizer.py

# %% [markdown] lang="fr"
# ### Question 4 — Construire le réseau
#
# À vous de concevoir le réseau. Complétez `build_convnet()` : elle renvoie un **nouveau**
# modèle Keras `Sequential`, compilé avec l'optimiseur de `make_optimizer()`, la perte
# `categorical_crossentropy` et la métrique `accuracy`. Le cahier des charges :
# - il prend des images `(28, 28, 1)` (commencez par `keras.Input(shape=(28, 28, 1))`) et
#   rend 10 probabilités (une dernière couche `Dense(10)` softmax) ;
# - il suit l'idée de LeNet : au moins deux étages convolution + max-pooling
#   (`keras.layers.Conv2D`, `keras.layers.MaxPooling2D`), puis `keras.layers.Flatten()` et
#   des couches `keras.layers.Dense` (un `keras.layers.Dropout` si vous voulez) ;
# - il a **au plus 100 000 paramètres** : comptez-les avec vos fonctions de la question 3
#   avant de lancer l'entraînement ;
# - entraîné `EPOCHS` époques, il doit atteindre {{threshold tp3_convnet test_accuracy}}
#   sur les chiffres de test du correcteur.
#
# Le réseau du tableau remplit ce cahier des charges ; vous pouvez le reprendre, ou essayer
# d'autres tailles de filtres, d'autres nombres de filtres, un `padding="same"`… Le
# contrôle public vérifie les formes d'entrée et de sortie, le budget et la présence de
# convolutions ; le correcteur vérifie en plus l'ordre des couches, la softmax, la perte,
# et l'exactitude après entraînement (question 5).

# %% [markdown] lang="en"
# ### Question 4 — Build the network
#
# The network is yours to design. Complete `build_convnet()`: it returns a **new** Keras
# `Sequential` model, compiled with the optimiser of `make_optimizer()`, the
# `categorical_crossentropy` loss and the `accuracy` metric. The specification:
# - it takes `(28, 28, 1)` images (start with `keras.Input(shape=(28, 28, 1))`) and returns
#   10 probabilities (a last `Dense(10)` layer with a softmax);
# - it follows LeNet's idea: at least two convolution + max-pooling stages
#   (`keras.layers.Conv2D`, `keras.layers.MaxPooling2D`), then `keras.layers.Flatten()` and
#   `keras.layers.Dense` layers (a `keras.layers.Dropout` if you like);
# - it has **at most 100,000 parameters**: count them with your functions of question 3
#   before you train;
# - trained for `EPOCHS` epochs, it must reach {{threshold tp3_convnet test_accuracy}} on
#   the grader's test digits.
#
# The network of the table meets this specification; you may take it, or try other filter
# sizes, other numbers of filters, `padding="same"`… The public check looks at the input
# and output shapes, the budget and the presence of convolutions; the grader also checks the
# order of the layers, the softmax, the loss, and the accuracy after training (question 5).

# %% [raw]
# # BEGIN QUESTION
# name: q4_model

# %% [raw]
# # BEGIN SOLUTION

# %%
def build_convnet():
    """A new compiled LeNet-like Sequential model: (28, 28, 1) images -> 10 class probabilities."""
    # BEGIN SOLUTION
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
        ]
    )
    model.compile(optimizer=make_optimizer(), loss="categorical_crossentropy", metrics=["accuracy"])
    return model
    # END SOLUTION


model = build_convnet()
model.summary()

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_convnet_shapes(build_convnet):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import keras
    m = build_convnet()
    assert m is not None, "build_convnet() a renvoyé None : complétez-la (à la place des ...) pour qu'elle renvoie le modèle" if fr else "build_convnet() returned None: complete it (replace the ...) so that it returns the model"
    assert isinstance(m, keras.Model), f"build_convnet() devrait renvoyer un modèle Keras ; elle renvoie un {type(m).__name__}" if fr else f"build_convnet() should return a Keras model; found {type(m).__name__}"
    assert tuple(m.input_shape) == (None, 28, 28, 1), f"le modèle devrait prendre des images 28 × 28 à 1 canal, forme d'entrée (None, 28, 28, 1) ; elle est {m.input_shape}" if fr else f"the model should take 28 × 28 images with 1 channel, input shape (None, 28, 28, 1); found {m.input_shape}"
    assert tuple(m.output_shape) == (None, 10), f"le modèle devrait sortir 10 valeurs par image, forme de sortie (None, 10) ; elle est {m.output_shape}" if fr else f"the model should output 10 values per image, output shape (None, 10); found {m.output_shape}"
    kinds = [type(layer).__name__ for layer in m.layers]
    assert any(isinstance(layer, keras.layers.Conv2D) for layer in m.layers), f"un réseau convolutif a des couches Conv2D ; les couches trouvées sont {kinds}" if fr else f"a convolutional network has Conv2D layers; found the layers {kinds}"
    assert m.count_params() <= 100_000, f"le budget est de 100 000 paramètres ; votre réseau en a {m.count_params():,} : comparez model.summary() à votre décompte de la question 3".replace(",", " ") if fr else f"the budget is 100,000 parameters; your network has {m.count_params():,}: compare model.summary() with your count of question 3"

test_convnet_shapes(build_convnet)

# %%
""" # BEGIN TEST CONFIG
points: 0
""" # END TEST CONFIG
def test_softmax_and_cross_entropy(build_convnet):
    """A softmax output and the categorical cross-entropy loss (0 points: the hidden test scores them)."""
    # KIT_CHECK assert_softmax_and_cross_entropy
    assert_softmax_and_cross_entropy(build_convnet())

test_softmax_and_cross_entropy(build_convnet)

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_convnet_layers(build_convnet):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import keras
    from kit_checks import activation_of
    m1, m2 = build_convnet(), build_convnet()
    assert m1 is not m2, "build_convnet() devrait construire un nouveau modèle à chaque appel" if fr else "build_convnet() should build a new model at each call"
    kinds = [type(layer).__name__ for layer in m1.layers]
    convs = [i for i, layer in enumerate(m1.layers) if isinstance(layer, keras.layers.Conv2D)]
    pools = [i for i, layer in enumerate(m1.layers) if isinstance(layer, keras.layers.MaxPooling2D)]
    denses = [i for i, layer in enumerate(m1.layers) if isinstance(layer, keras.layers.Dense)]
    assert len(convs) >= 2 and len(pools) >= 2, f"un réseau de type LeNet a deux couches Conv2D, chacune suivie d'un MaxPooling2D ; les couches trouvées sont {kinds}" if fr else f"a LeNet-like network has two Conv2D layers, each followed by MaxPooling2D; found the layers {kinds}"
    assert denses and max(convs + pools) < min(denses), f"les convolutions et les poolings viennent d'abord, puis Flatten et les couches Dense ; les couches trouvées sont {kinds}" if fr else f"convolutions and pooling come first, then Flatten and the Dense layers; found {kinds}"
    after = m1.layers[denses[-1] + 1 :]  # the output's activation may be a layer of its own
    assert m1.layers[denses[-1]].units == 10 and all(activation_of(layer) for layer in after), f"la dernière couche devrait être Dense(10), suivie au plus de son activation ; c'est {kinds[-1]}" if fr else f"the last layer should be Dense(10), followed at most by its activation; found {kinds[-1]}"
    assert m1.count_params() <= 100_000, f"le budget est de 100 000 paramètres ; le modèle en a {m1.count_params():,}".replace(",", " ") if fr else f"the parameter budget is 100,000; the model has {m1.count_params():,}"

test_convnet_layers(build_convnet)

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_convnet_outputs_probabilities(build_convnet):
    from kit_checks import assert_softmax_and_cross_entropy
    assert_softmax_and_cross_entropy(build_convnet())

test_convnet_outputs_probabilities(build_convnet)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ## 5. L'entraînement : un budget fixe, un taux d'apprentissage qui décroît
#
# Au TP2, le taux d'apprentissage restait constant : le réseau corrigeait ses poids
# aussi fort à la fin qu'au début, finissait par apprendre par cœur ses images d'entraînement, et la perte de
# validation remontait. L'arrêt précoce guettait ce moment et revenait à la meilleure
# époque.
#
# Ici, c'est le taux d'apprentissage qui règle la question. Il part de 0,002 et décroît en
# suivant un cosinus jusqu'à 0 à la fin de la dernière époque : les premières corrections, fortes,
# font l'essentiel du chemin ; les dernières, minuscules, ne font plus qu'affiner des poids
# qui se posent au lieu de continuer à dériver. Le nombre d'époques est fixé d'avance, et
# c'est le jeu de validation qui l'a fixé.
#
# Un taux qui s'annule au bout d'un budget fixe et l'arrêt précoce sont donc deux réponses
# au même problème : à quel moment les poids doivent-ils cesser de bouger ? Les cumuler
# n'apporte rien. Avec ces réglages, l'exactitude de validation progresse presque jusqu'au
# bout (graines 0 et 1 sur notre machine : 99,33 % et 99,25 % à la 10ᵉ et dernière époque ;
# la meilleure époque est la 10ᵉ pour la graine 0, la 9ᵉ pour la graine 1, à un seul
# chiffre de validation près sur 6 000). Un `EarlyStopping` qui la surveillerait avec une
# patience de 3 n'arrêterait jamais l'entraînement, et revenir une époque en arrière pour
# un chiffre ne changerait rien. On utilise donc tout le budget d'époques, sans callback. L'arrêt précoce reste la bonne réponse quand on ne sait pas
# combien d'époques il faut, avec un taux constant comme au TP2.
#
# ### Question 5 — Entraîner
#
# Entraînez `model` sur `x_train`, `y_train_1h` avec `epochs=EPOCHS`,
# `batch_size=BATCH_SIZE` et `validation_split=VALIDATION_SPLIT` : comme au TP2, les 10
# derniers pour cent des images d'entraînement servent à la **validation** (jamais le jeu de
# test). Gardez ce que renvoie `fit` dans `history`.
#
# Le correcteur recalcule l'exactitude de **votre** `model` sur des chiffres de test qu'il
# apporte lui-même : il faut au moins {{threshold tp3_convnet test_accuracy}}. Il vérifie
# aussi que la validation ne s'est pas faite sur ces chiffres de test.

# %% [markdown] lang="en"
# ## 5. Training: a fixed budget, a learning rate that decays
#
# In TP2 the learning rate stayed constant: the network kept taking big steps, ended up
# learning its training images by heart, and the validation loss turned up. Early stopping
# watched for that moment and went back to the best epoch.
#
# Here the learning rate settles the matter. It starts at 0.002 and decays along a cosine
# to 0 at the end of the last epoch: the first, big steps do most of the way; the last,
# tiny ones only polish weights that come to rest instead of drifting on. The number of
# epochs is fixed in advance, and the validation set is what fixed it.
#
# A learning rate that reaches 0 at the end of a fixed budget and early stopping are thus
# two answers to the same problem: when should the weights stop moving? Using both adds
# nothing. With these settings the validation accuracy improves almost to the end (seeds 0
# and 1 on our machine: 99.33 % and 99.25 % at the 10th and last epoch; the best epoch is
# the 10th for seed 0, the 9th for seed 1, by a single validation digit out of 6,000). An
# `EarlyStopping` watching it with a patience of 3 would never stop training, and going
# back one epoch for one digit changes nothing. So we train for the whole budget, without a
# callback. Early stopping stays
# the right answer when you do not know how many epochs are needed, with a constant rate as
# in TP2.
#
# ### Question 5 — Train
#
# Train `model` on `x_train`, `y_train_1h` with `epochs=EPOCHS`, `batch_size=BATCH_SIZE` and
# `validation_split=VALIDATION_SPLIT`: as in TP2, the last 10 % of the training images are
# for **validation** (never the test set). Keep what `fit` returns in `history`.
#
# The grader recomputes the accuracy of **your** `model` on test digits it brings itself:
# it must reach at least {{threshold tp3_convnet test_accuracy}}. It also checks that
# validation was not done on those test digits.

# %% [raw]
# # BEGIN QUESTION
# name: q5_training

# %% [raw]
# # BEGIN SOLUTION

# %%
# Train model for EPOCHS epochs, the last VALIDATION_SPLIT of the training images kept for validation;
# keep what fit returns in history.
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
def test_trained_with_validation(model, history, x_test, y_test):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    assert history is not None, "history vaut None : complétez la cellule d'entraînement (appelez model.fit(...) et gardez ce qu'il renvoie dans history)" if fr else "history is None: complete the training cell (call model.fit(...) and keep what it returns in history)"
    assert history.model is model, "history ne vient pas de l'entraînement de model : gardez dans history ce que renvoie model.fit(...)" if fr else "history does not come from training model: keep in history what model.fit(...) returns"
    assert "val_loss" in history.history, "history n'a pas de val_loss : entraînez avec validation_split=VALIDATION_SPLIT pour que Keras mesure un jeu de validation" if fr else "history has no val_loss: train with validation_split=VALIDATION_SPLIT so that Keras measures a validation set"
    assert history.params["epochs"] <= 10, f"entraînez EPOCHS = 10 époques, pas plus (le temps accordé à la correction) ; fit en a demandé {history.params['epochs']}" if fr else f"train for EPOCHS = 10 epochs, no more (the grader's time budget); fit was asked for {history.params['epochs']}"
    predicted = np.asarray(model.predict(x_test[:1000], verbose=0)).argmax(axis=1)
    accuracy = np.mean(predicted == y_test[:1000])
    assert accuracy > 0.95, f"un modèle entraîné reconnaît bien plus de 95 % des 1 000 premiers chiffres de test ; le vôtre en reconnaît {100 * accuracy:.1f} %".replace(".", ",") if fr else f"a trained model gets well over 95 % of the first 1000 test digits right; yours gets {accuracy:.1%}"

test_trained_with_validation(model, history, x_test, y_test)

# %%
""" # BEGIN TEST CONFIG
points: 0
""" # END TEST CONFIG
def test_accuracy_on_your_test_digits(model, x_test, y_test):
    """The hidden pass mark, measured on your own 5,000 test digits (0 points: the hidden test scores it)."""
    # KIT_CHECK assert_accuracy_on_your_test_digits
    assert_accuracy_on_your_test_digits(model, x_test, y_test, {{public_bar_value tp3_convnet test_accuracy}}, {{public_margin}})

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
def test_heldout_accuracy(model, to_images):
    from kit_checks import assert_heldout_accuracy
    assert_heldout_accuracy(model, "tp3_convnet", preprocess=to_images)

test_heldout_accuracy(model, to_images)

# %%
""" # BEGIN TEST CONFIG
points: {{integrity penalty_points}}
hidden: true
""" # END TEST CONFIG
def test_not_trained_on_test_digits(model, to_images):
    from kit_checks import check_test_set_use
    check_test_set_use(model, to_images)

test_not_trained_on_test_digits(model, to_images)

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
# La perte et l'exactitude, époque par époque, sur les images d'entraînement et sur celles
# de validation. Lisez-les avant de répondre à la question 7.

# %% [markdown] lang="en"
# ### Learning curves
#
# The loss and the accuracy, epoch by epoch, on the training images and on the validation
# images. Read them before you answer question 7.

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

# %% [raw]
# # BEGIN QUESTION
# name: q7_curves
# manual: true
# points: 2

# %% [markdown] lang="fr"
# ### Question 7 — Ce que disent les courbes (réponse écrite)
#
# Répondez en quelques phrases dans la cellule qui suit ; votre enseignant lit et note cette
# réponse (les tests automatiques ne la notent pas).
#
# 1. La perte de validation remonte-t-elle, comme au TP2 ? Citez ce que montre votre
#    courbe, et dites ce que cela vous apprend sur le choix de se passer d'arrêt précoce.
# 2. Pourquoi l'exactitude d'entraînement est-elle plus basse que celle de validation lors
#    des premières époques ? (Indice : le dropout n'agit que pendant l'entraînement, et
#    l'exactitude d'entraînement est une moyenne sur toute l'époque.)

# %% [markdown] lang="en"
# ### Question 7 — What the curves say (written answer)
#
# Answer in a few sentences in the next cell; your teacher reads and marks this answer (the
# automatic tests do not).
#
# 1. Does the validation loss turn up, as in TP2? Quote what your curve shows, and say what
#    it tells you about doing without early stopping.
# 2. Why is the training accuracy lower than the validation accuracy in the first epochs?
#    (Hint: dropout acts only during training, and the training accuracy is an average over
#    the whole epoch.)

# %% [raw]
# # BEGIN SOLUTION

# %% [markdown] lang="fr"
# *Réponse type.* 1. Non : la perte de validation baisse nettement pendant les premières
# époques (de 0,05 environ à 0,03), puis reste à plat jusqu'à la fin, à un ou deux
# millièmes près ; elle ne remonte pas comme au TP2. Le taux d'apprentissage, qui tend vers 0,
# fige les poids avant que le réseau ne se mette à apprendre par cœur (et le dropout freine le
# sur-apprentissage) : un arrêt précoce n'aurait rien à arrêter, et la dernière époque est
# (presque) la meilleure. 2. L'exactitude d'entraînement d'une époque est la moyenne sur tous
# ses lots, y compris les premiers, où le réseau était encore moins bon, alors que la
# validation est mesurée à la fin de l'époque ; et pendant l'entraînement le dropout éteint
# 30 % des neurones, ce qui dégrade les prédictions, alors qu'en validation tous les neurones
# travaillent.

# %% [markdown] lang="en"
# *Model answer.* 1. No: the validation loss falls clearly over the first epochs (from
# about 0.05 to 0.03), then stays flat to the end, within a thousandth or two; it does not
# turn up as in TP2. The learning rate, going to 0, freezes the weights before the network
# starts learning by heart (and dropout holds over-fitting back): early stopping would have
# nothing to stop, and the last epoch is (nearly) the best. 2. An epoch's training accuracy is
# the average over all its batches, the first ones included, when the network was still
# worse, whereas validation is measured at the end of the epoch; and during training dropout
# switches off 30 % of the neurons, which degrades the predictions, whereas for validation
# every neuron works.

# %% [raw]
# # END SOLUTION

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# ### Évaluation sur le jeu de test — une seule fois

# %% [markdown] lang="en"
# ### Evaluation on the test set — once

# %%
test_loss, test_accuracy = model.evaluate(x_test, y_test_1h, verbose=0)
print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.2%}, so {round((1 - test_accuracy) * len(x_test))} mistakes out of {len(x_test)}")
print("TP1's dense network: about 98.2 %, so about 180 mistakes")

# %% [markdown] lang="fr"
# ### La matrice de confusion
#
# Lignes : le vrai chiffre ; colonnes : le chiffre prédit. Hors de la diagonale, il ne
# reste que quelques erreurs : lesquelles ?

# %% [markdown] lang="en"
# ### The confusion matrix
#
# Rows: the true digit; columns: the predicted digit. Off the diagonal only a few
# mistakes remain: which ones?

# %%
from sklearn.metrics import ConfusionMatrixDisplay

test_probabilities = model.predict(x_test, verbose=0)
test_predicted = test_probabilities.argmax(axis=1)
display = ConfusionMatrixDisplay.from_predictions(y_test, test_predicted, labels=range(10), cmap="Blues", colorbar=False)
display.ax_.set_xlabel(tr("chiffre prédit", "predicted digit"))
display.ax_.set_ylabel(tr("vrai chiffre", "true digit"))
display.ax_.set_title(tr(f"jeu de test MNIST, exactitude {100 * test_accuracy:.2f} %".replace(".", ","), f"MNIST test set, accuracy {test_accuracy:.2%}"))
plt.show()

# %% [markdown] lang="fr"
# ### Ce que le réseau a appris
#
# En haut, les filtres de la première convolution (les 16 premiers au plus), appris
# pendant l'entraînement ; en bas, les cartes de caractéristiques qu'ils produisent sur
# notre chiffre.
# Reconnaissez-vous des détecteurs de bords ?

# %% [markdown] lang="en"
# ### What the network learnt
#
# Top row, the filters of the first convolution (the first 16 at most), learnt during
# training; bottom row, the feature maps they produce on our digit. Do you recognise edge detectors?

# %%
first_conv = next(layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D))
kernels = np.asarray(first_conv.kernel)  # (5, 5, 1, 16) for the table's network
first_maps = np.asarray(first_conv(batch))  # (1, 24, 24, 16) for the table's network
shown_filters = min(16, kernels.shape[-1])
fig, axes = plt.subplots(2, shown_filters, figsize=(16, 2.6), squeeze=False)
for i in range(shown_filters):
    limit = np.abs(kernels[:, :, 0, i]).max()
    axes[0, i].imshow(kernels[:, :, 0, i], cmap="coolwarm", vmin=-limit, vmax=limit)
    axes[1, i].imshow(first_maps[0, :, :, i], cmap="gray")
    axes[0, i].axis("off")
    axes[1, i].axis("off")
axes[0, 0].set_title(tr("filtres", "filters"), loc="left")
axes[1, 0].set_title(tr("cartes de caractéristiques", "feature maps"), loc="left")
plt.tight_layout()
plt.show()

# %% [markdown] lang="fr"
# ## 6. Les erreurs qui restent
#
# ### Question 6 — Trouver les chiffres mal classés
#
# Complétez `misclassified(model, inputs, labels)` : elle reçoit des images déjà mises en
# forme `(n, 28, 28, 1)` et leurs étiquettes entières `(n,)`, et renvoie, par ordre
# croissant, les **indices** des images dont le chiffre prédit (la sortie de plus grande
# probabilité) n'est pas l'étiquette. (Indices : `model.predict`, `argmax`,
# `np.flatnonzero`.)

# %% [markdown] lang="en"
# ## 6. The mistakes that remain
#
# ### Question 6 — Find the misclassified digits
#
# Complete `misclassified(model, inputs, labels)`: it receives images already shaped
# `(n, 28, 28, 1)` and their integer labels `(n,)`, and returns, in increasing order, the
# **indices** of the images whose predicted digit (the output with the highest
# probability) is not the label. (Hints: `model.predict`, `argmax`, `np.flatnonzero`.)

# %% [raw]
# # BEGIN QUESTION
# name: q6_mistakes

# %% [raw]
# # BEGIN SOLUTION

# %%
def misclassified(model, inputs, labels):
    """Indices (increasing, int array of shape (m,)) of the inputs (n, 28, 28, 1) whose predicted class is not labels (n,)."""
    # BEGIN SOLUTION
    predicted = np.asarray(model.predict(inputs, verbose=0)).argmax(axis=1)
    return np.flatnonzero(predicted != np.asarray(labels))
    # END SOLUTION


mistakes = misclassified(model, x_test, y_test)
print(len(mistakes), "misclassified test digits, the first ones:", mistakes[:10])

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
""" # BEGIN TEST CONFIG
points: 1
""" # END TEST CONFIG
def test_misclassified_first_test_digits(misclassified, model, x_test, y_test):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    assert x_test is not None, "x_test vaut None : complétez d'abord to_images() à la question 1" if fr else "x_test is None: complete to_images() in question 1 first"
    found = misclassified(model, x_test[:1000], y_test[:1000])
    assert found is not None, "misclassified() a renvoyé None : complétez-la (à la place des ...)" if fr else "misclassified() returned None: complete it (replace the ...)"
    found = np.asarray(found)
    predicted = np.asarray(model.predict(x_test[:1000], verbose=0)).argmax(axis=1)
    expected = np.flatnonzero(predicted != y_test[:1000])
    assert found.ndim == 1, f"misclassified() devrait renvoyer un tableau d'indices à une dimension ; sa forme est {found.shape}" if fr else f"misclassified() should return a 1-D array of indices; found shape {found.shape}"
    assert found.size == 0 or np.issubdtype(found.dtype, np.integer), f"misclassified() devrait renvoyer des indices entiers ; leur type est {found.dtype}" if fr else f"misclassified() should return integer indices; found {found.dtype}"
    assert np.array_equal(found, expected), f"parmi les 1 000 premiers chiffres de test, le modèle se trompe sur {len(expected)}, d'indices {expected.tolist()} ; misclassified() a renvoyé {found.tolist()}" if fr else f"among the first 1000 test digits the model gets {len(expected)} wrong, indices {expected.tolist()}; misclassified() returned {found.tolist()}"

test_misclassified_first_test_digits(misclassified, model, x_test, y_test)

# %%
""" # BEGIN TEST CONFIG
points: 1
hidden: true
""" # END TEST CONFIG
def test_misclassified_matches_model(misclassified, model):
    import os
    fr = os.environ.get("MNIST_KIT_LANGUAGE") == "fr"  # messages in the notebook's language
    import numpy as np
    from kit_checks import load_students_test, model_inputs, predicted_labels
    images, labels = load_students_test()  # digits the kernel has (the grader's half never enters it)
    inputs = model_inputs(model, images[-2000:])
    expected = np.flatnonzero(predicted_labels(model, inputs) != labels[-2000:])
    found = np.asarray(misclassified(model, inputs, labels[-2000:]))
    assert np.array_equal(np.sort(found), expected), f"sur 2 000 autres chiffres, le modèle fait {len(expected)} erreurs ; misclassified() a renvoyé {found.size} indices qui ne leur correspondent pas : comparez les chiffres prédits aux étiquettes qu'elle reçoit" if fr else f"on 2000 other digits the model makes {len(expected)} mistakes; misclassified() returned {found.size} indices that do not match them: compare the predicted digits with the labels it receives"

test_misclassified_matches_model(misclassified, model)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown] lang="fr"
# Regardons-les. Au-dessus de chaque image : le vrai chiffre, le chiffre prédit et la
# probabilité que le réseau lui attribue. Auriez-vous fait mieux ? Certaines étiquettes de
# MNIST sont elles-mêmes discutables.

# %% [markdown] lang="en"
# Let us look at them. Above each image: the true digit, the predicted digit and the
# probability the network gives it. Would you have done better? Some MNIST labels are
# debatable themselves.

# %%
shown = mistakes[:40]
fig, axes = plt.subplots(4, 10, figsize=(12, 6))
for ax in axes.flat:
    ax.axis("off")
for ax, index in zip(axes.flat, shown):
    ax.imshow(x_test_raw[index], cmap="gray")
    ax.set_title(f"{y_test[index]} → {test_predicted[index]} ({test_probabilities[index].max():.0%})", fontsize=9)
fig.suptitle(tr(f"{len(shown)} des {len(mistakes)} chiffres de test mal classés (vrai → prédit)", f"{len(shown)} of the {len(mistakes)} misclassified test digits (true → predicted)"))
plt.tight_layout()
plt.show()

# %% [markdown] lang="fr"
# ### Des chiffres décalés
#
# Le pooling rend le réseau tolérant aux petits décalages. Jusqu'où ? Décalons 1 000
# chiffres de test de 0 à 6 pixels vers la droite.

# %% [markdown] lang="en"
# ### Shifted digits
#
# Pooling makes the network tolerate small shifts. How far? Let us shift 1,000 test
# digits by 0 to 6 pixels to the right.

# %%
shifts = range(7)
shift_accuracy = []
for shift in shifts:
    shifted = np.zeros_like(x_test[:1000])
    shifted[:, :, shift:] = x_test[:1000, :, : 28 - shift]  # columns move right, zeros enter on the left
    shift_accuracy.append(np.mean(model.predict(shifted, verbose=0).argmax(axis=1) == y_test[:1000]))
plt.figure(figsize=(6, 3))
plt.plot(list(shifts), shift_accuracy, "o-")
plt.xlabel(tr("décalage vers la droite (pixels)", "shift to the right (pixels)"))
plt.ylabel(tr("exactitude", "accuracy"))
plt.ylim(0, 1.02)
plt.show()

# %% [markdown] lang="fr"
# Un ou deux pixels ne changent presque rien ; au-delà, l'exactitude chute. La tolérance
# du CNN est locale : c'est pourquoi on recentre quand même les chiffres, comme dans MNIST.

# %% [markdown] lang="en"
# One or two pixels change almost nothing; beyond that, accuracy falls. The CNN's
# tolerance is local: that is why we still centre digits, as MNIST does.

# %% [markdown] lang="fr"
# ## 7. Les chiffres hors MNIST, à nouveau
#
# Au TP1, le réseau dense reconnaissait mal les 1 797 chiffres 8 × 8 de
# `sklearn.datasets.load_digits`. Reprenons les trois préparations du TP1 (le code est
# donné) avec le CNN. Pour comparer sur les mêmes images, la cellule suivante ré-entraîne
# aussi le réseau dense du TP1, avec la recette du TP1 mais sur `DENSE_EPOCHS = 5` époques
# au lieu de 10 (quelques secondes) : ses résultats peuvent s'écarter un peu de ceux de
# votre TP1, qui dépendent aussi de la graine.

# %% [markdown] lang="en"
# ## 7. The non-MNIST digits, again
#
# In TP1 the dense network did poorly on the 1,797 8 × 8 digits of
# `sklearn.datasets.load_digits`. Let us redo TP1's three preparations (the code is given)
# with the CNN. To compare on the same images, the next cell also trains TP1's dense
# network again, with TP1's recipe but for `DENSE_EPOCHS = 5` epochs instead of 10 (a few
# seconds): its results may differ a little from your TP1's, which depend on the seed too.

# %%
from sklearn.datasets import load_digits

digits = load_digits()


def naive_28x28(image8):
    """8x8 image, values 0..16 -> 28x28 float image in [0, 1], stretched to fill the frame."""
    big = ndimage.zoom(image8.astype("float32"), 28 / 8, order=1)
    return np.clip(big / 16.0, 0, 1)


# INCLUDE common/mnist_like.py


def accuracy_on_digits(network, images):
    """Fraction of load_digits that network (dense or convolutional) gets right, given as (n, 28, 28) float images in [0, 1]."""
    predicted = network.predict(images.reshape(len(images), *network.input_shape[1:]), verbose=0).argmax(axis=1)
    return np.mean(predicted == digits.target)


# TP1's dense network and recipe (784 -> 784 -> 10; Adam, its learning rate decaying from 0.001 to 0),
# trained for fewer epochs.
DENSE_EPOCHS = 5
dense = keras.Sequential(
    [keras.Input(shape=(784,)), keras.layers.Dense(784, activation="relu"), keras.layers.Dense(10, activation="softmax")]
)
dense_steps = DENSE_EPOCHS * math.ceil(len(x_train) * (1 - VALIDATION_SPLIT) / BATCH_SIZE)
dense.compile(optimizer=make_optimizer(1e-3, dense_steps), loss="categorical_crossentropy", metrics=["accuracy"])
dense.fit(
    x_train.reshape(len(x_train), 784),
    y_train_1h,
    epochs=DENSE_EPOCHS,
    batch_size=BATCH_SIZE,
    verbose=2,
    validation_split=VALIDATION_SPLIT)


naive = np.stack([naive_28x28(image) for image in digits.images])
careful = np.stack([mnist_like(image, ink_max=16) for image in digits.images])
thinner = np.stack([ndimage.grey_erosion(image, size=(2, 2)) for image in careful])
prepared = {"naive": naive, "MNIST-like": careful, "thinner": thinner}
cnn_accuracy = {name: accuracy_on_digits(model, images) for name, images in prepared.items()}
dense_accuracy = {name: accuracy_on_digits(dense, images) for name, images in prepared.items()}
print(f"{'load_digits prepared':<24}{'TP1 dense':>10}{'TP3 CNN':>10}")
for name in cnn_accuracy:
    print(f"{name:<24}{dense_accuracy[name]:>10.1%}{cnn_accuracy[name]:>10.1%}")

# %%
positions = np.arange(len(cnn_accuracy))
plt.figure(figsize=(7, 3.5))
plt.bar(positions - 0.2, list(dense_accuracy.values()), width=0.4, label=tr("réseau dense du TP1", "TP1 dense network"))
plt.bar(positions + 0.2, list(cnn_accuracy.values()), width=0.4, label=tr("réseau convolutif du TP3", "TP3 convnet"))
plt.xticks(positions, list(cnn_accuracy))
plt.ylabel(tr("exactitude sur load_digits", "accuracy on load_digits"))
plt.ylim(0, 1)
plt.legend()
plt.show()

# %% [markdown] lang="fr"
# **À retenir.** Le CNN généralise mieux hors de MNIST que le réseau dense, avec bien
# moins de paramètres : ses filtres cherchent des traits locaux où qu'ils soient. Mais le
# prétraitement compte toujours autant : sans la mise en forme « façon MNIST », il se
# trompe encore souvent. Au TP robot, c'est ce réseau, et cette préparation des images,
# qui liront les chiffres sur les cubes.

# %% [markdown] lang="en"
# **Take-away.** The CNN generalises better outside MNIST than the dense network, with far
# fewer parameters: its filters look for local strokes wherever they are. But
# preprocessing matters just as much: without the "MNIST-like" preparation, it is still
# often wrong. In the robot lab, this network, and this preparation of the images, will
# read the digits on the cubes.

# %% [markdown] lang="fr"
# ## 8. Votre propre chiffre, à nouveau
#
# Reprenez la photo de votre chiffre du TP1 (ou prenez-en une nouvelle) : la cellule qui
# suit affiche un bouton pour la choisir ; sinon, déposez-la à côté du notebook sous le
# nom `my_digit.png`. Elle passe par les mêmes étapes qu'au TP1 (papier, encre, traits,
# `mnist_like`), puis le réseau convolutif la lit. Lit-il votre chiffre mieux que le réseau dense ?
# Essayez surtout les chiffres qui trompaient le réseau du TP1.

# %% [markdown] lang="en"
# ## 8. Your own digit, again
#
# Take the photo of your digit from TP1 again (or a new one): the next cell shows a button
# to choose it; otherwise put it next to the notebook, named `my_digit.png`. It goes
# through the same steps as in TP1 (paper, ink, strokes, `mnist_like`), then the
# convolutional network reads it. Does it read it better than the dense network? Try
# above all the digits that fooled TP1's network.

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
# 3. Exécutez la cellule ci-dessous : elle crée, à côté du notebook, le fichier
#    `tp3_convnet_<date>.zip` à déposer et affiche son chemin complet (un lien permet aussi
#    de le télécharger), puis vérifie ce
#    fichier en ré-exécutant le notebook enregistré avec ses vérifications publiques
#    (entraînement compris : une à deux minutes).

# %% [markdown] lang="en"
# ## Handing in your work
#
# 1. Run the whole notebook from the top (*Kernel → Restart & Run All*) and check that it
#    runs to the end without errors: the grader will do exactly that.
# 2. Save the notebook (*File → Save*).
# 3. Run the cell below: it writes, next to the notebook, the file
#    `tp3_convnet_<date>.zip` to hand in and prints its full path (a link also lets you
#    download it), then checks that
#    file by running the saved notebook again with its public checks (training included:
#    one to two minutes).

# %%
QUESTIONS = ['q1_images', 'q2_output_size', 'q3_parameters', 'q4_model', 'q5_training', 'q6_mistakes']
# INCLUDE common/hand_in.py
