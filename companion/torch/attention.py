"""Attention through PyTorch's own kernels, under the names of :mod:`companion.maths.attention`.

Explained in chapter "The Transformer and self-attention" (book/02_concepts/attention).
These are the oracles the NumPy reference is checked against: the built-in
``torch.nn.functional.scaled_dot_product_attention``, autograd through it, and
``torch.nn.MultiheadAttention`` loaded with the same weights. Everything runs in float64.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike

from companion.maths.attention import AttentionWeights
from companion.torch.autodiff import grad_of_sum

__all__ = ["attention_backward", "multi_head_attention", "scaled_dot_product_attention"]


def _t(x: ArrayLike, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=grad)


def _mask(mask: ArrayLike | None) -> torch.Tensor | None:
    return None if mask is None else torch.tensor(np.asarray(mask, dtype=bool))


def scaled_dot_product_attention(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    *,
    mask: ArrayLike | None = None,
    causal: bool = False,
) -> np.ndarray:
    """``torch.nn.functional.scaled_dot_product_attention`` on float64 copies of the inputs.

    Examples
    --------
    >>> q = k = np.eye(2)
    >>> scaled_dot_product_attention(q, k, [[1.0], [3.0]], causal=True).round(3).tolist()
    [[1.0], [2.34]]
    """
    if mask is not None and causal:  # torch takes one or the other: combine them here
        t, s = np.shape(q)[-2], np.shape(k)[-2]
        mask, causal = np.asarray(mask, dtype=bool) & np.tril(np.ones((t, s), dtype=bool)), False
    out = F.scaled_dot_product_attention(
        _t(q), _t(k), _t(v), attn_mask=_mask(mask), is_causal=causal
    )
    return out.numpy()


def attention_backward(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    d_out: ArrayLike,
    *,
    mask: ArrayLike | None = None,
    causal: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dL/dQ, dL/dK, dL/dV by autograd through the built-in attention, for ``dL/dO = d_out``.

    The vector-Jacobian product of :func:`companion.torch.autodiff.grad_of_sum`, with
    ``weights=d_out``: the gradient of ``sum(d_out * O)``.

    Examples
    --------
    >>> q, k, v = np.eye(2), np.eye(2), np.ones((2, 3))
    >>> [g.shape for g in attention_backward(q, k, v, np.ones((2, 3)))]
    [(2, 2), (2, 2), (2, 3)]
    """
    if mask is not None and causal:
        t, s = np.shape(q)[-2], np.shape(k)[-2]
        mask, causal = np.asarray(mask, dtype=bool) & np.tril(np.ones((t, s), dtype=bool)), False
    m = _mask(mask)
    return grad_of_sum(  # type: ignore[return-value]
        lambda qt, kt, vt: F.scaled_dot_product_attention(
            qt, kt, vt, attn_mask=m, is_causal=causal
        ),
        np.asarray(q, dtype=np.float64),
        np.asarray(k, dtype=np.float64),
        np.asarray(v, dtype=np.float64),
        weights=np.asarray(d_out, dtype=np.float64),
    )


def multi_head_attention(
    x_q: ArrayLike,
    x_kv: ArrayLike,
    weights: AttentionWeights,
    *,
    mask: ArrayLike | None = None,
    causal: bool = False,
) -> np.ndarray:
    """``torch.nn.MultiheadAttention`` (batch first) loaded with ``weights``.

    PyTorch's module needs ``n_heads * d_k`` equal to the model width D, stores each
    projection transposed (``(out, in)``), and reads a boolean ``attn_mask`` the other way
    round: ``True`` there means *not* allowed.

    Examples
    --------
    >>> from companion.maths.attention import init_attention_weights
    >>> w = init_attention_weights(np.random.default_rng(0), d_model=8, n_heads=2)
    >>> multi_head_attention(np.ones((1, 3, 8)), np.ones((1, 3, 8)), w).shape
    (1, 3, 8)
    """
    x_q, x_kv = np.asarray(x_q, dtype=np.float64), np.asarray(x_kv, dtype=np.float64)
    b, t, d = x_q.shape
    s = x_kv.shape[1]
    if weights.W_q.shape[1] != d:
        raise ValueError(
            "torch.nn.MultiheadAttention needs n_heads * d_k == D "
            f"(got n_heads * d_k = {weights.W_q.shape[1]}, D = {d})"
        )
    mha = torch.nn.MultiheadAttention(d, weights.n_heads, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(_t(np.concatenate([weights.W_q, weights.W_k, weights.W_v], 1).T))
        mha.in_proj_bias.copy_(_t(np.concatenate([weights.b_q, weights.b_k, weights.b_v])))
        mha.out_proj.weight.copy_(_t(weights.W_o.T))
        mha.out_proj.bias.copy_(_t(weights.b_o))
    allowed = np.ones((b, t, s), dtype=bool) if mask is None else np.broadcast_to(mask, (b, t, s))
    if causal:
        allowed = allowed & np.tril(np.ones((t, s), dtype=bool))
    blocked = np.repeat(~allowed, weights.n_heads, axis=0)  # (B * n_heads, T, S), batch-major
    with torch.no_grad():
        out, _ = mha(
            _t(x_q), _t(x_kv), _t(x_kv), attn_mask=torch.tensor(blocked), need_weights=False
        )
    return out.numpy()
