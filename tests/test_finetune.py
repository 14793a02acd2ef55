"""companion.torch.finetune: length-grouped batches, dynamic padding, the sentence classifier."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
import companion.torch.encoders as encoders  # noqa: E402
import companion.torch.finetune as finetune  # noqa: E402

LengthGroupedBatches = finetune.LengthGroupedBatches
SentenceClassifier = finetune.SentenceClassifier
collate_sentences = finetune.collate_sentences


@pytest.fixture(scope="module")
def tokenizer_and_encoder():
    return encoders.load_encoder(pretrained=False, seed=0)


@given(
    lengths=st.lists(st.integers(1, 80), min_size=1, max_size=200),
    batch_size=st.integers(1, 40),
    seed=st.integers(0, 1000),
)
def test_every_item_appears_once_per_epoch_in_batches_of_the_given_size(lengths, batch_size, seed):
    sampler = LengthGroupedBatches(lengths, batch_size, np.random.default_rng(seed))
    batches = list(sampler)
    assert len(batches) == len(sampler) == -(-len(lengths) // batch_size)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    assert sum(len(b) < batch_size for b in batches) <= 1  # only the last cut can be short


def test_batches_hold_similar_lengths_so_padding_is_small():
    rng = np.random.default_rng(0)
    lengths = rng.integers(5, 90, size=1000)
    grouped = list(LengthGroupedBatches(lengths, 32, np.random.default_rng(1)))
    shuffled = np.array_split(rng.permutation(1000), len(grouped))

    def padding(batches):  # tokens added to pad each batch to its longest item
        return sum(int(lengths[b].max()) * len(b) - int(lengths[b].sum()) for b in batches)

    assert padding(grouped) < 0.05 * padding(shuffled)


def test_order_is_seeded_and_changes_from_epoch_to_epoch():
    lengths = np.repeat([10, 20, 30, 40], 16)
    a = LengthGroupedBatches(lengths, 8, np.random.default_rng(3))
    b = LengthGroupedBatches(lengths, 8, np.random.default_rng(3))
    first_a, first_b = list(a), list(b)
    assert first_a == first_b
    assert list(a) != first_a  # the second epoch draws a new order


@pytest.mark.parametrize(
    ("lengths", "batch_size", "message"),
    [
        ([], 4, "lengths must be a non-empty 1-D array"),
        ([[1, 2]], 4, "lengths must be a non-empty 1-D array"),
        ([1, 2], 0, "batch_size must be a positive int"),
        ([1, 2], 2.0, "batch_size must be a positive int"),
    ],
)
def test_sampler_rejects_bad_arguments(lengths, batch_size, message):
    with pytest.raises(ValueError, match=message):
        LengthGroupedBatches(lengths, batch_size, np.random.default_rng(0))


def test_collate_pads_to_the_longest_sentence_and_truncates(tokenizer_and_encoder):
    tokenizer, _ = tokenizer_and_encoder
    items = [("Profit rose.", 2), ("Net sales fell by a third in the quarter.", 0), ("Up.", 1)]
    n_tokens = [len(tokenizer(s)["input_ids"]) for s, _ in items]
    batch = collate_sentences(tokenizer, max_length=64)(items)
    assert batch["input_ids"].shape == (3, max(n_tokens))
    assert batch["attention_mask"].sum(dim=1).tolist() == n_tokens
    assert batch["labels"].dtype == torch.long and batch["labels"].tolist() == [2, 0, 1]
    short = collate_sentences(tokenizer, max_length=5)(items)
    assert short["input_ids"].shape == (3, 5)
    assert short["input_ids"][1, -1].item() == tokenizer.sep_token_id  # truncated, still closed


@pytest.mark.parametrize("max_length", [1, 0, 2.5, True])
def test_collate_rejects_bad_max_length(tokenizer_and_encoder, max_length):
    with pytest.raises(ValueError, match="max_length must be an int of at least 2"):
        collate_sentences(tokenizer_and_encoder[0], max_length=max_length)


def test_classifier_is_mean_pooling_then_a_linear_layer(tokenizer_and_encoder):
    tokenizer, encoder = tokenizer_and_encoder
    torch.manual_seed(0)
    model = SentenceClassifier(encoder, n_classes=3).eval()
    batch = tokenizer(
        ["Profit rose.", "Operating loss widened sharply."], padding=True, return_tensors="pt"
    )
    with torch.no_grad():
        logits = model(batch["input_ids"], batch["attention_mask"])
        hidden = encoder(**batch).last_hidden_state  # (2, T, 384)
        mask = batch["attention_mask"].unsqueeze(-1).float()
        by_hand = ((hidden * mask).sum(1) / mask.sum(1)) @ model.head.weight.T + model.head.bias
    torch.testing.assert_close(logits, by_hand, atol=1e-5, rtol=1e-5)
    # Padding must not change a sentence's logits.
    alone = tokenizer(["Profit rose."], return_tensors="pt")
    with torch.no_grad():
        single = model(alone["input_ids"], alone["attention_mask"])
    torch.testing.assert_close(single[0], logits[0], atol=1e-5, rtol=1e-5)


def test_training_reaches_the_encoder(tokenizer_and_encoder):
    tokenizer, encoder = tokenizer_and_encoder
    model = SentenceClassifier(encoder, n_classes=3).train()
    batch = collate_sentences(tokenizer)([("Profit rose.", 2), ("Sales fell.", 0)])
    loss = torch.nn.functional.cross_entropy(
        model(batch["input_ids"], batch["attention_mask"]), batch["labels"]
    )
    model.zero_grad()
    loss.backward()
    first_layer = encoder.encoder.layer[0].attention.self.query.weight
    assert first_layer.grad is not None and first_layer.grad.abs().sum() > 0
    model.zero_grad()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_classes": 1}, "n_classes must be an int of at least 2"),
        ({"n_classes": 3.0}, "n_classes must be an int of at least 2"),
        ({"n_classes": 3, "dropout": 1.0}, r"dropout must lie in \[0, 1\)"),
    ],
)
def test_classifier_rejects_bad_arguments(tokenizer_and_encoder, kwargs, message):
    with pytest.raises(ValueError, match=message):
        SentenceClassifier(tokenizer_and_encoder[1], **kwargs)
