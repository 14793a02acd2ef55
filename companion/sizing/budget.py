"""Memory and compute budgets: bytes per parameter, Adam's training state, C ≈ 6·N·D.

Explained in chapter "What makes a model large" (book/02_concepts/model_size).
"""

from __future__ import annotations

from companion.sizing._validate import choice, finite_result, positive_number

__all__ = [
    "ADAM_MIXED_PRECISION_BYTES",
    "BYTES_PER_PARAMETER",
    "inference_flops_per_token",
    "training_bytes",
    "training_flops",
    "weight_bytes",
]

#: Bytes that one stored parameter takes in each number format.
BYTES_PER_PARAMETER: dict[str, float] = {
    "fp32": 4,
    "bf16": 2,
    "fp16": 2,
    "fp8": 1,
    "int8": 1,
    "int4": 0.5,
}

#: Mixed-precision training with Adam keeps five numbers per parameter (Rajbhandari et al. 2020,
#: section 3.1): 16 bytes in all, before activations, which grow with batch and sequence length.
ADAM_MIXED_PRECISION_BYTES: dict[str, int] = {
    "weights (bf16)": 2,
    "gradients (bf16)": 2,
    "master weights (fp32)": 4,
    "Adam first moment (fp32)": 4,
    "Adam second moment (fp32)": 4,
}


def weight_bytes(n_params: float, dtype: str = "bf16") -> float:
    """Bytes to store ``n_params`` weights in ``dtype`` (see :data:`BYTES_PER_PARAMETER`).

    Parameters
    ----------
    n_params : float
        Number of parameters (or of any stored numbers); positive.
    dtype : {"fp32", "bf16", "fp16", "fp8", "int8", "int4"}
        Number format. The scales that quantised formats (fp8, int8, int4) store beside the
        numbers are not counted.

    Returns
    -------
    float
        Bytes.

    Raises
    ------
    ValueError
        For a non-positive or non-finite count, an unknown format, or a result too large
        for a float.
    TypeError
        If ``n_params`` is not a number or ``dtype`` not a string.

    Examples
    --------
    >>> weight_bytes(1e9, "fp32") / 1e9
    4.0
    """
    n_params = positive_number("n_params", n_params)
    dtype = choice("dtype", dtype, BYTES_PER_PARAMETER)
    return finite_result(
        "weight_bytes", n_params * BYTES_PER_PARAMETER[dtype], n_params=n_params, dtype=dtype
    )


def training_bytes(n_params: float) -> float:
    """Bytes of model and optimiser state for mixed-precision Adam: 16 per parameter.

    Activations come on top and are not counted. See :data:`ADAM_MIXED_PRECISION_BYTES`.
    Plain fp32 training with Adam costs the same 16 bytes (weights, gradients, two moments).

    Parameters
    ----------
    n_params : float
        Number of trained parameters; positive.

    Returns
    -------
    float
        Bytes.

    Raises
    ------
    ValueError
        For a non-positive or non-finite count, or a result too large for a float.
    TypeError
        If ``n_params`` is not a number.

    References
    ----------
    .. [1] Rajbhandari, Rasley, Ruwase, He, "ZeRO: Memory optimizations toward training
       trillion parameter models", SC 2020, section 3.1.

    Examples
    --------
    >>> training_bytes(1e9) / 1e9
    16.0
    """
    n_params = positive_number("n_params", n_params)
    return finite_result(
        "training_bytes", n_params * sum(ADAM_MIXED_PRECISION_BYTES.values()), n_params=n_params
    )


def training_flops(n_params: float, n_tokens: float) -> float:
    """Training compute C ≈ 6·N·D: 2N per token forward, 4N backward.

    Attention's own products (12·L·T·H FLOP per token for context T) are left out; they add a
    few per cent for GPT-3 (see the chapter).

    Parameters
    ----------
    n_params : float
        Parameters that multiply activations (N); positive.
    n_tokens : float
        Training tokens (D); positive.

    Returns
    -------
    float
        FLOP.

    Raises
    ------
    ValueError
        For non-positive or non-finite arguments, or a result too large for a float.
    TypeError
        If an argument is not a number.

    References
    ----------
    .. [1] Kaplan et al., "Scaling laws for neural language models", arXiv:2001.08361, 2020,
       section 2.1.

    Examples
    --------
    >>> f"{training_flops(175e9, 300e9):.2e}"
    '3.15e+23'
    """
    flops = 6.0 * positive_number("n_params", n_params) * positive_number("n_tokens", n_tokens)
    return finite_result("training_flops", flops, n_params=n_params, n_tokens=n_tokens)


def inference_flops_per_token(n_params: float) -> float:
    """Forward compute per generated or encoded token, ≈ 2·N (one multiply-add per weight).

    Parameters
    ----------
    n_params : float
        Parameters that multiply activations; positive.

    Returns
    -------
    float
        FLOP per token.

    Raises
    ------
    ValueError
        For a non-positive or non-finite count, or a result too large for a float.
    TypeError
        If ``n_params`` is not a number.

    Examples
    --------
    >>> inference_flops_per_token(7e9) / 1e9
    14.0
    """
    n_params = positive_number("n_params", n_params)
    return finite_result("inference_flops_per_token", 2.0 * n_params, n_params=n_params)
