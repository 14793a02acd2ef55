"""Central finite differences: the framework-free check of every derived gradient.

Explained in chapter "Softmax and cross-entropy" (book/03_math/softmax_cross_entropy);
:func:`check_gradient` in chapter "Backpropagation" (book/03_math/backpropagation).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array, check_callable, finite_scalar

__all__ = [
    "GradientCheckError",
    "GradientComparison",
    "check_gradient",
    "compare_gradients",
    "numerical_gradient",
]


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: ArrayLike, *, eps: float | None = None
) -> np.ndarray:
    """Gradient of a scalar function by central differences ``(f(x+h) - f(x-h)) / 2h``.

    The truncation error is O(h^2) and the rounding error O(u/h) for machine epsilon u,
    so the default step ``h = u^(1/3) * max(1, |x_i|)`` (about 6e-6 in float64) balances
    the two and leaves an error near ``u^(2/3)``, about 1e-10 relative.

    Parameters
    ----------
    f : callable
        Maps a float64 array shaped like ``x`` to a scalar.
    x : array_like
        The point; converted to float64 and never modified.
    eps : float, optional
        A fixed step instead of the default.

    Returns
    -------
    numpy.ndarray
        The gradient, shaped like ``x``.

    Raises
    ------
    TypeError
        If ``f`` is not callable or ``eps`` not a number.
    ValueError
        If ``x`` is empty or not finite, ``eps`` is not positive and finite, or ``f`` does not
        return a finite scalar.

    References
    ----------
    .. [1] Nocedal and Wright, *Numerical Optimization*, 2nd ed., Springer 2006, section 8.1.

    Examples
    --------
    >>> g = numerical_gradient(lambda v: float((v ** 2).sum()), [1.0, -2.0])
    >>> np.round(g, 6).tolist()
    [2.0, -4.0]
    """
    check_callable("f", f)
    as_array("x", x, finite=False)
    finite_scalar("eps", eps, allow_none=True)
    x0 = np.array(x, dtype=np.float64)  # a copy: the caller's array is not touched
    if x0.size == 0 or not np.isfinite(x0).all():
        raise ValueError(f"x must be a non-empty finite array (got shape {x0.shape})")
    if eps is not None and not eps > 0:
        raise ValueError(f"eps must be positive (got eps={eps})")
    steps = np.cbrt(np.finfo(np.float64).eps) * np.maximum(1.0, np.abs(x0)) if eps is None else None
    grad = np.empty_like(x0)
    for i in np.ndindex(x0.shape):
        h = float(steps[i]) if steps is not None else float(eps)  # type: ignore[arg-type]
        orig = x0[i]
        x0[i] = orig + h
        up = _scalar(f(x0))
        x0[i] = orig - h
        down = _scalar(f(x0))
        x0[i] = orig
        grad[i] = (up - down) / (2 * h)
    return grad


@dataclass(frozen=True)
class GradientComparison:
    """How far an analytic gradient is from a reference, and where it is worst.

    Attributes
    ----------
    max_abs_error : float
        ``max |analytic - reference|``.
    max_rel_error : float
        ``max |a - r| / max(|a|, |r|, floor)`` over coordinates.
    worst_index : tuple of int
        The coordinate of the largest absolute error.
    """

    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...]

    def describe(self) -> str:
        """A sentence naming the worst coordinate, for failure messages."""
        return (
            f"max abs error {self.max_abs_error:.1e} at index {self.worst_index}, "
            f"max relative error {self.max_rel_error:.1e}"
        )


def compare_gradients(
    analytic: ArrayLike, reference: ArrayLike, *, floor: float = 1e-12
) -> GradientComparison:
    """Absolute and relative error of a gradient against a reference of the same shape.

    Parameters
    ----------
    analytic, reference : array_like
        Gradients of identical shape.
    floor : float
        Denominator floor so that two near-zero coordinates do not give a huge ratio.

    Returns
    -------
    GradientComparison

    Raises
    ------
    TypeError
        If ``floor`` is not a number.
    ValueError
        If shapes differ, an array is empty or not finite, or ``floor`` is negative or not
        finite.

    Examples
    --------
    >>> compare_gradients([1.0, 2.0], [1.0, 2.002]).worst_index
    (1,)
    """
    as_array("analytic", analytic, finite=False)
    as_array("reference", reference, finite=False)
    floor = finite_scalar("floor", floor, non_negative=True)
    a = np.asarray(analytic, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    if a.shape != r.shape:
        raise ValueError(f"gradient shapes differ: analytic {a.shape} vs reference {r.shape}")
    if a.size == 0 or not (np.isfinite(a).all() and np.isfinite(r).all()):
        raise ValueError("gradients must be non-empty and finite")
    diff = np.abs(a - r)
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
    rel = diff / np.maximum(np.maximum(np.abs(a), np.abs(r)), floor)
    return GradientComparison(
        max_abs_error=float(diff.max()),
        max_rel_error=float(rel.max()),
        worst_index=tuple(int(i) for i in worst),
    )


class GradientCheckError(AssertionError):
    """Raised by :func:`check_gradient` when an analytic gradient disagrees with finite differences.

    An ``AssertionError`` (like :class:`companion.CheckFailed`): a failed check, not bad input.
    """


def check_gradient(
    f: Callable[[np.ndarray], float],
    x: ArrayLike,
    grad: ArrayLike | Callable[[np.ndarray], ArrayLike],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    eps: float | None = None,
) -> GradientComparison:
    """Check an analytic gradient against central differences; raise naming the worst coordinate.

    Passes when every coordinate satisfies ``|g_i - n_i| <= atol + rtol * |n_i|`` (the rule of
    ``numpy.allclose``), where ``g`` is the analytic and ``n`` the numerical gradient. Used by
    every chapter that derives a gradient; explained in chapter "Backpropagation"
    (book/03_math/backpropagation).

    Parameters
    ----------
    f : callable
        Maps a float64 array shaped like ``x`` to a scalar.
    x : array_like
        The point at which to check.
    grad : array_like or callable
        The analytic gradient at ``x``, or a function returning it for an array like ``x``.
    rtol, atol : float
        Relative and absolute tolerance; non-negative and not both zero. The defaults sit
        about two orders of magnitude above the finite-difference error of float64 (~1e-10)
        for ``|f(x)|`` near 1. The rounding part of that error is about
        ``2.2e-16 * |f(x)| / h``, whatever the coordinate, so scale ``atol`` with ``|f(x)|``
        when the function value is large.
    eps : float, optional
        A fixed finite-difference step (see :func:`numerical_gradient`).

    Returns
    -------
    GradientComparison
        The errors, when the check passes.

    Raises
    ------
    GradientCheckError
        If a coordinate is outside the tolerance; the message names the worst one (largest
        error relative to its tolerance) with both values.
    TypeError
        If ``f`` is not callable.
    ValueError
        For shapes that differ, non-finite values, or bad tolerances.

    Examples
    --------
    >>> f = lambda v: float((v ** 3).sum())
    >>> check_gradient(f, [1.0, 2.0], lambda v: 3 * v**2).worst_index in [(0,), (1,)]
    True
    >>> check_gradient(f, [1.0, 2.0], [3.0, 11.0])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    companion.maths.gradcheck.GradientCheckError: gradient check failed at index (1,): ...
    """
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if (
            isinstance(tol, bool)
            or not isinstance(tol, (int, float))
            or abs(tol) > sys.float_info.max
            or not math.isfinite(tol)
        ):
            raise ValueError(f"{name} must be a finite number (got {name}={tol!r})")
        if tol < 0:
            raise ValueError(f"{name} must be non-negative (got {name}={tol})")
    if rtol == 0 and atol == 0:
        raise ValueError("rtol and atol must not both be zero (got rtol=0, atol=0)")
    check_callable("f", f)
    as_array("x", x, finite=False)
    if not callable(grad):
        as_array("grad", grad, finite=False)
    x0 = np.array(x, dtype=np.float64)
    analytic = np.asarray(grad(x0.copy()) if callable(grad) else grad, dtype=np.float64)
    numeric = numerical_gradient(f, x0, eps=eps)
    comparison = compare_gradients(analytic, numeric)
    excess = np.abs(analytic - numeric) / (atol + rtol * np.abs(numeric))  # > 1 fails
    if excess.max() > 1:
        i = tuple(int(k) for k in np.unravel_index(int(np.argmax(excess)), excess.shape))
        raise GradientCheckError(
            f"gradient check failed at index {i}: analytic {analytic[i]:.6g}, "
            f"numerical {numeric[i]:.6g} (|difference| {abs(analytic[i] - numeric[i]):.1e} > "
            f"atol + rtol * |numerical| = {atol + rtol * abs(numeric[i]):.1e}); "
            f"{int((excess > 1).sum())} of {excess.size} coordinates fail; {comparison.describe()}"
        )
    return comparison


def _scalar(value: object) -> float:
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1 or not np.isfinite(arr).all():
        raise ValueError(
            f"f must return a finite scalar at x +- eps (got shape {arr.shape}, {arr.ravel()[:1]})"
        )
    return float(arr.reshape(()))
