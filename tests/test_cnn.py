"""companion.maths.cnn: the digit CNN's configuration, initialisation and NumPy forward pass."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.maths.cnn import (
    ARTICLE_000,
    ARTICLE_002,
    DigitCNNConfig,
    check_digit_cnn_weights,
    digit_cnn_forward,
    init_digit_cnn,
)


def test_parameter_counts_of_the_articles_networks():
    # 000: conv 3*3*32+32, dense 13*13*32*128+128, output 128*10+10; 002 adds a 64-filter block.
    assert ARTICLE_000.n_parameters == 320 + 692_352 + 1_290 == 693_962
    assert ARTICLE_002.n_parameters == 320 + 18_496 + 204_928 + 1_290 == 225_034
    assert ARTICLE_000.feature_shape == (13, 13, 32)
    assert ARTICLE_002.feature_shape == (5, 5, 64)


def test_odd_feature_maps_are_floored_like_the_frameworks():
    # (29 - 4 + 1) // 3 = 8, then (8 - 4 + 1) // 3 = 1
    config = DigitCNNConfig(image_size=29, conv_filters=(4, 5), kernel_size=4, pool_size=3)
    assert config.feature_shape == (1, 1, 5)


def test_glorot_initialisation_bounds_variance_and_zero_biases():
    weights = init_digit_cnn(ARTICLE_000, np.random.default_rng(0))
    kernel = weights["dense.kernel"]  # (5408, 128)
    limit = np.sqrt(6 / (5408 + 128))
    assert np.abs(kernel).max() <= limit
    assert kernel.var() == pytest.approx(limit**2 / 3, rel=0.01)  # variance of U(-a, a)
    conv_limit = np.sqrt(6 / (9 * 1 + 9 * 32))  # fans include the 3x3 receptive field
    assert np.abs(weights["conv1.kernel"]).max() <= conv_limit
    assert np.abs(weights["conv1.kernel"]).max() > 0.9 * conv_limit
    assert all(not weights[k].any() for k in weights if k.endswith(".bias"))


def test_initialisation_is_seeded():
    a = init_digit_cnn(ARTICLE_002, np.random.default_rng(3))
    b = init_digit_cnn(ARTICLE_002, np.random.default_rng(3))
    assert all(np.array_equal(a[k], b[k]) for k in a)


def _small_configs():
    return st.builds(
        DigitCNNConfig,
        image_size=st.integers(12, 16),
        channels=st.integers(1, 3),
        conv_filters=st.lists(st.integers(1, 4), min_size=1, max_size=2).map(tuple),
        kernel_size=st.integers(1, 3),
        pool_size=st.integers(1, 2),
        dense_units=st.integers(1, 5),
        n_classes=st.integers(2, 4),
    )


@given(config=_small_configs(), seed=st.integers(0, 2**16))
def test_forward_equals_a_loop_over_pixels(config, seed):
    rng = np.random.default_rng(seed)
    weights = {k: rng.normal(size=s) for k, s in config.weight_shapes().items()}
    x = rng.random((2, config.image_size, config.image_size, config.channels))
    h = x
    k, p = config.kernel_size, config.pool_size
    for i in range(1, len(config.conv_filters) + 1):
        kernel, bias = weights[f"conv{i}.kernel"], weights[f"conv{i}.bias"]
        side = h.shape[1] - k + 1
        out = np.zeros((2, side, side, kernel.shape[-1]))
        for r in range(side):
            for c in range(side):
                patch = h[:, r : r + k, c : c + k, :]  # (2, k, k, C_in)
                out[:, r, c] = np.tensordot(patch, kernel, axes=3) + bias
        out = np.maximum(out, 0)
        s = side // p
        h = np.zeros((2, s, s, out.shape[-1]))
        for r in range(s):
            for c in range(s):
                h[:, r, c] = out[:, r * p : r * p + p, c * p : c * p + p].max(axis=(1, 2))
    h = np.maximum(h.reshape(2, -1) @ weights["dense.kernel"] + weights["dense.bias"], 0)
    expected = h @ weights["output.kernel"] + weights["output.bias"]
    np.testing.assert_allclose(digit_cnn_forward(config, weights, x), expected, atol=1e-10)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"image_size": 0}, ValueError, "image_size must be positive"),
        ({"dense_units": 2.0}, TypeError, "dense_units must be an int"),
        ({"n_classes": True}, TypeError, "n_classes must be an int"),
        ({"conv_filters": [32]}, TypeError, "conv_filters must be a non-empty tuple"),
        ({"conv_filters": ()}, TypeError, "conv_filters must be a non-empty tuple"),
        ({"conv_filters": (32, -1)}, ValueError, "conv_filters entries must be positive"),
        (
            {"image_size": 8, "conv_filters": (4, 4, 4)},
            ValueError,
            "image_size=8 is too small for 3 conv blocks: the feature map vanishes after block 2",
        ),
    ],
)
def test_bad_configs_are_rejected(kwargs, error, message):
    with pytest.raises(error, match=message):
        DigitCNNConfig(**kwargs)


def test_weights_must_match_the_config():
    weights = init_digit_cnn(ARTICLE_000, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"missing \['conv2.bias', 'conv2.kernel'\]"):
        check_digit_cnn_weights(ARTICLE_002, weights)
    weights["output.bias"] = np.zeros(9)
    with pytest.raises(ValueError, match=r"weights\['output.bias'\] must have shape \(10,\)"):
        check_digit_cnn_weights(ARTICLE_000, weights)


def test_forward_rejects_images_of_the_wrong_shape():
    weights = init_digit_cnn(ARTICLE_000, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"images must have shape \(N, 28, 28, 1\)"):
        digit_cnn_forward(ARTICLE_000, weights, np.zeros((2, 1, 28, 28)))


def test_init_rejects_a_non_config():
    with pytest.raises(TypeError, match="config must be a DigitCNNConfig"):
        init_digit_cnn({"conv_filters": (32,)}, np.random.default_rng(0))
