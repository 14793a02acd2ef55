"""The small GPT of companion.torch.gpt, its Keras twin and the n-gram baseline."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest
import torch

from companion.maths.attention import AttentionWeights, multi_head_attention
from companion.maths.ngram import NgramModel, distinct_n
from companion.sizing import TransformerConfig, count_parameters
from companion.torch.gpt import (
    GPT,
    Block,
    CausalSelfAttention,
    block_weights,
    generate,
    load_block_weights,
)

CFG = TransformerConfig("gpt", 37, 16, 2, 4, 12)


def _model(config: TransformerConfig = CFG, seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    return GPT(config).double().eval()


def _ids(shape: tuple[int, ...], seed: int = 1, vocab: int = CFG.vocab_size) -> torch.Tensor:
    return torch.randint(0, vocab, shape, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize(
    "config",
    [
        CFG,
        TransformerConfig("gpt", 2000, 64, 2, 4, 64),
        TransformerConfig("gpt", 101, 24, 3, 3, 7, intermediate_size=40),
    ],
)
def test_parameter_count_equals_sizing(config):
    model = GPT(config)
    assert sum(p.numel() for p in model.parameters()) == count_parameters(config).total


def test_output_layer_is_tied_to_token_embeddings():
    model = _model()
    names = {name for name, _ in model.named_parameters()}
    assert not any("head" in name for name in names)
    idx = _ids((1, 5))
    with torch.no_grad():
        logits, _ = model(idx)
        hidden = model.wte(idx) + model.wpe(torch.arange(5))
        for block in model.blocks:
            hidden, _ = block(hidden)
        expected = model.ln_f(hidden) @ model.wte.weight.T
    torch.testing.assert_close(logits, expected, rtol=0, atol=1e-12)


def test_changing_future_tokens_leaves_earlier_logits_unchanged():
    model = _model()
    idx = _ids((3, CFG.max_positions))
    for t in range(1, CFG.max_positions):
        changed = idx.clone()
        changed[:, t:] = _ids(changed[:, t:].shape, seed=t + 10)
        with torch.no_grad():
            before, _ = model(idx)
            after, _ = model(changed)
        torch.testing.assert_close(before[:, :t], after[:, :t], rtol=0, atol=1e-12)
        assert not torch.allclose(before[:, t:], after[:, t:])  # the future did change


def test_attention_matches_numpy_reference():
    torch.manual_seed(0)
    attn = CausalSelfAttention(CFG).double()
    D = CFG.hidden_size
    W = attn.W_qkv.weight.detach().numpy().T  # (D, 3D): x @ W
    b = attn.W_qkv.bias.detach().numpy()
    weights = AttentionWeights(
        W_q=W[:, :D], b_q=b[:D], W_k=W[:, D : 2 * D], b_k=b[D : 2 * D],
        W_v=W[:, 2 * D :], b_v=b[2 * D :],
        W_o=attn.W_o.weight.detach().numpy().T, b_o=attn.W_o.bias.detach().numpy(),
        n_heads=CFG.n_heads,
    )  # fmt: skip
    x = np.random.default_rng(0).normal(size=(2, 7, D))
    with torch.no_grad():
        ours, _ = attn(torch.tensor(x))
    expected = multi_head_attention(x, x, weights, causal=True)
    np.testing.assert_allclose(ours.numpy(), expected, rtol=0, atol=1e-12)


def test_kv_cache_gives_the_same_logits_as_full_recomputation():
    model = _model()
    prompt = _ids((2, 3))
    ids_c, logits_c = generate(model, prompt, 9, temperature=0, use_cache=True)
    ids_u, logits_u = generate(model, prompt, 9, temperature=0, use_cache=False)
    assert torch.equal(ids_c, ids_u)
    torch.testing.assert_close(logits_c, logits_u, rtol=0, atol=1e-10)
    with torch.no_grad():  # and the step logits are those of one pass over the whole result
        full, _ = model(ids_c[:, :-1])
    torch.testing.assert_close(logits_c, full[:, 2:], rtol=0, atol=1e-10)


def test_prefill_of_several_tokens_with_a_cache():
    model = _model()
    idx = _ids((2, 10))
    with torch.no_grad():
        full, _ = model(idx)
        first, caches = model(idx[:, :4])
        rest, _ = model(idx[:, 4:], caches)
    torch.testing.assert_close(torch.cat([first, rest], dim=1), full, rtol=0, atol=1e-10)


def test_seeded_sampling_repeats_and_top_k_restricts():
    model = _model()
    prompt = _ids((4, 2))

    def sample(seed, **kw):
        return generate(model, prompt, 8, generator=torch.Generator().manual_seed(seed), **kw)

    a, logits = sample(5, temperature=1.0, top_k=3)
    b, _ = sample(5, temperature=1.0, top_k=3)
    assert torch.equal(a, b)
    top3 = torch.topk(logits, 3, dim=-1).indices  # (B, n_new, 3)
    assert (top3 == a[:, 2:, None]).any(dim=-1).all()
    greedy, logits = generate(model, prompt, 8, temperature=0)
    assert torch.equal(greedy[:, 2:], logits.argmax(dim=-1))


def _tf_gpt():
    """The Keras twin; skipped where the optional TensorFlow is not installed."""
    pytest.importorskip("tensorflow")
    return importlib.import_module("companion.tf.gpt")


def test_keras_block_matches_torch_block():
    tfgpt = _tf_gpt()
    torch.manual_seed(3)
    block = Block(CFG).double()
    for p in block.parameters():  # non-trivial LayerNorm and biases too
        torch.nn.init.normal_(p, std=0.3)
    twin = tfgpt.load_block_weights(tfgpt.Block(CFG, dtype="float64"), block_weights(block))
    x = np.random.default_rng(0).normal(size=(2, 9, CFG.hidden_size))
    with torch.no_grad():
        expected, _ = block(torch.tensor(x))
    np.testing.assert_allclose(np.asarray(twin(x)), expected.numpy(), rtol=0, atol=1e-10)
    round_trip = tfgpt.block_weights(twin)
    for name, value in block_weights(block).items():
        np.testing.assert_array_equal(round_trip[name], value)


def test_keras_load_rejects_wrong_names_and_shapes():
    tfgpt = _tf_gpt()
    weights = block_weights(Block(CFG))
    with pytest.raises(ValueError, match="weights must have the names"):
        tfgpt.load_block_weights(tfgpt.Block(CFG), {k: weights[k] for k in list(weights)[1:]})
    weights["fc.weight"] = weights["fc.weight"][:, :3]
    with pytest.raises(ValueError, match=r"weights\['fc.weight'\] must have shape"):
        tfgpt.load_block_weights(tfgpt.Block(CFG), weights)


def test_torch_load_round_trip_and_errors():
    a, b = Block(CFG), Block(CFG)
    load_block_weights(b, block_weights(a))
    for name, value in a.state_dict().items():
        assert torch.equal(b.state_dict()[name], value)
    weights = block_weights(a)
    del weights["ln_1.bias"]
    with pytest.raises(ValueError, match=r"missing \['ln_1.bias'\]"):
        load_block_weights(b, weights)


@pytest.mark.parametrize(
    ("idx", "error", "match"),
    [
        (torch.zeros(1, 3), TypeError, "idx must be a tensor of int64"),
        ([[1, 2]], TypeError, "idx must be a tensor of int64"),
        (torch.zeros(3, dtype=torch.long), ValueError, r"idx must have shape \(B, T\)"),
        (torch.tensor([[1, 37]]), ValueError, r"idx must hold token ids in \[0, 37\)"),
        (torch.tensor([[-1, 2]]), ValueError, r"idx must hold token ids"),
        (torch.zeros(1, 13, dtype=torch.long), ValueError, "idx is too long"),
    ],
)
def test_bad_idx_raises_naming_it(idx, error, match):
    with pytest.raises(error, match=match):
        _model()(idx)


def test_bad_config_raises():
    with pytest.raises(ValueError, match="style='gpt'"):
        GPT(TransformerConfig("bert", 10, 8, 1, 2, 4))
    with pytest.raises(TypeError, match="config must be a TransformerConfig"):
        GPT({"vocab_size": 10})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_new": 0}, "n_new must be an int >= 1"),
        ({"n_new": 11}, "n_new too large"),
        ({"n_new": 2, "temperature": -1.0}, "temperature must be"),
        ({"n_new": 2, "temperature": math.inf}, "temperature must be"),
        ({"n_new": 2, "top_k": 0}, "top_k must be None or an int"),
        ({"n_new": 2, "top_k": 38}, "top_k must be None or an int"),
    ],
)
def test_bad_generate_arguments_raise_naming_them(kwargs, match):
    with pytest.raises(ValueError, match=match):
        generate(_model(), _ids((1, 2)), **kwargs)


@pytest.mark.parametrize("prompt", [[[1, 2]], torch.tensor([1, 2])])
def test_bad_prompt_raises_naming_it(prompt):
    with pytest.raises(TypeError, match=r"prompt must be a \(B, T0\) tensor"):
        generate(_model(), prompt, 2)


def test_too_many_caches_raise():
    model = _model()
    _, caches = model(_ids((1, 2)))
    with pytest.raises(ValueError, match="caches must have one entry per block"):
        model(_ids((1, 1)), caches[:1])


def test_bigram_add_one_matches_hand_computation():
    # training stream 1 2 1 2 1 3, V = 4: bigrams (1,2) x2, (2,1) x2, (1,3) x1; c(1) = 3, c(2) = 2
    bigram = NgramModel([1, 2, 1, 2, 1, 3], order=2, vocab_size=4, k=1.0)
    got = np.exp(bigram.log_probs([1, 2, 1, 3, 0, 3]))
    # p(2|1) = (2+1)/(3+4), p(1|2) = (2+1)/(2+4), p(3|1) = (1+1)/(3+4); 3 and 0 never
    # precede a token in training, so p(0|3) = p(3|0) = (0+1)/(0+4)
    expected = [3 / 7, 3 / 6, 2 / 7, 1 / 4, 1 / 4]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_trigram_pads_the_start_with_the_boundary_token():
    # V = 3, k = 0.5, boundary 0: padded training 0 | 1 2 1 2 -> trigrams (0,1,2) (1,2,1) (2,1,2)
    trigram = NgramModel([1, 2, 1, 2], order=3, vocab_size=3, k=0.5, boundary_id=0)
    got = np.exp(trigram.log_probs([1, 2, 1]))
    expected = [(1 + 0.5) / (1 + 1.5), (1 + 0.5) / (1 + 1.5)]  # p(2 | 0 1), p(1 | 1 2)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_ngram_probabilities_sum_to_one(order):
    V = 5
    model = NgramModel(
        np.random.default_rng(0).integers(0, V, 50), order=order, vocab_size=V, k=0.3
    )
    for context in ([1, 2], [4, 4], [0, 3]):
        prefix = context[-max(order - 1, 1) :]
        total = sum(np.exp(model.log_probs([*prefix, w])[-1]) for w in range(V))
        assert total == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"order": 0, "vocab_size": 4}, "order must be an int >= 1"),
        ({"order": 2, "vocab_size": 0}, "vocab_size must be an int >= 1"),
        ({"order": 2, "vocab_size": 4, "k": 0.0}, "k must be a positive"),
        ({"order": 2, "vocab_size": 3}, r"ids must hold ids in \[0, 3\)"),
        ({"order": 2, "vocab_size": 4, "boundary_id": 9}, "boundary_id must hold ids"),
    ],
)
def test_bad_ngram_arguments_raise_naming_them(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NgramModel([1, 2, 3], **kwargs)


def test_ngram_rejects_short_or_float_streams():
    with pytest.raises(ValueError, match="ids must be a 1-D sequence of >= 2 integer ids"):
        NgramModel([1], order=2, vocab_size=4)
    model = NgramModel([1, 2], order=2, vocab_size=4)
    with pytest.raises(ValueError, match="ids must be a 1-D sequence"):
        model.log_probs([1.0, 2.0])


def test_distinct_n():
    assert distinct_n([[1, 2, 3, 4]], 2) == 1.0
    assert distinct_n([[5, 5, 5, 5, 5]], 1) == 0.2
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        distinct_n([[1, 2]], 0)
    with pytest.raises(ValueError, match="at least one sequence"):
        distinct_n([[1, 2]], 3)
