"""companion.maths.quantisation: round-to-nearest int8 quantisation and its error bound."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from companion.maths.quantisation import dequantise, quantise_affine, quantise_symmetric

finite = st.floats(-1e3, 1e3, allow_nan=False, width=64)
matrices = arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 8)), elements=finite)


@given(w=matrices, bits=st.integers(2, 8), per_channel=st.booleans())
def test_symmetric_error_is_at_most_half_a_step(w, bits, per_channel):
    axis = 1 if per_channel else None
    q, scale = quantise_symmetric(w, bits=bits, axis=axis)
    step = scale if axis is None else scale[None, :]
    assert np.all(np.abs(w - dequantise(q, scale, axis=axis)) <= step / 2 * (1 + 1e-12))
    assert np.abs(q).max() <= 2 ** (bits - 1) - 1


@given(w=matrices)
def test_per_channel_scales_are_never_larger_than_the_per_tensor_scale(w):
    _, per_tensor = quantise_symmetric(w)
    _, per_channel = quantise_symmetric(w, axis=-1)
    assert per_channel.shape == (w.shape[1],)
    assert np.all(per_channel[np.abs(w).max(axis=0) > 0] <= per_tensor * (1 + 1e-12))


@given(x=arrays(np.float64, st.integers(1, 50), elements=finite), bits=st.integers(2, 8))
def test_affine_represents_zero_exactly_and_errs_by_half_a_step(x, bits):
    q, scale, zero_point = quantise_affine(x, bits=bits)
    assert 0 <= q.min() and q.max() <= 2**bits - 1
    assert dequantise([zero_point], scale, zero_point=zero_point)[0] == 0.0
    error = np.abs(x - dequantise(q, scale, zero_point=zero_point))
    assert np.all(error <= scale / 2 * (1 + 1e-9) + 1e-12)


def test_affine_matches_the_onnx_dynamicquantizelinear_operator():
    ort = pytest.importorskip("onnxruntime")
    onnx = pytest.importorskip("onnx")
    helper = onnx.helper
    graph = helper.make_graph(
        [helper.make_node("DynamicQuantizeLinear", ["x"], ["y", "s", "z"])],
        "dql",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [None])],
        [
            helper.make_tensor_value_info("y", onnx.TensorProto.UINT8, [None]),
            helper.make_tensor_value_info("s", onnx.TensorProto.FLOAT, []),
            helper.make_tensor_value_info("z", onnx.TensorProto.UINT8, []),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).normal(0.5, 2.0, size=1000).astype(np.float32)
    y, s, z = session.run(None, {"x": x})
    q, scale, zero_point = quantise_affine(x)
    assert zero_point == int(z) and scale == pytest.approx(float(s), rel=1e-6)
    assert np.mean(q != y) < 0.01 and np.abs(q - y.astype(int)).max() <= 1  # float32 ties


def test_symmetric_example_and_zero_tensor():
    q, scale = quantise_symmetric([[0.0, 0.0]])
    assert q.tolist() == [[0, 0]] and float(scale) == 1.0
    q, scale = quantise_symmetric([1.0, -0.5, 0.25], bits=3)  # integers -3..3
    assert q.tolist() == [3, -2, 1] and float(scale) == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"w": []}, "w must not be empty"),
        ({"w": [1.0, np.nan]}, "w must be finite"),
        ({"w": [1.0], "bits": 1}, "bits must be an int from 2 to 16"),
        ({"w": [1.0], "bits": 8.0}, "bits must be an int from 2 to 16"),
        ({"w": [[1.0]], "axis": 2}, "axis must be None or an axis of w"),
    ],
)
def test_symmetric_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        quantise_symmetric(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": [np.inf]}, "x must be finite"),
        ({"x": [1.0], "bits": 17}, "bits must be an int from 2 to 16"),
    ],
)
def test_affine_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        quantise_affine(**kwargs)


def test_dequantise_rejects_scales_that_do_not_match_the_axis():
    with pytest.raises(ValueError, match="scale must be a scalar or hold one value per index"):
        dequantise(np.zeros((2, 3)), [1.0, 2.0], axis=1)
    with pytest.raises(ValueError, match="scale must be a scalar or hold one value per index"):
        dequantise(np.zeros((2, 3)), [1.0, 2.0, 3.0])
