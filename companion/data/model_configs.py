"""Published Transformer configurations with their published sizes, each row with its source.

Explained in chapter "What makes a model large" (book/02_concepts/model_size), where the
calculator of :mod:`companion.sizing` is applied to them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from companion.data.tables import TableSpec, read_table, register
from companion.sizing import TransformerConfig

__all__ = ["MODEL_CONFIGS", "MODEL_CONFIG_COLUMNS", "load_model_configs", "transformer_config"]

_INTS = (
    "vocab_size",
    "hidden_size",
    "n_layers",
    "n_heads",
    "max_positions",
    "intermediate_size",
)
_OPTIONAL = ("published_params", "training_tokens", "reported_training_flop")
#: The columns of the table, in order.
MODEL_CONFIG_COLUMNS: tuple[str, ...] = (
    ("model", "style") + _INTS + _OPTIONAL + ("source", "url", "note")
)
#: The declaration of ``model_configs.csv`` read by :func:`~companion.data.tables.read_table`.
MODEL_CONFIGS = register(
    TableSpec(
        "model_configs.csv",
        MODEL_CONFIG_COLUMNS,
        key="model",
        integers=_INTS,
        numbers=_OPTIONAL,
        optional=_OPTIONAL,
    )
)


def load_model_configs(path: str | Path | None = None) -> pd.DataFrame:
    """Configurations of BERT, GPT-2, GPT-3 and all-MiniLM-L6-v2, validated.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with :data:`MODEL_CONFIG_COLUMNS`; default: the table shipped with the library.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``model``; the sizes as int64, the optional figures as float64 (NaN where
        nothing was published).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If a column is missing, a size is not a positive integer, an optional figure is not
        positive, ``source`` or ``url`` is empty, a URL is not https, a model repeats, or a
        row is not a valid :class:`~companion.sizing.TransformerConfig` (e.g. heads not
        dividing the width).

    Examples
    --------
    >>> load_model_configs().loc["GPT-3 175B", "n_layers"]
    np.int64(96)
    """
    table = read_table(MODEL_CONFIGS, path).set_index("model")
    for model in table.index:
        try:
            transformer_config(table, model)
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"{MODEL_CONFIGS.file_name(path)}: row {model!r} is not a valid configuration: "
                f"{err}"
            ) from err
    return table


def transformer_config(table: pd.DataFrame, model: str) -> TransformerConfig:
    """The :class:`~companion.sizing.TransformerConfig` of one row of :func:`load_model_configs`.

    BERT rows get two token types and the pooler, as the released BERT checkpoints have.

    Examples
    --------
    >>> from companion.sizing import count_parameters
    >>> f"{count_parameters(transformer_config(load_model_configs(), 'BERT-base')).total:,}"
    '109,482,240'
    """
    if model not in table.index:
        raise ValueError(f"unknown model {model!r}: expected one of {list(table.index)}")
    row = table.loc[model]
    return TransformerConfig(
        style=row["style"],
        vocab_size=int(row["vocab_size"]),
        hidden_size=int(row["hidden_size"]),
        n_layers=int(row["n_layers"]),
        n_heads=int(row["n_heads"]),
        max_positions=int(row["max_positions"]),
        intermediate_size=int(row["intermediate_size"]),
        name=model,
    )
