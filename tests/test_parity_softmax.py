"""The NumPy cross-entropy and its gradient against PyTorch and TensorFlow as oracles."""

from __future__ import annotations

import numpy as np
import pytest

from companion.maths import cross_entropy, cross_entropy_grad, softmax

pytest.importorskip("torch")
pytest.importorskip("tensorflow")
import companion.tf as tf_losses  # noqa: E402
import companion.torch as torch_losses  # noqa: E402

FRAMEWORKS = [torch_losses, tf_losses]


@pytest.fixture
def batch():
    rng = np.random.default_rng(42)
    z = rng.normal(size=(16, 7)) * 4  # (N, K)
    return z, rng.integers(0, 7, size=16), softmax(rng.normal(size=(16, 7)))


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=["torch", "tensorflow"])
def test_loss_equals_framework_loss(fw, batch):
    z, labels, soft = batch
    assert fw.cross_entropy(z, labels) == pytest.approx(float(cross_entropy(z, labels)), abs=1e-12)
    assert fw.cross_entropy(z, soft) == pytest.approx(float(cross_entropy(z, soft)), abs=1e-12)


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=["torch", "tensorflow"])
def test_p_minus_y_equals_autograd(fw, batch):
    z, labels, soft = batch
    np.testing.assert_allclose(
        fw.cross_entropy_grad(z, labels), cross_entropy_grad(z, labels), atol=1e-14
    )
    np.testing.assert_allclose(
        fw.cross_entropy_grad(z, soft), cross_entropy_grad(z, soft), atol=1e-14
    )


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=["torch", "tensorflow"])
def test_framework_versions_give_the_same_errors(fw):
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\)"):
        fw.cross_entropy_grad(np.zeros((1, 2)), [2])
