"""The articles' digit CNN in Keras, under the same names as :mod:`companion.torch.cnn`.

Explained in chapter "A CNN for handwritten digits" (book/04_practice/cnn_digits).

Keras is channels-last: the model takes images of shape ``(N, H, W, C)``, and its weights
are already in the canonical layout of :mod:`companion.maths.cnn`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.cnn import DigitCNNConfig, check_digit_cnn_weights
from companion.runtime import import_tensorflow

tf = import_tensorflow()
keras = tf.keras

__all__ = ["digit_cnn", "get_digit_cnn_weights", "set_digit_cnn_weights"]

_DTYPES = ("float32", "float64")


def digit_cnn(config: DigitCNNConfig | None = None, *, dtype: str = "float32") -> keras.Model:
    """Build the digit CNN: conv blocks, ``Flatten``, a ReLU dense layer, logits.

    The articles pass ``input_shape=`` to the first layer, which Keras 3 warns against; the
    model starts from ``keras.Input`` instead. The last layer returns logits (no softmax):
    train with ``SparseCategoricalCrossentropy(from_logits=True)``.

    Parameters
    ----------
    config : DigitCNNConfig, optional
        Shape of the network; default ``DigitCNNConfig()`` (article 002's two blocks).
    dtype : {"float32", "float64"}
        Dtype of the weights and of the computation.

    Returns
    -------
    keras.Sequential
        Takes ``(N, H, W, C)`` images, returns ``(N, n_classes)`` logits. Layers are named
        ``conv1``, ``pool1``, ..., ``flatten``, ``dense``, ``output`` as in the torch model.

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
    >>> model.count_params(), tuple(model(np.zeros((2, 28, 28, 1))).shape)
    (693962, (2, 10))
    """
    config = _config(config)
    if dtype not in _DTYPES:
        raise ValueError(f"dtype must be one of {sorted(_DTYPES)} (got dtype={dtype!r})")
    layers = keras.layers
    side = config.image_size
    stack: list = [keras.Input(shape=(side, side, config.channels), dtype=dtype)]
    for i, filters in enumerate(config.conv_filters, start=1):
        stack.append(
            layers.Conv2D(
                filters, config.kernel_size, activation="relu", name=f"conv{i}", dtype=dtype
            )
        )
        stack.append(layers.MaxPooling2D(config.pool_size, name=f"pool{i}", dtype=dtype))
    stack += [
        layers.Flatten(name="flatten", dtype=dtype),  # (N, H * W * C), channels-last order
        layers.Dense(config.dense_units, activation="relu", name="dense", dtype=dtype),
        layers.Dense(config.n_classes, name="output", dtype=dtype),  # logits
    ]
    return keras.Sequential(stack, name="digit_cnn")


def set_digit_cnn_weights(
    model: keras.Model, config: DigitCNNConfig, weights: dict[str, ArrayLike]
) -> None:
    """Copy canonical weights into a model built by :func:`digit_cnn` (no permutation needed).

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
    for layer in _weighted_layers(model):
        dtype = layer.kernel.dtype
        layer.set_weights(
            [
                np.asarray(weights[f"{layer.name}.kernel"], dtype=dtype),
                np.asarray(weights[f"{layer.name}.bias"], dtype=dtype),
            ]
        )


def get_digit_cnn_weights(model: keras.Model, config: DigitCNNConfig) -> dict[str, np.ndarray]:
    """Export a model's weights in the canonical layout, as float64 arrays.

    Examples
    --------
    >>> from companion.maths.cnn import ARTICLE_000
    >>> get_digit_cnn_weights(digit_cnn(ARTICLE_000), ARTICLE_000)["dense.kernel"].shape
    (5408, 128)
    """
    config = _config(config)
    weights = {}
    for layer in _weighted_layers(model):
        kernel, bias = layer.get_weights()
        weights[f"{layer.name}.kernel"] = np.asarray(kernel, dtype=np.float64)
        weights[f"{layer.name}.bias"] = np.asarray(bias, dtype=np.float64)
    check_digit_cnn_weights(config, weights)
    return weights


def _weighted_layers(model: keras.Model) -> list:
    return [layer for layer in model.layers if layer.weights]


def _config(config: DigitCNNConfig | None) -> DigitCNNConfig:
    if config is None:
        return DigitCNNConfig()
    if not isinstance(config, DigitCNNConfig):
        raise TypeError(f"config must be a DigitCNNConfig (got {type(config).__name__})")
    return config
