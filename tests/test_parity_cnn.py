"""The digit CNN in PyTorch and in Keras: same parameters, same outputs, same gradients."""

from __future__ import annotations

import numpy as np
import pytest

from companion.maths.cnn import (
    ARTICLE_000,
    ARTICLE_002,
    DigitCNNConfig,
    digit_cnn_forward,
    init_digit_cnn,
)

torch = pytest.importorskip("torch")
tf = pytest.importorskip("tensorflow")
import companion.tf.cnn as kcnn  # noqa: E402
import companion.torch.cnn as tcnn  # noqa: E402

CONFIGS = [
    ARTICLE_000,
    ARTICLE_002,
    DigitCNNConfig(image_size=29, channels=2, conv_filters=(4, 5), kernel_size=4, pool_size=3),
]
IDS = ["article-000", "article-002", "odd-sizes"]


def _weights_and_images(config, seed=0):
    rng = np.random.default_rng(seed)
    weights = init_digit_cnn(config, rng)
    weights = {k: v + 0.05 * rng.normal(size=v.shape) for k, v in weights.items()}  # biases too
    images = rng.random((6, config.image_size, config.image_size, config.channels))
    return weights, images


def _both(config, weights, dtype="float64"):
    model_torch = tcnn.digit_cnn(config, dtype=dtype)
    model_keras = kcnn.digit_cnn(config, dtype=dtype)
    tcnn.set_digit_cnn_weights(model_torch, config, weights)
    kcnn.set_digit_cnn_weights(model_keras, config, weights)
    return model_torch, model_keras


def _torch_logits(model, images):
    x = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))  # NHWC -> NCHW
    return model(x.to(next(model.parameters()).dtype)).detach().double().numpy()


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_parameter_counts_are_equal(config):
    model_torch, model_keras = tcnn.digit_cnn(config), kcnn.digit_cnn(config)
    n_torch = sum(p.numel() for p in model_torch.parameters())
    assert n_torch == model_keras.count_params() == config.n_parameters


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_identical_weights_give_identical_logits(config):
    weights, images = _weights_and_images(config)
    model_torch, model_keras = _both(config, weights)
    reference = digit_cnn_forward(config, weights, images)
    np.testing.assert_allclose(_torch_logits(model_torch, images), reference, atol=1e-12)
    np.testing.assert_allclose(model_keras(images).numpy(), reference, atol=1e-12)


def test_float32_models_agree_to_single_precision():
    weights, images = _weights_and_images(ARTICLE_002)
    model_torch, model_keras = _both(ARTICLE_002, weights, dtype="float32")
    out_torch = _torch_logits(model_torch, images.astype(np.float32))
    out_keras = model_keras(images.astype(np.float32)).numpy()
    np.testing.assert_allclose(out_torch, out_keras, atol=1e-4)
    assert model_keras.layers[0].kernel.dtype == "float32"


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_weights_round_trip_through_both_frameworks(config):
    weights, _ = _weights_and_images(config)
    model_torch, model_keras = _both(config, weights)
    for exported in (
        tcnn.get_digit_cnn_weights(model_torch, config),
        kcnn.get_digit_cnn_weights(model_keras, config),
    ):
        assert exported.keys() == weights.keys()
        assert all(np.array_equal(exported[k], weights[k]) for k in weights)


def test_gradients_of_the_loss_are_equal():
    # One training step is the same in both frameworks: equal gradients in canonical layout.
    config = ARTICLE_002
    weights, images = _weights_and_images(config, seed=1)
    labels = np.arange(len(images)) % config.n_classes
    model_torch, model_keras = _both(config, weights)

    x = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
    loss = torch.nn.functional.cross_entropy(model_torch(x), torch.from_numpy(labels))
    loss.backward()
    grads_torch = tcnn.get_digit_cnn_weights(_with_grads_as_weights(model_torch, config), config)

    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")
    with tf.GradientTape() as tape:
        loss_keras = loss_fn(labels, model_keras(images))
    grads = tape.gradient(loss_keras, model_keras.trainable_variables)
    names = [
        f"{layer.name}.{part}"
        for layer in model_keras.layers
        if layer.weights
        for part in ("kernel", "bias")
    ]
    grads_keras = {name: g.numpy() for name, g in zip(names, grads, strict=True)}

    assert float(loss.detach()) == pytest.approx(float(loss_keras), abs=1e-12)
    for name in grads_keras:
        np.testing.assert_allclose(grads_torch[name], grads_keras[name], atol=1e-12, err_msg=name)


def _with_grads_as_weights(model, config):
    # A copy of the model whose weights are the gradients, exported by the usual permutation.
    copy = tcnn.digit_cnn(config, dtype="float64")
    with torch.no_grad():
        for p_copy, p in zip(copy.parameters(), model.parameters(), strict=True):
            p_copy.copy_(p.grad)
    return copy


@pytest.mark.parametrize("module", [tcnn, kcnn], ids=["torch", "tensorflow"])
def test_both_frameworks_give_the_same_errors(module):
    with pytest.raises(ValueError, match=r"dtype must be one of \['float32', 'float64'\]"):
        module.digit_cnn(ARTICLE_000, dtype="float16")
    with pytest.raises(TypeError, match="config must be a DigitCNNConfig"):
        module.digit_cnn({"conv_filters": (32,)})
    model = module.digit_cnn(ARTICLE_000)
    weights = init_digit_cnn(ARTICLE_002, np.random.default_rng(0))
    with pytest.raises(ValueError, match="weights do not match the config: missing"):
        module.set_digit_cnn_weights(model, ARTICLE_000, {"conv1.kernel": weights["conv1.kernel"]})
