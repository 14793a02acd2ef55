"""companion.maths.backprop: the delta rule against finite differences, its structure, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.maths.backprop import (
    ACTIVATIONS,
    LOSSES,
    MLPConfig,
    activation_grad,
    backward,
    flatten_params,
    forward,
    init_params,
    loss_and_grads,
    mlp_loss,
    output_delta,
    unflatten_params,
)
from companion.maths.gradcheck import check_gradient, numerical_gradient
from companion.maths.softmax import cross_entropy


def _batch(config: MLPConfig, seed: int, n: int = 6):
    rng = np.random.default_rng(seed)
    params = init_params(config, rng)
    X = rng.normal(size=(n, config.sizes[0]))
    k = config.sizes[-1]
    Y = rng.integers(0, k, size=n) if config.loss == "cross_entropy" else rng.normal(size=(n, k))
    return params, X, Y


networks = st.builds(
    MLPConfig,
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5).map(
        lambda s: tuple(s[:-1]) + (max(s[-1], 2),)
    ),
    activation=st.sampled_from(ACTIVATIONS),
    loss=st.sampled_from(LOSSES),
)


@given(networks, st.integers(0, 2**16))
def test_backprop_gradient_passes_check_gradient(config, seed):
    params, X, Y = _batch(config, seed)
    loss, grads = loss_and_grads(params, X, Y, config)
    check_gradient(
        lambda v: mlp_loss(unflatten_params(v, config), X, Y, config),
        flatten_params(params),
        flatten_params(grads),
        rtol=1e-5,
        atol=1e-7,
    )
    assert loss == pytest.approx(mlp_loss(params, X, Y, config))


def _loss_from(z, layer, params, Y, config):
    """The loss as a function of z^layer: the layers above run as usual."""
    a = z
    for w, b in params[layer:]:
        a = np.maximum(a, 0) if config.activation == "relu" else 1 / (1 + np.exp(-a))
        a = a @ w.T + b
    if config.loss == "mse":
        return float(np.mean((a - Y) ** 2))
    return float(cross_entropy(a, Y))


@given(networks, st.integers(0, 2**16))
def test_deltas_are_loss_gradients_of_the_pre_activations(config, seed):
    # delta^l = dL/dz^l, checked by perturbing z^l itself.
    params, X, Y = _batch(config, seed)
    fwd = forward(params, X, Y, config)
    deltas = backward(params, fwd, Y, config).deltas
    for layer, z in enumerate(fwd.zs, start=1):
        numeric = numerical_gradient(lambda v, k=layer: _loss_from(v, k, params, Y, config), z)
        np.testing.assert_allclose(deltas[layer - 1], numeric, atol=1e-7)


# The recursion delta^l = (delta^{l+1} W^{l+1}) * sigma'(z^l) and dL/dW^l = delta^l^T a^{l-1}
# are checked against their oracles, not restated: each delta against finite differences of
# the loss in z^l (above), deltas and weight gradients against PyTorch autograd and TF
# GradientTape in test_parity_mlp.py.


def test_relu_derivative_is_zero_at_zero_as_in_the_frameworks():
    assert activation_grad(np.array([0.0]), "relu").tolist() == [0.0]


def test_sigmoid_derivative_matches_finite_differences():
    z = np.linspace(-6, 6, 13)
    numeric = numerical_gradient(lambda v: float((1 / (1 + np.exp(-v))).sum()), z)
    np.testing.assert_allclose(activation_grad(z, "sigmoid"), numeric, atol=1e-10)


def test_cross_entropy_output_delta_rows_sum_to_zero():
    config = MLPConfig((4, 3, 5))
    params, X, Y = _batch(config, 2)
    delta = backward(params, forward(params, X, Y, config), Y, config).deltas[-1]
    np.testing.assert_allclose(delta.sum(axis=1), 0, atol=1e-15)


def test_soft_targets_are_accepted_for_cross_entropy():
    config = MLPConfig((2, 3))
    params, X, _ = _batch(config, 3)
    Y = np.full((len(X), 3), 1 / 3)
    loss, grads = loss_and_grads(params, X, Y, config)
    assert loss > 0 and grads[0][0].shape == (3, 2)


@given(networks, st.integers(0, 2**16))
def test_flatten_and_unflatten_are_inverse(config, seed):
    params = init_params(config, np.random.default_rng(seed))
    back = unflatten_params(flatten_params(params), config)
    for (w, b), (w2, b2) in zip(params, back, strict=True):
        assert np.array_equal(w, w2) and np.array_equal(b, b2)


def test_init_params_shapes_and_scale():
    config = MLPConfig((400, 300, 2), activation="relu")
    w = init_params(config, np.random.default_rng(0))[0][0]
    assert w.shape == (300, 400)
    assert w.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sizes": (3,)}, "sizes must hold at least two positive ints"),
        ({"sizes": (3, 0)}, "sizes must hold at least two positive ints"),
        ({"sizes": (3, 2.5)}, "sizes must hold at least two positive ints"),
        ({"sizes": (3, 2), "activation": "tanh"}, "activation must be one of"),
        ({"sizes": (3, 2), "loss": "hinge"}, "loss must be one of"),
    ],
)
def test_config_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLPConfig(**kwargs)


def test_inputs_that_do_not_fit_the_network_are_rejected():
    config = MLPConfig((3, 4, 2), loss="mse")
    params, X, Y = _batch(config, 0)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 3\)"):
        forward(params, X[:, :2], Y, config)
    with pytest.raises(ValueError, match="X must be finite"):
        forward(params, np.full_like(X, np.nan), Y, config)
    with pytest.raises(ValueError, match=r"Y must have shape \(6, 2\) for loss='mse'"):
        forward(params, X, Y[:, :1], config)
    with pytest.raises(ValueError, match="params has 1 layers, config 2"):
        forward(params[:1], X, Y, config)
    with pytest.raises(ValueError, match=r"layer 2: W must have shape \(2, 4\)"):
        forward([params[0], (params[1][0].T, params[1][1])], X, Y, config)
    with pytest.raises(TypeError, match="config must be an MLPConfig"):
        forward(params, X, Y, {"sizes": (3, 4, 2)})
    ce = MLPConfig((3, 4, 2))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\)"):
        forward(params, X, np.full(6, 2), ce)


def test_unflatten_rejects_the_wrong_length():
    with pytest.raises(ValueError, match="theta must be a vector of 8 parameters"):
        unflatten_params(np.zeros(7), MLPConfig((3, 2)))


def test_unknown_names_in_helpers_are_rejected():
    with pytest.raises(ValueError, match="activation must be one of"):
        activation_grad(np.zeros(2), "tanh")
    with pytest.raises(ValueError, match="loss must be one of"):
        output_delta(np.zeros((1, 2)), np.zeros((1, 2)), "hinge")
