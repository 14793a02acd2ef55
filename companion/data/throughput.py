"""Measured training throughput of the book's CNN and fine-tuning step, by device and variant.

Explained in chapter "Training fast" (book/04_practice/training_fast). The table ships with the
library as ``companion/data/csv/throughput.csv`` and is written by ``make bench``
(``tools/throughput.py``), which replaces the rows of the device it ran on and keeps the
others, so CPU and GPU measurements sit side by side. Every row says where and when it was
measured (``device_name``, ``date``, ``source``) and with which library versions.

Columns: ``precision`` is ``fp32`` or ``bf16`` (bf16 autocast); ``attention`` is ``eager`` or
``sdpa`` for the encoder and ``n/a`` for the CNN; ``first_step_s`` is the first call alone
(compilation included when ``compiled``); ``flop_per_sample`` is the model FLOP of one
training sample (counted by PyTorch's FLOP counter for the CNN, ``6 N T`` for the encoder);
``mfu`` is ``flop_per_sample * samples_per_s`` over the accelerator's dense BF16 peak, empty
where no peak is published (CPUs).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from companion.data.tables import TableSpec, read_table, register

__all__ = [
    "THROUGHPUT",
    "THROUGHPUT_COLUMNS",
    "THROUGHPUT_PATH",
    "load_throughput",
    "replace_device_rows",
]

#: The columns of the table, in order.
THROUGHPUT_COLUMNS: tuple[str, ...] = (
    "date",
    "device",
    "device_name",
    "cpu_threads",
    "torch",
    "transformers",
    "model",
    "batch_size",
    "seq_len",
    "precision",
    "attention",
    "compiled",
    "first_step_s",
    "samples_per_s",
    "tokens_per_s",
    "flop_per_sample",
    "mfu",
    "source",
    "note",
)
#: Where ``make bench`` writes the table (inside the package).
THROUGHPUT_PATH = Path(__file__).resolve().parent / "csv" / "throughput.csv"

#: The declaration of ``throughput.csv`` read by :func:`~companion.data.tables.read_table`.
THROUGHPUT = register(
    TableSpec(
        "throughput.csv",
        THROUGHPUT_COLUMNS,
        # a variant is measured once per device
        unique=("device", "model", "batch_size", "seq_len", "precision", "attention", "compiled"),
        provenance=("source",),
        urls=(),
        numbers=(
            "seq_len",
            "first_step_s",
            "samples_per_s",
            "tokens_per_s",
            "flop_per_sample",
            "mfu",
        ),
        integers=("cpu_threads", "batch_size"),
        optional=("seq_len", "tokens_per_s", "mfu"),
        choices={
            "device": ("cpu", "cuda", "mps"),
            "precision": ("fp32", "bf16"),
            "attention": ("eager", "sdpa", "n/a"),
            "compiled": ("True", "False"),
        },
    )
)
_SOURCE_PREFIX = "measured with `make bench` (tools/throughput.py)"


def load_throughput(path: str | Path | None = None) -> pd.DataFrame:
    """The throughput table, validated.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with :data:`THROUGHPUT_COLUMNS`; default: the table shipped with the library.

    Returns
    -------
    pandas.DataFrame
        One row per device and variant; numbers as float64 (NaN where a figure does not
        apply), ``batch_size`` and ``cpu_threads`` as int64, ``compiled`` as bool.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If a column is missing or extra, a required number is missing or not positive, a
        choice column holds an unknown value, a variant repeats on one device, a CPU row
        reports an MFU, an MFU lies outside (0, 1], or a source does not say how it was
        measured.

    Examples
    --------
    >>> table = load_throughput()
    >>> sorted(set(table["model"]))
    ['all-MiniLM-L6-v2 fine-tuning', 'digit CNN']
    """
    df = read_table(THROUGHPUT, path)
    name = THROUGHPUT.file_name(path)
    df["compiled"] = df["compiled"] == "True"
    cpu_mfu = (df["device"] == "cpu") & df["mfu"].notna()
    if cpu_mfu.any():
        raise ValueError(
            f"{name}: CPU rows have no published peak, so no mfu "
            f"(rows {THROUGHPUT.row_names(df, cpu_mfu)})"
        )
    over = df["mfu"] > 1
    if over.any():
        raise ValueError(f"{name}: mfu must lie in (0, 1] (rows {THROUGHPUT.row_names(df, over)})")
    unsourced = ~df["source"].str.startswith(_SOURCE_PREFIX)
    if unsourced.any():
        raise ValueError(
            f"{name}: source must start with {_SOURCE_PREFIX!r} "
            f"(rows {THROUGHPUT.row_names(df, unsourced)})"
        )
    return df


def replace_device_rows(table: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Put freshly measured rows of one device into a table, dropping that device's old rows.

    Parameters
    ----------
    table : pandas.DataFrame
        The current table (as read from the CSV, all columns text), possibly empty.
    rows : pandas.DataFrame
        New rows with :data:`THROUGHPUT_COLUMNS`, all of one ``device``.

    Returns
    -------
    pandas.DataFrame
        Rows of the other devices unchanged, then the new rows; columns in order.

    Raises
    ------
    ValueError
        If ``rows`` is empty, lacks a column or mixes devices.

    Examples
    --------
    >>> old = pd.DataFrame({c: ["x", "y"] for c in THROUGHPUT_COLUMNS})
    >>> old["device"] = ["cpu", "cuda"]
    >>> new = pd.DataFrame({c: ["z"] for c in THROUGHPUT_COLUMNS}).assign(device="cpu")
    >>> replace_device_rows(old, new)["date"].tolist()
    ['y', 'z']
    """
    missing = [c for c in THROUGHPUT_COLUMNS if c not in rows.columns]
    if len(rows) == 0 or missing:
        raise ValueError(f"rows must be non-empty with every column (missing: {missing})")
    devices = sorted(set(rows["device"]))
    if len(devices) != 1:
        raise ValueError(f"rows must come from one device (got devices {devices})")
    kept = table[table["device"] != devices[0]] if len(table) else table
    merged = pd.concat([kept, rows], ignore_index=True)
    return merged[list(THROUGHPUT_COLUMNS)]
