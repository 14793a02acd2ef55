"""Sizes from a Hugging Face ``config.json``: the configuration the parameter counters take.

Explained in chapter "What a token costs". The dict is the parsed ``config.json`` (no file is
read here: ``json.load`` it, or pass ``model.config.to_dict()``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from companion.sizing._validate import non_negative_int, positive_int
from companion.sizing.decoder import DecoderConfig
from companion.sizing.transformer import TransformerConfig

__all__ = ["SUPPORTED_MODEL_TYPES", "from_hf_config"]

_ENCODERS = ("bert", "roberta")
_DENSE_DECODERS = ("llama", "mistral", "qwen2", "qwen3")
#: ``model_type`` values :func:`from_hf_config` reads.
SUPPORTED_MODEL_TYPES: tuple[str, ...] = (
    *_ENCODERS,
    "gpt2",
    *_DENSE_DECODERS,
    "mixtral",
    "qwen3_moe",
    "deepseek_v3",
)

_MISSING = object()


class _Reader:
    """Reads keys of one config, naming the family and the key in every error."""

    def __init__(self, config: Mapping[str, Any], family: str) -> None:
        self.config, self.family = config, family

    def raw(self, key: str, default: object = _MISSING) -> Any:
        if key in self.config:
            return self.config[key]
        if default is _MISSING:
            raise ValueError(f"config (model_type={self.family!r}) has no {key!r} key")
        return default

    def size(self, key: str, default: object = _MISSING) -> int:
        value = self.raw(key, default)
        return positive_int(key, value)

    def size0(self, key: str, default: object = _MISSING) -> int:
        """A non-negative int; ``None`` (JSON null) reads as 0."""
        value = self.raw(key, default)
        return 0 if value is None else non_negative_int(key, value)

    def optional(self, key: str) -> int:
        """A positive int, or 0 when the key is absent or null (the family's default applies)."""
        value = self.config.get(key)
        return 0 if value is None else positive_int(key, value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise TypeError(f"{key} must be true or false (got {type(value).__name__}: {value!r})")
        return value

    def refuse(self, key: str, allowed: object, why: str) -> None:
        """Raise if ``key`` is present with a value other than ``allowed``."""
        if key in self.config and self.config[key] != allowed:
            raise ValueError(
                f"config (model_type={self.family!r}) has {key}={self.config[key]!r}, which "
                f"from_hf_config does not handle: {why}"
            )


def from_hf_config(config: Mapping[str, Any]) -> TransformerConfig | DecoderConfig:
    """The sizing configuration of a Hugging Face model, from its ``config.json``.

    Parameters
    ----------
    config : mapping
        The parsed ``config.json``, keys as ``transformers`` names them. ``model_type`` must be
        one of :data:`SUPPORTED_MODEL_TYPES`. Sizes may be Python or NumPy integers. Keys a
        family's ``config.json`` always carries are required; flags fall back to the
        ``transformers`` default of the family (``tie_word_embeddings``: false for the
        decoders, ``attention_bias``/``mlp_bias``: false, ``head_dim``: hidden/heads,
        ``decoder_sparse_step``: 1, ``mlp_only_layers``: none; ``num_key_value_heads``: the
        number of heads for Llama only; ``head_dim`` is required for ``qwen3``).

    Returns
    -------
    TransformerConfig or DecoderConfig
        A :class:`TransformerConfig` for ``bert`` and ``roberta`` (counted as ``BertModel`` /
        ``RobertaModel`` with the pooler) and ``gpt2`` (``GPT2LMHeadModel``, whose head is
        tied); a :class:`~companion.sizing.decoder.DecoderConfig` for the others, counted as
        the family's ``...ForCausalLM``. DeepSeek-V3's multi-token-prediction module
        (``num_nextn_predict_layers``) is not part of that model and is not counted.

    Raises
    ------
    ValueError
        If ``model_type`` is missing or not supported, a required key is missing, a size is
        not positive, or a key asks for a structure the counter does not model (the message
        names the key).
    TypeError
        If ``config`` is not a mapping or a size is not an integer.

    Examples
    --------
    Mixtral 8x7B (``mistralai/Mixtral-8x7B-v0.1``, keys that change nothing left out):

    >>> from companion.sizing import count_parameters
    >>> mixtral = {
    ...     "model_type": "mixtral", "vocab_size": 32000, "hidden_size": 4096,
    ...     "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
    ...     "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2,
    ...     "tie_word_embeddings": False,
    ... }
    >>> count = count_parameters(from_hf_config(mixtral))
    >>> f"{count.total / 1e9:.1f}B total, {count.active / 1e9:.1f}B active"
    '46.7B total, 12.9B active'
    """
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a dict (got {type(config).__name__})")
    if "model_type" not in config:
        raise ValueError("config has no 'model_type' key: from_hf_config needs the family")
    family = config["model_type"]
    if family not in SUPPORTED_MODEL_TYPES:
        raise ValueError(
            f"model_type {family!r} is not supported; from_hf_config reads "
            f"{list(SUPPORTED_MODEL_TYPES)}"
        )
    read = _Reader(config, family)
    name = str(config.get("_name_or_path", "") or "")
    if family in _ENCODERS:
        read.refuse("add_cross_attention", False, "cross-attention blocks are not counted")
        read.refuse("is_decoder", False, "the count is the one of the encoder (BertModel)")
        return TransformerConfig(
            "bert",
            read.size("vocab_size"),
            read.size("hidden_size"),
            read.size("num_hidden_layers"),
            read.size("num_attention_heads"),
            read.size("max_position_embeddings"),
            intermediate_size=read.size("intermediate_size"),
            type_vocab_size=read.size("type_vocab_size", 2),
            name=name,
        )
    if family == "gpt2":
        read.refuse("tie_word_embeddings", True, "an untied GPT-2 head is not counted")
        read.refuse("add_cross_attention", False, "cross-attention blocks are not counted")
        return TransformerConfig(
            "gpt",
            read.size("vocab_size"),
            read.size("n_embd"),
            read.size("n_layer"),
            read.size("n_head"),
            read.size("n_positions"),
            intermediate_size=read.optional("n_inner"),
            name=name,
        )
    return _decoder(read, name)


def _decoder(read: _Reader, name: str) -> DecoderConfig:
    family = read.family
    heads = read.size("num_attention_heads")
    sizes: dict[str, Any] = {
        "vocab_size": read.size("vocab_size"),
        "hidden_size": read.size("hidden_size"),
        "n_layers": read.size("num_hidden_layers"),
        "n_heads": heads,
        "intermediate_size": read.size("intermediate_size"),
        "tie_embeddings": read.flag("tie_word_embeddings", False),
        "name": name,
    }
    if family != "deepseek_v3":
        kv = read.raw("num_key_value_heads", None if family == "llama" else _MISSING)
        sizes["n_kv_heads"] = heads if kv is None else positive_int("num_key_value_heads", kv)
        sizes["head_dim"] = read.optional("head_dim")
    if family == "llama":
        bias = read.flag("attention_bias", False)
        sizes.update(qkv_bias=bias, o_bias=bias, mlp_bias=read.flag("mlp_bias", False))
    elif family == "qwen2":
        sizes.update(qkv_bias=True)  # Qwen2Attention: q, k, v with bias, o without
    elif family == "qwen3":
        # Qwen3Attention: one bias flag for q, k, v, o; head_dim is required because
        # Qwen3Config defaults it to 128, not hidden_size / heads
        bias = read.flag("attention_bias", False)
        sizes.update(qkv_bias=bias, o_bias=bias, qk_norm=True, head_dim=read.size("head_dim"))
    elif family == "mixtral":
        sizes.update(
            n_experts=read.size("num_local_experts"),
            experts_per_token=read.size("num_experts_per_tok"),
            moe_intermediate_size=sizes["intermediate_size"],
        )
    elif family == "qwen3_moe":
        _qwen3_moe(read, sizes)
    elif family == "deepseek_v3":
        _deepseek_v3(read, sizes)
    return DecoderConfig(**sizes)


def _qwen3_moe(read: _Reader, sizes: dict[str, Any]) -> None:
    bias = read.flag("attention_bias", False)
    alias = "num_experts" not in read.config and "num_local_experts" in read.config
    experts = read.size0("num_local_experts" if alias else "num_experts")
    step = read.size("decoder_sparse_step", 1)
    dense = read.raw("mlp_only_layers", None) or []
    if not isinstance(dense, (list, tuple)):
        raise TypeError(f"mlp_only_layers must be a list of block indices (got {dense!r})")
    dense = {non_negative_int(f"mlp_only_layers[{i}]", n) for i, n in enumerate(dense)}
    layers = sizes["n_layers"]
    moe = tuple(i for i in range(layers) if i not in dense and (i + 1) % step == 0)
    sizes.update(qkv_bias=bias, o_bias=bias, qk_norm=True)
    if experts and moe:
        sizes.update(
            n_experts=experts,
            experts_per_token=read.size("num_experts_per_tok"),
            moe_intermediate_size=read.size("moe_intermediate_size"),
            moe_layers=moe,
        )


def _deepseek_v3(read: _Reader, sizes: dict[str, Any]) -> None:
    read.refuse("moe_layer_freq", 1, "transformers' DeepseekV3 puts experts in every block")
    bias = read.flag("attention_bias", False)
    first_dense = read.size0("first_k_dense_replace")
    experts = read.size("n_routed_experts")
    q_lora = read.raw("q_lora_rank")  # null means a plain query projection
    sizes.update(
        qkv_bias=bias,
        o_bias=bias,
        q_lora_rank=0 if q_lora is None else positive_int("q_lora_rank", q_lora),
        kv_lora_rank=read.size("kv_lora_rank"),
        qk_nope_head_dim=read.size("qk_nope_head_dim"),
        qk_rope_head_dim=read.size("qk_rope_head_dim"),
        v_head_dim=read.size("v_head_dim"),
    )
    moe = tuple(range(first_dense, sizes["n_layers"]))
    if experts and moe:
        sizes.update(
            n_experts=experts,
            experts_per_token=read.size("num_experts_per_tok"),
            moe_intermediate_size=read.size("moe_intermediate_size"),
            n_shared_experts=read.size0("n_shared_experts"),
            moe_layers=moe,
        )
