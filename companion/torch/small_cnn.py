"""The small CNN of :mod:`companion.maths.small_cnn` as a PyTorch module.

Explained in chapter "The ecosystem" (book/02_concepts/ecosystem). PyTorch stores images
channels-first (N, C, H, W), convolution kernels as (F, C_in, k, k) and a ``Linear`` weight as
(out, in): the Keras-layout weights are transposed on the way in.
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike

from companion.maths.small_cnn import SmallCNNWeights

__all__ = ["build_small_cnn", "small_cnn_forward"]


def build_small_cnn(weights: SmallCNNWeights) -> torch.nn.Sequential:
    """Conv2d -> ReLU -> AdaptiveAvgPool2d(1) -> Flatten -> Linear, float64, eval mode.

    Examples
    --------
    >>> from companion.maths.small_cnn import init_small_cnn
    >>> build_small_cnn(init_small_cnn(np.random.default_rng(0)))[0].weight.shape
    torch.Size([8, 1, 3, 3])
    """
    k, _, c_in, f = weights.kernel.shape
    model = torch.nn.Sequential(
        torch.nn.Conv2d(c_in, f, kernel_size=k),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(f, weights.dense.shape[1]),
    ).double()
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(weights.kernel.transpose(3, 2, 0, 1)))  # (F,C,k,k)
        model[0].bias.copy_(torch.from_numpy(weights.conv_bias))
        model[4].weight.copy_(torch.from_numpy(weights.dense.T))  # (out, in)
        model[4].bias.copy_(torch.from_numpy(weights.dense_bias))
    return model.eval()


def small_cnn_forward(x: ArrayLike, weights: SmallCNNWeights) -> np.ndarray:
    """Logits for channels-last images ``x`` (N, H, W, C), computed by PyTorch.

    Examples
    --------
    >>> from companion.maths.small_cnn import init_small_cnn
    >>> small_cnn_forward(np.zeros((2, 6, 6, 1)), init_small_cnn(np.random.default_rng(0))).shape
    (2, 10)
    """
    x_nchw = torch.from_numpy(np.asarray(x, dtype=np.float64).transpose(0, 3, 1, 2).copy())
    with torch.no_grad():
        return build_small_cnn(weights)(x_nchw).numpy()
