# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] lang="fr"
# # TP robot : lire les chiffres écrits sur les cubes
#
# Un bras robot photographie des cubes posés sur une table. Sur l'une des faces de chaque
# cube, un « 1 » ou un « 2 » est écrit au feutre. Le service ROS que vous allez terminer
# repère chaque face dans l'image, en tire une petite image 28×28 du chiffre, semblable à
# celles de MNIST, la fait lire par le réseau convolutif du TP3, et renvoie la position de
# chaque cube et le chiffre qu'il porte.
#
# Dans le dossier `robot_lab/`, à côté de ce notebook, tout est déjà écrit, sauf trois
# fonctions :
#
# | fichier | fonction | ce qu'elle fait |
# |---|---|---|
# | `robot_lab/vision.py` | `face_to_sprite` | une face vue de front → un chiffre 28×28 préparé comme ceux de MNIST |
# | `robot_lab/classifier.py` | `predict_digits` | des chiffres 28×28 → « 1 » ou « 2 », et la confiance du réseau |
# | `robot_lab/ros_service.py` | `fill_response` | les cubes trouvés → la réponse du service ROS |
#
# Tant que vous ne les avez pas écrites, elles lèvent `NotImplementedError`, avec un message
# qui indique laquelle écrire. Lisez leurs docstrings : elles disent exactement ce qui est
# attendu. Ce notebook montre chaque étape sur une scène simulée ; relancez une cellule après
# avoir modifié un fichier (le module est rechargé automatiquement). Il lui faut les paquets
# de `requirements.txt`, dans l'environnement Python dont `README.md` décrit la création ;
# le réseau entraîné se trouve dans `data/robot_lab/`. Pour vous noter vous-même :
# `python grading/run.py`.

# %% [markdown] lang="en"
# # Robot lab: reading the digits written on the cubes
#
# A robot arm photographs cubes lying on a table. On one face of each cube, a '1' or a
# '2' is written in marker. The ROS service you are going to finish finds each face
# in the image, cuts it into a small 28×28 digit like MNIST's, reads it with TP3's
# convolutional network, and answers where each cube is and which digit it carries.
#
# Everything is written already except three functions, in the folder `robot_lab/` next
# to this notebook:
#
# | file | function | what it does |
# |---|---|---|
# | `robot_lab/vision.py` | `face_to_sprite` | a face seen from the front → an MNIST-like 28×28 digit |
# | `robot_lab/classifier.py` | `predict_digits` | 28×28 digits → '1' or '2', and the network's confidence |
# | `robot_lab/ros_service.py` | `fill_response` | the cubes found → the ROS service's response |
#
# Until you write them they raise `NotImplementedError`, with a message saying which one
# to write. Read their docstrings: they say exactly what is expected. This notebook shows
# each step on a simulated scene; re-run a cell after editing a file (the module is
# reloaded automatically). It needs the packages of `requirements.txt` and the Python
# environment that `README.md` says how to create; the trained network is in
# `data/robot_lab/`. `python grading/run.py` grades your work.

# %%
# %load_ext autoreload
# %autoreload 2

import cv2
import matplotlib.pyplot as plt
import numpy as np

from robot_lab import classifier, pipeline, simulator, vision

# %% [markdown] lang="fr"
# ## 1. Une scène simulée
#
# Faute de robot sous la main, `simulator.render_scene` dessine ce que verrait sa caméra :
# une table sombre, un à trois cubes orientés au hasard et vus en perspective, un éclairage
# souvent faible, une image un peu floue et bruitée. Les chiffres sont de vrais chiffres
# manuscrits (des « 1 » et des « 2 » du jeu de test de MNIST, que le réseau n'a jamais vus).
# Changez la graine pour voir d'autres scènes.

# %% [markdown] lang="en"
# ## 1. A simulated scene
#
# With no robot at hand, `simulator.render_scene` draws what its camera sees: a dark
# table, one to three cubes turned at random and seen in perspective, often dim light,
# a slightly blurred and noisy image. The digits are real handwritten ones ('1's and
# '2's from MNIST's test set, which the network never saw). Change the seed to see other
# scenes.

# %%
image, truth = simulator.render_scene(np.random.default_rng(5), n_cubes=3)

plt.figure(figsize=(8, 6))
plt.imshow(image[..., ::-1])  # OpenCV images are BGR, matplotlib wants RGB
plt.title(f"simulated camera, {image.shape[1]}x{image.shape[0]}: digits {[cube.label for cube in truth]}")
plt.axis("off")
plt.show()

# %% [markdown] lang="fr"
# ## 2. Trouver les faces
#
# `vision.find_faces` cherche les carrés blancs : un seuil qui s'adapte à l'éclairage, les
# contours des taches blanches, quatre coins par tache ; seules sont gardées les taches qui
# ont la taille, la forme et le contraste d'une face. Les coins sont numérotés dans le sens
# des aiguilles d'une montre, en partant de celui qui est le plus proche du coin supérieur
# gauche de l'image.

# %% [markdown] lang="en"
# ## 2. Finding the faces
#
# `vision.find_faces` looks for the white squares: a threshold that adapts to the light,
# the outlines of the white blobs, four corners per blob, then only the blobs with a
# face's size, shape and contrast are kept. Corners are ordered clockwise, starting from
# the one nearest the image's top-left corner.

# %%
faces = vision.find_faces(image)

drawn = image.copy()
for corners in faces:
    cv2.polylines(drawn, [np.round(corners).astype(np.int32)], isClosed=True, color=(0, 255, 0), thickness=2)
    for number, (x, y) in enumerate(corners, start=1):
        cv2.putText(drawn, str(number), (int(x), int(y)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 255), 2)

plt.figure(figsize=(8, 6))
plt.imshow(drawn[..., ::-1])
plt.title(f"{len(faces)} faces found, corners numbered 1 to 4")
plt.axis("off")
plt.show()

# %% [markdown] lang="fr"
# ## 3. Les faces redressées
#
# `vision.warp_face` corrige la perspective : chaque face devient un carré de 112×112 pixels,
# vu de front. Le chiffre y est sombre sur fond clair, entouré du bord de la face et souvent
# d'un cadre imprimé (tirets ou encoches) ; il peut être tourné d'un quart de tour.

# %% [markdown] lang="en"
# ## 3. The warped faces
#
# `vision.warp_face` undoes the perspective: each face becomes a square seen from the
# front, 112×112 pixels. The digit is dark on a light background, surrounded by the
# face's edge and often a printed frame (dashes or notches); it may be turned by a
# quarter turn.

# %%
gray = vision.to_gray(image)
warped = [vision.warp_face(gray, corners) for corners in faces]

fig, axes = plt.subplots(1, len(warped), figsize=(3 * len(warped), 3), squeeze=False)
for ax, face in zip(axes[0], warped):
    ax.imshow(face, cmap="gray", vmin=0, vmax=255)
    ax.set_title(f"{face.shape[1]}x{face.shape[0]}, max {face.max()}")
    ax.axis("off")
plt.show()

# %% [markdown] lang="fr"
# ## 4. Les chiffres 28×28 — à vous : `face_to_sprite`
#
# Le réseau a été entraîné sur MNIST : il faut donc lui présenter des chiffres préparés comme
# ceux de MNIST. Écrivez `face_to_sprite` dans `robot_lab/vision.py` :
#
# 1. retirer une fine bande le long du bord de la face, puis les marques qui longent le bord
#    sans atteindre le milieu (le cadre imprimé) ;
# 2. inverser l'image pour obtenir un chiffre **blanc sur fond noir**, à valeurs dans [0, 1],
#    quel que soit l'éclairage (normalisez d'après le papier et l'encre de la face elle-même) ;
# 3. redimensionner la boîte englobante du chiffre pour que son plus grand côté fasse
#    **20 pixels** (en conservant ses proportions) ;
# 4. la coller dans une image 28×28 en plaçant son **centre de masse** au centre.
#
# La cellule suivante dessine vos chiffres avec leur centre de masse (croix rouge), qui doit
# tomber là où se trouve celui des chiffres de MNIST (croix verte : ligne 14, colonne 14).

# %% [markdown] lang="en"
# ## 4. The 28×28 digits — your part: `face_to_sprite`
#
# The network learnt on MNIST, so it must be shown digits made the way MNIST's were.
# Write `face_to_sprite` in `robot_lab/vision.py`:
#
# 1. remove a thin strip along the face's edge, then the marks that stay along the edge
#    without reaching the middle (the printed frame);
# 2. invert to get a **white digit on black**, values in [0, 1], whatever the light
#    (normalise by the face's own paper and ink);
# 3. scale the digit's bounding box so that its longer side is **20 pixels** (keeping
#    its aspect ratio);
# 4. paste it into a 28×28 image with its **centre of mass** at the centre.
#
# The next cell draws your digits with their centre of mass (red cross), which should
# fall where MNIST's digits have theirs (green cross, row and column 14).

# %%
sprites = np.stack([vision.face_to_sprite(face) for face in warped])

fig, axes = plt.subplots(1, len(sprites), figsize=(3 * len(sprites), 3), squeeze=False)
for ax, sprite in zip(axes[0], sprites):
    rows, cols = np.indices(sprite.shape)
    ax.imshow(sprite, cmap="gray", vmin=0, vmax=1)
    ax.plot(vision.MNIST_CENTRE, vision.MNIST_CENTRE, "g+", markersize=16)
    ax.plot((cols * sprite).sum() / sprite.sum(), (rows * sprite).sum() / sprite.sum(), "r+", markersize=12)
    ax.set_title(f"{sprite.dtype}, {sprite.min():.1f} to {sprite.max():.1f}")
    ax.axis("off")
plt.show()

# %% [markdown] lang="fr"
# ### Et sur de vraies photos ?
#
# Une vraie photo réserve des surprises qu'une scène simulée trop sage ne montrerait pas.
# Le simulateur les reproduit toutes, dans les scènes de ce notebook comme dans celles du
# correcteur : votre `face_to_sprite` doit donc s'en accommoder.
#
# - **Un éclairage inégal sur une même face.** Une lampe proche crée un point chaud,
#   l'objectif assombrit les coins de l'image : sur une vraie face, le papier le plus
#   sombre n'a souvent que les trois quarts de la luminosité du plus clair, parfois moins
#   de la moitié.
# - **Des scènes très sombres ou très claires.** Sous la lumière grise de la salle, le
#   papier plafonne entre 80 et 115 (sur 255) et la table est presque noire ; sous un
#   projecteur, le papier atteint 220 à 240, et il est posé sur un tissu sombre et plissé,
#   qui a ses propres reflets.
# - **Un cadre imprimé.** Chaque face porte un cadre à encoches : des taches sombres le long
#   des bords et dans les coins, qui ne font pas partie du chiffre.
# - **Des cubes vus de côté.** Quand la caméra les voit de biais, la face supérieure du cube
#   apparaît au-dessus de celle qui porte le chiffre, et c'est souvent la zone la plus
#   claire de l'image ; les coins trouvés sont moins précis, et une bande de l'arête du cube
#   peut subsister dans la face redressée.
# - **Des chiffres épais, près du bord.** Écrits au gros feutre, ils arrivent parfois à
#   quelques pixels du bord de la face ; le « 1 » à l'européenne porte en haut une longue
#   barre oblique.
# - **Les artefacts de compression JPEG.** Des blocs de 8×8 pixels et des traits aux bords
#   qui bavent.
#
# Concrètement, votre `face_to_sprite` doit :
#
# 1. **mesurer l'encre d'après le papier et l'encre de la face elle-même**, et non avec un
#    seuil fixe. Avec « sombre si < 128 », un coin de papier mal éclairé devient de l'encre,
#    et sur une photo sombre, c'est tout le papier qui y passe. L'encre, c'est ce qui est
#    nettement plus sombre que le papier *qui l'entoure* : estimez le niveau du papier
#    localement (sur une fenêtre plus large qu'un trait) et mesurez l'encre en proportion
#    de ce niveau ; une face sombre et une face claire donnent alors le même chiffre ;
# 2. **ignorer les marques le long du bord découpé** : une tache qui reste collée au bord
#    (le cadre, l'arête de la face voisine) n'est pas le chiffre, qui, lui, s'avance vers
#    le milieu de la face. Sans pour autant rogner trop large : un chiffre épais écrit près
#    du bord doit rester entier ;
# 3. **conserver les proportions du chiffre** : le plus grand côté de sa boîte englobante
#    passe à 20 pixels, l'autre suit dans le même rapport. Un « 1 » étiré en carré devient
#    un pavé que le réseau lit au hasard.
#
# Pour voir ce que donne votre fonction sur de vraies photos, passez à la partie 8.

# %% [markdown] lang="en"
# ### What about real photos?
#
# A real photo holds surprises that a too well-behaved simulated scene would not show.
# The simulator reproduces all of them, in this notebook's scenes as in the grader's, so
# your `face_to_sprite` must cope with them.
#
# - **Light that is uneven across one face.** A nearby lamp makes a hotspot, the lens
#   darkens the corners of the picture: on a real face the darkest paper is often only
#   three quarters as bright as the brightest, sometimes less than half.
# - **Very dark and very bright scenes.** Under the room's grey light the paper is only
#   80 to 115 (out of 255) and the table almost black; under a spotlight the paper reaches
#   220–240, standing on dark, folded fabric with its own highlights.
# - **A printed frame.** Every face carries a notched frame: dark tabs along the edges and
#   at the corners, which are not the digit.
# - **Cubes seen from the side.** When the camera looks at them at an angle, the cube's top
#   face shows above the face with the digit, and it is often the brightest thing in the
#   picture; the corners found are less precise, and a strip of the cube's edge can remain
#   in the warped face.
# - **Thick digits near the edge.** Written with a broad marker, they sometimes come within
#   a few pixels of the face's edge; a European '1' has a long flag.
# - **JPEG noise.** 8×8 blocks and smeared stroke edges.
#
# In practice, your `face_to_sprite` must:
#
# 1. **measure the ink against the face's own paper and ink levels**, not with a fixed
#    threshold. With "dark if < 128", a poorly lit corner of paper becomes ink, and in a
#    dark photo all the paper does. Ink is what is clearly darker than the paper *around
#    it*: estimate the paper's level locally (over a window wider than a stroke) and
#    measure the ink as a proportion of that level; a dark face and a bright one then give
#    the same digit;
# 2. **ignore marks along the cut edge**: a blob that stays along the edge (the frame, the
#    edge of the next face) is not the digit, which reaches towards the middle of the face.
#    Without cropping too wide, though: a thick digit written near the edge must stay whole;
# 3. **keep the digit's aspect ratio**: the longer side of its bounding box becomes 20
#    pixels and the other follows in the same ratio. A '1' stretched into a square becomes
#    a blob that the network reads at random.
#
# To see how your function does on real photos, go to section 8.

# %% [markdown] lang="fr"
# ## 5. Lire les chiffres — à vous : `predict_digits`
#
# Le réseau (celui du TP3, entraîné sur les 60 000 images du jeu d'entraînement de MNIST)
# donne dix probabilités par image, une par chiffre de 0 à 9. Le robot ne voit jamais que
# des « 1 » et des « 2 » : écrivez `predict_digits` dans `robot_lab/classifier.py` pour
# qu'elle renvoie, pour chaque image, celui de ces deux chiffres qui a la plus forte
# probabilité, avec cette probabilité comme confiance. Les cubes peuvent être tournés :
# `pipeline.recognise` essaie les quatre quarts de tour et garde celui dont le réseau est le
# plus sûr ; ici, sur les chiffres tels quels, un chiffre couché peut être mal lu.

# %% [markdown] lang="en"
# ## 5. Reading the digits — your part: `predict_digits`
#
# The network (TP3's, trained on MNIST's 60,000 training images) gives ten probabilities
# per image, one per digit 0 to 9. The robot only ever sees '1's and '2's: write
# `predict_digits` in `robot_lab/classifier.py` so that it returns, for each digit, the
# one of those two with the higher probability, and that probability as its confidence.
# Cubes may be turned: `pipeline.recognise` tries the four quarter turns and keeps the one
# the network is surest of; here, on the digits as they are, a digit lying on its side may
# be misread.

# %%
model = classifier.load_model()
labels, confidences = classifier.predict_digits(model, sprites)

fig, axes = plt.subplots(1, len(sprites), figsize=(3 * len(sprites), 3), squeeze=False)
for ax, sprite, label, confidence in zip(axes[0], sprites, labels, confidences):
    ax.imshow(sprite, cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"'{label}' ({confidence:.0%})")
    ax.axis("off")
plt.show()

# %% [markdown] lang="fr"
# ## 6. La chaîne complète
#
# `pipeline.recognise(image, model)` enchaîne les étapes et renvoie un `Cube` par face : son
# chiffre, la confiance, le centre et les coins de la face. Comparez avec la vérité terrain
# de la scène simulée.

# %% [markdown] lang="en"
# ## 6. All together
#
# `pipeline.recognise(image, model)` chains the steps and returns one `Cube` per face: its
# digit, the confidence, the face's centre and corners. Compare with the simulated
# scene's truth.

# %%
cubes = pipeline.recognise(image, model)

drawn = image.copy()
for cube in cubes:
    cv2.polylines(drawn, [np.round(cube.corners).astype(np.int32)], isClosed=True, color=(0, 255, 0), thickness=2)
    x, y = int(cube.corners[:, 0].min()), int(cube.corners[:, 1].min()) - 8  # above the face
    cv2.putText(drawn, f"{cube.label} ({cube.confidence:.0%})", (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 255), 2)

plt.figure(figsize=(8, 6))
plt.imshow(drawn[..., ::-1])
plt.title(f"found {[c.label for c in cubes]}, truth {[c.label for c in truth]}")
plt.axis("off")
plt.show()

# %% [markdown] lang="fr"
# ## 7. Le service ROS — à vous : `fill_response`
#
# Le nœud `vision_server` charge le réseau une seule fois, puis répond au service
# `/robot_lab/recognise_cubes` : en entrée, une image ; en sortie, une liste par champ
# (`label`, `x_center`, `y_center`, `x1`, `y1` … `x4`, `y4`, `confidence`), avec un élément
# par cube, dans le même ordre. Le service `/ros4pro/vision/predict` renvoie la même chose
# sans les confiances, exactement comme celui de l'atelier ROS4PRO. Écrivez `fill_response`
# dans `robot_lab/ros_service.py` (sa docstring donne le type de chaque champ), puis, une
# fois ROS 1 installé (`README.md`, partie 1), lancez le service dans un terminal ouvert
# dans le dossier de ce notebook :
#
# ```sh
# source .venv/bin/activate                     # l'environnement Python du TP
# export PYTHONPATH=$PWD                        # les nœuds exécutent votre robot_lab, celui de ce dossier
# export ROS_PACKAGE_PATH=$PWD/robot_lab        # pour que roslaunch trouve le paquet robot_lab
# python -m robot_lab.ros_msgs                  # génère le code Python du service dans build/ros/python
# roslaunch robot_lab robot_lab.launch seed:=5 cubes:=3   # roscore, le service, la scène de la partie 1
# ```
#
# puis interrogez-le depuis un autre terminal, dans le même dossier (`"{}"` : une image vide ;
# le service prend alors la dernière image de la caméra) :
#
# ```sh
# source .venv/bin/activate
# export PYTHONPATH=$PWD/build/ros/python
# rosservice call /robot_lab/recognise_cubes "{}"
# ```
#
# Sur le robot, remplacez la caméra simulée par la vraie :
# `roslaunch robot_lab robot_lab.launch sim:=false camera_topic:=/usb_cam/image_raw`
# (`README.md`, partie 4).
#
# **Avec ROS 2 (Jazzy)** : le même `fill_response` sert pour les deux versions de ROS. Si
# ROS 2 n'est pas installé, travaillez dans un venv à part (ses `std_msgs` masqueraient ceux
# de ROS 1), où vous aurez installé requirements.txt :
#
# ```sh
# pip install "ros-jazzy-rclpy[fastrtps]" ros-jazzy-sensor-msgs ros-jazzy-std-msgs catkin-pkg
# python -m robot_lab.ros2.interfaces           # les services ROS 2, compilés dans ce venv (gcc, g++)
# export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST ROS_DOMAIN_ID=42
# python -m robot_lab.ros2.vision_server --ros-args -p model:=data/robot_lab/digits.keras &
# python -m robot_lab.ros2.sim_camera --ros-args -p seed:=5 -p cubes:=3 &
# python -m robot_lab.ros2.client               # les cubes que voit la caméra, en JSON
# ```
#
# Sur un robot sous ROS 2, écrivez les deux paquets dans votre espace de travail colcon avec
# `python -m robot_lab.ros2.workspace ~/ros2_ws/src` (depuis ce dossier), compilez-les avec
# `cd ~/ros2_ws && colcon build` (avec ou sans `--symlink-install` ; refaites les deux après
# chaque modification de votre code), puis lancez `ros2 launch robot_lab robot_lab.launch.py`.

# %% [markdown] lang="en"
# ## 7. The ROS service — your part: `fill_response`
#
# The `vision_server` node loads the network once, then answers the service
# `/robot_lab/recognise_cubes`: an image in, out one list per field (`label`, `x_center`,
# `y_center`, `x1`, `y1` … `x4`, `y4`, `confidence`), one entry per cube, in the same
# order. The service `/ros4pro/vision/predict` gives the same without the confidences,
# exactly as the ROS4PRO workshop's. Write `fill_response` in `robot_lab/ros_service.py`
# (the docstring gives each field's type), then start the service in a terminal, in this
# notebook's folder, once ROS 1 is installed (`README.md`, section 1):
#
# ```sh
# source .venv/bin/activate                     # the lab's Python environment
# export PYTHONPATH=$PWD                        # the nodes run your robot_lab, this folder's
# export ROS_PACKAGE_PATH=$PWD/robot_lab        # so that roslaunch finds the package robot_lab
# python -m robot_lab.ros_msgs                  # the service's Python code, into build/ros/python
# roslaunch robot_lab robot_lab.launch seed:=5 cubes:=3   # roscore, the service, section 1's scene
# ```
#
# and call it from another terminal, in the same folder (`"{}"`: an empty image, so the
# service takes the camera's latest image):
#
# ```sh
# source .venv/bin/activate
# export PYTHONPATH=$PWD/build/ros/python
# rosservice call /robot_lab/recognise_cubes "{}"
# ```
#
# On the robot, replace the simulated camera with the real one:
# `roslaunch robot_lab robot_lab.launch sim:=false camera_topic:=/usb_cam/image_raw`
# (`README.md`, section 4).
#
# **With ROS 2 (Jazzy)**: the same `fill_response` serves both ROS. Without a ROS 2 install,
# in a venv of its own (its `std_msgs` would hide ROS 1's), with requirements.txt:
#
# ```sh
# pip install "ros-jazzy-rclpy[fastrtps]" ros-jazzy-sensor-msgs ros-jazzy-std-msgs catkin-pkg
# python -m robot_lab.ros2.interfaces           # the ROS 2 services, compiled into this venv (gcc, g++)
# export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST ROS_DOMAIN_ID=42
# python -m robot_lab.ros2.vision_server --ros-args -p model:=data/robot_lab/digits.keras &
# python -m robot_lab.ros2.sim_camera --ros-args -p seed:=5 -p cubes:=3 &
# python -m robot_lab.ros2.client               # the cubes the camera sees, as JSON
# ```
#
# On a ROS 2 robot, write the two packages into your colcon workspace with
# `python -m robot_lab.ros2.workspace ~/ros2_ws/src` (from this folder), build them with
# `cd ~/ros2_ws && colcon build` (with or without `--symlink-install`; redo both after
# each change to your code), then run `ros2 launch robot_lab robot_lab.launch.py`.

# %% [markdown] lang="fr"
# ## 8. Vos propres photos
#
# Photographiez des cubes (ou des carrés de papier blanc avec un « 1 » ou un « 2 » au
# feutre noir) sur un fond sombre, puis :
#
# ```sh
# python -m robot_lab.detect photo1.jpg photo2.jpg --draw dessins/
# ```
#
# La commande affiche pour chaque cube son chiffre, la confiance et la position, et
# `dessins/photo1_cubes.png` montre ce qui a été trouvé (les photos rangées dans des
# sous-dossiers retrouvent leur sous-dossier dans `dessins/`). Où se trompe-t-elle ? Un
# éclairage trop faible, un reflet, un chiffre trop petit ou collé au bord ?
#
# Pour faire le bilan sur tout un dossier, nommez chaque photo d'après ses chiffres, de
# gauche à droite (`12_1.jpg` : un « 1 » à gauche d'un « 2 », première photo), puis :
#
# ```sh
# python -m robot_lab.photos mes_photos/
# ```
#
# La commande compte les cubes trouvés, les cubes détectés là où il n'y en a pas et les
# chiffres bien lus, et indique pour chaque photo ce qui n'a pas fonctionné.

# %% [markdown] lang="en"
# ## 8. Your own photos
#
# Photograph cubes (or squares of white paper with a '1' or a '2' in black marker) on a
# dark background, then:
#
# ```sh
# python -m robot_lab.detect photo1.jpg photo2.jpg --draw drawings/
# ```
#
# The command prints each cube's digit, confidence and position, and
# `drawings/photo1_cubes.png` shows what was found (photos in sub-folders keep their
# sub-folder under `drawings/`). Where does it go wrong? Light too dim, a reflection, a
# digit too small or touching the edge?
#
# To score a whole folder, name each photo after its digits, left to right (`12_1.jpg`:
# a '1' left of a '2', first photo), then:
#
# ```sh
# python -m robot_lab.photos my_photos/
# ```
#
# It counts the cubes found, the cubes seen where there are none and the digits read
# right, and says for each photo what went wrong.

# %% [markdown] lang="fr"
# ## 9. Rendre le travail
#
# Déposez sur Gradescope vos trois fichiers `vision.py`, `classifier.py` et
# `ros_service.py` (ou un zip de votre dossier `robot_lab/`). Le correcteur les substitue
# aux fichiers de la solution et teste vos trois fonctions sur des scènes simulées que vous
# n'avez jamais vues (avec d'autres chiffres manuscrits) : la forme et le centrage de vos
# chiffres 28×28, les étiquettes et les confiances, les cubes trouvés et bien lus, et chaque
# champ de la réponse du service. Un fichier manquant compte comme non écrit.

# %% [markdown] lang="en"
# ## 9. Handing in
#
# Upload your three files `vision.py`, `classifier.py` and `ros_service.py` to Gradescope
# (or a zip of your `robot_lab/` folder). The grader puts them in place of the solution's
# files and tests your three functions on simulated scenes you have never seen (other
# handwritten digits): the shape and centring of your 28×28 digits, the labels and
# confidences, the cubes found and read right, and every field of the service's response.
# A missing file counts as not written.
