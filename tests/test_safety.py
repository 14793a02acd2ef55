"""Safe loading only: no pickle from files or the network anywhere in the companion.

The scan walks the syntax tree of every companion module and rejects calls that can execute
code from data: pickle and its relatives, ``torch.load`` without ``weights_only=True``,
``np.load`` without ``allow_pickle=False``, ``yaml.load`` without a safe loader,
``pandas.read_pickle``, ``eval`` and ``exec``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from toc import ROOT

MODULES = sorted((ROOT / "companion").rglob("*.py"))
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
