"""companion.deploy: ONNX Runtime sessions, dynamic int8 quantisation, sizes and timings."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from companion import deploy  # noqa: E402
from companion.maths.quantisation import quantise_symmetric  # noqa: E402


@pytest.fixture
def tiny(tmp_path):
    """A MatMul model with a random 64x32 weight (large enough to be worth quantising)."""
    onnx = pytest.importorskip("onnx")
    helper = onnx.helper
    w = np.random.default_rng(0).normal(size=(64, 32)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "matmul",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["batch", 64])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["batch", 32])],
        initializer=[onnx.numpy_helper.from_array(w, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = tmp_path / "fp32.onnx"
    onnx.save(model, str(path))
    return path, w


def test_session_runs_the_model_and_int8_stays_close(tiny, tmp_path):
    path, w = tiny
    x = np.random.default_rng(1).normal(size=(5, 64)).astype(np.float32)
    y = deploy.run_onnx(deploy.onnx_session(path, threads=1), {"x": x})
    np.testing.assert_allclose(y, x @ w, rtol=1e-5, atol=1e-4)
    q = deploy.quantise_onnx_dynamic(path, tmp_path / "int8.onnx")
    y8 = deploy.run_onnx(deploy.onnx_session(q, threads=1), {"x": x})
    assert np.abs(y8 - x @ w).max() < 0.05 * np.abs(x @ w).max()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fp32.onnx", "int8.onnx"]  # no leftovers


def test_stored_int8_weights_are_round_to_nearest_with_max_abs_scale(tiny, tmp_path):
    path, w = tiny
    stored = deploy.onnx_initializers(deploy.quantise_onnx_dynamic(path, tmp_path / "int8.onnx"))
    q, scale = quantise_symmetric(w)
    assert stored["w_quantized"].dtype == np.int8 and int(stored["w_zero_point"]) == 0
    assert float(stored["w_scale"]) == pytest.approx(float(scale), rel=1e-6)
    assert np.abs(stored["w_quantized"].astype(int) - q).max() <= 1
    assert np.mean(stored["w_quantized"] != q) < 0.01


def test_per_channel_stores_one_scale_per_output_column(tiny, tmp_path):
    path, _ = tiny
    target = tmp_path / "int8pc.onnx"
    stored = deploy.onnx_initializers(deploy.quantise_onnx_dynamic(path, target, per_channel=True))
    assert stored["w_scale"].shape == (32,)


def test_quantise_rejects_bad_paths(tiny, tmp_path):
    path, _ = tiny
    with pytest.raises(FileNotFoundError, match="no such ONNX file"):
        deploy.quantise_onnx_dynamic(tmp_path / "missing.onnx", tmp_path / "q.onnx")
    with pytest.raises(ValueError, match="target must end in .onnx"):
        deploy.quantise_onnx_dynamic(path, tmp_path / "q.bin")
    with pytest.raises(ValueError, match="target must differ from source"):
        deploy.quantise_onnx_dynamic(path, path)
    with pytest.raises(FileNotFoundError, match="the folder of target does not exist"):
        deploy.quantise_onnx_dynamic(path, tmp_path / "no" / "q.onnx")


def test_session_and_run_reject_bad_input(tiny, tmp_path):
    path, _ = tiny
    with pytest.raises(FileNotFoundError, match="no such ONNX file"):
        deploy.onnx_session(tmp_path / "missing.onnx")
    with pytest.raises(ValueError, match="threads must be a positive int or None"):
        deploy.onnx_session(path, threads=0)
    session = deploy.onnx_session(path, threads=1)
    with pytest.raises(ValueError, match=r"inputs must be named \['x'\]"):
        deploy.run_onnx(session, {"input": np.zeros((1, 64), dtype=np.float32)})


def test_file_size_and_initializers_reject_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        deploy.file_size_mb(tmp_path / "none.onnx")
    with pytest.raises(FileNotFoundError, match="no such ONNX file"):
        deploy.onnx_initializers(tmp_path / "none.onnx")


def test_median_seconds_times_after_warmup_and_rejects_bad_counts():
    calls = []
    assert deploy.median_seconds(lambda: calls.append(1), repeats=3, warmup=2) >= 0
    assert len(calls) == 5
    with pytest.raises(ValueError, match="repeats must be an int of at least 1"):
        deploy.median_seconds(lambda: None, repeats=0)
    with pytest.raises(ValueError, match="warmup must be an int of at least 0"):
        deploy.median_seconds(lambda: None, warmup=-1)


def test_missing_optional_dependency_names_the_install_command():
    hint = r'pip install "llmbook-companion\[deploy\]( @ git\+\S+)?"'
    with pytest.raises(ImportError, match=hint):
        deploy.require("companion_no_such_runtime")
