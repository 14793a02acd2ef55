"""The roofline model: FLOP and bytes moved by a kernel, and the speed an accelerator allows.

Explained in chapter "The ecosystem" (book/02_concepts/ecosystem).

A kernel doing F FLOP while moving Q bytes to and from memory has arithmetic intensity
I = F / Q. On an accelerator with peak throughput P (FLOP/s) and memory bandwidth W (B/s)
it cannot run faster than min(P, I·W) (Williams, Waterman, Patterson 2009): below the
ridge point I = P / W it waits on memory, above it on arithmetic. Byte counts here are the
minimum traffic (each input read once, each output written once), the optimistic case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from companion.sizing._validate import finite_result, positive_int, positive_number

__all__ = ["KernelCost", "attainable_flops", "attention_cost", "matmul_cost"]


@dataclass(frozen=True)
class KernelCost:
    """Work and memory traffic of one kernel call.

    Attributes
    ----------
    name : str
    flops : float
        Floating-point operations.
    bytes_moved : float
        Bytes read from and written to accelerator memory.
    """

    name: str
    flops: float
    bytes_moved: float

    @property
    def intensity(self) -> float:
        """Arithmetic intensity, FLOP per byte."""
        return self.flops / self.bytes_moved


def _cost(name: str, flops: Callable[[], float], moved: Callable[[], float], **sizes) -> KernelCost:
    """A :class:`KernelCost`, with a clear error if the counts overflow a float."""
    try:
        flops_f, bytes_f = flops(), moved()
    except OverflowError:
        flops_f = bytes_f = float("inf")
    return KernelCost(
        name=name,
        flops=finite_result("flops", flops_f, **sizes),
        bytes_moved=finite_result("bytes moved", bytes_f, **sizes),
    )


def matmul_cost(m: int, k: int, n: int, *, bytes_per_element: float = 2) -> KernelCost:
    """``(m, k) @ (k, n)``: 2mkn FLOP; reads mk + kn numbers, writes mn.

    Examples
    --------
    >>> round(matmul_cost(4096, 4096, 4096).intensity)
    1365
    >>> matmul_cost(1, 4096, 4096).intensity < 1.1  # a matrix-vector product
    True
    """
    # Python ints: NumPy int32 sizes would overflow in the products below
    m, k, n = (positive_int(name, value) for name, value in (("m", m), ("k", k), ("n", n)))
    b = positive_number("bytes_per_element", bytes_per_element)
    return _cost(
        f"matmul {m}x{k} @ {k}x{n}",
        lambda: 2.0 * m * k * n,
        lambda: b * (m * k + k * n + m * n),
        m=m,
        k=k,
        n=n,
        bytes_per_element=b,
    )


def attention_cost(
    batch: int,
    n_heads: int,
    seq_len: int,
    d_head: int,
    *,
    fused: bool = True,
    bytes_per_element: float = 2,
) -> KernelCost:
    """Scaled dot-product attention over ``seq_len`` queries and keys, per call.

    FLOP: ``Q K^T`` and ``P V``, 4·B·h·T²·d (the softmax's few FLOP per score are left
    out). Bytes: Q, K, V read and O written, 4·B·h·T·d numbers. Unless ``fused`` (as in
    FlashAttention, Dao et al. 2022), the T×T scores are also written and read back twice
    (scores, then probabilities): 4·B·h·T² numbers more.

    Examples
    --------
    >>> fused = attention_cost(1, 12, 1024, 64)
    >>> unfused = attention_cost(1, 12, 1024, 64, fused=False)
    >>> round(fused.intensity), round(unfused.intensity)
    (512, 30)
    """
    batch, n_heads, seq_len, d_head = (
        positive_int(name, value)
        for name, value in (
            ("batch", batch),
            ("n_heads", n_heads),
            ("seq_len", seq_len),
            ("d_head", d_head),
        )
    )
    if not isinstance(fused, (bool, np.bool_)):
        raise TypeError(f"fused must be True or False (got {type(fused).__name__}: {fused!r})")
    b = positive_number("bytes_per_element", bytes_per_element)
    bh, t, d = batch * n_heads, seq_len, d_head
    numbers = 4 * bh * t * d + (0 if fused else 4 * bh * t * t)
    kind = "fused" if fused else "unfused"
    return _cost(
        f"attention T={t}, d={d} ({kind})",
        lambda: 4.0 * bh * t * t * d,
        lambda: b * numbers,
        batch=batch,
        n_heads=n_heads,
        seq_len=seq_len,
        d_head=d_head,
        bytes_per_element=b,
    )


def attainable_flops(intensity: ArrayLike, peak_flops: float, bandwidth_bytes: float) -> np.ndarray:
    """Roofline bound ``min(peak, intensity * bandwidth)`` in FLOP/s.

    Parameters
    ----------
    intensity : array_like
        FLOP per byte; positive.
    peak_flops : float
        Peak FLOP/s.
    bandwidth_bytes : float
        Memory bandwidth, bytes/s.

    Examples
    --------
    >>> attainable_flops([1.0, 1e4], peak_flops=989e12, bandwidth_bytes=3.35e12).tolist()
    [3350000000000.0, 989000000000000.0]
    """
    try:
        i = np.asarray(intensity, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as err:
        raise ValueError(f"intensity must hold positive numbers ({err})") from None
    if i.size == 0 or not np.all(i > 0):
        raise ValueError("intensity must hold positive numbers")
    peak = positive_number("peak_flops", peak_flops)
    bandwidth = positive_number("bandwidth_bytes", bandwidth_bytes)
    return np.minimum(peak, i * bandwidth)
