"""companion.data.citations: the articles' citations, their allowed values, keys and errors."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.data.citations import (
    ARTICLES,
    CITATION_COLUMNS,
    KINDS,
    PROBLEMS,
    bib_keys,
    load_article_citations,
    validate_citations,
)

ROOT = Path(__file__).resolve().parent.parent
BIB = ROOT / "book" / "references.bib"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_article_citations()


def _bib_entry_keys() -> set[str]:
    return set(re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), re.M))


def test_every_bib_key_is_an_entry_of_the_book_bibliography(table):
    missing = sorted(set(bib_keys(table)) - _bib_entry_keys())
    assert not missing, f"keys missing from book/references.bib: {missing}"


def test_columns_and_allowed_values(table):
    assert tuple(table.columns) == CITATION_COLUMNS
    assert table["article"].isin(ARTICLES).all()
    assert table["kind"].isin(KINDS).all()
    assert table["problem"].isin(PROBLEMS).all()
    assert table["url"].str.match(r"https?://").all()


def test_every_article_is_covered_and_every_paper_or_book_has_a_real_work(table):
    assert set(table["article"]) == set(ARTICLES)
    works = table[table["kind"].isin(["paper", "book"])]
    assert (works["bib_key"] != "").all()


def test_known_corrections_are_recorded(table):
    def row(article: str, words: str) -> pd.Series:
        hits = table[(table["article"] == article) & table["as_cited"].str.contains(words)]
        assert len(hits) == 1, (article, words)
        return hits.iloc[0]

    petl = row("001", "Parameter-Efficient Transfer Learning")
    assert petl["problem"] == "wrong attribution"
    assert set(petl["bib_key"].split("; ")) == {
        "houlsby2019parameter",
        "hu2021lora",
        "benzaken2021bitfit",
    }
    assert row("003", "Artistic Style")["problem"] == "wrong author"
    assert row("002", "Theoretical Analysis of the DCGAN")["problem"] == "not found"
    assert row("003", "ResNet")["bib_key"] == "he2016deep"


def test_rows_without_a_problem_say_so_and_rows_with_one_explain_it(table):
    flagged = table[table["problem"] != "none"]
    assert len(flagged) > 0
    assert (flagged["correction"].str.len() > 20).all()


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file at .*nothing.csv"):
        load_article_citations(tmp_path / "nothing.csv")


def test_missing_column_is_named(tmp_path, table):
    path = tmp_path / "c.csv"
    table.drop(columns="problem").to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"missing required columns \['problem'\]"):
        load_article_citations(path)


def test_round_trip_through_a_file(tmp_path, table):
    path = tmp_path / "c.csv"
    table.to_csv(path, index=False)
    pd.testing.assert_frame_equal(load_article_citations(path), table)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("kind", "blog", r"kind must be one of .*got \['blog'\]"),
        ("problem", "misquoted", r"problem must be one of .*got \['misquoted'\]"),
        ("article", "005", r"article must be one of .*got \['005'\]"),
        ("section", "seven", r"section must be like '7.3'"),
        ("url", "example.com/x", r"url must start with https://"),
        ("bib_key", "Devlin 2019", r"bib_key must be bib keys"),
        ("as_cited", " ", r"as_cited is empty in rows \[0\]"),
    ],
)
def test_bad_values_are_rejected_with_their_column(table, column, value, message):
    bad = table.copy()
    bad.loc[0, column] = value
    with pytest.raises(ValueError, match=message):
        validate_citations(bad)


def test_a_paper_without_a_key_is_rejected(table):
    bad = table.copy()
    first_paper = bad.index[bad["kind"] == "paper"][0]
    bad.loc[first_paper, "bib_key"] = ""
    with pytest.raises(ValueError, match="every paper or book needs a bib_key"):
        validate_citations(bad)


def test_a_repeated_citation_is_rejected(table):
    with pytest.raises(ValueError, match="must appear once"):
        validate_citations(pd.concat([table, table.head(1)]))


def test_bib_keys_needs_the_column():
    with pytest.raises(ValueError, match="df must have a bib_key column"):
        bib_keys(pd.DataFrame({"x": ["a"]}))


@given(st.lists(st.sampled_from(["kim2014convolutional", "he2016deep", "hu2021lora"]), max_size=3))
def test_bib_keys_are_sorted_unique_and_ignore_spacing(keys):
    frame = pd.DataFrame({"bib_key": [" ; ".join(keys), "; ".join(reversed(keys)), ""]})
    assert bib_keys(frame) == sorted(set(keys))
