"""Exporting a PyTorch model to one ONNX file with dynamic batch and sequence axes.

Explained in chapter "Deployment: export and quantisation" (book/04_practice/deployment).
Running and quantising the exported file: :mod:`companion.deploy`.

PyTorch's exporter (``torch.onnx.export(..., dynamo=True)``, the default since PyTorch 2.9)
captures the model with ``torch.export`` for the example inputs and translates the captured
graph into ONNX operators; axes declared dynamic stay symbolic, so the file accepts any batch
size and sentence length. It needs the ``onnx`` and ``onnxscript`` packages.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import torch

from companion.deploy import require

__all__ = ["export_onnx"]

# Messages of the exporter that say nothing about the exported model, filtered by their text
# (anything else still reaches the reader):
_KNOWN_MESSAGES = (
    # torch's own pytree code calls an API that torch itself deprecated (FutureWarning)
    r"`isinstance\(treespec, LeafSpec\)` is deprecated",
    # emitted whenever two inputs share a named axis; the names are kept all the same
    r"# The axis name: .* will not be used, since it shares the same shape constraints",
)
# logs one line per torchvision operator it cannot register when torchvision is not installed
_REGISTRATION_LOGGER = "torch.onnx._internal.exporter._registration"


def export_onnx(
    model: torch.nn.Module,
    example_inputs: Mapping[str, torch.Tensor],
    path: str | os.PathLike,
    *,
    dynamic_axes: Mapping[int, str] | None = None,
    output_name: str = "logits",
) -> Path:
    """Export a model in evaluation mode to an ONNX file, atomically.

    Parameters
    ----------
    model : torch.nn.Module
        Called as ``model(**example_inputs)`` (keyword arguments, in the mapping's order) and
        returning one tensor; must be in evaluation mode (``model.eval()``), so that dropout is
        off in the exported graph.
    example_inputs : mapping of str to torch.Tensor
        One example tensor per argument, e.g. ``{"input_ids": (B, T), "attention_mask": (B, T)}``;
        the names become the ONNX input names. Use a batch of at least 2 and several
        lengths' worth of tokens, so that no dynamic axis is 1 in the example.
    path : path-like
        The ``.onnx`` file to write (weights included, in one file). The model is written to a
        temporary file in the same folder and renamed when complete.
    dynamic_axes : mapping of int to str, optional
        Axes that stay symbolic in every input, with their names; default
        ``{0: "batch", 1: "sequence"}``. Every other axis is fixed to its example size.
    output_name : str
        Name of the output in the ONNX graph.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If the model is in training mode, ``example_inputs`` is empty or holds a non-tensor,
        an axis of ``dynamic_axes`` is not an axis of every input, or ``path`` does not end in
        ``.onnx``.
    FileNotFoundError
        If the folder of ``path`` does not exist.
    ImportError
        If onnx or onnxscript is not installed.

    Examples
    --------
    >>> import tempfile
    >>> from companion.deploy import onnx_session, run_onnx
    >>> model = torch.nn.Linear(4, 2).eval()
    >>> x = torch.randn(3, 5, 4)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = export_onnx(model, {"input": x}, Path(folder) / "linear.onnx")
    ...     session = onnx_session(path, threads=1)
    >>> y = run_onnx(session, {"input": torch.randn(7, 9, 4).numpy()})
    >>> y.shape
    (7, 9, 2)
    """
    if model.training:
        raise ValueError("model must be in evaluation mode: call model.eval() before exporting")
    if not isinstance(example_inputs, Mapping) or not example_inputs:
        raise ValueError("example_inputs must be a non-empty mapping of input names to tensors")
    for name, value in example_inputs.items():
        if not isinstance(value, torch.Tensor):
            raise ValueError(
                f"example_inputs[{name!r}] must be a torch.Tensor (got {type(value).__name__})"
            )
    axes = {0: "batch", 1: "sequence"} if dynamic_axes is None else dict(dynamic_axes)
    for axis in axes:
        bad = [n for n, v in example_inputs.items() if not 0 <= axis < v.ndim]
        if bad:
            raise ValueError(f"dynamic axis {axis} is not an axis of every input (not of {bad})")
    path = Path(path)
    if path.suffix != ".onnx":
        raise ValueError(f"path must end in .onnx (got {path.name!r})")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the folder of path does not exist (path={path.name!r})")
    require("onnx")
    require("onnxscript")
    dims = {name: torch.export.Dim(name) for name in axes.values()}
    dynamic_shapes = {n: {a: dims[axes[a]] for a in axes} for n in example_inputs}
    handle, partial = tempfile.mkstemp(dir=path.parent, suffix=".onnx.partial")
    os.close(handle)
    try:
        with _known_messages_filtered():
            torch.onnx.export(
                model,
                (),
                partial,
                kwargs=dict(example_inputs),
                input_names=list(example_inputs),
                output_names=[output_name],
                dynamic_shapes=dynamic_shapes,
                dynamo=True,
                external_data=False,  # weights inside the one file (fine below 2 GB)
                verbose=False,
            )
        os.replace(partial, path)
    finally:
        Path(partial).unlink(missing_ok=True)
    return path


@contextmanager
def _known_messages_filtered() -> Iterator[None]:
    logger = logging.getLogger(_REGISTRATION_LOGGER)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            for message in _KNOWN_MESSAGES:
                warnings.filterwarnings("ignore", message=message)
            yield
    finally:
        logger.setLevel(level)
