"""The French student folder's texts: what the build puts in place of the English ones.

``FRENCH[file]`` is a list of ``(English, French)`` pairs: the build replaces each English
text of ``robot_lab/<file>`` with its French one in the French folder's copy, before
cutting the holes, and stops when an English text is not found exactly once (the source
changed: update the pair). The pairs cover what students read while they work: the
docstrings and hints of the three functions they write (the hint is also the message of
the hole's ``NotImplementedError``), and the errors they meet on the way.
"""

HOLE_MESSAGE = {
    "en": "{label}, {function}(): yours to write",
    "fr": "{label}, {function}() : à vous de l'écrire",
}
HINT_WORD = {"en": "Hint", "fr": "Indice"}
SEE_DOCSTRING = {"en": " (see its docstring)", "fr": " (voir sa docstring)"}

FRENCH = {
    "vision.py": [
        (
            '''    """Cut a square face into a 28x28 digit the way MNIST was made.

    Steps: remove a thin border (the face's edge, ``BORDER_FRACTION`` of the side);
    measure each pixel's darkness relative to the paper around it, so that light
    that is uneven across the face (a hotspot, vignetting) is not taken for ink;
    keep the strokes that reach the face's centre region (marks confined to the
    outer ``FRAME_FRACTION``, like a printed frame, are dropped); scale the digit's
    bounding box so that its longer side is 20 pixels (aspect ratio kept); paste it
    in a 28x28 field with its centre of mass at the field's centre.

    Parameters
    ----------
    face : ndarray (S, S) uint8
        A face seen from the front (:func:`warp_face`): dark digit on white paper.

    Returns
    -------
    sprite : ndarray (28, 28) float32 in [0, 1]
        White digit on black, inside a 20x20 box (its longer side exactly 20), centre
        of mass within half a pixel of (14, 14) in array indices (row, column), where
        MNIST's digits have theirs. All zeros when the face holds no digit.
    """''',
            '''    """Découper une face carrée en un chiffre 28×28, préparé comme ceux de MNIST.

    Étapes : retirer une fine bordure (le bord de la face, ``BORDER_FRACTION`` du
    côté) ; mesurer de combien chaque pixel est plus sombre que le papier qui
    l'entoure, pour qu'un éclairage inégal sur la face (un point chaud, le
    vignettage) ne soit pas pris pour de l'encre ; garder les traits qui atteignent
    la zone centrale de la face (les marques cantonnées à la bande extérieure
    ``FRAME_FRACTION``, comme un cadre imprimé, sont écartées) ; redimensionner la
    boîte englobante du chiffre pour que son plus grand côté fasse 20 pixels (en
    conservant les proportions) ; la coller dans une image 28×28, son centre de masse
    au centre de l'image.

    Paramètres
    ----------
    face : ndarray (S, S) uint8
        Une face vue de front (:func:`warp_face`) : chiffre sombre sur papier blanc.

    Renvoie
    -------
    sprite : ndarray (28, 28) float32 dans [0, 1]
        Chiffre blanc sur fond noir, dans une boîte de 20×20 (son plus grand côté
        mesure exactement 20), avec son centre de masse à moins d'un demi-pixel de
        (14, 14) en indices de tableau (ligne, colonne), là où les chiffres de MNIST
        ont le leur. Uniquement des zéros si la face ne porte aucun chiffre.
    """''',
        ),
        (
            """    # HINT: crop a thin border, measure the ink as darkness relative to the paper
    # around each pixel (not a fixed grey level), drop marks near the edges (the
    # printed frame), scale the digit's bounding box to 20 pixels on its longer side,
    # then shift it so that its centre of mass (the ink-weighted mean row and column)
    # lands on (MNIST_CENTRE, MNIST_CENTRE).""",
            """    # INDICE : rognez une fine bordure, mesurez l'encre comme un assombrissement par
    # rapport au papier qui entoure chaque pixel (et non avec un niveau de gris fixe),
    # écartez les marques proches des bords (le cadre imprimé), ramenez le plus grand côté
    # de la boîte englobante du chiffre à 20 pixels, puis décalez le chiffre pour que son
    # centre de masse (la ligne et la colonne moyennes, pondérées par l'encre) tombe en
    # (MNIST_CENTRE, MNIST_CENTRE).""",
        ),
    ],
    "classifier.py": [
        (
            '''    """Read 28x28 sprites as '1' or '2', with the network's confidence.

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
    """''',
            '''    """Lire chaque chiffre 28×28 comme un « 1 » ou un « 2 », avec la confiance du réseau.

    Paramètres
    ----------
    model : keras.Model
        Entrée (lot, 28, 28, 1) float32 ; sortie (lot, 10) : probabilités softmax.
    sprites : ndarray (n, 28, 28) float32 dans [0, 1]
        Chiffres blancs sur fond noir (:func:`robot_lab.vision.face_to_sprite`).

    Renvoie
    -------
    labels : ndarray (n,) int64, chacun 1 ou 2
        Celui des deux chiffres dont la probabilité est la plus forte.
    confidences : ndarray (n,) float32 dans [0, 1]
        La probabilité softmax que le réseau donne à ce chiffre, parmi les dix chiffres :
        proche de 1 pour un chiffre net, faible quand l'image ressemble à un autre
        chiffre, ou à aucun chiffre (elle n'est pas renormalisée sur {1, 2}).
    """''',
        ),
        (
            """    # HINT: model.predict_on_batch(sprites) gives (n, 10) probabilities; keep the
    # columns of LABELS and take the larger one per sprite.""",
            """    # INDICE : model.predict_on_batch(sprites) donne un tableau (n, 10) de probabilités ;
    # gardez les colonnes de LABELS et prenez, pour chaque chiffre, la plus grande des deux.""",
        ),
        (
            """            f"no trained digit model at {path}. Train it with `python -m robot_lab.classifier` "
            f"(about a minute and a half), or pass the path of a .keras model you trained.\"""",
            """            f"pas de réseau entraîné dans {path}. Entraînez-le avec `python -m robot_lab.classifier` "
            f"(une minute et demie environ), ou donnez le chemin d'un modèle .keras que vous avez entraîné.\"""",
        ),
        (
            """            f"{path} is not a Keras model this version of Keras can load ({error}). "
            "Train a new one with `python -m robot_lab.classifier`.\"""",
            """            f"{path} n'est pas un modèle que cette version de Keras sait charger ({error}). "
            "Entraînez-en un nouveau avec `python -m robot_lab.classifier`.\"""",
        ),
    ],
    "ros_service.py": [
        (
            '''    """A pixel coordinate as a ``std_msgs/UInt32``: rounded to the nearest pixel, at least 0.

    A corner of a cube that touches the image's edge can lie slightly outside the
    image (a negative coordinate); UInt32 cannot hold it, so it becomes 0.
    """''',
            '''    """Une coordonnée en pixels, en ``std_msgs/UInt32`` : arrondie au pixel près, jamais négative.

    Le coin d'un cube qui touche le bord de l'image peut se trouver légèrement en
    dehors (coordonnée négative) ; un UInt32 ne peut pas la représenter : elle devient 0.
    """''',
        ),
        (
            '''    """Write the cubes found into the service's response.

    Every list of the response gets one entry per cube, in the order of ``cubes``.

    Parameters
    ----------
    cubes : list of robot_lab.pipeline.Cube
        ``label`` (1 or 2), ``confidence`` (float in [0, 1]), ``center`` (x, y)
        pixels, ``corners`` ndarray (4, 2) float32 (x, y) pixels.
    response : robot_lab.srv.RecogniseCubesResponse, empty
        Fields ``label``, ``x_center``, ``y_center``, ``x1``, ``y1`` ... ``x4``,
        ``y4``: lists of ``std_msgs/UInt32`` (use :func:`pixel` for coordinates,
        ``UInt32(data=label)`` for labels); ``confidence``: list of float.
        ``x1, y1`` is the cube's first corner, ``corners[0]``, and so on.

    Returns
    -------
    response, filled in place.
    """''',
            '''    """Écrire les cubes trouvés dans la réponse du service.

    Chaque liste de la réponse reçoit une entrée par cube, dans l'ordre de ``cubes``.

    Paramètres
    ----------
    cubes : liste de robot_lab.pipeline.Cube
        ``label`` (1 ou 2), ``confidence`` (flottant dans [0, 1]), ``center`` (x, y)
        en pixels, ``corners`` ndarray (4, 2) float32 (x, y) en pixels.
    response : robot_lab.srv.RecogniseCubesResponse, vide
        Champs ``label``, ``x_center``, ``y_center``, ``x1``, ``y1`` ... ``x4``,
        ``y4`` : listes de ``std_msgs/UInt32`` (utilisez :func:`pixel` pour les coordonnées
        et ``UInt32(data=label)`` pour les étiquettes) ; ``confidence`` : liste de flottants.
        ``x1, y1`` est le premier coin du cube, ``corners[0]``, et ainsi de suite.

    Renvoie
    -------
    response, remplie en place.
    """''',
        ),
        (
            "    # HINT: one entry per cube in every list, in the same order; corners[0] gives x1, y1.",
            "    # INDICE : une entrée par cube dans chaque liste, dans le même ordre ; corners[0] donne x1, y1.",
        ),
    ],
}
