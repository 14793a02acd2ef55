"""companion.maths.diffusion: closed forms solve their ODEs; fits recover known parameters."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from companion.maths import numerical_gradient
from companion.maths.diffusion import (
    bass_adopters,
    bass_peak_time,
    bass_rate,
    fit_bass,
    fit_logistic,
    logistic,
    logistic_rate,
)

#: (the optional framework, its twin in the companion)
FRAMEWORKS = [("torch", "companion.torch.diffusion"), ("tensorflow", "companion.tf.diffusion")]
T = np.linspace(0.0, 12.0, 25)
LOGISTIC = {"K": 900.0, "r": 1.8, "t0": 2.5}
BASS = {"m": 1000.0, "p": 0.01, "q": 2.0}


@given(st.floats(1.0, 1e4), st.floats(0.05, 5.0), st.floats(-5.0, 5.0), st.floats(-10.0, 10.0))
def test_logistic_lies_below_its_ceiling_and_halves_at_t0(K, r, t0, t):
    n = float(logistic(t, K, r, t0))
    assert 0.0 <= n <= K
    assert float(logistic(t0, K, r, t0)) == pytest.approx(K / 2)


@given(st.floats(0.001, 0.2), st.floats(0.01, 3.0), st.floats(0.0, 30.0), st.floats(0.01, 5.0))
def test_bass_rises_from_zero_towards_m(p, q, t, dt):
    assert float(bass_adopters(0.0, 1.0, p, q)) == 0.0
    assert bass_adopters(t + dt, 1.0, p, q) >= bass_adopters(t, 1.0, p, q)
    assert float(bass_adopters(t, 1.0, p, q)) <= 1.0


def test_closed_forms_match_a_numerical_ode_solution():
    log_sol = solve_ivp(
        lambda t, n: LOGISTIC["r"] * n * (1 - n / LOGISTIC["K"]),
        (0.0, 12.0),
        [float(logistic(0.0, **LOGISTIC))],
        t_eval=T,
        rtol=1e-10,
        atol=1e-10,
    )
    np.testing.assert_allclose(log_sol.y[0], logistic(T, **LOGISTIC), rtol=1e-7)
    m, p, q = BASS.values()
    bass_sol = solve_ivp(
        lambda t, n: (p + q * n / m) * (m - n),
        (0.0, 12.0),
        [0.0],
        t_eval=T,
        rtol=1e-10,
        atol=1e-10,
    )
    np.testing.assert_allclose(bass_sol.y[0], bass_adopters(T, **BASS), rtol=1e-6, atol=1e-6)


def test_time_derivatives_by_finite_differences_equal_the_odes():
    fd_log = [numerical_gradient(lambda v: float(logistic(v[0], **LOGISTIC)), [t])[0] for t in T]
    np.testing.assert_allclose(fd_log, logistic_rate(T, **LOGISTIC), rtol=1e-7, atol=1e-7)
    fd_bass = [
        numerical_gradient(lambda v: float(bass_adopters(v[0], **BASS)), [t])[0] for t in T[1:]
    ]
    np.testing.assert_allclose(fd_bass, bass_rate(T[1:], **BASS), rtol=1e-7, atol=1e-6)


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=["torch", "tensorflow"])
def test_autograd_of_the_closed_forms_equals_the_odes(framework):
    pytest.importorskip(framework[0])
    fw = importlib.import_module(framework[1])
    np.testing.assert_allclose(
        fw.logistic_rate(T, **LOGISTIC), logistic_rate(T, **LOGISTIC), rtol=1e-12, atol=1e-9
    )
    np.testing.assert_allclose(fw.bass_rate(T, **BASS), bass_rate(T, **BASS), rtol=1e-12, atol=1e-9)


def test_bass_peak_is_where_the_rate_is_largest():
    grid = np.linspace(0, 10, 100001)
    peak = grid[np.argmax(bass_rate(grid, **BASS))]
    assert bass_peak_time(BASS["p"], BASS["q"]) == pytest.approx(peak, abs=1e-3)
    assert bass_peak_time(0.5, 0.1) == 0.0


def test_fits_recover_known_parameters_from_noisy_data():
    rng = np.random.default_rng(3)
    y_log = logistic(T, **LOGISTIC) * (1 + 0.01 * rng.normal(size=T.size))
    fit = fit_logistic(T, y_log, p0=[500.0, 1.0, 3.0])
    for i, name in enumerate(("K", "r", "t0")):
        assert abs(fit[name] - LOGISTIC[name]) < 4 * fit.stderr[i]
    assert fit.n_points == T.size and fit.rss > 0
    np.testing.assert_allclose(fit.predict(T), logistic(T, *fit.values))
    y_bass = bass_adopters(T, **BASS) * (1 + 0.01 * rng.normal(size=T.size))
    fit_b = fit_bass(T, y_bass, p0=[800.0, 0.05, 1.0])
    assert fit_b["m"] == pytest.approx(BASS["m"], rel=0.03)
    assert (fit_b.values > 0).all()


def test_short_series_leaves_the_ceiling_unidentified():
    # Only the early, near-exponential part: the ceiling's standard error explodes.
    early = np.linspace(0.0, 1.5, 8)
    fit = fit_logistic(
        early, logistic(early, **LOGISTIC) * (1 + 0.01 * np.sin(7 * early)), p0=[900.0, 1.8, 2.5]
    )
    late = fit_logistic(
        T, logistic(T, **LOGISTIC) * (1 + 0.01 * np.sin(7 * T)), p0=[900.0, 1.8, 2.5]
    )
    assert fit.stderr[0] / fit["K"] > 10 * late.stderr[0] / late["K"]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: bass_adopters(-1.0, 1.0, 0.1, 0.1), "t must be non-negative"),
        (lambda: bass_adopters(1.0, 1.0, 0.0, 0.1), "p must be positive"),
        (lambda: bass_peak_time(0.1, -1.0), "p and q must be positive"),
        (lambda: fit_logistic([1, 2, 3], [1, 2, 3], p0=[1, 1, 1]), "need more than 3 points"),
        (lambda: fit_logistic([1, 2, 3, 4], [1, 2, 3], p0=[1, 1, 1]), "equal length"),
        (lambda: fit_bass(T, bass_adopters(T, **BASS), p0=[1, 1]), "p0 must give 3"),
        (lambda: fit_logistic(T, np.ones_like(T), p0=[1, 0, 0]), "the logistic fit failed"),
    ],
)
def test_bad_input_is_named_in_the_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
