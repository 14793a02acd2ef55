"""The NumPy MLP's loss, gradients and deltas against PyTorch autograd and TF GradientTape."""

from __future__ import annotations

import numpy as np
import pytest

from companion.maths.backprop import (
    ACTIVATIONS,
    LOSSES,
    MLPConfig,
    backward,
    forward,
    init_params,
    loss_and_grads,
)

torch = pytest.importorskip("torch")
pytest.importorskip("tensorflow")
import companion.tf.mlp as tf_mlp  # noqa: E402
import companion.torch.mlp as torch_mlp  # noqa: E402

FRAMEWORKS = [torch_mlp, tf_mlp]
IDS = ["torch", "tensorflow"]
CASES = [(a, loss) for a in ACTIVATIONS for loss in LOSSES]


def _problem(activation: str, loss: str, soft: bool = False):
    config = MLPConfig((4, 6, 5, 3), activation=activation, loss=loss)
    rng = np.random.default_rng(7)
    params = init_params(config, rng)
    X = rng.normal(size=(10, 4))
    if loss == "mse":
        Y = rng.normal(size=(10, 3))
    elif soft:
        Y = rng.dirichlet(np.ones(3), size=10)
    else:
        Y = rng.integers(0, 3, size=10)
    return config, params, X, Y


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_loss_and_weight_gradients_equal_autograd(fw, activation, loss):
    config, params, X, Y = _problem(activation, loss)
    ours, grads = loss_and_grads(params, X, Y, config)
    theirs, grads_fw = fw.loss_and_grads(params, X, Y, config)
    assert theirs == pytest.approx(ours, abs=1e-12)
    for (dw, db), (dw_fw, db_fw) in zip(grads, grads_fw, strict=True):
        np.testing.assert_allclose(dw, dw_fw, atol=1e-14)
        np.testing.assert_allclose(db, db_fw, atol=1e-14)


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_deltas_equal_autograd_gradients_of_pre_activations(fw, activation, loss):
    config, params, X, Y = _problem(activation, loss)
    deltas = backward(params, forward(params, X, Y, config), Y, config).deltas
    for ours, theirs in zip(deltas, fw.delta_grads(params, X, Y, config), strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-15)


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
def test_soft_targets_equal_autograd(fw):
    config, params, X, Y = _problem("relu", "cross_entropy", soft=True)
    _, grads = loss_and_grads(params, X, Y, config)
    _, grads_fw = fw.loss_and_grads(params, X, Y, config)
    np.testing.assert_allclose(grads[0][0], grads_fw[0][0], atol=1e-14)


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
def test_built_model_holds_the_same_weights_and_outputs(fw):
    config, params, X, Y = _problem("sigmoid", "mse")
    model = fw.build_mlp(params, config)
    x = torch.from_numpy(X) if fw is torch_mlp else X
    out = np.asarray(model(x).detach() if fw is torch_mlp else model(x))
    np.testing.assert_allclose(out, forward(params, X, Y, config).zs[-1], atol=1e-14)


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
def test_framework_versions_reject_bad_shapes_like_numpy(fw):
    config, params, X, Y = _problem("relu", "mse")
    with pytest.raises(ValueError, match=r"X must have shape \(N, 4\)"):
        fw.loss_and_grads(params, X[:, :3], Y, config)
    with pytest.raises(ValueError, match=r"Y must have shape \(10, 3\)"):
        fw.delta_grads(params, X, Y[:, :2], config)
