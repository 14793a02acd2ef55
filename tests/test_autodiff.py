"""``grad_of_sum``, the twins' shared autodiff: against central differences and each other.

The oracle is independent of both frameworks: central differences of the same function written
in NumPy, in float64. The torch and TF twins must also agree with each other, return the same
types and shapes, leave their inputs alone, and refuse bad arguments by name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

torch = pytest.importorskip("torch")  # the optional extras; the companion's modules must import
tf = pytest.importorskip("tensorflow")
import companion.tf.autodiff as tf_autodiff  # noqa: E402
import companion.torch.autodiff as torch_autodiff  # noqa: E402


@dataclass(frozen=True)
class Ops:
    """One framework's spelling of the few operations the test functions use."""

    module: object
    sin: object
    exp: object
    tanh: object
    total: object  # sum of every item
    ones: object
    tensor: object  # a float32 tensor from a NumPy array


NUMPY = Ops(None, np.sin, np.exp, np.tanh, np.sum, np.ones, np.asarray)
TWINS = [
    Ops(
        torch_autodiff,
        torch.sin,
        torch.exp,
        torch.tanh,
        torch.sum,
        torch.ones,
        lambda a: torch.tensor(a, dtype=torch.float32),
    ),
    Ops(
        tf_autodiff,
        tf.math.sin,
        tf.math.exp,
        tf.math.tanh,
        tf.reduce_sum,
        tf.ones,
        lambda a: tf.constant(a, dtype=tf.float32),
    ),
]
IDS = ["torch", "tensorflow"]


def coupled(ops: Ops):
    """``tanh(x) * sum(x**2)``: every output depends on every input (a full Jacobian)."""
    return lambda x: ops.tanh(x) * ops.total(x**2)


def two_inputs(ops: Ops):
    """``sin(x) y + x**2 exp(-y**2)``, elementwise in two inputs of one shape."""
    return lambda x, y: ops.sin(x) * y + x**2 * ops.exp(-(y**2))


def central_differences(f, inputs, weights=None, h=1e-5):
    """Gradient of ``sum(weights * f(*inputs))`` w.r.t. each input: ``(F(x+h) - F(x-h)) / 2h``."""
    inputs = [np.array(x, dtype=np.float64) for x in inputs]

    def total(args):
        out = f(*args)
        return float(np.sum(out if weights is None else weights * out))

    grads = []
    for i, x in enumerate(inputs):
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            plus = [a.copy() for a in inputs]
            minus = [a.copy() for a in inputs]
            plus[i][idx] += h
            minus[i][idx] -= h
            g[idx] = (total(plus) - total(minus)) / (2 * h)
        grads.append(g)
    return grads


values = st.floats(-2, 2, allow_nan=False, allow_infinity=False)
shapes = array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def assert_gradient(result, shape, expected):
    assert isinstance(result, np.ndarray) and result.dtype == np.float64
    assert result.shape == shape
    np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("ops", TWINS, ids=IDS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_one_input_matches_central_differences(ops, data):
    x = data.draw(arrays(np.float64, shapes, elements=values), label="x")
    grad = ops.module.grad_of_sum(coupled(ops), x)
    (expected,) = central_differences(coupled(NUMPY), [x])
    assert_gradient(grad, x.shape, expected)


@pytest.mark.parametrize("ops", TWINS, ids=IDS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_several_inputs_give_a_tuple_matching_central_differences(ops, data):
    shape = data.draw(shapes, label="shape")
    x, y = (data.draw(arrays(np.float64, shape, elements=values), label=n) for n in "xy")
    grads = ops.module.grad_of_sum(two_inputs(ops), x, y)
    assert isinstance(grads, tuple) and len(grads) == 2
    for grad, expected in zip(grads, central_differences(two_inputs(NUMPY), [x, y]), strict=True):
        assert_gradient(grad, shape, expected)


@pytest.mark.parametrize("ops", TWINS, ids=IDS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_weights_give_the_vector_jacobian_product(ops, data):
    x = data.draw(arrays(np.float64, shapes, elements=values), label="x")
    w = data.draw(arrays(np.float64, x.shape, elements=values), label="weights")
    grad = ops.module.grad_of_sum(coupled(ops), x, weights=w)
    (expected,) = central_differences(coupled(NUMPY), [x], weights=w)
    assert_gradient(grad, x.shape, expected)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_the_twins_agree(data):
    shape = data.draw(shapes, label="shape")
    x, y, w = (data.draw(arrays(np.float64, shape, elements=values), label=n) for n in "xyw")
    a, b = (ops.module.grad_of_sum(two_inputs(ops), x, y, weights=w) for ops in TWINS)
    for ga, gb in zip(a, b, strict=True):
        assert type(ga) is type(gb) and ga.dtype == gb.dtype and ga.shape == gb.shape
        np.testing.assert_allclose(ga, gb, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("ops", TWINS, ids=IDS)
def test_a_scalar_input_gives_a_0d_array(ops):
    grad = ops.module.grad_of_sum(ops.sin, 0.0)
    assert isinstance(grad, np.ndarray) and grad.shape == () and float(grad) == 1.0


@pytest.mark.parametrize("ops", TWINS, ids=IDS)
def test_lists_and_framework_tensors_are_accepted_as_float64(ops):
    x = np.array([0.5, -1.25, 2.0])  # exact in float32 too
    expected = ops.module.grad_of_sum(coupled(ops), x)
    for given_x in (x.tolist(), ops.tensor(x), x.astype(np.float32)):
        grad = ops.module.grad_of_sum(coupled(ops), given_x)
        assert grad.dtype == np.float64
        np.testing.assert_array_equal(grad, expected)
    ints = ops.module.grad_of_sum(coupled(ops), [1, 2])
    assert ints.dtype == np.float64
    np.testing.assert_array_equal(ints, ops.module.grad_of_sum(coupled(ops), [1.0, 2.0]))


def test_inputs_are_not_modified():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    saved = x.copy()
    for ops in TWINS:
        ops.module.grad_of_sum(coupled(ops), x, weights=np.ones_like(x))
        np.testing.assert_array_equal(x, saved)
        assert x.flags.writeable
    t = torch.tensor(saved, requires_grad=True)  # a leaf the caller owns
    torch_autodiff.grad_of_sum(coupled(TWINS[0]), t)
    assert t.grad is None and t.requires_grad
    np.testing.assert_array_equal(t.detach().numpy(), saved)
    plain = torch.tensor(saved)
    torch_autodiff.grad_of_sum(coupled(TWINS[0]), plain)
    assert not plain.requires_grad and plain.grad is None
    v = tf.Variable(saved)
    tf_autodiff.grad_of_sum(coupled(TWINS[1]), v)
    np.testing.assert_array_equal(v.numpy(), saved)


def test_torch_twin_works_inside_no_grad():
    with torch.no_grad():
        grad = torch_autodiff.grad_of_sum(torch.sin, [0.0, np.pi])
    np.testing.assert_allclose(grad, [1.0, -1.0])


@pytest.mark.parametrize("ops", TWINS, ids=IDS)
def test_an_unused_input_gets_zeros(ops):
    dx, dy = ops.module.grad_of_sum(lambda x, y: ops.sin(x), [0.0, 1.0], np.ones((2, 3)))
    np.testing.assert_allclose(dx, np.cos([0.0, 1.0]))
    np.testing.assert_array_equal(dy, np.zeros((2, 3)))


@pytest.mark.parametrize("ops", TWINS, ids=IDS)
@pytest.mark.parametrize("f", [3.0, None, "sin", np.ones(2)])
def test_a_non_callable_f_is_a_type_error_naming_f(ops, f):
    with pytest.raises(TypeError, match=r"^f must be callable"):
        ops.module.grad_of_sum(f, [1.0])


@pytest.mark.parametrize("ops", TWINS, ids=IDS)
def test_bad_arguments_are_refused_by_name(ops):
    with pytest.raises(TypeError, match="inputs: give at least one input"):
        ops.module.grad_of_sum(ops.sin)
    with pytest.raises(ValueError, match=r"inputs\[1\] must be an array of numbers"):
        ops.module.grad_of_sum(lambda x, y: x * y, [1.0], "2")
    with pytest.raises(ValueError, match=r"weights must have the shape of f's output \(2,\)"):
        ops.module.grad_of_sum(ops.sin, [1.0, 2.0], weights=[1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="f must return a"):
        ops.module.grad_of_sum(lambda x: 1.0, [1.0])
    with pytest.raises(ValueError, match="f's output does not depend on any input"):
        ops.module.grad_of_sum(lambda x: ops.ones(2, dtype=x.dtype), [1.0, 2.0])
