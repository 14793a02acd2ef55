"""Companion library of *The Large-Model Industry* (大模型产业), an executable book.

Every chapter starts with::

    import companion
    rt = companion.setup(seed=0, frameworks=("torch",))

Modules, one topic each (the chapter that explains each is named in its docstring):

- :mod:`companion.runtime` — seeds, determinism, device, quiet logs, versions
- :mod:`companion.report` — nbval-stable printing of results and checks
- :mod:`companion.plots` — house style and labelled axes
- :mod:`companion.maths` — NumPy references: softmax, cross-entropy, gradient checks
- :mod:`companion.data` — where data lives (``COMPANION_DATA_DIR``) and loaders
- :mod:`companion.torch`, :mod:`companion.tf` — framework versions under the same names

Importing the package imports NumPy only and changes no global state. The subpackages stand
on floors, and imports point down (``tests/test_layering.py``): the core (``runtime``,
``report``, ``plots``, ``install``); the pure references ``maths`` and ``sizing`` (arithmetic,
no file reads); ``data`` (every file read); the framework twins and chapter helpers on top.
"""

from companion.report import Check, CheckFailed, check, check_close, glue, max_abs_diff
from companion.runtime import FRAMEWORKS, Runtime, select_device, setup, versions

__version__ = "0.1.0"

__all__ = [
    "FRAMEWORKS",
    "Check",
    "CheckFailed",
    "Runtime",
    "check",
    "check_close",
    "glue",
    "max_abs_diff",
    "select_device",
    "setup",
    "versions",
]
