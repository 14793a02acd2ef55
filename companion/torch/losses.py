"""Cross-entropy and its gradient from PyTorch's own loss and autograd.

Explained in chapter "Softmax and cross-entropy" (book/03_math/softmax_cross_entropy).
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike

from companion.maths.validate import as_logits, as_target
from companion.torch.autodiff import grad_of_sum

__all__ = ["cross_entropy", "cross_entropy_grad"]


def _inputs(logits: ArrayLike, target: ArrayLike) -> tuple[np.ndarray, torch.Tensor]:
    z = as_logits(logits, min_ndim=2, exact_ndim=True)  # (N, K), validated like the NumPy one
    t = np.asarray(target)
    as_target(t, z.shape)  # same checks and messages as the NumPy reference
    # Integer labels stay labels; distributions go in as class probabilities.
    y_t = torch.tensor(t, dtype=torch.long) if t.ndim == 1 else torch.tensor(t, dtype=torch.float64)
    return z, y_t


def cross_entropy(logits: ArrayLike, target: ArrayLike) -> float:
    """Mean cross-entropy by ``torch.nn.functional.cross_entropy``, in float64.

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
    z, y = _inputs(logits, target)
    return float(torch.nn.functional.cross_entropy(torch.tensor(z, dtype=torch.float64), y))


def cross_entropy_grad(logits: ArrayLike, target: ArrayLike) -> np.ndarray:
    """Gradient of the mean cross-entropy with respect to the logits, by PyTorch autograd.

    Parameters
    ----------
    logits : array_like, shape (N, K)
    target : array_like, shape (N,) of int or (N, K) of probabilities

    Returns
    -------
    numpy.ndarray, shape (N, K), float64

    Examples
    --------
    >>> cross_entropy_grad([[0.0, 0.0]], [1]).tolist()
    [[0.5, -0.5]]
    """
    z, y = _inputs(logits, target)
    return grad_of_sum(lambda z_t: torch.nn.functional.cross_entropy(z_t, y), z)
