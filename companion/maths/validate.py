"""Argument checks shared by the NumPy references and their torch/TF twins.

Explained in CONTRIBUTING.md, "The companion": the twins ``companion.torch.X`` and
``companion.tf.X`` validate their inputs with these functions, so a reader who passes the same
wrong argument to the NumPy reference, to the PyTorch twin and to the TensorFlow twin reads the
same message, and each message names the argument.

Pure: NumPy and the standard library only, no framework import and no file read. Each check
returns the value to compute with; a 64-bit NumPy scalar is returned unchanged (its arithmetic
is that of the plain value), a narrower one (``np.float32``, ``np.int32``) as the plain Python
number, so that it gives the answer the plain value gives. Most checks take the argument's
name first: it is the name the error message uses.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Collection

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "as_array",
    "as_labels",
    "as_logits",
    "as_target",
    "check_bool",
    "check_callable",
    "check_choice",
    "check_instance",
    "check_rng",
    "finite_scalar",
    "int_scalar",
]

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


def _check_name(name: object) -> None:
    if not isinstance(name, str):
        raise TypeError(
            f"name must be a str, the argument's name (got {type(name).__name__}: "
            f"{_describe(name)})"
        )


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _check_flag(option: str, value: object) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{option} must be True or False (got {type(value).__name__}: {_describe(value)})"
        )


def _check_bound(option: str, bound: object) -> None:
    if bound is not None and not _is_int(bound):
        raise TypeError(
            f"{option} must be an int or None (got {type(bound).__name__}: {_describe(bound)})"
        )


def finite_scalar(
    name: str,
    value: object,
    *,
    positive: bool = False,
    non_negative: bool = False,
    allow_none: bool = False,
) -> float:
    """``value`` if it is a finite real number (not a bool), else an error naming ``name``.

    Parameters
    ----------
    name : str
        The argument's name, used in the error message.
    value : object
        What the caller was given.
    positive, non_negative : bool
        Also require ``value > 0`` or ``value >= 0``.
    allow_none : bool
        Let ``None`` through unchanged (an optional argument left out).

    Returns
    -------
    float
        ``value`` itself (a Python or 64-bit NumPy number), or a narrower NumPy scalar as
        the plain Python number.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (text, a bool, an array, None), or ``name`` is not
        a str.
    ValueError
        If ``value`` is NaN, infinite, too large for a float, or not positive (non-negative)
        as asked.

    Examples
    --------
    >>> finite_scalar("lr", 0.5, positive=True)
    0.5
    >>> finite_scalar("lr", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: lr must be finite (got lr=nan)
    """
    _check_name(name)
    _check_flag("positive", positive)
    _check_flag("non_negative", non_negative)
    _check_flag("allow_none", allow_none)
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
    """``value`` if it is an integer (Python or NumPy, not a bool) in range, else an error.

    Parameters
    ----------
    name : str
        The argument's name, used in the error message.
    value : object
        What the caller was given. A whole float (``3.0``) is refused: counts are ints.
    minimum : int, optional
        Smallest allowed value.
    maximum : int
        Largest allowed value (default ``2**31``).
    allow_none : bool
        Let ``None`` through unchanged.

    Returns
    -------
    int
        ``value`` itself, or a narrower NumPy integer as the plain Python int.

    Raises
    ------
    TypeError
        If ``value`` is not an integer, or ``name``, ``minimum`` or ``maximum`` has the
        wrong type.
    ValueError
        If ``value`` is out of range.

    Examples
    --------
    >>> int_scalar("steps", 3, minimum=1)
    3
    >>> int_scalar("steps", 0, minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: steps must be at least 1 (got steps=0)
    """
    _check_name(name)
    _check_bound("minimum", minimum)
    if not _is_int(maximum):
        raise TypeError(
            f"maximum must be an int (got {type(maximum).__name__}: {_describe(maximum)})"
        )
    _check_flag("allow_none", allow_none)
    if value is None and allow_none:
        return value  # type: ignore[return-value]
    if not _is_int(value):
        raise TypeError(f"{name} must be an int (got {type(value).__name__}: {_describe(value)})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum} (got {name}={value})")
    if value > maximum:
        raise ValueError(f"{name} must be at most {maximum} (got {name}={_describe(value)})")
    return _plain(value)  # type: ignore[return-value]


def _is_rank(n: object) -> bool:
    return _is_int(n) and 0 <= n <= 64  # type: ignore[operator]


def _check_ndim_option(option: str, ndim: object, *, allow_tuple: bool) -> None:
    if ndim is None or _is_rank(ndim):
        return
    if allow_tuple and isinstance(ndim, tuple) and ndim and all(_is_rank(n) for n in ndim):
        return
    want = "an int in [0, 64]" + (", a tuple of them" if allow_tuple else "") + " or None"
    raise TypeError(f"{option} must be {want} (got {type(ndim).__name__}: {_describe(ndim)})")


def _check_dtype_option(dtype: object) -> None:
    if dtype is None or dtype is float or dtype is np.float64:  # the usual ones, quickly
        return
    try:
        kind = np.dtype(dtype).kind  # type: ignore[call-overload]
    except (TypeError, ValueError):
        kind = ""
    if isinstance(dtype, (bool, np.generic)) or not kind or kind not in "biufc":
        raise TypeError(
            f"dtype must be a numeric NumPy dtype such as float, or None to keep the input's "
            f"(got {_describe(dtype)})"
        )


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

    Parameters
    ----------
    name : str
        The argument's name, used in the error message.
    value : object
        An array, a (nested) list of numbers, a number, or a framework tensor (anything with
        ``__array__``).
    ndim : int or tuple of int, optional
        The allowed number(s) of dimensions.
    min_ndim : int, optional
        The fewest dimensions allowed.
    dtype : numeric dtype or None
        The dtype of the result (default ``float``, i.e. float64); ``None`` keeps the input's.
    finite : bool
        Refuse NaN and infinities (default).
    allow_empty : bool
        Accept an array with no items (default).

    Returns
    -------
    numpy.ndarray
        A copy when ``dtype`` changes the input's dtype, else possibly the input itself.

    Raises
    ------
    ValueError
        Naming ``name``, for None, text, a bool, non-numeric items, ragged input, numbers too
        large for a float, NaN or infinities (unless ``finite=False``), the wrong number of
        dimensions, or no items (unless ``allow_empty``).
    TypeError
        If ``name`` is not a str, or ``ndim``, ``min_ndim`` or ``dtype`` has the wrong type.

    Examples
    --------
    >>> as_array("x", [[1, 2], [3, 4]], ndim=2).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    >>> as_array("x", [1.0, float("inf")])
    Traceback (most recent call last):
    ...
    ValueError: x must be finite (it holds NaN or an infinity)
    """
    _check_name(name)
    _check_ndim_option("ndim", ndim, allow_tuple=True)
    _check_ndim_option("min_ndim", min_ndim, allow_tuple=False)
    _check_dtype_option(dtype)
    _check_flag("finite", finite)
    _check_flag("allow_empty", allow_empty)
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
        allowed = (ndim,) if isinstance(ndim, numbers.Integral) else tuple(ndim)
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
    """``rng`` if it is a ``numpy.random.Generator``, else a ``TypeError`` naming ``name``.

    The book draws every random number from a generator it is given (``rt.rng(1)``), never
    from NumPy's global state, so that a seeded run repeats.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> check_rng("rng", rng) is rng
    True
    >>> check_rng("rng", 0)
    Traceback (most recent call last):
    ...
    TypeError: rng must be a numpy.random.Generator, e.g. np.random.default_rng(0) (got int)
    """
    _check_name(name)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator, e.g. np.random.default_rng(0) "
            f"(got {type(rng).__name__})"
        )
    return rng


def check_callable(name: str, f: object) -> Callable:
    """``f`` if it is callable, else a ``TypeError`` naming ``name``.

    Examples
    --------
    >>> check_callable("f", abs)(-2)
    2
    >>> check_callable("f", 3.0)
    Traceback (most recent call last):
    ...
    TypeError: f must be callable (got float: 3.0)
    """
    _check_name(name)
    if not callable(f):
        raise TypeError(f"{name} must be callable (got {type(f).__name__}: {_describe(f)})")
    return f


def check_instance(name: str, value: object, types: type | tuple[type, ...]) -> object:
    """``value`` if it is an instance of ``types``, else a ``TypeError`` naming ``name``.

    Examples
    --------
    >>> check_instance("size", 3, int)
    3
    >>> check_instance("size", "3", (int, float))
    Traceback (most recent call last):
    ...
    TypeError: size must be a int or float (got str)
    """
    _check_name(name)
    if not (
        isinstance(types, type)
        or (isinstance(types, tuple) and types and all(isinstance(t, type) for t in types))
    ):
        raise TypeError(
            f"types must be a class or a non-empty tuple of classes (got {_describe(types)})"
        )
    if not isinstance(value, types):
        names = (
            " or ".join(t.__name__ for t in types) if isinstance(types, tuple) else types.__name__
        )
        raise TypeError(f"{name} must be a {names} (got {type(value).__name__})")
    return value


def check_choice(name: str, value: object, options: Collection[str]) -> str:
    """``value`` if it is a string among ``options``, else a clear error naming ``name``.

    Parameters
    ----------
    name : str
        The argument's name, used in the error message.
    value : object
        What the caller was given.
    options : collection of str
        The allowed values (a tuple, a set, or a dict's keys), listed in the message.

    Raises
    ------
    TypeError
        If ``value`` is not a str, or ``options`` is not a non-empty collection of str.
    ValueError
        If ``value`` is not among ``options``.

    Examples
    --------
    >>> check_choice("reduction", "mean", ("mean", "sum"))
    'mean'
    >>> check_choice("reduction", "max", ("mean", "sum"))
    Traceback (most recent call last):
    ...
    ValueError: reduction must be one of ['mean', 'sum'] (got 'max')
    """
    _check_name(name)
    if not _is_str_collection(options):
        raise TypeError(
            f"options must be a non-empty collection of str (got {type(options).__name__}: "
            f"{_describe(options)})"
        )
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str (got {type(value).__name__}: {_describe(value)})")
    if value not in options:
        raise ValueError(f"{name} must be one of {sorted(options)} (got {value!r})")
    return value


def _is_str_collection(options: object) -> bool:
    if isinstance(options, (str, bytes)) or not isinstance(options, Collection):
        return False
    try:
        items = list(options)
    except TypeError:  # a 0-d array passes the Collection test but does not iterate
        return False
    return bool(items) and all(isinstance(option, str) for option in items)


def check_bool(name: str, value: object) -> bool:
    """``value`` if it is a bool (Python or NumPy), else a ``TypeError`` naming ``name``.

    Examples
    --------
    >>> check_bool("shuffle", True)
    True
    >>> check_bool("shuffle", "yes")
    Traceback (most recent call last):
    ...
    TypeError: shuffle must be a bool (got str: 'yes')
    """
    _check_name(name)
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool (got {type(value).__name__}: {_describe(value)})")
    return value  # type: ignore[return-value]


# --- classification inputs: the shared checks of softmax, the losses and their twins ---------


def as_logits(z: ArrayLike, *, min_ndim: int, exact_ndim: bool = False) -> np.ndarray:
    """Logits as a finite, non-empty float64 array of at least (or exactly) ``min_ndim`` dims.

    The NumPy references (:mod:`companion.maths.softmax`, :mod:`companion.maths.pretraining`)
    and their torch/TF twins all read logits through this, so all three refuse the same input
    with the same message. Errors name the argument ``logits``.

    Parameters
    ----------
    z : array_like
        Unnormalised scores; a framework tensor converts itself through ``__array__``.
    min_ndim : int
        The fewest dimensions allowed (1 for softmax, 2 for ``(N, K)`` and ``(..., T, V)``).
    exact_ndim : bool
        Require exactly ``min_ndim`` dimensions.

    Returns
    -------
    numpy.ndarray
        ``z`` as float64.

    Raises
    ------
    ValueError
        If the logits are not numbers, have too few (or too many) dimensions, are empty, or
        hold NaN or infinity.
    TypeError
        If ``min_ndim`` is not an int or ``exact_ndim`` not a bool.

    Examples
    --------
    >>> as_logits([[1, 2]], min_ndim=2).tolist()
    [[1.0, 2.0]]
    >>> as_logits([1.0, 2.0], min_ndim=2, exact_ndim=True)
    Traceback (most recent call last):
    ...
    ValueError: logits must have exactly 2 dimension(s) (got shape (2,))
    """
    int_scalar("min_ndim", min_ndim, minimum=0)
    check_bool("exact_ndim", exact_ndim)
    if not hasattr(z, "__array__"):  # tensors convert themselves; lists and scalars are checked
        as_array("logits", z, finite=False)
    arr = np.asarray(z, dtype=np.float64)
    if arr.ndim < min_ndim or (exact_ndim and arr.ndim != min_ndim):
        want = f"exactly {min_ndim}" if exact_ndim else f"at least {min_ndim}"
        raise ValueError(f"logits must have {want} dimension(s) (got shape {arr.shape})")
    if arr.size == 0:
        raise ValueError(f"logits must not be empty (got shape {arr.shape})")
    if not np.isfinite(arr).all():
        raise ValueError("logits must be finite (found NaN or infinity)")
    return arr


def as_labels(name: str, labels: ArrayLike, num_classes: int) -> np.ndarray:
    """Integer class labels: a 1-D int array with every value in ``[0, num_classes)``.

    Parameters
    ----------
    name : str
        The argument's name, used in the error message.
    labels : array_like of int, shape (N,)
    num_classes : int
        Number of classes K, at least 1.

    Returns
    -------
    numpy.ndarray
        ``labels`` as an integer array (its own integer dtype).

    Raises
    ------
    ValueError
        If ``labels`` is not a 1-D array of ints or a label lies outside ``[0, K)``.
    TypeError
        If ``num_classes`` is not an int.

    Examples
    --------
    >>> as_labels("labels", [2, 0], 3).tolist()
    [2, 0]
    >>> as_labels("labels", [2, 3], 3)
    Traceback (most recent call last):
    ...
    ValueError: labels must lie in [0, 3) (got min 2, max 3)
    """
    _check_name(name)
    int_scalar("num_classes", num_classes, minimum=1)
    as_array(name, labels, dtype=None, finite=False)
    y = np.asarray(labels)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"{name} must be a 1-D array of ints (got shape {y.shape}, dtype {y.dtype})"
        )
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"{name} must lie in [0, {num_classes}) (got min {y.min()}, max {y.max()})"
        )
    return y


def as_target(target: ArrayLike, shape: tuple[int, int]) -> np.ndarray:
    """Classification targets for ``(N, K)`` logits, as ``(N, K)`` float64 distributions.

    The target of a cross-entropy is either N integer class labels or N rows of
    probabilities (one-hot or soft) that each sum to 1. The NumPy references and their
    torch/TF twins check it through this, with the same messages.

    Parameters
    ----------
    target : array_like, shape (N,) of int or (N, K) of probabilities
    shape : tuple of int
        ``(N, K)``, the shape of the logits.

    Returns
    -------
    numpy.ndarray, shape (N, K)
        One-hot rows for labels, else the distributions as float64.

    Raises
    ------
    ValueError
        If the target has the wrong number of rows or shape, labels that are not ints or lie
        outside ``[0, K)``, or rows that are not probability distributions.
    TypeError
        If ``shape`` is not a pair of ints.

    Examples
    --------
    >>> as_target([2, 0], (2, 3)).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    >>> as_target([0.5, 0.5], (2, 3))
    Traceback (most recent call last):
    ...
    ValueError: integer class labels expected for a 1-D target (got dtype float64)
    """
    if not (
        isinstance(shape, (tuple, list))
        and len(shape) == 2
        and all(_is_int(s) and s >= 0 for s in shape)
        and shape[1] >= 1
    ):
        raise TypeError(f"shape must be (N, K), two ints with K >= 1 (got {_describe(shape)})")
    n, k = (int(s) for s in shape)
    as_array("target", target, dtype=None, finite=False)
    t = np.asarray(target)
    if t.ndim == 1:
        if t.shape[0] != n:
            raise ValueError(f"target has {t.shape[0]} labels for {n} rows of logits")
        if not np.issubdtype(t.dtype, np.integer):
            raise ValueError(
                f"integer class labels expected for a 1-D target (got dtype {t.dtype})"
            )
        y = as_labels("target labels", t, k)
        rows = np.zeros((n, k))  # one-hot, without building the (K, K) identity
        rows[np.arange(n), y] = 1.0
        return rows
    if t.shape != (n, k):
        raise ValueError(f"target must have shape ({n},) or {(n, k)} (got {t.shape})")
    y = t.astype(np.float64)
    if (y < 0).any() or not np.allclose(y.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("each target row must be a probability distribution (non-negative, sum 1)")
    return y
