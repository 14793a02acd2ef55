"""The MLM loss and its gradient from Keras' ``SparseCategoricalCrossentropy(ignore_class=-100)``.

Explained in chapter "Pre-training objectives" (book/03_math/pretraining_objectives).
Same names and signatures as :mod:`companion.torch.pretraining`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.pretraining import IGNORE_INDEX, as_mlm_labels
from companion.maths.validate import as_logits
from companion.runtime import import_tensorflow
from companion.tf.autodiff import grad_of_sum

tf = import_tensorflow()

__all__ = ["mlm_loss", "mlm_loss_grad"]


def _inputs(logits: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, tf.Tensor]:
    z = as_logits(logits, min_ndim=2)  # (..., T, V)
    y = as_mlm_labels(labels, z.shape)
    return z, tf.constant(y, dtype=tf.int64)


def _loss(z: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
    # Keras averages over the positions whose label is not ignore_class.
    fn = tf.keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=IGNORE_INDEX, dtype="float64"
    )
    return fn(y, z)


def mlm_loss(logits: ArrayLike, labels: ArrayLike) -> float:
    """Mean cross-entropy over the masked positions, by Keras with ``ignore_class=-100``.

    Parameters
    ----------
    logits : array_like, shape (..., T, V)
    labels : array_like of int, shape (..., T), -100 where not masked

    Returns
    -------
    float

    Examples
    --------
    >>> round(mlm_loss(np.zeros((1, 2, 4)), [[1, -100]]), 6)
    1.386294
    """
    z, y = _inputs(logits, labels)
    return float(_loss(tf.constant(z, dtype=tf.float64), y))


def mlm_loss_grad(logits: ArrayLike, labels: ArrayLike) -> np.ndarray:
    """Gradient of :func:`mlm_loss` with respect to the logits, by ``tf.GradientTape``.

    Parameters
    ----------
    logits : array_like, shape (..., T, V)
    labels : array_like of int, shape (..., T)

    Returns
    -------
    numpy.ndarray
        Shaped like ``logits``, float64.

    Examples
    --------
    >>> np.round(mlm_loss_grad(np.zeros((2, 2)), [-100, 1]), 6).tolist()
    [[0.0, 0.0], [0.5, -0.5]]
    """
    z, y = _inputs(logits, labels)
    return grad_of_sum(lambda z_t: _loss(z_t, y), z)
