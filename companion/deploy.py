"""Running and shrinking an exported ONNX model with ONNX Runtime; file sizes and latencies.

Explained in chapter "Deployment: export and quantisation" (book/04_practice/deployment).
The export itself is framework code: :func:`companion.torch.export.export_onnx`.

- :func:`onnx_session` and :func:`run_onnx`: an ONNX Runtime session on the CPU and its outputs.
- :func:`quantise_onnx_dynamic`: dynamic int8 quantisation with ``onnxruntime.quantization``
  (weights stored as 8-bit integers with a scale, activations quantised on the fly).
- :func:`onnx_initializers`: the stored tensors of a model file, to inspect quantised weights.
- :func:`file_size_mb` and :func:`median_seconds`: what is measured.

``onnx`` and ``onnxruntime`` are optional: they are imported when a function needs them, and a
missing one raises an ``ImportError`` that says ``pip install "llmbook-companion[deploy]"``.
"""

from __future__ import annotations

import importlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from companion.install import install_hint

__all__ = [
    "file_size_mb",
    "median_seconds",
    "onnx_initializers",
    "onnx_session",
    "quantise_onnx_dynamic",
    "require",
    "run_onnx",
]

INSTALL_HINT = install_hint("deploy")


def require(module: str) -> Any:
    """Import an optional dependency of the deployment chapter, or say how to install it.

    Parameters
    ----------
    module : str
        Module name, e.g. ``"onnxruntime"``.

    Returns
    -------
    module

    Raises
    ------
    ImportError
        If the module is not installed; the message names the module and the install command.

    Examples
    --------
    >>> require("onnx").__name__
    'onnx'
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        raise ImportError(
            f"{module} is needed for ONNX export and inference: run `{INSTALL_HINT}`"
        ) from error


def file_size_mb(path: str | os.PathLike) -> float:
    """Size of a file in megabytes (10**6 bytes).

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     file = pathlib.Path(folder) / "w.bin"
    ...     _ = file.write_bytes(bytes(2_500_000))
    ...     file_size_mb(file)
    2.5
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path.name!r}")
    return path.stat().st_size / 1e6


def median_seconds(fn: Callable[[], object], *, repeats: int = 10, warmup: int = 1) -> float:
    """Median wall-clock time of ``fn()`` over ``repeats`` calls, after ``warmup`` calls.

    The first calls of a session allocate memory and pick kernels, so they are run but not
    timed; the median is not moved by the odd slow call when other processes share the CPU.

    Parameters
    ----------
    fn : callable
        Called with no arguments; for a GPU, it must wait for its own work to finish.
    repeats : int
        Timed calls, at least 1.
    warmup : int
        Untimed calls first, at least 0.

    Returns
    -------
    float
        Seconds per call.

    Raises
    ------
    ValueError
        If ``repeats`` < 1 or ``warmup`` < 0.

    Examples
    --------
    >>> median_seconds(lambda: sum(range(1000)), repeats=5) < 1.0
    True
    """
    for name, value, low in (("repeats", repeats, 1), ("warmup", warmup, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an int of at least {low} (got {name}={value!r})")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def onnx_session(path: str | os.PathLike, *, threads: int | None = None) -> Any:
    """An ONNX Runtime inference session on the CPU, with all graph optimisations on.

    Parameters
    ----------
    path : path-like
        An ``.onnx`` file.
    threads : int or None
        Threads for one operator (``intra_op_num_threads``); ``None`` lets ONNX Runtime choose
        (one per physical core). Give the same number as ``torch.get_num_threads()`` to
        compare with PyTorch fairly.

    Returns
    -------
    onnxruntime.InferenceSession

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a file.
    ValueError
        If ``threads`` is not a positive int or None.
    ImportError
        If onnxruntime is not installed.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     session = onnx_session(_tiny_model(folder), threads=1)
    >>> [i.name for i in session.get_inputs()]
    ['x']
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such ONNX file: {path.name!r}")
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, int) or threads < 1
    ):
        raise ValueError(f"threads must be a positive int or None (got threads={threads!r})")
    ort = require("onnxruntime")
    options = ort.SessionOptions()
    options.log_severity_level = 3  # errors only: no notes about providers on stderr
    # threads sleep between calls instead of spinning, so they take no CPU from other work
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # no memory arena: what a run frees goes back to the allocator instead of being kept for
    # the next run, at a small cost in speed (a Binder kernel has 2 GB in all)
    options.enable_cpu_mem_arena = False
    if threads is not None:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run_onnx(session: Any, inputs: Mapping[str, ArrayLike]) -> np.ndarray:
    """The first output of a session for named inputs, e.g. logits for token ids and a mask.

    Parameters
    ----------
    session : onnxruntime.InferenceSession
    inputs : mapping of str to array_like
        One array per input of the model, by name; integer arrays are passed as int64 (the
        type the exporter gives token ids and masks), others unchanged.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If the names differ from the model's inputs.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     session = onnx_session(_tiny_model(folder), threads=1)
    >>> run_onnx(session, {"x": np.ones((2, 3), dtype=np.float32)}).tolist()
    [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    """
    expected = sorted(i.name for i in session.get_inputs())
    if sorted(inputs) != expected:
        raise ValueError(f"inputs must be named {expected} (got {sorted(inputs)})")
    feed = {}
    for name, value in inputs.items():
        array = np.asarray(value.cpu() if hasattr(value, "cpu") else value)
        feed[name] = array.astype(np.int64) if np.issubdtype(array.dtype, np.integer) else array
    return session.run(None, feed)[0]


def quantise_onnx_dynamic(
    source: str | os.PathLike, target: str | os.PathLike, *, per_channel: bool = False
) -> Path:
    """Dynamic int8 quantisation of an ONNX model with ONNX Runtime, written atomically.

    ONNX Runtime's recommended pre-processing (graph optimisation and shape inference) runs
    first; its symbolic shape inference is skipped, because it cannot follow the clipped
    position range of a BERT encoder with dynamic sequence length. Then every ``MatMul``
    weight becomes signed 8-bit integers with one scale per tensor (symmetric, zero point 0;
    one scale per output column with ``per_channel``), every embedding table ``Gather``
    unsigned 8-bit integers with a scale and a zero point; at run time each ``MatMul`` input is
    quantised to unsigned 8 bits from its own range (``DynamicQuantizeLinear``) and multiplied
    in integers (``MatMulInteger``).

    Parameters
    ----------
    source : path-like
        The fp32 ``.onnx`` file.
    target : path-like
        Where to write the int8 model (``.onnx``); written to a temporary file beside it and
        renamed, so an interrupted run leaves no half-written model.
    per_channel : bool
        One scale per output channel instead of one per tensor.

    Returns
    -------
    pathlib.Path
        ``target``.

    Raises
    ------
    FileNotFoundError
        If ``source`` is not a file or the folder of ``target`` does not exist.
    ValueError
        If ``target`` does not end in ``.onnx`` or is the same file as ``source``.
    ImportError
        If onnx or onnxruntime is not installed.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     q = quantise_onnx_dynamic(_tiny_model(folder), Path(folder) / "int8.onnx")
    ...     sorted(onnx_initializers(q))
    ['one', 'w_quantized', 'w_scale', 'w_zero_point']
    """
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise FileNotFoundError(f"no such ONNX file: {source.name!r}")
    if target.suffix != ".onnx":
        raise ValueError(f"target must end in .onnx (got {target.name!r})")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"the folder of target does not exist (target={target.name!r})")
    if target.resolve() == source.resolve():
        raise ValueError("target must differ from source (the fp32 model is still needed)")
    require("onnx")
    quantization = require("onnxruntime.quantization")
    shape_inference = require("onnxruntime.quantization.shape_inference")
    with _temporary_files(target.parent, 2) as (prepared, partial):
        shape_inference.quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
        quantization.quantize_dynamic(
            str(prepared),
            str(partial),
            weight_type=quantization.QuantType.QInt8,
            per_channel=per_channel,
        )
        os.replace(partial, target)
    return target


def onnx_initializers(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The tensors stored in an ONNX file (weights, scales, zero points), by name.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a file.
    ImportError
        If onnx is not installed.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     weights = onnx_initializers(_tiny_model(folder))
    >>> weights["w"].tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such ONNX file: {path.name!r}")
    onnx = require("onnx")
    model = onnx.load(str(path))
    return {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}


@contextmanager
def _temporary_files(folder: Path, n: int) -> Iterator[list[Path]]:
    """``n`` fresh file names in ``folder``, removed afterwards if still there."""
    paths = []
    try:
        for _ in range(n):
            handle, name = tempfile.mkstemp(dir=folder, suffix=".onnx.partial")
            os.close(handle)
            paths.append(Path(name))
        yield paths
    finally:
        for path in paths:
            path.unlink(missing_ok=True)


def _tiny_model(folder: str | os.PathLike) -> Path:
    """A one-node ONNX model ``y = x @ w + 1`` with ``w`` the 3x3 identity, for the examples."""
    onnx = require("onnx")
    helper = onnx.helper
    w = onnx.numpy_helper.from_array(np.eye(3, dtype=np.float32), "w")
    one = onnx.numpy_helper.from_array(np.ones(3, dtype=np.float32), "one")
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "w"], ["xw"]),
            helper.make_node("Add", ["xw", "one"], ["y"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["batch", 3])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, ["batch", 3])],
        initializer=[w, one],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = Path(folder) / "tiny.onnx"
    onnx.save(model, str(path))
    return path
