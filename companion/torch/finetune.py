"""Fine-tuning a pretrained encoder to classify sentences: the model, its batches, its collation.

Explained in chapter "Fine-tuning a pretrained encoder for financial sentiment"
(book/04_practice/finetune_sentiment).

- :class:`SentenceClassifier`: an encoder such as all-MiniLM-L6-v2 (from
  :func:`companion.torch.encoders.load_encoder`), mean pooling over the real tokens, dropout and
  one linear layer giving logits. Every weight, the encoder's included, is trained.
- :class:`LengthGroupedBatches`: a ``batch_sampler`` for ``torch.utils.data.DataLoader`` that
  puts sentences of similar length together, so that padding each batch to its longest
  sentence (dynamic padding) wastes little computation, and that draws a fresh order every
  epoch from a NumPy generator.
- :func:`collate_sentences`: turns a list of ``(sentence, label)`` pairs into padded tensors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import nn

from companion.torch.encoders import mean_pool

__all__ = ["LengthGroupedBatches", "SentenceClassifier", "collate_sentences"]


class SentenceClassifier(nn.Module):
    """Logits for sentence classes from a transformer encoder with mean pooling.

    Parameters
    ----------
    encoder : torch.nn.Module
        A Hugging Face encoder (e.g. ``BertModel``) returning ``last_hidden_state``; its
        ``config.hidden_size`` sets the width of the classifier.
    n_classes : int
        Number of classes, at least 2.
    dropout : float
        Dropout on the pooled sentence vector during training, in ``[0, 1)``.

    Raises
    ------
    ValueError
        If ``n_classes`` < 2 or ``dropout`` is outside ``[0, 1)``.

    Examples
    --------
    >>> from companion.torch.encoders import load_encoder
    >>> tokenizer, encoder = load_encoder(pretrained=False)
    >>> model = SentenceClassifier(encoder, n_classes=3).eval()
    >>> batch = tokenizer(["Profit rose.", "Sales fell."], padding=True, return_tensors="pt")
    >>> tuple(model(batch["input_ids"], batch["attention_mask"]).shape)
    (2, 3)
    """

    def __init__(self, encoder: nn.Module, n_classes: int, *, dropout: float = 0.1) -> None:
        super().__init__()
        if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
            raise ValueError(
                f"n_classes must be an int of at least 2 (got n_classes={n_classes!r})"
            )
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must lie in [0, 1) (got dropout={dropout})")
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.config.hidden_size, n_classes)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """``input_ids``, ``attention_mask``: (B, T) -> logits (B, n_classes)."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        pooled = mean_pool(hidden, attention_mask)  # (B, H)
        return self.head(self.dropout(pooled))


class LengthGroupedBatches(torch.utils.data.Sampler):
    """Index batches of similar lengths, in a new random order every epoch.

    Each epoch sorts the items by length with random tie-breaking, cuts the sorted list into
    batches of ``batch_size`` (the last may be smaller) and yields them in random order. Every
    item appears exactly once per epoch.

    Parameters
    ----------
    lengths : array_like of int, shape (N,)
        Length of each item, e.g. its number of tokens.
    batch_size : int
        Items per batch, at least 1.
    rng : numpy.random.Generator
        Source of the random order (e.g. ``rt.rng()``); drawn from once per epoch.

    Raises
    ------
    ValueError
        If ``lengths`` is not a non-empty 1-D array or ``batch_size`` < 1.

    Examples
    --------
    >>> sampler = LengthGroupedBatches([5, 1, 4, 2], batch_size=2, rng=np.random.default_rng(0))
    >>> sorted(sorted(batch) for batch in sampler)
    [[0, 2], [1, 3]]
    """

    def __init__(self, lengths: ArrayLike, batch_size: int, rng: np.random.Generator) -> None:
        self.lengths = np.asarray(lengths)
        if self.lengths.ndim != 1 or len(self.lengths) == 0:
            raise ValueError(
                f"lengths must be a non-empty 1-D array (got shape {self.lengths.shape})"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int (got batch_size={batch_size!r})")
        self.batch_size = batch_size
        self.rng = rng

    def __len__(self) -> int:
        return math.ceil(len(self.lengths) / self.batch_size)

    def __iter__(self) -> Iterator[list[int]]:
        tie_break = self.rng.random(len(self.lengths))
        order = np.lexsort((tie_break, self.lengths))  # by length, then at random
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        for j in self.rng.permutation(len(batches)):
            yield batches[j].tolist()


def collate_sentences(
    tokenizer: Any, *, max_length: int = 64
) -> Callable[[Sequence[tuple[str, int]]], dict[str, torch.Tensor]]:
    """A ``collate_fn`` that tokenizes a batch and pads it to its longest sentence.

    Parameters
    ----------
    tokenizer
        A Hugging Face tokenizer.
    max_length : int
        Sentences are truncated to this many tokens (special tokens included), at least 2.

    Returns
    -------
    callable
        Maps ``[(sentence, label), ...]`` to ``{"input_ids": (B, T), "attention_mask": (B, T),
        "labels": (B,)}`` with ``T`` the longest (truncated) sentence of the batch.

    Raises
    ------
    ValueError
        If ``max_length`` < 2.

    Examples
    --------
    >>> from companion.torch.encoders import load_encoder
    >>> tokenizer, _ = load_encoder(pretrained=False)
    >>> batch = collate_sentences(tokenizer)([("Profit rose.", 2), ("Sales fell sharply.", 0)])
    >>> batch["input_ids"].shape[0], batch["labels"].tolist()
    (2, [2, 0])
    """
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 2:
        raise ValueError(f"max_length must be an int of at least 2 (got max_length={max_length!r})")

    def collate(items: Sequence[tuple[str, int]]) -> dict[str, torch.Tensor]:
        sentences, labels = zip(*items, strict=True)
        encoded = tokenizer(
            list(sentences),
            padding=True,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
        )
        return {
            "input_ids": encoded["input_ids"],
            "attention_mask": encoded["attention_mask"],
            "labels": torch.tensor(labels, dtype=torch.long),
        }

    return collate
