"""Saliency gradients of the MLP classifier by TensorFlow's ``GradientTape``.

Explained in chapter "Trends and challenges" (book/06_outlook/trends_challenges). The same
names and signatures as :mod:`companion.torch.attribution` and the NumPy reference
:mod:`companion.maths.attribution`; the network is :func:`companion.tf.mlp.build_mlp`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.attribution import _run
from companion.maths.backprop import MLPConfig, Params
from companion.runtime import import_tensorflow
from companion.tf.autodiff import grad_of_sum
from companion.tf.mlp import build_mlp

tf = import_tensorflow()

__all__ = ["class_probability", "input_gradient"]


def class_probability(
    params: Params, X: ArrayLike, target: ArrayLike, config: MLPConfig
) -> np.ndarray:
    """``softmax(model(X))[i, target[i]]`` computed by a float64 Keras model.

    Examples
    --------
    >>> cfg = MLPConfig((2, 3))
    >>> zero = [(np.zeros((3, 2)), np.zeros(3))]
    >>> class_probability(zero, np.ones((2, 2)), 1, cfg).round(4).tolist()
    [0.3333, 0.3333]
    """
    _, t, _ = _run(params, X, target, config)  # validates with the NumPy reference's messages
    x = tf.constant(np.asarray(X, dtype=np.float64))
    return _probability(build_mlp(params, config), x, t).numpy()


def input_gradient(
    params: Params, X: ArrayLike, target: ArrayLike, config: MLPConfig
) -> np.ndarray:
    """``d p_c / d x`` for every row by ``tf.GradientTape``, through :func:`grad_of_sum`.

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


def _probability(model, x, t: np.ndarray):
    p = tf.nn.softmax(model(x), axis=1)  # (N, n_L)
    return tf.gather(p, tf.constant(t), axis=1, batch_dims=1)
