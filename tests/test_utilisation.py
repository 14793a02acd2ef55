"""companion.maths.utilisation: MFU arithmetic and peaks looked up in the accelerator table."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from companion.data.accelerators import peak_bf16_flop_per_s
from companion.data.training_runs import H100_SXM, LLAMA31_405B
from companion.maths.training_cost import implied_utilisation
from companion.maths.utilisation import flop_utilisation, model_flops_utilisation

positive = st.floats(min_value=1e-3, max_value=1e15, allow_nan=False, allow_infinity=False)


def test_mfu_equals_the_flop_a_real_training_step_does_over_peak():
    # a bias-free MLP: every parameter multiplies activations, as N does in 6 N
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 9, bias=False), nn.Linear(9, 4, bias=False))
    tokens = 5
    x = torch.randn(tokens, 6, requires_grad=True)  # a layer below would need dL/dx
    with FlopCounterMode(display=False) as counter:
        model(x).sum().backward()
    flop_per_token = counter.get_total_flops() / tokens
    n = sum(p.numel() for p in model.parameters())
    for tokens_per_s in (1.0, 5e4, 3.3e6):
        measured = flop_utilisation(flop_per_token * tokens_per_s, 989e12)
        assert float(model_flops_utilisation(n, tokens_per_s, 989e12)) == pytest.approx(
            float(measured), rel=1e-12
        )


def test_mfu_of_llama_31_matches_its_implied_utilisation():
    # tokens per second per GPU, from the reported GPU-hours
    tokens_per_s = LLAMA31_405B.tokens / (LLAMA31_405B.gpu_hours * 3600)
    mfu = model_flops_utilisation(LLAMA31_405B.parameters, tokens_per_s, H100_SXM.peak_flop_per_s)
    # the reported compute (3.8e25) is close to, not equal to, 6 N D (3.79e25)
    assert float(mfu) == pytest.approx(implied_utilisation(LLAMA31_405B, H100_SXM), rel=0.01)


@given(n=positive, tokens=positive, peak=positive, factor=st.floats(0.0, 1e3))
def test_mfu_scales_linearly_with_throughput(n, tokens, peak, factor):
    base = model_flops_utilisation(n, tokens, peak)
    assert model_flops_utilisation(n, factor * tokens, peak) == pytest.approx(factor * base)


@given(flops=st.lists(positive, min_size=1, max_size=5), peak=positive)
def test_utilisation_keeps_shape_and_is_nonnegative(flops, peak):
    result = flop_utilisation(flops, peak)
    assert result.shape == (len(flops),) and np.all(result >= 0)


@pytest.mark.parametrize(
    ("name", "tflops"),
    [
        ("NVIDIA H100 80GB HBM3", 989),
        ("NVIDIA H200", 989),
        ("NVIDIA A100-SXM4-40GB", 312),
        ("NVIDIA A100-SXM4-80GB", 312),
    ],
)
def test_peaks_of_known_devices_come_from_the_table(name, tflops):
    assert peak_bf16_flop_per_s(name) == tflops * 1e12


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("Intel(R) Xeon(R) Processor", "no published dense BF16 peak"),
        ("NVIDIA H100 PCIe", "no published dense BF16 peak"),
        ("NVIDIA H200 NVL", "no published dense BF16 peak"),
        ("NVIDIA GeForce RTX 4090", "no published dense BF16 peak"),
        ("Tesla V100-SXM2-16GB", "has no dense BF16 peak"),
    ],
)
def test_unknown_devices_raise(name, match):
    with pytest.raises(ValueError, match=match):
        peak_bf16_flop_per_s(name)


def test_device_name_must_be_a_string():
    with pytest.raises(TypeError, match="device_name must be a string"):
        peak_bf16_flop_per_s(None)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((0, 1.0, 1e12), ValueError, "n_params must be positive"),
        ((1e9, -1.0, 1e12), ValueError, "tokens_per_s must be finite and non-negative"),
        ((1e9, float("nan"), 1e12), ValueError, "tokens_per_s must be finite"),
        ((1e9, 1.0, 0.0), ValueError, "peak_flop_per_s must be positive"),
        ((1e9, 1.0, float("inf")), ValueError, "peak_flop_per_s must be positive and finite"),
        (("1e9", 1.0, 1e12), TypeError, "n_params must be a number"),
        ((True, 1.0, 1e12), TypeError, "n_params must be a number"),
    ],
)
def test_bad_input_is_named(args, error, match):
    with pytest.raises(error, match=match):
        model_flops_utilisation(*args)


def test_negative_flops_are_rejected():
    with pytest.raises(ValueError, match="flop_per_s must be finite and non-negative"):
        flop_utilisation([1.0, -1.0], 1e12)
