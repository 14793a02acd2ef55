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
    with torch.no_grad():
        p, _ = _probability(params, X, t, config, requires_grad=False)
    return p.numpy()


def input_gradient(
    params: Params, X: ArrayLike, target: ArrayLike, config: MLPConfig
) -> np.ndarray:
    """``d p_c / d x`` for every row by ``torch.autograd.grad``.

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
    p, x = _probability(params, X, t, config, requires_grad=True)
    (grad,) = torch.autograd.grad(p.sum(), x)
    return grad.numpy()


def _probability(
    params: Params, X: ArrayLike, t: np.ndarray, config: MLPConfig, *, requires_grad: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    model = build_mlp(params, config)
    x = torch.tensor(np.asarray(X, dtype=np.float64), requires_grad=requires_grad)
    p = torch.softmax(model(x), dim=1)  # (N, n_L)
    return p[torch.arange(len(t)), torch.from_numpy(t)], x
