"""Attention through Keras' own ops and layer, under the names of :mod:`companion.maths.attention`.

Explained in chapter "The Transformer and self-attention" (book/02_concepts/attention).
The oracles: ``keras.ops.dot_product_attention``, TensorFlow's ``GradientTape`` through it,
and ``keras.layers.MultiHeadAttention`` loaded with the same weights. Everything in float64.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.attention import AttentionWeights
from companion.runtime import import_tensorflow
from companion.tf.autodiff import grad_of_sum

tf = import_tensorflow()
keras = tf.keras

__all__ = ["attention_backward", "multi_head_attention", "scaled_dot_product_attention"]


def _heads_layout(x: np.ndarray) -> tf.Tensor:
    # (..., T, d) -> (B', T, 1, d): Keras wants (batch, sequence, heads, width).
    x = np.asarray(x, dtype=np.float64)
    flat = x.reshape((-1,) + x.shape[-2:])
    return tf.constant(flat[:, :, None, :])


def _mask_layout(mask: ArrayLike | None, lead: tuple[int, ...], t: int, s: int) -> tf.Tensor | None:
    if mask is None:
        return None
    m = np.broadcast_to(np.asarray(mask, dtype=bool), lead + (t, s)).reshape(-1, 1, t, s)
    return tf.constant(m)  # (B', 1, T, S)


def _attend(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask: tf.Tensor | None, causal: bool):
    return keras.ops.dot_product_attention(q, k, v, mask=mask, is_causal=causal)


def scaled_dot_product_attention(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    *,
    mask: ArrayLike | None = None,
    causal: bool = False,
) -> np.ndarray:
    """``keras.ops.dot_product_attention`` on float64 copies of the inputs.

    Examples
    --------
    >>> q = k = np.eye(2)
    >>> scaled_dot_product_attention(q, k, [[1.0], [3.0]], causal=True).round(3).tolist()
    [[1.0], [2.34]]
    """
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    lead, t, s = q.shape[:-2], q.shape[-2], k.shape[-2]
    out = _attend(
        _heads_layout(q),
        _heads_layout(k),
        _heads_layout(v),
        _mask_layout(mask, lead, t, s),
        causal,
    )
    return np.asarray(out)[:, :, 0, :].reshape(lead + (t, v.shape[-1]))


def attention_backward(
    q: ArrayLike,
    k: ArrayLike,
    v: ArrayLike,
    d_out: ArrayLike,
    *,
    mask: ArrayLike | None = None,
    causal: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dL/dQ, dL/dK, dL/dV by ``GradientTape`` through Keras' attention, for ``dL/dO = d_out``.

    The vector-Jacobian product of :func:`companion.tf.autodiff.grad_of_sum`, with
    ``weights=d_out``: the gradient of ``sum(d_out * O)``.

    Examples
    --------
    >>> q, k, v = np.eye(2), np.eye(2), np.ones((2, 3))
    >>> [g.shape for g in attention_backward(q, k, v, np.ones((2, 3)))]
    [(2, 2), (2, 2), (2, 3)]
    """
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    lead, t, s = q.shape[:-2], q.shape[-2], k.shape[-2]
    m = _mask_layout(mask, lead, t, s)
    grads = grad_of_sum(
        lambda qt, kt, vt: _attend(qt, kt, vt, m, causal),
        *(_heads_layout(a) for a in (q, k, v)),
        weights=_heads_layout(np.asarray(d_out, dtype=np.float64)),
    )
    return tuple(
        np.asarray(g)[:, :, 0, :].reshape(a.shape) for g, a in zip(grads, (q, k, v), strict=True)
    )


def multi_head_attention(
    x_q: ArrayLike,
    x_kv: ArrayLike,
    weights: AttentionWeights,
    *,
    mask: ArrayLike | None = None,
    causal: bool = False,
) -> np.ndarray:
    """``keras.layers.MultiHeadAttention`` loaded with ``weights``.

    Keras keeps each projection as a 3-D kernel, ``(D, n_heads, d_k)`` for queries, keys and
    values and ``(n_heads, d_k, D)`` for the output; ours are the same numbers reshaped.

    Examples
    --------
    >>> from companion.maths.attention import init_attention_weights
    >>> w = init_attention_weights(np.random.default_rng(0), d_model=8, n_heads=2)
    >>> multi_head_attention(np.ones((1, 3, 8)), np.ones((1, 3, 8)), w).shape
    (1, 3, 8)
    """
    x_q, x_kv = np.asarray(x_q, dtype=np.float64), np.asarray(x_kv, dtype=np.float64)
    d, h, d_k = x_q.shape[-1], weights.n_heads, weights.d_k
    layer = keras.layers.MultiHeadAttention(num_heads=h, key_dim=d_k, dtype="float64")
    layer(x_q[:1], x_kv[:1])  # build, so the weights exist
    layer.set_weights(
        [
            weights.W_q.reshape(d, h, d_k),
            weights.b_q.reshape(h, d_k),
            weights.W_k.reshape(d, h, d_k),
            weights.b_k.reshape(h, d_k),
            weights.W_v.reshape(d, h, d_k),
            weights.b_v.reshape(h, d_k),
            weights.W_o.reshape(h, d_k, d),
            weights.b_o,
        ]
    )
    attention_mask = None if mask is None else tf.constant(np.asarray(mask, dtype=bool))
    out = layer(x_q, x_kv, attention_mask=attention_mask, use_causal_mask=causal)
    return np.asarray(out)
