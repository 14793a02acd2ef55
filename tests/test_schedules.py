"""companion.maths.schedules: warm-up then linear decay; cosine decay."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.maths.schedules import cosine_decay, warmup_linear_decay


@given(st.integers(2, 500).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n - 1))))
def test_factor_rises_to_one_then_falls_to_zero(case):
    total, warmup = case
    factors = [warmup_linear_decay(s, total, warmup) for s in range(total + 1)]
    assert all(0.0 <= f <= 1.0 for f in factors)
    assert factors[warmup - 1] == 1.0
    assert factors[total] == 0.0
    assert factors[:warmup] == sorted(factors[:warmup])
    assert factors[warmup:] == sorted(factors[warmup:], reverse=True)


def test_factor_matches_the_formula_of_the_chapters():
    total, warmup = 1600, 160
    for s in (0, 159, 160, 800, 1599):
        expected = min((s + 1) / warmup, max(0.0, (total - s) / (total - warmup)))
        assert warmup_linear_decay(s, total, warmup) == expected


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


def test_cosine_factor_matches_the_formula_of_the_chapters():
    total = 1100
    for s in (0, 1, 550, 1099, 1100, 1200):
        assert cosine_decay(s, total) == 0.5 * (1 + math.cos(math.pi * min(s, total) / total))


@pytest.mark.parametrize(
    ("step", "total", "match"),
    [(0, 0, r"total_steps must be >= 1 \(got total_steps=0\)"), (-2, 5, r"got step=-2")],
)
def test_cosine_bad_input_names_the_argument(step, total, match):
    with pytest.raises(ValueError, match=match):
        cosine_decay(step, total)
