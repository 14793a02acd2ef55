"""The book's own FAQ: questions, answers, the chapter each answer comes from, and paraphrases.

Used in chapter "A customer-service assistant" (book/05_applications/customer_service).

The table ships with the library as ``companion/data/csv/book_faq.csv``: one row per entry,
with columns ``id, question, answer, source, paraphrase_1, paraphrase_2``. ``source`` names the
chapter (``book/<part>/<name>``) whose content the answer summarises; the two paraphrases are
test queries written separately from the question, with different words.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from companion.data import read_csv_file

__all__ = ["FAQ_COLUMNS", "load_book_faq"]

#: The columns of the FAQ table, in order.
FAQ_COLUMNS: tuple[str, ...] = (
    "id",
    "question",
    "answer",
    "source",
    "paraphrase_1",
    "paraphrase_2",
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
    if path is None:
        with resources.as_file(resources.files("companion.data") / "csv" / "book_faq.csv") as p:
            df = read_csv_file(p, dtype=str, keep_default_na=False)
    else:
        if not Path(path).is_file():
            raise FileNotFoundError(f"FAQ table not found: {path}")
        df = read_csv_file(path, dtype=str, keep_default_na=False)
    return _validated(df)


def _validated(df: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in FAQ_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"FAQ table lacks columns {missing} (has {list(df.columns)})")
    df = df[list(FAQ_COLUMNS)].apply(lambda col: col.str.strip())
    empty = [(int(i), c) for c in FAQ_COLUMNS for i in df.index[df[c] == ""]]
    if empty:
        raise ValueError(f"FAQ table has empty cells at (row, column) {empty[:5]}")
    if not df["id"].is_unique:
        raise ValueError(
            f"FAQ ids must be unique (repeated: {sorted(df['id'][df['id'].duplicated()])})"
        )
    bad = df["source"][~df["source"].str.fullmatch(r"book/[0-9a-z_]+/[0-9a-z_]+")]
    if len(bad):
        raise ValueError(f"source must look like 'book/<part>/<name>' (got {list(bad)[:3]})")
    norm = df.apply(lambda col: col.str.lower())
    copies = df["id"][
        (norm["paraphrase_1"] == norm["question"]) | (norm["paraphrase_2"] == norm["question"])
    ]
    if len(copies):
        raise ValueError(f"paraphrases must not copy their question (ids {list(copies)})")
    return df.reset_index(drop=True)
