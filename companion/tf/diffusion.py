"""Time derivatives of the diffusion curves by TensorFlow's ``GradientTape``.

Explained in chapter "Market saturation" (book/03_math/market_saturation). Same names and
signatures as :mod:`companion.torch.diffusion` and :mod:`companion.maths.diffusion`, where the
``*_rate`` functions evaluate the ODE instead: equal results show that the closed forms solve
their ODEs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from companion.runtime import import_tensorflow
from companion.tf.autodiff import grad_of_sum

tf = import_tensorflow()

__all__ = ["bass_rate", "logistic_rate"]


def _time_derivative(curve: Callable[[tf.Tensor], tf.Tensor], t: ArrayLike) -> np.ndarray:
    # N(t_i) depends on t_i only, so the gradient of the sum is dN/dt at every t_i.
    return grad_of_sum(curve, t)


def logistic_rate(t: ArrayLike, K: float, r: float, t0: float) -> np.ndarray:
    """``dN/dt`` of ``K / (1 + exp(-r (t - t0)))`` by ``tf.GradientTape``.

    Examples
    --------
    >>> float(logistic_rate(0.0, K=10.0, r=2.0, t0=0.0))
    5.0
    """
    return _time_derivative(lambda s: K / (1 + tf.exp(-r * (s - t0))), t)


def _bass_adopters(t: tf.Tensor, m: float, p: float, q: float) -> tf.Tensor:
    """The Bass closed form in TensorFlow operations (for the tape)."""
    e = tf.exp(-(p + q) * t)
    return m * (1 - e) / (1 + (q / p) * e)


def bass_rate(t: ArrayLike, m: float, p: float, q: float) -> np.ndarray:
    """``dN/dt`` of the Bass closed form by ``tf.GradientTape``.

    Examples
    --------
    >>> round(float(bass_rate(0.0, m=100.0, p=0.03, q=0.4)), 12)
    3.0
    """
    return _time_derivative(lambda s: _bass_adopters(s, m, p, q), t)
