"""companion.maths.schedules: warm-up then linear decay; cosine decay."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from torch.optim.lr_scheduler import ConstantLR, LinearLR, SequentialLR

from companion.maths.schedules import cosine_decay, warmup_linear_decay
from companion.runtime import import_tensorflow

keras = import_tensorflow().keras


@given(st.integers(2, 500).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n - 1))))
def test_factor_rises_to_one_then_falls_to_zero(case):
    total, warmup = case
    factors = [warmup_linear_decay(s, total, warmup) for s in range(total + 1)]
    assert all(0.0 <= f <= 1.0 for f in factors)
    assert factors[warmup - 1] == 1.0
    assert factors[total] == 0.0
    assert factors[:warmup] == sorted(factors[:warmup])
    assert factors[warmup:] == sorted(factors[warmup:], reverse=True)


def _torch_factors(total: int, warmup: int, steps: int) -> list[float]:
    """Learning rates (peak 1) that torch's own schedulers give: LinearLR from 1/warmup up to 1
    over the warm-up steps, then LinearLR from 1 down to 0 at ``total``."""
    theta = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([theta], lr=1.0)
    if warmup > 1:
        rise = LinearLR(opt, start_factor=1 / warmup, end_factor=1.0, total_iters=warmup - 1)
    else:
        rise = ConstantLR(opt, factor=1.0, total_iters=0)
    fall = LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=total - warmup)
    schedule = SequentialLR(opt, [rise, fall], milestones=[warmup])
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        schedule.step()
    return lrs


@given(st.integers(2, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n - 1))))
@example((1600, 160))  # the run of the fine-tuning chapters
def test_factor_equals_torch_linear_warmup_then_linear_decay(case):
    total, warmup = case
    ours = [warmup_linear_decay(s, total, warmup) for s in range(total + 3)]
    np.testing.assert_allclose(ours, _torch_factors(total, warmup, total + 3), atol=1e-12)


@pytest.mark.parametrize(
    ("step", "total", "warmup", "match"),
    [
        (0, 10, 0, r"warmup_steps must lie in \[1, total_steps\) \(got warmup_steps=0"),
        (0, 10, 10, r"got warmup_steps=10, total_steps=10"),
        (-1, 10, 2, r"step must be >= 0 \(got step=-1\)"),
    ],
)
def test_bad_input_names_the_argument(step, total, warmup, match):
    with pytest.raises(ValueError, match=match):
        warmup_linear_decay(step, total, warmup)


@given(st.integers(1, 1000))
def test_cosine_factor_falls_from_one_to_zero_and_stays(total):
    factors = [cosine_decay(s, total) for s in range(total + 3)]
    assert factors[0] == 1.0
    assert factors == sorted(factors, reverse=True)
    assert all(abs(f) < 1e-15 for f in factors[total:])


@pytest.mark.parametrize("total", [1, 7, 1100])
def test_cosine_factor_equals_keras_cosine_decay(total):
    steps = np.arange(2 * total + 3)
    keras_factor = keras.optimizers.schedules.CosineDecay(1.0, decay_steps=total)(steps)
    ours = [cosine_decay(int(s), total) for s in steps]
    np.testing.assert_allclose(ours, np.asarray(keras_factor), atol=1e-6)  # Keras: float32


@pytest.mark.parametrize(
    ("step", "total", "match"),
    [(0, 0, r"total_steps must be >= 1 \(got total_steps=0\)"), (-2, 5, r"got step=-2")],
)
def test_cosine_bad_input_names_the_argument(step, total, match):
    with pytest.raises(ValueError, match=match):
        cosine_decay(step, total)
