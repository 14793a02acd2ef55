"""companion.maths.attention against PyTorch, Keras and finite differences; masks; errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import companion.tf.attention as tf_attention
import companion.torch.attention as torch_attention
from companion.maths.attention import (
    AttentionWeights,
    attention_backward,
    attention_probabilities,
    causal_mask,
    init_attention_weights,
    multi_head_attention,
    padding_mask,
    scaled_dot_product_attention,
)
from companion.maths.gradcheck import numerical_gradient

ORACLES = {"torch": torch_attention, "tensorflow": tf_attention}
MASKS = ["none", "padding", "causal", "padding+causal"]


def _inputs(seed=0, B=2, h=3, T=5, S=6, d=4, d_v=3):
    rng = np.random.default_rng(seed)
    q, k, v = (rng.normal(size=(B, h, n, w)) for n, w in ((T, d), (S, d), (S, d_v)))
    return rng, q, k, v


def _mask_kwargs(kind, B, T, S, per_head=True):
    kwargs = {}
    if "padding" in kind:
        m = padding_mask(np.arange(B) % S + 2, T, S)  # lengths 2, 3, ...
        kwargs["mask"] = m[:, None] if per_head else m
    if "causal" in kind:
        kwargs["causal"] = True
    return kwargs


@pytest.mark.parametrize("framework", ORACLES)
@pytest.mark.parametrize("kind", MASKS)
def test_sdpa_equals_the_frameworks_builtin(framework, kind):
    _, q, k, v = _inputs()
    kw = _mask_kwargs(kind, 2, 5, 6)
    ours = scaled_dot_product_attention(q, k, v, **kw)
    np.testing.assert_allclose(
        ours, ORACLES[framework].scaled_dot_product_attention(q, k, v, **kw), atol=1e-12
    )


@pytest.mark.parametrize("framework", ORACLES)
@pytest.mark.parametrize("kind", MASKS)
def test_attention_gradient_equals_autograd(framework, kind):
    rng, q, k, v = _inputs(seed=1)
    kw = _mask_kwargs(kind, 2, 5, 6)
    d_out = rng.normal(size=(2, 3, 5, 3))
    for ours, theirs in zip(
        attention_backward(q, k, v, d_out, **kw),
        ORACLES[framework].attention_backward(q, k, v, d_out, **kw),
        strict=True,
    ):
        np.testing.assert_allclose(ours, theirs, atol=1e-12)


@pytest.mark.parametrize("kind", MASKS)
def test_attention_gradient_equals_finite_differences(kind):
    rng, q, k, v = _inputs(seed=2, B=1, h=1, T=3, S=4, d=2, d_v=2)
    kw = _mask_kwargs(kind, 1, 3, 4)
    d_out = rng.normal(size=(1, 1, 3, 2))
    dq, dk, dv = attention_backward(q, k, v, d_out, **kw)

    def loss(q_, k_, v_):
        return float((scaled_dot_product_attention(q_, k_, v_, **kw) * d_out).sum())

    np.testing.assert_allclose(dq, numerical_gradient(lambda x: loss(x, k, v), q), atol=1e-8)
    np.testing.assert_allclose(dk, numerical_gradient(lambda x: loss(q, x, v), k), atol=1e-8)
    np.testing.assert_allclose(dv, numerical_gradient(lambda x: loss(q, k, x), v), atol=1e-8)


@pytest.mark.parametrize("framework", ORACLES)
@pytest.mark.parametrize("kind", MASKS)
def test_multi_head_attention_equals_the_frameworks_layer(framework, kind):
    rng = np.random.default_rng(3)
    weights = init_attention_weights(rng, d_model=12, n_heads=3)
    x, y = rng.normal(size=(2, 5, 12)), rng.normal(size=(2, 6, 12))
    kw = _mask_kwargs(kind, 2, 5, 6, per_head=False)
    ours = multi_head_attention(x, y, weights, **kw)
    theirs = ORACLES[framework].multi_head_attention(x, y, weights, **kw)
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


@settings(max_examples=30)
@given(
    T=st.integers(1, 6),
    S=st.integers(1, 6),
    d=st.integers(1, 5),
    scale=st.floats(0.01, 30.0),
    seed=st.integers(0, 2**16),
)
def test_attention_rows_are_distributions_that_ignore_masked_keys(T, S, d, scale, seed):
    rng = np.random.default_rng(seed)
    q, k = rng.normal(size=(T, d)) * scale, rng.normal(size=(S, d)) * scale
    length = rng.integers(1, S + 1)
    p = attention_probabilities(q, k, mask=padding_mask([length], T, S)[0])
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, atol=1e-12)
    assert (p >= 0).all()
    assert (p[:, length:] == 0).all()


def test_causal_mask_hides_the_future():
    rng, q, k, v = _inputs(seed=4, B=1, h=1, T=4, S=4)
    out = scaled_dot_product_attention(q, k, v, causal=True)
    v_changed = v.copy()
    v_changed[..., 3, :] += 100.0  # the last value only the last query may see
    out_changed = scaled_dot_product_attention(q, k, v_changed, causal=True)
    np.testing.assert_array_equal(out[..., :3, :], out_changed[..., :3, :])
    assert causal_mask(2, 3).tolist() == [[True, False, False], [True, True, False]]


def test_errors_name_the_problem():
    q = np.ones((2, 3))
    with pytest.raises(ValueError, match="q and k must share d_k"):
        attention_probabilities(q, np.ones((2, 4)))
    with pytest.raises(
        ValueError, match="every query must be allowed to attend to at least one key"
    ):
        attention_probabilities(q, q, mask=np.zeros((2, 2), dtype=bool))
    with pytest.raises(ValueError, match=r"lengths must be a 1-D array with values in \[1, 3\]"):
        padding_mask([0, 2], 2, 3)
    with pytest.raises(
        ValueError, match=r"n_heads must divide d_model \(got d_model=10, n_heads=3\)"
    ):
        init_attention_weights(np.random.default_rng(0), 10, 3)
    w = init_attention_weights(np.random.default_rng(0), 8, 2)
    with pytest.raises(ValueError, match=r"W_o must have shape \(8, 8\)"):
        AttentionWeights(**{**w.__dict__, "W_o": np.ones((8, 4))})
    with pytest.raises(ValueError, match="n_heads must divide the projection width"):
        AttentionWeights(**{**w.__dict__, "n_heads": 3})
    with pytest.raises(ValueError, match=r"x_q and x_kv must be \(B, T, D\)"):
        multi_head_attention(np.ones((3, 8)), np.ones((3, 8)), w)
    narrow = init_attention_weights(np.random.default_rng(0), 8, 2, d_k=3)
    with pytest.raises(ValueError, match="needs n_heads \\* d_k == D"):
        torch_attention.multi_head_attention(np.ones((1, 2, 8)), np.ones((1, 2, 8)), narrow)
