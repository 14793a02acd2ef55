"""companion.runtime: seeds, devices, lazy imports and clear errors."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import numpy as np
import pytest

import companion
from companion.runtime import Runtime, select_device, setup, threads, versions


def test_setup_seeds_python_and_numpy_reproducibly():
    setup(seed=123, style=False)
    first = (random.random(), np.random.rand())
    setup(seed=123, style=False)
    assert (random.random(), np.random.rand()) == first


def test_setup_returns_what_it_chose():
    rt = setup(seed=7, device="cpu", style=False)
    assert isinstance(rt, Runtime)
    assert (rt.seed, rt.device, rt.deterministic) == (7, "cpu", True)


def test_runtime_rng_is_seeded_and_offsets_differ():
    rt = Runtime(seed=3, device="cpu", frameworks=(), deterministic=True)
    assert rt.rng().random() == rt.rng().random()
    assert rt.rng(1).random() != rt.rng().random()


def test_describe_names_device_and_versions():
    text = Runtime(seed=0, device="cpu", frameworks=(), deterministic=True).describe()
    assert "device: cpu" in text and "numpy: " in text


def test_describe_reports_the_cores_this_process_may_use():
    text = Runtime(seed=0, device="cpu", frameworks=(), deterministic=True).describe()
    assert f"cpu cores: {threads()['cpu cores']}" in text


def test_threads_counts_the_cores_of_the_affinity_mask():
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert threads()["cpu cores"] == expected


def test_threads_reports_what_torch_is_set_to():
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert threads()["torch intra-op threads"] == 1
        assert threads()["torch inter-op threads"] == torch.get_num_interop_threads()
    finally:
        torch.set_num_threads(before)
    assert threads()["torch intra-op threads"] == before


def test_threads_names_only_imported_frameworks():
    out = _fresh_python("from companion.runtime import threads; print(sorted(threads()))")
    assert out == "['cpu cores']"
    out = _fresh_python(
        "import companion; companion.setup(seed=0, frameworks=('tensorflow',), style=False); "
        "from companion.runtime import threads; import tensorflow as tf; "
        "tf.config.threading.set_intra_op_parallelism_threads(1); "
        "print(threads()['tensorflow intra-op threads'])"
    )
    assert out == "1"


def test_versions_reports_python_and_numpy():
    found = versions()
    assert found["numpy"] == np.__version__
    assert found["python"].count(".") == 2


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_setup_rejects_out_of_range_seed(seed):
    with pytest.raises(ValueError, match=r"seed must be in \[0, 2\*\*32 - 1\]"):
        setup(seed=seed, style=False)


@pytest.mark.parametrize("seed", [1.5, "0", None, True])
def test_setup_rejects_non_int_seed(seed):
    with pytest.raises(TypeError, match="seed must be an int"):
        setup(seed=seed, style=False)


def test_setup_rejects_unknown_framework_with_suggestion():
    with pytest.raises(ValueError, match="unknown framework 'tf'.*did you mean 'tensorflow'"):
        setup(frameworks=("tf",), style=False)
    with pytest.raises(ValueError, match="unknown framework 'jax'"):
        setup(frameworks=("jax",), style=False)


def test_setup_rejects_non_string_framework():
    with pytest.raises(TypeError, match="frameworks must hold strings"):
        setup(frameworks=(1,), style=False)


@pytest.mark.parametrize("device", ["gpu", "cuda:x", "CUDA", "", 0])
def test_unknown_device_names_are_rejected(device):
    with pytest.raises(ValueError, match="unknown device"):
        select_device(device)


def test_unavailable_device_is_an_error_naming_what_is_available():
    with pytest.raises(ValueError, match="device='mps' is not available here"):
        select_device("mps", frameworks=())


def test_auto_without_frameworks_is_cpu(monkeypatch):
    monkeypatch.delenv("COMPANION_DEVICE", raising=False)
    assert select_device("auto", frameworks=()) in {"cpu", "cuda", "mps"}


def test_companion_device_variable_overrides_auto(monkeypatch):
    monkeypatch.setenv("COMPANION_DEVICE", "cpu")
    assert select_device("auto", frameworks=()) == "cpu"
    monkeypatch.setenv("COMPANION_DEVICE", "tpu")
    with pytest.raises(ValueError, match="unknown COMPANION_DEVICE 'tpu'"):
        select_device("auto", frameworks=())


def _fresh_python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_import_and_numpy_setup_do_not_import_frameworks():
    out = _fresh_python(
        "import sys, companion; companion.setup(seed=0); "
        "print(sorted(m for m in ('torch', 'tensorflow', 'transformers') if m in sys.modules))"
    )
    assert out == "[]"


def test_import_changes_no_environment():
    out = _fresh_python(
        "import os; before = dict(os.environ); import companion; print(before == dict(os.environ))"
    )
    assert out == "True"


def test_setup_makes_torch_deterministic():
    torch = pytest.importorskip("torch")
    setup(seed=5, frameworks=("torch",), style=False)
    a = torch.rand(3)
    setup(seed=5, frameworks=("torch",), style=False)
    assert torch.equal(a, torch.rand(3))
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.backends.cudnn.benchmark is False


def test_setup_seeds_tensorflow_and_keeps_stderr_quiet():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import companion; companion.setup(seed=4, frameworks=('tensorflow',), style=False);"
            "import tensorflow as tf; a = tf.random.uniform((3,)).numpy();"
            "companion.setup(seed=4, frameworks=('tensorflow',), style=False);"
            "print((a == tf.random.uniform((3,)).numpy()).all())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"
    assert out.stderr == ""


def test_setup_applies_house_style():
    import matplotlib

    matplotlib.rcParams["axes.grid"] = False
    companion.setup(seed=0)
    assert matplotlib.rcParams["axes.grid"] is True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc_trim")
def test_release_memory_returns_freed_heap_to_the_system():
    from companion.runtime import release_memory, resident_mb

    before = resident_mb()
    blocks = [np.ones(1000) for _ in range(50_000)]  # about 400 MB in small blocks
    grown = resident_mb()
    del blocks
    release_memory()
    assert grown - before > 300
    assert resident_mb() - before < 100, (before, grown, resident_mb())
