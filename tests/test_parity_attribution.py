"""Saliency and integrated gradients: NumPy against PyTorch autograd and TF GradientTape."""

from __future__ import annotations

import numpy as np
import pytest

from companion.maths import attribution as ref
from companion.maths.backprop import ACTIVATIONS, MLPConfig, init_params

pytest.importorskip("torch")
pytest.importorskip("tensorflow")
import companion.tf.attribution as tf_attr  # noqa: E402
import companion.torch.attribution as torch_attr  # noqa: E402

FRAMEWORKS = [torch_attr, tf_attr]
IDS = ["torch", "tensorflow"]


def _classifier(activation: str):
    config = MLPConfig((6, 8, 5), activation=activation)
    rng = np.random.default_rng(3)
    return config, init_params(config, rng), rng.uniform(0, 1, size=(4, 6))


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_probabilities_and_saliency_equal_the_numpy_reference(fw, activation):
    config, params, X = _classifier(activation)
    target = np.array([0, 4, 2, 2])
    np.testing.assert_allclose(
        fw.class_probability(params, X, target, config),
        ref.class_probability(params, X, target, config),
        atol=1e-15,
    )
    np.testing.assert_allclose(
        fw.input_gradient(params, X, target, config),
        ref.input_gradient(params, X, target, config),
        atol=1e-15,
    )


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
def test_integrated_gradients_with_framework_gradients_equal_numpy(fw):
    config, params, X = _classifier("relu")
    base = np.zeros(6)
    ours = ref.integrated_gradients(lambda p: ref.input_gradient(params, p, 1, config), X[0], base)
    theirs = ref.integrated_gradients(lambda p: fw.input_gradient(params, p, 1, config), X[0], base)
    np.testing.assert_allclose(theirs, ours, atol=1e-15)


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=IDS)
def test_framework_versions_reject_bad_targets_with_the_same_message(fw):
    config, params, X = _classifier("relu")
    with pytest.raises(ValueError, match="target must lie in 0..4"):
        fw.input_gradient(params, X, 5, config)
    with pytest.raises(ValueError, match="target must lie in 0..4"):
        fw.class_probability(params, X, -1, config)
