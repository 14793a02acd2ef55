"""Adoption series of AI products, dated and sourced, for the diffusion models of Part III.

Explained in chapter "Market saturation" (book/03_math/market_saturation).

Each series is a CSV in ``companion/data/csv/`` with one row per announced figure:
``date`` (ISO, ``YYYY-MM-DD``), ``value``, ``unit``, ``metric``, ``status``, ``source`` (who
announced it, where and when), ``url`` (where the figure was read) and ``note``. A ``status``
other than ``reported`` (a lower bound such as "more than 200 million", a forecast such as
"on track to reach", a recent provisional figure) needs a note saying why.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from companion.data import read_csv_file

__all__ = ["COLUMNS", "LAUNCHES", "SERIES", "STATUSES", "load_adoption", "years_since"]

#: The series that ship with the companion: name -> what it counts.
SERIES: dict[str, str] = {
    "chatgpt_weekly_active_users": "ChatGPT weekly active users, as announced by OpenAI",
}
#: Launch date of each series' product, with its source: the time origin of the Bass model.
LAUNCHES: dict[str, tuple[str, str]] = {
    "chatgpt_weekly_active_users": (
        "2022-11-30",
        "OpenAI, 'Introducing ChatGPT', 30 Nov 2022 (https://openai.com/index/chatgpt/)",
    ),
}
#: Columns every adoption CSV must have.
COLUMNS: tuple[str, ...] = ("date", "value", "unit", "metric", "status", "source", "url", "note")
#: What a figure is; every status but ``reported`` needs a note.
STATUSES: tuple[str, ...] = ("reported", "lower_bound", "forecast", "provisional")


def load_adoption(
    name: str = "chatgpt_weekly_active_users", *, path: str | Path | None = None
) -> pd.DataFrame:
    """Load and validate one adoption series.

    Parameters
    ----------
    name : str
        One of :data:`SERIES`; ignored when ``path`` is given, except in messages.
    path : str or pathlib.Path, optional
        Read this CSV instead of the one shipped with the companion.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``date`` as ``datetime64``, ``value`` as float, rows in date
        order.

    Raises
    ------
    ValueError
        For an unknown ``name``, or a file whose columns, dates, values, statuses, sources or
        urls are missing or malformed; the message names the column and the file's lines.
    FileNotFoundError
        If the file does not exist.

    Examples
    --------
    >>> df = load_adoption()
    >>> len(df) >= 8, df["unit"].iloc[0], bool(df["date"].is_monotonic_increasing)
    (True, 'million', True)
    """
    if path is None:
        if name not in SERIES:
            raise ValueError(f"unknown adoption series {name!r} (known: {sorted(SERIES)})")
        path = Path(str(resources.files("companion.data").joinpath("csv", f"{name}.csv")))
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"adoption series {name!r}: no file at {path} (the series ship with the companion "
            "in companion/data/csv/; reinstall the package or pass path=)"
        )
    raw = read_csv_file(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(
            f"{path.name}: missing required columns {missing} (got {list(raw.columns)})"
        )
    if raw.empty:
        raise ValueError(f"{path.name}: no rows")
    df = raw[list(COLUMNS)].apply(lambda column: column.str.strip())
    df["date"] = _dates(df["date"], path.name)
    df["value"] = _values(df["value"], path.name)
    _validate(df, path.name)
    return df.reset_index(drop=True)


def years_since(dates: pd.Series | pd.DatetimeIndex, origin: str) -> np.ndarray:
    """Time from ``origin`` to each date, in years of 365.25 days.

    Examples
    --------
    >>> years_since(pd.to_datetime(pd.Series(["2023-11-30"])), "2022-11-30").round(3).tolist()
    [0.999]
    """
    delta = pd.to_datetime(pd.Series(dates)) - pd.Timestamp(origin)
    return (delta.dt.days / 365.25).to_numpy(dtype=np.float64)


def _dates(text: pd.Series, name: str) -> pd.Series:
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna()
    if bad.any():
        raise ValueError(
            f"{name}: column 'date' must be YYYY-MM-DD (bad values {text[bad].tolist()} "
            f"in lines {_lines(bad)})"
        )
    if not parsed.is_monotonic_increasing or parsed.duplicated().any():
        raise ValueError(f"{name}: dates must be strictly increasing (got {text.tolist()})")
    return parsed


def _values(text: pd.Series, name: str) -> pd.Series:
    parsed = pd.to_numeric(text.replace("", np.nan), errors="coerce")
    bad = ~(parsed > 0) | ~np.isfinite(parsed)
    if bad.any():
        raise ValueError(
            f"{name}: column 'value' must be a positive number (bad values "
            f"{text[bad].tolist()} in lines {_lines(bad)})"
        )
    return parsed.astype("float64")


def _validate(df: pd.DataFrame, name: str) -> None:
    for column in ("unit", "metric", "source", "url"):
        empty = df[column] == ""
        if empty.any():
            raise ValueError(f"{name}: every row needs a {column} (empty in lines {_lines(empty)})")
    for column in ("unit", "metric"):
        if df[column].nunique() != 1:
            raise ValueError(f"{name}: one {column} per series (got {sorted(set(df[column]))})")
    not_web = ~df["url"].str.match(r"https?://")
    if not_web.any():
        raise ValueError(
            f"{name}: url must start with http:// or https:// (lines {_lines(not_web)})"
        )
    unknown = ~df["status"].isin(STATUSES)
    if unknown.any():
        raise ValueError(
            f"{name}: status must be one of {list(STATUSES)} "
            f"(got {sorted(set(df.loc[unknown, 'status']))})"
        )
    unexplained = (df["status"] != "reported") & (df["note"] == "")
    if unexplained.any():
        raise ValueError(
            f"{name}: a figure that is not simply reported needs a note saying why "
            f"(lines {_lines(unexplained)})"
        )


def _lines(mask: pd.Series) -> list[int]:
    # File line numbers: the header is line 1.
    return [int(i) + 2 for i in np.flatnonzero(mask.to_numpy())]
