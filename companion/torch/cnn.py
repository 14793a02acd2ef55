"""The articles' digit CNN in PyTorch, under the same names as :mod:`companion.tf.cnn`.

Explained in chapter "A CNN for handwritten digits" (book/04_practice/cnn_digits).

PyTorch is channels-first: the model takes images of shape ``(N, C, H, W)`` and its
``Flatten`` orders features as ``(C, H, W)``. The canonical weights of
:mod:`companion.maths.cnn` are channels-last, so loading and exporting permute the
convolution kernels and the rows of the first dense layer.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import nn

from companion.maths.cnn import DigitCNNConfig, check_digit_cnn_weights

__all__ = ["digit_cnn", "get_digit_cnn_weights", "set_digit_cnn_weights"]

_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def digit_cnn(config: DigitCNNConfig | None = None, *, dtype: str = "float32") -> nn.Sequential:
    """Build the digit CNN: conv blocks, ``Flatten``, a ReLU dense layer, logits.

    Parameters
    ----------
    config : DigitCNNConfig, optional
        Shape of the network; default ``DigitCNNConfig()`` (article 002's two blocks).
    dtype : {"float32", "float64"}
        Parameter dtype.

    Returns
    -------
    torch.nn.Sequential
        Takes ``(N, C, H, W)`` images, returns ``(N, n_classes)`` logits. Layers are named
        ``conv1``, ``pool1``, ..., ``flatten``, ``dense``, ``output`` as in the Keras model.

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`DigitCNNConfig`.
    ValueError
        For an unknown ``dtype``.

    Examples
    --------
    >>> from companion.maths.cnn import ARTICLE_000
    >>> model = digit_cnn(ARTICLE_000)
    >>> sum(p.numel() for p in model.parameters()), tuple(model(torch.zeros(2, 1, 28, 28)).shape)
    (693962, (2, 10))
    """
    config = _config(config)
    torch_dtype = _dtype(dtype)
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    c_in = config.channels
    for i, c_out in enumerate(config.conv_filters, start=1):
        layers[f"conv{i}"] = nn.Conv2d(c_in, c_out, config.kernel_size)
        layers[f"relu{i}"] = nn.ReLU()
        layers[f"pool{i}"] = nn.MaxPool2d(config.pool_size)
        c_in = c_out
    layers["flatten"] = nn.Flatten()  # (N, C * H * W), channels-first order
    layers["dense"] = nn.Linear(int(np.prod(config.feature_shape)), config.dense_units)
    layers["relu"] = nn.ReLU()
    layers["output"] = nn.Linear(config.dense_units, config.n_classes)  # logits
    return nn.Sequential(layers).to(torch_dtype)


def set_digit_cnn_weights(
    model: nn.Sequential, config: DigitCNNConfig, weights: dict[str, ArrayLike]
) -> None:
    """Copy canonical (channels-last) weights into a model built by :func:`digit_cnn`.

    Parameters
    ----------
    model : torch.nn.Sequential
        From ``digit_cnn(config)``.
    config : DigitCNNConfig
    weights : dict of str to array_like
        Canonical names and shapes (:meth:`DigitCNNConfig.weight_shapes`).

    Raises
    ------
    ValueError
        If the weights do not match ``config``.

    Examples
    --------
    >>> from companion.maths.cnn import ARTICLE_000, init_digit_cnn
    >>> model = digit_cnn(ARTICLE_000)
    >>> set_digit_cnn_weights(model, ARTICLE_000, init_digit_cnn(ARTICLE_000,
    ...                       np.random.default_rng(0)))
    """
    config = _config(config)
    check_digit_cnn_weights(config, weights)
    h, w, c = config.feature_shape
    with torch.no_grad():
        for name, module in model.named_children():
            if not isinstance(module, (nn.Conv2d, nn.Linear)):
                continue
            kernel = np.asarray(weights[f"{name}.kernel"], dtype=np.float64)
            if name.startswith("conv"):
                kernel = kernel.transpose(3, 2, 0, 1)  # (k, k, in, out) -> (out, in, k, k)
            elif name == "dense":  # rows (H, W, C) -> columns (C, H, W)
                units = kernel.shape[1]
                kernel = kernel.reshape(h, w, c, units).transpose(3, 2, 0, 1).reshape(units, -1)
            else:
                kernel = kernel.T  # (in, out) -> (out, in)
            bias = np.asarray(weights[f"{name}.bias"], dtype=np.float64)
            module.weight.copy_(torch.from_numpy(np.ascontiguousarray(kernel)))
            module.bias.copy_(torch.from_numpy(bias))


def get_digit_cnn_weights(model: nn.Sequential, config: DigitCNNConfig) -> dict[str, np.ndarray]:
    """Export a model's weights in the canonical (channels-last) layout, as float64 arrays.

    Examples
    --------
    >>> from companion.maths.cnn import ARTICLE_000
    >>> get_digit_cnn_weights(digit_cnn(ARTICLE_000), ARTICLE_000)["dense.kernel"].shape
    (5408, 128)
    """
    config = _config(config)
    h, w, c = config.feature_shape
    weights = {}
    for name, module in model.named_children():
        if not isinstance(module, (nn.Conv2d, nn.Linear)):
            continue
        kernel = module.weight.detach().cpu().double().numpy()
        if name.startswith("conv"):
            kernel = kernel.transpose(2, 3, 1, 0)
        elif name == "dense":
            units = kernel.shape[0]
            kernel = kernel.reshape(units, c, h, w).transpose(2, 3, 1, 0).reshape(-1, units)
        else:
            kernel = kernel.T
        weights[f"{name}.kernel"] = np.ascontiguousarray(kernel)
        weights[f"{name}.bias"] = module.bias.detach().cpu().double().numpy()
    check_digit_cnn_weights(config, weights)
    return weights


def _config(config: DigitCNNConfig | None) -> DigitCNNConfig:
    if config is None:
        return DigitCNNConfig()
    if not isinstance(config, DigitCNNConfig):
        raise TypeError(f"config must be a DigitCNNConfig (got {type(config).__name__})")
    return config


def _dtype(dtype: str) -> torch.dtype:
    if dtype not in _DTYPES:
        raise ValueError(f"dtype must be one of {sorted(_DTYPES)} (got dtype={dtype!r})")
    return _DTYPES[dtype]
