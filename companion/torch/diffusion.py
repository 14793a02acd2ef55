"""Time derivatives of the diffusion curves by PyTorch autograd.

Explained in chapter "Market saturation" (book/03_math/market_saturation). Same names and
signatures as :mod:`companion.tf.diffusion` and :mod:`companion.maths.diffusion`, where the
``*_rate`` functions evaluate the ODE instead: equal results show that the closed forms solve
their ODEs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from numpy.typing import ArrayLike

from companion.torch.autodiff import grad_of_sum

__all__ = ["bass_rate", "logistic_rate"]


def _time_derivative(curve: Callable[[torch.Tensor], torch.Tensor], t: ArrayLike) -> np.ndarray:
    # N(t_i) depends on t_i only, so the gradient of the sum is dN/dt at every t_i.
    return grad_of_sum(curve, t)


def logistic_rate(t: ArrayLike, K: float, r: float, t0: float) -> np.ndarray:
    """``dN/dt`` of ``K / (1 + exp(-r (t - t0)))`` by autograd.

    Examples
    --------
    >>> float(logistic_rate(0.0, K=10.0, r=2.0, t0=0.0))
    5.0
    """
    return _time_derivative(lambda s: K / (1 + torch.exp(-r * (s - t0))), t)


def _bass_adopters(t: torch.Tensor, m: float, p: float, q: float) -> torch.Tensor:
    """The Bass closed form in torch operations (for autograd)."""
    e = torch.exp(-(p + q) * t)
    return m * (1 - e) / (1 + (q / p) * e)


def bass_rate(t: ArrayLike, m: float, p: float, q: float) -> np.ndarray:
    """``dN/dt`` of the Bass closed form by autograd.

    Examples
    --------
    >>> round(float(bass_rate(0.0, m=100.0, p=0.03, q=0.4)), 12)
    3.0
    """
    return _time_derivative(lambda s: _bass_adopters(s, m, p, q), t)
