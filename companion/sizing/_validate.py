"""Argument checks shared by the sizing modules (messages name the argument and the value)."""

from __future__ import annotations

import math
import numbers
import sys

_FLOAT_MAX = sys.float_info.max


def positive_int(name: str, value: object) -> int:
    """``value`` as an int if it is a positive integer (Python or NumPy), else a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int (got {type(value).__name__}: {value!r})")
    if value <= 0:
        raise ValueError(f"{name} must be positive (got {name}={value})")
    if value > _FLOAT_MAX:
        raise ValueError(f"{name} is too large for a float (over 1.8e308)")
    return int(value)


def non_negative_int(name: str, value: object) -> int:
    """``value`` as an int if it is an integer (Python or NumPy) of at least 0, else an error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int (got {type(value).__name__}: {value!r})")
    if value < 0:
        raise ValueError(f"{name} must be non-negative (got {name}={value})")
    if value > _FLOAT_MAX:
        raise ValueError(f"{name} is too large for a float (over 1.8e308)")
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


def non_negative_number(name: str, value: object) -> float:
    """``value`` as a float if it is a finite real number of at least 0, else a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number (got {type(value).__name__}: {value!r})")
    if value == 0:
        return 0.0
    return positive_number(name, value)


def choice(name: str, value: object, options: object) -> str:
    """``value`` if it is a string among ``options``, else a clear error naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str (got {type(value).__name__}: {value!r})")
    if value not in options:  # type: ignore[operator]
        raise ValueError(f"{name} must be one of {sorted(options)} (got {value!r})")  # type: ignore[call-overload]
    return value


def finite_result(what: str, value: float, **arguments: object) -> float:
    """``value`` if finite; a clear error when a product of valid arguments overflows.

    ``arguments`` (name=value) are quoted in the message, so it names what to make smaller.
    """
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        given = ", ".join(f"{name}={arg}" for name, arg in arguments.items())
        raise ValueError(
            f"{what} overflows a float ({number}): the arguments are too large"
            + (f" ({given})" if given else "")
        )
    return number
