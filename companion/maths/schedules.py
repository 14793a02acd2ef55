"""Learning-rate schedules as plain functions of the step number.

Used by the training chapters (book/04_practice/finetune_sentiment, tiny_bert, deployment,
cnn_digits and book/05_applications/image_robustness) through
``torch.optim.lr_scheduler.LambdaLR``, which multiplies the optimiser's learning rate by the
factor returned here.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["cosine_decay", "warmup_linear_decay"]


def _finite(name: str, value: object) -> float:
    """``value`` itself if it is a finite real number (Python or NumPy), else a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number (got {type(value).__name__}: {value!r})")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int beyond the float range
        raise ValueError(f"{name} must be finite: it is too large for a float") from None
    if not finite:
        raise ValueError(f"{name} must be finite (got {name}={value})")
    return value  # type: ignore[return-value]


def warmup_linear_decay(step: int, total_steps: int, warmup_steps: int) -> float:
    """Factor of the peak learning rate: linear warm-up, then linear decay to zero.

    ``min((step + 1) / warmup_steps, max(0, (total_steps - step) / (total_steps - warmup_steps)))``:
    the factor climbs to 1 over the first ``warmup_steps`` steps, then falls to 0 at
    ``total_steps``.

    Parameters
    ----------
    step : int
        Steps taken so far, from 0.
    total_steps : int
        Length of the run.
    warmup_steps : int
        In ``[1, total_steps)``.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        If ``step`` is negative, NaN, infinite or too large for a float, or ``warmup_steps``
        is not in ``[1, total_steps)``.
    TypeError
        If an argument is not a real number.

    Examples
    --------
    >>> [round(warmup_linear_decay(s, total_steps=10, warmup_steps=2), 3) for s in (0, 1, 2, 9)]
    [0.5, 1.0, 1.0, 0.125]
    """
    step, total_steps = _finite("step", step), _finite("total_steps", total_steps)
    warmup_steps = _finite("warmup_steps", warmup_steps)
    if not 1 <= warmup_steps < total_steps:
        raise ValueError(
            "warmup_steps must lie in [1, total_steps) "
            f"(got warmup_steps={warmup_steps}, total_steps={total_steps})"
        )
    if step < 0:
        raise ValueError(f"step must be >= 0 (got step={step})")
    return min(
        (step + 1) / warmup_steps, max(0.0, (total_steps - step) / (total_steps - warmup_steps))
    )


def cosine_decay(step: int, total_steps: int) -> float:
    """Factor of the initial learning rate: half a cosine from 1 at step 0 to 0 at ``total_steps``.

    ``0.5 * (1 + cos(pi * min(step, total_steps) / total_steps))``, Keras' ``CosineDecay``
    with no floor; after ``total_steps`` the factor stays 0.

    Parameters
    ----------
    step : int
        Steps taken so far, from 0.
    total_steps : int
        Length of the decay, at least 1.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        If ``step`` is negative, NaN, infinite or too large for a float, or ``total_steps``
        is below 1.
    TypeError
        If an argument is not a real number.

    Examples
    --------
    >>> [round(cosine_decay(s, total_steps=4), 3) for s in (0, 2, 4, 9)]
    [1.0, 0.5, 0.0, 0.0]
    """
    step, total_steps = _finite("step", step), _finite("total_steps", total_steps)
    if total_steps < 1:
        raise ValueError(f"total_steps must be >= 1 (got total_steps={total_steps})")
    if step < 0:
        raise ValueError(f"step must be >= 0 (got step={step})")
    return 0.5 * (1 + math.cos(math.pi * min(step, total_steps) / total_steps))
