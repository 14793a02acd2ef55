"""companion.sizing: counts equal to models actually built, published sizes, budgets, errors."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode
from transformers import BertConfig, BertModel, GPT2Config, GPT2Model

from companion.runtime import import_tensorflow
from companion.sizing import (
    ADAM_MIXED_PRECISION_BYTES,
    Conv2D,
    Dense,
    Flatten,
    GlobalAveragePooling2D,
    MaxPool2D,
    TransformerConfig,
    attainable_flops,
    attention_cost,
    count_parameters,
    count_stack,
    inference_flops_per_token,
    kv_cache_bytes,
    matmul_cost,
    training_bytes,
    training_flops,
    weight_bytes,
)

tf = import_tensorflow()
keras = tf.keras


def _numel(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def _bert(c: TransformerConfig) -> BertModel:
    config = BertConfig(
        vocab_size=c.vocab_size,
        hidden_size=c.hidden_size,
        num_hidden_layers=c.n_layers,
        num_attention_heads=c.n_heads,
        intermediate_size=c.ffn_size,
        max_position_embeddings=c.max_positions,
        type_vocab_size=c.type_vocab_size,
    )
    return BertModel(config, add_pooling_layer=c.pooler)


def _gpt2(c: TransformerConfig) -> GPT2Model:
    config = GPT2Config(
        vocab_size=c.vocab_size,
        n_embd=c.hidden_size,
        n_layer=c.n_layers,
        n_head=c.n_heads,
        n_inner=c.ffn_size,
        n_positions=c.max_positions,
        bos_token_id=0,
        eos_token_id=0,
    )
    return GPT2Model(config)


small_configs = st.builds(
    lambda style, heads, head_dim, layers, vocab, positions, ffn, types, pooler: TransformerConfig(
        style, vocab, heads * head_dim, layers, heads, positions, ffn, types, pooler
    ),
    style=st.sampled_from(["bert", "gpt"]),
    heads=st.integers(1, 4),
    head_dim=st.integers(1, 8),
    layers=st.integers(1, 3),
    vocab=st.integers(1, 60),
    positions=st.integers(1, 40),
    ffn=st.sampled_from([0, 7, 33]),
    types=st.integers(1, 3),
    pooler=st.booleans(),
)


@settings(max_examples=15)
@given(small_configs)
def test_count_equals_numel_of_the_built_huggingface_model(config):
    model = _bert(config) if config.style == "bert" else _gpt2(config)
    assert count_parameters(config).total == _numel(model)


def test_bert_base_count_equals_built_bertmodel_part_by_part():
    config = TransformerConfig("bert", 30522, 768, 2, 12, 512)  # two layers keep it fast
    model = _bert(config)
    count = count_parameters(config)
    assert count.embeddings == _numel(model.embeddings)
    assert count.per_layer == _numel(model.encoder.layer[0])
    assert count.head == _numel(model.pooler)
    assert count.total == _numel(model)


def test_non_embedding_count_leaves_out_token_and_position_tables():
    config = TransformerConfig("gpt", 50257, 768, 2, 12, 1024)  # two layers keep it fast
    with torch.device("meta"):
        model = _gpt2(config)
    count = count_parameters(config)
    tables = _numel(model.wte) + _numel(model.wpe)
    assert count.non_embedding == _numel(model) - tables
    assert count.embeddings == tables


# Published sizes: (config, published parameters, where published).
PUBLISHED = [
    (TransformerConfig("bert", 30522, 768, 12, 12, 512), 110e6),  # Devlin et al. 2019
    (TransformerConfig("bert", 30522, 1024, 24, 16, 512), 340e6),  # Devlin et al. 2019
    (TransformerConfig("gpt", 50257, 768, 12, 12, 1024), 124e6),  # OpenAI's corrected count
    (TransformerConfig("gpt", 50257, 1600, 48, 25, 1024), 1558e6),  # corrected (Table 2: 1542M)
    (TransformerConfig("gpt", 50257, 12288, 96, 96, 2048), 175e9),  # Brown et al. 2020, Table 2.1
]


@pytest.mark.parametrize(("config", "published"), PUBLISHED)
def test_published_sizes_reproduced_within_two_percent(config, published):
    assert abs(count_parameters(config).total / published - 1) < 0.02


def test_gpt2_small_is_exactly_the_released_checkpoint_size():
    assert count_parameters(PUBLISHED[2][0]).total == 124_439_808


def test_gpt3_training_compute_matches_the_reported_3_14e23():
    n = count_parameters(PUBLISHED[4][0]).total
    assert abs(training_flops(n, 300e9) / 3.14e23 - 1) < 0.02  # Brown et al. 2020, Table D.1


def _nbytes(tensor: torch.Tensor) -> int:
    return tensor.numel() * tensor.element_size()


@pytest.mark.parametrize(
    ("dtype", "torch_dtype"),
    [
        ("fp32", torch.float32),
        ("bf16", torch.bfloat16),
        ("fp16", torch.float16),
        ("fp8", torch.float8_e4m3fn),
        ("int8", torch.int8),
    ],
)
def test_weight_bytes_equal_the_bytes_of_a_real_tensor(dtype, torch_dtype):
    weights = torch.zeros(7, 13, dtype=torch_dtype)
    assert weight_bytes(weights.numel(), dtype) == _nbytes(weights)


def test_int4_weight_bytes_equal_the_storage_of_torch_packed_int4():
    with warnings.catch_warnings():  # torch deprecates its quantised dtypes
        warnings.simplefilter("ignore")
        packed = torch.quantize_per_tensor(torch.zeros(7, 12), 0.1, 0, torch.quint4x2)
    assert weight_bytes(packed.numel(), "int4") == packed.untyped_storage().nbytes()


def test_adam_mixed_precision_bytes_equal_the_tensors_a_real_training_step_keeps():
    # bf16 working weights and gradients, fp32 master weights and Adam's two fp32 moments
    # (Rajbhandari et al. 2020, section 3.1), measured on tensors after a real optimiser step.
    torch.manual_seed(0)
    master = nn.Sequential(nn.Linear(7, 5), nn.Linear(5, 3))
    working = copy.deepcopy(master).to(torch.bfloat16)
    working(torch.randn(4, 7, dtype=torch.bfloat16)).float().square().sum().backward()
    adam = torch.optim.Adam(master.parameters())
    for m, w in zip(master.parameters(), working.parameters(), strict=True):
        m.grad = w.grad.float()
    adam.step()
    params = list(master.parameters())
    n = sum(p.numel() for p in params)
    measured = {
        "weights (bf16)": sum(_nbytes(p) for p in working.parameters()),
        "gradients (bf16)": sum(_nbytes(p.grad) for p in working.parameters()),
        "master weights (fp32)": sum(_nbytes(p) for p in params),
        "Adam first moment (fp32)": sum(_nbytes(adam.state[p]["exp_avg"]) for p in params),
        "Adam second moment (fp32)": sum(_nbytes(adam.state[p]["exp_avg_sq"]) for p in params),
    }
    assert {k: v / n for k, v in measured.items()} == ADAM_MIXED_PRECISION_BYTES
    assert training_bytes(n) == sum(measured.values())


def test_kv_cache_bytes_equal_the_cache_gpt2_fills_in_a_forward_pass():
    config = TransformerConfig("gpt", 61, 32, 3, 4, 16)
    model = _gpt2(config).eval()
    with torch.no_grad():
        out = model(input_ids=torch.randint(0, 61, (2, 10)), use_cache=True)
    cache = out["cache"]  # a DynamicCache holding float32 keys and values
    filled = sum(_nbytes(t) for layer in cache.layers for t in (layer.keys, layer.values))
    assert kv_cache_bytes(config, batch=2, seq_len=10, dtype="fp32") == filled


def _linear_stack(widths: list[int]) -> nn.Sequential:
    pairs = zip(widths, widths[1:], strict=False)
    return nn.Sequential(*(nn.Linear(a, b, bias=False) for a, b in pairs))


@settings(max_examples=20)
@given(widths=st.lists(st.integers(1, 12), min_size=2, max_size=5), tokens=st.integers(1, 6))
def test_two_n_forward_and_six_n_training_flops_equal_flopcountermode(widths, tokens):
    model = _linear_stack(widths)
    n = _numel(model)
    x = torch.randn(tokens, widths[0], requires_grad=True)  # so dL/dx is computed too
    with FlopCounterMode(display=False) as forward:
        y = model(x)
    assert inference_flops_per_token(n) * tokens == forward.get_total_flops()
    with FlopCounterMode(display=False) as step:
        model(x).sum().backward()
    assert training_flops(n, tokens) == step.get_total_flops()
    assert y.shape == (tokens, widths[-1])


# --- conv / dense stacks against Keras ----------------------------------------------------

STACKS = [
    # the article's network, at 40x40 instead of 1000x1000
    ((40, 40, 3), [Conv2D(32), MaxPool2D(), Flatten(), Dense(128), Dense(10)]),
    # a fixed design: strided convolutions and global average pooling
    (
        (64, 64, 3),
        [
            Conv2D(16, 3, 2, "same"),
            Conv2D(32, 3, 2, "same"),
            Conv2D(64, 3, 2),
            GlobalAveragePooling2D(),
            Dense(10),
        ],
    ),
    ((9, 11, 2), [Conv2D(4, 5, 2), MaxPool2D(2, 1), Conv2D(3, 1), Flatten(), Dense(3)]),
]


def _keras_layer(spec):
    if isinstance(spec, Conv2D):
        return keras.layers.Conv2D(spec.filters, spec.kernel_size, spec.strides, spec.padding)
    if isinstance(spec, MaxPool2D):
        return keras.layers.MaxPooling2D(spec.pool_size, spec.strides or None)
    if isinstance(spec, Dense):
        return keras.layers.Dense(spec.units)
    return {
        Flatten: keras.layers.Flatten,
        GlobalAveragePooling2D: keras.layers.GlobalAveragePooling2D,
    }[type(spec)]()


@pytest.mark.parametrize(("input_shape", "layers"), STACKS)
def test_stack_count_and_shapes_equal_keras(input_shape, layers):
    model = keras.Sequential([keras.Input(shape=input_shape)] + [_keras_layer(s) for s in layers])
    rows = count_stack(input_shape, layers)
    assert sum(r.params for r in rows) == model.count_params()
    for row, layer in zip(rows, model.layers, strict=True):
        assert row.params == layer.count_params()
        assert row.output_shape == tuple(layer.output.shape[1:])


def test_article_dense_layer_has_about_a_billion_parameters():
    rows = count_stack((1000, 1000, 3), [Conv2D(32), MaxPool2D(), Flatten(), Dense(128)])
    with torch.device("meta"):  # shapes and parameter counts without allocating 4 GB
        features = nn.Sequential(nn.Conv2d(3, 32, 3), nn.MaxPool2d(2), nn.Flatten())
        width = features(torch.empty(1, 3, 1000, 1000)).shape[1]
        dense = nn.Linear(width, 128)
    assert rows[2].output_shape == (width,) == (7_968_032,)
    assert rows[3].params == _numel(dense)


def _tf_same_padding(n: int, k: int, s: int) -> tuple[int, int]:
    total = max((-(-n // s) - 1) * s + k - n, 0)  # TensorFlow's SAME rule
    return total // 2, total - total // 2


def _torch_flops(spec, shape: tuple[int, ...]) -> int:
    """FLOP that FlopCounterMode counts for a conv or dense layer on an input of ``shape``."""
    if isinstance(spec, Dense):
        layer, x = nn.Linear(shape[0], spec.units), torch.zeros(1, *shape)
    else:
        h, w, c = shape
        x = torch.zeros(1, c, h, w)
        if spec.padding == "same":
            (top, bottom), (left, right) = (
                _tf_same_padding(n, spec.kernel_size, spec.strides) for n in (h, w)
            )
            x = F.pad(x, (left, right, top, bottom))
        layer = nn.Conv2d(c, spec.filters, spec.kernel_size, spec.strides)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        layer(x)
    return counter.get_total_flops()


@pytest.mark.parametrize(("input_shape", "layers"), STACKS)
def test_conv_and_dense_flops_equal_flopcountermode(input_shape, layers):
    shape = tuple(input_shape)
    for row in count_stack(input_shape, layers):
        if isinstance(row.layer, (Conv2D, Dense)):
            assert row.flops == _torch_flops(row.layer, shape)
        shape = row.output_shape


# --- roofline -----------------------------------------------------------------------------


@given(m=st.integers(1, 9), k=st.integers(1, 9), n=st.integers(1, 9))
def test_matmul_flops_and_bytes_equal_flopcountermode_and_the_tensors(m, k, n):
    a, b = torch.randn(m, k), torch.randn(k, n)
    with FlopCounterMode(display=False) as counter:
        out = a @ b
    cost = matmul_cost(m, k, n, bytes_per_element=4)  # float32
    assert cost.flops == counter.get_total_flops()
    assert cost.bytes_moved == _nbytes(a) + _nbytes(b) + _nbytes(out)


def test_attention_flops_and_bytes_equal_flopcountermode_and_the_tensors():
    batch, heads, seq, d = 2, 4, 16, 8
    q, k, v = (torch.randn(batch, heads, seq, d) for _ in range(3))
    with FlopCounterMode(display=False) as counter:
        scores = q @ k.transpose(-2, -1) / d**0.5
        probs = scores.softmax(dim=-1)
        out = probs @ v
    fused = attention_cost(batch, heads, seq, d, bytes_per_element=4)
    unfused = attention_cost(batch, heads, seq, d, fused=False, bytes_per_element=4)
    assert fused.flops == unfused.flops == counter.get_total_flops()
    assert fused.bytes_moved == sum(_nbytes(t) for t in (q, k, v, out))
    # unfused: scores and probabilities are each written to memory and read back
    assert unfused.bytes_moved - fused.bytes_moved == 2 * (_nbytes(scores) + _nbytes(probs))
    assert unfused.intensity < fused.intensity


def test_attainable_flops_is_the_lower_of_the_two_roofs():
    got = attainable_flops(np.array([1.0, 100.0, 1e4]), peak_flops=1e15, bandwidth_bytes=1e12)
    np.testing.assert_array_equal(got, [1e12, 1e14, 1e15])


# --- errors -------------------------------------------------------------------------------


def test_heads_that_do_not_divide_the_width_are_rejected():
    with pytest.raises(
        ValueError, match=r"n_heads must divide hidden_size \(got hidden_size=10, n_heads=3\)"
    ):
        TransformerConfig("bert", 100, 10, 2, 3, 16)


@pytest.mark.parametrize(
    "field", ["vocab_size", "hidden_size", "n_layers", "n_heads", "max_positions"]
)
def test_non_positive_sizes_are_rejected(field):
    sizes = {"vocab_size": 10, "hidden_size": 8, "n_layers": 1, "n_heads": 2, "max_positions": 4}
    sizes[field] = 0
    with pytest.raises(ValueError, match=f"{field} must be positive"):
        TransformerConfig("gpt", **sizes)


def test_non_integer_sizes_and_unknown_styles_are_rejected():
    with pytest.raises(TypeError, match="hidden_size must be an int"):
        TransformerConfig("gpt", 10, 8.0, 1, 2, 4)
    with pytest.raises(TypeError, match="n_layers must be an int"):
        TransformerConfig("gpt", 10, 8, True, 2, 4)
    with pytest.raises(ValueError, match="style must be 'bert' or 'gpt'"):
        TransformerConfig("t5", 10, 8, 1, 2, 4)
    with pytest.raises(ValueError, match="intermediate_size must be positive"):
        TransformerConfig("gpt", 10, 8, 1, 2, 4, intermediate_size=-1)
    with pytest.raises(TypeError, match="config must be a TransformerConfig"):
        count_parameters({"hidden_size": 8})


def test_bad_budgets_are_rejected():
    with pytest.raises(ValueError, match="dtype must be one of"):
        weight_bytes(10, "fp8x")
    with pytest.raises(ValueError, match="n_params must be positive"):
        training_bytes(0)
    with pytest.raises(ValueError, match="n_tokens must be positive"):
        training_flops(1e9, -1)
    with pytest.raises(ValueError, match="seq_len must be positive"):
        kv_cache_bytes(PUBLISHED[2][0], batch=1, seq_len=0)
    with pytest.raises(ValueError, match="intensity must hold positive numbers"):
        attainable_flops([0.0], 1e12, 1e9)
    with pytest.raises(ValueError, match="m must be positive"):
        matmul_cost(0, 2, 2)


def test_bad_stacks_are_rejected():
    with pytest.raises(
        ValueError, match=r"Dense needs a flat input.*\(got input shape \(8, 8, 3\)\)"
    ):
        count_stack((8, 8, 3), [Dense(4)])
    with pytest.raises(ValueError, match="kernel of size 5 does not fit an input of size 3"):
        count_stack((3, 3, 1), [Conv2D(2, 5)])
    with pytest.raises(ValueError, match=r"Conv2D needs an \(H, W, C\) input"):
        count_stack((10,), [Conv2D(2)])
    with pytest.raises(ValueError, match=r"input_shape\[1\] must be positive"):
        count_stack((4, 0, 1), [Flatten()])
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        Conv2D(4, padding="full")
    with pytest.raises(ValueError, match="units must be positive"):
        Dense(0)
    with pytest.raises(TypeError, match="unknown layer"):
        count_stack((4,), ["dense"])


def test_numpy_integers_are_accepted_as_sizes():
    rows = count_stack(tuple(np.array([8, 8, 3])), [Conv2D(np.int64(4)), Flatten()])
    assert rows[-1].output_shape == (6 * 6 * 4,)
    assert all(type(n) is int for n in rows[-1].output_shape)
