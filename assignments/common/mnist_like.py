def mnist_like(image, ink_max=None):
    """Greyscale digit (h, w), ink = high values -> 28x28 float32 image in [0, 1], as MNIST.

    Crop to the ink, scale the longer side to 20 pixels, paste into 28x28 so that the
    centre of mass is at the centre.
    """
    image = image.astype("float32") / (ink_max or image.max())
    rows, cols = np.nonzero(image > 0.05)
    crop = image[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = 20 / max(crop.shape)
    small = np.clip(ndimage.zoom(crop, scale, order=1), 0, 1)
    canvas = np.zeros((28, 28), dtype="float32")
    top, left = (28 - small.shape[0]) // 2, (28 - small.shape[1]) // 2
    canvas[top : top + small.shape[0], left : left + small.shape[1]] = small
    centre_row, centre_col = ndimage.center_of_mass(canvas)
    return ndimage.shift(canvas, (14 - centre_row, 14 - centre_col), order=1)
