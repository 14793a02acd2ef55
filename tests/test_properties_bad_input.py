"""Property-based bad input over every public function of the pure and core packages.

The functions are found automatically: each module's ``__all__``, the plain functions defined
in that module (classes, and so dataclass constructors, are left to their own tests). Valid
example arguments come from the function's own doctest examples (the first call that
succeeds is recorded), or from ``VALID`` below where a function has none; ``SKIP`` lists the
few that cannot be called this way, each with its reason. A new public function with a doctest
is therefore covered without editing this file.

For each function and each parameter in turn (the others keep their valid value) the suite
tries wrong inputs: None, text, booleans, NaN and infinities, 0, -1, huge numbers, NumPy
scalars of valid and invalid values, empty and wrong-shaped arrays; hypothesis then draws
more. Each call must either

- raise ``TypeError``/``ValueError`` (or a documented ``LookupError``/``KeyError``/
  ``FileNotFoundError``, or a failed check) whose message names the argument, or
- return a finite answer, and for a NumPy scalar the answer for the equal Python value.

Never: an exception from inside NumPy with an unrelated message, ``OverflowError``,
``ZeroDivisionError``, ``IndexError``, ``AttributeError``, a hang, a NaN or infinite result,
a number-like argument accepted as ``None``, text or a bool.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import doctest
import importlib
import inspect
import io
import json
import math
import numbers
import os
import pathlib
import pkgutil
import resource
import signal
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import companion.maths
import companion.sizing
from companion.maths.cnn import DigitCNNConfig, init_digit_cnn

# The packages in scope: every module of maths and sizing, the core, and the data functions
# that take arguments other than a path (plus read_csv_file, given bad paths).
MODULES = [
    f"{package.__name__}.{info.name}"
    for package in (companion.maths, companion.sizing)
    for info in pkgutil.iter_modules(package.__path__)
    if not info.name.startswith("_")
] + [
    "companion.report",
    "companion.runtime",
    "companion.nlp.wordpiece",
    "companion.data",
    "companion.data.mnist",
    "companion.data.phrasebank",
]

# Functions that cannot be called this way, with the reason.
SKIP = {
    # Loaders: they read (or download) the book's data files; their bad input (a missing or
    # binary file, an unknown subset) is covered in test_bad_input.py.
    "companion.data.require_file": "looks a file up under COMPANION_DATA_DIR (a path lookup)",
    "companion.data.mnist.load_mnist_full": "reads or downloads MNIST (network)",
    "companion.data.mnist.load_mnist_small": "reads a data file; takes no arguments",
    "companion.data.phrasebank.load_phrasebank": "reads or downloads the phrase bank (network)",
    # Imports TensorFlow, an optional extra (seconds, and memory this suite caps); its one
    # argument is checked in its doctest.
    "companion.runtime.import_tensorflow": "imports TensorFlow (optional extra)",
}

# Parameters left alone, with the reason.
SKIP_PARAMETERS = {
    # style=True applies the matplotlib house style, a global change outside this suite.
    ("companion.runtime.setup", "style"): "must stay False here (global matplotlib state)",
}
# A validator's bounds: a tighter one (maximum=0) rightly refuses the valid value, with a
# message for the reader that names the reader's argument (``name``), not the bound. Bounds of
# the wrong type are tried in tests/test_validate.py instead.
_VALIDATOR_BOUND = "a bound the value is checked against; the message names the value"
SKIP_PARAMETERS.update(
    {
        ("companion.maths.validate.as_array", "ndim"): _VALIDATOR_BOUND,
        ("companion.maths.validate.as_array", "min_ndim"): _VALIDATOR_BOUND,
        ("companion.maths.validate.as_labels", "num_classes"): _VALIDATOR_BOUND,
        ("companion.maths.validate.as_logits", "min_ndim"): _VALIDATOR_BOUND,
        ("companion.maths.validate.int_scalar", "minimum"): _VALIDATOR_BOUND,
        ("companion.maths.validate.int_scalar", "maximum"): _VALIDATOR_BOUND,
    }
)

# Where an error names the argument by its meaning rather than by the parameter's name.
ALIASES = {
    ("companion.maths.softmax.softmax", "z"): ("logits",),
    ("companion.maths.softmax.log_softmax", "z"): ("logits",),
    ("companion.maths.validate.as_logits", "z"): ("logits",),
    # The validators name the caller's argument, given as ``name`` in their first doctest call.
    ("companion.maths.validate.as_array", "value"): ("x",),
    ("companion.maths.validate.check_bool", "value"): ("shuffle",),
    ("companion.maths.validate.check_choice", "value"): ("reduction",),
    ("companion.maths.validate.check_instance", "value"): ("size",),
    ("companion.maths.validate.finite_scalar", "value"): ("lr",),
    ("companion.maths.validate.int_scalar", "value"): ("steps",),
}

# Inputs that are data moved about, not computed on: NaN in may be NaN out.
NAN_PASSTHROUGH = {
    ("companion.data.mnist.random_shift", "images"),
    ("companion.data.mnist.split_digits", "images"),
}


def _digit_cnn_valid():
    config = DigitCNNConfig(image_size=12, conv_filters=(2, 3), dense_units=4)
    return (config, init_digit_cnn(config, np.random.default_rng(0))), {}


# Valid example arguments for the functions whose doctests do not call them.
VALID = {
    "companion.maths.attention.attention_probabilities": lambda: (
        (np.ones((2, 3)), np.ones((4, 3))),
        {"mask": None, "causal": False},
    ),
    "companion.maths.cnn.check_digit_cnn_weights": _digit_cnn_valid,
    "companion.maths.recsys.check_triples": lambda: (
        (np.ones((3, 2)), np.ones((4, 2)), np.zeros(4), [0, 1], [1, 2], [3, 0], 0.1),
        {},
    ),
}

# Doctest calls that change global state: replaced by a quiet equivalent.
OVERRIDE = {
    "companion.runtime.setup": lambda: ((0,), {"style": False, "frameworks": ()}),
    "companion.runtime.select_device": lambda: (("cpu",), {"frameworks": ()}),
}


def _public_functions() -> dict[str, object]:
    found = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isfunction(obj) and obj.__module__ == name:
                found[f"{name}.{attr}"] = obj
    return found


FUNCTIONS = _public_functions()


def _record_from_doctest(key: str, function) -> tuple[tuple, dict] | None:
    """The arguments of the first call of ``function`` in its doctest that returns."""
    module = importlib.import_module(function.__module__)
    tests = doctest.DocTestFinder().find(function, function.__name__, globs=dict(vars(module)))
    recorded: list = []

    def recorder(*args, **kwargs):
        saved = copy.deepcopy((args, kwargs))
        result = function(*args, **kwargs)
        if not recorded:
            recorded.append(saved)
        return result

    globs = dict(vars(module))
    globs[function.__name__] = recorder
    for test in tests:
        for example in test.examples:
            if recorded:
                return recorded[0]
            try:
                with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exec(compile(example.source, f"<doctest {key}>", "single"), globs)
            except Exception:
                pass
    return recorded[0] if recorded else None


_EXAMPLES: dict[str, tuple[tuple, dict] | None] = {}


def valid_arguments(key: str) -> tuple[tuple, dict]:
    """Fresh copies of valid arguments for the function ``key``."""
    if key not in _EXAMPLES:
        if key in OVERRIDE:
            _EXAMPLES[key] = OVERRIDE[key]()
        elif key in VALID:
            _EXAMPLES[key] = VALID[key]()
        else:
            _EXAMPLES[key] = _record_from_doctest(key, FUNCTIONS[key])
    example = _EXAMPLES[key]
    assert example is not None, f"{key}: no doctest call and no VALID entry; add one"
    return copy.deepcopy(example)


def _slots(key: str) -> list[tuple[str, int | str]]:
    """(parameter name, where it goes: a position or a keyword) for each parameter given."""
    args, kwargs = valid_arguments(key)
    signature = inspect.signature(FUNCTIONS[key])
    names = [
        p.name
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    slots: list[tuple[str, int | str]] = [(names[i], i) for i in range(len(args))]
    slots += [(name, name) for name in kwargs if name in signature.parameters]
    # Parameters left at their default are tried too, by keyword.
    for p in signature.parameters.values():
        given_names = {s[0] for s in slots}
        if p.name not in given_names and p.default is not p.empty and p.kind != p.VAR_KEYWORD:
            slots.append((p.name, p.name))
    return [s for s in slots if (key, s[0]) not in SKIP_PARAMETERS]


def _valid_value(key: str, slot: int | str):
    args, kwargs = valid_arguments(key)
    if isinstance(slot, int):
        return args[slot]
    if slot in kwargs:
        return kwargs[slot]
    return inspect.signature(FUNCTIONS[key]).parameters[slot].default


# --- calling with a guard against hangs and runaway allocations ----------------------------


class Hang(Exception):
    """A call ran past its time limit."""


def _alarm(signum, frame):
    raise Hang("the call ran for over 5 s")


@pytest.fixture(scope="module", autouse=True)
def _limits():
    """At most ~6 GiB more address space, so a huge size fails fast instead of swapping."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as f:
        used = int(f.read().split()[0]) * resource.getpagesize()
    limit = used + (6 << 30)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    previous = signal.signal(signal.SIGALRM, _alarm)
    yield
    signal.signal(signal.SIGALRM, previous)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _call(key: str, slot, value):
    args, kwargs = valid_arguments(key)
    if slot is not None:
        if isinstance(slot, int):
            args = args[:slot] + (value,) + args[slot + 1 :]
        else:
            kwargs[slot] = value
    signal.setitimer(signal.ITIMER_REAL, 5.0)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            return FUNCTIONS[key](*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


# --- judging the outcome --------------------------------------------------------------------


def _leaves(obj, depth=0):
    """The numbers inside a result (arrays, scalars, containers, dataclasses, tokenizers)."""
    if depth > 6:
        return
    if isinstance(obj, (bool, np.bool_, str, bytes)) or obj is None:
        return
    if isinstance(obj, numbers.Number):
        yield obj
    elif isinstance(obj, np.ndarray):
        if obj.dtype.kind in "biufc":
            yield obj
    elif isinstance(obj, (pd.DataFrame, pd.Series)):
        yield from _leaves(obj.select_dtypes("number").to_numpy() if obj.ndim == 2 else None)
    elif isinstance(obj, dict):
        for k in sorted(obj, key=repr):
            yield from _leaves(obj[k], depth + 1)
    elif isinstance(obj, (tuple, list)):
        for item in obj:
            yield from _leaves(item, depth + 1)
    elif dataclasses.is_dataclass(obj):
        for field in dataclasses.fields(obj):
            yield from _leaves(getattr(obj, field.name), depth + 1)
    elif hasattr(obj, "get_vocab"):
        yield from _leaves(obj.get_vocab(), depth + 1)


def _all_finite(obj) -> bool:
    for leaf in _leaves(obj):
        array = np.asarray(leaf)
        if array.dtype.kind in "fc" and not np.all(np.isfinite(array)):
            return False
    return True


def _same(a, b) -> bool:
    la, lb = list(_leaves(a)), list(_leaves(b))
    return len(la) == len(lb) and all(
        np.shape(x) == np.shape(y) and np.array_equal(x, y, equal_nan=True)
        for x, y in zip(la, lb, strict=True)
    )


_BASELINES: dict = {}


def _baseline(key: str):
    """The result for the valid arguments."""
    if key not in _BASELINES:
        _BASELINES[key] = _call(key, None, None)
    return _BASELINES[key]


ALLOWED = (TypeError, ValueError, LookupError, FileNotFoundError, AssertionError)
FORBIDDEN = (IndexError,)  # a LookupError, but one from indexing, never a clear message


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _problem(key: str, name: str, slot, value) -> str | None:
    """What is wrong with calling ``key`` with ``name=value``, or None."""
    valid = _valid_value(key, slot)
    try:
        result = _call(key, slot, value)
    except AssertionError:
        return None  # a failed check (CheckFailed, GradientCheckError) is a verdict, not a crash
    except FORBIDDEN as err:
        return f"{type(err).__name__}: {err}"
    except FileNotFoundError:
        return None  # a path that is not there: the OS error quotes the path itself
    except ALLOWED as err:
        message = str(err)
        names = (name, *ALIASES.get((key, name), ()))
        if not any(n in message for n in names):
            return f"{type(err).__name__} not naming {name!r}: {message[:160]}"
        return None
    except Exception as err:  # noqa: BLE001 - any other exception is the finding
        return f"{type(err).__name__}: {str(err)[:160]}"
    # It returned.
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        try:
            plain = _call(key, slot, value.item())
        except Exception as err:  # noqa: BLE001
            return f"accepts NumPy {value!r} but refuses the plain value ({type(err).__name__})"
        if not _same(result, plain):
            return f"NumPy {type(value).__name__}({value}) gives a different answer from plain"
    annotation = str(inspect.signature(FUNCTIONS[key]).parameters[name].annotation)
    may_be_none = "None" in annotation
    scalar_number = _is_number(valid) and annotation != "object"
    if scalar_number and isinstance(value, (str, bool, np.bool_)):
        return f"a number argument accepted {value!r} silently"
    if scalar_number and value is None and not may_be_none:
        return "a number argument accepted None silently"
    text = isinstance(valid, str) and not isinstance(value, str)
    if text and not (value is None and may_be_none):
        return f"a text argument accepted {value!r} silently"
    if (key, name) in NAN_PASSTHROUGH:
        return None
    if not _all_finite(result) and _all_finite(_baseline(key)):
        return "returned NaN or inf"
    return None


# --- the wrong inputs -----------------------------------------------------------------------

NUMPY_TYPES = (np.int32, np.int64, np.float32, np.float64)


def wrong_values(valid) -> list:
    """The fixed list of wrong (and valid-in-disguise) inputs for a parameter."""
    values = [None, "x", True, False, math.nan, math.inf, -math.inf, 0, -1, 0.5, 1e308, 10**400]
    values += [np.int64(-1), np.float64(math.nan), np.float32(math.inf), np.int32(0)]
    if _is_number(valid) and math.isfinite(valid):
        for kind in NUMPY_TYPES:
            if kind in (np.int32, np.int64) and float(valid) != int(valid):
                continue
            if abs(valid) < 2**31:
                values.append(kind(valid))
    values += [[], np.array([]), np.zeros((2, 3, 4, 5)), [[1.0, 2.0], [3.0]]]
    if isinstance(valid, np.ndarray) and valid.size:
        values += [valid[..., None], valid.ravel()[:1], np.full_like(valid, np.nan, float)]
    return values


COUNT = {"functions": 0, "cases": 0}
COVERED = sorted(key for key in FUNCTIONS if key not in SKIP)


@pytest.fixture(scope="module", autouse=True)
def _report(pytestconfig):
    yield
    reporter = pytestconfig.pluginmanager.getplugin("terminalreporter")
    line = (
        f"test_properties_bad_input: {COUNT['functions']} public functions covered "
        f"({len(SKIP)} skipped), {COUNT['cases']} cases tried"
    )
    if reporter is not None:
        reporter.write_line(line)
    else:
        print(line)
    out = os.environ.get("ROBUSTNESS_COUNTS_FILE")  # tools/robustness_counts.py reads it
    if out:
        counts = {**COUNT, "skipped": len(SKIP)}
        pathlib.Path(out).write_text(json.dumps(counts), encoding="utf-8")


def test_every_public_function_is_covered_or_skipped_with_a_reason():
    assert len(FUNCTIONS) > 100
    for key in SKIP:
        assert key in FUNCTIONS, f"{key} in SKIP is not a public function any more"
    for key in COVERED:
        _baseline(key)  # the valid example itself runs


# Functions where this suite still finds bad-input failures: each is an expected failure until
# its argument checks are added. The deterministic test is strict, so fixing one makes its
# entry fail here until removed. (None at present.)
KNOWN_GAPS: dict[str, str] = {}


def _known(key: str, strict: bool):
    if key in KNOWN_GAPS:
        return pytest.param(key, marks=pytest.mark.xfail(reason=KNOWN_GAPS[key], strict=strict))
    return key


@pytest.mark.parametrize("key", [_known(k, strict=True) for k in COVERED])
def test_wrong_inputs_raise_a_clear_error_or_give_a_finite_answer(key):
    COUNT["functions"] += 1
    problems = []
    for name, slot in _slots(key):
        for value in wrong_values(_valid_value(key, slot)):
            COUNT["cases"] += 1
            problem = _problem(key, name, slot, value)
            if problem:
                problems.append(f"{name}={value!r:.40}: {problem}")
    assert not problems, f"{key}:\n  " + "\n  ".join(problems)


def _numpy_scalars(draw_value):
    return st.builds(lambda kind, v: kind(v), st.sampled_from(NUMPY_TYPES), draw_value)


DRAWN = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.booleans(),
    st.floats(),  # NaN, infinities, huge, tiny, negative
    st.integers(-1000, 1000),
    _numpy_scalars(st.integers(-1000, 1000)),
    _numpy_scalars(st.floats(-1e6, 1e6)),
    st.lists(st.floats(-10, 10), max_size=3),
)


@pytest.mark.parametrize(
    "key",
    [_known(k, strict=False) for k in COVERED if inspect.signature(FUNCTIONS[k]).parameters],
)
@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the report names the input
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_drawn_wrong_inputs_raise_a_clear_error_or_give_a_finite_answer(key, data):
    slots = _slots(key)
    if not slots:
        return
    name, slot = data.draw(st.sampled_from(slots), label="parameter")
    valid = _valid_value(key, slot)
    strategy = DRAWN
    if _is_number(valid) and abs(valid) < 2**31 and float(valid) == int(valid):
        strategy = st.one_of(DRAWN, _numpy_scalars(st.just(int(valid))))
    value = data.draw(strategy, label="value")
    COUNT["cases"] += 1
    problem = _problem(key, name, slot, value)
    assert problem is None, f"{key}({name}={value!r}): {problem}"
