"""companion.maths.attribution: saliency gradients and integrated gradients in NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.maths.attribution import (
    INTEGRATION_RULES,
    class_probability,
    class_targets,
    completeness_gap,
    input_gradient,
    integrated_gradients,
    path_points,
)
from companion.maths.backprop import ACTIVATIONS, MLPConfig, init_params
from companion.maths.gradcheck import numerical_gradient


def _classifier(activation: str = "relu", seed: int = 0):
    config = MLPConfig((5, 7, 6, 4), activation=activation)
    rng = np.random.default_rng(seed)
    return config, init_params(config, rng), rng.normal(size=(3, 5))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_input_gradient_equals_central_differences(activation):
    config, params, X = _classifier(activation)
    target = np.array([0, 3, 1])
    grad = input_gradient(params, X, target, config)
    for i in range(len(X)):
        fd = numerical_gradient(
            lambda x, i=i: float(class_probability(params, x[None], target[i], config)[0]), X[i]
        )
        np.testing.assert_allclose(grad[i], fd, atol=1e-9)


def test_class_probabilities_of_all_classes_sum_to_one():
    config, params, X = _classifier()
    total = sum(class_probability(params, X, c, config) for c in range(4))
    np.testing.assert_allclose(total, 1.0, atol=1e-12)


def test_gradients_of_all_class_probabilities_sum_to_zero():
    config, params, X = _classifier("sigmoid")
    total = sum(input_gradient(params, X, c, config) for c in range(4))
    np.testing.assert_allclose(total, 0.0, atol=1e-14)


@pytest.mark.parametrize("rule", INTEGRATION_RULES)
@given(steps=st.integers(1, 50))
@settings(max_examples=20, deadline=None)
def test_weights_sum_to_one_and_points_lie_on_the_unit_interval(rule, steps):
    alphas, weights = path_points(steps, rule)
    assert alphas.shape == weights.shape
    assert weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert alphas.min() >= 0.0 and alphas.max() <= 1.0


@pytest.mark.parametrize("rule", INTEGRATION_RULES)
@given(
    w=st.lists(st.floats(-5, 5), min_size=3, max_size=3),
    x=st.lists(st.floats(-5, 5), min_size=3, max_size=3),
    steps=st.integers(1, 20),
)
@settings(max_examples=30, deadline=None)
def test_linear_function_is_exactly_complete_with_any_number_of_steps(rule, w, x, steps):
    w, x = np.array(w), np.array(x)
    base = np.full(3, 0.5)
    ig = integrated_gradients(
        lambda pts: np.broadcast_to(w, pts.shape), x, base, steps=steps, rule=rule
    )
    np.testing.assert_allclose(ig, w * (x - base), atol=1e-12)
    assert completeness_gap(ig, w @ x, w @ base) < 1e-10


def test_midpoint_and_trapezoid_errors_shrink_as_one_over_steps_squared():
    # f(x) = sum sin(x): the gradient cos is smooth, so both rules are second order.
    x, base = np.array([1.0, 2.0, -0.5]), np.zeros(3)
    for rule in ("midpoint", "trapezoid"):
        gaps = [
            completeness_gap(
                integrated_gradients(np.cos, x, base, steps=m, rule=rule), np.sin(x).sum(), 0.0
            )
            for m in (8, 16, 32)
        ]
        assert gaps[0] / gaps[1] == pytest.approx(4.0, rel=0.05)
        assert gaps[1] / gaps[2] == pytest.approx(4.0, rel=0.05)


def test_left_rule_error_shrinks_as_one_over_steps():
    x, base = np.array([1.0, 2.0]), np.zeros(2)
    gaps = [
        completeness_gap(
            integrated_gradients(np.cos, x, base, steps=m, rule="left"), np.sin(x).sum(), 0.0
        )
        for m in (100, 200)
    ]
    assert gaps[0] / gaps[1] == pytest.approx(2.0, rel=0.05)


def test_mlp_attributions_approach_completeness():
    # ReLU kinks make the gradient jump along the path: the error falls like 1/steps, unevenly.
    config, params, X = _classifier()
    x, base = X[0], np.zeros(5)

    def grad(pts):
        return input_gradient(params, pts, 2, config)

    f_x, f_base = (class_probability(params, v[None], 2, config)[0] for v in (x, base))
    gaps = [
        completeness_gap(integrated_gradients(grad, x, base, steps=m), f_x, f_base)
        for m in (4, 4096)
    ]
    assert gaps[1] < 5e-5
    assert gaps[1] < gaps[0]


def test_attribution_of_a_feature_equal_to_its_baseline_is_zero():
    config, params, X = _classifier()
    x = X[1].copy()
    base = np.zeros(5)
    x[2] = 0.0
    ig = integrated_gradients(lambda p: input_gradient(params, p, 1, config), x, base, steps=16)
    assert ig[2] == 0.0


def test_integrated_gradients_keeps_the_input_shape():
    x = np.ones((2, 3))
    ig = integrated_gradients(lambda pts: 2 * pts, x, np.zeros((2, 3)), steps=4)
    assert ig.shape == (2, 3)
    np.testing.assert_allclose(ig, 1.0)


def test_class_targets_repeats_an_int():
    assert class_targets(np.int64(3), 2, 5).tolist() == [3, 3]


def test_bad_steps_and_rule_are_rejected():
    with pytest.raises(ValueError, match="steps must be a positive int"):
        path_points(0)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        path_points(True)
    with pytest.raises(ValueError, match="rule must be one of"):
        path_points(4, "simpson")


def test_bad_integration_inputs_are_rejected():
    grad = lambda pts: pts  # noqa: E731
    with pytest.raises(ValueError, match="same shape"):
        integrated_gradients(grad, np.ones(3), np.zeros(2))
    with pytest.raises(ValueError, match="finite"):
        integrated_gradients(grad, np.array([1.0, np.nan]), np.zeros(2))
    with pytest.raises(ValueError, match="grad_fn must return gradients of shape"):
        integrated_gradients(lambda pts: pts.sum(axis=1), np.ones(3), np.zeros(3))


def test_bad_targets_and_configs_are_rejected():
    config, params, X = _classifier()
    with pytest.raises(ValueError, match="target must lie in 0..3"):
        input_gradient(params, X, 4, config)
    with pytest.raises(ValueError, match="integer class indices"):
        input_gradient(params, X, 1.5, config)
    with pytest.raises(ValueError, match=r"target must be an int or have shape \(3,\)"):
        class_probability(params, X, np.array([0, 1]), config)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 5\)"):
        class_probability(params, X[0], 0, config)
    with pytest.raises(ValueError, match="config.loss must be 'cross_entropy'"):
        input_gradient(params, X, 0, MLPConfig((5, 7, 6, 4), loss="mse"))
    with pytest.raises(TypeError, match="config must be an MLPConfig"):
        input_gradient(params, X, 0, {"sizes": (5, 4)})
