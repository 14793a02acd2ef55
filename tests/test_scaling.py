"""companion.maths.scaling and training_cost: laws, optimum, derivatives, FLOPs and dollars."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from companion.data.training_runs import CHINCHILLA_70B, GPT3, H100_PRICES, H100_SXM, LLAMA31_405B
from companion.maths import compare_gradients, numerical_gradient
from companion.maths.scaling import (
    CHINCHILLA,
    CHINCHILLA_UNROUNDED,
    EPOCH_REFIT,
    KAPLAN,
    ChinchillaLaw,
    KaplanLaw,
    compute_optimal,
    frontier_loss,
    frontier_loss_slope,
    loss,
    loss_grad,
    tokens_per_parameter_rule,
)
from companion.maths.training_cost import (
    gpu_hours,
    implied_utilisation,
    marginal_loss_per_dollar,
    training_cost,
    usd_per_flop,
)
from companion.sizing.budget import training_flops

CHINCHILLA_LAWS = [CHINCHILLA, CHINCHILLA_UNROUNDED, EPOCH_REFIT]
ALL_LAWS = [*CHINCHILLA_LAWS, KAPLAN]
LAW_IDS = ["chinchilla", "unrounded", "epoch", "kaplan"]
#: (the optional framework, its twin in the companion)
FRAMEWORKS = [("torch", "companion.torch.scaling"), ("tensorflow", "companion.tf.scaling")]
log_size = st.floats(7.0, 14.0)  # 1e7 .. 1e14 parameters or tokens
log_budget = st.floats(18.0, 27.0)  # 1e18 .. 1e27 FLOP


@pytest.mark.parametrize("law", ALL_LAWS, ids=LAW_IDS)
@given(log_size, log_size, st.floats(0.01, 2.0))
def test_loss_decreases_in_parameters_and_in_data(law, log_n, log_d, step):
    N, D = 10.0**log_n, 10.0**log_d
    bigger = 10.0**step
    assert loss(law, N * bigger, D) < loss(law, N, D)
    assert loss(law, N, D * bigger) < loss(law, N, D)
    dN, dD = loss_grad(law, N, D)
    assert dN < 0 and dD < 0


def test_kaplan_constants_are_the_joint_fit_of_table_2():
    # Kaplan et al. 2020, Table 2 ("Fits to L(N, D)"), not the single-variable fits of
    # section 1.2 (N_c = 8.8e13 for L(N), alpha_D = 0.095 and D_c = 5.4e13 for L(D)).
    assert (KAPLAN.alpha_N, KAPLAN.alpha_D, KAPLAN.N_c, KAPLAN.D_c) == (
        0.076,
        0.103,
        6.4e13,
        1.8e13,
    )
    assert "Table 2" in KAPLAN.source


@given(log_size)
def test_kaplan_joint_law_reduces_to_power_laws_when_one_resource_is_unlimited(log_x):
    # Eq. (1.5) with D -> infinity is (N_c / N)^alpha_N; with N -> infinity, (D_c / D)^alpha_D.
    x, unlimited = 10.0**log_x, 1e250
    assert loss(KAPLAN, x, unlimited) == pytest.approx(
        (KAPLAN.N_c / x) ** KAPLAN.alpha_N, rel=1e-12
    )
    assert loss(KAPLAN, unlimited, x) == pytest.approx(
        (KAPLAN.D_c / x) ** KAPLAN.alpha_D, rel=1e-12
    )


@pytest.mark.parametrize("law", CHINCHILLA_LAWS, ids=LAW_IDS[:3])
@given(log_budget)
def test_optimum_satisfies_the_first_order_conditions(law, log_c):
    C = 10.0**log_c
    opt = compute_optimal(law, C)
    assert 6 * opt.parameters * opt.tokens == pytest.approx(C, rel=1e-12)
    dN, dD = loss_grad(law, opt.parameters, opt.tokens)
    # Lagrange: dL/dN / (6D) = dL/dD / (6N), i.e. N dL/dN = D dL/dD.
    assert opt.parameters * dN == pytest.approx(opt.tokens * dD, rel=1e-9)


@pytest.mark.parametrize("law", CHINCHILLA_LAWS, ids=LAW_IDS[:3])
def test_closed_form_optimum_equals_numerical_minimum(law):
    C = 5.76e23

    def on_budget(log_n):
        N = np.exp(log_n)
        return float(loss(law, N, C / (6 * N)))

    found = minimize_scalar(
        on_budget, bounds=(np.log(1e8), np.log(1e14)), method="bounded", options={"xatol": 1e-10}
    )
    opt = compute_optimal(law, C)
    assert np.exp(found.x) == pytest.approx(opt.parameters, rel=1e-6)
    assert found.fun >= opt.loss - 1e-12


def test_which_fit_gives_what_on_chinchillas_budget():
    C = CHINCHILLA_70B.reported_flops
    assert compute_optimal(CHINCHILLA, C).parameters == pytest.approx(32.2e9, rel=0.01)
    assert compute_optimal(CHINCHILLA_UNROUNDED, C).parameters == pytest.approx(40.3e9, rel=0.01)
    epoch = compute_optimal(EPOCH_REFIT, C)
    assert epoch.parameters == pytest.approx(70e9, rel=0.05)
    assert epoch.tokens_per_parameter == pytest.approx(20, rel=0.1)
    N, D = tokens_per_parameter_rule(C)
    assert N == pytest.approx(70e9, rel=0.02) and D == pytest.approx(1.4e12, rel=0.02)
    assert 6 * N * D == pytest.approx(C) and D / N == pytest.approx(20)


@pytest.mark.parametrize("law", ALL_LAWS, ids=LAW_IDS)
def test_hand_derivatives_match_finite_differences(law):
    N, D = 7e10, 1.4e12
    fd_n = numerical_gradient(lambda v: float(loss(law, v[0], D)), [N])[0]
    fd_d = numerical_gradient(lambda v: float(loss(law, N, v[0])), [D])[0]
    dN, dD = loss_grad(law, N, D)
    assert compare_gradients([dN, dD], [fd_n, fd_d], floor=1e-300).max_rel_error < 1e-6


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=["torch", "tensorflow"])
@pytest.mark.parametrize("law", ALL_LAWS, ids=LAW_IDS)
def test_hand_derivatives_match_autograd(framework, law):
    pytest.importorskip(framework[0])
    fw = importlib.import_module(framework[1])
    N, D = np.array([1e8, 7e10, 4e11]), np.array([2e9, 1.4e12, 1.5e13])
    ours, theirs = loss_grad(law, N, D), fw.loss_grad(law, N, D)
    assert compare_gradients(np.stack(ours), np.stack(theirs), floor=1e-300).max_rel_error < 1e-12


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=["torch", "tensorflow"])
def test_frontier_slope_matches_autograd(framework):
    pytest.importorskip(framework[0])
    fw = importlib.import_module(framework[1])
    C = np.array([1e20, 5.76e23, 3.8e25])
    ours = frontier_loss_slope(EPOCH_REFIT, C)
    rel = compare_gradients(ours, fw.frontier_loss_slope(EPOCH_REFIT, C), floor=1e-300)
    assert rel.max_rel_error < 1e-10


@given(log_budget, st.floats(0.1, 3.0))
def test_frontier_loss_falls_and_its_slope_flattens(log_c, step):
    C, more = 10.0**log_c, 10.0 ** (log_c + step)
    assert frontier_loss(CHINCHILLA, more) < frontier_loss(CHINCHILLA, C)
    assert abs(frontier_loss_slope(CHINCHILLA, more)) < abs(frontier_loss_slope(CHINCHILLA, C))


def test_frontier_loss_is_the_minimum_over_a_grid():
    C = 1e24
    N = np.logspace(9, 12, 2001)
    assert frontier_loss(EPOCH_REFIT, C) <= loss(EPOCH_REFIT, N, C / (6 * N)).min() + 1e-12


def test_six_n_d_reproduces_reported_compute():
    assert training_flops(GPT3.parameters, GPT3.tokens) == pytest.approx(3.14e23, rel=0.01)
    llama = training_flops(LLAMA31_405B.parameters, LLAMA31_405B.tokens)
    assert llama == pytest.approx(LLAMA31_405B.reported_flops, rel=0.01)


def test_an_hour_at_full_peak_costs_one_hourly_price():
    # exact special case: peak FLOP/s for 3600 s at utilisation 1 is one GPU-hour
    price = H100_PRICES[-1]
    one_hour = H100_SXM.peak_flop_per_s * 3600
    assert float(gpu_hours(one_hour, H100_SXM, 1.0)) == pytest.approx(1.0, rel=1e-15)
    assert float(training_cost(one_hour, H100_SXM, 1.0, price)) == pytest.approx(
        price.usd_per_gpu_hour, rel=1e-15
    )
    assert usd_per_flop(H100_SXM, 1.0, price) * one_hour == pytest.approx(price.usd_per_gpu_hour)


def test_gpu_hours_at_the_implied_utilisation_give_back_the_reported_hours():
    # Llama 3.1 405B: 3.8e25 FLOP and 30.84 M H100-hours (Llama 3.1 model card, via the table)
    u = implied_utilisation(LLAMA31_405B, H100_SXM)
    assert 0.3 < u < 0.4
    hours = gpu_hours(LLAMA31_405B.reported_flops, H100_SXM, u)
    assert float(hours) == pytest.approx(LLAMA31_405B.gpu_hours, rel=1e-12)


@given(st.floats(18.0, 26.0), st.floats(0.05, 1.0), st.floats(1.0, 20.0))
def test_cost_grows_with_flops_and_falls_with_utilisation(log_flops, u, more):
    price, flops = H100_PRICES[-1], 10.0**log_flops
    base = float(training_cost(flops, H100_SXM, u, price))
    assert float(training_cost(more * flops, H100_SXM, u, price)) == pytest.approx(more * base)
    assert float(training_cost(flops, H100_SXM, u / more, price)) == pytest.approx(more * base)
    assert usd_per_flop(H100_SXM, u, price) * flops == pytest.approx(base)


def test_rental_prices_are_sourced():
    assert all(p.source and p.url.startswith("https://") for p in H100_PRICES)


def test_marginal_return_per_dollar_falls_as_a_power_of_spend():
    gamma = CHINCHILLA.alpha * CHINCHILLA.beta / (CHINCHILLA.alpha + CHINCHILLA.beta)
    spend = np.array([1e6, 1e8])
    m = marginal_loss_per_dollar(CHINCHILLA, spend, 1.65e-18)
    assert (m > 0).all()
    assert m[0] / m[1] == pytest.approx(100 ** (1 + gamma), rel=1e-9)
    # and it is the loss the next dollar removes: a central difference of the frontier loss
    h, price = 1e-4, 1.65e-18
    for spent, marginal in zip(spend, m, strict=True):
        up, down = (float(frontier_loss(CHINCHILLA, spent * f / price)) for f in (1 + h, 1 - h))
        assert marginal == pytest.approx(-(up - down) / (2 * h * spent), rel=1e-6)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: loss(CHINCHILLA, -1.0, 1e9), ValueError, "N must be positive and finite"),
        (lambda: loss_grad(KAPLAN, 1e9, np.inf), ValueError, "D must be positive and finite"),
        (lambda: compute_optimal(KAPLAN, 1e24), TypeError, "law must be a ChinchillaLaw"),
        (lambda: compute_optimal(CHINCHILLA, 0.0), ValueError, "C must be positive"),
        (
            lambda: ChinchillaLaw(1.0, 1.0, 1.0, -0.3, 0.3, "x"),
            ValueError,
            "alpha must be a positive finite number",
        ),
        (lambda: ChinchillaLaw(1.0, 1.0, 1.0, 0.3, 0.3, " "), ValueError, "source must name"),
        (
            lambda: KaplanLaw(0.0, 0.1, 1.0, 0.1, "x"),
            ValueError,
            "N_c must be a positive finite number",
        ),
        (lambda: gpu_hours(1e20, H100_SXM, 1.5), ValueError, r"utilisation must lie in \(0, 1\]"),
        (lambda: implied_utilisation(GPT3, H100_SXM), ValueError, "reports no GPU-hours"),
        (lambda: tokens_per_parameter_rule(1e20, 0), ValueError, "tokens_per_parameter must be"),
    ],
)
def test_bad_input_is_named_in_the_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_reference_figures_are_read_from_the_sourced_tables():
    from companion.data import training_runs as tc
    from companion.data.accelerators import load_accelerators
    from companion.data.industry import load_costs, load_models

    models = load_models().set_index("model")
    assert tc.GPT3.reported_flops == models.loc["GPT-3", "training_compute_flop"]
    assert tc.LLAMA31_405B.gpu_hours == models.loc["Llama 3.1 405B", "gpu_hours"]
    chips = load_accelerators()
    assert tc.H100_SXM.peak_flop_per_s == chips.loc["NVIDIA H100 SXM5", "peak_tflops"] * 1e12
    assert tc.H100_SXM.source == chips.loc["NVIDIA H100 SXM5", "source"]
    assert set(load_costs()["kind"]).isdisjoint({"hardware_peak"})  # one record per fact
    with pytest.raises(LookupError, match="0 rows for item='no such item', year=2020"):
        tc._cost_row("no such item", 2020)
    with pytest.raises(LookupError, match="not dense BF16"):
        tc._accelerator("NVIDIA V100 SXM2 16 GB", "V100")
