"""The NumPy MLP of :mod:`companion.maths.backprop` as a PyTorch module, differentiated by autograd.

Explained in chapter "Backpropagation" (book/03_math/backpropagation). The same names and
signatures as :mod:`companion.tf.mlp`.
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike

from companion.maths.backprop import MLPConfig, Params, forward

__all__ = ["build_mlp", "delta_grads", "loss_and_grads"]


def build_mlp(params: Params, config: MLPConfig) -> torch.nn.Sequential:
    """``Linear, activation, ..., Linear`` in float64 with the given weights copied in.

    ``torch.nn.Linear`` stores its weight as ``(out, in)``, the layout of ``params``.

    Parameters
    ----------
    params : Params
        ``[(W^1, b^1), ...]`` with ``W^l`` of shape ``(n_l, n_{l-1})``.
    config : MLPConfig

    Returns
    -------
    torch.nn.Sequential

    Examples
    --------
    >>> from companion.maths.backprop import init_params
    >>> cfg = MLPConfig((4, 8, 3))
    >>> model = build_mlp(init_params(cfg, np.random.default_rng(0)), cfg)
    >>> [type(m).__name__ for m in model]
    ['Linear', 'ReLU', 'Linear']
    """
    act = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}[config.activation]
    layers: list[torch.nn.Module] = []
    for layer, (w, b) in enumerate(params, start=1):
        linear = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.asarray(w, dtype=np.float64)))
            linear.bias.copy_(torch.from_numpy(np.asarray(b, dtype=np.float64)))
        layers.append(linear)
        if layer < config.n_layers:
            layers.append(act())
    return torch.nn.Sequential(*layers)


def loss_and_grads(
    params: Params, X: ArrayLike, Y: ArrayLike, config: MLPConfig
) -> tuple[float, Params]:
    """Mean loss by PyTorch's own loss functions and its gradient for every ``(W, b)`` by autograd.

    Parameters
    ----------
    params : Params
    X : array_like, shape (N, n_0)
    Y : array_like
        As :func:`companion.maths.backprop.forward`.
    config : MLPConfig

    Returns
    -------
    (float, Params)
        The loss and ``[(dL/dW^1, dL/db^1), ...]`` as float64 NumPy arrays.

    Examples
    --------
    >>> from companion.maths.backprop import init_params
    >>> cfg = MLPConfig((2, 3, 2))
    >>> loss, grads = loss_and_grads(
    ...     init_params(cfg, np.random.default_rng(0)), np.ones((4, 2)), np.zeros(4, dtype=int), cfg
    ... )
    >>> [g[0].shape for g in grads]
    [(3, 2), (2, 3)]
    """
    forward(params, X, Y, config)  # validates shapes with the NumPy reference's messages
    model = build_mlp(params, config)
    loss, _ = _run(model, X, Y, config)
    loss.backward()
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    grads = [(m.weight.grad.numpy().copy(), m.bias.grad.numpy().copy()) for m in linears]
    return float(loss.detach()), grads


def delta_grads(params: Params, X: ArrayLike, Y: ArrayLike, config: MLPConfig) -> list[np.ndarray]:
    """``dL/dz^l`` for every layer's pre-activation, by autograd: the deltas of backpropagation.

    Returns
    -------
    list of numpy.ndarray
        ``[dL/dz^1, ..., dL/dz^L]``, each of shape ``(N, n_l)``.

    Examples
    --------
    >>> from companion.maths.backprop import init_params
    >>> cfg = MLPConfig((2, 3, 2))
    >>> d = delta_grads(
    ...     init_params(cfg, np.random.default_rng(0)), np.ones((4, 2)), np.zeros(4, dtype=int), cfg
    ... )
    >>> [x.shape for x in d]
    [(4, 3), (4, 2)]
    """
    forward(params, X, Y, config)
    loss, zs = _run(build_mlp(params, config), X, Y, config)
    return [g.numpy() for g in torch.autograd.grad(loss, zs)]


def _run(
    model: torch.nn.Sequential, X: ArrayLike, Y: ArrayLike, config: MLPConfig
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    a = torch.as_tensor(np.asarray(X, dtype=np.float64))
    zs = []
    for module in model:
        a = module(a)
        if isinstance(module, torch.nn.Linear):
            zs.append(a)  # z^l, kept to differentiate with respect to it
    if config.loss == "mse":
        target = torch.as_tensor(np.asarray(Y, dtype=np.float64))
        return torch.nn.functional.mse_loss(a, target), zs
    y = np.asarray(Y)
    # Integer labels stay labels; distributions go in as class probabilities.
    target = torch.as_tensor(y, dtype=torch.long if y.ndim == 1 else torch.float64)
    return torch.nn.functional.cross_entropy(a, target), zs
