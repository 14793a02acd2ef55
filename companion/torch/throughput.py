"""Timing a training step honestly: warm-up excluded, the GPU waited for, the median of repeats.

Explained in chapter "Training fast" (book/04_practice/training_fast); ``tools/throughput.py``
(``make bench``) runs it over the book's CNN and fine-tuning step.

- :func:`training_step`: one optimiser step as a closure, optionally under bf16 autocast.
- :func:`time_training_step`: samples per second of such a closure.
- :func:`count_step_flops`: the FLOP of one step, counted by ``torch.utils.flop_counter``.

CUDA kernels run asynchronously: a timer read right after a Python call measures the launch,
not the work. :func:`time_training_step` therefore calls ``torch.cuda.synchronize`` before
reading the clock whenever the step runs on a CUDA device.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

__all__ = [
    "PRECISIONS",
    "StepTiming",
    "count_step_flops",
    "time_training_step",
    "training_step",
]

#: ``"fp32"``: everything in float32. ``"bf16"``: the forward pass under
#: ``torch.autocast(dtype=torch.bfloat16)`` (matrix products in bfloat16, weights, gradients
#: and optimiser state in float32).
PRECISIONS: tuple[str, ...] = ("fp32", "bf16")


@dataclass(frozen=True)
class StepTiming:
    """What :func:`time_training_step` measured.

    Attributes
    ----------
    batch_size : int
        Samples per step.
    seconds_per_step : float
        Median over the repeats of the mean time of one step.
    first_step_s : float
        Time of the first warm-up step alone; with ``torch.compile`` it includes compiling.
    repeats : tuple of float
        Mean seconds per step of each repeat, in order.
    """

    batch_size: int
    seconds_per_step: float
    first_step_s: float
    repeats: tuple[float, ...]

    @property
    def samples_per_s(self) -> float:
        """Throughput: ``batch_size / seconds_per_step``."""
        return self.batch_size / self.seconds_per_step


def _positive_int(value: object, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int of at least {minimum} (got {name}={value!r})")
    return value


def training_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    inputs: Sequence[torch.Tensor],
    targets: torch.Tensor,
    *,
    precision: str = "fp32",
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = nn.functional.cross_entropy,
) -> Callable[[], torch.Tensor]:
    """One training step on a fixed batch, as a closure to time or to call in a loop.

    Parameters
    ----------
    model : torch.nn.Module
        Called as ``model(*inputs)``; may be the result of ``torch.compile``.
    optimizer : torch.optim.Optimizer
        Over the model's parameters.
    inputs : sequence of torch.Tensor
        Positional inputs of the model, already on its device.
    targets : torch.Tensor
        Targets of ``loss_fn``, on the same device; it sets the autocast device type.
    precision : {"fp32", "bf16"}
        ``"bf16"`` runs the forward pass and the loss under bf16 autocast.
    loss_fn : callable
        ``loss_fn(outputs, targets)`` -> scalar; default cross-entropy on logits.

    Returns
    -------
    callable
        ``step()`` zeroes the gradients, runs forward and backward, updates the weights and
        returns the loss (detached).

    Raises
    ------
    ValueError
        If ``precision`` is unknown.

    Examples
    --------
    >>> model = nn.Linear(4, 3)
    >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> step = training_step(model, opt, (torch.ones(2, 4),), torch.tensor([0, 1]))
    >>> bool(step() > step())  # the loss falls on a fixed batch
    True
    """
    if precision not in PRECISIONS:
        raise ValueError(
            f"precision must be one of {list(PRECISIONS)} (got precision={precision!r})"
        )
    inputs = tuple(inputs)
    device_type = targets.device.type

    def step() -> torch.Tensor:
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device_type, dtype=torch.bfloat16, enabled=precision == "bf16"):
            loss = loss_fn(model(*inputs), targets)
        loss.backward()
        optimizer.step()
        return loss.detach()

    return step


def _synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_training_step(
    step: Callable[[], object],
    *,
    batch_size: int,
    device: str | torch.device = "cpu",
    warmup: int = 2,
    repeats: int = 5,
    steps_per_repeat: int = 1,
) -> StepTiming:
    """Seconds per step and samples per second of a training step, warm-up excluded.

    The first ``warmup`` calls are not counted (the first one, timed alone, includes
    allocation, kernel selection and ``torch.compile``'s compilation). Then ``repeats``
    timings of ``steps_per_repeat`` calls each; the result is their median, which a single
    interruption by another process does not move.

    Parameters
    ----------
    step : callable
        E.g. from :func:`training_step`.
    batch_size : int
        Samples per call; positive.
    device : str or torch.device
        Where the step runs; CUDA devices are synchronised before each clock reading.
    warmup : int
        Uncounted calls, at least 1.
    repeats : int
        Timed repeats, at least 1.
    steps_per_repeat : int
        Calls per repeat, at least 1.

    Returns
    -------
    StepTiming

    Raises
    ------
    ValueError
        If a count is not a positive int (``warmup`` included).

    Examples
    --------
    >>> timing = time_training_step(lambda: sum(range(1000)), batch_size=8, repeats=3)
    >>> len(timing.repeats), timing.samples_per_s > 0
    (3, True)
    """
    batch_size = _positive_int(batch_size, "batch_size")
    warmup = _positive_int(warmup, "warmup")
    repeats = _positive_int(repeats, "repeats")
    steps_per_repeat = _positive_int(steps_per_repeat, "steps_per_repeat")
    device = torch.device(device)
    _synchronise(device)
    start = time.perf_counter()
    step()
    _synchronise(device)
    first = time.perf_counter() - start
    for _ in range(warmup - 1):
        step()
    times = []
    for _ in range(repeats):
        _synchronise(device)
        start = time.perf_counter()
        for _ in range(steps_per_repeat):
            step()
        _synchronise(device)
        times.append((time.perf_counter() - start) / steps_per_repeat)
    return StepTiming(
        batch_size=batch_size,
        seconds_per_step=statistics.median(times),
        first_step_s=first,
        repeats=tuple(times),
    )


def count_step_flops(step: Callable[[], object]) -> int:
    """FLOP of one call of ``step``, counted operator by operator (matrix products, convolutions).

    ``torch.utils.flop_counter.FlopCounterMode`` counts a multiply-add as 2 FLOP for the
    operators it knows (``mm``, ``addmm``, ``bmm``, convolutions, some attention kernels) and
    ignores elementwise work; on the CPU it does not see inside fused
    ``scaled_dot_product_attention``, so count with eager attention. The step is really run
    (an optimiser step included).

    Parameters
    ----------
    step : callable

    Returns
    -------
    int
        FLOP counted in the forward and backward passes.

    Examples
    --------
    >>> model = nn.Linear(4, 3, bias=False)
    >>> x = torch.ones(2, 4, requires_grad=True)
    >>> count_step_flops(lambda: model(x).sum().backward())  # 2*2*4*3 forward, twice that back
    144
    """
    with FlopCounterMode(display=False) as counter:
        step()
    return int(counter.get_total_flops())
