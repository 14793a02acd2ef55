"""The sourced training-cost figures: the H100, its rental prices and three reference runs.

Explained in chapter "Scaling laws and the economics of scale" (book/03_math/scaling_laws).

Each constant is a typed view (the dataclasses of :mod:`companion.maths.training_cost`) of one
row of the companion's sourced tables, ``accelerators.csv``, ``ai_costs.csv`` and
``landmark_models.csv``, with its ``source`` and ``url``. The arithmetic on them (GPU-hours,
dollars, implied utilisation) is pure and lives in :mod:`companion.maths.training_cost`; this
module only reads.

Examples
--------
>>> H100_SXM.peak_flop_per_s / 1e12
989.0
>>> f"{GPT3.reported_flops:.2e}"
'3.14e+23'
"""

from __future__ import annotations

import numpy as np

from companion.data.accelerators import load_accelerators
from companion.data.industry import load_costs, load_models
from companion.maths.training_cost import Accelerator, RentalPrice, TrainingRun

__all__ = ["CHINCHILLA_70B", "GPT3", "H100_PRICES", "H100_SXM", "LLAMA31_405B"]


def _cost_row(item: str, year: int) -> dict:
    """The row of ``ai_costs.csv`` for ``item`` in ``year`` (exactly one must exist)."""
    costs = load_costs()
    rows = costs[(costs["item"] == item) & (costs["year"] == year)]
    if len(rows) != 1:
        raise LookupError(f"ai_costs.csv has {len(rows)} rows for item={item!r}, year={year}")
    return rows.iloc[0].to_dict()


def _accelerator(row: str, name: str) -> Accelerator:
    """An :class:`Accelerator` from a row of ``accelerators.csv`` (its dense BF16 peak)."""
    entry = load_accelerators().loc[row]
    if not str(entry["precision"]).startswith("BF16"):
        raise LookupError(f"{row!r}: the table's peak is {entry['precision']}, not dense BF16")
    peak = float(entry["peak_tflops"]) * 1e12
    return Accelerator(name, peak, "dense BF16", entry["source"], entry["url"])


def _price(item: str, year: int) -> RentalPrice:
    """A :class:`RentalPrice` from a ``gpu_price`` row of ``ai_costs.csv``."""
    row = _cost_row(item, year)
    if row["unit"] != "USD per GPU-hour":
        raise LookupError(f"{item!r} is in {row['unit']}, expected USD per GPU-hour")
    return RentalPrice(row["value"], str(year), row["source"], row["url"], row["note"])


def _run(model: str, name: str) -> TrainingRun:
    """A :class:`TrainingRun` from a row of ``landmark_models.csv`` with reported compute."""
    row = load_models().set_index("model").loc[model]
    if row["compute_status"] != "reported":
        raise LookupError(f"{model!r}: compute is {row['compute_status']}, not reported")
    hours = None if np.isnan(row["gpu_hours"]) else float(row["gpu_hours"])
    return TrainingRun(
        name=name,
        parameters=float(row["parameters"]),
        tokens=float(row["training_tokens"]),
        reported_flops=float(row["training_compute_flop"]),
        source=row["source"],
        url=row["url"],
        gpu_hours=hours,
    )


# The figures live once, in the companion's CSVs (each row with its source); these constants
# are typed views of those rows.

#: NVIDIA H100 SXM, 989 TFLOP/s dense BF16 (1,979 with structured sparsity).
H100_SXM = _accelerator("NVIDIA H100 SXM5", "NVIDIA H100 SXM")

#: H100 rental prices: AWS on demand in 2023, then a rental index in 2025 and 2026.
H100_PRICES: tuple[RentalPrice, ...] = (
    _price("H100 on-demand price, AWS p5.48xlarge", 2023),
    _price("H100 rental price", 2025),
    _price("H100 rental price", 2026),
)

#: GPT-3 175B: 300 B tokens, 3.14e23 FLOP (3,640 PF-days).
GPT3 = _run("GPT-3", "GPT-3 175B")

#: Chinchilla 70B: 1.4 T tokens on Gopher's budget of about 5.76e23 FLOP.
CHINCHILLA_70B = _run("Chinchilla", "Chinchilla 70B")

#: Llama 3.1 405B: 15.6 T tokens, 3.8e25 FLOP, 30.84 M H100-hours.
LLAMA31_405B = _run("Llama 3.1 405B", "Llama 3.1 405B")
