"""NumPy update rules against torch.optim and Keras optimisers over 100 steps."""

from __future__ import annotations

import numpy as np
import pytest

from companion.maths.optim import AdamConfig, SGDConfig, optimize
from companion.maths.surfaces import rosenbrock_grad

pytest.importorskip("torch")
pytest.importorskip("tensorflow")
import companion.tf.optim as tf_optim  # noqa: E402
import companion.torch.optim as torch_optim  # noqa: E402

START = np.array([-1.5, 2.0])
STEPS = 100


def schedule(t: int) -> float:
    return 1e-3 if t < 50 else 2e-4


TORCH_CASES = [
    SGDConfig(lr=1e-3),
    SGDConfig(lr=1e-3, momentum=0.9),
    AdamConfig(lr=0.05),
    AdamConfig(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6),
]
KERAS_CASES = [
    SGDConfig(lr=1e-3, convention="keras"),
    SGDConfig(lr=1e-3, momentum=0.9, convention="keras"),
    AdamConfig(lr=0.05, eps=1e-7, eps_placement="uncorrected"),
    AdamConfig(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6, eps_placement="uncorrected"),
]


@pytest.mark.parametrize(
    ("fw", "config"),
    [(torch_optim, c) for c in TORCH_CASES] + [(tf_optim, c) for c in KERAS_CASES],
    ids=[f"torch-{c}" for c in TORCH_CASES] + [f"keras-{c}" for c in KERAS_CASES],
)
def test_hundred_steps_on_rosenbrock_equal_the_framework(fw, config):
    ours = optimize(config, rosenbrock_grad, START, STEPS)
    theirs = fw.optimize(config, rosenbrock_grad, START, STEPS)
    assert theirs.shape == (STEPS + 1, 2)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    assert np.abs(ours[-1] - START).max() > 0.1  # the optimiser really moved


@pytest.mark.parametrize(
    ("fw", "convention"), [(torch_optim, "torch"), (tf_optim, "keras")], ids=["torch", "keras"]
)
def test_learning_rate_schedule_follows_each_frameworks_convention(fw, convention):
    config = SGDConfig(lr=1e-3, momentum=0.9, convention=convention)
    ours = optimize(config, rosenbrock_grad, START, STEPS, lr_schedule=schedule)
    theirs = fw.optimize(config, rosenbrock_grad, START, STEPS, lr_schedule=schedule)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_the_two_conventions_part_under_a_schedule():
    paths = [
        fw.optimize(SGDConfig(1e-3, 0.9, c), rosenbrock_grad, START, STEPS, lr_schedule=schedule)
        for fw, c in ((torch_optim, "torch"), (tf_optim, "keras"))
    ]
    assert np.abs(paths[0] - paths[1]).max() > 1e-3


def test_keras_rounds_python_float_hyperparameters_through_float32():
    # Why companion.tf.optim builds its optimisers with float64 hyperparameters.
    keras = tf_optim.keras
    assert float(keras.ops.cast(0.9, "float64")) == float(np.float32(0.9)) != 0.9
    assert keras.optimizers.SGD(learning_rate=1e-3).learning_rate.dtype == "float32"
    assert keras.config.floatx() == "float32"  # restored after companion.tf.optim built one
    tf_optim.optimize(SGDConfig(1e-3, convention="keras"), rosenbrock_grad, START, 1)
    assert keras.config.floatx() == "float32"


@pytest.mark.parametrize(
    ("fw", "config", "message"),
    [
        (torch_optim, SGDConfig(1e-3, 0.9, "keras"), "torch.optim.SGD implements convention"),
        (torch_optim, AdamConfig(eps_placement="uncorrected"), "torch.optim.Adam implements"),
        (tf_optim, SGDConfig(1e-3, 0.9, "torch"), "keras.optimizers.SGD implements convention"),
        (tf_optim, AdamConfig(), "keras.optimizers.Adam implements eps_placement"),
    ],
)
def test_a_convention_the_framework_lacks_is_refused(fw, config, message):
    with pytest.raises(ValueError, match=message):
        fw.optimize(config, rosenbrock_grad, START, 1)


@pytest.mark.parametrize("fw", [torch_optim, tf_optim], ids=["torch", "keras"])
def test_framework_versions_validate_like_numpy(fw):
    with pytest.raises(ValueError, match="steps must be a non-negative int"):
        fw.optimize(SGDConfig(1e-3, convention="keras"), rosenbrock_grad, START, -1)
    with pytest.raises(TypeError, match="config must be an SGDConfig or AdamConfig"):
        fw.optimize(None, rosenbrock_grad, START, 1)
