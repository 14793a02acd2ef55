"""Gradient descent, momentum and Adam as NumPy update rules, in PyTorch's and Keras' conventions.

Explained in chapter "Optimisers" (book/03_math/optimisers).

Two libraries write the same algorithms differently, and the difference shows once the
learning rate changes during training (momentum) or the gradients are tiny (Adam):

- momentum, ``convention="torch"``: ``v <- mu v + g``, ``theta <- theta - lr v``;
  ``convention="keras"``: ``v <- mu v - lr g``, ``theta <- theta + v``;
- Adam, ``eps_placement="corrected"`` (the paper's Algorithm 1, ``torch.optim.Adam``):
  ``theta <- theta - lr m_hat / (sqrt(v_hat) + eps)``; ``"uncorrected"`` (Keras; the
  paper's end-of-section-2 variant): ``theta <- theta - lr_t m / (sqrt(v) + eps)`` with
  ``lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array, check_callable, check_instance

__all__ = [
    "AdamConfig",
    "OptimizerState",
    "SGDConfig",
    "init_state",
    "optimize",
    "step",
]

_CONVENTIONS = ("torch", "keras")
_EPS_PLACEMENTS = ("corrected", "uncorrected")


@dataclass(frozen=True)
class SGDConfig:
    """Gradient descent, with heavy-ball momentum when ``momentum > 0``.

    Attributes
    ----------
    lr : float
        Learning rate, positive.
    momentum : float
        ``mu`` in ``[0, 1)``; 0 gives plain gradient descent.
    convention : str
        ``"torch"`` (``v <- mu v + g; theta -= lr v``) or ``"keras"``
        (``v <- mu v - lr g; theta += v``). They agree while ``lr`` is constant.

    Examples
    --------
    >>> SGDConfig(lr=0.1, momentum=0.9)
    SGDConfig(lr=0.1, momentum=0.9, convention='torch')
    """

    lr: float
    momentum: float = 0.0
    convention: str = "torch"

    def __post_init__(self) -> None:
        _positive(self.lr, "lr")
        _unit_interval(self.momentum, "momentum")
        if self.convention not in _CONVENTIONS:
            raise ValueError(
                f"convention must be one of {_CONVENTIONS} (got convention={self.convention!r})"
            )


@dataclass(frozen=True)
class AdamConfig:
    """Adam with bias correction.

    Attributes
    ----------
    lr : float
        Step size ``alpha``, positive.
    beta1, beta2 : float
        Decay rates of the first and second moment estimates, in ``[0, 1)``.
    eps : float
        Positive constant in the denominator (PyTorch's default 1e-8, Keras' 1e-7).
    eps_placement : str
        ``"corrected"``: ``eps`` is added to ``sqrt(v_hat)`` (PyTorch, the paper's
        Algorithm 1); ``"uncorrected"``: to ``sqrt(v)`` before the correction (Keras).

    References
    ----------
    .. [1] Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
       arXiv:1412.6980, Algorithm 1 and the last paragraph of section 2.

    Examples
    --------
    >>> AdamConfig(lr=0.01).beta2
    0.999
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    eps_placement: str = "corrected"

    def __post_init__(self) -> None:
        _positive(self.lr, "lr")
        _unit_interval(self.beta1, "beta1")
        _unit_interval(self.beta2, "beta2")
        _positive(self.eps, "eps")
        if self.eps_placement not in _EPS_PLACEMENTS:
            raise ValueError(
                f"eps_placement must be one of {_EPS_PLACEMENTS} "
                f"(got eps_placement={self.eps_placement!r})"
            )


@dataclass(frozen=True)
class OptimizerState:
    """What an optimiser carries from one step to the next.

    Attributes
    ----------
    t : int
        Steps taken so far.
    m : numpy.ndarray
        The velocity (SGD) or first-moment estimate (Adam), shaped like the parameters.
    v : numpy.ndarray
        The second-moment estimate (Adam; zeros for SGD).
    """

    t: int
    m: np.ndarray
    v: np.ndarray


def init_state(theta: ArrayLike) -> OptimizerState:
    """Zero moments for parameters shaped like ``theta``.

    Examples
    --------
    >>> init_state([1.0, 2.0]).m.tolist()
    [0.0, 0.0]
    """
    as_array("theta", theta, finite=False)
    shape = np.shape(theta)
    return OptimizerState(t=0, m=np.zeros(shape), v=np.zeros(shape))


def step(
    config: SGDConfig | AdamConfig,
    theta: ArrayLike,
    grad: ArrayLike,
    state: OptimizerState,
    *,
    lr: float | None = None,
) -> tuple[np.ndarray, OptimizerState]:
    """One update ``theta_{t+1}`` from ``theta_t`` and the gradient at ``theta_t``.

    Parameters
    ----------
    config : SGDConfig or AdamConfig
    theta : array_like
        Current parameters; not modified.
    grad : array_like
        Gradient at ``theta``, same shape.
    state : OptimizerState
        From :func:`init_state` or the previous step.
    lr : float, optional
        This step's learning rate (a schedule); default ``config.lr``.

    Returns
    -------
    (numpy.ndarray, OptimizerState)
        New parameters and new state.

    Raises
    ------
    ValueError
        For mismatched shapes, non-finite gradients, a non-positive ``lr``, or an ``lr`` so
        large that the new parameters overflow.
    TypeError
        For an unknown config type, or a ``state`` that is not an :class:`OptimizerState`.

    Examples
    --------
    >>> theta, s = step(SGDConfig(lr=0.1), [1.0], [2.0], init_state([1.0]))
    >>> theta.tolist()
    [0.8]
    >>> theta, s = step(AdamConfig(lr=0.1), [1.0], [2.0], init_state([1.0]))
    >>> np.round(theta, 6).tolist()  # Adam's first step has length lr
    [0.9]
    """
    if not isinstance(config, (SGDConfig, AdamConfig)):
        raise TypeError(f"config must be an SGDConfig or AdamConfig (got {type(config).__name__})")
    check_instance("state", state, OptimizerState)
    as_array("theta", theta, finite=False)
    as_array("grad", grad, finite=False)
    th = np.asarray(theta, dtype=np.float64)
    g = np.asarray(grad, dtype=np.float64)
    if g.shape != th.shape or state.m.shape != th.shape:
        raise ValueError(
            f"theta, grad and state must have one shape (got {th.shape}, {g.shape}, "
            f"{state.m.shape})"
        )
    if not np.isfinite(g).all():
        raise ValueError("grad must be finite (found NaN or infinity)")
    lr_t = config.lr if lr is None else _positive(lr, "lr")
    if isinstance(config, SGDConfig):
        result = _sgd(config, th, g, state, lr_t)
    else:
        result = _adam(config, th, g, state, lr_t)
    if not np.isfinite(result[0]).all():
        raise ValueError(
            f"the step overflows a float: lr={lr_t} is too large for theta and grad of this size"
        )
    return result


def optimize(
    config: SGDConfig | AdamConfig,
    grad_fn: Callable[[np.ndarray], ArrayLike],
    theta0: ArrayLike,
    steps: int,
    *,
    lr_schedule: Callable[[int], float] | None = None,
) -> np.ndarray:
    """Run ``steps`` updates from ``theta0``; return the whole trajectory.

    Parameters
    ----------
    config : SGDConfig or AdamConfig
    grad_fn : callable
        Maps parameters (float64 array) to the gradient there.
    theta0 : array_like
        Starting point.
    steps : int
        Number of updates, non-negative.
    lr_schedule : callable, optional
        ``t -> lr`` for step ``t = 0, 1, ...``; default the constant ``config.lr``.

    Returns
    -------
    numpy.ndarray, shape (steps + 1, *theta0.shape)
        ``theta_0, theta_1, ..., theta_steps``.

    Examples
    --------
    >>> path = optimize(SGDConfig(lr=0.25), lambda th: 2 * th, [1.0], steps=3)
    >>> path.ravel().tolist()  # each step halves theta on f = theta^2
    [1.0, 0.5, 0.25, 0.125]
    """
    check_callable("grad_fn", grad_fn)
    if lr_schedule is not None:
        check_callable("lr_schedule", lr_schedule)
    theta = as_start(config, theta0, steps)
    state = init_state(theta)
    path = [theta.copy()]
    for t in range(steps):
        lr = None if lr_schedule is None else lr_schedule(t)
        g = grad_fn(theta.copy())
        if not np.isfinite(as_array("grad_fn(theta)", g, finite=False)).all():
            raise ValueError(
                f"grad_fn(theta) is not finite at step {t}: theta0 or the learning rate is "
                "too large for this function"
            )
        theta, state = step(config, theta, g, state, lr=lr)
        path.append(theta.copy())
    return np.stack(path)


# --- update rules ---------------------------------------------------------------------------


def _sgd(
    config: SGDConfig, th: np.ndarray, g: np.ndarray, state: OptimizerState, lr: float
) -> tuple[np.ndarray, OptimizerState]:
    mu = config.momentum
    if mu == 0:
        return th - lr * g, OptimizerState(state.t + 1, state.m, state.v)
    if config.convention == "torch":
        v = mu * state.m + g  # the first step gives v = g, as PyTorch's buffer
        return th - lr * v, OptimizerState(state.t + 1, v, state.v)
    v = mu * state.m - lr * g  # Keras: the velocity already carries the learning rate
    return th + v, OptimizerState(state.t + 1, v, state.v)


def _adam(
    config: AdamConfig, th: np.ndarray, g: np.ndarray, state: OptimizerState, lr: float
) -> tuple[np.ndarray, OptimizerState]:
    t = state.t + 1
    b1, b2 = config.beta1, config.beta2
    m = b1 * state.m + (1 - b1) * g
    v = b2 * state.v + (1 - b2) * g * g
    c1, c2 = 1 - b1**t, 1 - b2**t  # bias corrections
    if config.eps_placement == "corrected":
        new = th - lr * (m / c1) / (np.sqrt(v / c2) + config.eps)
    else:
        new = th - (lr * math.sqrt(c2) / c1) * m / (np.sqrt(v) + config.eps)
    return new, OptimizerState(t, m, v)


# --- validation -----------------------------------------------------------------------------


def as_start(config: object, theta0: ArrayLike, steps: object) -> np.ndarray:
    """Validate the arguments of an ``optimize`` call; return ``theta0`` as a float64 copy."""
    if not isinstance(config, (SGDConfig, AdamConfig)):
        raise TypeError(f"config must be an SGDConfig or AdamConfig (got {type(config).__name__})")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative int (got steps={steps!r})")
    if steps > 2**31:
        raise ValueError(f"steps must be at most 2**31 (got steps={steps})")
    as_array("theta0", theta0, finite=False)
    theta = np.array(theta0, dtype=np.float64)
    if theta.size == 0 or not np.isfinite(theta).all():
        raise ValueError(f"theta0 must be a non-empty finite array (got shape {theta.shape})")
    return theta


def _positive(x: object, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number (got {type(x).__name__}: {x!r})")
    if abs(x) > sys.float_info.max or not (math.isfinite(float(x)) and float(x) > 0):
        raise ValueError(f"{name} must be positive and finite (got {name}={x})")
    return float(x)


def _unit_interval(x: object, name: str) -> None:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number (got {type(x).__name__}: {x!r})")
    if not 0 <= float(x) < 1:
        raise ValueError(f"{name} must lie in [0, 1) (got {name}={x})")
