"""The torch/TF twin contract (CONTRIBUTING.md, "The companion").

``companion.torch.X`` and ``companion.tf.X`` are the same teaching code in two frameworks:
every name the TF twin exports, the torch twin exports too, with the same parameters in the
same order (Keras layers may add ``**kwargs`` for Keras' own options). What only one framework
has is listed here with the reason, so that a new one-sided name is a decision, not a drift.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

pytest.importorskip("torch")  # the optional extras; the project's own modules must import
pytest.importorskip("tensorflow")
import companion.tf as tf_pkg  # noqa: E402
import companion.torch as torch_pkg  # noqa: E402

#: Modules with no TF twin: they wrap Hugging Face models, ONNX export or CUDA timing.
TORCH_ONLY_MODULES = {
    "encoders": "Hugging Face MiniLM encoder (PyTorch weights)",
    "export": "ONNX export goes through torch.onnx",
    "finetune": "fine-tunes the PyTorch MiniLM encoder",
    "lora": "peft wraps PyTorch modules",
    "throughput": "torch.compile and CUDA-event timing",
}
#: Names of shared modules that only the torch twin has: the chapter trains in PyTorch and
#: checks one piece (a block, a loss) against Keras.
TORCH_ONLY_NAMES = {
    "gpt": {"GPT", "generate"},
    "pretraining": {"MaskedLMCollator"},
    "recsys": {"BPRConfig", "MatrixFactorization", "fit_bpr"},
}


def _modules(package) -> set[str]:
    return {m.name for m in pkgutil.iter_modules(package.__path__)}


def test_every_torch_module_has_a_tf_twin_or_a_reason():
    missing = _modules(torch_pkg) - _modules(tf_pkg) - set(TORCH_ONLY_MODULES)
    assert not missing, f"companion.tf lacks {sorted(missing)}: add the twin or a reason"
    assert not _modules(tf_pkg) - _modules(torch_pkg), "a TF module without a torch twin"


SHARED = sorted(_modules(torch_pkg) & _modules(tf_pkg))


def test_the_shared_autodiff_helper_has_both_twins():
    # grad_of_sum is what the twins differentiate with: gone from both, no test above notices.
    assert "autodiff" in SHARED


@pytest.mark.parametrize("name", SHARED)
def test_twins_export_the_same_names_with_the_same_parameters(name):
    torch_mod = importlib.import_module(f"companion.torch.{name}")
    tf_mod = importlib.import_module(f"companion.tf.{name}")
    torch_names, tf_names = set(torch_mod.__all__), set(tf_mod.__all__)
    assert tf_names <= torch_names, f"only in companion.tf.{name}: {tf_names - torch_names}"
    assert torch_names - tf_names == TORCH_ONLY_NAMES.get(name, set()), (
        f"companion.torch.{name} exports {sorted(torch_names - tf_names)} that TF lacks: "
        "add the twin or list the name in TORCH_ONLY_NAMES with the reason"
    )
    for public in sorted(torch_names & tf_names):
        a, b = getattr(torch_mod, public), getattr(tf_mod, public)
        if not (callable(a) and callable(b)):
            continue
        params_a = [p for p in inspect.signature(a).parameters if p != "kwargs"]
        params_b = [p for p in inspect.signature(b).parameters if p != "kwargs"]
        assert params_a == params_b, f"{name}.{public}: torch {params_a} vs tf {params_b}"
