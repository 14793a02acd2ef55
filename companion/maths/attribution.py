"""Gradient saliency and integrated gradients: which inputs a classifier's output depends on.

Explained in chapter "Trends and challenges" (book/06_outlook/trends_challenges).

The classifier is the MLP of :mod:`companion.maths.backprop` (weights in PyTorch's layout) and
the score explained is the softmax probability ``f(x) = p_c(x)`` of a class ``c``.

- The *saliency map* is the gradient ``df/dx`` at the input (Simonyan et al. 2014).
- *Integrated gradients* (Sundararajan, Taly and Yan 2017) integrate that gradient along the
  straight line from a baseline ``x'`` to ``x``:
  ``IG_i = (x_i - x'_i) * int_0^1 df/dx_i(x' + a (x - x')) da``.
  By the fundamental theorem of calculus along the path, ``sum_i IG_i = f(x) - f(x')``
  (*completeness*); a quadrature with ``m`` points approaches it as ``m`` grows.

The integral needs only a function returning gradients, so :func:`integrated_gradients` works
with the NumPy gradient here or with the PyTorch and TensorFlow versions of
:func:`input_gradient` in :mod:`companion.torch.attribution` and :mod:`companion.tf.attribution`.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.backprop import MLPConfig, Params, activation_grad, forward
from companion.maths.softmax import softmax
from companion.maths.validate import as_array, check_callable, int_scalar

__all__ = [
    "INTEGRATION_RULES",
    "class_probability",
    "class_targets",
    "completeness_gap",
    "input_gradient",
    "integrated_gradients",
    "path_points",
]

#: Quadrature rules for the path integral: left/right Riemann sums, midpoints, trapezoids.
INTEGRATION_RULES: tuple[str, ...] = ("left", "right", "midpoint", "trapezoid")


def class_targets(target: ArrayLike, n: int, n_classes: int) -> np.ndarray:
    """One class index per row: an int is repeated ``n`` times, an array is checked.

    Parameters
    ----------
    target : int or array_like of int, shape (n,)
        The class whose probability is explained.
    n : int
        Number of rows of the batch.
    n_classes : int
        Number of outputs of the classifier.

    Returns
    -------
    numpy.ndarray of int64, shape (n,)

    Raises
    ------
    TypeError
        If ``n`` or ``n_classes`` is not an int.
    ValueError
        If ``target`` is not integer, has the wrong length or names a class outside
        ``0..n_classes-1``, or ``n`` or ``n_classes`` is out of range.

    Examples
    --------
    >>> class_targets(2, 3, 10).tolist()
    [2, 2, 2]
    """
    int_scalar("n", n, minimum=0)
    int_scalar("n_classes", n_classes, minimum=1)
    as_array("target", target, dtype=None, finite=False)
    t = np.asarray(target)
    if t.ndim == 0:
        t = np.full(n, t)
    if not np.issubdtype(t.dtype, np.integer) or t.dtype == bool:
        raise ValueError(f"target must hold integer class indices (got dtype {t.dtype})")
    if t.shape != (n,):
        raise ValueError(f"target must be an int or have shape ({n},) (got shape {t.shape})")
    if n and (t.min() < 0 or t.max() >= n_classes):
        raise ValueError(
            f"target must lie in 0..{n_classes - 1} (got values from {t.min()} to {t.max()})"
        )
    return t.astype(np.int64)


def class_probability(
    params: Params, X: ArrayLike, target: ArrayLike, config: MLPConfig
) -> np.ndarray:
    """``f(x) = softmax(z^L(x))_c``: the probability the MLP gives class ``c``, row by row.

    Parameters
    ----------
    params : Params
        ``[(W^1, b^1), ...]`` as in :mod:`companion.maths.backprop`.
    X : array_like, shape (N, n_0)
        Inputs, one per row.
    target : int or array_like of int, shape (N,)
        The class ``c`` of each row.
    config : MLPConfig
        Must have ``loss="cross_entropy"`` (a classifier).

    Returns
    -------
    numpy.ndarray, shape (N,)

    Raises
    ------
    ValueError
        For a regression config, bad targets, or shapes that do not fit ``config``.

    Examples
    --------
    >>> cfg = MLPConfig((2, 3))
    >>> zero = [(np.zeros((3, 2)), np.zeros(3))]
    >>> class_probability(zero, np.ones((2, 2)), 1, cfg).round(4).tolist()
    [0.3333, 0.3333]
    """
    z_out, t, _ = _run(params, X, target, config)
    return softmax(z_out)[np.arange(len(t)), t]


def input_gradient(
    params: Params, X: ArrayLike, target: ArrayLike, config: MLPConfig
) -> np.ndarray:
    """The saliency map ``df/dx`` of :func:`class_probability`, by backpropagation to the input.

    With ``p = softmax(z^L)`` the output delta is ``dp_c/dz^L = p_c (e_c - p)``; it is carried
    down by ``delta^l = (delta^{l+1} W^{l+1}) * sigma'(z^l)`` and ``df/dx = delta^1 W^1``.

    Parameters
    ----------
    params, X, target, config
        As in :func:`class_probability`.

    Returns
    -------
    numpy.ndarray, shape (N, n_0)
        Row ``i`` is the gradient of ``f`` at ``X[i]`` for class ``target[i]``.

    Raises
    ------
    ValueError
        As :func:`class_probability`.

    References
    ----------
    .. [1] Simonyan, Vedaldi, Zisserman, "Deep Inside Convolutional Networks: Visualising Image
       Classification Models and Saliency Maps", ICLR workshop 2014, arXiv:1312.6034.

    Examples
    --------
    >>> cfg = MLPConfig((2, 2))
    >>> W = [(np.array([[1.0, 0.0], [0.0, 0.0]]), np.zeros(2))]
    >>> input_gradient(W, np.zeros((1, 2)), 0, cfg).tolist()  # p_0 (1 - p_0) = 1/4
    [[0.25, 0.0]]
    """
    z_out, t, fwd = _run(params, X, target, config)
    p = softmax(z_out)  # (N, n_L)
    onehot = np.zeros_like(p)
    onehot[np.arange(len(t)), t] = 1.0
    delta = p[np.arange(len(t)), t][:, None] * (onehot - p)  # dp_c/dz^L, (N, n_L)
    for layer in range(config.n_layers - 1, 0, -1):  # hidden layers L-1, ..., 1
        delta = (delta @ params[layer][0]) * activation_grad(fwd.zs[layer - 1], config.activation)
    return delta @ params[0][0]  # (N, n_0)


def path_points(steps: int, rule: str = "midpoint") -> tuple[np.ndarray, np.ndarray]:
    """Positions ``a_k`` on ``[0, 1]`` and weights ``w_k`` of a quadrature with ``steps`` intervals.

    ``int_0^1 g(a) da ~ sum_k w_k g(a_k)``. The left, right and midpoint rules use ``steps``
    points of weight ``1/steps``; the trapezoid rule uses ``steps + 1`` points, the two ends
    with half weight. The weights sum to 1, so a constant is integrated exactly.

    Parameters
    ----------
    steps : int
        Number of intervals, at least 1.
    rule : str
        One of :data:`INTEGRATION_RULES`.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``alphas`` and ``weights``, of equal length.

    Raises
    ------
    ValueError
        If ``steps`` is not a positive int or ``rule`` is unknown.

    Examples
    --------
    >>> a, w = path_points(4)
    >>> a.tolist(), float(w.sum())
    ([0.125, 0.375, 0.625, 0.875], 1.0)
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive int (got steps={steps!r})")
    if steps > 2**31:
        raise ValueError(f"steps must be at most 2**31 (got steps={steps})")
    if not isinstance(rule, str) or rule not in INTEGRATION_RULES:
        raise ValueError(f"rule must be one of {INTEGRATION_RULES} (got rule={rule!r:.60})")
    k = np.arange(steps, dtype=np.float64)
    if rule == "left":
        alphas = k / steps
    elif rule == "right":
        alphas = (k + 1) / steps
    elif rule == "midpoint":
        alphas = (k + 0.5) / steps
    elif rule == "trapezoid":
        alphas = np.arange(steps + 1, dtype=np.float64) / steps
        weights = np.full(steps + 1, 1.0 / steps)
        weights[[0, -1]] /= 2
        return alphas, weights
    else:
        raise ValueError(f"rule must be one of {INTEGRATION_RULES} (got rule={rule!r})")
    return alphas, np.full(steps, 1.0 / steps)


def integrated_gradients(
    grad_fn: Callable[[np.ndarray], np.ndarray],
    x: ArrayLike,
    baseline: ArrayLike,
    *,
    steps: int = 64,
    rule: str = "midpoint",
) -> np.ndarray:
    """Integrated gradients of one input: ``(x - x') * int_0^1 grad f(x' + a (x - x')) da``.

    Parameters
    ----------
    grad_fn : callable
        Maps a batch of points, shape ``(m, *x.shape)``, to the gradients of the explained
        score at those points, of the same shape (e.g. a :func:`input_gradient` with its
        parameters, class and config fixed).
    x : array_like
        The input explained.
    baseline : array_like
        The reference input ``x'``, same shape as ``x`` (often all zeros: a blank image).
    steps : int
        Number of quadrature intervals (default 64).
    rule : str
        One of :data:`INTEGRATION_RULES` (default ``"midpoint"``).

    Returns
    -------
    numpy.ndarray
        Attributions, shaped like ``x``; their sum approaches ``f(x) - f(x')`` as ``steps``
        grows (see :func:`completeness_gap`).

    Raises
    ------
    TypeError
        If ``grad_fn`` is not callable.
    ValueError
        If ``x`` and ``baseline`` differ in shape or are not finite, ``steps`` or ``rule`` is
        invalid, or ``grad_fn`` returns an array of the wrong shape.

    References
    ----------
    .. [1] Sundararajan, Taly, Yan, "Axiomatic Attribution for Deep Networks", ICML 2017,
       eq. (1) and section 3 (completeness).

    Examples
    --------
    >>> grad = lambda pts: 2 * pts  # f(x) = sum x^2
    >>> ig = integrated_gradients(grad, [1.0, 2.0], [0.0, 0.0], steps=8)
    >>> ig.tolist(), float(ig.sum())  # f(x) - f(0) = 5
    ([1.0, 4.0], 5.0)
    """
    check_callable("grad_fn", grad_fn)
    as_array("x", x, finite=False)
    as_array("baseline", baseline, finite=False)
    x = np.asarray(x, dtype=np.float64)
    baseline = np.asarray(baseline, dtype=np.float64)
    if x.shape != baseline.shape:
        raise ValueError(
            f"x and baseline must have the same shape (got {x.shape} and {baseline.shape})"
        )
    if not (np.isfinite(x).all() and np.isfinite(baseline).all()):
        raise ValueError("x and baseline must be finite")
    alphas, weights = path_points(steps, rule)
    alpha_shape = (-1,) + (1,) * x.ndim
    points = baseline + alphas.reshape(alpha_shape) * (x - baseline)  # (m, *x.shape)
    grads = np.asarray(grad_fn(points), dtype=np.float64)
    if grads.shape != points.shape:
        raise ValueError(
            f"grad_fn must return gradients of shape {points.shape} (got {grads.shape})"
        )
    mean_grad = np.tensordot(weights, grads, axes=1)  # weighted average along the path
    return (x - baseline) * mean_grad


def completeness_gap(attributions: ArrayLike, f_x: float, f_baseline: float) -> float:
    """``|sum_i IG_i - (f(x) - f(x'))|``: how far attributions are from completeness.

    Examples
    --------
    >>> completeness_gap([0.25, 0.5], 1.0, 0.25)
    0.0
    """
    as_array("attributions", attributions)
    for name, value in (("f_x", f_x), ("f_baseline", f_baseline)):
        if not isinstance(value, (numbers.Real, np.ndarray, np.generic)):
            raise TypeError(f"{name} must be a number (got {type(value).__name__}: {value!r:.60})")
        if as_array(name, value).size != 1:
            raise ValueError(f"{name} must be one number (got shape {np.shape(value)})")
    total = float(np.sum(np.asarray(attributions, dtype=np.float64)))
    return abs(total - (float(f_x) - float(f_baseline)))


def _run(params: Params, X: ArrayLike, target: ArrayLike, config: MLPConfig):
    if not isinstance(config, MLPConfig):
        raise TypeError(f"config must be an MLPConfig (got {type(config).__name__})")
    if config.loss != "cross_entropy":
        raise ValueError(
            f"attributions explain a classifier: config.loss must be 'cross_entropy' "
            f"(got loss={config.loss!r})"
        )
    as_array("X", X, finite=False)
    x = np.asarray(X, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"X must have shape (N, {config.sizes[0]}) (got shape {x.shape})")
    t = class_targets(target, x.shape[0], config.sizes[-1])
    fwd = forward(params, x, t, config)  # validates the shapes of params and X
    return fwd.zs[-1], t, fwd
