"""Bad input to the companion's public API: each case must raise a clear error naming the argument.

One table, one test: (call, exception type, pattern the message must match). Module tests
check the behaviour in depth; this table guards that no public entry point accepts
nonsense silently or fails with an unhelpful message.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import companion
from companion.data import DATA_DIR_VARIABLE, data_dir, require_file
from companion.data.accelerators import load_accelerators
from companion.data.adoption import load_adoption
from companion.data.citations import load_article_citations
from companion.data.download import download
from companion.data.faq import load_book_faq
from companion.data.industry import load_costs, load_funding_events, load_investment, load_models
from companion.data.mnist import random_shift, split_digits
from companion.data.model_configs import load_model_configs
from companion.data.phrasebank import load_phrasebank, split_phrasebank
from companion.data.throughput import load_throughput
from companion.maths import (
    binary_cross_entropy,
    compare_gradients,
    cross_entropy,
    cross_entropy_grad,
    numerical_gradient,
    one_hot,
    softmax,
)
from companion.maths.quantisation import quantise_symmetric
from companion.maths.unigram import unigram_probabilities
from companion.plots import label_axes

Z = np.zeros((2, 3))
TINY = pd.DataFrame({"sentence": list("abcd"), "label": ["neutral", "positive"] * 2})


def _wordpiece(sentences):
    from companion.nlp.wordpiece import train_wordpiece

    return train_wordpiece(sentences, 40)


CASES = [
    # runtime
    ("seed negative", lambda: companion.setup(seed=-1, style=False), ValueError, "seed must be in"),
    (
        "seed float",
        lambda: companion.setup(seed=0.5, style=False),
        TypeError,
        "seed must be an int",
    ),
    (
        "seed string",
        lambda: companion.setup(seed="1", style=False),
        TypeError,
        "seed must be an int",
    ),
    (
        "seed bool",
        lambda: companion.setup(seed=True, style=False),
        TypeError,
        "seed must be an int",
    ),
    (
        "seed too big",
        lambda: companion.setup(seed=2**40, style=False),
        ValueError,
        "seed must be in",
    ),
    (
        "framework unknown",
        lambda: companion.setup(frameworks=("jax",)),
        ValueError,
        "unknown framework 'jax'",
    ),
    (
        "framework alias",
        lambda: companion.setup(frameworks=("tf",)),
        ValueError,
        "did you mean 'tensorflow'",
    ),
    (
        "framework type",
        lambda: companion.setup(frameworks=(3,)),
        TypeError,
        "frameworks must hold strings",
    ),
    (
        "frameworks None",
        lambda: companion.setup(frameworks=None, style=False),
        TypeError,
        r"frameworks must be a tuple of framework names .*got NoneType",
    ),
    (
        "frameworks number",
        lambda: companion.setup(frameworks=3, style=False),
        TypeError,
        "frameworks must be a tuple",
    ),
    (
        "device frameworks None",
        lambda: companion.select_device("cpu", frameworks=None),
        TypeError,
        "frameworks must be a tuple",
    ),
    ("device unknown", lambda: companion.select_device("gpu"), ValueError, "unknown device 'gpu'"),
    ("device index", lambda: companion.select_device("cuda:a"), ValueError, "unknown device"),
    (
        "device absent",
        lambda: companion.select_device("mps", frameworks=()),
        ValueError,
        "not available",
    ),
    # report
    (
        "metric NaN",
        lambda: companion.check("acc", float("nan"), 0.9),
        ValueError,
        "value of 'acc' must be finite",
    ),
    ("metric inf", lambda: companion.check("acc", float("inf"), 0.9), ValueError, "must be finite"),
    (
        "metric text",
        lambda: companion.check("acc", "high", 0.9),
        TypeError,
        "must be a real number",
    ),
    (
        "threshold NaN",
        lambda: companion.check("acc", 0.9, float("nan")),
        ValueError,
        "threshold of 'acc'",
    ),
    (
        "operator",
        lambda: companion.check("acc", 0.9, 0.9, op="=>"),
        ValueError,
        "op must be one of",
    ),
    ("digits", lambda: companion.check("acc", 0.9, 0.9, digits=-2), ValueError, "digits must be"),
    (
        "empty name",
        lambda: companion.check("", 0.9, 0.9),
        ValueError,
        "name must be a non-empty string",
    ),
    (
        "shapes",
        lambda: companion.check_close("d", [1, 2], [1], tol=1e-3),
        ValueError,
        "shapes differ",
    ),
    (
        "tolerance",
        lambda: companion.check_close("d", [1], [1], tol=-1.0),
        ValueError,
        "tol must be positive",
    ),
    (
        "NaN array",
        lambda: companion.max_abs_diff([np.nan], [1.0]),
        ValueError,
        "must not contain NaN",
    ),
    # maths
    ("logits NaN", lambda: softmax([np.nan, 1.0]), ValueError, "logits must be finite"),
    ("logits scalar", lambda: softmax(1.0), ValueError, "at least 1 dimension"),
    (
        "logits 3-D",
        lambda: cross_entropy(np.zeros((1, 2, 3)), [0]),
        ValueError,
        "exactly 2 dimension",
    ),
    ("label range", lambda: cross_entropy(Z, [0, 5]), ValueError, r"labels must lie in \[0, 3\)"),
    ("label count", lambda: cross_entropy(Z, [0, 1, 2]), ValueError, "3 labels for 2 rows"),
    ("label dtype", lambda: cross_entropy(Z, [0.5, 1.0]), ValueError, "integer class labels"),
    (
        "soft target",
        lambda: cross_entropy(Z, np.full((2, 3), 0.5)),
        ValueError,
        "probability distribution",
    ),
    (
        "reduction",
        lambda: cross_entropy(Z, [0, 1], reduction="max"),
        ValueError,
        "reduction must be one of",
    ),
    (
        "grad reduction",
        lambda: cross_entropy_grad(Z, [0, 1], reduction="none"),
        ValueError,
        "for a gradient",
    ),
    ("bce p", lambda: binary_cross_entropy([1.0], [1]), ValueError, "p must lie strictly between"),
    ("bce shapes", lambda: binary_cross_entropy([0.5], [1, 0]), ValueError, "same shape"),
    ("one_hot classes", lambda: one_hot([0], 0), ValueError, "num_classes must be a positive int"),
    (
        "fd empty",
        lambda: numerical_gradient(lambda v: 0.0, []),
        ValueError,
        "non-empty finite array",
    ),
    (
        "fd step",
        lambda: numerical_gradient(lambda v: 0.0, [1.0], eps=-1),
        ValueError,
        "eps must be positive",
    ),
    (
        "fd not scalar",
        lambda: numerical_gradient(lambda v: v, [1.0, 2.0]),
        ValueError,
        "finite scalar",
    ),
    (
        "grad shapes",
        lambda: compare_gradients([1.0], [[1.0]]),
        ValueError,
        "gradient shapes differ",
    ),
    (
        "bits float",
        lambda: quantise_symmetric([1.0], bits=8.0),
        ValueError,
        "bits must be an int from 2 to 16, not float",
    ),
    (
        "bits NumPy range",
        lambda: quantise_symmetric([1.0], bits=np.int64(17)),
        ValueError,
        r"bits must be an int from 2 to 16 \(got",
    ),
    (
        "axis float",
        lambda: quantise_symmetric([[1.0]], axis=0.0),
        ValueError,
        "axis must be None or an axis of w, an int, not float",
    ),
    (
        "vocab_size float",
        lambda: unigram_probabilities([1], 3.0),
        ValueError,
        "vocab_size must be a positive int, not float",
    ),
    (
        "vocab_size NumPy zero",
        lambda: unigram_probabilities([1], np.int32(0)),
        ValueError,
        r"vocab_size must be a positive int \(got",
    ),
    # text
    (
        "wordpiece generator",
        lambda: _wordpiece(s for s in ["profit rose", "sales fell"] * 5),
        TypeError,
        "sentences must be a sequence such as a list, not a one-pass generator",
    ),
    (
        "wordpiece iterator",
        lambda: _wordpiece(iter(["profit rose", "sales fell"] * 5)),
        TypeError,
        "sentences must be a sequence",
    ),
    # plots
    (
        "plot title",
        lambda: label_axes(None, title="", xlabel="x", ylabel="y"),
        ValueError,
        "title must be",
    ),
    # data
    ("subset", lambda: load_phrasebank("90agree"), ValueError, "unknown subset '90agree'"),
    (
        "split frac",
        lambda: split_phrasebank(pd.DataFrame({"label": ["a"]}), val_frac=2),
        ValueError,
        "val_frac",
    ),
    (
        "split column",
        lambda: split_phrasebank(pd.DataFrame({"x": [1]})),
        ValueError,
        "'label' column",
    ),
    (
        "split tiny table",
        lambda: split_phrasebank(TINY),
        ValueError,
        r"df has 4 rows \(per label .*too few for a stratified split",
    ),
    (
        "split one row",
        lambda: split_phrasebank(TINY.head(1)),
        ValueError,
        "df has 1 row ",
    ),
    (
        "digits n_val float",
        lambda: split_digits(np.zeros((100, 2, 2)), np.repeat(np.arange(10), 10), n_val=50.0),
        ValueError,
        "n_val must be an int, not float",
    ),
    (
        "digits n_test text",
        lambda: split_digits(np.zeros((100, 2, 2)), np.repeat(np.arange(10), 10), n_test="20"),
        ValueError,
        "n_test must be an int, not str",
    ),
    (
        "shift float",
        lambda: random_shift(np.zeros((2, 4, 4)), 1.0, np.random.default_rng(0)),
        TypeError,
        "max_shift must be an int, not float",
    ),
    (
        "download timeout negative",
        lambda: download("https://x/y", "/nonexistent/y", timeout=-1),
        ValueError,
        "timeout must be a positive",
    ),
    (
        "download timeout zero",
        lambda: download("https://x/y", "/nonexistent/y", timeout=0),
        ValueError,
        "timeout must be a positive",
    ),
    (
        "url scheme",
        lambda: download("ftp://x/y", "/nonexistent/y"),
        ValueError,
        "url must be an http",
    ),
    (
        "checksum",
        lambda: download("https://x/y", "/nonexistent/y", sha256="xyz"),
        ValueError,
        "sha256 must be",
    ),
]


def test_at_least_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize(
    ("call", "error", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_raises_a_clear_error(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_missing_data_file_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="To get it: make data"):
        require_file("absent.csv", "make data")


def test_empty_data_directory_variable_is_an_error_not_unset(monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, "")
    with pytest.raises(ValueError, match=f"{DATA_DIR_VARIABLE} is set but empty"):
        data_dir()
    with pytest.raises(ValueError, match=f"{DATA_DIR_VARIABLE} is set but empty"):
        load_phrasebank("allagree")  # would otherwise download into the user cache


LOADERS = {
    "accelerators": load_accelerators,
    "citations": load_article_citations,
    "faq": load_book_faq,
    "model configs": load_model_configs,
    "throughput": load_throughput,
    "investment": load_investment,
    "funding events": load_funding_events,
    "models": load_models,
    "costs": load_costs,
    "adoption": lambda path: load_adoption(path=path),
}


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (bytes(range(256)) * 64, "is not a CSV text file: it holds NUL bytes"),
        (b"\x89PNG\r\n\x1a\n\xff\xfe" * 300, "is not a readable CSV file"),
        (b"", "the file is empty"),
    ],
    ids=["binary", "binary-without-NUL", "empty"],
)
@pytest.mark.parametrize("loader", LOADERS.values(), ids=LOADERS.keys())
def test_a_file_that_is_not_csv_text_is_named_in_a_value_error(tmp_path, loader, content, pattern):
    path = tmp_path / "table.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"table.csv {pattern}|table.csv: {pattern}"):
        loader(path)
