"""companion.maths.changepoint: the CUSUM against its recursion and its definition, the EWMA
against its recursion, alarms, run lengths and threshold calibration."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import bernoulli

from companion.maths.changepoint import (
    NO_ALARM,
    average_run_length,
    bernoulli_llr,
    calibrate_threshold,
    cusum,
    ewma,
    first_alarm,
)

steps = arrays(np.float64, st.integers(1, 60), elements=st.floats(-5, 5, allow_nan=False))
bits = arrays(np.int64, st.integers(1, 80), elements=st.integers(0, 1))
rates = st.floats(0.01, 0.99)


def cusum_by_recursion(increments):
    S, out = 0.0, []
    for step in increments:
        S = max(0.0, S + step)
        out.append(S)
    return np.array(out)


@given(steps)
def test_cusum_is_non_negative_and_equals_the_recursion(increments):
    S = cusum(increments)
    assert (S >= 0).all()
    np.testing.assert_allclose(S, cusum_by_recursion(increments), atol=1e-9)


@given(steps)
def test_cusum_is_the_largest_partial_sum_ending_now(increments):
    expected = [
        max(0.0, max(increments[k : t + 1].sum() for k in range(t + 1)))
        for t in range(len(increments))
    ]
    np.testing.assert_allclose(cusum(increments), expected, atol=1e-9)


def test_cusum_works_row_by_row():
    rows = np.random.default_rng(0).normal(size=(4, 30))
    np.testing.assert_allclose(cusum(rows), [cusum_by_recursion(r) for r in rows], atol=1e-12)


@given(bits, rates, rates)
def test_bernoulli_llr_sums_to_the_log_likelihood_ratio_of_the_stream(x, q0, q1):
    if abs(q0 - q1) < 1e-3:
        return
    direct = np.log(bernoulli.pmf(x, q1).prod() / bernoulli.pmf(x, q0).prod())
    np.testing.assert_allclose(bernoulli_llr(x, q0, q1).sum(), direct, rtol=1e-9, atol=1e-9)


@given(st.integers(1, 200), rates, rates, st.floats(0.01, 50))
def test_no_alarm_on_a_stream_of_good_items(n, q0, q1, h):
    low, high = sorted((q0, q1))
    if high - low < 1e-3:
        return
    S = cusum(bernoulli_llr(np.zeros(n, dtype=int), low, high))  # watching for more ones
    assert (S == 0).all()
    assert first_alarm(S, h) == NO_ALARM


@given(
    arrays(np.float64, (3, 40), elements=st.floats(0, 10, allow_nan=False)),
    st.floats(0, 10),
    st.floats(0, 10),
)
def test_alarm_comes_no_earlier_when_the_threshold_rises(S, h1, h2):
    low, high = sorted((h1, h2))
    never = S.shape[1]  # NO_ALARM counts as later than every index
    a_low, a_high = (
        np.where(a == NO_ALARM, never, a) for a in (first_alarm(S, low), first_alarm(S, high))
    )
    assert (a_low <= a_high).all()
    assert average_run_length(S, low) <= average_run_length(S, high)


def test_first_alarm_on_one_and_on_many_streams():
    assert first_alarm([0.0, 2.0, 1.0, 3.0], 2.0) == 1
    assert first_alarm([0.0, 1.0], 2.0) == NO_ALARM
    assert first_alarm([[0.0, 3.0], [0.0, 0.0]], 2.0).tolist() == [1, NO_ALARM]


def test_average_run_length_counts_silent_streams_at_full_length():
    S = np.array([[0.0, 0.0, 5.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    assert average_run_length(S, 1.0) == (3 + 4) / 2


@given(arrays(np.float64, st.integers(1, 50), elements=st.floats(-3, 3)), st.floats(0.01, 1.0))
def test_ewma_equals_its_recursion(x, alpha):
    E, previous = [], x[0]
    for value in x:
        previous = (1 - alpha) * previous + alpha * value
        E.append(previous)
    np.testing.assert_allclose(ewma(x, alpha), E, atol=1e-9)


def test_ewma_from_a_start_value_and_row_by_row():
    x = np.array([[1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(ewma(x, 0.5, start=0.0), [[0.5, 0.75], [0.0, 0.0]])
    np.testing.assert_allclose(ewma(np.ones((2, 5)), 0.3), 1.0)


def test_calibrated_threshold_reaches_the_target_and_the_next_lower_does_not():
    rng = np.random.default_rng(0)
    S = cusum(bernoulli_llr(rng.random((200, 2000)) < 0.1, 0.1, 0.3))
    grid = np.round(np.arange(0.1, 10, 0.1), 1)
    h = calibrate_threshold(S, 300, grid)
    assert average_run_length(S, h) >= 300
    assert average_run_length(S, grid[np.searchsorted(grid, h) - 1]) < 300
    assert h <= np.log(300)  # Lorden: a CUSUM of log-likelihood ratios has ARL0 >= e^h


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: bernoulli_llr([0, 1], 0.0, 0.5), r"q0 must be a rate in \(0, 1\) \(got q0=0.0\)"),
        (lambda: bernoulli_llr([0, 1], 0.2, 1), r"q1 must be a rate in \(0, 1\)"),
        (lambda: bernoulli_llr([0, 1], 0.2, 0.2), "q0 and q1 must differ"),
        (lambda: bernoulli_llr([0, 2], 0.1, 0.2), "x must hold only 0 and 1"),
        (lambda: cusum([]), "increments must be a finite array"),
        (lambda: cusum(3.0), "increments must be a finite array"),
        (lambda: cusum([1.0, np.nan]), "increments must be a finite array"),
        (lambda: cusum(["a"]), "increments must be an array of numbers"),
        (lambda: ewma([1.0], 0.0), r"alpha must lie in \(0, 1\] \(got alpha=0.0\)"),
        (lambda: ewma([1.0], 1.5), r"alpha must lie in \(0, 1\]"),
        (lambda: ewma([1.0], 0.5, start=np.inf), "start must be a finite number"),
        (lambda: first_alarm([1.0], np.nan), "threshold must be a finite number"),
        (lambda: first_alarm([1.0], "high"), "threshold must be a finite number"),
        (lambda: first_alarm(np.zeros((2, 2, 2)), 1.0), "statistic must be 1-D or 2-D"),
        (lambda: average_run_length([1.0, 2.0], 1.0), "statistics must be 2-D"),
        (lambda: calibrate_threshold(np.zeros((2, 5)), 0.5, [1.0]), r"arl0 must lie in \[1, T\)"),
        (lambda: calibrate_threshold(np.zeros((2, 5)), 5, [1.0]), r"arl0 must lie in \[1, T\)"),
        (lambda: calibrate_threshold(np.zeros((2, 5)), 2, [2.0, 1.0]), "strictly increasing"),
        (lambda: calibrate_threshold(np.zeros((2, 5)), 2, []), "candidates must be a non-empty"),
        (
            lambda: calibrate_threshold(np.ones((2, 5)), 2, [0.5, 1.0]),
            "even the largest candidate 1 has an estimated ARL0 below arl0=2",
        ),
    ],
)
def test_changepoint_functions_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
