# MNIST's 10,000 test digits are split in two halves of 5,000, always the same ones (a fixed
# random permutation): yours, returned as x_test, and the grader's, for the hidden tests.
TEST_SPLIT_SEED = 20240


def load_mnist(path="mnist.npz"):
    """MNIST as keras.datasets.mnist.load_data() returns it (uint8 images, uint8 labels), with your half of the test set.

    Returns (x_train, y_train), (x_test, y_test): 60,000 training digits and 5,000 test digits.
    """
    if os.path.exists(path):
        with np.load(path) as data:
            (x_train, y_train), (x_test, y_test) = (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
            if "students_half" in data.files:  # the grader's copy holds your half only
                return (x_train, y_train), (x_test, y_test)
    else:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    yours = np.sort(np.random.RandomState(TEST_SPLIT_SEED).permutation(len(y_test))[: len(y_test) // 2])
    return (x_train, y_train), (x_test[yours], y_test[yours])
