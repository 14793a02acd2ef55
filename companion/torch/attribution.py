"""Saliency gradients of the MLP classifier by PyTorch autograd.

Explained in chapter "Trends and challenges" (book/06_outlook/trends_challenges). The same
names and signatures as :mod:`companion.tf.attribution` and the NumPy reference
:mod:`companion.maths.attribution`; the network is :func:`companion.torch.mlp.build_mlp`.
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike

from companion.maths.attribution import _run
from companion.maths.backprop import MLPConfig, Params
from companion.torch.autodiff import grad_of_sum
from companion.torch.mlp import build_mlp

__all__ = ["class_probability", "input_gradient"]


def class_probability(
    params: Params, X: ArrayLike, target: ArrayLike, config: MLPConfig
) -> np.ndarray:
    """``softmax(model(X))[i, target[i]]`` computed by a float64 ``torch.nn.Sequential``.

    Examples
    --------
    >>> cfg = MLPConfig((2, 3))
    >>> zero = [(np.zeros((3, 2)), np.zeros(3))]
    >>> class_probability(zero, np.ones((2, 2)), 1, cfg).round(4).tolist()
    [0.3333, 0.3333]
    """
    _, t, _ = _run(params, X, target, config)  # validates with the NumPy reference's messages
    x = torch.tensor(np.asarray(X, dtype=np.float64))
    with torch.no_grad():
        return _probability(build_mlp(params, config), x, t).numpy()


def input_gradient(
    params: Params, X: ArrayLike, target: ArrayLike, config: MLPConfig
) -> np.ndarray:
    """``d p_c / d x`` for every row by autograd, through :func:`grad_of_sum`.

    Each row's probability depends only on that row, so the gradient of their sum is the
    gradient of each row's own probability.

    Returns
    -------
    numpy.ndarray, shape (N, n_0)

    Examples
    --------
    >>> cfg = MLPConfig((2, 2))
    >>> W = [(np.array([[1.0, 0.0], [0.0, 0.0]]), np.zeros(2))]
    >>> input_gradient(W, np.zeros((1, 2)), 0, cfg).tolist()
    [[0.25, 0.0]]
    """
    _, t, _ = _run(params, X, target, config)
    model = build_mlp(params, config)
    return grad_of_sum(lambda x: _probability(model, x, t), np.asarray(X, dtype=np.float64))


def _probability(model: torch.nn.Sequential, x: torch.Tensor, t: np.ndarray) -> torch.Tensor:
    p = torch.softmax(model(x), dim=1)  # (N, n_L)
    return p[torch.arange(len(t)), torch.from_numpy(t)]
