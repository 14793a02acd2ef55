"""Model FLOP utilisation (MFU): the share of an accelerator's peak spent on the model's work.

Explained in chapter "Training fast" (book/04_practice/training_fast).

A Transformer with ``N`` parameters that multiply activations spends about ``2 N`` FLOP per
token in the forward pass (one multiply and one add per weight) and ``4 N`` in the backward
pass (the gradients with respect to the activations and to the weights, ``2 N`` each), so
training at ``tokens_per_s`` tokens per second does ``6 N tokens_per_s`` FLOP/s of model work.
MFU divides that by the accelerator's dense peak:

    MFU = 6 N tokens_per_s / peak_flop_per_s

Peaks come from the sourced table :func:`companion.data.accelerators.load_accelerators`
(dense BF16 tensor-core figures); a CPU or an accelerator missing from the table has no peak
here, and :func:`peak_bf16_flop_per_s` says so instead of guessing.
"""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["DEVICE_PATTERNS", "flop_utilisation", "model_flops_utilisation", "peak_bf16_flop_per_s"]

#: Device names as ``torch.cuda.get_device_name()`` prints them, matched to rows of the
#: accelerator table. PCIe and NVL variants of the H100 and H200 run at lower clocks and
#: are deliberately not matched (their peaks are not in the table).
DEVICE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bH100\b.*\b(SXM|HBM3)\b", "NVIDIA H100 SXM5"),
    (r"\bH200\b(?!.*\bNVL\b)", "NVIDIA H200 SXM"),
    (r"\bA100[- ]SXM4\b", "NVIDIA A100 SXM4 80 GB"),
    (r"\bV100\b", "NVIDIA V100 SXM2 16 GB"),
)


def _as_nonnegative(values: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must be finite and non-negative (got {name}={values!r})")
    return array


def _as_positive_scalar(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number (got {type(value).__name__}: {value!r})")
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
    return flop_utilisation(6.0 * n * tokens, peak_flop_per_s)


def peak_bf16_flop_per_s(device_name: str) -> float:
    """Dense BF16 peak of an accelerator named as PyTorch names it, from the sourced table.

    Parameters
    ----------
    device_name : str
        E.g. ``torch.cuda.get_device_name()``: ``"NVIDIA H100 80GB HBM3"``,
        ``"NVIDIA A100-SXM4-40GB"``.

    Returns
    -------
    float
        FLOP/s (the table's TFLOP/s times 1e12).

    Raises
    ------
    TypeError
        If ``device_name`` is not a string.
    ValueError
        If the device matches no row of the table (a CPU, a consumer GPU, a PCIe variant),
        or its row gives no BF16 peak (the V100 has no BF16 units).

    Examples
    --------
    >>> peak_bf16_flop_per_s("NVIDIA H100 80GB HBM3") / 1e12
    989.0
    """
    if not isinstance(device_name, str):
        raise TypeError(
            f"device_name must be a string (got {type(device_name).__name__}: {device_name!r})"
        )
    from companion.data.accelerators import load_accelerators

    for pattern, row in DEVICE_PATTERNS:
        if re.search(pattern, device_name):
            entry = load_accelerators().loc[row]
            if not str(entry["precision"]).startswith("BF16"):
                raise ValueError(
                    f"device_name={device_name!r} ({row}) has no dense BF16 peak in the "
                    f"accelerator table (its peak is {entry['precision']})"
                )
            return float(entry["peak_tflops"]) * 1e12
    raise ValueError(
        f"no published dense BF16 peak for device_name={device_name!r}: the accelerator table "
        "covers the H100 SXM, H200 SXM and A100 SXM4; MFU is not defined without a peak"
    )
