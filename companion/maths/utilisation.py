"""Model FLOP utilisation (MFU): the share of an accelerator's peak spent on the model's work.

Explained in chapter "Training fast" (book/04_practice/training_fast).

A Transformer with ``N`` parameters that multiply activations spends about ``2 N`` FLOP per
token in the forward pass (one multiply and one add per weight) and ``4 N`` in the backward
pass (the gradients with respect to the activations and to the weights, ``2 N`` each), so
training at ``tokens_per_s`` tokens per second does ``6 N tokens_per_s`` FLOP/s of model work.
MFU divides that by the accelerator's dense peak:

    MFU = 6 N tokens_per_s / peak_flop_per_s

This module is pure arithmetic. Peaks come from the sourced table, through
:func:`companion.data.accelerators.peak_bf16_flop_per_s` (dense BF16 tensor-core figures); a
CPU or an accelerator missing from the table has no peak there, and it says so instead of
guessing.
"""

from __future__ import annotations

import sys

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array

__all__ = ["flop_utilisation", "model_flops_utilisation"]


def _as_nonnegative(values: ArrayLike, name: str) -> np.ndarray:
    array = as_array(name, values, dtype=np.float64, finite=False)
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must be finite and non-negative (got {name}={values!r})")
    return array


def _as_positive_scalar(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number (got {type(value).__name__}: {value!r})")
    if value > sys.float_info.max:
        raise ValueError(f"{name} must be positive and finite (got {name} over 1.8e308)")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be positive and finite (got {name}={value})")
    return float(value)


def flop_utilisation(flop_per_s: ArrayLike, peak_flop_per_s: float) -> np.ndarray:
    """Achieved FLOP/s as a fraction of the peak.

    Parameters
    ----------
    flop_per_s : array_like
        Useful FLOP per second (e.g. FLOP counted per sample times samples per second);
        finite, non-negative.
    peak_flop_per_s : float
        The accelerator's peak at the precision used, FLOP/s; positive.

    Returns
    -------
    numpy.ndarray
        Same shape as ``flop_per_s``; 1.0 means the peak.

    Raises
    ------
    ValueError
        If ``flop_per_s`` is negative or not finite, or ``peak_flop_per_s`` is not positive.

    Examples
    --------
    >>> float(flop_utilisation(400e12, 1000e12))
    0.4
    """
    peak = _as_positive_scalar(peak_flop_per_s, "peak_flop_per_s")
    return _as_nonnegative(flop_per_s, "flop_per_s") / peak


def model_flops_utilisation(
    n_params: float, tokens_per_s: ArrayLike, peak_flop_per_s: float
) -> np.ndarray:
    """MFU of Transformer training: ``6 N tokens_per_s / peak_flop_per_s``.

    Parameters
    ----------
    n_params : float
        Parameters that multiply activations (N; embedding tables excluded); positive.
    tokens_per_s : array_like
        Training tokens processed per second per accelerator; finite, non-negative.
    peak_flop_per_s : float
        Dense peak of one accelerator, FLOP/s; positive.

    Returns
    -------
    numpy.ndarray
        Same shape as ``tokens_per_s``. Attention's own products (``12 L T H`` FLOP per token)
        are not counted, as in the usual definition without them.

    Raises
    ------
    TypeError
        If ``n_params`` or ``peak_flop_per_s`` is not a number.
    ValueError
        If ``n_params`` or ``peak_flop_per_s`` is not positive, or ``tokens_per_s`` is
        negative or not finite.

    References
    ----------
    .. [1] Chowdhery et al., "PaLM: Scaling language modeling with Pathways", JMLR 24, 2023,
       appendix B (model FLOPs utilisation).

    Examples
    --------
    >>> round(float(model_flops_utilisation(1e9, 50_000, 989e12)), 3)  # 1 B parameters on an H100
    0.303
    """
    n = _as_positive_scalar(n_params, "n_params")
    tokens = _as_nonnegative(tokens_per_s, "tokens_per_s")
    if not np.all(np.isfinite(6.0 * n * tokens)):
        raise ValueError(
            f"6 * n_params * tokens_per_s overflows a float (n_params={n_params}, "
            f"tokens_per_s={tokens_per_s!r})"
        )
    return flop_utilisation(6.0 * n * tokens, peak_flop_per_s)
