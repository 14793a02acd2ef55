"""Argument checks shared by the sizing modules (messages name the argument and the value)."""

from __future__ import annotations

import math
import numbers


def positive_int(name: str, value: object) -> int:
    """``value`` as an int if it is a positive integer (Python or NumPy), else a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int (got {type(value).__name__}: {value!r})")
    if value <= 0:
        raise ValueError(f"{name} must be positive (got {name}={value})")
    return int(value)


def non_negative_int(name: str, value: object) -> int:
    """``value`` as an int if it is an integer (Python or NumPy) of at least 0, else an error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int (got {type(value).__name__}: {value!r})")
    if value < 0:
        raise ValueError(f"{name} must be non-negative (got {name}={value})")
    return int(value)


def positive_number(name: str, value: object) -> float:
    """``value`` as a float if it is a positive finite real number, else a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number (got {type(value).__name__}: {value!r})")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{name} is too large for a float (over 1.8e308)") from None
    if not number > 0 or not math.isfinite(number):
        raise ValueError(f"{name} must be positive and finite (got {name}={value})")
    return number


def finite_result(what: str, value: float) -> float:
    """``value`` if finite; a clear error when a product of valid arguments overflows."""
    if not math.isfinite(value):
        raise ValueError(f"{what} overflows a float ({value}): the arguments are too large")
    return value
