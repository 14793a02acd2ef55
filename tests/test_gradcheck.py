"""companion.maths.gradcheck: finite differences and gradient comparison."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from companion.maths import compare_gradients, numerical_gradient


@given(arrays(np.float64, st.integers(1, 5), elements=st.floats(-10, 10)))
def test_quadratic_gradient_is_exact_to_rounding(x):
    g = numerical_gradient(lambda v: float((v**2).sum()), x)
    np.testing.assert_allclose(g, 2 * x, rtol=1e-8, atol=1e-8)


def test_central_differences_beat_one_sided_error():
    g = numerical_gradient(lambda v: float(np.sin(v).sum()), np.array([0.3, 1.2]))
    np.testing.assert_allclose(g, np.cos([0.3, 1.2]), atol=1e-10)


def test_input_array_is_not_modified():
    x = np.array([1.0, 2.0])
    numerical_gradient(lambda v: float(v.sum()), x)
    assert x.tolist() == [1.0, 2.0]


def test_fixed_step_is_used():
    # f(x) = x^3 at 1: central difference gives 3 + h^2 exactly.
    g = numerical_gradient(lambda v: float(v[0] ** 3), np.array([1.0]), eps=0.1)
    assert g[0] == pytest.approx(3.01)


@pytest.mark.parametrize(
    ("x", "kwargs", "message"),
    [
        ([], {}, "non-empty finite array"),
        ([np.inf], {}, "non-empty finite array"),
        ([1.0], {"eps": 0.0}, "eps must be positive"),
    ],
)
def test_bad_points_and_steps_are_rejected(x, kwargs, message):
    with pytest.raises(ValueError, match=message):
        numerical_gradient(lambda v: 0.0, x, **kwargs)


def test_function_must_return_a_scalar():
    with pytest.raises(ValueError, match="f must return a finite scalar"):
        numerical_gradient(lambda v: v, np.array([1.0, 2.0]))


def test_compare_names_worst_coordinate():
    result = compare_gradients([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.5, 4.0]])
    assert result.worst_index == (1, 0)
    assert result.max_abs_error == 0.5
    assert "at index (1, 0)" in result.describe()


def test_compare_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="gradient shapes differ"):
        compare_gradients([1.0], [1.0, 2.0])
