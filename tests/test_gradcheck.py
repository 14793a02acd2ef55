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


# --- check_gradient: the gate every derived gradient passes ---------------------------------

from companion.maths.gradcheck import GradientCheckError, check_gradient  # noqa: E402
from companion.maths.softmax import cross_entropy, cross_entropy_grad, softmax  # noqa: E402

finite = st.floats(-20, 20, allow_nan=False, allow_infinity=False)


@st.composite
def logits_and_labels(draw):
    n, k = draw(st.integers(1, 5)), draw(st.integers(2, 6))
    z = draw(arrays(np.float64, (n, k), elements=finite))
    labels = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    return z, labels


@given(arrays(np.float64, st.integers(1, 6), elements=st.floats(-3, 3)))
def test_check_gradient_accepts_the_true_gradient_of_a_cubic(x):
    result = check_gradient(lambda v: float((v**3).sum()), x, 3 * x**2)
    assert result.max_abs_error < 1e-6


@given(arrays(np.float64, st.integers(2, 6), elements=st.floats(-20, 20)))
def test_large_function_values_need_an_atol_scaled_to_f(x):
    # Rounding in f(x + h) - f(x - h) is about eps_machine * |f| / h, whatever x_i is.
    f = lambda v: float((v**3).sum())  # noqa: E731
    check_gradient(f, x, 3 * x**2, atol=1e-8 * max(1.0, abs(f(x))))


@given(logits_and_labels())
def test_cross_entropy_gradient_passes_check_gradient(zl):
    z, labels = zl
    check_gradient(lambda v: float(cross_entropy(v, labels)), z, cross_entropy_grad(z, labels))


@given(logits_and_labels())
def test_numerical_gradient_of_cross_entropy_rows_sum_to_zero(zl):
    # Shift invariance of softmax seen through finite differences alone: no analytic formula.
    z, labels = zl
    numeric = numerical_gradient(lambda v: float(cross_entropy(v, labels)), z)
    np.testing.assert_allclose(numeric.sum(axis=1), 0.0, atol=1e-8)


@given(logits_and_labels(), finite)
def test_cross_entropy_is_non_negative_and_shift_invariant(zl, c):
    z, labels = zl
    loss = cross_entropy(z, labels, reduction="none")
    assert (loss >= 0).all()
    np.testing.assert_allclose(cross_entropy(z + c, labels, reduction="none"), loss, atol=1e-10)
    np.testing.assert_allclose(softmax(z + c), softmax(z), atol=1e-12)


@given(
    arrays(np.float64, st.integers(2, 6), elements=st.floats(0.5, 5)),
    st.data(),
)
def test_a_wrong_coordinate_is_named(x, data):
    i = data.draw(st.integers(0, len(x) - 1))
    grad = 3 * x**2
    grad[i] += 0.1  # break one coordinate
    with pytest.raises(GradientCheckError, match=rf"at index \({i},\)"):
        check_gradient(lambda v: float((v**3).sum()), x, grad)


def test_callable_gradient_is_evaluated_at_x():
    x = np.array([0.5, -1.0])
    result = check_gradient(lambda v: float(np.sin(v).sum()), x, np.cos)
    assert result.max_abs_error < 1e-9


def test_failure_message_gives_both_values_and_the_count():
    with pytest.raises(GradientCheckError) as info:
        check_gradient(lambda v: float((v**2).sum()), [1.0, 2.0, 3.0], [2.0, 4.0, 7.0])
    message = str(info.value)
    assert "at index (2,)" in message and "analytic 7" in message and "numerical 6" in message
    assert "1 of 3 coordinates fail" in message
    assert isinstance(info.value, AssertionError)


def test_worst_coordinate_is_judged_relative_to_its_tolerance():
    # index 0 has the larger absolute error but a large gradient; index 1 is the real culprit.
    x = np.array([100.0, 0.1])
    grad = 3 * x**2 + np.array([1e-3, 1e-6])
    with pytest.raises(GradientCheckError, match=r"at index \(1,\)"):
        check_gradient(lambda v: float((v**3).sum()), x, grad, rtol=1e-6, atol=1e-9)


def test_tolerances_loosen_the_check():
    grad = np.array([2.0, 4.001])
    with pytest.raises(GradientCheckError):
        check_gradient(lambda v: float((v**2).sum()), [1.0, 2.0], grad)
    check_gradient(lambda v: float((v**2).sum()), [1.0, 2.0], grad, rtol=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rtol": -1.0}, "rtol must be non-negative"),
        ({"atol": float("nan")}, "atol must be a finite number"),
        ({"rtol": "1e-6"}, "rtol must be a finite number"),
        ({"rtol": 0.0, "atol": 0.0}, "must not both be zero"),
    ],
)
def test_check_gradient_rejects_bad_tolerances(kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_gradient(lambda v: float(v.sum()), [1.0], [1.0], **kwargs)


def test_check_gradient_rejects_a_gradient_of_the_wrong_shape():
    with pytest.raises(ValueError, match="gradient shapes differ"):
        check_gradient(lambda v: float(v.sum()), [1.0, 2.0], [1.0])
