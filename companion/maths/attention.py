"""Scaled dot-product and multi-head attention, forward and backward: the NumPy reference.

Explained in chapter "The Transformer and self-attention" (book/02_concepts/attention).
The PyTorch and TensorFlow versions (:mod:`companion.torch.attention`,
:mod:`companion.tf.attention`) call the frameworks' own attention under the same names.

Masks follow PyTorch's boolean ``attn_mask`` and Keras' ``attention_mask``: ``True`` where a
query may attend to a key. Shapes use B (batch), T (queries), S (keys), D (model width),
n_heads heads of width d_k.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.softmax import softmax
from companion.maths.validate import as_array, check_instance, check_rng, int_scalar

__all__ = [
    "AttentionWeights",
    "attention_backward",
    "attention_probabilities",
    "causal_mask",
    "init_attention_weights",
    "multi_head_attention",
    "padding_mask",
    "scaled_dot_product_attention",
]


def causal_mask(n_queries: int, n_keys: int) -> np.ndarray:
    """``(T, S)`` boolean mask letting query i see keys 0..i (top-left aligned, as PyTorch).

    Examples
    --------
    >>> causal_mask(3, 3).astype(int).tolist()
    [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    int_scalar("n_queries", n_queries, minimum=0)
    int_scalar("n_keys", n_keys, minimum=0)
    return np.tril(np.ones((n_queries, n_keys), dtype=bool))


def padding_mask(lengths: ArrayLike, n_queries: int, n_keys: int) -> np.ndarray:
    """``(B, T, S)`` boolean mask hiding the padded keys of each sequence.

    Parameters
    ----------
    lengths : array_like of int, shape (B,)
        Real (unpadded) length of each sequence, between 1 and ``n_keys``.

    Examples
    --------
    >>> padding_mask([2], 1, 3).astype(int).tolist()
    [[[1, 1, 0]]]
    """
    int_scalar("n_queries", n_queries, minimum=0)
    int_scalar("n_keys", n_keys, minimum=0)
    as_array("lengths", lengths, dtype=None)
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or (lengths < 1).any() or (lengths > n_keys).any():
        raise ValueError(
            f"lengths must be a 1-D array with values in [1, {n_keys}] (got {lengths}, "
            f"n_keys={n_keys})"
        )
    keep = np.arange(n_keys)[None, :] < lengths[:, None]  # (B, S)
    return np.broadcast_to(keep[:, None, :], (len(lengths), n_queries, n_keys)).copy()


def _combined_mask(mask: ArrayLike | None, causal: bool, t: int, s: int) -> np.ndarray | None:
    _check_flag("causal", causal)
    if mask is not None:
        as_array("mask", mask, dtype=None, finite=False)
    m = None if mask is None else np.asarray(mask, dtype=bool)
    if m is not None:
        try:
            np.broadcast_shapes(m.shape, (t, s))
        except ValueError:
            raise ValueError(
                f"mask of shape {m.shape} does not fit scores (T, S) = {(t, s)}"
            ) from None
    if causal:
        m = causal_mask(t, s) if m is None else m & causal_mask(t, s)
    if m is not None and not m.any(axis=-1).all():
        raise ValueError(
            "every query must be allowed to attend to at least one key (check mask and causal)"
        )
    return m


def _check_flag(name: str, value: object) -> None:
    if isinstance(value, (bool, np.bool_)) or (
        isinstance(value, numbers.Integral) and value in (0, 1)
    ):
        return
    raise TypeError(f"{name} must be a bool (got {type(value).__name__}: {value!r})")


def _check_qkv(**arrays: object) -> None:
    """Each array finite with at least 2 dimensions (..., T, d); a clear error naming it."""
    for name, value in arrays.items():
        as_array(name, value, min_ndim=2, allow_empty=False)


def attention_probabilities(
    q: ArrayLike, k: ArrayLike, *, mask: ArrayLike | None = None, causal: bool = False
) -> np.ndarray:
    """The attention weights ``softmax(Q K^T / sqrt(d_k))``, masked keys set to 0.

    Parameters
    ----------
    q : array_like, shape (..., T, d_k)
    k : array_like, shape (..., S, d_k)
    mask : array_like of bool, broadcastable to (..., T, S), optional
    causal : bool
        Also hide keys after each query's position.

    Returns
    -------
    numpy.ndarray, shape (..., T, S)
        Rows sum to 1.

    Raises
    ------
    TypeError
        If ``causal`` is not a bool.
    ValueError
        If the last dimensions of ``q`` and ``k`` differ, or a query has no key left.

    References
    ----------
    .. [1] Vaswani et al., "Attention is all you need", NeurIPS 2017, equation (1).
    """
    _check_qkv(q=q, k=k)
    q, k = np.asarray(q, dtype=np.float64), np.asarray(k, dtype=np.float64)
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must share d_k (got q {q.shape}, k {k.shape})")
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])  # (..., T, S)
    m = _combined_mask(mask, causal, q.shape[-2], k.shape[-2])
    if m is not None:
        scores = np.where(m, scores, -1e300)  # exp underflows to exactly 0 after the max shift
    return softmax(scores)


def scaled_dot_product_attention(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    *,
    mask: ArrayLike | None = None,
    causal: bool = False,
) -> np.ndarray:
    """``softmax(Q K^T / sqrt(d_k)) V``.

    Parameters
    ----------
    q : array_like, shape (..., T, d_k)
    k : array_like, shape (..., S, d_k)
    v : array_like, shape (..., S, d_v)
    mask, causal
        As :func:`attention_probabilities`.

    Returns
    -------
    numpy.ndarray, shape (..., T, d_v)

    Examples
    --------
    >>> q = k = np.eye(2)
    >>> v = np.array([[1.0], [3.0]])
    >>> scaled_dot_product_attention(q, k, v, causal=True).round(3).tolist()
    [[1.0], [2.34]]
    """
    _check_qkv(q=q, k=k, v=v)
    _check_v(v, k)
    return attention_probabilities(q, k, mask=mask, causal=causal) @ np.asarray(v, np.float64)


def _check_v(v: ArrayLike, k: ArrayLike) -> None:
    if np.shape(v)[-2] != np.shape(k)[-2]:
        raise ValueError(f"v must have one row per key (got v {np.shape(v)}, k {np.shape(k)})")
    try:
        np.broadcast_shapes(np.shape(v)[:-2], np.shape(k)[:-2])
    except ValueError:
        raise ValueError(
            f"v and k batch shapes differ (got v {np.shape(v)}, k {np.shape(k)})"
        ) from None


def attention_backward(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    d_out: ArrayLike,
    *,
    mask: ArrayLike | None = None,
    causal: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of ``L`` with respect to Q, K, V, given ``d_out = dL/dO``.

    With ``P = softmax(S)``, ``S = Q K^T / sqrt(d_k)`` and ``O = P V``:
    ``dV = P^T dO``, ``dP = dO V^T``, ``dS = P * (dP - rowsum(dP * P))``,
    ``dQ = dS K / sqrt(d_k)``, ``dK = dS^T Q / sqrt(d_k)``.

    Returns
    -------
    dq, dk, dv : numpy.ndarray
        Shaped like ``q``, ``k``, ``v``.

    Examples
    --------
    >>> q, k, v = np.eye(2), np.eye(2), np.ones((2, 3))
    >>> [g.shape for g in attention_backward(q, k, v, np.ones((2, 3)))]
    [(2, 2), (2, 2), (2, 3)]
    """
    _check_qkv(q=q, k=k, v=v, d_out=d_out)
    _check_v(v, k)
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    d_out = np.asarray(d_out, dtype=np.float64)
    p = attention_probabilities(q, k, mask=mask, causal=causal)  # (..., T, S)
    out_shape = np.broadcast_shapes(p.shape[:-2], v.shape[:-2]) + (p.shape[-2], v.shape[-1])
    if d_out.shape != out_shape:
        raise ValueError(f"d_out must have the output's shape {out_shape} (got {d_out.shape})")
    dv = np.swapaxes(p, -1, -2) @ d_out  # (..., S, d_v)
    dp = d_out @ np.swapaxes(v, -1, -2)  # (..., T, S)
    ds = p * (dp - (dp * p).sum(axis=-1, keepdims=True))  # softmax Jacobian, row by row
    scale = 1 / np.sqrt(q.shape[-1])
    return ds @ k * scale, np.swapaxes(ds, -1, -2) @ q * scale, dv


@dataclass(frozen=True)
class AttentionWeights:
    """Projections of multi-head attention; ``x @ W_q + b_q`` etc., heads side by side.

    Attributes
    ----------
    W_q, W_k, W_v : numpy.ndarray, shape (D, n_heads * d_k)
    b_q, b_k, b_v : numpy.ndarray, shape (n_heads * d_k,)
    W_o : numpy.ndarray, shape (n_heads * d_k, D)
    b_o : numpy.ndarray, shape (D,)
    n_heads : int
    """

    W_q: np.ndarray
    b_q: np.ndarray
    W_k: np.ndarray
    b_k: np.ndarray
    W_v: np.ndarray
    b_v: np.ndarray
    W_o: np.ndarray
    b_o: np.ndarray
    n_heads: int

    def __post_init__(self) -> None:
        d_model, width = self.W_q.shape
        if self.n_heads < 1 or width % self.n_heads:
            raise ValueError(
                f"n_heads must divide the projection width (got width={width}, "
                f"n_heads={self.n_heads})"
            )
        expected = {"W_k": (d_model, width), "W_v": (d_model, width), "W_o": (width, d_model)}
        expected |= {"b_q": (width,), "b_k": (width,), "b_v": (width,), "b_o": (d_model,)}
        for name, shape in expected.items():
            if getattr(self, name).shape != shape:
                raise ValueError(
                    f"{name} must have shape {shape} (got {getattr(self, name).shape})"
                )

    @property
    def d_k(self) -> int:
        """Width of one head."""
        return self.W_q.shape[1] // self.n_heads


def init_attention_weights(
    rng: np.random.Generator, d_model: int, n_heads: int, d_k: int | None = None
) -> AttentionWeights:
    """Random weights (Glorot-scaled normal) and small random biases, in float64.

    Examples
    --------
    >>> w = init_attention_weights(np.random.default_rng(0), d_model=8, n_heads=2)
    >>> w.W_q.shape, w.d_k
    ((8, 8), 4)
    """
    check_rng("rng", rng)
    int_scalar("d_model", d_model, minimum=1)
    int_scalar("n_heads", n_heads, minimum=1)
    int_scalar("d_k", d_k, minimum=1, allow_none=True)
    if d_k is None:
        if d_model % n_heads:
            raise ValueError(
                f"n_heads must divide d_model (got d_model={d_model}, n_heads={n_heads})"
            )
        d_k = d_model // n_heads
    width = n_heads * d_k

    def matrix(rows: int, cols: int) -> np.ndarray:
        return rng.normal(scale=np.sqrt(2 / (rows + cols)), size=(rows, cols))

    return AttentionWeights(
        W_q=matrix(d_model, width), b_q=rng.normal(scale=0.1, size=width),
        W_k=matrix(d_model, width), b_k=rng.normal(scale=0.1, size=width),
        W_v=matrix(d_model, width), b_v=rng.normal(scale=0.1, size=width),
        W_o=matrix(width, d_model), b_o=rng.normal(scale=0.1, size=d_model),
        n_heads=n_heads,
    )  # fmt: skip


def _split_heads(x: np.ndarray, n_heads: int) -> np.ndarray:
    b, t, width = x.shape
    return x.reshape(b, t, n_heads, width // n_heads).transpose(0, 2, 1, 3)  # (B, h, T, d_k)


def multi_head_attention(
    x_q: ArrayLike,
    x_kv: ArrayLike,
    weights: AttentionWeights,
    *,
    mask: ArrayLike | None = None,
    causal: bool = False,
    return_probabilities: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Multi-head attention: project, attend in each head, concatenate, project back.

    Parameters
    ----------
    x_q : array_like, shape (B, T, D)
        The sequence that asks (queries).
    x_kv : array_like, shape (B, S, D)
        The sequence attended to (keys and values); ``x_q`` itself for self-attention.
    weights : AttentionWeights
    mask : array_like of bool, broadcastable to (B, T, S), optional
        ``True`` where query t may attend to key s (the same for every head).
    causal : bool
        Hide keys after each query's position.
    return_probabilities : bool
        Also return the attention weights, shape (B, n_heads, T, S).

    Returns
    -------
    numpy.ndarray, shape (B, T, D)
        And the probabilities when asked.

    References
    ----------
    .. [1] Vaswani et al., "Attention is all you need", NeurIPS 2017, section 3.2.2.

    Examples
    --------
    >>> w = init_attention_weights(np.random.default_rng(0), d_model=8, n_heads=2)
    >>> x = np.random.default_rng(1).normal(size=(3, 5, 8))
    >>> multi_head_attention(x, x, w, causal=True).shape
    (3, 5, 8)
    """
    check_instance("weights", weights, AttentionWeights)
    _check_flag("return_probabilities", return_probabilities)
    for name, x in (("x_q", x_q), ("x_kv", x_kv)):
        shape = as_array(name, x).shape
        if len(shape) == 3 and shape[-1] != weights.W_q.shape[0]:
            raise ValueError(
                f"{name} must have width d_model = {weights.W_q.shape[0]} (got shape {np.shape(x)})"
            )
    if mask is not None:
        as_array("mask", mask, dtype=None, finite=False)
    x_q, x_kv = np.asarray(x_q, dtype=np.float64), np.asarray(x_kv, dtype=np.float64)
    if x_q.ndim != 3 or x_kv.ndim != 3 or x_q.shape[0] != x_kv.shape[0]:
        raise ValueError(
            f"x_q and x_kv must be (B, T, D) and (B, S, D) (got {x_q.shape}, {x_kv.shape})"
        )
    h = weights.n_heads
    q = _split_heads(x_q @ weights.W_q + weights.b_q, h)  # (B, h, T, d_k)
    k = _split_heads(x_kv @ weights.W_k + weights.b_k, h)  # (B, h, S, d_k)
    v = _split_heads(x_kv @ weights.W_v + weights.b_v, h)  # (B, h, S, d_k)
    m = None if mask is None else np.asarray(mask, dtype=bool)
    if m is not None and m.ndim == 3:
        m = m[:, None]  # (B, 1, T, S): the same mask for every head
    p = attention_probabilities(q, k, mask=m, causal=causal)  # (B, h, T, S)
    heads = (p @ v).transpose(0, 2, 1, 3).reshape(x_q.shape[0], x_q.shape[1], -1)  # (B, T, h*d_k)
    out = heads @ weights.W_o + weights.b_o
    return (out, p) if return_probabilities else out
