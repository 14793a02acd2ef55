"""GPU rental prices and published API prices per million tokens, each row with its source.

Explained in chapter "What a token costs" (book/03_math/token_cost), where GPU-hour prices
become a cost per million generated tokens that is set beside what APIs charge.

Both tables ship with the library as ``companion/data/csv/gpu_prices.csv`` and
``api_prices.csv``. ``status`` is ``reported`` when the figure is read as printed,
``derived`` when computed from printed figures (the ``note`` says how), ``approximate`` when
the source gives it as "about", and ``provisional`` for recent figures.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from companion.data.tables import TableSpec, read_table, register

__all__ = [
    "API_PRICES",
    "API_PRICE_COLUMNS",
    "GPU_PRICES",
    "GPU_PRICE_COLUMNS",
    "load_api_prices",
    "load_gpu_prices",
]

_HEAD = ("year", "month")
_TAIL = ("status", "source", "url", "note")
#: The columns of ``gpu_prices.csv``, in order.
GPU_PRICE_COLUMNS: tuple[str, ...] = (
    _HEAD + ("gpu", "provider", "offer", "usd_per_gpu_hour") + _TAIL
)
#: The columns of ``api_prices.csv``, in order.
API_PRICE_COLUMNS: tuple[str, ...] = (
    _HEAD + ("model", "provider", "architecture", "input_usd_per_m", "output_usd_per_m") + _TAIL
)
_STATUSES = {"status": ("reported", "derived", "approximate", "provisional")}
_DERIVED = {"status": ("derived",)}
#: The declaration of ``gpu_prices.csv`` read by :func:`~companion.data.tables.read_table`.
GPU_PRICES = register(
    TableSpec(
        "gpu_prices.csv",
        GPU_PRICE_COLUMNS,
        numbers=("usd_per_gpu_hour",),
        integers=_HEAD,
        optional=("month",),
        choices=_STATUSES,
        note_required_for=_DERIVED,
    )
)
#: The declaration of ``api_prices.csv`` read by :func:`~companion.data.tables.read_table`.
API_PRICES = register(
    TableSpec(
        "api_prices.csv",
        API_PRICE_COLUMNS,
        numbers=("input_usd_per_m", "output_usd_per_m"),
        integers=_HEAD,
        optional=("month",),
        choices=_STATUSES,
        note_required_for=_DERIVED,
    )
)


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
    return _load(GPU_PRICES, path)


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
    return _load(API_PRICES, path)


def _load(spec: TableSpec, path: str | Path | None) -> pd.DataFrame:
    df = read_table(spec, path)
    bad = df["month"].notna() & ~df["month"].between(1, 12)
    if bad.any():
        raise ValueError(
            f"{spec.file_name(path)}: month must be 1 to 12 or empty "
            f"(rows {spec.row_names(df, bad)})"
        )
    df["month"] = df["month"].astype("float64")
    df["date"] = df["year"] + (df["month"].fillna(6.5) - 0.5) / 12
    return df
