def load_mnist(path="mnist.npz"):
    """MNIST as keras.datasets.mnist.load_data() returns it (uint8 images, uint8 labels)."""
    if os.path.exists(path):
        with np.load(path) as data:
            return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
    return keras.datasets.mnist.load_data()
