"""companion.maths.validate: the public checks the NumPy references and the twins share.

Wrong values of the reader's argument are tried for every function by
tests/test_properties_bad_input.py; here, the validators' own options (which that suite leaves
alone), and the old import paths that must keep working.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from companion.maths import validate
from companion.maths.validate import (
    as_array,
    as_labels,
    as_logits,
    as_target,
    check_choice,
    check_instance,
    finite_scalar,
    int_scalar,
)


def test_every_public_check_is_documented_with_an_example():
    for name in validate.__all__:
        doc = getattr(validate, name).__doc__
        assert doc and "Examples\n    --------\n    >>> " in doc, f"{name} needs an example"


def test_the_old_import_paths_give_the_same_functions():
    softmax_module = importlib.import_module("companion.maths.softmax")  # not the function
    assert softmax_module.as_logits is as_logits and softmax_module.as_target is as_target


@pytest.mark.parametrize(
    "call",
    [
        lambda: finite_scalar(None, 1.0),
        lambda: int_scalar(3, 1),
        lambda: as_array(b"x", [1.0]),
        lambda: check_choice(["reduction"], "mean", ("mean",)),
        lambda: as_labels(0, [0], 1),
    ],
)
def test_the_name_must_be_a_string(call):
    with pytest.raises(TypeError, match="^name must be a str"):
        call()


@pytest.mark.parametrize(
    ("call", "option"),
    [
        (lambda: int_scalar("steps", 3, minimum=1.0), "minimum"),
        (lambda: int_scalar("steps", 3, maximum=None), "maximum"),
        (lambda: int_scalar("steps", 3, maximum=True), "maximum"),
        (lambda: int_scalar("steps", None, allow_none=1), "allow_none"),
        (lambda: finite_scalar("lr", 0.1, positive="yes"), "positive"),
        (lambda: as_array("x", [1.0], ndim=2.0), "ndim"),
        (lambda: as_array("x", [1.0], ndim=(1, -1)), "ndim"),
        (lambda: as_array("x", [1.0], min_ndim=-1), "min_ndim"),
        (lambda: as_array("x", [1.0], dtype="text"), "dtype"),
        (lambda: as_array("x", [1.0], dtype=np.float64(1.0)), "dtype"),
        (lambda: as_array("x", [1.0], dtype=str), "dtype"),
        (lambda: as_array("x", [1.0], finite=np.ones(2)), "finite"),
        (lambda: as_array("x", [1.0], allow_empty=None), "allow_empty"),
        (lambda: check_choice("reduction", "mean", "mean"), "options"),
        (lambda: check_choice("reduction", "mean", ()), "options"),
        (lambda: check_choice("reduction", "mean", np.asarray(0.0)), "options"),
        (lambda: check_instance("size", 3, "int"), "types"),
        (lambda: check_instance("size", 3, ()), "types"),
        (lambda: as_logits([[1.0]], min_ndim=2.0), "min_ndim"),
        (lambda: as_logits([[1.0]], min_ndim=2, exact_ndim=1), "exact_ndim"),
        (lambda: as_target([0], None), "shape"),
        (lambda: as_target([0], (1, 0)), "shape"),
        (lambda: as_labels("labels", [0], 1.0), "num_classes"),
    ],
)
def test_options_of_the_wrong_type_are_refused_by_name(call, option):
    with pytest.raises((TypeError, ValueError), match=f"^{option} "):
        call()


def test_valid_options_keep_their_meaning():
    assert as_array("x", [1, 2], dtype=None).dtype.kind == "i"
    assert as_array("x", [[1.0]], ndim=(1, 2)).shape == (1, 1)
    assert as_array("x", [np.nan], finite=np.bool_(False)).shape == (1,)
    assert int_scalar("steps", np.int32(5), minimum=np.int64(1)) == 5
    assert check_choice("loss", "mse", {"mse": 1, "cross_entropy": 2}.keys()) == "mse"
    assert as_target(np.array([1]), (np.int64(1), np.int64(2))).tolist() == [[0.0, 1.0]]


def test_target_errors_name_the_target():
    with pytest.raises(ValueError, match=r"^target labels must lie in \[0, 3\)"):
        as_target([0, 3], (2, 3))
    with pytest.raises(ValueError, match="^target has 1 labels for 2 rows"):
        as_target([0], (2, 3))
    with pytest.raises(ValueError, match="^target must have shape"):
        as_target(np.ones((2, 2)) / 2, (2, 3))
