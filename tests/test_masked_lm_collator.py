"""MLM batches: mask_tokens' replacement shares and companion.torch.pretraining.MaskedLMCollator."""

from __future__ import annotations

import numpy as np
import pytest

from companion.maths.pretraining import IGNORE_INDEX, mask_tokens

torch = pytest.importorskip("torch")
from companion.nlp.wordpiece import train_wordpiece  # noqa: E402
from companion.torch.pretraining import MaskedLMCollator  # noqa: E402

SENTENCES = ["profit rose", "net sales fell sharply", "the company said", "shares rose"] * 5


@pytest.fixture(scope="module")
def tokenizer():
    return train_wordpiece(SENTENCES, 60)


def test_default_shares_are_berts_80_10_10_and_unchanged_by_the_new_arguments():
    ids = np.random.default_rng(1).integers(4, 1000, size=(300, 100))
    kwargs = {"mask_token_id": 3, "vocab_size": 1000, "special_ids": (0, 1, 2, 3)}
    old = mask_tokens(ids, np.random.default_rng(2), **kwargs)
    new = mask_tokens(ids, np.random.default_rng(2), **kwargs, random_prob=0.1, keep_prob=0.1)
    assert all(np.array_equal(a, b) for a, b in zip(old, new, strict=True))
    corrupted, labels = old
    chosen = labels != IGNORE_INDEX
    assert abs(chosen.mean() - 0.15) < 0.01
    assert abs((corrupted[chosen] == 3).mean() - 0.8) < 0.02
    assert abs((corrupted[chosen] == ids[chosen]).mean() - 0.1) < 0.02


def test_zero_random_and_keep_shares_mask_every_chosen_position():
    ids = np.random.default_rng(3).integers(4, 50, size=(40, 30))
    corrupted, labels = mask_tokens(
        ids, np.random.default_rng(4), mask_token_id=3, vocab_size=50, random_prob=0, keep_prob=0
    )
    chosen = labels != IGNORE_INDEX
    assert chosen.any() and (corrupted[chosen] == 3).all()
    assert (corrupted[~chosen] == ids[~chosen]).all()


@pytest.mark.parametrize(
    ("random_prob", "keep_prob"), [(-0.1, 0.1), (0.1, -0.1), (0.6, 0.5), (float("nan"), 0.1)]
)
def test_bad_replacement_shares_raise(random_prob, keep_prob):
    with pytest.raises(ValueError, match="random_prob"):
        mask_tokens(
            [[5, 6]],
            np.random.default_rng(0),
            mask_token_id=3,
            vocab_size=10,
            random_prob=random_prob,
            keep_prob=keep_prob,
        )


def test_collator_pads_to_the_longest_and_never_masks_padding_or_special_tokens(tokenizer):
    ids = tokenizer(SENTENCES[:8])["input_ids"]
    batch = MaskedLMCollator(tokenizer, np.random.default_rng(0), mask_prob=0.9)(ids)
    width = max(len(x) for x in ids)
    assert {k: tuple(v.shape) for k, v in batch.items()} == {
        "input_ids": (8, width),
        "attention_mask": (8, width),
        "labels": (8, width),
    }
    assert all(v.dtype == torch.int64 for v in batch.values())
    lengths = batch["attention_mask"].sum(dim=1).tolist()
    assert lengths == [len(x) for x in ids]
    labels = batch["labels"]
    for row, sequence in enumerate(ids):
        assert (labels[row, len(sequence) :] == IGNORE_INDEX).all()  # padding
        assert labels[row, 0] == IGNORE_INDEX and labels[row, len(sequence) - 1] == IGNORE_INDEX
        chosen = labels[row, : len(sequence)] != IGNORE_INDEX
        original = torch.tensor(sequence)
        assert (labels[row, : len(sequence)][chosen] == original[chosen]).all()


def test_collator_is_reproducible_from_its_seed(tokenizer):
    ids = tokenizer(SENTENCES)["input_ids"]
    first = MaskedLMCollator(tokenizer, np.random.default_rng(5))(ids)
    second = MaskedLMCollator(tokenizer, np.random.default_rng(5))(ids)
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_collator_batch_feeds_bert_for_masked_lm(tokenizer):
    transformers = pytest.importorskip("transformers")
    config = transformers.BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
    )
    torch.manual_seed(0)
    model = transformers.BertForMaskedLM(config).eval()
    batch = MaskedLMCollator(tokenizer, np.random.default_rng(0), mask_prob=0.5)(
        tokenizer(SENTENCES[:4])["input_ids"]
    )
    loss = model(**batch).loss.item()
    assert abs(loss - np.log(len(tokenizer))) < 0.5  # near a uniform guess at initialisation


def test_collator_rejects_empty_batches_and_tokenizers_without_a_mask(tokenizer):
    collate = MaskedLMCollator(tokenizer, np.random.default_rng(0))
    with pytest.raises(ValueError, match="at least one non-empty sequence"):
        collate([])
    with pytest.raises(ValueError, match="at least one non-empty sequence"):
        collate([[2, 5, 3], []])

    class NoMask:
        pad_token_id, mask_token_id = 0, None

    with pytest.raises(ValueError, match="padding token and a mask token"):
        MaskedLMCollator(NoMask(), np.random.default_rng(0))
