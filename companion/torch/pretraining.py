"""The MLM loss and its gradient from PyTorch's ``cross_entropy(ignore_index=-100)`` and autograd.

Explained in chapter "Pre-training objectives" (book/03_math/pretraining_objectives).
Same names and signatures as :mod:`companion.tf.pretraining`.
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import ArrayLike

from companion.maths.pretraining import IGNORE_INDEX, as_mlm_labels
from companion.maths.softmax import as_logits

__all__ = ["mlm_loss", "mlm_loss_grad"]


def _inputs(logits: ArrayLike, labels: ArrayLike) -> tuple[torch.Tensor, torch.Tensor]:
    z = as_logits(logits, min_ndim=2)  # (..., T, V), validated like the NumPy reference
    y = as_mlm_labels(labels, z.shape)
    z_t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    return z_t, torch.tensor(y, dtype=torch.long)


def _loss(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # Flatten positions: (P, V) against (P,); ignored labels drop out of the mean.
    return torch.nn.functional.cross_entropy(
        z.reshape(-1, z.shape[-1]), y.reshape(-1), ignore_index=IGNORE_INDEX
    )


def mlm_loss(logits: ArrayLike, labels: ArrayLike) -> float:
    """Mean cross-entropy over the masked positions, by ``torch.nn.functional.cross_entropy``.

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
    return float(_loss(z.detach(), y))


def mlm_loss_grad(logits: ArrayLike, labels: ArrayLike) -> np.ndarray:
    """Gradient of :func:`mlm_loss` with respect to the logits, by PyTorch autograd.

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
    >>> mlm_loss_grad(np.zeros((2, 2)), [-100, 1]).tolist()
    [[0.0, 0.0], [0.5, -0.5]]
    """
    z, y = _inputs(logits, labels)
    (grad,) = torch.autograd.grad(_loss(z, y), z)
    return grad.detach().numpy()
