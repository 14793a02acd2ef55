"""companion.maths.unigram: frequencies, entropy, cross-entropy and top-k accuracy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import top_k_accuracy_score

from companion.maths.unigram import (
    entropy,
    top_k_accuracy,
    unigram_cross_entropy,
    unigram_probabilities,
)

token_lists = st.integers(1, 12).flatmap(
    lambda v: st.tuples(st.just(v), st.lists(st.integers(0, v - 1), min_size=1, max_size=60))
)


@given(token_lists, st.floats(0.0, 3.0))
def test_probabilities_sum_to_one_and_entropy_is_at_most_log_vocab(vocab_tokens, alpha):
    vocab, tokens = vocab_tokens
    p = unigram_probabilities(tokens, vocab, alpha=alpha)
    assert p.sum() == pytest.approx(1.0)
    assert (p >= 0).all()
    assert 0.0 <= entropy(p) <= np.log(np.count_nonzero(p)) + 1e-12


@given(st.integers(1, 500))
def test_entropy_of_uniform_distribution_is_log_k(k):
    assert entropy(np.full(k, 1.0 / k)) == pytest.approx(np.log(k), rel=1e-12, abs=1e-12)


@given(token_lists)
def test_cross_entropy_on_own_tokens_equals_entropy(vocab_tokens):
    vocab, tokens = vocab_tokens
    p = unigram_probabilities(tokens, vocab, alpha=0.0)  # the empirical distribution
    assert unigram_cross_entropy(p, tokens) == pytest.approx(entropy(p), abs=1e-9)


@given(token_lists, st.floats(0.1, 3.0))
def test_any_other_distribution_scores_worse_gibbs_inequality(vocab_tokens, alpha):
    vocab, tokens = vocab_tokens
    own = unigram_probabilities(tokens, vocab, alpha=0.0)
    smoothed = unigram_probabilities(tokens, vocab, alpha=alpha)
    assert unigram_cross_entropy(smoothed, tokens) >= entropy(own) - 1e-9


def test_excluded_tokens_get_zero_probability_and_smoothing_keeps_unseen_finite():
    p = unigram_probabilities([2, 2, 3], vocab_size=5, alpha=1.0, exclude=[0])
    assert p[0] == 0.0
    assert p[4] == pytest.approx(1 / 7)  # unseen: (0 + 1) / (2 + 1 + 1 + 1 + 1 + 1)
    assert np.isfinite(unigram_cross_entropy(p, [4]))


def test_top_k_accuracy_equals_sklearn():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(200, 30))
    targets = rng.integers(0, 30, 200)
    for k in (1, 3, 29):
        expected = top_k_accuracy_score(targets, scores, k=k, labels=np.arange(30))
        assert top_k_accuracy(scores, targets, k) == pytest.approx(expected, abs=1e-12)
    assert top_k_accuracy(scores, targets, 30) == 1.0


def test_top_k_accuracy_with_one_shared_row_and_ties_broken_by_lower_id():
    assert top_k_accuracy([0.25, 0.25, 0.5], [0, 1], k=2) == 0.5  # top 2: ids 2 and 0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: unigram_probabilities([1], 0), "vocab_size must be a positive int"),
        (lambda: unigram_probabilities([1], 3, alpha=-1.0), "alpha must be >= 0"),
        (lambda: unigram_probabilities([5], 3), r"token_ids must lie in \[0, 3\)"),
        (lambda: unigram_probabilities([0.5], 3), "token_ids must be integer"),
        (lambda: unigram_probabilities([1], 3, exclude=[7]), r"exclude must lie in \[0, 3\)"),
        (lambda: unigram_probabilities([1], 2, alpha=0.0, exclude=[1]), "no probability mass"),
        (lambda: entropy([[0.5, 0.5]]), "p must be a non-empty 1-D vector"),
        (lambda: entropy([0.5, 0.6]), "p must be non-negative and sum to 1"),
        (lambda: entropy([1.5, -0.5]), "p must be non-negative and sum to 1"),
        (lambda: unigram_cross_entropy([0.5, 0.5], []), "targets must not be empty"),
        (lambda: unigram_cross_entropy([0.5, 0.5], [2]), r"targets must lie in \[0, 2\)"),
        (lambda: unigram_cross_entropy([1.0, 0.0], [1]), "has probability 0"),
        (lambda: top_k_accuracy(np.ones((3, 2)) / 2, [0, 1], k=1), "scores must be"),
        (lambda: top_k_accuracy([0.5, 0.5], [0], k=3), r"k must be an int in \[1, 2\]"),
        (lambda: top_k_accuracy([0.5, 0.5], [0], k=True), "k must be an int"),
        (lambda: top_k_accuracy([0.5, 0.5], [2], k=1), r"targets must lie in \[0, 2\)"),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
