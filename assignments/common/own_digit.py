from pathlib import Path

from PIL import Image

MY_DIGIT = "my_digit.png"  # the photo or scan of your digit, next to this notebook


def upload_digit(target=MY_DIGIT):
    """Choose a photo on your computer and save it as target (a button, in Colab or Jupyter)."""
    try:
        from google.colab import files  # on Google Colab
    except ImportError:
        files = None
    if files is not None:
        for content in files.upload().values():
            Path(target).write_bytes(content)
        return
    try:
        import ipywidgets
        from IPython.display import display
    except ImportError:
        print(tr(f"pas de bouton ici : mettez votre photo à côté du notebook, sous le nom {target}",
                 f"no upload button here: put your photo next to this notebook, named {target}"))
        return
    button = ipywidgets.FileUpload(accept="image/*", multiple=False, description="photo")

    def save(change):
        for item in change["new"]:
            Path(target).write_bytes(bytes(item["content"]))
            print(tr(f"enregistrée sous {target} : exécutez la cellule suivante", f"saved as {target}: run the next cell"))

    button.observe(save, names="value")
    display(button)


def read_photo(path):
    """A photo or scan (PNG, JPEG, ...) -> greyscale float32 array (h, w) in [0, 1], 0 = black."""
    with Image.open(path) as image:
        image = image.convert("L")
        image.thumbnail((400, 400))  # plenty of pixels for a 28 x 28 digit
        return np.asarray(image, dtype="float32") / 255.0


def photo_to_mnist(photo):
    """Dark ink on light paper (h, w) in [0, 1] -> each step to a 28x28 MNIST-like image.

    Returns a dict {step: image}, in order; the last is the float32 (28, 28) image in [0, 1]
    that the network reads.
    """
    steps = {"photo": photo}
    # The paper's light: a closing (max then min filter) wider than the strokes removes the ink.
    size = max(15, max(photo.shape) // 8)
    paper = ndimage.grey_closing(photo, size=(size, size))
    steps["paper"] = paper
    # Ink = how much darker than the paper around it: light ink on black, as in MNIST.
    ink = np.clip(1 - photo / np.maximum(paper, 1e-3), 0, 1)
    steps["ink"] = ink
    # Keep the strokes: drop the faint shadows and the specks far smaller than the digit.
    mask = ink > 0.5 * ink.max()
    regions, count = ndimage.label(mask)
    if count > 1:
        areas = ndimage.sum(mask, regions, index=np.arange(1, count + 1))
        mask = np.isin(regions, 1 + np.flatnonzero(areas >= 0.1 * areas.max()))
    clean = np.where(mask, ink, 0) / ink.max()
    # MNIST's strokes are about a tenth of the digit's height: thicken a thin pen's stroke.
    rows, cols = np.nonzero(mask)
    height = max(rows.max() - rows.min(), cols.max() - cols.min()) + 1
    width = 2 * np.percentile(ndimage.distance_transform_edt(mask)[mask], 90)
    if width < 0.1 * height:
        clean = ndimage.grey_dilation(clean, size=int(round(0.1 * height - width)) + 1)
    steps["strokes"] = clean
    steps["MNIST-like"] = mnist_like(clean)
    return steps


def show_steps(steps):
    """Draw each step of photo_to_mnist side by side."""
    fig, axes = plt.subplots(1, len(steps), figsize=(3 * len(steps), 3))
    titles = {"photo": "photo", "paper": tr("papier", "paper"), "ink": tr("encre", "ink"),
              "strokes": tr("traits", "strokes"), "MNIST-like": tr("façon MNIST", "MNIST-like")}
    for ax, (name, image) in zip(axes, steps.items()):
        ax.imshow(image, cmap="gray")
        ax.set_title(titles.get(name, name))
        ax.axis("off")
    plt.tight_layout()
    plt.show()


def example_photo(digit=3):
    """A made-up photo of a digit, for want of yours: dark ink on unevenly lit paper, (300, 240) in [0, 1]."""
    fig = plt.figure(figsize=(2.4, 3), dpi=100)
    fig.text(0.5, 0.5, str(digit), fontsize=150, ha="center", va="center")
    fig.canvas.draw()
    ink = 1 - np.asarray(fig.canvas.buffer_rgba())[..., 0] / 255.0
    plt.close(fig)
    light = np.linspace(0.95, 0.55, ink.shape[1])[None, :]  # light falls off across the page
    return (light * (1 - 0.8 * ink)).astype("float32")


def read_digit(model, image):
    """The 10 probabilities that model gives to a 28x28 image in [0, 1] (any input shape of 784 values)."""
    return np.asarray(model.predict(image.reshape((1, *model.input_shape[1:])), verbose=0))[0]
