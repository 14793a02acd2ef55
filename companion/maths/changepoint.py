"""Detecting a change in a stream: Page's CUSUM, an EWMA baseline, run lengths, thresholds.

Explained in chapter "Financial news sentiment monitoring"
(book/05_applications/sentiment_monitoring), where the stream is a sequence of headlines and
the monitored item is "the classifier called this headline negative".

A detector turns the stream ``x_1, x_2, ...`` into a statistic ``S_t`` and raises an alarm at
the first ``t`` with ``S_t >= h``. Everything here works along the last axis, so a 2-D array
holds many simulated streams, one per row; indices are 0-based.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array, finite_scalar

__all__ = [
    "NO_ALARM",
    "average_run_length",
    "bernoulli_llr",
    "calibrate_threshold",
    "cusum",
    "ewma",
    "first_alarm",
]

#: What :func:`first_alarm` returns for a stream that never reaches the threshold.
NO_ALARM = -1


def bernoulli_llr(x: ArrayLike, q0: float, q1: float) -> np.ndarray:
    """Log-likelihood ratio ``log f1(x) / f0(x)`` of 0/1 items, Bernoulli(q1) against Bernoulli(q0).

    ``log(q1 / q0)`` for an item equal to 1 and ``log((1 - q1) / (1 - q0))`` for an item equal
    to 0, the increments of the CUSUM that watches for the rate of ones moving from ``q0``
    to ``q1``.

    Parameters
    ----------
    x : array_like of 0/1 or bool, any shape
    q0, q1 : float
        Rates of ones before and after the change, in (0, 1) and different.

    Returns
    -------
    numpy.ndarray of float64, the shape of ``x``

    Raises
    ------
    TypeError
        If ``q0`` or ``q1`` is not a real number.
    ValueError
        If ``x`` holds anything but 0 and 1, or a rate is outside (0, 1), or ``q0 == q1``.

    References
    ----------
    .. [1] E. S. Page, "Continuous inspection schemes", Biometrika 41(1/2), 100-115, 1954.

    Examples
    --------
    >>> bernoulli_llr([1, 0], q0=0.1, q1=0.2).round(4).tolist()
    [0.6931, -0.1178]
    """
    for name, q in (("q0", q0), ("q1", q1)):
        if isinstance(q, bool) or not isinstance(q, numbers.Real) or not 0 < q < 1:
            raise ValueError(f"{name} must be a rate in (0, 1) (got {name}={q!r})")
    if q0 == q1:
        raise ValueError(f"q0 and q1 must differ (got q0 = q1 = {q0})")
    q0, q1 = finite_scalar("q0", q0), finite_scalar("q1", q1)
    as_array("x", x, dtype=None)
    items = np.asarray(x)
    if items.dtype != bool and not np.isin(items, (0, 1)).all():
        raise ValueError("x must hold only 0 and 1 (or booleans)")
    ones = items.astype(bool)
    return np.where(ones, np.log(q1 / q0), np.log((1 - q1) / (1 - q0)))


def cusum(increments: ArrayLike) -> np.ndarray:
    """Page's CUSUM statistic ``S_t = max(0, S_{t-1} + l_t)`` with ``S_{-1} = 0``.

    Computed in closed form as ``C_t - min(0, C_0, ..., C_t)`` with ``C_t = l_0 + ... + l_t``:
    unrolling the recursion gives ``S_t = max over k <= t of (l_k + ... + l_t)``, or 0, the
    largest log-likelihood ratio of "the change happened at some k" against "no change yet".

    Parameters
    ----------
    increments : array_like, shape (..., T)
        Finite increments ``l_t``, e.g. from :func:`bernoulli_llr`; one stream per row.

    Returns
    -------
    numpy.ndarray of float64, shape (..., T)
        Non-negative.

    Raises
    ------
    ValueError
        If ``increments`` is 0-dimensional, empty along its last axis or not finite.

    References
    ----------
    .. [1] E. S. Page, "Continuous inspection schemes", Biometrika 41(1/2), 100-115, 1954.

    Examples
    --------
    >>> cusum([1.0, -3.0, 2.0, 0.5, -1.0]).tolist()
    [1.0, 0.0, 2.0, 2.5, 1.5]
    """
    steps = _stream(increments, "increments")
    C = np.cumsum(steps, axis=-1)
    lowest = np.minimum(np.minimum.accumulate(C, axis=-1), 0.0)
    return np.maximum(C - lowest, 0.0)  # >= 0 exactly, also after rounding


def ewma(x: ArrayLike, alpha: float, start: float | None = None) -> np.ndarray:
    """Exponentially weighted moving average ``E_t = (1 - alpha) E_{t-1} + alpha x_t``.

    A running index that forgets old items at rate ``alpha``: an item ``k`` steps back
    weighs ``alpha (1 - alpha)^k``. The baseline detector of the book raises an alarm when the
    EWMA of the 0/1 items crosses a fixed level.

    Parameters
    ----------
    x : array_like, shape (..., T)
        Finite values; one stream per row.
    alpha : float
        Weight of the newest item, in (0, 1].
    start : float, optional
        ``E_{-1}``, e.g. the in-control mean; by default the first item, so ``E_0 = x_0``.

    Returns
    -------
    numpy.ndarray of float64, shape (..., T)

    Raises
    ------
    ValueError
        If ``alpha`` is outside (0, 1], ``start`` is not finite, or ``x`` is empty or not
        finite.

    Examples
    --------
    >>> ewma([1.0, 0.0, 0.0, 1.0], alpha=0.5, start=0.0).tolist()
    [0.5, 0.25, 0.125, 0.5625]
    """
    from scipy.signal import lfilter

    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha <= 1:
        raise ValueError(f"alpha must lie in (0, 1] (got alpha={alpha!r})")
    values = _stream(x, "x")
    first = values[..., :1] if start is None else _finite_number(start, "start")
    initial = (1 - alpha) * np.broadcast_to(first, values.shape[:-1] + (1,))  # filter state
    E, _ = lfilter([alpha], [1.0, alpha - 1.0], values, axis=-1, zi=initial)
    return E


def first_alarm(statistic: ArrayLike, threshold: float) -> int | np.ndarray:
    """The first index at which ``statistic >= threshold``, or :data:`NO_ALARM`.

    Parameters
    ----------
    statistic : array_like, shape (T,) or (n, T)
        A detector's statistic along each stream.
    threshold : float
        Finite alarm threshold ``h``.

    Returns
    -------
    int for one stream, numpy.ndarray of int64, shape (n,), for several
        Indices in ``0 .. T-1``, or ``NO_ALARM`` (-1) where the stream never reaches ``h``.
        The alarm comes no earlier when ``h`` grows.

    Raises
    ------
    ValueError
        If ``statistic`` is not a non-empty finite 1-D or 2-D array, or ``threshold`` is not a
        finite number.

    Examples
    --------
    >>> first_alarm([0.0, 1.0, 3.0, 5.0], threshold=2.5)
    2
    >>> first_alarm([[0.0, 1.0], [4.0, 0.0]], threshold=5.0).tolist()
    [-1, -1]
    """
    S = _stream(statistic, "statistic")
    if S.ndim > 2:
        raise ValueError(f"statistic must be 1-D or 2-D (got shape {S.shape})")
    h = _finite_number(threshold, "threshold")
    hit = S >= h
    index = np.where(hit.any(axis=-1), hit.argmax(axis=-1), NO_ALARM)
    return int(index) if S.ndim == 1 else index.astype(np.int64)


def average_run_length(statistics: ArrayLike, threshold: float) -> float:
    """Mean number of items until the first alarm, estimated from simulated streams.

    Run on streams without a change, this is the in-control average run length ARL0, the
    mean time between false alarms. A stream that never alarms counts with its full length
    ``T``, so the estimate is a lower bound; make ``T`` several times the target.

    Parameters
    ----------
    statistics : array_like, shape (n, T)
        A detector's statistic on ``n`` simulated streams.
    threshold : float
        Alarm threshold.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        As :func:`first_alarm`, or if ``statistics`` is not 2-D.

    Examples
    --------
    >>> average_run_length([[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]], threshold=1.0)
    2.5
    """
    S = _stream(statistics, "statistics")
    if S.ndim != 2:
        raise ValueError(f"statistics must be 2-D, one stream per row (got shape {S.shape})")
    alarms = first_alarm(S, threshold)
    run_lengths = np.where(alarms == NO_ALARM, S.shape[1], alarms + 1)
    return float(run_lengths.mean())


def calibrate_threshold(statistics: ArrayLike, arl0: float, candidates: ArrayLike) -> float:
    """The smallest candidate threshold whose estimated ARL0 reaches ``arl0``.

    The average run length never falls when the threshold rises, so the candidates are
    searched by bisection.

    Parameters
    ----------
    statistics : array_like, shape (n, T)
        A detector's statistic on ``n`` simulated streams without a change.
    arl0 : float
        Target in-control average run length, at least 1 and below ``T``.
    candidates : array_like, shape (K,)
        Thresholds to choose from, finite and strictly increasing.

    Returns
    -------
    float
        One of ``candidates``.

    Raises
    ------
    ValueError
        If ``arl0`` is out of range, the candidates are not increasing, or even the largest
        one has a smaller estimated ARL0 than ``arl0``.

    Examples
    --------
    >>> streams = [[0.0, 1.0, 2.0, 3.0], [0.0, 0.0, 3.0, 0.0]]
    >>> calibrate_threshold(streams, arl0=3.5, candidates=[1.0, 2.0, 3.0])
    3.0
    """
    S = _stream(statistics, "statistics")
    if S.ndim != 2:
        raise ValueError(f"statistics must be 2-D, one stream per row (got shape {S.shape})")
    target = _finite_number(arl0, "arl0")
    if not 1 <= target < S.shape[1]:
        raise ValueError(f"arl0 must lie in [1, T) with T = {S.shape[1]} (got arl0={arl0!r})")
    grid = as_array("candidates", candidates, dtype=np.float64, finite=False)
    if grid.ndim != 1 or grid.size == 0 or not np.isfinite(grid).all():
        raise ValueError(f"candidates must be a non-empty finite 1-D array (got {grid.shape})")
    if (np.diff(grid) <= 0).any():
        raise ValueError("candidates must be strictly increasing")
    if average_run_length(S, grid[-1]) < target:
        raise ValueError(
            f"even the largest candidate {grid[-1]:g} has an estimated ARL0 below arl0={arl0!r}: "
            "give larger candidates"
        )
    lo, hi = -1, grid.size - 1  # invariant: grid[hi] reaches the target, grid[lo] does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if average_run_length(S, grid[mid]) >= target:
            hi = mid
        else:
            lo = mid
    return float(grid[hi])


def _stream(x: ArrayLike, name: str) -> np.ndarray:
    try:
        values = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as error:
        raise ValueError(f"{name} must be an array of numbers ({error})") from None
    if values.ndim == 0 or values.shape[-1] == 0 or not np.isfinite(values).all():
        raise ValueError(
            f"{name} must be a finite array with at least one item along its last axis "
            f"(got shape {values.shape})"
        )
    return values


def _finite_number(x: object, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{name} must be a finite number (got {name}={x!r})")
    try:
        number = float(x)
    except OverflowError:
        raise ValueError(f"{name} must be a finite number (got {name} over 1.8e308)") from None
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number (got {name}={x!r})")
    return number
