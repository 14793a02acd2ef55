"""Adoption series of AI products, dated and sourced, for the diffusion models of Part III.

Explained in chapter "Market saturation" (book/03_math/market_saturation).

Each series is a CSV in ``companion/data/csv/`` with one row per announced figure:
``date`` (ISO, ``YYYY-MM-DD``), ``value``, ``unit``, ``metric``, ``status``, ``source`` (who
announced it, where and when), ``url`` (where the figure was read) and ``note``. A ``status``
other than ``reported`` (a lower bound such as "more than 200 million", a forecast such as
"on track to reach", a recent provisional figure) needs a note saying why.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from companion.data.tables import TableSpec, read_table, register

__all__ = [
    "ADOPTION_TABLES",
    "COLUMNS",
    "LAUNCHES",
    "SERIES",
    "STATUSES",
    "load_adoption",
    "years_since",
]

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


def _series_spec(name: str) -> TableSpec:
    return TableSpec(
        f"{name}.csv",
        COLUMNS,
        required=("unit", "metric"),
        numbers=("value",),
        choices={"status": STATUSES},
        note_required_for={"status": STATUSES[1:]},
    )


#: The declaration of each series' CSV, read by :func:`~companion.data.tables.read_table`.
ADOPTION_TABLES: dict[str, TableSpec] = {name: register(_series_spec(name)) for name in SERIES}


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
        urls are missing or malformed; the message names the file, the column and the rows.
    FileNotFoundError
        If the file does not exist.

    Examples
    --------
    >>> df = load_adoption()
    >>> len(df) >= 8, df["unit"].iloc[0], bool(df["date"].is_monotonic_increasing)
    (True, 'million', True)
    """
    if path is None and name not in SERIES:
        raise ValueError(f"unknown adoption series {name!r} (known: {sorted(SERIES)})")
    spec = ADOPTION_TABLES[name] if name in SERIES else _series_spec(name)
    df = read_table(spec, path)
    file = spec.file_name(path)
    for column in ("unit", "metric"):
        if df[column].nunique() != 1:
            raise ValueError(f"{file}: one {column} per series (got {sorted(set(df[column]))})")
    df["date"] = _dates(df["date"], file)
    return df


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
            f"{name}: date must be YYYY-MM-DD (got {text[bad].tolist()} "
            f"in rows {np.flatnonzero(bad).tolist()})"
        )
    if not parsed.is_monotonic_increasing or parsed.duplicated().any():
        raise ValueError(f"{name}: dates must be strictly increasing (got {text.tolist()})")
    return parsed
