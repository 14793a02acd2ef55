"""Imports in the companion point down (CONTRIBUTING.md, "The companion").

Floors, lowest first; a module may import the companion only from its own floor or below:

0. core: ``runtime``, ``report``, ``plots``, ``install``: no domain code;
1. pure references: ``maths`` and ``sizing``: arithmetic on arguments, no file reads;
2. ``data``: every file read and download, with the sourced tables;
3. the framework twins ``torch`` and ``tf`` (never each other) and the chapter helpers, one
   module or subpackage per optional extra, named for it: ``nlp``, ``deploy``.

The graph is read from the source (``ast``), lazy imports inside functions included.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "companion"
FLOORS = {
    "runtime": 0, "report": 0, "plots": 0, "install": 0,
    "maths": 1, "sizing": 1,
    "data": 2,
    "torch": 3, "tf": 3, "nlp": 3, "deploy": 3,
}  # fmt: skip
#: Calls that read files or the network: not allowed on the pure floors.
READS = {"open", "read_csv", "read_text", "read_bytes", "load", "loadtxt", "files", "urlopen"}
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def _part(path: Path) -> str:
    """The first-level name of a companion module: ``maths`` for companion/maths/scaling.py."""
    rel = path.relative_to(PACKAGE).with_suffix("")
    return rel.parts[0]


def _imports(tree: ast.AST) -> set[str]:
    """First-level companion names a module imports (``from companion import x`` counts x)."""
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "companion":
                names = [f"companion.{a.name}" for a in node.names]
            else:
                names = [node.module]
        found |= {n.split(".")[1] for n in names if n.startswith("companion.")}
    return found


#: Top-floor chapter helpers: each is named for the optional extra it needs.
HELPERS = {part for part, floor in FLOORS.items() if floor == 3} - {"torch", "tf"}


def test_chapter_helpers_are_named_for_their_extra():
    import tomllib

    pyproject = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    extras = set(pyproject["project"]["optional-dependencies"])
    assert HELPERS <= extras, f"chapter helpers not named for an extra: {HELPERS - extras}"


def test_every_module_is_on_a_floor():
    parts = {_part(p) for p in MODULES} - {"__init__"}
    assert parts <= set(FLOORS), f"put {sorted(parts - set(FLOORS))} on a floor in FLOORS"


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_imports_point_down(path: Path):
    part = _part(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = _imports(tree) - {part}
    if part == "__init__":  # the package itself exposes the core only
        assert imported <= {"runtime", "report"}, imported
        return
    up = {name for name in imported if FLOORS[name] > FLOORS[part]}
    assert not up, f"{path.name} ({part}, floor {FLOORS[part]}) imports from above: {up}"
    if part in {"torch", "tf"}:
        assert not imported & {"torch", "tf"}, "a framework twin must not import the other"


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if _part(p) in {"maths", "sizing"}],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_pure_floors_read_no_files(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    assert not calls & READS, f"{path.name} reads files ({calls & READS}): move it to data/"


def test_importing_the_package_imports_no_domain_code():
    code = (
        "import sys, companion; print(sorted(m for m in sys.modules if m.startswith('companion.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {name.split(".")[1] for name in ast.literal_eval(out.stdout)}
    assert loaded <= {"runtime", "report"}, loaded


def test_the_layering_test_sees_an_upward_import():
    tree = ast.parse("from companion.data.industry import load_costs\nfrom companion import torch")
    assert _imports(tree) == {"data", "torch"}
