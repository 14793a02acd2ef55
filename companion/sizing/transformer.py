"""Parameter count of BERT- and GPT-style Transformers from their sizes, and the KV cache.

Explained in chapter "What makes a model large" (book/02_concepts/model_size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, overload

import numpy as np

from companion.sizing._validate import positive_int
from companion.sizing.budget import weight_bytes
from companion.sizing.decoder import DecoderConfig, DecoderParameterCount, count_decoder_parameters

__all__ = [
    "ParameterCount",
    "TransformerConfig",
    "count_parameters",
    "gpt_config",
    "kv_cache_bytes",
]


@dataclass(frozen=True)
class TransformerConfig:
    """The sizes that fix a Transformer's parameter count.

    Attributes
    ----------
    style : {"bert", "gpt"}
        ``"bert"``: post-norm encoder with token-type embeddings, an embedding LayerNorm and
        (optionally) a pooler, as Hugging Face ``BertModel``. ``"gpt"``: pre-norm decoder
        with a final LayerNorm, as ``GPT2Model``.
    vocab_size, hidden_size, n_layers, n_heads, max_positions : int
        Vocabulary V, width H, blocks L, attention heads (must divide H), context length.
    intermediate_size : int
        Width of the feed-forward layer; 0 means the usual 4H.
    type_vocab_size : int
        Token-type (segment) embeddings, BERT only (2 in BERT).
    pooler : bool
        BERT's tanh pooler on the [CLS] vector (H*H + H parameters).
    name : str
        A label for tables.
    """

    style: Literal["bert", "gpt"]
    vocab_size: int
    hidden_size: int
    n_layers: int
    n_heads: int
    max_positions: int
    intermediate_size: int = 0
    type_vocab_size: int = 2
    pooler: bool = True
    name: str = ""

    def __post_init__(self) -> None:
        if self.style not in ("bert", "gpt"):
            raise ValueError(f"style must be 'bert' or 'gpt' (got style={self.style!r})")
        for name in ("vocab_size", "hidden_size", "n_layers", "n_heads", "max_positions"):
            object.__setattr__(self, name, positive_int(name, getattr(self, name)))  # NumPy -> int
        if self.intermediate_size != 0:
            value = positive_int("intermediate_size", self.intermediate_size)
            object.__setattr__(self, "intermediate_size", value)
        if self.hidden_size % self.n_heads:
            raise ValueError(
                f"n_heads must divide hidden_size (got hidden_size={self.hidden_size}, "
                f"n_heads={self.n_heads})"
            )
        if self.style == "bert":
            value = positive_int("type_vocab_size", self.type_vocab_size)
            object.__setattr__(self, "type_vocab_size", value)
        if not isinstance(self.pooler, (bool, np.bool_)):  # "no" would count as true
            raise TypeError(f"pooler must be True or False (got pooler={self.pooler!r})")
        object.__setattr__(self, "pooler", bool(self.pooler))

    @property
    def ffn_size(self) -> int:
        """The feed-forward width: ``intermediate_size`` or 4H."""
        return self.intermediate_size or 4 * self.hidden_size


@dataclass(frozen=True)
class ParameterCount:
    """Parameters of a Transformer, by part.

    Attributes
    ----------
    embeddings : int
        Token, position (and token-type) embeddings, with BERT's embedding LayerNorm.
    per_layer : int
        One block: attention (4H^2 + 4H), feed-forward (2HF + F + H), two LayerNorms (4H).
    layers : int
        ``n_layers * per_layer``.
    head : int
        BERT's pooler or GPT's final LayerNorm.
    """

    embeddings: int
    per_layer: int
    layers: int
    head: int

    @property
    def total(self) -> int:
        """All parameters."""
        return self.embeddings + self.layers + self.head

    @property
    def non_embedding(self) -> int:
        """Parameters outside the embeddings: the N of Kaplan et al.'s scaling laws."""
        return self.layers + self.head

    @property
    def active(self) -> int:
        """Parameters one token uses: all of them in these dense models (as ``total``)."""
        return self.total


@overload
def count_parameters(config: TransformerConfig) -> ParameterCount: ...
@overload
def count_parameters(config: DecoderConfig) -> DecoderParameterCount: ...
def count_parameters(
    config: TransformerConfig | DecoderConfig,
) -> ParameterCount | DecoderParameterCount:
    """Count a Transformer's parameters from its configuration.

    Parameters
    ----------
    config : TransformerConfig or DecoderConfig
        A :class:`~companion.sizing.decoder.DecoderConfig` (Llama-style decoders, mixtures of
        experts, MLA) usually comes from :func:`companion.sizing.from_hf_config`.

    Returns
    -------
    ParameterCount or DecoderParameterCount
        Equal to ``sum(p.numel() for p in model.parameters())`` of the Hugging Face
        ``BertModel`` or ``GPT2Model`` built from the same sizes, or of the family's
        ``...ForCausalLM`` for a ``DecoderConfig`` (tested). Both have ``total``,
        ``non_embedding`` and ``active`` (parameters one token uses; see
        :attr:`DecoderParameterCount.active`).

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`TransformerConfig` or a ``DecoderConfig``.

    References
    ----------
    .. [1] Vaswani et al., "Attention is all you need", NeurIPS 2017, section 3.
    .. [2] Devlin et al., "BERT", NAACL 2019; Radford et al., "Language models are
       unsupervised multitask learners", OpenAI 2019.

    Examples
    --------
    >>> gpt2 = TransformerConfig("gpt", 50257, 768, 12, 12, 1024, name="GPT-2 small")
    >>> f"{count_parameters(gpt2).total:,}"
    '124,439,808'

    Llama 2 7B (sizes from its ``config.json``) has 6.74 billion parameters:

    >>> llama = DecoderConfig(32000, 4096, 32, 32, 11008, name="Llama 2 7B")
    >>> f"{count_parameters(llama).total:,}"
    '6,738,415,616'
    """
    if isinstance(config, DecoderConfig):
        return count_decoder_parameters(config)
    if not isinstance(config, TransformerConfig):
        raise TypeError(
            f"config must be a TransformerConfig or DecoderConfig (got {type(config).__name__})"
        )
    H, F, L = config.hidden_size, config.ffn_size, config.n_layers
    attention = 4 * H * H + 4 * H  # W_q, W_k, W_v, W_o with biases
    feed_forward = 2 * H * F + F + H
    per_layer = attention + feed_forward + 2 * (2 * H)  # two LayerNorms (scale and shift)
    embeddings = (config.vocab_size + config.max_positions) * H
    if config.style == "bert":
        embeddings += config.type_vocab_size * H + 2 * H  # token types, embedding LayerNorm
        head = H * H + H if config.pooler else 0
    else:
        head = 2 * H  # final LayerNorm
    return ParameterCount(
        embeddings=embeddings, per_layer=per_layer, layers=L * per_layer, head=head
    )


def kv_cache_bytes(
    config: TransformerConfig | DecoderConfig, *, batch: int, seq_len: int, dtype: str = "bf16"
) -> float:
    """Bytes of the key/value cache a decoder keeps while generating: 2·L·B·T·H numbers.

    With grouped-query attention (a :class:`~companion.sizing.decoder.DecoderConfig`) the
    width H becomes ``kv_heads * head_size``; with multi-head latent attention each block
    caches ``kv_lora_rank + qk_rope_head_dim`` numbers per token instead of keys and values
    (:attr:`DecoderConfig.kv_numbers_per_token`). Every block is assumed to attend to the
    whole context, so for sliding-window attention (Mistral 7B v0.1) this is an upper bound:
    such a cache stops growing at its window.

    Parameters
    ----------
    config : TransformerConfig or DecoderConfig
    batch : int
        Sequences generated together (B).
    seq_len : int
        Tokens held per sequence (T).
    dtype : str
        Number format of the cache, as in :func:`companion.sizing.weight_bytes`.

    Returns
    -------
    float
        Bytes.

    Raises
    ------
    ValueError
        For non-positive sizes (or sizes over 1.8e308) or an unknown format.
    TypeError
        If ``config`` is not a :class:`TransformerConfig` or a ``DecoderConfig``, a size is
        not an int, or ``dtype`` not a string.

    Examples
    --------
    >>> gpt2 = TransformerConfig("gpt", 50257, 768, 12, 12, 1024)
    >>> kv_cache_bytes(gpt2, batch=1, seq_len=1024) / 2**20
    36.0

    Llama 2 7B keeps all 32 heads' keys and values, 0.5 MiB per token at bf16:

    >>> llama = DecoderConfig(32000, 4096, 32, 32, 11008)
    >>> kv_cache_bytes(llama, batch=1, seq_len=1) / 2**20
    0.5
    """
    batch = positive_int("batch", batch)
    seq_len = positive_int("seq_len", seq_len)
    if isinstance(config, DecoderConfig):
        return weight_bytes(config.kv_numbers_per_token * batch * seq_len, dtype)
    if not isinstance(config, TransformerConfig):
        raise TypeError(
            f"config must be a TransformerConfig or DecoderConfig (got {type(config).__name__})"
        )
    numbers = 2 * config.n_layers * batch * seq_len * config.hidden_size
    return weight_bytes(numbers, dtype)


def gpt_config(config: object) -> TransformerConfig:
    """``config`` itself if it is a decoder (``style="gpt"``) configuration, else a clear error.

    The check the torch and Keras GPT twins share before they build a layer.

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`TransformerConfig`.
    ValueError
        If its style is not ``"gpt"``.

    Examples
    --------
    >>> gpt_config(TransformerConfig("gpt", 1000, 64, 2, 4, 256, 32)).n_layers
    2
    """
    if not isinstance(config, TransformerConfig):
        raise TypeError(f"config must be a TransformerConfig (got {type(config).__name__})")
    if config.style != "gpt":
        raise ValueError(f"config must have style='gpt' (got style={config.style!r})")
    return config
