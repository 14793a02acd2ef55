"""GPU rental prices and published API prices per million tokens, each row with its source.

Explained in chapter "What a token costs" (book/03_math/token_cost), where GPU-hour prices
become a cost per million generated tokens that is set beside what APIs charge.

Both tables ship with the library as ``companion/data/csv/gpu_prices.csv`` and
``api_prices.csv``. ``status`` is ``reported`` when the figure is read as printed,
``derived`` when computed from printed figures (the ``note`` says how), ``approximate`` when
the source gives it as "about", and ``provisional`` for recent figures.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from companion.data import read_csv_file

__all__ = ["API_PRICE_COLUMNS", "GPU_PRICE_COLUMNS", "load_api_prices", "load_gpu_prices"]

_HEAD = ("year", "month")
_TAIL = ("status", "source", "url", "note")
#: The columns of ``gpu_prices.csv``, in order.
GPU_PRICE_COLUMNS: tuple[str, ...] = (
    _HEAD + ("gpu", "provider", "offer", "usd_per_gpu_hour") + _TAIL
)
#: The columns of ``api_prices.csv``, in order.
API_PRICE_COLUMNS: tuple[str, ...] = (
    _HEAD
    + ("model", "provider", "architecture", "input_usd_per_m", "output_usd_per_m")
    + _TAIL
)
_STATUSES = ("reported", "derived", "approximate", "provisional")


def load_gpu_prices(path: str | Path | None = None) -> pd.DataFrame:
    """Hourly rental prices of one GPU, by date and provider.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with :data:`GPU_PRICE_COLUMNS`; default: the table shipped with the library.

    Returns
    -------
    pandas.DataFrame
        One row per price; ``year`` as int64, ``month`` as float64 (NaN when the source gives
        only the year), ``usd_per_gpu_hour`` as float64, plus ``date`` (a float year, the
        middle of the month or of the year).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If a column is missing or extra, a price or year is not a positive number, a month
        is not 1 to 12, ``source`` or ``url`` is empty, a URL is not https, a status is
        unknown, or a ``derived`` row has no note.

    Examples
    --------
    >>> gpu = load_gpu_prices()
    >>> aws = gpu[gpu["provider"] == "AWS EC2 p5.48xlarge"].iloc[0]
    >>> print(aws["year"], aws["usd_per_gpu_hour"], aws["status"])
    2023 12.29 derived
    """
    return _load(path, "gpu_prices.csv", GPU_PRICE_COLUMNS, ("usd_per_gpu_hour",))


def load_api_prices(path: str | Path | None = None) -> pd.DataFrame:
    """Published prices per million input and output tokens of language-model APIs.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with :data:`API_PRICE_COLUMNS`; default: the table shipped with the library.

    Returns
    -------
    pandas.DataFrame
        One row per model and date; the two prices as float64 (USD per million tokens),
        ``year``, ``month`` and ``date`` as in :func:`load_gpu_prices`.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        As :func:`load_gpu_prices`, for the columns :data:`API_PRICE_COLUMNS`.

    Examples
    --------
    >>> api = load_api_prices()
    >>> row = api[api["model"] == "gpt-3.5-turbo"].iloc[0]
    >>> print(row["year"], row["month"], row["output_usd_per_m"])
    2023 3.0 2.0
    """
    columns = ("input_usd_per_m", "output_usd_per_m")
    return _load(path, "api_prices.csv", API_PRICE_COLUMNS, columns)


def _load(
    path: str | Path | None, default: str, columns: tuple[str, ...], numbers: tuple[str, ...]
) -> pd.DataFrame:
    if path is None:
        with resources.as_file(resources.files("companion.data") / "csv" / default) as p:
            df = read_csv_file(p, dtype=str, keep_default_na=False)
    else:
        df = read_csv_file(Path(path), dtype=str, keep_default_na=False)
    name = default if path is None else Path(path).name
    if tuple(df.columns) != columns:
        raise ValueError(f"{name}: columns must be {list(columns)} (got {list(df.columns)})")
    for column in numbers + ("year",):
        values = pd.to_numeric(df[column], errors="coerce")
        bad = values.isna() | (values <= 0)
        if bad.any():
            raise ValueError(
                f"{name}: {column} must be a positive number (rows {df.index[bad].tolist()})"
            )
        df[column] = values.astype("int64" if column == "year" else "float64")
    month = pd.to_numeric(df["month"].replace("", None), errors="coerce")
    given = (df["month"] != "").to_numpy()
    bad = given & ~month.between(1, 12).to_numpy()
    if bad.any():
        raise ValueError(f"{name}: month must be 1 to 12 or empty (rows {df.index[bad].tolist()})")
    df["month"] = month.astype("float64")
    _check_text(df, name)
    df["date"] = df["year"] + (df["month"].fillna(6.5) - 0.5) / 12
    return df


def _check_text(df: pd.DataFrame, name: str) -> None:
    for column in ("source", "url"):
        empty = df.index[df[column].str.strip() == ""].tolist()
        if empty:
            raise ValueError(f"{name}: {column} is empty in rows {empty}")
    not_https = df.index[~df["url"].str.startswith("https://")].tolist()
    if not_https:
        raise ValueError(f"{name}: url must start with https:// (rows {not_https})")
    unknown = sorted(set(df["status"]) - set(_STATUSES))
    if unknown:
        raise ValueError(f"{name}: status must be one of {list(_STATUSES)} (got {unknown})")
    silent = df.index[(df["status"] == "derived") & (df["note"].str.strip() == "")].tolist()
    if silent:
        raise ValueError(f"{name}: a derived row needs a note saying how (rows {silent})")
