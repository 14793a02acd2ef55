"""companion.report: the printed line, thresholds, and errors for bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from companion.report import Check, CheckFailed, check, check_close, max_abs_diff


def test_check_prints_rounded_value_and_threshold(capsys):
    assert check("test accuracy", 0.95312, 0.95) is None
    assert capsys.readouterr().out == "test accuracy 0.953 (>= 0.95 ✓)\n"


def test_check_failure_prints_cross_then_raises(capsys):
    with pytest.raises(CheckFailed, match="missed its threshold"):
        check("test accuracy", 0.91, 0.95)
    assert capsys.readouterr().out == "test accuracy 0.910 (>= 0.95 ✗)\n"


def test_non_strict_check_returns_failure_without_raising(capsys):
    check("loss", 2.0, 1.0, op="<", strict=False)
    assert capsys.readouterr().out == "loss 2.000 (< 1 ✗)\n"


@pytest.mark.parametrize(
    ("op", "value", "passed"),
    [(">=", 1.0, True), (">", 1.0, False), ("<=", 1.0, True), ("<", 1.0, False), ("<", 0.5, True)],
)
def test_each_operator_compares_as_written(op, value, passed):
    assert Check("x", value, op, 1.0, 3).passed is passed


def test_scientific_format_for_errors(capsys):
    check("max |error|", 2.26e-16, 1e-10, op="<", digits=None)
    assert capsys.readouterr().out == "max |error| = 2.3e-16 (< 1e-10 ✓)\n"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_nan_or_infinite_metric_is_rejected(bad):
    with pytest.raises(ValueError, match="value of 'accuracy' must be finite"):
        check("accuracy", bad, 0.9)


def test_non_number_metric_is_rejected():
    with pytest.raises(TypeError, match="must be a real number"):
        check("accuracy", "0.9", 0.9)


def test_numpy_scalars_are_accepted(capsys):
    check("accuracy", np.float32(0.975), 0.95, digits=2)
    check("accuracy", np.array(0.975), 0.95, digits=2)
    assert capsys.readouterr().out.count("(>= 0.95 ✓)") == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"op": "=="}, "op must be one of"),
        ({"digits": -1}, "digits must be a non-negative int"),
        ({"digits": 2.5}, "digits must be a non-negative int"),
    ],
)
def test_bad_options_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        check("x", 1.0, 1.0, **kwargs)


def test_empty_name_is_rejected():
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        check("", 1.0, 1.0)


def test_max_abs_diff_and_shape_mismatch():
    assert max_abs_diff([[1.0, 2.0]], [[1.0, 1.5]]) == 0.5
    assert max_abs_diff([], []) == 0.0
    with pytest.raises(ValueError, match=r"shapes differ: actual \(2,\) vs expected \(3,\)"):
        max_abs_diff([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="must not contain NaN"):
        max_abs_diff([np.nan], [0.0])


def test_check_close_passes_and_fails(capsys):
    check_close("d", [1.0], [1.0 + 1e-13], tol=1e-12)
    assert capsys.readouterr().out == "d = 1.0e-13 (< 1e-12 ✓)\n"
    with pytest.raises(CheckFailed):
        check_close("d", [1.0], [1.1], tol=1e-3)
    assert capsys.readouterr().out.splitlines()[-1] == "d = 1.0e-01 (< 1e-03 ✗)"


@pytest.mark.parametrize("tol", [0.0, -1e-9])
def test_check_close_needs_positive_tolerance(tol):
    with pytest.raises(ValueError, match="tol must be positive"):
        check_close("d", [1.0], [1.0], tol=tol)


# Issue 20: the printed bound is the bound tested, the printed value is on its true side,
# empty comparisons are errors; issue 15: a check line fits 80 characters.
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from companion.report import WIDTH  # noqa: E402

_finite_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)


def _parse(line: str) -> tuple[float, str, float, str]:
    """Value, operator, bound and verdict back from a printed check line."""
    head, _, verdict = line.rpartition("(")
    op, bound, mark = verdict.rstrip(")").split()
    value = head.split()[-1]
    return float(value), op, float(bound), mark


@given(
    value=_finite_floats,
    threshold=_finite_floats,
    op=st.sampled_from([">=", ">", "<=", "<"]),
    digits=st.one_of(st.none(), st.integers(0, 6)),
)
def test_printed_bound_is_exact_and_value_is_on_its_side(value, threshold, op, digits):
    result = Check("x", value, op, threshold, digits)
    printed_value, printed_op, printed_bound, mark = _parse(str(result))
    assert printed_op == op
    assert printed_bound == threshold
    # the printed value satisfies the operator exactly when the true value does
    assert Check("x", printed_value, op, threshold, digits).passed == result.passed
    assert mark == ("✓" if result.passed else "✗")


def test_bound_with_two_significant_digits_is_not_rounded(capsys):
    check("x", 0.93, 0.95, op="<", digits=None)
    assert capsys.readouterr().out == "x = 9.3e-01 (< 9.5e-01 ✓)\n"


def test_value_gains_digits_when_rounding_would_hide_a_miss(capsys):
    check("accuracy", 0.9499, 0.95, strict=False)
    assert capsys.readouterr().out == "accuracy 0.9499 (>= 0.95 ✗)\n"


def test_long_check_puts_its_value_on_a_second_line(capsys):
    check("a long description of what was compared " * 2, 1.2e-7, 1e-6, op="<", digits=None)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(len(line) <= WIDTH for line in lines)
    assert lines[1] == "    = 1.2e-07 (< 1e-06 ✓)"


@pytest.mark.parametrize(("actual", "expected"), [([], []), (np.zeros((0, 3)), np.zeros((0, 3)))])
def test_check_close_on_empty_arrays_is_an_error(actual, expected):
    with pytest.raises(ValueError, match="empty"):
        check_close("max |a - b|", actual, expected, tol=1e-9)


@pytest.mark.parametrize(
    ("threshold", "printed"),
    [
        (40, "40"),
        (10, "10"),
        (0.95, "0.95"),
        (2500, "2500"),
        (1e6, "1e+06"),
        (1 / 3, "0.3333333333333333"),
    ],
)
def test_fixed_point_bounds_print_as_before_when_exact(threshold, printed, capsys):
    check("x", 1e9, threshold, digits=1)
    assert capsys.readouterr().out == f"x 1000000000.0 (>= {printed} ✓)\n"
