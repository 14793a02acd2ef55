"""Parameters, memory and compute of a model, counted from its configuration without building it.

Explained in chapter "What makes a model large" (book/02_concepts/model_size); used again in
"The ecosystem" (roofline) and "When the articles' code breaks" (book/04_practice).

- :mod:`companion.sizing.transformer` — BERT- and GPT-style parameter counts, KV cache
- :mod:`companion.sizing.decoder` — Llama-style decoders: GQA, mixtures of experts, MLA
- :mod:`companion.sizing.hf` — the configuration from a Hugging Face ``config.json``
- :mod:`companion.sizing.serving` — KV bytes per token, how many tokens fit beside the weights
- :mod:`companion.sizing.budget` — bytes per parameter, Adam training state, C ≈ 6·N·D
- :mod:`companion.sizing.layers` — convolutional and dense stacks, as Keras counts them
- :mod:`companion.sizing.roofline` — FLOP and bytes moved by matmul and attention kernels

Memory is in bytes, compute in floating-point operations (FLOP; a multiply-add is 2).
"""

from companion.sizing.budget import (
    ADAM_MIXED_PRECISION_BYTES,
    BYTES_PER_PARAMETER,
    inference_flops_per_token,
    training_bytes,
    training_flops,
    weight_bytes,
)
from companion.sizing.decoder import DecoderConfig, DecoderParameterCount
from companion.sizing.hf import SUPPORTED_MODEL_TYPES, from_hf_config
from companion.sizing.layers import (
    Conv2D,
    Dense,
    Flatten,
    GlobalAveragePooling2D,
    LayerCount,
    MaxPool2D,
    count_stack,
)
from companion.sizing.roofline import (
    KernelCost,
    attainable_flops,
    attention_cost,
    matmul_cost,
)
from companion.sizing.serving import ServingMemory, kv_bytes_per_token, serving_memory
from companion.sizing.transformer import (
    ParameterCount,
    TransformerConfig,
    count_parameters,
    kv_cache_bytes,
)

__all__ = [
    "ADAM_MIXED_PRECISION_BYTES",
    "BYTES_PER_PARAMETER",
    "Conv2D",
    "DecoderConfig",
    "DecoderParameterCount",
    "Dense",
    "Flatten",
    "GlobalAveragePooling2D",
    "KernelCost",
    "LayerCount",
    "MaxPool2D",
    "ParameterCount",
    "SUPPORTED_MODEL_TYPES",
    "ServingMemory",
    "TransformerConfig",
    "attainable_flops",
    "attention_cost",
    "count_parameters",
    "count_stack",
    "from_hf_config",
    "inference_flops_per_token",
    "kv_bytes_per_token",
    "kv_cache_bytes",
    "matmul_cost",
    "serving_memory",
    "training_bytes",
    "training_flops",
    "weight_bytes",
]
