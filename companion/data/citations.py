"""What the five source articles cite, checked: one row per citation, with its problem and fix.

Explained in chapter "Tools and resources" (book/06_outlook/tools_resources).

The table ships with the library as ``companion/data/csv/article_citations.csv``: one row per
work, tool, book, data set, report, model or figure an article names, with columns
:data:`CITATION_COLUMNS`. ``kind`` says what the article cites (:data:`KINDS`), ``problem`` what
is wrong with the citation (:data:`PROBLEMS`; ``"none"`` when it is right), ``correction`` the
real work or the right statement, ``bib_key`` the key(s) of that real work in the book's
``book/references.bib`` (several separated by ``"; "``), and ``source`` and ``url`` where the
correction was checked. A cited work that could not be found gets no key of its own: the key
names the real work the article probably meant.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from companion.data.tables import TableSpec, check_table, read_table, register

__all__ = [
    "ARTICLES",
    "ARTICLE_CITATIONS",
    "CITATION_COLUMNS",
    "KINDS",
    "PROBLEMS",
    "bib_keys",
    "load_article_citations",
    "validate_citations",
]

#: The columns of the citation table, in order.
CITATION_COLUMNS: tuple[str, ...] = (
    "article",
    "section",
    "as_cited",
    "kind",
    "problem",
    "correction",
    "bib_key",
    "source",
    "url",
)
#: The five source articles, by the prefix of their file name.
ARTICLES: tuple[str, ...] = ("000", "001", "002", "003", "004")
#: What an article cites.
KINDS: tuple[str, ...] = ("paper", "book", "tool", "dataset", "course", "report", "model", "figure")
#: What can be wrong with a citation; ``"none"`` means nothing is.
PROBLEMS: tuple[str, ...] = (
    "none",
    "wrong author",
    "wrong year",
    "wrong title",
    "wrong attribution",
    "wrong description",
    "not found",
    "does not exist",
    "unidentifiable",
    "unsupported",
    "outdated",
    "broken link",
)
#: The declaration of ``article_citations.csv`` read by
#: :func:`~companion.data.tables.read_table`.
ARTICLE_CITATIONS = register(
    TableSpec(
        "article_citations.csv",
        CITATION_COLUMNS,
        unique=("article", "section", "as_cited"),
        required=tuple(c for c in CITATION_COLUMNS if c != "bib_key"),
        choices={"article": ARTICLES, "kind": KINDS, "problem": PROBLEMS},
    )
)
# Kinds of citation that are works of scholarship: each row must name a real one in the bib.
_NEEDS_KEY = ("paper", "book")
_KEY = re.compile(r"[a-z][a-z0-9]*\d{4}[a-z0-9]*")
_SECTION = r"\d{1,2}(\.\d{1,2})?"


def load_article_citations(path: str | Path | None = None) -> pd.DataFrame:
    """The articles' citations with their problems and corrections, checked for consistency.

    Parameters
    ----------
    path : str or Path, optional
        Another CSV with the same columns; default: the table shipped with the library.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CITATION_COLUMNS`, one row per citation, all strings; ``bib_key`` is
        ``""`` where no real work is cited (a tool, a placeholder link).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        As :func:`validate_citations`.

    Examples
    --------
    >>> table = load_article_citations()
    >>> sorted(table["article"].unique()) == list(ARTICLES)
    True
    >>> table.query("problem == 'wrong author'")["bib_key"].tolist()
    ['gatys2015neural']
    """
    df = read_table(ARTICLE_CITATIONS, path)
    _check_citations(df, f"{ARTICLE_CITATIONS.file_name(path)}: ")
    return df


def validate_citations(df: pd.DataFrame) -> pd.DataFrame:
    """Check a citation table and return it with stripped strings and a fresh index.

    Parameters
    ----------
    df : pandas.DataFrame
        A table with (at least) the columns :data:`CITATION_COLUMNS`; others are dropped.

    Returns
    -------
    pandas.DataFrame
        The columns :data:`CITATION_COLUMNS`, in order.

    Raises
    ------
    ValueError
        If a column is missing; there are no rows; a cell other than ``bib_key`` is empty; an
        ``article``, ``kind`` or ``problem`` is not one of :data:`ARTICLES`, :data:`KINDS`,
        :data:`PROBLEMS`; a ``section`` is not like ``"7.3"``; a ``url`` is not an https web
        address; a ``bib_key`` is malformed; a paper or book has no ``bib_key``; or the same
        (article, section, as_cited) appears twice. Messages name the rows by position
        (:func:`load_article_citations` starts them with the file's name).

    Examples
    --------
    >>> bad = load_article_citations().head(1).assign(problem="misquoted")
    >>> validate_citations(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: problem must be one of ... (got ['misquoted'] in rows [0])
    """
    if set(CITATION_COLUMNS) <= set(df.columns):
        df = df[list(CITATION_COLUMNS)]
    df = check_table(ARTICLE_CITATIONS, df)
    _check_citations(df)
    return df


def _check_citations(df: pd.DataFrame, at: str = "") -> None:
    """The rules particular to citations, on a table that passed ``check_table``."""
    section = ~df["section"].str.fullmatch(_SECTION)
    if section.any():
        raise ValueError(
            f"{at}section must be like '7.3' (got {df.loc[section, 'section'].tolist()[:3]} "
            f"in rows {df.index[section].tolist()[:5]})"
        )
    keys = df["bib_key"].map(_split_keys)
    bad = [(int(i), k) for i, ks in keys.items() for k in ks if not _KEY.fullmatch(k)]
    if bad:
        raise ValueError(
            f"{at}bib_key must be bib keys like 'devlin2019bert' separated by '; ' (got {bad[:3]})"
        )
    keyless = df.index[df["kind"].isin(_NEEDS_KEY) & (df["bib_key"] == "")].tolist()
    if keyless:
        raise ValueError(
            f"{at}every paper or book needs a bib_key naming the real work (rows {keyless[:5]})"
        )


def bib_keys(df: pd.DataFrame) -> list[str]:
    """All bib keys a citation table uses, sorted, each once.

    Parameters
    ----------
    df : pandas.DataFrame
        A table from :func:`load_article_citations`.

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        If ``df`` has no ``bib_key`` column.

    Examples
    --------
    >>> "houlsby2019parameter" in bib_keys(load_article_citations())
    True
    """
    if "bib_key" not in df.columns:
        raise ValueError(f"df must have a bib_key column (has {list(df.columns)})")
    return sorted({k for cell in df["bib_key"] for k in _split_keys(str(cell))})


def _split_keys(cell: str) -> list[str]:
    return [k.strip() for k in cell.split(";") if k.strip()]
