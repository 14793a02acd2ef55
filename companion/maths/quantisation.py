"""Round-to-nearest integer quantisation of weights and activations, in NumPy.

Explained in chapter "Deployment: export and quantisation" (book/04_practice/deployment).

- :func:`quantise_symmetric`: weights. ``q = clip(round(w / s), -Q, Q)`` with
  ``Q = 2**(bits-1) - 1`` and ``s = max|w| / Q`` over the whole tensor or over each slice of
  one axis (per channel). Zero is represented exactly; ``w ≈ s q``.
- :func:`quantise_affine`: activations, as ONNX's ``DynamicQuantizeLinear`` does at run time.
  The range ``[min(x, 0), max(x, 0)]`` is mapped onto ``0..2**bits - 1`` with a scale and an
  integer zero point: ``x ≈ s (q - z)``.

For every value inside the representable range, rounding to the nearest integer moves it by at
most half a step: ``|w - s q| <= s / 2``.

References
----------
Jacob, B. et al. (2018). Quantization and training of neural networks for efficient
integer-arithmetic-only inference. CVPR, 2704-2713.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array, int_scalar

__all__ = ["dequantise", "quantise_affine", "quantise_symmetric"]


def _as_float_array(x: ArrayLike, name: str) -> np.ndarray:
    a = as_array(name, x, dtype=np.float64, finite=False)
    if a.size == 0:
        raise ValueError(f"{name} must not be empty (got shape {a.shape})")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must be finite (got {np.count_nonzero(~np.isfinite(a))} NaN/inf)")
    return a


def _check_bits(bits: int) -> int:
    """``bits`` as a Python int; NumPy integers are accepted, bool and float are not."""
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)):
        raise ValueError(
            f"bits must be an int from 2 to 16, not {type(bits).__name__} (got bits={bits!r})"
        )
    if not 2 <= bits <= 16:
        raise ValueError(f"bits must be an int from 2 to 16 (got bits={bits!r})")
    return int(bits)


def quantise_symmetric(
    w: ArrayLike, *, bits: int = 8, axis: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric round-to-nearest quantisation, per tensor or per channel.

    Parameters
    ----------
    w : array_like
        Real values, e.g. a weight matrix of shape (in, out).
    bits : int
        Bits per integer, 2 to 16 (default 8: integers in ``-127..127``).
    axis : int or None
        ``None``: one scale for the whole tensor. An axis: one scale per index along it
        (per channel), e.g. ``axis=-1`` for one scale per output column of an (in, out) matrix.

    Returns
    -------
    q : numpy.ndarray of int32, shape of ``w``
        The integers, in ``-Q..Q`` with ``Q = 2**(bits-1) - 1``.
    scale : numpy.ndarray of float64
        ``max|w| / Q``: shape ``()`` per tensor, or ``w.shape[axis]`` per channel. A slice of
        zeros gets scale 1.

    Raises
    ------
    ValueError
        If ``w`` is empty or not finite, ``bits`` is not an int from 2 to 16, or ``axis`` is not
        an axis of ``w``; the message says when the type is the problem. NumPy integers are
        accepted wherever an int is.

    Examples
    --------
    >>> q, s = quantise_symmetric([0.5, -1.27, 0.004])
    >>> q.tolist(), float(s)
    ([50, -127, 0], 0.01)
    """
    a = _as_float_array(w, "w")
    bits = _check_bits(bits)
    q_max = 2 ** (bits - 1) - 1
    if axis is None:
        abs_max = np.max(np.abs(a))
    else:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(
                f"axis must be None or an axis of w, an int, not {type(axis).__name__} "
                f"(got axis={axis!r})"
            )
        if not -a.ndim <= axis < a.ndim:
            raise ValueError(
                f"axis must be None or an axis of w (got axis={axis!r}, w.ndim={a.ndim})"
            )
        axis = int(axis)
        others = tuple(i for i in range(a.ndim) if i != axis % a.ndim)
        abs_max = np.max(np.abs(a), axis=others)
    scale = np.where(abs_max > 0, abs_max / q_max, 1.0)
    q = np.clip(np.rint(a / _broadcastable(scale, a.ndim, axis)), -q_max, q_max)
    return q.astype(np.int32), np.asarray(scale, dtype=np.float64)


def quantise_affine(x: ArrayLike, *, bits: int = 8) -> tuple[np.ndarray, float, int]:
    """Asymmetric (affine) round-to-nearest quantisation onto ``0..2**bits - 1``.

    The range is widened to include zero, so that zero (padding, ReLU outputs) is exact; with
    ``bits=8`` this is the arithmetic of ONNX's ``DynamicQuantizeLinear``.

    Parameters
    ----------
    x : array_like
        Real values, e.g. the activations entering a matrix multiplication.
    bits : int
        Bits per integer, 2 to 16 (default 8).

    Returns
    -------
    q : numpy.ndarray of int32
        Integers in ``0..2**bits - 1``, shape of ``x``.
    scale : float
        ``(max(x, 0) - min(x, 0)) / (2**bits - 1)``; 1 when ``x`` is all zeros.
    zero_point : int
        ``round(-min(x, 0) / scale)``, the integer that stands for 0.0.

    Raises
    ------
    ValueError
        If ``x`` is empty or not finite, or ``bits`` is not an int from 2 to 16.

    Examples
    --------
    >>> q, s, z = quantise_affine([-1.0, 0.0, 2.0], bits=2)
    >>> q.tolist(), s, z
    ([0, 1, 3], 1.0, 1)
    """
    a = _as_float_array(x, "x")
    bits = _check_bits(bits)
    q_max = 2**bits - 1
    lo, hi = min(float(a.min()), 0.0), max(float(a.max()), 0.0)
    scale = (hi - lo) / q_max if hi > lo else 1.0
    zero_point = int(np.clip(np.rint(-lo / scale), 0, q_max))
    q = np.clip(np.rint(a / scale) + zero_point, 0, q_max)
    return q.astype(np.int32), scale, zero_point


def dequantise(
    q: ArrayLike, scale: ArrayLike, *, zero_point: int = 0, axis: int | None = None
) -> np.ndarray:
    """The real values the integers stand for: ``scale * (q - zero_point)``.

    Parameters
    ----------
    q : array_like of int
        Integers from :func:`quantise_symmetric` or :func:`quantise_affine`.
    scale : array_like
        A scalar, or one scale per index along ``axis``.
    zero_point : int
        The integer that stands for 0.0 (0 for symmetric quantisation).
    axis : int or None
        The axis of ``q`` the scales run along, when there is one per channel.

    Returns
    -------
    numpy.ndarray of float64, shape of ``q``

    Raises
    ------
    TypeError
        If ``zero_point`` is not an int.
    ValueError
        If ``q`` or ``scale`` is not a finite array of numbers, ``scale`` is not a scalar and its
        length does not match ``q.shape[axis]``, or the result overflows a float.

    Examples
    --------
    >>> dequantise([50, -127, 0], 0.01).round(4).tolist()
    [0.5, -1.27, 0.0]
    """
    as_array("q", q, dtype=None)
    as_array("scale", scale)
    zero_point = int_scalar("zero_point", zero_point, minimum=-(2**31))
    q_arr = np.asarray(q)
    s = np.asarray(scale, dtype=np.float64)
    if s.ndim != 0:
        if axis is None or s.shape != (q_arr.shape[axis],):
            raise ValueError(
                f"scale must be a scalar or hold one value per index of q along axis "
                f"(got scale shape {s.shape}, q shape {q_arr.shape}, axis={axis!r})"
            )
        s = _broadcastable(s, q_arr.ndim, axis)
    result = s * (q_arr.astype(np.float64) - zero_point)
    if not np.isfinite(result).all():
        raise ValueError("scale * (q - zero_point) overflows a float: scale is too large")
    return result


def _broadcastable(scale: np.ndarray, ndim: int, axis: int | None) -> np.ndarray:
    """Reshape per-channel scales so that they broadcast along ``axis`` of an ndim array."""
    if axis is None or np.ndim(scale) == 0:
        return scale
    shape = [1] * ndim
    shape[axis % ndim] = -1
    return np.reshape(scale, shape)
