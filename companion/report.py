"""Printing results so that a re-run prints the same thing: rounded values and stated thresholds.

Explained in the Preface, section "How the book is tested".

A stored notebook output is compared with a fresh run by nbval on CPU and on GPU. Raw
floats differ in their last digits from machine to machine, so chapters print a value
rounded to a few digits next to the threshold it is checked against::

    test accuracy 0.953 (>= 0.95 ✓)
    max |dL/dz - autograd| = 2.2e-16 (< 1e-10 ✓)

Errors far below their tolerance are printed in scientific notation; the book's nbval
configuration (``tests/sanitize.cfg``) masks that measured digit and keeps the tolerance
and the verdict, which are what must not change.
"""

from __future__ import annotations

import math
import numbers
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Check", "CheckFailed", "check", "check_close", "glue", "max_abs_diff"]

#: The MIME prefix myst-nb uses for glued values that are stored but not displayed.
GLUE_PREFIX = "application/papermill.record/"

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}
PASS, FAIL = "✓", "✗"
#: Longest printed line: a check that would be longer puts its value on a second line.
WIDTH = 80


class CheckFailed(AssertionError):
    """Raised by :func:`check` when a value misses its threshold and ``strict`` is true."""


@dataclass(frozen=True)
class Check:
    """The outcome of one check; ``str()`` gives the line that is printed.

    Attributes
    ----------
    name : str
        What was measured, in the reader's words.
    value : float
        The measured value.
    op : str
        One of ``">="``, ``">"``, ``"<="``, ``"<"``.
    threshold : float
        The stated bound.
    digits : int or None
        Decimal places for a fixed-point value; ``None`` prints it in scientific notation.
    """

    name: str
    value: float
    op: str
    threshold: float
    digits: int | None

    @property
    def passed(self) -> bool:
        """Whether ``value op threshold`` holds."""
        return _OPS[self.op](self.value, self.threshold)

    def __str__(self) -> str:
        sci = self.digits is None
        bound = _exact(self.threshold, sci)
        value = _on_its_side(self.value, self.threshold, self.op, self.digits)
        verdict = f"({self.op} {bound} {PASS if self.passed else FAIL})"
        rest = f"= {value} {verdict}" if sci else f"{value} {verdict}"
        line = f"{self.name} {rest}"
        if len(line) <= WIDTH:
            return line
        return f"{self.name}\n    {rest}"


def _exact(x: float, sci: bool) -> str:
    """Text of ``x`` that reads back as exactly ``x``: ``1e-10``, ``9.5e-01``; ``40``, ``0.95``.

    Scientific notation with the fewest digits for ``sci``; otherwise ``:g`` when it is exact
    (``40``, ``0.95``, ``1e+06``), else Python's shortest round-trip ``repr``.
    """
    if not sci:
        text = f"{x:g}"
        return text if float(text) == x else repr(x)
    for p in range(17):
        text = f"{x:.{p}e}"
        if float(text) == x:
            return text
    return repr(x)


def _on_its_side(value: float, threshold: float, op: str, digits: int | None) -> str:
    """``value`` rounded to ``digits`` (sci: 1), with more digits while rounding hides its side.

    A value of 0.9499 against ``>= 0.95`` prints ``0.9499``, not ``0.950``: the printed value
    always satisfies ``op`` exactly when the value does.
    """
    holds = _OPS[op](value, threshold)
    start = 1 if digits is None else digits
    for p in range(start, 18):
        text = f"{value:.{p}e}" if digits is None else f"{value:.{p}f}"
        if _OPS[op](float(text), threshold) == holds:
            return text
    return repr(value)


def check(
    name: str,
    value: float,
    threshold: float,
    *,
    op: str = ">=",
    digits: int | None = 3,
    strict: bool = True,
) -> None:
    """Print ``name value (op threshold ✓)`` and fail loudly when the threshold is missed.

    Parameters
    ----------
    name : str
        What was measured, e.g. ``"test accuracy"``.
    value : float
        The measured value; must be finite.
    threshold : float
        The stated bound; must be finite.
    op : str
        Comparison that must hold: ``">="`` (default), ``">"``, ``"<="`` or ``"<"``.
    digits : int or None
        Decimal places printed (default 3); ``None`` prints ``1.2e-07`` style, for errors.
    strict : bool
        Raise :class:`CheckFailed` after printing when the check fails (default).

    Returns nothing, so that a check ending a notebook cell displays only its line; build a
    :class:`Check` directly to keep the outcome.

    Raises
    ------
    TypeError
        If ``value`` or ``threshold`` is not a real number, or ``strict`` not a bool.
    ValueError
        If either is NaN, infinite or too large for a float, ``op`` is unknown or ``digits``
        is negative.
    CheckFailed
        If ``strict`` and the check fails.

    Examples
    --------
    >>> check("test accuracy", 0.9534, 0.95)
    test accuracy 0.953 (>= 0.95 ✓)
    >>> check("max |error|", 2.3e-16, 1e-10, op="<", digits=None)
    max |error| = 2.3e-16 (< 1e-10 ✓)
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string (got {name!r})")
    value = _finite(value, f"value of {name!r}")
    threshold = _finite(threshold, f"threshold of {name!r}")
    if not isinstance(op, str) or op not in _OPS:
        raise ValueError(f"op must be one of {list(_OPS)} (got op={op!r})")
    if not isinstance(strict, (bool, np.bool_)):
        raise TypeError(f"strict must be True or False (got {type(strict).__name__}: {strict!r})")
    if digits is not None and (
        isinstance(digits, bool) or not isinstance(digits, int) or digits < 0
    ):
        raise ValueError(f"digits must be a non-negative int or None (got digits={digits!r})")
    result = Check(name=name, value=value, op=op, threshold=threshold, digits=digits)
    print(result)
    if strict and not result.passed:
        raise CheckFailed(f"{result} — {name} missed its threshold")


def max_abs_diff(actual: ArrayLike, expected: ArrayLike) -> float:
    """Largest absolute elementwise difference of two arrays of the same shape.

    Parameters
    ----------
    actual, expected : array_like
        Arrays of identical shape.

    Returns
    -------
    float
        ``max |actual - expected|``; 0.0 for empty arrays.

    Raises
    ------
    ValueError
        If the shapes differ, either array holds NaN, or is not an array of real numbers.

    Examples
    --------
    >>> max_abs_diff([1.0, 2.0], [1.0, 2.5])
    0.5
    """
    a, b = _real_array(actual, "actual"), _real_array(expected, "expected")
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: actual {a.shape} vs expected {b.shape}")
    if np.isnan(a).any() or np.isnan(b).any():
        raise ValueError("arrays must not contain NaN")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def check_close(
    name: str, actual: ArrayLike, expected: ArrayLike, tol: float, *, strict: bool = True
) -> None:
    """Check ``max |actual - expected| < tol`` and print it as ``name = 2.2e-16 (< 1e-10 ✓)``.

    Parameters
    ----------
    name : str
        Names the comparison, e.g. ``"max |p - y - autograd|"``.
    actual, expected : array_like
        Arrays of identical shape.
    tol : float
        Positive tolerance.
    strict : bool
        Raise :class:`CheckFailed` when the difference is not below ``tol``.

    Raises
    ------
    ValueError
        If shapes differ, arrays are empty or hold NaN, or ``tol`` is not positive.
    CheckFailed
        If ``strict`` and the difference is not below ``tol``.

    Examples
    --------
    >>> check_close("max |a - b|", [1.0, 2.0], [1.0, 2.0 + 1e-12], tol=1e-9)
    max |a - b| = 1.0e-12 (< 1e-09 ✓)
    """
    tol = _finite(tol, "tol")
    if tol <= 0:
        raise ValueError(f"tol must be positive (got tol={tol})")
    actual, expected = _real_array(actual, "actual"), _real_array(expected, "expected")
    if np.size(actual) == 0 or np.size(expected) == 0:
        raise ValueError(f"{name!r}: actual and expected must not be empty (nothing compared)")
    check(name, max_abs_diff(actual, expected), tol, op="<", digits=None, strict=strict)


def _real_array(x: ArrayLike, what: str) -> np.ndarray:
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as err:
        raise ValueError(f"{what} must be an array of real numbers ({err})") from None


def _finite(x: object, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        if not (isinstance(x, np.ndarray) and x.ndim == 0 and np.issubdtype(x.dtype, np.number)):
            raise TypeError(f"{what} must be a real number (got {type(x).__name__}: {x!r})")
    try:
        x = float(x)  # type: ignore[arg-type]
    except OverflowError:
        raise ValueError(f"{what} must be finite: it is too large for a float") from None
    if not math.isfinite(x):
        raise ValueError(f"{what} must be finite (got {x})")
    return x


def glue(name: str, value: object, fmt: str | None = None) -> None:
    """Store ``value`` under ``name`` for the prose, as myst-nb's ``glue(..., display=False)``.

    The chapter's text then shows it with ``{glue:text}`name``` (or ``{glue}`name```), so the
    number in a sentence is the number the cell computed, and nbval compares it on every run.
    The value is formatted *before* it is stored: the stored text is exactly what the reader
    sees, and a machine-dependent digit beyond ``fmt`` cannot reach the comparison.

    Parameters
    ----------
    name : str
        Key used in the prose; letters, digits, ``_`` and ``-`` only, unique in the notebook.
    value : object
        A number or a string.
    fmt : str or None
        A format specification such as ``".3f"``, ``",d"`` or ``".1%"``; ``None`` stores
        ``str(value)``.

    Returns nothing, so that a glue call ending a cell displays nothing.

    Raises
    ------
    ValueError
        If ``name`` is not a valid key, a float ``value`` is not finite, or ``fmt`` does not
        apply to ``value``.

    Examples
    --------
    >>> glue("test_accuracy", 0.95341, ".3f")  # in a notebook cell: stores '0.953'

    The output it leaves is myst-nb's own, so ``{glue:text}`test_accuracy``` renders ``0.953``.
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", name):
        raise ValueError(
            f"name must be letters, digits, _ or - starting with a letter (got {name!r})"
        )
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            finite = math.isfinite(float(value))
        except OverflowError:
            finite = False
        if not finite:
            raise ValueError(f"value of {name!r} must be finite (got {value})")
    if fmt is None:
        text = str(value)
    else:
        try:
            text = format(value, fmt)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"fmt={fmt!r} does not apply to value {value!r} of {name!r}: {exc}"
            ) from None
    from IPython.display import display

    display(
        {GLUE_PREFIX + "text/plain": repr(text)},
        raw=True,
        metadata={"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}},
    )
