"""A small convolutional network whose weights are made once and loaded into every framework.

Explained in chapter "The ecosystem" (book/02_concepts/ecosystem). The network is
Conv2D (valid, stride 1) -> ReLU -> global average pooling -> Dense, on images stored
channels-last (N, H, W, C) as Keras does. :mod:`companion.torch.small_cnn` and
:mod:`companion.tf.small_cnn` build the same network from the same :class:`SmallCNNWeights`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array, check_instance, check_rng

__all__ = ["SmallCNNWeights", "init_small_cnn", "small_cnn_forward"]


@dataclass(frozen=True)
class SmallCNNWeights:
    """Weights in Keras' layout; PyTorch gets them transposed.

    Attributes
    ----------
    kernel : numpy.ndarray, shape (k, k, C_in, F)
        Convolution kernel (height, width, input channels, filters).
    conv_bias : numpy.ndarray, shape (F,)
    dense : numpy.ndarray, shape (F, K)
        Classifier weights, applied as ``features @ dense``.
    dense_bias : numpy.ndarray, shape (K,)
    """

    kernel: np.ndarray
    conv_bias: np.ndarray
    dense: np.ndarray
    dense_bias: np.ndarray

    def __post_init__(self) -> None:
        if self.kernel.ndim != 4 or self.kernel.shape[0] != self.kernel.shape[1]:
            raise ValueError(f"kernel must have shape (k, k, C_in, F) (got {self.kernel.shape})")
        f = self.kernel.shape[3]
        if self.conv_bias.shape != (f,) or self.dense.ndim != 2 or self.dense.shape[0] != f:
            raise ValueError(
                f"conv_bias must be ({f},) and dense ({f}, K) "
                f"(got {self.conv_bias.shape} and {self.dense.shape})"
            )
        if self.dense_bias.shape != (self.dense.shape[1],):
            raise ValueError(
                f"dense_bias must be ({self.dense.shape[1]},) (got {self.dense_bias.shape})"
            )


def init_small_cnn(
    rng: np.random.Generator,
    *,
    in_channels: int = 1,
    filters: int = 8,
    kernel_size: int = 3,
    n_classes: int = 10,
) -> SmallCNNWeights:
    """He-scaled normal weights and small random biases, float64.

    Examples
    --------
    >>> w = init_small_cnn(np.random.default_rng(0))
    >>> w.kernel.shape, w.dense.shape
    ((3, 3, 1, 8), (8, 10))
    """
    check_rng("rng", rng)
    for name, value in (
        ("in_channels", in_channels),
        ("filters", filters),
        ("kernel_size", kernel_size),
        ("n_classes", n_classes),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**31:
            raise ValueError(f"{name} must be a positive int (got {name}={value!r})")
    fan_in = kernel_size * kernel_size * in_channels
    shape = (kernel_size, kernel_size, in_channels, filters)
    return SmallCNNWeights(
        kernel=rng.normal(scale=np.sqrt(2 / fan_in), size=shape),
        conv_bias=rng.normal(scale=0.1, size=filters),
        dense=rng.normal(scale=np.sqrt(1 / filters), size=(filters, n_classes)),
        dense_bias=rng.normal(scale=0.1, size=n_classes),
    )


def small_cnn_forward(x: ArrayLike, weights: SmallCNNWeights) -> np.ndarray:
    """Logits of the network for a batch of channels-last images.

    Parameters
    ----------
    x : array_like, shape (N, H, W, C_in)
    weights : SmallCNNWeights

    Returns
    -------
    numpy.ndarray, shape (N, K)

    Raises
    ------
    TypeError
        If ``weights`` is not a :class:`SmallCNNWeights`.
    ValueError
        If ``x`` is not a finite 4-D array with ``C_in`` channels, or smaller than the kernel.

    Examples
    --------
    >>> w = init_small_cnn(np.random.default_rng(0))
    >>> small_cnn_forward(np.zeros((2, 6, 6, 1)), w).shape
    (2, 10)
    """
    check_instance("weights", weights, SmallCNNWeights)
    as_array("x", x)
    x = np.asarray(x, dtype=np.float64)
    k, _, c_in, _ = weights.kernel.shape
    if x.ndim != 4 or x.shape[3] != c_in or min(x.shape[1:3]) < k:
        raise ValueError(f"x must have shape (N, H>={k}, W>={k}, {c_in}) (got {x.shape})")
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))  # (N,H',W',C,k,k)
    conv = np.einsum("nhwcij,ijcf->nhwf", windows, weights.kernel) + weights.conv_bias
    features = np.maximum(conv, 0.0).mean(axis=(1, 2))  # ReLU, then global average pool: (N, F)
    return features @ weights.dense + weights.dense_bias
