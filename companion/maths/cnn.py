"""The articles' digit CNN, framework-neutral: its configuration, weights and a NumPy forward pass.

Explained in chapter "A CNN for handwritten digits" (book/04_practice/cnn_digits).

The network is the one articles 000 §5.2 and 002 §5.2 print in Keras: blocks of a 3x3
convolution with ReLU and 2x2 max-pooling, then ``Flatten``, a ReLU dense layer and an output
layer. :class:`DigitCNNConfig` describes it once; :mod:`companion.torch.cnn` and
:mod:`companion.tf.cnn` build it under the same name, ``digit_cnn``. Weights are exchanged as a
dict of NumPy arrays in one canonical layout (Keras' channels-last layout, below), so the same
numbers can be loaded into both frameworks and into :func:`digit_cnn_forward`.

Canonical weights (``i`` = 1, 2, ... numbers the convolution blocks)::

    conv{i}.kernel  (k, k, C_in, C_out)      conv{i}.bias  (C_out,)
    dense.kernel    (H * W * C, units)       dense.bias    (units,)     rows in (H, W, C) order
    output.kernel   (units, n_classes)       output.bias   (n_classes,)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array, check_instance, check_rng

__all__ = [
    "ARTICLE_000",
    "ARTICLE_002",
    "DigitCNNConfig",
    "check_digit_cnn_weights",
    "digit_cnn_forward",
    "init_digit_cnn",
]


def _positive_int(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int (got {type(value).__name__}: {value!r})")
    if value < 1:
        raise ValueError(f"{name} must be positive (got {name}={value})")


@dataclass(frozen=True)
class DigitCNNConfig:
    """Shape of the digit CNN.

    Attributes
    ----------
    image_size : int
        Height and width of the square input images (28 for MNIST).
    channels : int
        Input channels (1 for greyscale).
    conv_filters : tuple of int
        Filters of each convolution block; ``(32,)`` is article 000's network, ``(32, 64)``
        article 002's.
    kernel_size : int
        Side of the square convolution kernels (no padding, stride 1).
    pool_size : int
        Side and stride of the max-pooling windows (floor mode, as in both frameworks).
    dense_units : int
        Width of the hidden dense layer.
    n_classes : int
        Outputs: 10 digits. The network returns logits, one per class.

    Examples
    --------
    >>> DigitCNNConfig(conv_filters=(32,)).feature_shape
    (13, 13, 32)
    >>> DigitCNNConfig(conv_filters=(32,)).n_parameters
    693962
    """

    image_size: int = 28
    channels: int = 1
    conv_filters: tuple[int, ...] = (32, 64)
    kernel_size: int = 3
    pool_size: int = 2
    dense_units: int = 128
    n_classes: int = 10

    def __post_init__(self) -> None:
        names = ("image_size", "channels", "kernel_size", "pool_size", "dense_units", "n_classes")
        for name in names:
            _positive_int(getattr(self, name), name)
        if not isinstance(self.conv_filters, tuple) or not self.conv_filters:
            raise TypeError(
                f"conv_filters must be a non-empty tuple of ints (got {self.conv_filters!r})"
            )
        for filters in self.conv_filters:
            _positive_int(filters, "conv_filters entries")
        side = self.image_size
        for block in range(1, len(self.conv_filters) + 1):
            side = (side - self.kernel_size + 1) // self.pool_size
            if side < 1:
                raise ValueError(
                    f"image_size={self.image_size} is too small for {len(self.conv_filters)} "
                    f"conv blocks: the feature map vanishes after block {block}"
                )

    @property
    def feature_shape(self) -> tuple[int, int, int]:
        """``(H, W, C)`` of the last pooled feature map, the input of ``Flatten``."""
        side = self.image_size
        for _ in self.conv_filters:
            side = (side - self.kernel_size + 1) // self.pool_size
        return side, side, self.conv_filters[-1]

    def weight_shapes(self) -> dict[str, tuple[int, ...]]:
        """Canonical name and shape of every weight array, in layer order."""
        shapes: dict[str, tuple[int, ...]] = {}
        c_in, k = self.channels, self.kernel_size
        for i, c_out in enumerate(self.conv_filters, start=1):
            shapes[f"conv{i}.kernel"] = (k, k, c_in, c_out)
            shapes[f"conv{i}.bias"] = (c_out,)
            c_in = c_out
        shapes["dense.kernel"] = (int(np.prod(self.feature_shape)), self.dense_units)
        shapes["dense.bias"] = (self.dense_units,)
        shapes["output.kernel"] = (self.dense_units, self.n_classes)
        shapes["output.bias"] = (self.n_classes,)
        return shapes

    @property
    def n_parameters(self) -> int:
        """Number of trainable parameters (weights and biases)."""
        return int(sum(np.prod(shape) for shape in self.weight_shapes().values()))


#: Article 000 §5.2: one convolution block, 10 softmax outputs.
ARTICLE_000 = DigitCNNConfig(conv_filters=(32,))
#: Article 002 §5.2: two convolution blocks (printed with one sigmoid output; 10 classes here).
ARTICLE_002 = DigitCNNConfig(conv_filters=(32, 64))


def init_digit_cnn(config: DigitCNNConfig, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Fresh weights: Glorot-uniform kernels and zero biases (Keras' defaults), float64.

    Parameters
    ----------
    config : DigitCNNConfig
    rng : numpy.random.Generator
        Source of randomness, e.g. ``rt.rng()``.

    Returns
    -------
    dict of str to numpy.ndarray
        Canonical weights, shapes as in :meth:`DigitCNNConfig.weight_shapes`.

    References
    ----------
    .. [1] Glorot, Bengio, "Understanding the difficulty of training deep feedforward neural
       networks", AISTATS 2010: uniform on ``[-a, a]``, ``a = sqrt(6 / (fan_in + fan_out))``.

    Examples
    --------
    >>> w = init_digit_cnn(ARTICLE_000, np.random.default_rng(0))
    >>> w["conv1.kernel"].shape, float(w["dense.bias"].sum())
    ((3, 3, 1, 32), 0.0)
    """
    if not isinstance(config, DigitCNNConfig):
        raise TypeError(f"config must be a DigitCNNConfig (got {type(config).__name__})")
    check_rng("rng", rng)
    weights = {}
    for name, shape in config.weight_shapes().items():
        if name.endswith(".bias"):
            weights[name] = np.zeros(shape)
            continue
        receptive = int(np.prod(shape[:-2])) if len(shape) == 4 else 1
        fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights[name] = rng.uniform(-limit, limit, size=shape)
    return weights


def check_digit_cnn_weights(config: DigitCNNConfig, weights: dict[str, ArrayLike]) -> None:
    """Raise unless ``weights`` has exactly the canonical names and shapes of ``config``.

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`DigitCNNConfig` or ``weights`` not a dict.
    ValueError
        Naming the missing or unexpected keys, or the first array whose shape is wrong or
        whose values are not finite numbers.

    Examples
    --------
    >>> check_digit_cnn_weights(ARTICLE_000, {"conv1.kernel": np.zeros((3, 3, 1, 32))})
    Traceback (most recent call last):
    ...
    ValueError: weights do not match the config: missing ['conv1.bias', 'dense.bias', \
'dense.kernel', 'output.bias', 'output.kernel'], unexpected []
    """
    check_instance("config", config, DigitCNNConfig)
    if not isinstance(weights, Mapping):
        raise TypeError(f"weights must be a dict of arrays (got {type(weights).__name__})")
    expected = config.weight_shapes()
    if set(weights) != set(expected):
        missing = sorted(set(expected) - set(weights))
        unexpected = sorted(set(weights) - set(expected))
        raise ValueError(
            f"weights do not match the config: missing {missing}, unexpected {unexpected}"
        )
    for name, shape in expected.items():
        got = as_array(f"weights[{name!r}]", weights[name]).shape
        if got != shape:
            raise ValueError(f"weights[{name!r}] must have shape {shape} (got {got})")


def digit_cnn_forward(
    config: DigitCNNConfig, weights: dict[str, ArrayLike], images: ArrayLike
) -> np.ndarray:
    """Logits of the digit CNN in NumPy: the reference both frameworks are checked against.

    Parameters
    ----------
    config : DigitCNNConfig
    weights : dict of str to array_like
        Canonical weights (see the module docstring).
    images : array_like, shape (N, H, W, C)
        Channels-last images, e.g. pixel values scaled to [0, 1].

    Returns
    -------
    numpy.ndarray, shape (N, n_classes), float64

    Raises
    ------
    ValueError
        If the weights or the image shape do not match ``config``.

    Examples
    --------
    >>> w = init_digit_cnn(ARTICLE_000, np.random.default_rng(0))
    >>> digit_cnn_forward(ARTICLE_000, w, np.zeros((2, 28, 28, 1))).shape
    (2, 10)
    """
    check_digit_cnn_weights(config, weights)
    as_array("images", images)
    x = np.asarray(images, dtype=np.float64)
    expected = (config.image_size, config.image_size, config.channels)
    if x.ndim != 4 or x.shape[1:] != expected:
        raise ValueError(
            f"images must have shape (N, {', '.join(map(str, expected))}) (got {x.shape})"
        )
    w = {name: np.asarray(value, dtype=np.float64) for name, value in weights.items()}
    k, p = config.kernel_size, config.pool_size
    for i in range(1, len(config.conv_filters) + 1):
        windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(1, 2))
        # windows: (N, H', W', C_in, k, k); kernel: (k, k, C_in, C_out)
        x = np.einsum("nhwcij,ijco->nhwo", windows, w[f"conv{i}.kernel"]) + w[f"conv{i}.bias"]
        x = np.maximum(x, 0.0)
        n, h, wd, c = x.shape
        h, wd = h // p, wd // p  # floor: a last odd row or column is dropped
        x = x[:, : h * p, : wd * p].reshape(n, h, p, wd, p, c).max(axis=(2, 4))
    x = x.reshape(len(x), -1)  # (N, H * W * C), channels-last order
    x = np.maximum(x @ w["dense.kernel"] + w["dense.bias"], 0.0)
    return x @ w["output.kernel"] + w["output.bias"]
