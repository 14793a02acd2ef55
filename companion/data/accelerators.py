"""Accelerators' peak throughput, memory and memory bandwidth, each row with its source.

Explained in chapter "The ecosystem" (book/02_concepts/ecosystem), where the table feeds a
roofline plot; "What makes a model large" uses the memory column for the memory wall.

The table ships with the library as ``companion/data/csv/accelerators.csv``. Peaks are dense
(no structured sparsity) at the precision named in ``precision``. ``status`` is ``reported``
when every figure is read as printed, ``derived`` when one is computed from printed figures
(the ``note`` says how).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from companion.data.tables import TableSpec, read_table, register

__all__ = [
    "ACCELERATORS",
    "ACCELERATOR_COLUMNS",
    "DEVICE_PATTERNS",
    "load_accelerators",
    "peak_bf16_flop_per_s",
]

#: Device names as ``torch.cuda.get_device_name()`` prints them, matched to rows of the
#: accelerator table. PCIe and NVL variants of the H100 and H200 run at lower clocks and
#: are deliberately not matched (their peaks are not in the table).
DEVICE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bH100\b.*\b(SXM|HBM3)\b", "NVIDIA H100 SXM5"),
    (r"\bH200\b(?!.*\bNVL\b)", "NVIDIA H200 SXM"),
    (r"\bA100[- ]SXM4\b", "NVIDIA A100 SXM4 80 GB"),
    (r"\bV100\b", "NVIDIA V100 SXM2 16 GB"),
)

#: The columns of the table, in order.
ACCELERATOR_COLUMNS: tuple[str, ...] = (
    "accelerator",
    "vendor",
    "year",
    "precision",
    "peak_tflops",
    "memory_gb",
    "bandwidth_gb_s",
    "status",
    "source",
    "url",
    "note",
)
#: The declaration of ``accelerators.csv`` read by :func:`~companion.data.tables.read_table`.
ACCELERATORS = register(
    TableSpec(
        "accelerators.csv",
        ACCELERATOR_COLUMNS,
        key="accelerator",
        numbers=("peak_tflops", "memory_gb", "bandwidth_gb_s"),
        integers=("year",),
        choices={"status": ("reported", "derived")},
        note_required_for={"status": ("derived",)},
    )
)


def load_accelerators(path: str | Path | None = None) -> pd.DataFrame:
    """The accelerator table, validated, with the ridge point of each accelerator.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with :data:`ACCELERATOR_COLUMNS`; default: the table shipped with the library.

    Returns
    -------
    pandas.DataFrame
        One row per accelerator, indexed by ``accelerator``; the numeric columns as float64,
        ``year`` as int64, plus ``ridge_flop_per_byte`` = peak FLOP/s / bandwidth (B/s), the
        arithmetic intensity above which a kernel can reach the peak.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If a column is missing or extra, a number is not positive, a name repeats, a
        ``source`` or ``url`` is empty, a URL is not https, or a status is unknown or a
        ``derived`` row has no note.

    Examples
    --------
    >>> table = load_accelerators()
    >>> round(table.loc["NVIDIA H100 SXM5", "ridge_flop_per_byte"])
    295
    """
    df = read_table(ACCELERATORS, path)
    df["ridge_flop_per_byte"] = df["peak_tflops"] * 1e12 / (df["bandwidth_gb_s"] * 1e9)
    return df.set_index("accelerator")


def peak_bf16_flop_per_s(device_name: str) -> float:
    """Dense BF16 peak of an accelerator named as PyTorch names it, from the sourced table.

    Parameters
    ----------
    device_name : str
        E.g. ``torch.cuda.get_device_name()``: ``"NVIDIA H100 80GB HBM3"``,
        ``"NVIDIA A100-SXM4-40GB"``.

    Returns
    -------
    float
        FLOP/s (the table's TFLOP/s times 1e12).

    Raises
    ------
    TypeError
        If ``device_name`` is not a string.
    ValueError
        If the device matches no row of the table (a CPU, a consumer GPU, a PCIe variant),
        or its row gives no BF16 peak (the V100 has no BF16 units).

    Examples
    --------
    >>> peak_bf16_flop_per_s("NVIDIA H100 80GB HBM3") / 1e12
    989.0
    """
    if not isinstance(device_name, str):
        raise TypeError(
            f"device_name must be a string (got {type(device_name).__name__}: {device_name!r})"
        )
    for pattern, row in DEVICE_PATTERNS:
        if re.search(pattern, device_name):
            entry = load_accelerators().loc[row]
            if not str(entry["precision"]).startswith("BF16"):
                raise ValueError(
                    f"device_name={device_name!r} ({row}) has no dense BF16 peak in the "
                    f"accelerator table (its peak is {entry['precision']})"
                )
            return float(entry["peak_tflops"]) * 1e12
    raise ValueError(
        f"no published dense BF16 peak for device_name={device_name!r}: the accelerator table "
        "covers the H100 SXM, H200 SXM and A100 SXM4; MFU is not defined without a peak"
    )
