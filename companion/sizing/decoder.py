"""Parameter count and KV cache of Llama-style decoders: GQA, gated MLPs, mixtures of experts, MLA.

Explained in chapter "What a token costs". :func:`companion.sizing.from_hf_config` builds a
:class:`DecoderConfig` from a Hugging Face ``config.json``;
:func:`companion.sizing.count_parameters` and :func:`companion.sizing.kv_cache_bytes` accept it.

The block counted is the one of ``LlamaForCausalLM`` and its relatives in ``transformers``:
RMSNorm before attention and before the MLP (one vector of H each), rotary positions (no
parameters), a gated MLP (``gate_proj``, ``up_proj``, ``down_proj``), a final RMSNorm and an output
projection that is tied to the token embeddings or not.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.sizing._validate import non_negative_int, positive_int

__all__ = ["DecoderConfig", "DecoderParameterCount"]


@dataclass(frozen=True)
class DecoderConfig:
    """The sizes that fix the parameter count and KV cache of a Llama-style decoder.

    Attributes
    ----------
    vocab_size, hidden_size, n_layers, n_heads : int
        Vocabulary V, width H, blocks L, query heads.
    intermediate_size : int
        Width F of the dense (non-expert) gated MLP.
    n_kv_heads : int
        Key/value heads (grouped-query attention); 0 means ``n_heads`` (multi-head attention).
        Must divide ``n_heads``.
    head_dim : int
        Width of one head; 0 means ``hidden_size // n_heads``.
    tie_embeddings : bool
        The output projection reuses the token-embedding matrix.
    qkv_bias, o_bias, mlp_bias : bool
        Biases on the query/key/value projections (on ``q_a_proj`` and ``kv_a_proj`` with MLA),
        on the output projection, and on the three projections of the dense MLP (experts have
        none).
    qk_norm : bool
        An RMSNorm of ``head_dim`` on queries and one on keys in each block (Qwen3).
    n_experts, experts_per_token : int
        Routed experts per MoE layer and how many of them each token uses; 0 for a dense model.
    moe_intermediate_size : int
        Width of one routed expert's gated MLP.
    n_shared_experts : int
        Experts every token uses, held as one gated MLP of width
        ``n_shared_experts * moe_intermediate_size`` (DeepSeek).
    moe_layers : tuple of int or None
        Indices of the blocks whose MLP is a mixture of experts; ``None`` means every block when
        ``n_experts > 0``. The other blocks have the dense MLP of width ``intermediate_size``.
    q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim : int
        Multi-head latent attention (DeepSeek-V2/V3) when ``kv_lora_rank > 0``: keys and values
        are compressed to a latent of ``kv_lora_rank`` plus a shared rotary key of
        ``qk_rope_head_dim``; queries go through a rank-``q_lora_rank`` bottleneck (0: a plain
        projection). ``n_kv_heads`` and ``head_dim`` are then unused.
    name : str
        A label for tables.

    Examples
    --------
    >>> DecoderConfig(32000, 4096, 32, 32, 11008).kv_numbers_per_token
    262144
    """

    vocab_size: int
    hidden_size: int
    n_layers: int
    n_heads: int
    intermediate_size: int
    n_kv_heads: int = 0
    head_dim: int = 0
    tie_embeddings: bool = False
    qkv_bias: bool = False
    o_bias: bool = False
    mlp_bias: bool = False
    qk_norm: bool = False
    n_experts: int = 0
    experts_per_token: int = 0
    moe_intermediate_size: int = 0
    n_shared_experts: int = 0
    moe_layers: tuple[int, ...] | None = None
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_nope_head_dim: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        for field in ("vocab_size", "hidden_size", "n_layers", "n_heads", "intermediate_size"):
            object.__setattr__(self, field, positive_int(field, getattr(self, field)))
        for field in (
            "n_kv_heads",
            "head_dim",
            "n_experts",
            "experts_per_token",
            "moe_intermediate_size",
            "n_shared_experts",
            "q_lora_rank",
            "kv_lora_rank",
            "qk_nope_head_dim",
            "qk_rope_head_dim",
            "v_head_dim",
        ):
            object.__setattr__(self, field, non_negative_int(field, getattr(self, field)))
        if self.n_kv_heads and self.n_heads % self.n_kv_heads:
            raise ValueError(
                f"n_kv_heads must divide n_heads (got n_heads={self.n_heads}, "
                f"n_kv_heads={self.n_kv_heads})"
            )
        if not (self.head_dim or self.kv_lora_rank) and self.hidden_size % self.n_heads:
            raise ValueError(
                f"n_heads must divide hidden_size when head_dim is not given (got "
                f"hidden_size={self.hidden_size}, n_heads={self.n_heads})"
            )
        self._check_experts()
        if self.kv_lora_rank:
            for field in ("qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"):
                positive_int(field, getattr(self, field))

    def _check_experts(self) -> None:
        if self.n_experts == 0:
            if self.experts_per_token or self.moe_layers:
                raise ValueError(
                    "experts_per_token and moe_layers need n_experts > 0 (got n_experts=0)"
                )
            return
        positive_int("experts_per_token", self.experts_per_token)
        positive_int("moe_intermediate_size", self.moe_intermediate_size)
        if self.experts_per_token > self.n_experts:
            raise ValueError(
                f"experts_per_token must be at most n_experts (got experts_per_token="
                f"{self.experts_per_token}, n_experts={self.n_experts})"
            )
        if self.moe_layers is not None:
            layers = tuple(
                non_negative_int(f"moe_layers[{i}]", n) for i, n in enumerate(self.moe_layers)
            )
            if any(n >= self.n_layers for n in layers) or len(set(layers)) != len(layers):
                raise ValueError(
                    f"moe_layers must be distinct block indices below n_layers={self.n_layers} "
                    f"(got {self.moe_layers})"
                )
            object.__setattr__(self, "moe_layers", tuple(sorted(layers)))

    @property
    def kv_heads(self) -> int:
        """Key/value heads: ``n_kv_heads`` or, when 0, ``n_heads``."""
        return self.n_kv_heads or self.n_heads

    @property
    def head_size(self) -> int:
        """Width of one head: ``head_dim`` or, when 0, ``hidden_size // n_heads``."""
        return self.head_dim or self.hidden_size // self.n_heads

    @property
    def is_mla(self) -> bool:
        """Multi-head latent attention (``kv_lora_rank > 0``)."""
        return self.kv_lora_rank > 0

    def is_moe_layer(self, index: int) -> bool:
        """Whether block ``index`` has a mixture-of-experts MLP."""
        if self.n_experts == 0:
            return False
        return self.moe_layers is None or index in self.moe_layers

    @property
    def kv_numbers_per_token(self) -> int:
        """Numbers cached per token over all blocks.

        ``2 * kv_heads * head_size`` per block (keys and values), or with MLA the latent
        ``kv_lora_rank + qk_rope_head_dim`` per block.
        """
        if self.is_mla:
            return self.n_layers * (self.kv_lora_rank + self.qk_rope_head_dim)
        return self.n_layers * 2 * self.kv_heads * self.head_size


@dataclass(frozen=True)
class DecoderParameterCount:
    """Parameters of a Llama-style decoder, by part (see :func:`count_decoder_parameters`).

    Attributes
    ----------
    embeddings : int
        The token-embedding table, V·H.
    per_layer : tuple of int
        Each block: attention, its norms, the MLP (dense, or router + all experts + shared).
    final_norm : int
        The RMSNorm after the last block, H.
    lm_head : int
        The output projection V·H, or 0 when tied to the embeddings.
    routed_experts : int
        Parameters of all routed experts, over all blocks (part of ``per_layer``).
    active_routed_experts : int
        Parameters of the ``experts_per_token`` routed experts one token uses, over all blocks.
    """

    embeddings: int
    per_layer: tuple[int, ...]
    final_norm: int
    lm_head: int
    routed_experts: int = 0
    active_routed_experts: int = 0

    @property
    def layers(self) -> int:
        """All blocks."""
        return sum(self.per_layer)

    @property
    def head(self) -> int:
        """Final norm and untied output projection (as :attr:`ParameterCount.head`)."""
        return self.final_norm + self.lm_head

    @property
    def total(self) -> int:
        """All parameters, as ``sum(p.numel() for p in model.parameters())`` counts them."""
        return self.embeddings + self.layers + self.head

    @property
    def non_embedding(self) -> int:
        """Parameters outside the embedding table and the output projection."""
        return self.layers + self.final_norm

    @property
    def active(self) -> int:
        """Parameters one token's forward pass uses: all but the routed experts it skips.

        Counts the embedding table and the output projection in full (as Mistral, Qwen and
        DeepSeek state their "activated" counts), all attention, norms, routers and shared
        experts, and ``experts_per_token`` routed experts per MoE block. Equal to ``total``
        for a dense model. Subtract ``embeddings`` (and ``lm_head``) for the count without them.
        """
        return self.total - self.routed_experts + self.active_routed_experts


def _gated_mlp(hidden: int, width: int, bias: bool) -> int:
    return 3 * hidden * width + (2 * width + hidden if bias else 0)


def _attention(c: DecoderConfig) -> int:
    H, nh = c.hidden_size, c.n_heads
    if c.is_mla:
        qk = c.qk_nope_head_dim + c.qk_rope_head_dim
        if c.q_lora_rank:
            r = c.q_lora_rank
            q = H * r + (r if c.qkv_bias else 0) + r + r * nh * qk  # q_a, its norm, q_b
        else:
            q = H * nh * qk
        latent = c.kv_lora_rank + c.qk_rope_head_dim
        kv = H * latent + (latent if c.qkv_bias else 0)  # kv_a_proj_with_mqa
        kv += c.kv_lora_rank + c.kv_lora_rank * nh * (c.qk_nope_head_dim + c.v_head_dim)
        o = nh * c.v_head_dim * H + (H if c.o_bias else 0)
        return q + kv + o
    d, nkv = c.head_size, c.kv_heads
    q_kv = H * (nh + 2 * nkv) * d + ((nh + 2 * nkv) * d if c.qkv_bias else 0)
    o = nh * d * H + (H if c.o_bias else 0)
    return q_kv + o + (2 * d if c.qk_norm else 0)


def count_decoder_parameters(config: DecoderConfig) -> DecoderParameterCount:
    """Count a Llama-style decoder's parameters; called by ``count_parameters``."""
    H = config.hidden_size
    attention = _attention(config) + 2 * H  # and the two RMSNorms of the block
    per_layer = []
    routed = active = 0
    for index in range(config.n_layers):
        if config.is_moe_layer(index):
            # experts, router and shared experts carry no biases in any family covered
            expert = _gated_mlp(H, config.moe_intermediate_size, False)
            shared = config.n_shared_experts * config.moe_intermediate_size
            mlp = config.n_experts * H + config.n_experts * expert  # router, experts
            mlp += _gated_mlp(H, shared, False)
            routed += config.n_experts * expert
            active += config.experts_per_token * expert
        else:
            mlp = _gated_mlp(H, config.intermediate_size, config.mlp_bias)
        per_layer.append(attention + mlp)
    return DecoderParameterCount(
        embeddings=config.vocab_size * H,
        per_layer=tuple(per_layer),
        final_norm=H,
        lm_head=0 if config.tie_embeddings else config.vocab_size * H,
        routed_experts=routed,
        active_routed_experts=active,
    )
