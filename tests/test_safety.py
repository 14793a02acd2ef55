"""Safe loading only: no pickle from files or the network anywhere in the companion or the book.

The scan walks the syntax tree of every companion module, and of the code cells of every
notebook of the table of contents, and rejects calls that can execute code from data: pickle
and its relatives, ``torch.load`` without ``weights_only=True``, ``np.load`` without
``allow_pickle=False``, ``yaml.load`` without a safe loader, ``pandas.read_pickle``, ``eval``
and ``exec``.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from toc import ROOT, toc_notebooks

MODULES = sorted((ROOT / "companion").rglob("*.py"))
NOTEBOOKS = toc_notebooks()
#: Cell magics whose body is Python; any other cell magic (%%bash, %%html) is not scanned.
PYTHON_CELL_MAGICS = {"capture", "time", "timeit", "prun"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "joblib", "shelve", "marshal", "cloudpickle"}
FORBIDDEN_BUILTINS = {"eval", "exec"}  # called by bare name; model.eval() is fine
FORBIDDEN_METHODS = {"read_pickle", "to_pickle"}


def _keyword(call: ast.Call, name: str) -> object:
    for kw in call.keywords:
        if kw.arg == name and isinstance(kw.value, ast.Constant):
            return kw.value.value
    return None


def _problems(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                f"import {a.name}" for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES
            ]
        elif (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").split(".")[0] in FORBIDDEN_MODULES
        ):
            found.append(f"from {node.module} import ...")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            line = f"line {node.lineno}: {owner + '.' if owner else ''}{name}"
            if (
                isinstance(func, ast.Name) and name in FORBIDDEN_BUILTINS
            ) or name in FORBIDDEN_METHODS:
                found.append(line)
            elif name == "load" and owner == "torch" and _keyword(node, "weights_only") is not True:
                found.append(f"{line} without weights_only=True")
            elif (
                name == "load"
                and owner in {"np", "numpy"}
                and _keyword(node, "allow_pickle") is not False
            ):
                found.append(f"{line} without allow_pickle=False")
            elif name == "load" and owner == "yaml":
                found.append(f"{line} (use yaml.safe_load)")
    return found


def test_scan_finds_unsafe_calls():
    bad = (
        "import pickle\nimport torch, numpy as np, yaml\n"
        "torch.load('m.pt')\nnp.load('a.npy')\nyaml.load(s)\neval('1')\n"
        "torch.load('m.pt', weights_only=True)\nnp.load('a.npz', allow_pickle=False)\n"
        "model.eval()\n"
    )
    assert len(_problems(bad)) == 5


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES])
def test_module_loads_data_safely(path: Path):
    assert _problems(path.read_text(encoding="utf-8")) == []


def _notebook_cells(notebook: dict) -> dict[int, str]:
    """The Python of each code cell, by cell index, with IPython syntax neutralised.

    A line magic or shell escape (``%pip``, ``!ls``, ``x = !ls``) becomes ``pass`` at its
    indentation, so that line numbers stay those of the cell. A cell under a cell magic other
    than those in :data:`PYTHON_CELL_MAGICS` is not Python and is left out.
    """
    cells = {}
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell["source"]
        lines = ("".join(source) if isinstance(source, list) else source).splitlines()
        if lines and lines[0].startswith("%%"):
            if (lines[0][2:].split() or [""])[0] not in PYTHON_CELL_MAGICS:
                continue
            lines[0] = "pass"
        cells[index] = "\n".join(
            re.sub(r"^(\s*)(?:[%!]|\w+\s*=\s*[%!]).*$", r"\1pass", line) for line in lines
        )
    return cells


def _notebook_problems(notebook: dict) -> list[str]:
    return [
        f"cell {index}, {problem}"
        for index, source in _notebook_cells(notebook).items()
        for problem in _problems(source)
    ]


def test_notebook_scan_sees_code_cells_only_and_survives_magics():
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["eval('not code')"]},
            {"cell_type": "code", "source": ["%pip install x\n", "import pickle\n"]},
            {"cell_type": "code", "source": "files = !ls\nfor f in files:\n    !echo {f}\n"},
            {"cell_type": "code", "source": "%%capture\nw = torch.load('m.pt')\n"},
            {"cell_type": "code", "source": "%%bash\necho eval\n"},
            {"cell_type": "code", "source": ""},
            {"cell_type": "code", "source": "# only a comment"},
            {"cell_type": "code", "source": "np.load('a.npz', allow_pickle=False)\n"},
        ]
    }
    assert _notebook_problems(notebook) == [
        "cell 1, import pickle",
        "cell 3, line 2: torch.load without weights_only=True",
    ]


def test_the_table_of_contents_has_notebooks():
    assert NOTEBOOKS, "tests/toc.py found no notebook in _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_notebook_loads_data_safely(path: Path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert _notebook_problems(notebook) == [], "see CONTRIBUTING.md, 'The companion'"
