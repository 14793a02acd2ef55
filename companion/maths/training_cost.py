"""GPU-hours and dollars of a training run, with the sourced figures they start from.

Explained in chapter "Scaling laws and the economics of scale" (book/03_math/scaling_laws).

Training compute itself, ``C = 6 N D``, is :func:`companion.sizing.budget.training_flops`.
Every hardware figure, price and reference run is a frozen dataclass with ``source`` and
``url`` fields. This module is pure arithmetic on them; the sourced instances (the H100, its
rental prices, GPT-3, Chinchilla, Llama 3.1) are read from the companion's tables by
:mod:`companion.data.training_runs`, so a number printed in the book is stored once and can be
traced to where it was read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.scaling import (
    ChinchillaLaw,
    as_positive,
    frontier_loss_slope,
)
from companion.maths.validate import check_instance, finite_scalar

__all__ = [
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
    TypeError
        If ``accelerator`` is not an :class:`Accelerator` or ``utilisation`` not a number.
    ValueError
        If ``utilisation`` is not in (0, 1].

    Examples
    --------
    >>> h100 = Accelerator("H100 SXM", 989e12, "dense BF16", "NVIDIA", "https://nvidia.com")
    >>> round(float(gpu_hours(989e12 * 3600, h100, 1.0)), 6)
    1.0
    """
    check_instance("accelerator", accelerator, Accelerator)
    utilisation = finite_scalar("utilisation", utilisation)
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
    >>> h100 = Accelerator("H100 SXM", 989e12, "dense BF16", "NVIDIA", "https://nvidia.com")
    >>> price = RentalPrice(2.35, "2026", "a rental index", "https://example.org")
    >>> f"{usd_per_flop(h100, 0.4, price):.2e}"
    '1.65e-18'
    """
    check_instance("price", price, RentalPrice)
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
    >>> h100 = Accelerator("H100 SXM", 989e12, "dense BF16", "NVIDIA", "https://nvidia.com")
    >>> price = RentalPrice(2.35, "2026", "a rental index", "https://example.org")
    >>> round(float(training_cost(3.14e23, h100, 0.4, price)) / 1e3)  # GPT-3's FLOP, k USD
    518
    """
    check_instance("price", price, RentalPrice)
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
    TypeError
        If ``run`` is not a :class:`TrainingRun` or ``accelerator`` not an :class:`Accelerator`.
    ValueError
        If the run reports no GPU-hours.

    Examples
    --------
    >>> h100 = Accelerator("H100 SXM", 989e12, "dense BF16", "NVIDIA", "https://nvidia.com")
    >>> run = TrainingRun("Llama 3.1 405B", 405e9, 15.6e12, 3.8e25, "Meta", "https://ai.meta.com",
    ...                   gpu_hours=30.84e6)
    >>> round(implied_utilisation(run, h100), 3)
    0.346
    """
    check_instance("run", run, TrainingRun)
    check_instance("accelerator", accelerator, Accelerator)
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
    check_instance("law", law, ChinchillaLaw)
    C = as_positive(cost_usd, "cost_usd") / price
    if not np.isfinite(C).all():
        raise ValueError("cost_usd / dollars_per_flop overflows a float: cost_usd is too large")
    slope = -frontier_loss_slope(law, C) / price
    if not np.isfinite(slope).all():
        raise ValueError("the slope overflows a float: dollars_per_flop is too extreme")
    return slope
