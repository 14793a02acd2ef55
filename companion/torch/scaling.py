"""Derivatives of the scaling laws by PyTorch autograd, to check the ones written by hand.

Explained in chapter "Scaling laws and the economics of scale" (book/03_math/scaling_laws).
Same names and signatures as :mod:`companion.tf.scaling` and :mod:`companion.maths.scaling`.
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike

from companion.maths.scaling import ChinchillaLaw, KaplanLaw, as_positive

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
    n_t = torch.tensor(n, dtype=torch.float64, requires_grad=True)
    d_t = torch.tensor(d, dtype=torch.float64, requires_grad=True)
    # Each L(N_i, D_i) depends on its own pair only, so the gradient of the sum is elementwise.
    grad_n, grad_d = torch.autograd.grad(law.evaluate(n_t, d_t).sum(), (n_t, d_t))
    return grad_n.numpy(), grad_d.numpy()


def frontier_loss_slope(law: ChinchillaLaw, C: ArrayLike) -> np.ndarray:
    """``dL*/dC`` by autograd through the compute-optimal allocation and the loss.

    Examples
    --------
    >>> from companion.maths.scaling import CHINCHILLA
    >>> float(frontier_loss_slope(CHINCHILLA, 1e24)) < 0
    True
    """
    c_t = torch.tensor(as_positive(C, "C"), dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(law.evaluate(*law.allocation(c_t)).sum(), c_t)
    return grad.numpy()
