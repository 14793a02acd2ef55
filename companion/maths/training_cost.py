"""GPU-hours and dollars of a training run, with the sourced figures they start from.

Explained in chapter "Scaling laws and the economics of scale" (book/03_math/scaling_laws).

Training compute itself, ``C = 6 N D``, is :func:`companion.sizing.budget.training_flops`.
Every hardware figure, price and reference run is a frozen dataclass with ``source`` and
``url`` fields, read from the companion's sourced tables (``ai_costs.csv`` and
``landmark_models.csv``), so a number printed in the book is stored once and can be traced
to where it was read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from companion.data.industry import load_costs, load_models
from companion.maths.scaling import (
    ChinchillaLaw,
    as_positive,
    frontier_loss_slope,
)

__all__ = [
    "CHINCHILLA_70B",
    "GPT3",
    "H100_PRICES",
    "H100_SXM",
    "LLAMA31_405B",
    "Accelerator",
    "RentalPrice",
    "TrainingRun",
    "gpu_hours",
    "implied_utilisation",
    "marginal_loss_per_dollar",
    "training_cost",
    "usd_per_flop",
]

_SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class Accelerator:
    """An accelerator's peak throughput at one precision.

    Attributes
    ----------
    name : str
    peak_flop_per_s : float
        Peak dense throughput, FLOP/s.
    precision : str
        E.g. ``"dense BF16"``.
    source, url : str
        Where the figure was read.
    """

    name: str
    peak_flop_per_s: float
    precision: str
    source: str
    url: str


@dataclass(frozen=True)
class RentalPrice:
    """What one accelerator-hour cost at a date, and who said so.

    Attributes
    ----------
    usd_per_gpu_hour : float
    date : str
        The year of the price (the note gives the month where known).
    source, url : str
    note : str
    """

    usd_per_gpu_hour: float
    date: str
    source: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class TrainingRun:
    """A published training run: parameters, tokens and the compute its authors reported.

    Attributes
    ----------
    name : str
    parameters, tokens, reported_flops : float
    gpu_hours : float or None
        Accelerator-hours, where reported.
    source, url : str
    """

    name: str
    parameters: float
    tokens: float
    reported_flops: float
    source: str
    url: str
    gpu_hours: float | None = None


def _cost_row(item: str, year: int) -> dict:
    """The row of ``ai_costs.csv`` for ``item`` in ``year`` (exactly one must exist)."""
    costs = load_costs()
    rows = costs[(costs["item"] == item) & (costs["year"] == year)]
    if len(rows) != 1:
        raise LookupError(f"ai_costs.csv has {len(rows)} rows for item={item!r}, year={year}")
    return rows.iloc[0].to_dict()


def _accelerator(item: str, year: int, name: str) -> Accelerator:
    """An :class:`Accelerator` from a ``hardware_peak`` row of ``ai_costs.csv`` (TFLOP/s)."""
    row = _cost_row(item, year)
    if row["unit"] != "TFLOP/s":
        raise LookupError(f"{item!r} is in {row['unit']}, expected TFLOP/s")
    precision = "dense BF16" if "dense BF16" in item else item
    return Accelerator(name, row["value"] * 1e12, precision, row["source"], row["url"])


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
H100_SXM = _accelerator("H100 SXM peak dense BF16", 2022, "NVIDIA H100 SXM")

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


def gpu_hours(flops: ArrayLike, accelerator: Accelerator, utilisation: float) -> np.ndarray:
    """Accelerator-hours for ``flops`` at a fraction ``utilisation`` of peak (model FLOP use).

    Parameters
    ----------
    flops : array_like
        Training compute, FLOP.
    accelerator : Accelerator
    utilisation : float
        In (0, 1]; large runs report about 0.3 to 0.5.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If ``utilisation`` is not in (0, 1].

    Examples
    --------
    >>> round(float(gpu_hours(989e12 * 3600, H100_SXM, 1.0)), 6)
    1.0
    """
    if not 0 < utilisation <= 1:
        raise ValueError(f"utilisation must lie in (0, 1] (got utilisation={utilisation})")
    seconds = as_positive(flops, "flops") / (accelerator.peak_flop_per_s * utilisation)
    return seconds / _SECONDS_PER_HOUR


def usd_per_flop(accelerator: Accelerator, utilisation: float, price: RentalPrice) -> float:
    """Dollars per useful FLOP: ``price / (3600 * peak * utilisation)``.

    Parameters
    ----------
    accelerator : Accelerator
    utilisation : float
        In (0, 1].
    price : RentalPrice

    Returns
    -------
    float
        USD per FLOP of the model's training compute.

    Examples
    --------
    >>> f"{usd_per_flop(H100_SXM, 0.4, H100_PRICES[2]):.2e}"
    '1.65e-18'
    """
    return float(price.usd_per_gpu_hour * gpu_hours(1.0, accelerator, utilisation))


def training_cost(
    flops: ArrayLike, accelerator: Accelerator, utilisation: float, price: RentalPrice
) -> np.ndarray:
    """Rental cost of a run in USD: GPU-hours times the price per GPU-hour.

    Hardware only: no failed runs, experiments, staff or energy beyond the rental price.

    Parameters
    ----------
    flops : array_like
    accelerator : Accelerator
    utilisation : float
        In (0, 1].
    price : RentalPrice

    Returns
    -------
    numpy.ndarray
        USD.

    Examples
    --------
    >>> round(float(training_cost(GPT3.reported_flops, H100_SXM, 0.4, H100_PRICES[2])) / 1e3)
    518
    """
    return gpu_hours(flops, accelerator, utilisation) * price.usd_per_gpu_hour


def implied_utilisation(run: TrainingRun, accelerator: Accelerator) -> float:
    """The utilisation a run's reported FLOP and GPU-hours imply: ``C / (hours * 3600 * peak)``.

    Parameters
    ----------
    run : TrainingRun
        With ``gpu_hours`` reported.
    accelerator : Accelerator
        The accelerator the run used.

    Returns
    -------
    float
        Fraction of peak throughput.

    Raises
    ------
    ValueError
        If the run reports no GPU-hours.

    Examples
    --------
    >>> round(implied_utilisation(LLAMA31_405B, H100_SXM), 3)
    0.346
    """
    if run.gpu_hours is None:
        raise ValueError(f"{run.name} reports no GPU-hours")
    return run.reported_flops / (run.gpu_hours * _SECONDS_PER_HOUR * accelerator.peak_flop_per_s)


def marginal_loss_per_dollar(
    law: ChinchillaLaw, cost_usd: ArrayLike, dollars_per_flop: float
) -> np.ndarray:
    """Loss removed by the next dollar of a compute-optimal run: ``-dL*/dC / (USD per FLOP)``.

    Parameters
    ----------
    law : ChinchillaLaw
    cost_usd : array_like
        The run's cost so far, USD; positive.
    dollars_per_flop : float
        From :func:`usd_per_flop`.

    Returns
    -------
    numpy.ndarray
        Nats per token per USD; falls as ``cost**-(1 + gamma)``.

    Examples
    --------
    >>> from companion.maths.scaling import CHINCHILLA
    >>> m = marginal_loss_per_dollar(CHINCHILLA, [1e6, 1e7], 1.65e-18)
    >>> round(float(m[0] / m[1]), 1)  # ten times the money, 14 times less per dollar
    14.2
    """
    price = float(as_positive(dollars_per_flop, "dollars_per_flop"))
    return -frontier_loss_slope(law, as_positive(cost_usd, "cost_usd") / price) / price
