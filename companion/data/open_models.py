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
from pathlib import Path
from typing import Any

import pandas as pd

from companion.data.tables import TableSpec, read_table, register
from companion.sizing import from_hf_config

__all__ = ["OPEN_MODELS", "OPEN_MODEL_COLUMNS", "hf_config", "load_open_models"]

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
#: The declaration of ``open_model_configs.csv`` read by
#: :func:`~companion.data.tables.read_table`.
OPEN_MODELS = register(
    TableSpec(
        "open_model_configs.csv",
        OPEN_MODEL_COLUMNS,
        key="model",
        required=("config", "retrieved"),
        provenance=("size_source", "config_url", "size_url"),
        urls=("config_url", "size_url"),
        numbers=("published_total_b", "published_active_b"),
        integers=("year",),
        optional=("published_active_b",),
        choices={"status": ("official", "copy", "derivative")},
        note_required_for={"status": ("derivative",)},
    )
)


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
        If a column is missing or extra, a model is empty or repeats, a year is not a positive
        integer, a published size is not a positive number, an active size exceeds the total,
        ``size_source``, ``config`` or a URL is empty, a URL is not https, ``retrieved`` is not
        a date, a status is unknown, a ``derivative`` row has no note, or ``config`` is not a
        JSON object that :func:`~companion.sizing.from_hf_config` accepts (the message names
        the row).

    Examples
    --------
    >>> table = load_open_models()
    >>> row = table.loc["Mixtral 8x7B"]
    >>> print(row["year"], row["published_total_b"], row["published_active_b"], row["status"])
    2023 46.7 12.9 official
    """
    df = read_table(OPEN_MODELS, path)
    name = OPEN_MODELS.file_name(path)
    over = df["published_active_b"] > df["published_total_b"]
    if over.any():
        raise ValueError(
            f"{name}: published_active_b exceeds published_total_b "
            f"(rows {OPEN_MODELS.row_names(df, over)})"
        )
    dates = pd.to_datetime(df["retrieved"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        rows = OPEN_MODELS.row_names(df, dates.isna())
        raise ValueError(f"{name}: retrieved must be a date YYYY-MM-DD (rows {rows})")
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
