"""The BPR loss and its gradient by TensorFlow's GradientTape, for checking the derivation.

Explained in chapter "Personalised recommendation" (book/05_applications/recommendation).
Same names and signatures as :mod:`companion.torch.recsys`; the NumPy reference with the
gradient derived by hand is :mod:`companion.maths.recsys`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.recsys import check_triples
from companion.runtime import import_tensorflow
from companion.tf.autodiff import grad_of_sum

tf = import_tensorflow()

__all__ = ["bpr_grad", "bpr_loss"]


def _objective(
    U: tf.Tensor, V: tf.Tensor, b: tf.Tensor, users: np.ndarray, pos: np.ndarray,
    neg: np.ndarray, l2: float,
) -> tf.Tensor:  # fmt: skip
    # (T,) score differences; softplus(-d) = -log sigmoid(d), stable.
    Vd = tf.gather(V, pos) - tf.gather(V, neg)
    d = tf.reduce_sum(tf.gather(U, users) * Vd, axis=1) + tf.gather(b, pos) - tf.gather(b, neg)
    penalty = tf.reduce_sum(tf.square(U)) + tf.reduce_sum(tf.square(V))
    return tf.reduce_mean(tf.nn.softplus(-d)) + 0.5 * l2 * penalty


def _variables(
    U: ArrayLike, V: ArrayLike, b: ArrayLike, users: ArrayLike, pos: ArrayLike,
    neg: ArrayLike, l2: float,
) -> tuple[list[tf.Variable], list[np.ndarray], float]:  # fmt: skip
    U, V, b, users, pos, neg, l2 = check_triples(U, V, b, users, pos, neg, l2)
    return [tf.Variable(x, dtype=tf.float64) for x in (U, V, b)], [users, pos, neg], l2


def bpr_loss(
    U: ArrayLike, V: ArrayLike, b: ArrayLike, users: ArrayLike, pos: ArrayLike,
    neg: ArrayLike, l2: float = 0.0,
) -> float:  # fmt: skip
    """The BPR loss of :func:`companion.maths.recsys.bpr_loss`, computed by TensorFlow in float64.

    Examples
    --------
    >>> round(bpr_loss([[0.0]], [[0.0], [0.0]], [0.0, 0.0], [0], [0], [1]), 6)
    0.693147
    """
    params, idx, l2 = _variables(U, V, b, users, pos, neg, l2)
    return float(_objective(*params, *idx, l2))


def bpr_grad(
    U: ArrayLike, V: ArrayLike, b: ArrayLike, users: ArrayLike, pos: ArrayLike,
    neg: ArrayLike, l2: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Gradient of the BPR loss with respect to ``U``, ``V`` and ``b`` by ``tf.GradientTape``.

    ``tf.gather`` yields sparse (IndexedSlices) gradients; they are densified here.

    Returns
    -------
    dU, dV, db : numpy.ndarray, float64

    Examples
    --------
    >>> bpr_grad([[0.0]], [[0.0], [0.0]], [0.0, 0.0], [0], [0], [1])[2].tolist()
    [-0.5, 0.5]
    """
    U, V, b, users, pos, neg, l2 = check_triples(U, V, b, users, pos, neg, l2)
    grads = grad_of_sum(lambda *params: _objective(*params, users, pos, neg, l2), U, V, b)
    return grads  # type: ignore[return-value]
