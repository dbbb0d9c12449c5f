"""The students' own digits (TP1 and TP3): a photo the test draws itself, through the notebooks' shared cell."""

import io

import matplotlib
import numpy as np
import pytest
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from autograder import build

matplotlib.use("Agg")

TPS_WITH_OWN_DIGIT = ("tp1_dense", "tp3_convnet")


def notebook_functions(name, lang="en"):
    """The globals of the notebook's own-digit cell (and the mnist_like it uses), run as the notebook runs them."""
    import matplotlib.pyplot as plt

    cells = [c.source for c in build.select_language(build.read_source(name), lang).cells if c.cell_type == "code"]
    env = {"np": np, "plt": plt, "ndimage": ndimage, "tr": (lambda fr, en: fr) if lang == "fr" else (lambda fr, en: en)}
    (mnist_like,) = [s for s in cells if "def mnist_like(" in s]
    (own_digit,) = [s for s in cells if "def photo_to_mnist(" in s]
    start = mnist_like.index("def mnist_like(")
    exec(mnist_like[start:].split("\n\n\n")[0], env)  # the function, not the cell's use of load_digits
    # The cell's last lines would open the upload button: only its functions are needed here.
    exec(own_digit.split("\n\n\nif not Path(MY_DIGIT)")[0], env)
    return env


def photographed_digit(digit, size=(360, 300), seed=0, pen=None):
    """A JPEG 'photo' of a digit in dark ink on paper lit unevenly, with sensor noise (bytes)."""
    rng = np.random.default_rng(seed + 10 * digit)
    height, width = size
    font = ImageFont.truetype(font_manager.findfont("DejaVu Sans"), int(0.6 * height))
    sheet = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(sheet)
    offset = rng.integers(-30, 31, size=2)
    draw.text((width / 2 + offset[0], height / 2 + offset[1]), str(digit), fill=0, font=font, anchor="mm")
    ink = 1 - np.asarray(sheet, dtype="float32") / 255
    if pen is not None:  # a thin pen: only the outline of the glyph
        ink = ink - ndimage.binary_erosion(ink > 0.5, iterations=pen)
    light = np.linspace(0.95, 0.5, width)[None, :] * np.linspace(1.0, 0.8, height)[:, None]
    photo = light * (1 - 0.8 * np.clip(ink, 0, 1)) + rng.normal(0, 0.02, size=(height, width))
    buffer = io.BytesIO()
    Image.fromarray((255 * np.clip(photo, 0, 1)).astype("uint8")).convert("RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


@pytest.mark.parametrize("name", TPS_WITH_OWN_DIGIT)
def test_a_photographed_digit_becomes_an_mnist_like_image(name, tmp_path):
    functions = notebook_functions(name)
    for digit in (0, 3, 7):
        path = tmp_path / f"digit{digit}.jpg"
        path.write_bytes(photographed_digit(digit))
        steps = functions["photo_to_mnist"](functions["read_photo"](path))
        assert list(steps) == ["photo", "paper", "ink", "strokes", "MNIST-like"]
        image = steps["MNIST-like"]
        assert image.shape == (28, 28) and image.dtype == np.float32
        assert image.min() >= 0 and image.max() <= 1 and image.max() > 0.6, "light ink on black, in [0, 1]"
        assert np.abs(np.array(ndimage.center_of_mass(image)) - 14).max() < 1, "centred by its centre of mass"
        corners = np.concatenate([image[:3, :3], image[:3, -3:], image[-3:, :3], image[-3:, -3:]]).ravel()
        assert corners.max() < 0.05, "the unevenly lit paper became a black background"
        assert 0.05 < image.mean() < 0.3, f"about as much ink as an MNIST digit (0.13 on average); {image.mean():.2f}"


def test_a_thin_pen_is_thickened_to_mnists_stroke(tmp_path):
    functions = notebook_functions("tp1_dense")
    path = tmp_path / "thin.jpg"
    path.write_bytes(photographed_digit(8, pen=4))
    thin = functions["photo_to_mnist"](functions["read_photo"](path))["MNIST-like"]
    assert thin.mean() > 0.08, f"a thin pen's digit should be thickened like MNIST's; mean ink {thin.mean():.2f}"


@pytest.mark.parametrize("lang", ("fr", "en"))
def test_the_steps_are_drawn_with_titles_in_the_notebooks_language(lang):
    import matplotlib.pyplot as plt

    functions = notebook_functions("tp1_dense", lang)
    steps = functions["photo_to_mnist"](functions["example_photo"]())
    functions["plt"].show = lambda: None
    functions["show_steps"](steps)
    titles = [ax.get_title() for ax in plt.gcf().axes]
    plt.close("all")
    assert titles[2] == {"fr": "encre", "en": "ink"}[lang]


@pytest.mark.slow
def test_trained_networks_read_photographed_digits(tmp_path):
    """A dense net and a small convnet, briefly trained on MNIST, read most of the photographed digits 0-9."""
    import keras

    from robot_lab.mnist import load_mnist

    (x_train, y_train), _ = load_mnist()
    x = x_train.astype("float32") / 255
    y = keras.utils.to_categorical(y_train, 10)
    keras.utils.set_random_seed(0)
    dense = keras.Sequential(
        [keras.Input((784,)), keras.layers.Dense(256, activation="relu"), keras.layers.Dense(10, activation="softmax")]
    )
    convnet = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(16, 5, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    for model in (dense, convnet):
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        model.fit(x.reshape((-1, *model.input_shape[1:])), y, epochs=2, batch_size=128, verbose=0)
    for name, model in (("tp1_dense", dense), ("tp3_convnet", convnet)):
        functions = notebook_functions(name)
        read = []
        for digit in range(10):
            path = tmp_path / f"{name}-{digit}.jpg"
            path.write_bytes(photographed_digit(digit))
            image = functions["photo_to_mnist"](functions["read_photo"](path))["MNIST-like"]
            read.append(int(functions["read_digit"](model, image).argmax()))
        assert sum(r == d for d, r in enumerate(read)) >= 8, f"{name}: digits 0-9 read as {read}"
