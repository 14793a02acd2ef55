"""Diffusion of a new product: logistic and Bass models, closed forms, least squares fits.

Explained in chapter "Market saturation" (book/03_math/market_saturation).

Both models are ordinary differential equations for the number of adopters N(t) that level
off at a ceiling. ``*_rate`` functions evaluate the right-hand side of the ODE at the closed
form; :mod:`companion.torch.diffusion` and :mod:`companion.tf.diffusion` differentiate the
closed forms by autograd, so the two must agree if the closed form solves the ODE.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import OptimizeWarning, curve_fit

from companion.maths.validate import as_array, finite_scalar

__all__ = [
    "DiffusionFit",
    "bass_adopters",
    "bass_peak_time",
    "bass_rate",
    "fit_bass",
    "fit_logistic",
    "logistic",
    "logistic_rate",
]


def logistic(t: ArrayLike, K: float, r: float, t0: float) -> np.ndarray:
    """Logistic curve ``N(t) = K / (1 + exp(-r (t - t0)))``, the solution of ``N' = r N (1 - N/K)``.

    Parameters
    ----------
    t : array_like
        Time.
    K : float
        Ceiling (saturation level), in the units of N.
    r : float
        Growth rate per unit of time while N is small.
    t0 : float
        Inflection time, where ``N = K/2`` and growth is fastest.

    Returns
    -------
    numpy.ndarray

    References
    ----------
    .. [1] Verhulst, "Notice sur la loi que la population suit dans son accroissement", 1838.

    Examples
    --------
    >>> logistic([0.0, 1.0], K=10.0, r=2.0, t0=0.0).round(4).tolist()
    [5.0, 8.808]
    """
    K, r, t0 = _parameters(K=K, r=r, t0=t0)
    as_array("t", t)
    return _finite(_logistic(t, K, r, t0), "t, K, r and t0")


def _logistic(t: ArrayLike, K: float, r: float, t0: float) -> np.ndarray:
    x = np.asarray(t, dtype=np.float64)
    return K * 0.5 * (1.0 + np.tanh(0.5 * r * (x - t0)))  # = K / (1 + e^{-r(t - t0)}), no overflow


def logistic_rate(t: ArrayLike, K: float, r: float, t0: float) -> np.ndarray:
    """The logistic ODE's right-hand side ``r N (1 - N/K)`` at ``N = logistic(t)``.

    Examples
    --------
    >>> float(logistic_rate(0.0, K=10.0, r=2.0, t0=0.0))  # r K / 4 at the inflection
    5.0
    """
    K, r, t0 = _parameters(K=K, r=r, t0=t0)
    n = logistic(t, K, r, t0)
    return _finite(r * n * (1.0 - n / K), "t, K, r and t0")


def bass_adopters(t: ArrayLike, m: float, p: float, q: float) -> np.ndarray:
    """Bass model, ``N(t) = m (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})`` with ``N(0) = 0``.

    It solves ``N' = (p + q N/m)(m - N)``: adopters not yet reached, ``m - N``, join at a rate
    ``p`` on their own (innovation) plus ``q N/m`` through those who already adopted (imitation).

    Parameters
    ----------
    t : array_like
        Time since launch; non-negative.
    m : float
        Market potential (ceiling).
    p, q : float
        Coefficients of innovation and imitation, per unit of time; positive.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    TypeError
        If ``m``, ``p`` or ``q`` is not a real number (a bool is not).
    ValueError
        If ``t`` is negative or a parameter is not positive.

    References
    ----------
    .. [1] Bass, "A New Product Growth for Model Consumer Durables", Management Science 15(5),
       1969, pp. 215-227.

    Examples
    --------
    >>> bass_adopters([0.0, 100.0], m=1.0, p=0.03, q=0.4).round(4).tolist()
    [0.0, 1.0]
    """
    m, p, q = _parameters(m=m, p=p, q=q)
    as_array("t", t)
    return _finite(_bass_adopters(t, m, p, q), "t, m, p and q")


def _bass_adopters(t: ArrayLike, m: float, p: float, q: float) -> np.ndarray:
    x = np.asarray(t, dtype=np.float64)
    if (x < 0).any():
        raise ValueError("t must be non-negative: the Bass model starts at launch, t = 0")
    for name, value in (("m", m), ("p", p), ("q", q)):
        if not value > 0:
            raise ValueError(f"{name} must be positive (got {name}={value})")
    e = np.exp(-(p + q) * x)
    return m * (1.0 - e) / (1.0 + (q / p) * e)


def bass_rate(t: ArrayLike, m: float, p: float, q: float) -> np.ndarray:
    """The Bass ODE's right-hand side ``(p + q N/m)(m - N)`` at ``N = bass_adopters(t)``.

    Examples
    --------
    >>> float(bass_rate(0.0, m=100.0, p=0.03, q=0.4))  # p m at launch
    3.0
    """
    m, p, q = _parameters(m=m, p=p, q=q)
    n = bass_adopters(t, m, p, q)
    return _finite((p + q * n / m) * (m - n), "t, m, p and q")


def bass_peak_time(p: float, q: float) -> float:
    """Time of the fastest adoption, ``ln(q/p) / (p + q)`` (0 when ``q <= p``).

    Examples
    --------
    >>> round(bass_peak_time(0.03, 0.4), 3)
    6.024
    """
    p, q = _parameters(p=p, q=q)
    if not (p > 0 and q > 0):
        raise ValueError(f"p and q must be positive (got p={p}, q={q})")
    return _finite(max(0.0, float(np.log(q / p) / (p + q))), "p and q")


@dataclass(frozen=True)
class DiffusionFit:
    """A least squares fit of a diffusion model, with standard errors from its covariance.

    Attributes
    ----------
    model : str
        ``"logistic"`` or ``"bass"``.
    names : tuple of str
        Parameter names, in order.
    values, stderr : numpy.ndarray
        Estimates and their standard errors ``sqrt(diag(covariance))``.
    covariance : numpy.ndarray
        From ``scipy.optimize.curve_fit``, scaled by the residual variance.
    rss : float
        Residual sum of squares.
    n_points : int
    """

    model: str
    names: tuple[str, ...]
    values: np.ndarray
    stderr: np.ndarray
    covariance: np.ndarray
    rss: float
    n_points: int

    def __getitem__(self, name: str) -> float:
        """The estimate of one parameter by name."""
        return float(self.values[self.names.index(name)])

    def predict(self, t: ArrayLike) -> np.ndarray:
        """The fitted curve at times ``t``."""
        return _MODELS[self.model][0](t, *self.values)


def fit_logistic(t: ArrayLike, y: ArrayLike, p0: ArrayLike) -> DiffusionFit:
    """Fit ``logistic(t, K, r, t0)`` to ``y`` by least squares (``scipy.optimize.curve_fit``).

    Parameters
    ----------
    t, y : array_like, shape (n,)
        Times and observations; at least four points.
    p0 : array_like, shape (3,)
        Starting values for ``(K, r, t0)``.

    Returns
    -------
    DiffusionFit

    Raises
    ------
    ValueError
        For mismatched or too short inputs, or when the covariance cannot be estimated.

    Examples
    --------
    >>> t = np.linspace(0, 10, 12)
    >>> fit = fit_logistic(t, logistic(t, 100.0, 1.0, 5.0), p0=[80, 0.5, 4])
    >>> round(fit["K"], 3)
    100.0
    """
    return _fit("logistic", t, y, p0)


def fit_bass(t: ArrayLike, y: ArrayLike, p0: ArrayLike) -> DiffusionFit:
    """Fit ``bass_adopters(t, m, p, q)`` to ``y`` by least squares, with positive parameters.

    Examples
    --------
    >>> t = np.linspace(0.5, 12, 12)
    >>> fit = fit_bass(t, bass_adopters(t, 50.0, 0.02, 0.6), p0=[40, 0.05, 0.3])
    >>> round(fit["m"], 3), round(fit["q"], 3)
    (50.0, 0.6)
    """
    return _fit("bass", t, y, p0)


def _fit(model: str, t: ArrayLike, y: ArrayLike, p0: ArrayLike) -> DiffusionFit:
    f, names = _MODELS[model]
    x, obs, start = (as_array(n, a, dtype=np.float64) for n, a in (("t", t), ("y", y), ("p0", p0)))
    if x.ndim != 1 or x.shape != obs.shape:
        raise ValueError(f"t and y must be 1-D of equal length (got {x.shape} and {obs.shape})")
    if len(x) <= len(names):
        raise ValueError(f"need more than {len(names)} points to fit {model} (got {len(x)})")
    if start.shape != (len(names),):
        raise ValueError(f"p0 must give {len(names)} starting values {names} (got {start.shape})")
    if model == "bass" and not (start > 0).all():
        raise ValueError(f"p0 must be positive for the Bass model (got p0={start.tolist()})")
    bounds = (0.0, np.inf) if model == "bass" else (-np.inf, np.inf)
    with warnings.catch_warnings():
        warnings.simplefilter("error", OptimizeWarning)  # an unusable covariance is an error
        try:
            values, cov = curve_fit(f, x, obs, p0=start, bounds=bounds, maxfev=20000)
        except (OptimizeWarning, RuntimeError) as exc:
            raise ValueError(
                f"the {model} fit failed: {exc} (try other starting values p0)"
            ) from exc
    rss = float(((obs - f(x, *values)) ** 2).sum())
    return DiffusionFit(model, names, values, np.sqrt(np.diag(cov)), cov, rss, len(x))


_MODELS: dict[str, tuple[Callable[..., np.ndarray], tuple[str, ...]]] = {
    "logistic": (_logistic, ("K", "r", "t0")),
    "bass": (_bass_adopters, ("m", "p", "q")),
}


def _parameters(**values: object) -> tuple:
    """The scalar parameters as finite numbers (NumPy float32 as the plain float)."""
    return tuple(finite_scalar(name, value) for name, value in values.items())


def _finite(result, names: str):
    """``result`` if every value is finite, else a ValueError naming the arguments."""
    if not np.all(np.isfinite(result)):
        raise ValueError(f"the result overflows a float or is undefined: {names} are too extreme")
    return result
