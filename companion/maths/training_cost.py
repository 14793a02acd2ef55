"""GPU-hours and dollars of a training run, with the sourced figures they start from.

Explained in chapter "Scaling laws and the economics of scale" (book/03_math/scaling_laws).

Training compute itself, ``C = 6 N D``, is :func:`companion.sizing.budget.training_flops`.
Every hardware figure, price and reference run is a frozen dataclass with ``source`` and
``url`` fields, so a number printed in the book can be traced to where it was read.
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
        ``YYYY-MM``.
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


#: NVIDIA H100 SXM, 989 TFLOP/s dense BF16 (1,979 with structured sparsity).
H100_SXM = Accelerator(
    name="NVIDIA H100 SXM",
    peak_flop_per_s=989e12,
    precision="dense BF16",
    source="NVIDIA H100 datasheet",
    url="https://www.nvidia.com/en-us/data-center/h100/",
)

#: H100 rental prices at three dates, per GPU-hour.
H100_PRICES: tuple[RentalPrice, ...] = (
    RentalPrice(
        12.29,
        "2023-07",
        "AWS p5.48xlarge (8x H100) on demand, 98.32 USD/h (NextPlatform, 27 Jul 2023)",
        "https://www.nextplatform.com/2023/07/27/h100-gpu-instance-pricing-on-aws-grin-and-bear-it/",
        "98.32 / 8 GPUs",
    ),
    RentalPrice(
        1.70,
        "2025-10",
        "SemiAnalysis H100 rental index, as reported by compux.net",
        "https://compux.net/docs/guides/gpu-pricing-trends-2026",
        "secondary report of the index",
    ),
    RentalPrice(
        2.35,
        "2026-03",
        "SemiAnalysis H100 rental index, as reported by compux.net",
        "https://compux.net/docs/guides/gpu-pricing-trends-2026",
        "secondary report of the index; provisional",
    ),
)

#: GPT-3 175B: 300 B tokens, 3.14e23 FLOP (3,640 PF-days).
GPT3 = TrainingRun(
    name="GPT-3 175B",
    parameters=175e9,
    tokens=300e9,
    reported_flops=3.14e23,
    source="Brown et al. 2020, Table D.1",
    url="https://arxiv.org/abs/2005.14165",
)

#: Chinchilla 70B: 1.4 T tokens on Gopher's budget of about 5.76e23 FLOP.
CHINCHILLA_70B = TrainingRun(
    name="Chinchilla 70B",
    parameters=70e9,
    tokens=1.4e12,
    reported_flops=5.76e23,
    source="Hoffmann et al. 2022 (trained on the same compute budget as Gopher)",
    url="https://arxiv.org/abs/2203.15556",
)

#: Llama 3.1 405B: 15.6 T tokens, 3.8e25 FLOP, 30.84 M H100-hours.
LLAMA31_405B = TrainingRun(
    name="Llama 3.1 405B",
    parameters=405e9,
    tokens=15.6e12,
    reported_flops=3.8e25,
    source="Llama 3 Herd paper; Llama 3.1 model card",
    url="https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/MODEL_CARD.md",
    gpu_hours=30.84e6,
)


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
