"""Growth rates and doubling times from a log-linear fit.

Explained in Part I, chapter "From AlexNet to GPT" (parameters and training compute of landmark
models); used again in "Financing trends and ecosystem strategy" (growth of training costs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array

__all__ = ["GrowthFit", "fit_growth"]


@dataclass(frozen=True)
class GrowthFit:
    """A log-linear fit :math:`\\ln v = a + b\\,(t - \\bar t)`; ``str()`` prints the doubling time.

    Attributes
    ----------
    slope : float
        :math:`b`, the growth rate in natural-log units per year.
    intercept : float
        :math:`a`, the fitted :math:`\\ln v` at ``center_year`` (centring keeps
        :meth:`predict` accurate: at year 0 the intercept would be a large number).
    center_year : float
        :math:`\\bar t`, the mean of the years fitted.
    first_year, last_year : float
        Range of the years fitted.
    n : int
        Number of points.
    r_squared : float
        Coefficient of determination in log space.
    """

    slope: float
    intercept: float
    center_year: float
    first_year: float
    last_year: float
    n: int
    r_squared: float

    @property
    def factor_per_year(self) -> float:
        """Multiplicative growth per year, :math:`e^b`."""
        return math.exp(self.slope)

    @property
    def doubling_time_years(self) -> float:
        """:math:`\\ln 2 / b` (negative for a halving time)."""
        return math.log(2) / self.slope

    def predict(self, year: ArrayLike) -> np.ndarray:
        """Fitted values :math:`e^{a + b (t - \\bar t)}` at the given years."""
        t = np.asarray(year, dtype=np.float64)
        return np.exp(self.intercept + self.slope * (t - self.center_year))

    def __str__(self) -> str:
        months = 12 * self.doubling_time_years
        return (
            f"doubling time {months:.1f} months (x{self.factor_per_year:.2f} per year), "
            f"fitted on {self.n} points, {self.first_year:.0f}-{self.last_year:.0f}, "
            f"R^2 = {self.r_squared:.2f}"
        )


def fit_growth(years: ArrayLike, values: ArrayLike) -> GrowthFit:
    """Least-squares fit of :math:`\\ln v` on :math:`t`: growth rate and doubling time.

    Parameters
    ----------
    years : array_like, shape (n,)
        Times in years (may be fractional).
    values : array_like, shape (n,)
        Positive quantities (parameters, FLOP, dollars).

    Returns
    -------
    GrowthFit

    Raises
    ------
    ValueError
        If the shapes differ, fewer than 3 points are given, a value is not positive or not
        finite, or all years are equal.

    References
    ----------
    .. [1] Sevilla et al., "Compute Trends Across Three Eras of Machine Learning", 2022
       (the same log-linear regression, on a larger set of models).

    Examples
    --------
    >>> fit = fit_growth([2000, 2001, 2002, 2003], [1.0, 2.0, 4.0, 8.0])
    >>> round(fit.doubling_time_years, 6), fit.n
    (1.0, 4)
    """
    t = as_array("years", years, dtype=np.float64, finite=False).ravel()
    v = as_array("values", values, dtype=np.float64, finite=False).ravel()
    if t.shape != v.shape:
        raise ValueError(f"years and values must have the same length (got {t.size}, {v.size})")
    if t.size < 3:
        raise ValueError(f"fit_growth needs at least 3 points (got {t.size})")
    if not (np.isfinite(t).all() and np.isfinite(v).all() and (v > 0).all()):
        raise ValueError(f"values must be positive and finite, years finite (got values={v})")
    if np.ptp(t) == 0:
        raise ValueError(f"years must not all be equal (got {t[0]})")
    y = np.log(v)
    t_mean, y_mean = t.mean(), y.mean()
    slope = float(((t - t_mean) * (y - y_mean)).sum() / ((t - t_mean) ** 2).sum())
    residual = y - (y_mean + slope * (t - t_mean))
    total = ((y - y_mean) ** 2).sum()
    r_squared = float(1 - (residual**2).sum() / total) if total > 0 else 1.0
    return GrowthFit(
        slope, float(y_mean), float(t_mean), float(t.min()), float(t.max()), int(t.size), r_squared
    )
