"""Hugging Face configurations of open models (2023 onwards) beside their published sizes.

Explained in chapter "What makes a model large" (book/02_concepts/model_size), where
:func:`companion.sizing.from_hf_config` and :func:`companion.sizing.count_parameters` are set
beside the sizes the models' authors published.

The table ships with the library as ``companion/data/csv/open_model_configs.csv``: one row per
model with the ``config.json`` values the counter needs (a JSON object in ``config``), the URL
of the file they were read from, the published size in billions (``published_active_b`` for
mixtures of experts, empty for dense models) with the URL where it is stated, and the date it
was retrieved. ``status`` says where the configuration comes from: ``official`` (the
publisher's own file), ``copy`` (a third party's copy of it) or ``derivative`` (the
``config.json`` of a fine-tune that keeps the base model's sizes; the ``note`` says which).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from companion.data import read_csv_file
from companion.sizing import from_hf_config

__all__ = ["OPEN_MODEL_COLUMNS", "hf_config", "load_open_models"]

#: The columns of ``open_model_configs.csv``, in order.
OPEN_MODEL_COLUMNS: tuple[str, ...] = (
    "model",
    "year",
    "config",
    "config_url",
    "published_total_b",
    "published_active_b",
    "size_source",
    "size_url",
    "retrieved",
    "status",
    "note",
)
_STATUSES = ("official", "copy", "derivative")
_DEFAULT = "open_model_configs.csv"


def load_open_models(path: str | Path | None = None) -> pd.DataFrame:
    """Open models' ``config.json`` values and published sizes, validated.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with :data:`OPEN_MODEL_COLUMNS`; default: the table shipped with the library.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``model``; ``year`` as int64, the published sizes as float64 (billions of
        parameters; ``published_active_b`` NaN for dense models), ``retrieved`` as a string
        ``YYYY-MM-DD``, ``config`` as the JSON text (parse it with :func:`hf_config`).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If a column is missing or extra, a model is empty or repeats, a year or published
        size is not a positive number, an active size exceeds the total, ``size_source`` is
        empty, a URL is not https, ``retrieved`` is not a date, a status is unknown, a
        ``derivative`` row has no note, or ``config`` is not a JSON object that
        :func:`~companion.sizing.from_hf_config` accepts (the message names the row).

    Examples
    --------
    >>> table = load_open_models()
    >>> row = table.loc["Mixtral 8x7B"]
    >>> print(row["year"], row["published_total_b"], row["published_active_b"], row["status"])
    2023 46.7 12.9 official
    """
    if path is None:
        with resources.as_file(resources.files("companion.data") / "csv" / _DEFAULT) as p:
            df = read_csv_file(p, dtype=str, keep_default_na=False)
    else:
        df = read_csv_file(Path(path), dtype=str, keep_default_na=False)
    name = _DEFAULT if path is None else Path(path).name
    if tuple(df.columns) != OPEN_MODEL_COLUMNS:
        raise ValueError(
            f"{name}: columns must be {list(OPEN_MODEL_COLUMNS)} (got {list(df.columns)})"
        )
    _check_numbers(df, name)
    _check_text(df, name)
    table = df.set_index("model")
    for model in table.index:
        try:
            from_hf_config(hf_config(table, model))
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name}: row {model!r} has an invalid config: {err}") from err
    return table


def hf_config(table: pd.DataFrame, model: str) -> dict[str, Any]:
    """The parsed ``config`` of one row of :func:`load_open_models`.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`load_open_models`.
    model : str
        A value of the index.

    Returns
    -------
    dict
        The ``config.json`` keys the row holds, ready for
        :func:`~companion.sizing.from_hf_config`.

    Raises
    ------
    ValueError
        If ``model`` is not in the table, or its ``config`` is not a JSON object.

    Examples
    --------
    >>> from companion.sizing import count_parameters, from_hf_config
    >>> config = hf_config(load_open_models(), "Qwen2.5 7B")
    >>> f"{count_parameters(from_hf_config(config)).total:,}"
    '7,615,616,512'
    """
    if model not in table.index:
        raise ValueError(f"unknown model {model!r}: expected one of {list(table.index)}")
    text = table.loc[model, "config"]
    try:
        config = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"config of {model!r} is not valid JSON: {err}") from err
    if not isinstance(config, dict):
        raise ValueError(f"config of {model!r} must be a JSON object (got {text[:40]!r})")
    return config


def _check_numbers(df: pd.DataFrame, name: str) -> None:
    for column in ("year", "published_total_b"):
        values = pd.to_numeric(df[column], errors="coerce")
        bad = values.isna() | (values <= 0)
        if bad.any():
            raise ValueError(
                f"{name}: {column} must be a positive number (rows {df.index[bad].tolist()})"
            )
        df[column] = values.astype("int64" if column == "year" else "float64")
    given = (df["published_active_b"].str.strip() != "").to_numpy()
    active = pd.to_numeric(df["published_active_b"].replace("", None), errors="coerce")
    bad = given & (active.isna() | (active <= 0)).to_numpy()
    if bad.any():
        raise ValueError(
            f"{name}: published_active_b must be empty or a positive number "
            f"(rows {df.index[bad].tolist()})"
        )
    over = (active > df["published_total_b"]).to_numpy()
    if over.any():
        raise ValueError(
            f"{name}: published_active_b exceeds published_total_b (rows {df.index[over].tolist()})"
        )
    df["published_active_b"] = active.astype("float64")


def _check_text(df: pd.DataFrame, name: str) -> None:
    for column in ("model", "size_source", "config_url", "size_url"):
        empty = df.index[df[column].str.strip() == ""].tolist()
        if empty:
            raise ValueError(f"{name}: {column} is empty in rows {empty}")
    for column in ("config_url", "size_url"):
        not_https = df.index[~df[column].str.startswith("https://")].tolist()
        if not_https:
            raise ValueError(f"{name}: {column} must start with https:// (rows {not_https})")
    if df["model"].duplicated().any():
        raise ValueError(
            f"{name}: models repeat: {df.loc[df['model'].duplicated(), 'model'].tolist()}"
        )
    dates = pd.to_datetime(df["retrieved"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        rows = df.index[dates.isna()].tolist()
        raise ValueError(f"{name}: retrieved must be a date YYYY-MM-DD (rows {rows})")
    unknown = sorted(set(df["status"]) - set(_STATUSES))
    if unknown:
        raise ValueError(f"{name}: status must be one of {list(_STATUSES)} (got {unknown})")
    silent = df.index[(df["status"] == "derivative") & (df["note"].str.strip() == "")].tolist()
    if silent:
        raise ValueError(
            f"{name}: a derivative row needs a note saying which model (rows {silent})"
        )
