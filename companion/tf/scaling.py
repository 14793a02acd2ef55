"""Derivatives of the scaling laws by TensorFlow's ``GradientTape``, to check the hand-written ones.

Explained in chapter "Scaling laws and the economics of scale" (book/03_math/scaling_laws).
Same names and signatures as :mod:`companion.torch.scaling` and :mod:`companion.maths.scaling`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.scaling import ChinchillaLaw, KaplanLaw, as_positive
from companion.runtime import _import_tensorflow

tf = _import_tensorflow()

__all__ = ["frontier_loss_slope", "loss_grad"]


def loss_grad(
    law: ChinchillaLaw | KaplanLaw, N: ArrayLike, D: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """``(dL/dN, dL/dD)`` by ``tf.GradientTape`` through ``law.evaluate``, in float64.

    Parameters
    ----------
    law : ChinchillaLaw or KaplanLaw
    N, D : array_like
        Positive; broadcast together.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)

    Examples
    --------
    >>> from companion.maths.scaling import CHINCHILLA
    >>> [round(float(g), 3) for g in loss_grad(CHINCHILLA, 1.0, 1.0)]
    [-138.176, -114.996]
    """
    n, d = np.broadcast_arrays(as_positive(N, "N"), as_positive(D, "D"))
    n_t, d_t = tf.constant(n, dtype=tf.float64), tf.constant(d, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch([n_t, d_t])
        total = tf.reduce_sum(law.evaluate(n_t, d_t))
    grad_n, grad_d = tape.gradient(total, [n_t, d_t])
    return grad_n.numpy(), grad_d.numpy()


def frontier_loss_slope(law: ChinchillaLaw, C: ArrayLike) -> np.ndarray:
    """``dL*/dC`` by ``tf.GradientTape`` through the compute-optimal allocation and the loss.

    Examples
    --------
    >>> from companion.maths.scaling import CHINCHILLA
    >>> float(frontier_loss_slope(CHINCHILLA, 1e24)) < 0
    True
    """
    c_t = tf.constant(as_positive(C, "C"), dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(c_t)
        total = tf.reduce_sum(law.evaluate(*law.allocation(c_t)))
    return tape.gradient(total, c_t).numpy()
