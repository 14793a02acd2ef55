"""companion.torch.lora: LoRA's parameter count, peft's adapters, merging them into the weights."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("peft")
import companion.torch.finetune as finetune  # noqa: E402
import companion.torch.lora as lora  # noqa: E402

adapted_linears = lora.adapted_linears
add_lora = lora.add_lora
lora_parameter_count = lora.lora_parameter_count


def tiny_classifier(seed: int = 0) -> torch.nn.Module:
    """A 2-layer BERT (hidden 16, feed-forward 40) with a 3-class head, built without files."""
    torch.manual_seed(seed)
    config = transformers.BertConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=40,
        max_position_embeddings=32,
    )
    encoder = transformers.BertModel(config, add_pooling_layer=False)
    return finetune.SentenceClassifier(encoder, n_classes=3, dropout=0.0).eval()


def batch(seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    input_ids = torch.randint(0, 50, (4, 9), generator=generator)
    attention_mask = torch.ones_like(input_ids)
    attention_mask[0, 6:] = 0  # one padded sentence
    return input_ids, attention_mask


def randomise_adapters(model: torch.nn.Module, seed: int = 2) -> None:
    """Give every B a non-zero value (peft starts B at zero, which would make merging trivial)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_B" in name:
                parameter.copy_(torch.randn(parameter.shape, generator=generator))


@pytest.mark.parametrize(
    ("r", "targets", "trained"),
    [
        (1, ["query"], ()),
        (4, ["query", "value"], ["head"]),
        (8, ["query", "key", "value"], ["head"]),
        (3, ["dense"], ()),  # attention output, feed-forward in and out: d_in != d_out
    ],
)
def test_formula_count_equals_peft_count_and_the_trainable_parameters(r, targets, trained):
    model = tiny_classifier()
    expected = lora_parameter_count(model, r, targets, trained_modules=trained)
    peft_model = add_lora(model, r=r, alpha=2 * r, target_modules=targets, trained_modules=trained)
    trainable = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
    assert peft_model.get_nb_trainable_parameters()[0] == trainable == expected


def test_dense_selects_layers_of_three_shapes():
    shapes = {
        (m.in_features, m.out_features)
        for m in adapted_linears(tiny_classifier(), ["dense"]).values()
    }
    assert shapes == {(16, 16), (16, 40), (40, 16)}


def test_only_adapters_and_the_trained_head_receive_gradients():
    peft_model = add_lora(
        tiny_classifier(), r=2, alpha=4, target_modules=["query", "value"], trained_modules=["head"]
    )
    randomise_adapters(peft_model)
    peft_model(*batch()).sum().backward()
    with_grad = {n for n, p in peft_model.named_parameters() if p.grad is not None}
    assert with_grad
    assert all("lora_" in n or "modules_to_save" in n for n in with_grad)
    assert not any(p.requires_grad for n, p in peft_model.named_parameters() if n not in with_grad)


def test_fresh_adapters_leave_the_model_unchanged():
    reference = tiny_classifier()(*batch())
    peft_model = add_lora(tiny_classifier(), r=4, alpha=8, target_modules=["query", "value"])
    torch.testing.assert_close(peft_model(*batch()), reference, rtol=0, atol=0)


def test_merged_model_gives_the_adapted_logits():
    peft_model = add_lora(
        tiny_classifier(), r=4, alpha=8, target_modules=["query", "value"], trained_modules=["head"]
    ).eval()
    randomise_adapters(peft_model)
    adapted = peft_model(*batch())
    merged = peft_model.merge_and_unload()
    assert isinstance(merged, finetune.SentenceClassifier)
    assert not any("lora_" in name for name, _ in merged.named_parameters())
    assert (adapted - tiny_classifier()(*batch())).abs().max() > 1e-2  # the adapters matter
    torch.testing.assert_close(merged(*batch()), adapted, rtol=1e-5, atol=1e-5)


def test_merged_weight_is_w0_plus_scaled_b_times_a():
    r, alpha = 4, 12
    peft_model = add_lora(tiny_classifier(), r=r, alpha=alpha, target_modules=["query"])
    randomise_adapters(peft_model)
    layer = peft_model.base_model.model.encoder.encoder.layer[0].attention.self.query
    w0 = layer.base_layer.weight.detach().clone()  # (d_out, d_in)
    a, b = layer.lora_A["default"].weight.detach(), layer.lora_B["default"].weight.detach()
    merged = peft_model.merge_and_unload()
    expected = w0 + (alpha / r) * (b @ a)  # (d_out, r) @ (r, d_in)
    torch.testing.assert_close(
        merged.encoder.encoder.layer[0].attention.self.query.weight, expected, rtol=1e-6, atol=1e-6
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"r": 0}, ValueError, r"r must be a positive int \(got r=0\)"),
        ({"r": 2.0}, ValueError, r"r must be a positive int \(got r=2.0\)"),
        ({"alpha": 0}, ValueError, r"alpha must be a positive number \(got alpha=0\)"),
        ({"dropout": 1.0}, ValueError, r"dropout must lie in \[0, 1\) \(got dropout=1.0\)"),
        ({"target_modules": "query"}, TypeError, "target_modules must be a list of names"),
        ({"target_modules": []}, ValueError, "target_modules must name at least one module"),
        ({"target_modules": [3]}, TypeError, "target_modules must be a list of strings"),
        ({"target_modules": ["nowhere"]}, ValueError, "target_modules selects no module"),
        ({"target_modules": ["attention"]}, ValueError, "target_modules must select nn.Linear"),
        ({"trained_modules": ["tail"]}, ValueError, "trained_modules must name modules"),
        ({"trained_modules": "head"}, TypeError, "trained_modules must be a list of names"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(kwargs, error, match):
    arguments = {"r": 2, "alpha": 4, "target_modules": ["query"], "dropout": 0.0} | kwargs
    with pytest.raises(error, match=match):
        add_lora(tiny_classifier(), **arguments)


def test_count_rejects_a_bad_rank():
    with pytest.raises(ValueError, match="r must be a positive int"):
        lora_parameter_count(tiny_classifier(), -1, ["query"])
