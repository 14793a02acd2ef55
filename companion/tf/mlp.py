"""The NumPy MLP of :mod:`companion.maths.backprop` as a Keras model, differentiated by a tape.

Explained in chapter "Backpropagation" (book/03_math/backpropagation). The same names and
signatures as :mod:`companion.torch.mlp`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.backprop import MLPConfig, Params, forward
from companion.runtime import import_tensorflow

tf = import_tensorflow()
keras = tf.keras

__all__ = ["build_mlp", "delta_grads", "loss_and_grads"]


def build_mlp(params: Params, config: MLPConfig) -> keras.Sequential:
    """``Dense, Activation, ..., Dense`` in float64 with the given weights loaded.

    A Keras ``Dense`` kernel has shape ``(in, out)``: the transpose of ``W^l`` in ``params``.
    The activation is a layer of its own so that each ``z^l`` can be differentiated against.

    Parameters
    ----------
    params : Params
        ``[(W^1, b^1), ...]`` with ``W^l`` of shape ``(n_l, n_{l-1})``.
    config : MLPConfig

    Returns
    -------
    keras.Sequential

    Examples
    --------
    >>> from companion.maths.backprop import init_params
    >>> cfg = MLPConfig((4, 8, 3))
    >>> model = build_mlp(init_params(cfg, np.random.default_rng(0)), cfg)
    >>> [type(m).__name__ for m in model.layers]
    ['Dense', 'Activation', 'Dense']
    """
    layers: list = [keras.Input(shape=(config.sizes[0],), dtype="float64")]
    for layer in range(1, config.n_layers + 1):
        layers.append(keras.layers.Dense(config.sizes[layer], dtype="float64"))
        if layer < config.n_layers:
            layers.append(keras.layers.Activation(config.activation, dtype="float64"))
    model = keras.Sequential(layers)
    dense = [m for m in model.layers if isinstance(m, keras.layers.Dense)]
    for m, (w, b) in zip(dense, params, strict=True):
        m.set_weights([np.asarray(w, dtype=np.float64).T, np.asarray(b, dtype=np.float64)])
    return model


def loss_and_grads(
    params: Params, X: ArrayLike, Y: ArrayLike, config: MLPConfig
) -> tuple[float, Params]:
    """Mean loss by Keras' own losses and its gradient for every ``(W, b)`` by ``tf.GradientTape``.

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
        The loss and ``[(dL/dW^1, dL/db^1), ...]`` as float64 NumPy arrays, ``dL/dW^l`` of
        shape ``(n_l, n_{l-1})`` (the Keras kernel gradient, transposed back).

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
    dense = [m for m in model.layers if isinstance(m, keras.layers.Dense)]
    variables = [v for m in dense for v in (m.kernel, m.bias)]
    with tf.GradientTape() as tape:
        loss, _ = _run(model, X, Y, config)
    g = tape.gradient(loss, variables)
    grads = [(g[2 * i].numpy().T, g[2 * i + 1].numpy()) for i in range(len(dense))]
    return float(loss), grads


def delta_grads(params: Params, X: ArrayLike, Y: ArrayLike, config: MLPConfig) -> list[np.ndarray]:
    """``dL/dz^l`` for every layer's pre-activation, by ``tf.GradientTape``: the deltas.

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
    model = build_mlp(params, config)
    with tf.GradientTape() as tape:
        loss, zs = _run(model, X, Y, config)
    return [g.numpy() for g in tape.gradient(loss, zs)]


def _run(model: keras.Sequential, X: ArrayLike, Y: ArrayLike, config: MLPConfig) -> tuple:
    a = tf.constant(np.asarray(X, dtype=np.float64))
    zs = []
    for layer in model.layers:
        a = layer(a)
        if isinstance(layer, keras.layers.Dense):
            zs.append(a)  # z^l, recorded on the tape
    if config.loss == "mse":
        fn = keras.losses.MeanSquaredError(dtype="float64")
        return fn(tf.constant(np.asarray(Y, dtype=np.float64)), a), zs
    y = np.asarray(Y)
    if y.ndim == 1:
        fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")
        return fn(tf.constant(y, dtype=tf.int64), a), zs
    fn = keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64")
    return fn(tf.constant(y, dtype=tf.float64), a), zs
