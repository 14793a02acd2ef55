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
