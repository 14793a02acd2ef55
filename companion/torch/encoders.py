"""A pretrained sentence encoder, or the same architecture with random weights, as features.

Explained in chapter "Pre-training and fine-tuning" (book/02_concepts/pretraining_finetuning);
the attention maps of chapter "The Transformer and self-attention" come from the same encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from companion.nlp.models import minilm_dir

__all__ = ["encode", "load_encoder", "mean_pool"]


def load_encoder(
    *, pretrained: bool = True, seed: int = 0, attn_implementation: str = "sdpa"
) -> tuple[Any, torch.nn.Module]:
    """all-MiniLM-L6-v2's tokenizer and encoder, pretrained or freshly initialised.

    Parameters
    ----------
    pretrained : bool
        ``True``: the published weights (SHA-256 checked by
        :func:`companion.nlp.models.minilm_dir`).
        ``False``: the same architecture and tokenizer with transformers' random
        initialisation (normal, std 0.02), drawn from ``seed`` without touching the global
        generator.
    seed : int
        Seed of the random initialisation; ignored when ``pretrained``.
    attn_implementation : str
        ``"sdpa"`` (fast) or ``"eager"`` (needed for ``output_attentions=True``).

    Returns
    -------
    tokenizer, model
        A fast tokenizer and a ``BertModel`` in evaluation mode, on the CPU.

    Raises
    ------
    companion.nlp.models.ModelFilesError
        If the package with the weights is missing or its weights are not the published ones.

    Examples
    --------
    >>> tokenizer, model = load_encoder(pretrained=False)
    >>> model.config.hidden_size, model.training
    (384, False)
    """
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    folder = minilm_dir()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if pretrained:
        model = AutoModel.from_pretrained(folder, attn_implementation=attn_implementation)
    else:
        config = AutoConfig.from_pretrained(folder, attn_implementation=attn_implementation)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = AutoModel.from_config(config)
    return tokenizer, model.eval()


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average the token vectors of each sentence, ignoring padding.

    Parameters
    ----------
    hidden : torch.Tensor, shape (B, T, H)
        The encoder's last hidden states.
    attention_mask : torch.Tensor, shape (B, T)
        1 for real tokens, 0 for padding.

    Returns
    -------
    torch.Tensor, shape (B, H)

    Examples
    --------
    >>> h = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [99.0, 99.0]]])
    >>> mean_pool(h, torch.tensor([[1, 1, 0]])).tolist()
    [[2.0, 3.0]]
    """
    if hidden.ndim != 3 or attention_mask.shape != hidden.shape[:2]:
        raise ValueError(
            f"hidden must be (B, T, H) and attention_mask (B, T) "
            f"(got {tuple(hidden.shape)} and {tuple(attention_mask.shape)})"
        )
    weights = attention_mask.to(hidden.dtype).unsqueeze(-1)  # (B, T, 1)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


@torch.inference_mode()
def encode(
    sentences: Sequence[str],
    tokenizer: Any,
    model: torch.nn.Module,
    *,
    batch_size: int = 64,
    max_length: int = 256,
    device: str = "cpu",
) -> np.ndarray:
    """Mean-pooled sentence embeddings from a frozen encoder.

    Sentences are batched by length (less padding; the result is the same up to rounding)
    and returned in input order.

    Parameters
    ----------
    sentences : sequence of str
    tokenizer, model
        As returned by :func:`load_encoder`.
    batch_size : int
        Sentences per forward pass.
    max_length : int
        Longer sentences are truncated (256 is the length all-MiniLM-L6-v2 was trained with).
    device : str
        Where to run, e.g. ``rt.device``; the model is moved there.

    Returns
    -------
    numpy.ndarray, shape (N, H), float32

    Examples
    --------
    >>> tokenizer, model = load_encoder(pretrained=False)
    >>> encode(["Profit rose.", "Sales fell sharply."], tokenizer, model).shape
    (2, 384)
    """
    if isinstance(sentences, str) or not all(isinstance(s, str) for s in sentences):
        raise TypeError("sentences must be a sequence of strings")
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive (got batch_size={batch_size})")
    model = model.to(device)
    lengths = [len(s) for s in sentences]
    order = np.argsort(lengths, kind="stable")
    out = np.empty((len(sentences), model.config.hidden_size), dtype=np.float32)
    for start in range(0, len(sentences), batch_size):
        idx = order[start : start + batch_size]
        batch = tokenizer(
            [sentences[i] for i in idx],
            padding=True,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
        ).to(device)
        hidden = model(**batch).last_hidden_state  # (B, T, H)
        out[idx] = mean_pool(hidden, batch["attention_mask"]).float().cpu().numpy()
    return out
