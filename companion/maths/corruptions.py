"""Corrupted test images: rotations, Gaussian noise, and accuracy as the corruption grows.

Explained in chapter "Image recognition in practice: error analysis and robustness"
(book/05_applications/image_robustness).

A classifier's held-out accuracy says how it does on images like its training images. How it
degrades when they change is measured by corrupting the test images step by step and scoring
every model on the *same* corrupted copies:

- :func:`rotate_images` turns each image about its centre (by one angle, or one per image,
  as for training with random rotations);
- :func:`add_gaussian_noise` adds independent Gaussian noise to every pixel;
- :func:`accuracy_sweep` scores several classifiers at each severity.

Both corruptions keep the shape and return float64 pixels clipped to the stated
``value_range`` (by default ``(0, 1)``: 0 the background, 1 full ink). NumPy and SciPy only,
so any framework's model can be scored through a function that maps images to labels.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy import ndimage

from companion.maths.validate import as_array, check_callable

__all__ = ["accuracy_sweep", "add_gaussian_noise", "rotate_images"]


def rotate_images(
    images: ArrayLike,
    angles: float | ArrayLike,
    *,
    order: int = 1,
    value_range: tuple[float, float] = (0.0, 1.0),
) -> np.ndarray:
    """Rotate each image about its centre, keeping its size; corners are filled with background.

    Parameters
    ----------
    images : array_like, shape (N, H, W) or (N, H, W, C)
        Pixels within ``value_range``.
    angles : float or array_like of shape (N,)
        Rotation in degrees, counter-clockwise as the image is displayed (``imshow``); one
        angle for the whole batch or one per image.
    order : int
        Order of the spline interpolation, 0 (nearest pixel) to 5; 1 (bilinear) by default.
    value_range : tuple of float
        ``(low, high)``: the background value ``low`` fills the corners that rotate in, and
        the output is clipped to the range (splines of order 2 and more overshoot).

    Returns
    -------
    numpy.ndarray
        float64, the shape of ``images``. A rotation by 90 degrees equals
        ``np.rot90(images, 1, axes=(1, 2))`` for square images.

    Raises
    ------
    ValueError
        If the images are not a batch of finite pixels within ``value_range``, an angle is not
        finite, ``angles`` has the wrong shape or ``order`` is not 0..5.

    Examples
    --------
    >>> x = np.zeros((1, 3, 3)); x[0, 0, 1] = 1.0  # ink at the top centre
    >>> rotate_images(x, 90)[0].round(6).tolist()  # counter-clockwise: now at the left
    [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    low, high = _check_range(value_range)
    x = _check_images(images, low, high)
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or not 0 <= order <= 5:
        raise ValueError(f"order must be an int from 0 to 5 (got order={order!r})")
    angle = _check_per_image(angles, len(x), "angles")
    kwargs = {"axes": (1, 2), "reshape": False, "order": int(order), "mode": "constant"}
    if angle.ndim == 0:  # one angle: rotate the whole batch in one call
        out = ndimage.rotate(x, float(angle), cval=low, **kwargs)
    else:
        out = np.empty_like(x)
        for i, a in enumerate(angle):  # one call per image: (1, H, W[, C]) each
            out[i : i + 1] = ndimage.rotate(x[i : i + 1], float(a), cval=low, **kwargs)
    return np.clip(out, low, high)


def add_gaussian_noise(
    images: ArrayLike,
    sigma: float | ArrayLike,
    rng: np.random.Generator,
    *,
    value_range: tuple[float, float] = (0.0, 1.0),
) -> np.ndarray:
    """Add independent Gaussian noise of standard deviation ``sigma`` to every pixel, then clip.

    Parameters
    ----------
    images : array_like, shape (N, H, W) or (N, H, W, C)
        Pixels within ``value_range``.
    sigma : float or array_like of shape (N,)
        Standard deviation in pixel units (for the default range, a fraction of full ink);
        one value for the batch or one per image; 0 leaves the images unchanged.
    rng : numpy.random.Generator
        Source of the noise; the same seed gives the same noise pattern, scaled by ``sigma``.
    value_range : tuple of float
        ``(low, high)``: the output is clipped to it. Clipping removes the negative half of
        the noise on the background, so the pixels change by less than ``sigma`` on average.

    Returns
    -------
    numpy.ndarray
        float64, the shape of ``images``.

    Raises
    ------
    ValueError
        If the images are not a batch of finite pixels within ``value_range``, or ``sigma`` is
        negative, not finite or of the wrong shape.
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``.

    Examples
    --------
    >>> x = np.full((2, 4, 4), 0.5)
    >>> y = add_gaussian_noise(x, 0.1, np.random.default_rng(0))
    >>> y.shape, bool(y.min() >= 0.0 and y.max() <= 1.0), bool(np.any(y != x))
    ((2, 4, 4), True, True)
    >>> bool(np.array_equal(add_gaussian_noise(x, 0.0, np.random.default_rng(0)), x))
    True
    """
    low, high = _check_range(value_range)
    x = _check_images(images, low, high)
    s = _check_per_image(sigma, len(x), "sigma")
    if np.any(s < 0):
        raise ValueError(f"sigma must be >= 0 (got smallest sigma={float(s.min())})")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (got {type(rng).__name__})")
    scale = s.reshape((-1,) + (1,) * (x.ndim - 1)) if s.ndim else s  # (N, 1, 1[, 1])
    return np.clip(x + scale * rng.standard_normal(x.shape), low, high)


def accuracy_sweep(
    predictors: Mapping[str, Callable[[np.ndarray], ArrayLike]],
    images: ArrayLike,
    labels: ArrayLike,
    corrupt: Callable[[np.ndarray, float], np.ndarray],
    levels: Sequence[float],
) -> dict[str, np.ndarray]:
    """Accuracy of each classifier as a corruption grows, all scored on the same images.

    Parameters
    ----------
    predictors : mapping of str to callable
        Name to a function taking a batch of images (as ``corrupt`` returns them) and
        returning one predicted label per image.
    images : array_like, shape (N, ...)
        Clean test images.
    labels : array_like, shape (N,)
        True labels.
    corrupt : callable
        ``corrupt(images, level)`` returns the corrupted batch, same length; it is called once
        per level, so every predictor sees the same corrupted copies.
    levels : sequence of float
        Severities, e.g. angles in degrees or noise standard deviations.

    Returns
    -------
    dict of str to numpy.ndarray
        For each predictor, its accuracy (fraction correct) at each level, shape ``(len(levels),)``.

    Raises
    ------
    TypeError
        If ``corrupt`` is not callable or ``levels`` is not a sequence.
    ValueError
        If there are no predictors or levels, a level is not finite, the lengths of images and
        labels differ, or a predictor or ``corrupt`` returns the wrong number of items.

    Examples
    --------
    >>> x, y = np.zeros((4, 2, 2)), np.array([0, 1, 0, 1])
    >>> sweep = accuracy_sweep({"always 0": lambda b: np.zeros(len(b))}, x, y,
    ...                        lambda b, level: b + level, [0.0, 0.5])
    >>> sweep["always 0"].tolist()
    [0.5, 0.5]
    """
    if not isinstance(predictors, Mapping) or not predictors:
        raise ValueError("predictors must be a non-empty mapping of names to functions")
    as_array("images", images, dtype=None, finite=False)
    as_array("labels", labels, dtype=None, finite=False)
    check_callable("corrupt", corrupt)
    if isinstance(levels, (str, bytes)) or not isinstance(levels, Iterable):
        raise TypeError(f"levels must be a sequence of numbers (got {type(levels).__name__})")
    x, y = np.asarray(images), np.asarray(labels)
    if x.ndim < 1 or y.ndim != 1 or len(x) != len(y):
        raise ValueError(
            f"images and labels must have the same length (got {x.shape} and {y.shape})"
        )
    levels = list(levels)
    if not levels:
        raise ValueError("levels must name at least one severity (got none)")
    for level in levels:
        if isinstance(level, bool) or not isinstance(level, numbers.Real):
            raise ValueError(f"levels must be real numbers (got {level!r})")
        if not math.isfinite(level):
            raise ValueError(f"levels must be finite (got {level})")
    accuracy = {name: np.empty(len(levels)) for name in predictors}
    for j, level in enumerate(levels):
        corrupted = corrupt(x, level)
        if len(corrupted) != len(y):
            raise ValueError(
                f"corrupt returned {len(corrupted)} images for {len(y)} (level={level})"
            )
        for name, predict in predictors.items():
            predicted = np.asarray(predict(corrupted))
            if predicted.shape != y.shape:
                raise ValueError(
                    f"predictor {name!r} returned shape {predicted.shape}, expected {y.shape}"
                )
            accuracy[name][j] = np.mean(predicted == y)
    return accuracy


# --- validation -------------------------------------------------------------------------


def _check_range(value_range: tuple[float, float]) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"value_range must be two numbers (low, high) (got value_range={value_range!r})"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(
            f"value_range must be finite with low < high (got value_range={value_range!r})"
        )
    return low, high


def _check_images(images: ArrayLike, low: float, high: float) -> np.ndarray:
    try:
        x = np.asarray(images)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(
            "images must be numbers of shape (N, H, W) or (N, H, W, C) (ragged)"
        ) from None
    if x.ndim not in (3, 4) or not (
        np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)
    ):
        raise ValueError(
            f"images must be numbers of shape (N, H, W) or (N, H, W, C) "
            f"(got dtype {x.dtype}, shape {x.shape})"
        )
    x = x.astype(np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError("images must be finite (got NaN or infinity)")
    if x.size and (x.min() < low or x.max() > high):
        raise ValueError(
            f"images must lie in value_range [{low:g}, {high:g}] "
            f"(got {x.min():g}..{x.max():g}; scale uint8 pixels by 1/255 first)"
        )
    return x


def _check_per_image(value: float | ArrayLike, n: int, name: str) -> np.ndarray:
    try:
        v = np.asarray(value)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"{name} must be a number or one number per image (ragged)") from None
    if v.dtype == bool or not (
        np.issubdtype(v.dtype, np.integer) or np.issubdtype(v.dtype, np.floating)
    ):
        raise ValueError(f"{name} must be a number or one number per image (got {value!r})")
    if v.ndim != 0 and v.shape != (n,):
        raise ValueError(f"{name} must be a number or have shape ({n},) (got shape {v.shape})")
    v = v.astype(np.float64)
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite (got {v[~np.isfinite(v)].flat[0]})")
    return v
