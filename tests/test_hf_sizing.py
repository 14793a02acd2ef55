"""companion.sizing from Hugging Face configs: counts equal to the models transformers builds,
KV cache equal to the cache a real forward pass fills, published sizes, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM

from companion.sizing import (
    SUPPORTED_MODEL_TYPES,
    DecoderConfig,
    TransformerConfig,
    count_parameters,
    from_hf_config,
    kv_bytes_per_token,
    kv_cache_bytes,
    serving_memory,
)


def _numel(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _hf_config(config: dict) -> transformers.PretrainedConfig:
    sizes = {k: v for k, v in config.items() if k != "model_type"}
    return AutoConfig.for_model(config["model_type"], **sizes)


# The class whose parameters the calculator counts, by family (checked present below).
CLASSES = {
    "bert": "BertModel",
    "roberta": "RobertaModel",
    "gpt2": "GPT2LMHeadModel",
    "llama": "LlamaForCausalLM",
    "mistral": "MistralForCausalLM",
    "qwen2": "Qwen2ForCausalLM",
    "qwen3": "Qwen3ForCausalLM",
    "mixtral": "MixtralForCausalLM",
    "qwen3_moe": "Qwen3MoeForCausalLM",
    "deepseek_v3": "DeepseekV3ForCausalLM",
}


def _build(config: dict, device: str = "meta") -> torch.nn.Module:
    name = CLASSES[config["model_type"]]
    cls = getattr(transformers, name, None)
    if cls is None:
        pytest.skip(f"transformers {transformers.__version__} has no {name}")
    with torch.device(device):
        return cls(_hf_config(config))


LLAMA = {
    "model_type": "llama",
    "vocab_size": 61,
    "hidden_size": 32,
    "intermediate_size": 44,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "tie_word_embeddings": False,
}
MIXTRAL = {
    **LLAMA,
    "model_type": "mixtral",
    "num_local_experts": 4,
    "num_experts_per_tok": 2,
}
QWEN3_MOE = {
    **LLAMA,
    "model_type": "qwen3_moe",
    "num_hidden_layers": 5,
    "head_dim": 12,
    "num_experts": 6,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 8,  # grouped_mm needs rows of 16 bytes in the forward pass
    "decoder_sparse_step": 2,
    "mlp_only_layers": [3],
}
DEEPSEEK_V3 = {
    **LLAMA,
    "model_type": "deepseek_v3",
    "num_hidden_layers": 3,
    "num_key_value_heads": 4,
    "first_k_dense_replace": 1,
    "n_routed_experts": 4,
    "num_experts_per_tok": 2,
    "n_shared_experts": 2,
    "moe_intermediate_size": 8,  # grouped_mm needs rows of 16 bytes in the forward pass
    "n_group": 1,
    "topk_group": 1,
    "q_lora_rank": 12,
    "kv_lora_rank": 8,
    "qk_nope_head_dim": 6,
    "qk_rope_head_dim": 4,
    "v_head_dim": 5,
}

FAMILY_CONFIGS = {
    "bert": {
        "model_type": "bert",
        "vocab_size": 53,
        "hidden_size": 16,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "intermediate_size": 24,
        "max_position_embeddings": 32,
        "type_vocab_size": 3,
    },
    "roberta": {
        "model_type": "roberta",
        "vocab_size": 53,
        "hidden_size": 16,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 20,
        "max_position_embeddings": 34,
        "type_vocab_size": 1,
        "pad_token_id": 1,
    },
    "gpt2": {
        "model_type": "gpt2",
        "vocab_size": 53,
        "n_embd": 16,
        "n_layer": 2,
        "n_head": 4,
        "n_positions": 32,
    },
    "gpt2 n_inner": {
        "model_type": "gpt2",
        "vocab_size": 53,
        "n_embd": 16,
        "n_layer": 2,
        "n_head": 4,
        "n_positions": 32,
        "n_inner": 20,
    },
    "llama": LLAMA,
    "llama MHA, tied": {
        k: v for k, v in LLAMA.items() if k not in ("num_key_value_heads", "tie_word_embeddings")
    }
    | {"tie_word_embeddings": True},
    "llama biases, head_dim": {
        **LLAMA,
        "attention_bias": True,
        "mlp_bias": True,
        "head_dim": 12,
    },
    "mistral": {**LLAMA, "model_type": "mistral", "num_key_value_heads": 1, "head_dim": 16},
    "qwen2": {**LLAMA, "model_type": "qwen2", "tie_word_embeddings": True},
    "qwen3": {**LLAMA, "model_type": "qwen3", "head_dim": 12},
    "qwen3 biases, tied": {
        **LLAMA,
        "model_type": "qwen3",
        "head_dim": 8,
        "attention_bias": True,
        "tie_word_embeddings": True,
    },
    "mixtral": MIXTRAL,
    "qwen3_moe": QWEN3_MOE,
    "qwen3_moe biases": {**QWEN3_MOE, "attention_bias": True, "decoder_sparse_step": 1},
    "deepseek_v3": DEEPSEEK_V3,
    "deepseek_v3 no q_lora, bias": {**DEEPSEEK_V3, "q_lora_rank": None, "attention_bias": True},
    "deepseek_v3 all dense": {**DEEPSEEK_V3, "first_k_dense_replace": 3},
    "deepseek_v3 heads not dividing the width": {**DEEPSEEK_V3, "hidden_size": 30},
}


def test_every_supported_family_is_tested():
    assert {c["model_type"] for c in FAMILY_CONFIGS.values()} == set(SUPPORTED_MODEL_TYPES)


@pytest.mark.parametrize("case", FAMILY_CONFIGS)
def test_count_equals_numel_of_the_model_transformers_builds(case):
    config = FAMILY_CONFIGS[case]
    model = _build(config)
    assert count_parameters(from_hf_config(config)).total == _numel(model)


def test_gpt2_and_bert_come_back_as_the_existing_config():
    gpt2 = from_hf_config(FAMILY_CONFIGS["gpt2"])
    assert gpt2 == TransformerConfig("gpt", 53, 16, 2, 4, 32)
    roberta = from_hf_config(FAMILY_CONFIGS["roberta"])
    assert roberta == TransformerConfig("bert", 53, 16, 2, 2, 34, 20, type_vocab_size=1)


def test_automodel_for_causal_lm_builds_the_class_counted():
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(_hf_config(DEEPSEEK_V3))
    assert type(model).__name__ == CLASSES["deepseek_v3"]
    assert count_parameters(from_hf_config(DEEPSEEK_V3)).total == _numel(model)


@pytest.mark.parametrize("case", ["llama biases, head_dim", "qwen3", "qwen3_moe", "deepseek_v3"])
def test_count_equals_the_built_model_block_by_block(case):
    config = FAMILY_CONFIGS[case]
    model = _build(config)
    count = count_parameters(from_hf_config(config))
    assert count.embeddings == _numel(model.model.embed_tokens)
    assert count.per_layer == tuple(_numel(block) for block in model.model.layers)
    assert count.final_norm == _numel(model.model.norm)
    assert count.lm_head == _numel(model.lm_head)


@pytest.mark.parametrize("case", ["mixtral", "qwen3_moe", "deepseek_v3"])
def test_active_parameters_leave_out_exactly_the_unused_routed_experts(case):
    config = FAMILY_CONFIGS[case]
    model = _build(config)
    decoder = from_hf_config(config)
    count = count_parameters(decoder)
    experts = [b.mlp.experts for b in model.model.layers if hasattr(b.mlp, "experts")]
    assert len(experts) == len(decoder.moe_layers or range(decoder.n_layers))
    routed = sum(_numel(e) for e in experts)
    assert count.routed_experts == routed
    unused = (decoder.n_experts - decoder.experts_per_token) / decoder.n_experts
    assert count.total - count.active == routed * unused


def test_dense_models_use_all_their_parameters():
    for case in ("llama", "qwen2", "qwen3", "gpt2", "bert"):
        count = count_parameters(from_hf_config(FAMILY_CONFIGS[case]))
        assert count.active == count.total


# --- full-size models: built on the meta device, and against published sizes -------------

LLAMA2_7B = {
    "model_type": "llama",
    "vocab_size": 32000,
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "tie_word_embeddings": False,
}
MIXTRAL_8X7B = {
    **LLAMA2_7B,
    "model_type": "mixtral",
    "intermediate_size": 14336,
    "num_key_value_heads": 8,
    "num_local_experts": 8,
    "num_experts_per_tok": 2,
}
QWEN3_30B_A3B = {
    "model_type": "qwen3_moe",
    "vocab_size": 151936,
    "hidden_size": 2048,
    "intermediate_size": 6144,
    "moe_intermediate_size": 768,
    "num_hidden_layers": 48,
    "num_attention_heads": 32,
    "num_key_value_heads": 4,
    "head_dim": 128,
    "num_experts": 128,
    "num_experts_per_tok": 8,
    "decoder_sparse_step": 1,
    "mlp_only_layers": [],
    "tie_word_embeddings": False,
}
DEEPSEEK_V3_671B = {
    "model_type": "deepseek_v3",
    "vocab_size": 129280,
    "hidden_size": 7168,
    "intermediate_size": 18432,
    "moe_intermediate_size": 2048,
    "num_hidden_layers": 61,
    "num_attention_heads": 128,
    "num_key_value_heads": 128,
    "n_shared_experts": 1,
    "n_routed_experts": 256,
    "num_experts_per_tok": 8,
    "first_k_dense_replace": 3,
    "moe_layer_freq": 1,
    "q_lora_rank": 1536,
    "kv_lora_rank": 512,
    "qk_nope_head_dim": 128,
    "qk_rope_head_dim": 64,
    "v_head_dim": 128,
    "tie_word_embeddings": False,
}


QWEN3_8B = {  # Qwen/Qwen3-8B config.json, keys that change nothing left out
    "model_type": "qwen3",
    "vocab_size": 151936,
    "hidden_size": 4096,
    "intermediate_size": 12288,
    "num_hidden_layers": 36,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "attention_bias": False,
    "tie_word_embeddings": False,
}


@pytest.mark.parametrize("config", [LLAMA2_7B, MIXTRAL_8X7B, QWEN3_30B_A3B, QWEN3_8B])
def test_full_size_count_equals_the_model_built_on_meta(config):
    assert count_parameters(from_hf_config(config)).total == _numel(_build(config))


# (config, published total, published active, where published)
PUBLISHED = [
    (LLAMA2_7B, 6.7e9, 6.7e9),  # Touvron et al. 2023, Table 1 ("7B"); HF model card 6.74B
    (MIXTRAL_8X7B, 46.7e9, 12.9e9),  # Mistral AI, "Mixtral of experts" (2023 blog post)
    (QWEN3_30B_A3B, 30.5e9, 3.3e9),  # Qwen3-30B-A3B model card
    (QWEN3_8B, 8.2e9, 8.2e9),  # Qwen3-8B model card, "Number of Parameters: 8.2B"
    (DEEPSEEK_V3_671B, 671e9, 37e9),  # DeepSeek-AI, DeepSeek-V3 technical report, abstract
]


@pytest.mark.parametrize(("config", "total", "active"), PUBLISHED)
def test_published_total_and_active_sizes_within_two_percent(config, total, active):
    count = count_parameters(from_hf_config(config))
    assert abs(count.total / total - 1) < 0.02
    assert abs(count.active / active - 1) < 0.02


# --- KV cache: against the DynamicCache a forward pass fills -----------------------------


def _cache_bytes(config: dict, batch: int, seq_len: int) -> int:
    torch.manual_seed(0)
    model = _build(config, device="cpu").eval()
    ids = torch.randint(0, config["vocab_size"], (batch, seq_len))
    with torch.no_grad():
        cache = model(input_ids=ids, use_cache=True)["cache"]  # past_key_values is deprecated
    assert isinstance(cache, transformers.DynamicCache)
    return sum(
        t.numel() * t.element_size() for layer in cache.layers for t in (layer.keys, layer.values)
    )


@pytest.mark.parametrize(
    "case", ["llama", "llama MHA, tied", "mistral", "qwen3_moe", "deepseek_v3"]
)
def test_kv_cache_bytes_equal_the_dynamic_cache_after_a_forward_pass(case):
    config = FAMILY_CONFIGS[case]
    expected = _cache_bytes(config, batch=2, seq_len=5)  # float32 model
    assert kv_cache_bytes(from_hf_config(config), batch=2, seq_len=5, dtype="fp32") == expected


def test_grouped_query_attention_divides_the_cache_by_the_group_size():
    mha = from_hf_config({**LLAMA2_7B})
    gqa = from_hf_config({**LLAMA2_7B, "num_key_value_heads": 8})
    assert kv_bytes_per_token(mha) == 4 * kv_bytes_per_token(gqa) == 2**19


def test_mla_caches_the_latent_not_keys_and_values():
    # DeepSeek-V2 paper, Table 1: (d_c + d_h^R) * l elements per token, i.e. 576 per layer
    config = from_hf_config(DEEPSEEK_V3_671B)
    assert kv_bytes_per_token(config, "bf16") == 61 * 576 * 2


# --- serving memory ------------------------------------------------------------------------


def test_serving_memory_keeps_weights_and_cache_within_the_accelerator():
    config = from_hf_config(MIXTRAL_8X7B)
    for dtype, ratio in (("bf16", 2), ("fp8", 1), ("int4", 0.5)):
        fit = serving_memory(config, 80e9, weight_dtype=dtype, reserved_bytes=2e9)
        assert fit.weight_bytes == ratio * count_parameters(config).total
        used = fit.weight_bytes + fit.reserved_bytes + fit.max_tokens * fit.kv_bytes_per_token
        if fit.fits:
            assert used <= 80e9 < used + fit.kv_bytes_per_token
        else:
            assert fit.max_tokens == 0 and fit.max_batch(1) == 0
    assert not serving_memory(config, 80e9).fits  # 93 GB of bf16 weights
    assert serving_memory(config, 80e9, weight_dtype="fp8").max_batch(4096) > 0


def test_fp8_kv_cache_doubles_the_tokens_that_fit():
    config = from_hf_config(LLAMA2_7B)
    bf16 = serving_memory(config, 40e9, kv_dtype="bf16")
    fp8 = serving_memory(config, 40e9, kv_dtype="fp8")
    assert fp8.kv_bytes_per_token * 2 == bf16.kv_bytes_per_token
    assert fp8.max_tokens in (2 * bf16.max_tokens, 2 * bf16.max_tokens + 1)


# --- bad inputs ----------------------------------------------------------------------------


def test_numpy_integers_are_accepted():
    config = {k: np.int64(v) if type(v) is int else v for k, v in DEEPSEEK_V3.items()}
    decoder = from_hf_config(config)
    assert decoder == from_hf_config(DEEPSEEK_V3)
    assert all(type(n) is int for n in (decoder.hidden_size, decoder.n_experts))
    gpt2 = {k: np.int32(v) if type(v) is int else v for k, v in FAMILY_CONFIGS["gpt2"].items()}
    assert count_parameters(from_hf_config(gpt2)).total == _numel(_build(FAMILY_CONFIGS["gpt2"]))


def test_missing_and_unknown_model_type_are_named():
    with pytest.raises(ValueError, match="config has no 'model_type' key"):
        from_hf_config({k: v for k, v in LLAMA.items() if k != "model_type"})
    with pytest.raises(ValueError, match=r"model_type 't5' is not supported.*'deepseek_v3'"):
        from_hf_config({**LLAMA, "model_type": "t5"})
    with pytest.raises(TypeError, match="config must be a dict"):
        from_hf_config([("model_type", "llama")])


@pytest.mark.parametrize(
    ("config", "key"),
    [
        (LLAMA, "intermediate_size"),
        (LLAMA, "hidden_size"),
        (FAMILY_CONFIGS["mistral"], "num_key_value_heads"),
        (FAMILY_CONFIGS["qwen3"], "num_key_value_heads"),
        (FAMILY_CONFIGS["qwen3"], "head_dim"),
        (MIXTRAL, "num_local_experts"),
        (QWEN3_MOE, "moe_intermediate_size"),
        (QWEN3_MOE, "num_experts"),
        (DEEPSEEK_V3, "kv_lora_rank"),
        (DEEPSEEK_V3, "q_lora_rank"),
        (FAMILY_CONFIGS["gpt2"], "n_embd"),
        (FAMILY_CONFIGS["bert"], "max_position_embeddings"),
    ],
)
def test_missing_keys_are_named(config, key):
    family = config["model_type"]
    bad = {k: v for k, v in config.items() if k != key}
    with pytest.raises(ValueError, match=rf"config \(model_type='{family}'\) has no '{key}' key"):
        from_hf_config(bad)


def test_negative_and_non_integer_sizes_are_named():
    with pytest.raises(ValueError, match=r"hidden_size must be positive \(got hidden_size=-32\)"):
        from_hf_config({**LLAMA, "hidden_size": -32})
    with pytest.raises(ValueError, match="n_shared_experts must be non-negative"):
        from_hf_config({**DEEPSEEK_V3, "n_shared_experts": -1})
    with pytest.raises(TypeError, match="num_attention_heads must be an int"):
        from_hf_config({**LLAMA, "num_attention_heads": 4.0})
    with pytest.raises(TypeError, match="tie_word_embeddings must be true or false"):
        from_hf_config({**LLAMA, "tie_word_embeddings": "no"})
    with pytest.raises(TypeError, match="attention_bias must be true or false"):
        from_hf_config({**FAMILY_CONFIGS["qwen3"], "attention_bias": 1})
    with pytest.raises(ValueError, match="n_kv_heads must divide n_heads"):
        from_hf_config({**LLAMA, "num_key_value_heads": 3})
    with pytest.raises(ValueError, match="experts_per_token must be at most n_experts"):
        from_hf_config({**MIXTRAL, "num_experts_per_tok": 5})


def test_structures_not_modelled_are_refused_by_key():
    with pytest.raises(ValueError, match="has moe_layer_freq=2, which from_hf_config does not"):
        from_hf_config({**DEEPSEEK_V3, "moe_layer_freq": 2})
    with pytest.raises(ValueError, match="has tie_word_embeddings=False"):
        from_hf_config({**FAMILY_CONFIGS["gpt2"], "tie_word_embeddings": False})
    with pytest.raises(ValueError, match="has add_cross_attention=True"):
        from_hf_config({**FAMILY_CONFIGS["bert"], "add_cross_attention": True})


def test_bad_decoder_configs_and_serving_arguments_are_named():
    with pytest.raises(ValueError, match=r"moe_layers must be distinct block indices below"):
        DecoderConfig(10, 8, 2, 2, 8, n_experts=2, experts_per_token=1,
                      moe_intermediate_size=4, moe_layers=(2,))  # fmt: skip
    with pytest.raises(ValueError, match="experts_per_token and moe_layers need n_experts > 0"):
        DecoderConfig(10, 8, 2, 2, 8, experts_per_token=1)
    with pytest.raises(ValueError, match="qk_rope_head_dim must be positive"):
        DecoderConfig(10, 8, 2, 2, 8, kv_lora_rank=4, qk_nope_head_dim=2, v_head_dim=2)
    config = from_hf_config(LLAMA)
    with pytest.raises(ValueError, match="memory_bytes must be positive"):
        serving_memory(config, 0)
    with pytest.raises(ValueError, match="reserved_bytes must be positive"):
        serving_memory(config, 1e9, reserved_bytes=-1)
    with pytest.raises(ValueError, match="dtype must be one of"):
        serving_memory(config, 1e9, weight_dtype="fp4")
    with pytest.raises(ValueError, match="context must be positive"):
        serving_memory(config, 1e9).max_batch(0)
    with pytest.raises(TypeError, match="config must be a TransformerConfig or DecoderConfig"):
        count_parameters(LLAMA)
    with pytest.raises(TypeError, match="config must be a TransformerConfig or DecoderConfig"):
        kv_cache_bytes(LLAMA, batch=1, seq_len=1)
