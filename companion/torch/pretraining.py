"""The MLM loss and its gradient from PyTorch's ``cross_entropy(ignore_index=-100)`` and autograd.

Explained in chapter "Pre-training objectives" (book/03_math/pretraining_objectives).
``mlm_loss`` and ``mlm_loss_grad`` have the same names and signatures as
:mod:`companion.tf.pretraining`. :class:`MaskedLMCollator`, the batches of masked sentences
for pre-training, is used in chapter "Pre-training a tiny BERT from scratch"
(book/04_practice/tiny_bert).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike

from companion.maths.pretraining import IGNORE_INDEX, as_mlm_labels, mask_tokens
from companion.maths.validate import as_logits
from companion.torch.autodiff import grad_of_sum

__all__ = ["MaskedLMCollator", "mlm_loss", "mlm_loss_grad"]


def _inputs(logits: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, torch.Tensor]:
    z = as_logits(logits, min_ndim=2)  # (..., T, V), validated like the NumPy reference
    y = as_mlm_labels(labels, z.shape)
    return z, torch.tensor(y, dtype=torch.long)


def _loss(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # Flatten positions: (P, V) against (P,); ignored labels drop out of the mean.
    return torch.nn.functional.cross_entropy(
        z.reshape(-1, z.shape[-1]), y.reshape(-1), ignore_index=IGNORE_INDEX
    )


def mlm_loss(logits: ArrayLike, labels: ArrayLike) -> float:
    """Mean cross-entropy over the masked positions, by ``torch.nn.functional.cross_entropy``.

    Parameters
    ----------
    logits : array_like, shape (..., T, V)
    labels : array_like of int, shape (..., T), -100 where not masked

    Returns
    -------
    float

    Examples
    --------
    >>> round(mlm_loss(np.zeros((1, 2, 4)), [[1, -100]]), 6)
    1.386294
    """
    z, y = _inputs(logits, labels)
    return float(_loss(torch.tensor(z, dtype=torch.float64), y))


def mlm_loss_grad(logits: ArrayLike, labels: ArrayLike) -> np.ndarray:
    """Gradient of :func:`mlm_loss` with respect to the logits, by PyTorch autograd.

    Parameters
    ----------
    logits : array_like, shape (..., T, V)
    labels : array_like of int, shape (..., T)

    Returns
    -------
    numpy.ndarray
        Shaped like ``logits``, float64.

    Examples
    --------
    >>> mlm_loss_grad(np.zeros((2, 2)), [-100, 1]).tolist()
    [[0.0, 0.0], [0.5, -0.5]]
    """
    z, y = _inputs(logits, labels)
    return grad_of_sum(lambda z_t: _loss(z_t, y), z)


class MaskedLMCollator:
    """A ``collate_fn`` that pads token-id lists to the longest of the batch and masks them.

    Masking is :func:`companion.maths.pretraining.mask_tokens` (15% of the ordinary tokens
    chosen; of those 80% ``[MASK]``, 10% a random token, 10% unchanged), drawn from a NumPy
    generator, so a seeded run masks the same positions on every machine. Padding and the
    tokenizer's special tokens are never chosen. A new draw is made for every batch: an
    epoch seen twice is masked differently (BERT's original recipe fixed the masks in
    advance; drawing them afresh is RoBERTa's "dynamic masking").

    Parameters
    ----------
    tokenizer
        A Hugging Face tokenizer with ``pad_token_id`` and ``mask_token_id``, e.g. from
        :func:`companion.nlp.wordpiece.train_wordpiece`; its length is the vocabulary size.
    rng : numpy.random.Generator
        Source of the masks (e.g. ``rt.rng(1)``).
    mask_prob, random_prob, keep_prob : float
        Passed to :func:`~companion.maths.pretraining.mask_tokens`.

    Raises
    ------
    ValueError
        If the tokenizer lacks a padding or mask token, or (when called) the batch is empty
        or holds an empty sequence.

    Examples
    --------
    >>> from companion.nlp.wordpiece import train_wordpiece
    >>> tok = train_wordpiece(["profit rose", "sales fell"] * 5, vocab_size=40)
    >>> collate = MaskedLMCollator(tok, np.random.default_rng(0), mask_prob=0.5)
    >>> batch = collate([tok("profit rose")["input_ids"], tok("sales")["input_ids"]])
    >>> {name: tuple(value.shape) for name, value in batch.items()}
    {'input_ids': (2, 4), 'attention_mask': (2, 4), 'labels': (2, 4)}
    >>> batch["attention_mask"].tolist()
    [[1, 1, 1, 1], [1, 1, 1, 0]]
    """

    def __init__(
        self,
        tokenizer: Any,
        rng: np.random.Generator,
        *,
        mask_prob: float = 0.15,
        random_prob: float = 0.1,
        keep_prob: float = 0.1,
    ) -> None:
        if tokenizer.pad_token_id is None or tokenizer.mask_token_id is None:
            raise ValueError("tokenizer must define a padding token and a mask token")
        self.pad_id = int(tokenizer.pad_token_id)
        self.options = {
            "mask_token_id": int(tokenizer.mask_token_id),
            "vocab_size": len(tokenizer),
            "special_ids": tuple(sorted(tokenizer.all_special_ids)),
            "mask_prob": mask_prob,
            "random_prob": random_prob,
            "keep_prob": keep_prob,
        }
        self.rng = rng

    def __call__(self, batch: Sequence[Sequence[int]]) -> dict[str, torch.Tensor]:
        """``[ids, ...]`` -> ``input_ids``, ``attention_mask``, ``labels``, each (B, T) int64."""
        if len(batch) == 0 or min(len(ids) for ids in batch) == 0:
            raise ValueError("batch must hold at least one non-empty sequence of token ids")
        width = max(len(ids) for ids in batch)  # dynamic padding: the longest of this batch
        ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
        attention = np.zeros((len(batch), width), dtype=np.int64)
        for row, sequence in enumerate(batch):
            ids[row, : len(sequence)] = sequence
            attention[row, : len(sequence)] = 1
        corrupted, labels = mask_tokens(ids, self.rng, **self.options)
        return {
            "input_ids": torch.from_numpy(corrupted),
            "attention_mask": torch.from_numpy(attention),
            "labels": torch.from_numpy(labels.astype(np.int64)),
        }
