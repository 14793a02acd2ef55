"""companion.torch.export: one-file ONNX export with dynamic batch and sequence axes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
pytest.importorskip("onnxscript")
pytest.importorskip("onnxruntime")

from companion.deploy import onnx_session, run_onnx  # noqa: E402
from companion.torch.export import export_onnx  # noqa: E402


class TinyClassifier(torch.nn.Module):
    """Embedding, mean over the real tokens, linear head: the shape of the book's classifier."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = torch.nn.Embedding(50, 8)
        self.head = torch.nn.Linear(8, 3)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        mask = attention_mask.unsqueeze(-1).float()  # (B, T, 1)
        pooled = (self.embed(input_ids) * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self.head(pooled)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    torch.manual_seed(0)
    model = TinyClassifier().eval()
    example = {
        "input_ids": torch.randint(0, 50, (3, 7)),
        "attention_mask": torch.ones(3, 7, dtype=torch.long),
    }
    folder = tmp_path_factory.mktemp("export")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the exporter's known messages are filtered, no others
        path = export_onnx(model, example, folder / "tiny.onnx")
    return model, path, folder


@pytest.mark.parametrize(("batch", "length"), [(1, 1), (2, 7), (5, 20)])
def test_onnx_logits_equal_pytorch_for_any_batch_and_length(exported, batch, length):
    model, path, _ = exported
    generator = torch.Generator().manual_seed(batch * 100 + length)
    ids = torch.randint(0, 50, (batch, length), generator=generator)
    mask = torch.ones(batch, length, dtype=torch.long)
    mask[0, length // 2 + 1 :] = 0  # padding in the first sentence
    with torch.no_grad():
        expected = model(ids, mask).numpy()
    actual = run_onnx(onnx_session(path, threads=1), {"input_ids": ids, "attention_mask": mask})
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


def test_axes_are_named_and_no_partial_file_is_left(exported):
    onnx = pytest.importorskip("onnx")
    _, path, folder = exported
    graph = onnx.load(str(path)).graph
    dims = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]
            for i in list(graph.input) + list(graph.output)}  # fmt: skip
    assert dims == {
        "input_ids": ["batch", "sequence"],
        "attention_mask": ["batch", "sequence"],
        "logits": ["batch", 3],
    }
    assert [p.name for p in folder.iterdir()] == ["tiny.onnx"]


def test_export_rejects_bad_arguments(tmp_path):
    model = TinyClassifier().eval()
    ids = torch.zeros(2, 4, dtype=torch.long)
    good = {"input_ids": ids, "attention_mask": ids}
    with pytest.raises(ValueError, match="model must be in evaluation mode"):
        export_onnx(TinyClassifier().train(), good, tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="example_inputs must be a non-empty mapping"):
        export_onnx(model, {}, tmp_path / "m.onnx")
    with pytest.raises(ValueError, match=r"example_inputs\['attention_mask'\] must be a torch"):
        export_onnx(model, {"input_ids": ids, "attention_mask": [[1]]}, tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="dynamic axis 2 is not an axis of every input"):
        export_onnx(model, good, tmp_path / "m.onnx", dynamic_axes={2: "x"})
    with pytest.raises(ValueError, match="path must end in .onnx"):
        export_onnx(model, good, tmp_path / "m.pt")
    with pytest.raises(FileNotFoundError, match="the folder of path does not exist"):
        export_onnx(model, good, tmp_path / "missing" / "m.onnx")
    assert list(tmp_path.iterdir()) == []
