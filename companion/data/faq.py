"""The book's own FAQ: questions, answers, the chapter each answer comes from, and paraphrases.

Used in chapter "A customer-service assistant" (book/05_applications/customer_service).

The table ships with the library as ``companion/data/csv/book_faq.csv``: one row per entry,
with columns ``id, question, answer, source, paraphrase_1, paraphrase_2``. ``source`` names the
chapter (``book/<part>/<name>``) whose content the answer summarises; the two paraphrases are
test queries written separately from the question, with different words.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from companion.data.tables import TableSpec, read_table, register

__all__ = ["BOOK_FAQ", "FAQ_COLUMNS", "load_book_faq"]

#: The columns of the FAQ table, in order.
FAQ_COLUMNS: tuple[str, ...] = (
    "id",
    "question",
    "answer",
    "source",
    "paraphrase_1",
    "paraphrase_2",
)
#: The declaration of ``book_faq.csv`` read by :func:`~companion.data.tables.read_table`; its
#: provenance is the chapter each answer summarises.
BOOK_FAQ = register(
    TableSpec(
        "book_faq.csv",
        FAQ_COLUMNS,
        key="id",
        required=FAQ_COLUMNS,
        provenance=("source",),
        urls=(),
    )
)


def load_book_faq(path: str | Path | None = None) -> pd.DataFrame:
    """The book's FAQ as a DataFrame, checked for completeness.

    Parameters
    ----------
    path : str or Path, optional
        Another CSV with the same columns; default: the table shipped with the library.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FAQ_COLUMNS`, one row per entry, all strings.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If a column is missing, a cell is empty, an ``id`` repeats, a paraphrase copies its
        question, or a ``source`` is not of the form ``book/<part>/<name>``.

    Examples
    --------
    >>> faq = load_book_faq()
    >>> len(faq) >= 20, list(faq.columns) == list(FAQ_COLUMNS)
    (True, True)
    """
    df = read_table(BOOK_FAQ, path)
    name = BOOK_FAQ.file_name(path)
    bad = ~df["source"].str.fullmatch(r"book/[0-9a-z_]+/[0-9a-z_]+")
    if bad.any():
        raise ValueError(
            f"{name}: source must look like 'book/<part>/<name>' "
            f"(got {df.loc[bad, 'source'].tolist()[:3]} in rows {BOOK_FAQ.row_names(df, bad)[:3]})"
        )
    question = df["question"].str.lower()
    copies = (df["paraphrase_1"].str.lower() == question) | (
        df["paraphrase_2"].str.lower() == question
    )
    if copies.any():
        raise ValueError(
            f"{name}: paraphrases must not copy their question "
            f"(rows {BOOK_FAQ.row_names(df, copies)})"
        )
    return df
