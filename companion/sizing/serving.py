"""Serving memory: the weights, and how many tokens of KV cache fit beside them.

Explained in chapter "What a token costs". Pure arithmetic: the accelerator's memory is an
argument (``companion.data.accelerators.load_accelerators`` has a column of it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from companion.sizing._validate import choice, non_negative_number, positive_int, positive_number
from companion.sizing.budget import BYTES_PER_PARAMETER, weight_bytes
from companion.sizing.decoder import DecoderConfig
from companion.sizing.transformer import TransformerConfig, count_parameters, kv_cache_bytes

__all__ = ["ServingMemory", "kv_bytes_per_token", "serving_memory"]


def kv_bytes_per_token(config: TransformerConfig | DecoderConfig, dtype: str = "bf16") -> float:
    """Bytes of KV cache one token of context adds, over all blocks.

    Parameters
    ----------
    config : TransformerConfig or DecoderConfig
    dtype : str
        Number format of the cache, as in :func:`companion.sizing.weight_bytes`.

    Returns
    -------
    float
        ``kv_cache_bytes(config, batch=1, seq_len=1, dtype=dtype)``: with grouped-query
        attention 2·L·kv_heads·head_dim numbers, with multi-head latent attention
        L·(kv_lora_rank + qk_rope_head_dim).

    Raises
    ------
    ValueError
        For an unknown format.
    TypeError
        If ``dtype`` is not a string.

    Examples
    --------
    Mistral 7B shares each key/value head among 4 query heads, so it caches a quarter of what
    Llama 2 7B does, 128 KiB per token at bf16:

    >>> mistral = DecoderConfig(32000, 4096, 32, 32, 14336, n_kv_heads=8)
    >>> kv_bytes_per_token(mistral) / 2**10
    128.0
    """
    return kv_cache_bytes(config, batch=1, seq_len=1, dtype=dtype)


@dataclass(frozen=True)
class ServingMemory:
    """What one accelerator holds when serving a model: weights, then KV cache.

    Attributes
    ----------
    memory_bytes : float
        The accelerator's memory.
    weight_bytes : float
        All parameters in the weight format (every expert of a mixture of experts is resident,
        not only the active ones).
    reserved_bytes : float
        Set aside for activations, the runtime and fragmentation.
    kv_bytes_per_token : float
        KV cache per token of context, in the cache's format.
    """

    memory_bytes: float
    weight_bytes: float
    reserved_bytes: float
    kv_bytes_per_token: float

    @property
    def free_bytes(self) -> float:
        """Memory left for the KV cache (negative when the weights do not fit)."""
        return self.memory_bytes - self.weight_bytes - self.reserved_bytes

    @property
    def fits(self) -> bool:
        """Whether the weights (and the reserve) fit at all."""
        return self.free_bytes >= 0

    @property
    def max_tokens(self) -> int:
        """The largest batch × context whose KV cache fits beside the weights; 0 if none."""
        if self.free_bytes <= 0:
            return 0
        return math.floor(self.free_bytes / self.kv_bytes_per_token)

    def max_batch(self, context: int) -> int:
        """Sequences of ``context`` tokens whose KV cache fits together (0 if not one)."""
        return self.max_tokens // positive_int("context", context)


def serving_memory(
    config: TransformerConfig | DecoderConfig,
    memory_bytes: float,
    *,
    weight_dtype: str = "bf16",
    kv_dtype: str = "bf16",
    reserved_bytes: float = 0.0,
) -> ServingMemory:
    """Weights and room for KV cache when serving ``config`` on one accelerator.

    Parameters
    ----------
    config : TransformerConfig or DecoderConfig
    memory_bytes : float
        The accelerator's memory in bytes; positive.
    weight_dtype : str
        Format of all the weights ("bf16", "fp8", "int4", ...; see
        :data:`companion.sizing.BYTES_PER_PARAMETER`). Quantisation scales are not counted.
    kv_dtype : str
        Format of the KV cache.
    reserved_bytes : float
        Memory kept back for activations and the runtime; 0 by default, so ``max_tokens`` is an
        upper bound.

    Returns
    -------
    ServingMemory
        ``max_tokens`` is the largest batch × context that fits; ``max_batch(context)`` the
        batch at a given context.

    Raises
    ------
    ValueError
        For a non-positive memory, a negative reserve or an unknown format (the message
        names ``weight_dtype`` or ``kv_dtype``).
    TypeError
        If a size is not a number or a format not a string.

    Examples
    --------
    Mixtral 8x7B on one 80 GB accelerator: at bf16 the weights alone do not fit; at fp8 and
    int4 they do, leaving room for the KV cache of this many tokens:

    >>> mixtral = DecoderConfig(
    ...     32000, 4096, 32, 32, 14336, n_kv_heads=8,
    ...     n_experts=8, experts_per_token=2, moe_intermediate_size=14336,
    ... )
    >>> for dtype in ("bf16", "fp8", "int4"):
    ...     fit = serving_memory(mixtral, 80e9, weight_dtype=dtype)
    ...     print(dtype, fit.fits, f"{fit.max_tokens:,}", fit.max_batch(4096))
    bf16 False 0 0
    fp8 True 254,037 62
    int4 True 432,194 105

    The memory can come from the accelerator table (GB there are 10^9 bytes):

    >>> from companion.data.accelerators import load_accelerators
    >>> h100 = load_accelerators().loc["NVIDIA H100 SXM5", "memory_gb"] * 1e9
    >>> serving_memory(mixtral, h100, weight_dtype="fp8").max_batch(32768)
    7
    """
    memory_bytes = positive_number("memory_bytes", memory_bytes)
    reserved_bytes = non_negative_number("reserved_bytes", reserved_bytes)
    weight_dtype = choice("weight_dtype", weight_dtype, BYTES_PER_PARAMETER)
    kv_dtype = choice("kv_dtype", kv_dtype, BYTES_PER_PARAMETER)
    weights = weight_bytes(count_parameters(config).total, weight_dtype)
    return ServingMemory(
        memory_bytes=memory_bytes,
        weight_bytes=weights,
        reserved_bytes=float(reserved_bytes),
        kv_bytes_per_token=kv_bytes_per_token(config, kv_dtype),
    )
