"""Derivatives of the scaling laws by PyTorch autograd, to check the ones written by hand.

Explained in chapter "Scaling laws and the economics of scale" (book/03_math/scaling_laws).
Same names and signatures as :mod:`companion.tf.scaling` and :mod:`companion.maths.scaling`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.scaling import ChinchillaLaw, KaplanLaw, as_positive
from companion.torch.autodiff import grad_of_sum

__all__ = ["frontier_loss_slope", "loss_grad"]


def loss_grad(
    law: ChinchillaLaw | KaplanLaw, N: ArrayLike, D: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """``(dL/dN, dL/dD)`` by autograd through ``law.evaluate``, in float64.

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
    # Each L(N_i, D_i) depends on its own pair only, so the gradient of the sum is elementwise.
    return grad_of_sum(law.evaluate, n, d)


def frontier_loss_slope(law: ChinchillaLaw, C: ArrayLike) -> np.ndarray:
    """``dL*/dC`` by autograd through the compute-optimal allocation and the loss.

    Examples
    --------
    >>> from companion.maths.scaling import CHINCHILLA
    >>> float(frontier_loss_slope(CHINCHILLA, 1e24)) < 0
    True
    """
    return grad_of_sum(lambda c: law.evaluate(*law.allocation(c)), as_positive(C, "C"))
