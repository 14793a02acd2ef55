"""Softmax, cross-entropy and the gradient ``dL/dz = p - y``: the NumPy reference.

Explained in chapter "Softmax and cross-entropy" (book/03_math/softmax_cross_entropy).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import (
    as_array,
    as_labels,
    as_logits,
    as_target,
    check_choice,
    int_scalar,
)

__all__ = [
    "binary_cross_entropy",
    "cross_entropy",
    "cross_entropy_grad",
    "log_softmax",
    "one_hot",
    "softmax",
]

_REDUCTIONS = ("mean", "sum", "none")


def softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax ``exp(z_k) / sum_j exp(z_j)`` along ``axis``.

    Parameters
    ----------
    z : array_like
        Logits, any shape with at least one dimension; must be finite.
    axis : int
        The class axis.

    Returns
    -------
    numpy.ndarray
        Probabilities of the same shape, summing to 1 along ``axis``.

    Raises
    ------
    TypeError
        If ``axis`` is not an int.
    ValueError
        If ``z`` is a scalar or holds NaN or infinity.

    Examples
    --------
    >>> softmax([0.0, 0.0]).tolist()
    [0.5, 0.5]
    """
    z = as_logits(z, min_ndim=1)
    _check_axis(axis, z.ndim)
    shifted = z - z.max(axis=axis, keepdims=True)  # exp never overflows
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """``log softmax(z)`` computed as ``z - logsumexp(z)``, exact where softmax underflows.

    Examples
    --------
    >>> round(float(log_softmax([0.0, 1000.0])[0]), 6)
    -1000.0
    """
    z = as_logits(z, min_ndim=1)
    _check_axis(axis, z.ndim)
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def one_hot(labels: ArrayLike, num_classes: int) -> np.ndarray:
    """Rows of the identity matrix picked by integer ``labels``.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
        Class indices in ``[0, num_classes)``.
    num_classes : int
        Number of classes K.

    Returns
    -------
    numpy.ndarray, shape (N, K)

    Examples
    --------
    >>> one_hot([2, 0], 3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, (int, np.integer))
        or num_classes < 1
    ):
        raise ValueError(f"num_classes must be a positive int (got num_classes={num_classes!r})")
    if num_classes > 2**31:
        raise ValueError(f"num_classes must be at most 2**31 (got num_classes={num_classes})")
    y = as_labels("labels", labels, num_classes)
    # The rows of np.eye(num_classes)[y], built without the (K, K) identity (memory N K).
    rows = np.zeros((y.shape[0], int(num_classes)))
    rows[np.arange(y.shape[0]), y] = 1.0
    return rows


def cross_entropy(logits: ArrayLike, target: ArrayLike, *, reduction: str = "mean") -> np.ndarray:
    """Cross-entropy ``L_n = -sum_k y_nk log softmax(z_n)_k`` of logits against targets.

    Parameters
    ----------
    logits : array_like, shape (N, K)
        Unnormalised scores z.
    target : array_like, shape (N,) of int or (N, K) of probabilities
        Class indices, or target distributions (one-hot or soft) whose rows sum to 1.
    reduction : {"mean", "sum", "none"}
        Average over the N examples (as PyTorch and Keras do), sum, or per-example losses.

    Returns
    -------
    numpy.ndarray
        A 0-d array for ``"mean"`` and ``"sum"``, shape (N,) for ``"none"``.

    Raises
    ------
    ValueError
        For shapes that do not match, labels out of range, target rows that are not
        distributions, non-finite logits or an unknown reduction.

    References
    ----------
    .. [1] Goodfellow, Bengio, Courville, *Deep Learning*, MIT Press 2016, section 6.2.2.3.

    Examples
    --------
    >>> float(cross_entropy([[0.0, 0.0]], [1]))  # log 2
    0.6931471805599453
    """
    z = as_logits(logits, min_ndim=2, exact_ndim=True)
    y = as_target(target, z.shape)
    losses = -(y * log_softmax(z)).sum(axis=1)
    return _reduce(losses, reduction)


def cross_entropy_grad(
    logits: ArrayLike, target: ArrayLike, *, reduction: str = "mean"
) -> np.ndarray:
    """Gradient of :func:`cross_entropy` with respect to the logits: ``(p - y) / N`` for the mean.

    Parameters
    ----------
    logits : array_like, shape (N, K)
    target : array_like, shape (N,) of int or (N, K) of probabilities
    reduction : {"mean", "sum"}
        The reduction of the loss being differentiated.

    Returns
    -------
    numpy.ndarray, shape (N, K)
        ``softmax(z) - y``, divided by N for ``"mean"``. Each row sums to 0.

    Raises
    ------
    ValueError
        As :func:`cross_entropy`; ``reduction="none"`` has no single gradient.

    Examples
    --------
    >>> cross_entropy_grad([[0.0, 0.0]], [1]).tolist()
    [[0.5, -0.5]]
    """
    if not isinstance(reduction, str) or reduction not in ("mean", "sum"):
        raise ValueError(
            f"reduction must be 'mean' or 'sum' for a gradient (got reduction={reduction!r})"
        )
    z = as_logits(logits, min_ndim=2, exact_ndim=True)
    y = as_target(target, z.shape)
    grad = softmax(z) - y
    return grad / z.shape[0] if reduction == "mean" else grad


def binary_cross_entropy(p: ArrayLike, y: ArrayLike, *, reduction: str = "mean") -> np.ndarray:
    """Binary cross-entropy ``-[y log p + (1 - y) log(1 - p)]`` for one sigmoid output.

    Parameters
    ----------
    p : array_like, shape (N,)
        Predicted probabilities of the positive class, in (0, 1).
    y : array_like, shape (N,)
        Targets in [0, 1] (usually 0 or 1).
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        For mismatched shapes or values outside the ranges above.

    Examples
    --------
    >>> round(float(binary_cross_entropy([0.99], [0])), 3)  # confidently wrong
    4.605
    """
    p_arr = as_array("p", p, dtype=np.float64, finite=False)
    y_arr = as_array("y", y, dtype=np.float64, finite=False)
    if p_arr.shape != y_arr.shape:
        raise ValueError(f"p and y must have the same shape (got {p_arr.shape} and {y_arr.shape})")
    if not np.all((p_arr > 0) & (p_arr < 1)):
        raise ValueError("p must lie strictly between 0 and 1 (use logits for saturated outputs)")
    if not np.all((y_arr >= 0) & (y_arr <= 1)):
        raise ValueError("y must lie in [0, 1]")
    losses = -(y_arr * np.log(p_arr) + (1 - y_arr) * np.log1p(-p_arr))
    return _reduce(losses, reduction)


# --- helpers ---------------------------------------------------------------------------------


def _check_axis(axis: object, ndim: int) -> None:
    int_scalar("axis", axis, minimum=-ndim, maximum=ndim - 1)


def _reduce(losses: np.ndarray, reduction: str) -> np.ndarray:
    check_choice("reduction", reduction, _REDUCTIONS)
    if reduction == "mean":
        return np.asarray(losses.mean())
    if reduction == "sum":
        return np.asarray(losses.sum())
    if reduction == "none":
        return losses
    raise ValueError(f"reduction must be one of {_REDUCTIONS} (got reduction={reduction!r})")
