"""companion.maths.softmax: properties of softmax and cross-entropy, and input errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from companion.maths import (
    binary_cross_entropy,
    cross_entropy,
    cross_entropy_grad,
    log_softmax,
    numerical_gradient,
    one_hot,
    softmax,
)

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
shapes = st.tuples(st.integers(1, 6), st.integers(2, 7))


@st.composite
def logits_and_labels(draw):
    n, k = draw(shapes)
    z = draw(arrays(np.float64, (n, k), elements=finite))
    labels = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    return z, labels


@given(arrays(np.float64, shapes, elements=finite))
def test_softmax_rows_sum_to_one_and_are_positive(z):
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert (p >= 0).all()


@given(arrays(np.float64, shapes, elements=finite), finite)
def test_softmax_is_shift_invariant(z, c):
    np.testing.assert_allclose(softmax(z + c), softmax(z), rtol=0, atol=1e-12)


@given(arrays(np.float64, shapes, elements=finite))
def test_log_softmax_is_log_of_softmax(z):
    np.testing.assert_allclose(np.exp(log_softmax(z)), softmax(z), rtol=0, atol=1e-12)


def test_softmax_survives_huge_logits():
    p = softmax(np.array([1e4, 1e4 + 1.0]))
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p, [1 / (1 + np.e), np.e / (1 + np.e)])


@given(logits_and_labels())
def test_cross_entropy_is_non_negative(zl):
    z, labels = zl
    assert (cross_entropy(z, labels, reduction="none") >= 0).all()


@given(logits_and_labels())
def test_cross_entropy_gradient_rows_sum_to_zero(zl):
    z, labels = zl
    np.testing.assert_allclose(cross_entropy_grad(z, labels).sum(axis=1), 0.0, atol=1e-12)


@given(logits_and_labels())
def test_mean_gradient_is_sum_gradient_over_n(zl):
    z, labels = zl
    np.testing.assert_allclose(
        cross_entropy_grad(z, labels) * len(z),
        cross_entropy_grad(z, labels, reduction="sum"),
        atol=1e-12,
    )


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 3)) * 2
    labels = np.array([0, 2, 1, 1])
    numeric = numerical_gradient(lambda v: float(cross_entropy(v, labels)), z)
    np.testing.assert_allclose(cross_entropy_grad(z, labels), numeric, atol=1e-9)


def test_integer_labels_equal_one_hot_targets():
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    labels = np.array([1, 2])
    assert cross_entropy(z, labels) == pytest.approx(float(cross_entropy(z, one_hot(labels, 3))))


def test_uniform_logits_give_log_k():
    assert float(cross_entropy(np.zeros((3, 4)), [0, 1, 2])) == pytest.approx(np.log(4))


def test_binary_cross_entropy_known_values():
    assert float(binary_cross_entropy([0.5], [1])) == pytest.approx(np.log(2))
    assert float(binary_cross_entropy([0.99], [0])) == pytest.approx(-np.log(0.01))


@pytest.mark.parametrize(
    ("logits", "target", "message"),
    [
        (np.zeros((2, 3)), [0, 3], r"labels must lie in \[0, 3\)"),
        (np.zeros((2, 3)), [0], "target has 1 labels for 2 rows"),
        (np.zeros((2, 3)), [0.0, 1.0], "integer class labels expected"),
        (np.zeros((2, 3)), np.ones((2, 3)), "probability distribution"),
        (np.zeros((2, 3)), np.ones((3, 2)) / 2, r"target must have shape \(2,\) or \(2, 3\)"),
        (np.zeros(3), [0], "logits must have exactly 2 dimension"),
        (np.zeros((0, 3)), np.zeros(0, dtype=int), "logits must not be empty"),
        ([[np.nan, 0.0]], [0], "logits must be finite"),
    ],
)
def test_cross_entropy_rejects_bad_input(logits, target, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy(logits, target)


def test_unknown_reduction_is_rejected():
    with pytest.raises(ValueError, match="reduction must be one of"):
        cross_entropy(np.zeros((1, 2)), [0], reduction="avg")
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum' for a gradient"):
        cross_entropy_grad(np.zeros((1, 2)), [0], reduction="none")


@pytest.mark.parametrize(
    ("p", "y", "message"),
    [
        ([0.0], [1], "p must lie strictly between 0 and 1"),
        ([0.5], [2], r"y must lie in \[0, 1\]"),
        ([0.5, 0.5], [1], "same shape"),
    ],
)
def test_binary_cross_entropy_rejects_bad_input(p, y, message):
    with pytest.raises(ValueError, match=message):
        binary_cross_entropy(p, y)


@pytest.mark.parametrize(
    ("labels", "k", "message"),
    [
        ([0, 1], 0, "num_classes must be a positive int"),
        ([[0]], 2, "1-D array of ints"),
        ([-1], 2, r"labels must lie in \[0, 2\)"),
    ],
)
def test_one_hot_rejects_bad_input(labels, k, message):
    with pytest.raises(ValueError, match=message):
        one_hot(labels, k)
