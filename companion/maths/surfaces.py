"""Test surfaces for optimisers: Rosenbrock's curved valley and its gradient.

Explained in chapter "Optimisers" (book/03_math/optimisers).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array, finite_scalar

__all__ = ["rosenbrock", "rosenbrock_grad"]


def rosenbrock(theta: ArrayLike, a: float = 1.0, b: float = 100.0) -> float | np.ndarray:
    """Rosenbrock's valley ``(a - x)^2 + b (y - x^2)^2``, minimum 0 at ``(a, a^2)``.

    Parameters
    ----------
    theta : array_like, shape (2,) or (2, ...)
        A point ``(x, y)``, or grids of ``x`` and ``y`` stacked on the first axis.
    a, b : float
        The valley's position and steepness (1 and 100 in the classic form).

    Returns
    -------
    float or numpy.ndarray
        A float for one point, an array of shape ``theta.shape[1:]`` for grids.

    References
    ----------
    .. [1] Rosenbrock, "An Automatic Method for Finding the Greatest or Least Value of a
       Function", The Computer Journal 3(3), 175-184 (1960).

    Examples
    --------
    >>> rosenbrock([1.0, 1.0])
    0.0
    >>> rosenbrock(np.zeros((2, 3, 4))).shape  # a 3 x 4 grid
    (3, 4)
    """
    a, b = finite_scalar("a", a), finite_scalar("b", b)
    arr = as_array("theta", theta, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[0] != 2:
        raise ValueError(f"theta must have shape (2,) or (2, ...) (got shape {arr.shape})")
    x, y = arr[0], arr[1]
    value = (a - x) ** 2 + b * (y - x**2) ** 2
    _check_finite(value, theta, a, b)
    return float(value) if arr.ndim == 1 else value


def rosenbrock_grad(theta: ArrayLike, a: float = 1.0, b: float = 100.0) -> np.ndarray:
    """Gradient ``(-2(a - x) - 4 b x (y - x^2), 2 b (y - x^2))`` of :func:`rosenbrock`.

    Examples
    --------
    >>> rosenbrock_grad([0.0, 0.0]).tolist()
    [-2.0, 0.0]
    """
    a, b = finite_scalar("a", a), finite_scalar("b", b)
    x, y = _point(theta)
    grad = np.array([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)])
    _check_finite(grad, theta, a, b)
    return grad


# --- validation -----------------------------------------------------------------------------


def _check_finite(value: object, theta: object, a: float, b: float) -> None:
    if not np.all(np.isfinite(value)):
        raise ValueError(
            f"the result overflows a float: theta, a or b too large (a={a}, b={b}, theta={theta!r})"
        )


def _point(theta: ArrayLike) -> tuple[float, float]:
    arr = as_array("theta", theta, dtype=np.float64)
    if arr.shape != (2,):
        raise ValueError(f"theta must be a point (x, y) of shape (2,) (got shape {arr.shape})")
    return float(arr[0]), float(arr[1])
