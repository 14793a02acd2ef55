"""The small CNN of :mod:`companion.maths.small_cnn` as a Keras model.

Explained in chapter "The ecosystem" (book/02_concepts/ecosystem). Keras stores images
channels-last (N, H, W, C) and kernels as (k, k, C_in, F), the layout the weights are kept in.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.small_cnn import SmallCNNWeights
from companion.runtime import import_tensorflow

tf = import_tensorflow()
keras = tf.keras

__all__ = ["build_small_cnn", "small_cnn_forward"]


def build_small_cnn(weights: SmallCNNWeights) -> keras.Model:
    """Conv2D -> ReLU -> GlobalAveragePooling2D -> Dense, float64, for images of any size.

    Examples
    --------
    >>> from companion.maths.small_cnn import init_small_cnn
    >>> tuple(build_small_cnn(init_small_cnn(np.random.default_rng(0))).layers[0].kernel.shape)
    (3, 3, 1, 8)
    """
    k, _, c_in, f = weights.kernel.shape
    model = keras.Sequential(
        [
            keras.Input(shape=(None, None, c_in), dtype="float64"),
            keras.layers.Conv2D(f, k, activation="relu", dtype="float64"),
            keras.layers.GlobalAveragePooling2D(dtype="float64"),
            keras.layers.Dense(weights.dense.shape[1], dtype="float64"),
        ]
    )
    model.set_weights([weights.kernel, weights.conv_bias, weights.dense, weights.dense_bias])
    return model


def small_cnn_forward(x: ArrayLike, weights: SmallCNNWeights) -> np.ndarray:
    """Logits for channels-last images ``x`` (N, H, W, C), computed by Keras.

    Examples
    --------
    >>> from companion.maths.small_cnn import init_small_cnn
    >>> small_cnn_forward(np.zeros((2, 6, 6, 1)), init_small_cnn(np.random.default_rng(0))).shape
    (2, 10)
    """
    x = np.asarray(x, dtype=np.float64)
    return np.asarray(build_small_cnn(weights)(x, training=False))
