"""Cross-entropy and its gradient from Keras' own loss and TensorFlow's GradientTape.

Explained in chapter "Softmax and cross-entropy" (book/03_math/softmax_cross_entropy).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_logits, as_target
from companion.runtime import import_tensorflow
from companion.tf.autodiff import grad_of_sum

tf = import_tensorflow()

__all__ = ["cross_entropy", "cross_entropy_grad"]


def _loss(z: tf.Tensor, t: np.ndarray) -> tf.Tensor:
    # Keras' losses average over the batch, as torch's do; dtype keeps float64 (default float32).
    if t.ndim == 1:
        fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")
        return fn(tf.constant(t, dtype=tf.int64), z)
    fn = tf.keras.losses.CategoricalCrossentropy(from_logits=True, dtype="float64")
    return fn(tf.constant(t, dtype=tf.float64), z)


def _inputs(logits: ArrayLike, target: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    z = as_logits(logits, min_ndim=2, exact_ndim=True)  # (N, K)
    t = np.asarray(target)
    as_target(t, z.shape)
    return z, t


def cross_entropy(logits: ArrayLike, target: ArrayLike) -> float:
    """Mean cross-entropy by Keras' ``(Sparse)CategoricalCrossentropy(from_logits=True)``.

    Parameters
    ----------
    logits : array_like, shape (N, K)
    target : array_like, shape (N,) of int or (N, K) of probabilities

    Returns
    -------
    float

    Examples
    --------
    >>> round(cross_entropy([[0.0, 0.0]], [1]), 6)
    0.693147
    """
    z, t = _inputs(logits, target)
    return float(_loss(tf.constant(z, dtype=tf.float64), t))


def cross_entropy_grad(logits: ArrayLike, target: ArrayLike) -> np.ndarray:
    """Gradient of the mean cross-entropy with respect to the logits, by ``tf.GradientTape``.

    Parameters
    ----------
    logits : array_like, shape (N, K)
    target : array_like, shape (N,) of int or (N, K) of probabilities

    Returns
    -------
    numpy.ndarray, shape (N, K), float64

    Examples
    --------
    >>> np.round(cross_entropy_grad([[0.0, 0.0]], [1]), 6).tolist()
    [[0.5, -0.5]]
    """
    z, t = _inputs(logits, target)
    return grad_of_sum(lambda z_t: _loss(z_t, t), z)
