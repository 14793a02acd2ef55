"""Hostile but legal input: NumPy integers wherever an int is accepted, floats never.

A chapter often computes a size or a count with NumPy (``len(x) // 10`` is an int, but
``x.shape[0] // np.int64(10)`` or ``np.argmax(...)`` is not). Each integer argument below must
give exactly the result of the equal Python int, for every NumPy integer dtype, and a float
that happens to be whole must be refused with a message that names the argument and its type.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.data.mnist import random_shift, split_digits
from companion.maths.quantisation import quantise_affine, quantise_symmetric
from companion.maths.unigram import unigram_probabilities

INTEGER_DTYPES = [
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
]
dtypes = st.sampled_from(INTEGER_DTYPES)
FLOATS = st.sampled_from([float, np.float32, np.float64])
W = np.linspace(-1.0, 1.0, 12).reshape(3, 4)


@settings(max_examples=40, deadline=None)
@given(dtype=dtypes, bits=st.integers(2, 16), axis=st.sampled_from([None, 0, 1]))
def test_quantise_accepts_numpy_integers(dtype, bits, axis):
    q, scale = quantise_symmetric(W, bits=dtype(bits), axis=None if axis is None else dtype(axis))
    q_int, scale_int = quantise_symmetric(W, bits=bits, axis=axis)
    np.testing.assert_array_equal(q, q_int)
    np.testing.assert_array_equal(scale, scale_int)
    assert quantise_affine(W, bits=dtype(bits))[1:] == quantise_affine(W, bits=bits)[1:]


@settings(max_examples=40, deadline=None)
@given(dtype=dtypes, vocab=st.integers(3, 100), seed=st.integers(0, 2**16))
def test_unigram_accepts_numpy_integers(dtype, vocab, seed):
    ids = np.random.default_rng(seed).integers(0, 3, 20)
    np.testing.assert_array_equal(
        unigram_probabilities(ids, dtype(vocab)), unigram_probabilities(ids, vocab)
    )


@settings(max_examples=20, deadline=None)
@given(dtype=dtypes, n_test=st.integers(10, 40), n_val=st.integers(10, 40))
def test_split_digits_accepts_numpy_integers(dtype, n_test, n_val):
    images, labels = np.arange(100).reshape(100, 1), np.repeat(np.arange(10), 10)
    a = split_digits(images, labels, n_test=dtype(n_test), n_val=dtype(n_val), seed=1)
    b = split_digits(images, labels, n_test=n_test, n_val=n_val, seed=1)
    for part in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, part), getattr(b, part))


@settings(max_examples=30, deadline=None)
@given(dtype=dtypes, shift=st.integers(0, 4))
def test_random_shift_accepts_numpy_integers(dtype, shift):
    x = np.random.default_rng(0).random((3, 5, 5))
    np.testing.assert_array_equal(
        random_shift(x, dtype(shift), np.random.default_rng(2)),
        random_shift(x, shift, np.random.default_rng(2)),
    )


@settings(max_examples=30, deadline=None)
@given(kind=FLOATS, value=st.integers(2, 4))
def test_whole_floats_are_refused_with_their_type_named(kind, value):
    number = kind(value)
    name = type(number).__name__
    with pytest.raises(ValueError, match=f"bits must be an int from 2 to 16, not {name}"):
        quantise_symmetric(W, bits=number)
    with pytest.raises(ValueError, match=f"axis must be None or an axis of w, an int, not {name}"):
        quantise_symmetric(W, axis=kind(0))
    with pytest.raises(ValueError, match=f"vocab_size must be a positive int, not {name}"):
        unigram_probabilities([0, 1], number)
    with pytest.raises(TypeError, match=f"max_shift must be an int, not {name}"):
        random_shift(np.zeros((1, 5, 5)), kind(1), np.random.default_rng(0))
    images, labels = np.zeros((100, 1)), np.repeat(np.arange(10), 10)
    with pytest.raises(ValueError, match=f"n_test must be an int, not {name}"):
        split_digits(images, labels, n_test=kind(value * 10))


@pytest.mark.parametrize("value", [True, np.True_])
def test_booleans_are_not_integers(value):
    with pytest.raises(ValueError, match="bits must be an int"):
        quantise_symmetric(W, bits=value)
    with pytest.raises(ValueError, match="vocab_size must be a positive int"):
        unigram_probabilities([0], value)
    with pytest.raises(TypeError, match="max_shift must be an int"):
        random_shift(np.zeros((1, 5, 5)), value, np.random.default_rng(0))


@pytest.mark.parametrize("pooler", ["no", "", 0, 1, None])
def test_pooler_must_be_a_bool_not_a_truthy_value(pooler):
    from companion.sizing import TransformerConfig

    with pytest.raises(TypeError, match="pooler"):
        TransformerConfig("bert", 100, 64, 2, 4, 32, pooler=pooler)


# Issue 20's listed cases: sizes that overflow inside, results that overflow, NaN steps.
def test_numpy_int32_sizes_do_not_overflow_the_kernel_costs():
    from companion.sizing.roofline import attention_cost, matmul_cost

    big = np.int32(50_000)
    assert matmul_cost(big, big, big).bytes_moved == 2 * 3 * 50_000**2
    cost = attention_cost(np.int32(64), np.int32(64), np.int32(65_536), np.int32(128))
    assert cost.flops == 4.0 * 64 * 64 * 65_536**2 * 128


def test_numbers_too_large_for_a_float_name_the_argument():
    from companion.sizing import training_flops, weight_bytes

    with pytest.raises(ValueError, match="n_params is too large for a float"):
        weight_bytes(10**400)
    with pytest.raises(ValueError, match="training_flops overflows"):
        training_flops(1e308, 1e308)


@pytest.mark.parametrize("step", [float("nan"), float("inf")])
def test_schedules_refuse_non_finite_steps(step):
    from companion.maths.schedules import cosine_decay, warmup_linear_decay

    with pytest.raises(ValueError, match="step must be finite"):
        cosine_decay(step, 10)
    with pytest.raises(ValueError, match="step must be finite"):
        warmup_linear_decay(step, 10, 2)
    with pytest.raises(TypeError, match="step must be a number"):
        cosine_decay("3", 10)
