"""companion.maths.pretraining: MLM and NSP losses against PyTorch, Keras and BertForPreTraining."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from companion.maths import numerical_gradient
from companion.maths.pretraining import (
    IGNORE_INDEX,
    mask_tokens,
    mlm_loss,
    mlm_loss_grad,
    nsp_loss,
    prediction_entropy,
    pretraining_loss,
)

pytest.importorskip("torch")
pytest.importorskip("tensorflow")
import companion.tf.pretraining as tf_pre  # noqa: E402
import companion.torch.pretraining as torch_pre  # noqa: E402

FRAMEWORKS = [torch_pre, tf_pre]
finite = st.floats(-20, 20, allow_nan=False, allow_infinity=False)


@st.composite
def masked_batch(draw):
    b, t, v = draw(st.integers(1, 3)), draw(st.integers(1, 5)), draw(st.integers(2, 6))
    z = draw(arrays(np.float64, (b, t, v), elements=finite))
    tokens = np.array(draw(st.lists(st.integers(0, v - 1), min_size=b * t, max_size=b * t)))
    chosen = np.array(draw(st.lists(st.booleans(), min_size=b * t, max_size=b * t)))
    chosen[draw(st.integers(0, b * t - 1))] = True  # at least one masked position
    return z, np.where(chosen, tokens, IGNORE_INDEX).reshape(b, t)


@pytest.fixture
def batch():
    rng = np.random.default_rng(7)
    z = rng.normal(size=(3, 6, 11)) * 3  # (B, T, V)
    labels = np.where(rng.random((3, 6)) < 0.4, rng.integers(0, 11, (3, 6)), IGNORE_INDEX)
    labels[0, 0] = 4
    return z, labels


@given(masked_batch())
def test_mlm_loss_is_non_negative_and_ignores_unmasked_logits(zl):
    z, labels = zl
    assert mlm_loss(z, labels) >= 0
    changed = z.copy()
    changed[labels == IGNORE_INDEX] += 100.0  # logits nobody predicts from
    assert mlm_loss(changed, labels) == pytest.approx(mlm_loss(z, labels), abs=1e-12)


@given(masked_batch())
def test_mlm_gradient_is_zero_off_mask_and_rows_sum_to_zero(zl):
    z, labels = zl
    grad = mlm_loss_grad(z, labels)
    assert grad.shape == z.shape
    assert (grad[labels == IGNORE_INDEX] == 0).all()
    np.testing.assert_allclose(grad.sum(axis=-1), 0.0, atol=1e-12)


def test_mlm_gradient_matches_finite_differences(batch):
    z, labels = batch
    fd = numerical_gradient(lambda v: mlm_loss(v, labels), z)
    np.testing.assert_allclose(mlm_loss_grad(z, labels), fd, atol=1e-8)


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=["torch", "tensorflow"])
def test_mlm_loss_and_gradient_equal_framework_oracles(fw, batch):
    z, labels = batch
    assert fw.mlm_loss(z, labels) == pytest.approx(mlm_loss(z, labels), abs=1e-12)
    np.testing.assert_allclose(fw.mlm_loss_grad(z, labels), mlm_loss_grad(z, labels), atol=1e-14)


@pytest.mark.parametrize("fw", FRAMEWORKS, ids=["torch", "tensorflow"])
def test_framework_versions_give_the_same_errors(fw):
    with pytest.raises(ValueError, match="no masked position"):
        fw.mlm_loss(np.zeros((1, 2, 3)), [[IGNORE_INDEX, IGNORE_INDEX]])


def test_entropy_does_not_depend_on_the_true_tokens(batch):
    z, labels = batch
    other = np.where(labels == IGNORE_INDEX, IGNORE_INDEX, (labels + 1) % z.shape[-1])
    assert prediction_entropy(z, other) == pytest.approx(prediction_entropy(z, labels))
    assert abs(mlm_loss(z, other) - mlm_loss(z, labels)) > 0.1


def test_confident_wrong_prediction_has_zero_entropy_but_large_loss():
    z = np.array([[50.0, 0.0, 0.0]])  # all mass on token 0
    assert prediction_entropy(z, [2]) < 1e-15
    assert mlm_loss(z, [2]) == pytest.approx(50.0)


def test_nsp_loss_is_two_class_cross_entropy():
    z = np.array([[1.0, -1.0], [0.5, 2.0]])
    expected = -np.mean([np.log(1 / (1 + np.exp(-2.0))), np.log(1 / (1 + np.exp(-1.5)))])
    assert nsp_loss(z, [0, 1]) == pytest.approx(expected)


def test_pretraining_loss_equals_bert_for_pretraining():
    transformers = pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=16,
    )
    model = transformers.BertForPreTraining(config).eval()
    ids = torch.randint(5, 50, (2, 10))
    labels = torch.full_like(ids, IGNORE_INDEX)
    labels[0, 2], labels[1, 4], labels[1, 7] = ids[0, 2], ids[1, 4], ids[1, 7]
    nsp_labels = torch.tensor([0, 1])
    with torch.no_grad():
        out = model(input_ids=ids, labels=labels, next_sentence_label=nsp_labels)
    ours = pretraining_loss(
        out.prediction_logits.double().numpy(),
        labels.numpy(),
        out.seq_relationship_logits.double().numpy(),
        nsp_labels.numpy(),
    )
    assert ours == pytest.approx(float(out.loss), abs=1e-5)


def test_mask_tokens_rates_and_labels():
    rng = np.random.default_rng(0)
    ids = rng.integers(4, 1000, size=(200, 100))
    ids[:, 0] = 1  # [CLS]
    corrupted, labels = mask_tokens(
        ids, rng, mask_token_id=3, vocab_size=1000, special_ids=(0, 1, 2, 3)
    )
    chosen = labels != IGNORE_INDEX
    assert not chosen[:, 0].any(), "special tokens are never chosen"
    assert (labels[chosen] == ids[chosen]).all()
    assert (corrupted[~chosen] == ids[~chosen]).all()
    assert chosen[:, 1:].mean() == pytest.approx(0.15, abs=0.01)
    assert (corrupted[chosen] == 3).mean() == pytest.approx(0.8, abs=0.02)
    assert (corrupted[chosen] == ids[chosen]).mean() == pytest.approx(0.1, abs=0.02)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: mlm_loss(np.zeros((1, 2, 3)), [[-100, -100]]), "no masked position"),
        (lambda: mlm_loss(np.zeros((1, 2, 3)), [[3, -100]]), r"labels must lie in \[0, 3\)"),
        (lambda: mlm_loss(np.zeros((1, 2, 3)), [1, 2]), "labels must be integers of shape"),
        (lambda: mlm_loss(np.zeros((1, 2, 3)), [[0.5, -100]]), "labels must be integers"),
        (lambda: nsp_loss(np.zeros((2, 3)), [0, 1]), r"shape \(B, 2\)"),
        (lambda: nsp_loss(np.zeros((2, 2)), [0, 2]), r"labels in \{0, 1\}"),
        (
            lambda: mask_tokens(
                np.ones((1, 3), int),
                np.random.default_rng(0),
                mask_token_id=0,
                vocab_size=5,
                mask_prob=1.5,
            ),
            r"mask_prob must lie in \(0, 1\)",
        ),
        (
            lambda: mask_tokens(
                np.full((1, 3), 9), np.random.default_rng(0), mask_token_id=0, vocab_size=5
            ),
            r"input_ids must lie in \[0, vocab_size=5\)",
        ),
    ],
)
def test_bad_input_is_named_in_the_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
