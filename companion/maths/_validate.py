"""Argument checks shared by the maths modules (messages name the argument and the value).

Pure: NumPy and the standard library only. Each check returns the value to compute with; a
64-bit NumPy scalar is returned unchanged (its arithmetic is that of the plain value), a
narrower one (``np.float32``, ``np.int32``) as the plain Python number, so that it gives the
answer the plain value gives.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np

_INT_MAX = 2**31


def _plain(value: object) -> object:
    if isinstance(value, np.floating) and not isinstance(value, np.float64):
        return float(value)
    if isinstance(value, np.integer) and not isinstance(value, np.int64):
        return int(value)
    return value


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def finite_scalar(
    name: str,
    value: object,
    *,
    positive: bool = False,
    non_negative: bool = False,
    allow_none: bool = False,
) -> float:
    """``value`` if it is a finite real number (not a bool), else a clear error naming ``name``."""
    if value is None and allow_none:
        return value  # type: ignore[return-value]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number (got {type(value).__name__}: {_describe(value)})"
        )
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{name} is too large for a float (over 1.8e308)") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite (got {name}={value})")
    if positive and not number > 0:
        raise ValueError(f"{name} must be positive (got {name}={value})")
    if non_negative and number < 0:
        raise ValueError(f"{name} must be non-negative (got {name}={value})")
    return _plain(value)  # type: ignore[return-value]


def int_scalar(
    name: str,
    value: object,
    *,
    minimum: int | None = None,
    maximum: int = _INT_MAX,
    allow_none: bool = False,
) -> int:
    """``value`` if it is an integer (Python or NumPy, not a bool) in range, else a clear error."""
    if value is None and allow_none:
        return value  # type: ignore[return-value]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int (got {type(value).__name__}: {_describe(value)})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum} (got {name}={value})")
    if value > maximum:
        raise ValueError(f"{name} must be at most {maximum} (got {name}={_describe(value)})")
    return _plain(value)  # type: ignore[return-value]


def as_array(
    name: str,
    value: object,
    *,
    ndim: int | tuple[int, ...] | None = None,
    min_ndim: int | None = None,
    dtype: object = float,
    finite: bool = True,
    allow_empty: bool = True,
) -> np.ndarray:
    """``np.asarray(value, dtype)`` if it is a numeric array of the right rank, else an error.

    Raises ``ValueError`` naming ``name`` for None, text, a bool, non-numeric items, ragged
    input, numbers too large for a float, NaN or infinities (unless ``finite=False``), the
    wrong number of dimensions, or no items (unless ``allow_empty``).
    """
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        raise ValueError(
            f"{name} must be an array of numbers (got {type(value).__name__}: {value!r})"
        )
    try:
        array = np.asarray(value)
    except OverflowError:
        raise ValueError(f"{name} has a value too large for a float (over 1.8e308)") from None
    except (ValueError, TypeError) as err:
        raise ValueError(f"{name} must be a rectangular array of numbers ({err})") from None
    if array.dtype.kind not in "biufO":
        raise ValueError(f"{name} must be an array of numbers (got dtype {array.dtype})")
    if dtype is not None or array.dtype.kind == "O":
        try:
            array = array.astype(float if dtype is None else dtype)  # type: ignore[call-overload]
        except OverflowError:
            raise ValueError(f"{name} has a value too large for a float (over 1.8e308)") from None
        except (ValueError, TypeError) as err:
            raise ValueError(f"{name} must be an array of numbers ({err})") from None
    if finite and array.dtype.kind in "fc" and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (it holds NaN or an infinity)")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            want = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must have {want} dimension(s) (got shape {array.shape})")
    if min_ndim is not None and array.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimension(s) (got shape {array.shape})"
        )
    if not allow_empty and array.size == 0:
        raise ValueError(f"{name} must not be empty (got shape {array.shape})")
    return array


def check_rng(name: str, rng: object) -> np.random.Generator:
    """``rng`` if it is a ``numpy.random.Generator``, else a ``TypeError`` naming ``name``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator, e.g. np.random.default_rng(0) "
            f"(got {type(rng).__name__})"
        )
    return rng


def check_callable(name: str, f: object) -> Callable:
    """``f`` if it is callable, else a ``TypeError`` naming ``name``."""
    if not callable(f):
        raise TypeError(f"{name} must be callable (got {type(f).__name__}: {_describe(f)})")
    return f


def check_instance(name: str, value: object, types: type | tuple[type, ...]) -> object:
    """``value`` if it is an instance of ``types``, else a ``TypeError`` naming ``name``."""
    if not isinstance(value, types):
        names = (
            " or ".join(t.__name__ for t in types) if isinstance(types, tuple) else types.__name__
        )
        raise TypeError(f"{name} must be a {names} (got {type(value).__name__})")
    return value


def check_choice(name: str, value: object, options: object) -> str:
    """``value`` if it is a string among ``options``, else a clear error naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str (got {type(value).__name__}: {_describe(value)})")
    if value not in options:  # type: ignore[operator]
        raise ValueError(f"{name} must be one of {sorted(options)} (got {value!r})")  # type: ignore[call-overload]
    return value


def check_bool(name: str, value: object) -> bool:
    """``value`` if it is a bool (Python or NumPy), else a ``TypeError`` naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool (got {type(value).__name__}: {_describe(value)})")
    return value  # type: ignore[return-value]
