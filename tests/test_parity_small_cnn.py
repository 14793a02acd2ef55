"""The small CNN: one set of weights, the same logits in NumPy, PyTorch and Keras."""

from __future__ import annotations

import numpy as np
import pytest

import companion.tf.small_cnn as tf_cnn
import companion.torch.small_cnn as torch_cnn
from companion.maths.small_cnn import SmallCNNWeights, init_small_cnn, small_cnn_forward


@pytest.mark.parametrize("framework", [torch_cnn, tf_cnn], ids=["torch", "tensorflow"])
@pytest.mark.parametrize(("channels", "kernel", "height", "width"), [(1, 3, 8, 8), (3, 5, 9, 7)])
def test_small_cnn_logits_equal_across_frameworks(framework, channels, kernel, height, width):
    rng = np.random.default_rng(0)
    weights = init_small_cnn(rng, in_channels=channels, filters=6, kernel_size=kernel, n_classes=4)
    x = rng.normal(size=(5, height, width, channels))
    np.testing.assert_allclose(
        framework.small_cnn_forward(x, weights), small_cnn_forward(x, weights), atol=1e-12
    )


def test_numpy_convolution_matches_a_direct_sum():
    rng = np.random.default_rng(1)
    w = init_small_cnn(rng, in_channels=2, filters=1, kernel_size=2, n_classes=1)
    w = SmallCNNWeights(w.kernel, np.zeros(1), np.ones((1, 1)), np.zeros(1))
    x = rng.normal(size=(1, 3, 3, 2))
    conv = np.array(
        [
            [(x[0, i : i + 2, j : j + 2, :] * w.kernel[..., 0]).sum() for j in range(2)]
            for i in range(2)
        ]
    )
    np.testing.assert_allclose(small_cnn_forward(x, w), [[np.maximum(conv, 0).mean()]], atol=1e-14)


def test_torch_model_holds_the_kernel_transposed():
    w = init_small_cnn(np.random.default_rng(2))
    model = torch_cnn.build_small_cnn(w)
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), w.kernel.transpose(3, 2, 0, 1))
    np.testing.assert_array_equal(model[4].weight.detach().numpy(), w.dense.T)


def test_bad_weights_and_inputs_are_rejected():
    w = init_small_cnn(np.random.default_rng(3))
    with pytest.raises(ValueError, match=r"kernel must have shape \(k, k, C_in, F\)"):
        SmallCNNWeights(np.ones((3, 2, 1, 8)), w.conv_bias, w.dense, w.dense_bias)
    with pytest.raises(ValueError, match=r"conv_bias must be \(8,\)"):
        SmallCNNWeights(w.kernel, np.ones(3), w.dense, w.dense_bias)
    with pytest.raises(ValueError, match=r"dense_bias must be \(10,\)"):
        SmallCNNWeights(w.kernel, w.conv_bias, w.dense, np.ones(3))
    with pytest.raises(ValueError, match=r"x must have shape \(N, H>=3, W>=3, 1\)"):
        small_cnn_forward(np.ones((2, 8, 8, 3)), w)
    with pytest.raises(ValueError, match="filters must be a positive int"):
        init_small_cnn(np.random.default_rng(0), filters=0)
