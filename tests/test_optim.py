"""companion.maths.optim: update rules, their conventions, bias correction, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from companion.maths.optim import AdamConfig, SGDConfig, init_state, optimize, step
from companion.maths.surfaces import rosenbrock_grad

ROSENBROCK_START = np.array([-1.5, 2.0])
grads = arrays(np.float64, 3, elements=st.floats(-10, 10).filter(lambda g: abs(g) > 1e-3))


def quadratic_grad(theta):
    return np.array([1.0, 10.0]) * theta  # f = (x^2 + 10 y^2) / 2


def test_plain_gradient_descent_is_theta_minus_lr_grad():
    path = optimize(SGDConfig(lr=0.1), quadratic_grad, [1.0, 1.0], steps=2)
    np.testing.assert_allclose(path[1], [0.9, 0.0])
    np.testing.assert_allclose(path[2], [0.81, 0.0])


@given(st.floats(0.0, 0.9), st.floats(1e-4, 1e-3))
def test_momentum_conventions_agree_at_constant_learning_rate(mu, lr):
    torch_path = optimize(SGDConfig(lr, mu, "torch"), rosenbrock_grad, ROSENBROCK_START, 50)
    keras_path = optimize(SGDConfig(lr, mu, "keras"), rosenbrock_grad, ROSENBROCK_START, 50)
    np.testing.assert_allclose(torch_path, keras_path, rtol=0, atol=1e-9)


def test_momentum_conventions_differ_when_the_learning_rate_changes():
    schedule = lambda t: 1e-3 if t < 20 else 1e-4  # noqa: E731
    runs = [
        optimize(
            SGDConfig(1e-3, 0.9, c), rosenbrock_grad, ROSENBROCK_START, 40, lr_schedule=schedule
        )
        for c in ("torch", "keras")
    ]
    assert np.abs(runs[0] - runs[1]).max() > 1e-2
    # PyTorch rescales the whole velocity by the new rate; Keras only the new gradients.
    config = SGDConfig(1.0, 0.5, "torch")
    theta, state = step(config, [0.0], [1.0], init_state([0.0]))
    theta, _ = step(config, theta, [0.0], state, lr=0.1)
    assert theta.tolist() == pytest.approx([-1.0 - 0.1 * 0.5])
    config = dataclasses.replace(config, convention="keras")
    theta, state = step(config, [0.0], [1.0], init_state([0.0]))
    theta, _ = step(config, theta, [0.0], state, lr=0.1)
    assert theta.tolist() == pytest.approx([-1.0 - 1.0 * 0.5])


def test_momentum_reaches_lr_over_one_minus_mu_under_a_constant_gradient():
    config = SGDConfig(lr=0.01, momentum=0.9)
    path = optimize(config, lambda th: np.ones_like(th), [0.0], steps=300)
    assert path[-1, 0] - path[-2, 0] == pytest.approx(-0.01 / (1 - 0.9), rel=1e-9)


@given(grads, st.floats(1e-4, 1.0))
def test_adam_first_step_has_length_lr_in_every_coordinate(g, lr):
    theta, _ = step(AdamConfig(lr=lr, eps=1e-12), np.zeros(3), g, init_state(np.zeros(3)))
    np.testing.assert_allclose(theta, -lr * np.sign(g), rtol=1e-9)


@given(grads, st.integers(1, 200))
def test_bias_corrected_moments_equal_a_constant_gradient(g, t):
    config = AdamConfig(lr=1e-3)
    state = init_state(g)
    theta = np.zeros(3)
    for _ in range(t):
        theta, state = step(config, theta, g, state)
    np.testing.assert_allclose(state.m / (1 - 0.9**t), g, rtol=1e-10)
    np.testing.assert_allclose(state.v / (1 - 0.999**t), g * g, rtol=1e-10)


@given(grads)
def test_eps_placements_agree_when_eps_is_negligible(g):
    theta0 = np.zeros(3)
    a = optimize(AdamConfig(0.01, eps=1e-14), lambda th: g + th, theta0, 20)
    b = optimize(
        AdamConfig(0.01, eps=1e-14, eps_placement="uncorrected"), lambda th: g + th, theta0, 20
    )
    np.testing.assert_allclose(a, b, atol=1e-9)


def test_keras_eps_acts_larger_early_by_one_over_sqrt_of_one_minus_beta2_t():
    # Uncorrected placement with eps equals corrected placement with eps / sqrt(1 - beta2^t).
    g, eps = np.array([3e-6]), 1e-7
    keras_like, _ = step(
        AdamConfig(1.0, eps=eps, eps_placement="uncorrected"), [0.0], g, init_state([0.0])
    )
    torch_like, _ = step(AdamConfig(1.0, eps=eps / np.sqrt(1 - 0.999)), [0.0], g, init_state([0.0]))
    np.testing.assert_allclose(keras_like, torch_like, rtol=1e-12)
    assert (
        abs(keras_like[0]) < 0.5
    )  # not 1.0: eps_eff = 3.2e-6 is as large as |g|, halving the step


def test_adam_is_invariant_to_rescaling_the_gradient():
    base = optimize(AdamConfig(0.05, eps=1e-15), rosenbrock_grad, ROSENBROCK_START, 30)
    scaled = optimize(
        AdamConfig(0.05, eps=1e-15), lambda th: 1e3 * rosenbrock_grad(th), ROSENBROCK_START, 30
    )
    np.testing.assert_allclose(base, scaled, atol=1e-9)


def test_all_three_optimisers_descend_the_quadratic():
    for config in (SGDConfig(0.05), SGDConfig(0.05, 0.8), AdamConfig(0.05)):
        path = optimize(config, quadratic_grad, [2.0, 1.0], 200)
        assert np.abs(path[-1]).max() < 0.05, config


def test_optimize_does_not_modify_its_input_and_returns_every_point():
    theta0 = np.array([1.0, 2.0])
    path = optimize(AdamConfig(0.1), quadratic_grad, theta0, 7)
    assert path.shape == (8, 2) and theta0.tolist() == [1.0, 2.0]
    assert np.array_equal(path[0], theta0)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: SGDConfig(lr=0.0), ValueError, "lr must be positive and finite"),
        (lambda: SGDConfig(lr="0.1"), TypeError, "lr must be a real number"),
        (lambda: SGDConfig(lr=0.1, momentum=1.0), ValueError, r"momentum must lie in \[0, 1\)"),
        (lambda: SGDConfig(lr=0.1, convention="jax"), ValueError, "convention must be one of"),
        (lambda: AdamConfig(beta1=-0.1), ValueError, r"beta1 must lie in \[0, 1\)"),
        (lambda: AdamConfig(beta2=True), TypeError, "beta2 must be a real number"),
        (lambda: AdamConfig(eps=0.0), ValueError, "eps must be positive"),
        (lambda: AdamConfig(eps_placement="inside"), ValueError, "eps_placement must be one of"),
    ],
)
def test_configs_reject_bad_values(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_step_and_optimize_reject_bad_input():
    config, state = SGDConfig(0.1), init_state([0.0, 0.0])
    with pytest.raises(ValueError, match="must have one shape"):
        step(config, [0.0, 0.0], [1.0], state)
    with pytest.raises(ValueError, match="grad must be finite"):
        step(config, [0.0, 0.0], [np.nan, 1.0], state)
    with pytest.raises(ValueError, match="lr must be positive"):
        step(config, [0.0, 0.0], [1.0, 1.0], state, lr=-1.0)
    with pytest.raises(TypeError, match="config must be an SGDConfig or AdamConfig"):
        step({"lr": 0.1}, [0.0, 0.0], [1.0, 1.0], state)
    with pytest.raises(ValueError, match="steps must be a non-negative int"):
        optimize(config, quadratic_grad, [0.0, 0.0], steps=-1)
    with pytest.raises(ValueError, match="theta0 must be a non-empty finite array"):
        optimize(config, quadratic_grad, [np.inf, 0.0], steps=1)
    with pytest.raises(TypeError, match="config must be an SGDConfig or AdamConfig"):
        optimize("sgd", quadratic_grad, [0.0, 0.0], steps=1)
