"""companion.maths.retrieval and companion.data.faq: cosine similarity against scikit-learn, the
abstention threshold's guarantee, and the FAQ table's integrity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics.pairwise import cosine_similarity as sk_cosine
from toc import toc_entries

from companion.data.faq import FAQ_COLUMNS, load_book_faq
from companion.maths.retrieval import (
    ABSTAIN,
    answer_or_abstain,
    choose_threshold,
    cosine_similarity,
)

nonzero = st.floats(0.1, 10, allow_nan=False)
signed = st.one_of(nonzero, nonzero.map(lambda x: -x))


@given(arrays(np.float64, (3, 5), elements=signed), arrays(np.float64, (4, 5), elements=signed))
def test_cosine_similarity_equals_sklearn(Q, D):
    np.testing.assert_allclose(cosine_similarity(Q, D), sk_cosine(Q, D), atol=1e-12)


@given(arrays(np.float64, (2, 4), elements=signed), st.floats(0.01, 100))
def test_cosine_similarity_ignores_vector_length(Q, c):
    np.testing.assert_allclose(cosine_similarity(c * Q, Q), cosine_similarity(Q, Q), atol=1e-12)
    np.testing.assert_allclose(np.diag(cosine_similarity(Q, Q)), 1.0, atol=1e-12)


@given(
    arrays(np.float64, st.integers(1, 40), elements=st.floats(-1, 1, allow_nan=False)),
    st.floats(0.01, 1.0),
)
def test_threshold_answers_at_least_the_coverage_and_is_the_highest_such(scores, coverage):
    t = choose_threshold(scores, coverage)
    assert np.mean(scores >= t) >= coverage - 1e-12
    higher = scores[scores > t]
    if higher.size:  # any higher threshold would answer too few
        assert np.mean(scores >= higher.min()) < coverage


def test_full_coverage_threshold_is_the_lowest_score():
    assert choose_threshold([0.4, 0.2, 0.9], coverage=1.0) == 0.2


def test_answer_or_abstain_returns_argmax_or_abstains():
    S = np.array([[0.1, 0.7, 0.3], [0.2, 0.1, 0.25]])
    assert answer_or_abstain(S, 0.5).tolist() == [1, ABSTAIN]
    assert answer_or_abstain(S, 0.0).tolist() == [1, 2]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: cosine_similarity([[0.0, 0.0]], [[1.0, 0.0]]), r"queries has an all-zero row"),
        (lambda: cosine_similarity([[1.0, 0.0]], [[1.0, 0.0, 0.0]]), "same width"),
        (lambda: cosine_similarity([1.0, 0.0], [[1.0, 0.0]]), "queries must be a finite 2-D"),
        (lambda: choose_threshold([], 0.9), "top_scores must be non-empty"),
        (
            lambda: choose_threshold([0.5], 0.0),
            r"coverage must lie in \(0, 1\] \(got coverage=0.0\)",
        ),
        (lambda: choose_threshold([0.5], 1.5), r"coverage must lie in \(0, 1\]"),
        (lambda: answer_or_abstain([0.1, 0.2], 0.5), "similarities must be a finite"),
        (lambda: answer_or_abstain([[0.1, 0.2]], "high"), "threshold must be a number"),
    ],
)
def test_retrieval_functions_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- the FAQ table --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def faq():
    return load_book_faq()


def test_faq_has_twenty_entries_with_two_distinct_paraphrases(faq):
    assert len(faq) >= 20
    assert list(faq.columns) == list(FAQ_COLUMNS)
    assert (faq["paraphrase_1"] != faq["paraphrase_2"]).all()
    queries = pd.concat([faq["paraphrase_1"], faq["paraphrase_2"]])
    assert queries.is_unique and not queries.isin(faq["question"]).any()


def test_every_faq_answer_names_a_chapter_of_the_book(faq):
    assert set(faq["source"]) <= set(toc_entries())


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda df: df.drop(columns="source"), r"missing required columns \['source'\]"),
        (lambda df: df.assign(answer=[""] + list(df["answer"][1:])), "answer is empty in rows"),
        (
            lambda df: df.assign(id=["same"] * len(df)),
            r"duplicate \['id'\].*\(got \['same'\] in rows",
        ),
        (lambda df: df.assign(source="chapter 3"), "source must look like 'book/<part>/<name>'"),
        (lambda df: df.assign(paraphrase_1=df["question"].str.upper()), "must not copy"),
    ],
)
def test_faq_loader_rejects_broken_tables(faq, tmp_path, edit, match):
    path = tmp_path / "faq.csv"
    edit(faq.copy()).to_csv(path, index=False)
    with pytest.raises(ValueError, match=match):
        load_book_faq(path)


def test_faq_loader_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="book_faq.csv: no file at .*absent.csv"):
        load_book_faq(tmp_path / "absent.csv")
