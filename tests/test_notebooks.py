"""The notebook rules of CONTRIBUTING.md, enforced on every notebook of the book."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from toc import BOOK, ROOT, toc_entries, toc_notebooks

NOTEBOOKS = toc_notebooks()
IDS = [str(p.relative_to(BOOK)) for p in NOTEBOOKS]
MACHINE_PATH = re.compile(r"(/home/|/root/|/tmp/|/work/|/Users/|[A-Za-z]:\\\\Users|site-packages)")
ADDRESS = re.compile(r"at 0x[0-9a-fA-F]{6,}")
MAX_NOTEBOOK_BYTES = 1_500_000
MAX_TEXT_OUTPUT_CHARS = 10_000
KNOWN_TAGS = {
    "nbval-ignore-output",
    "nbval-skip",
    "raises-exception",
    "hide-input",
    "hide-output",
    "hide-cell",
    "remove-input",
    "remove-output",
    "remove-cell",
}


def _load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code_cells(nb: nbformat.NotebookNode) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def _texts(output: dict) -> str:
    return json.dumps(output.get("text", "")) + json.dumps(
        output.get("data", {}).get("text/plain", "")
    )


def test_book_has_notebooks():
    assert NOTEBOOKS, "no notebook found in _toc.yml"


def test_every_toc_entry_exists():
    missing = [
        e for e in toc_entries() if not any((ROOT / f"{e}{s}").is_file() for s in (".ipynb", ".md"))
    ]
    assert not missing, f"listed in _toc.yml but not on disk: {missing}"


def test_every_notebook_on_disk_is_in_the_toc():
    listed = set(toc_entries())
    orphans = [
        str(p.relative_to(ROOT))
        for p in BOOK.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
        and str(p.relative_to(ROOT).with_suffix("")) not in listed
    ]
    assert not orphans, f"on disk but not in _toc.yml: {orphans}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_valid_with_python3_kernel(path):
    nb = _load(path)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_code_cell_ran_in_order(path):
    counts = [c.execution_count for c in _code_cells(_load(path))]
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts {counts}: re-run with make run-nb"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_errors_or_stderr_in_outputs(path):
    for cell in _code_cells(_load(path)):
        for out in cell.outputs:
            assert out.output_type != "error", f"cell {cell.execution_count} stored an error"
            assert not (out.output_type == "stream" and out.name == "stderr"), (
                f"cell {cell.execution_count} wrote to stderr: {out.text[:200]!r}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_machine_paths_or_addresses_in_outputs(path):
    for cell in _code_cells(_load(path)):
        for out in cell.outputs:
            text = _texts(out)
            assert not MACHINE_PATH.search(text), (
                f"cell {cell.execution_count} shows a machine path"
            )
            assert not ADDRESS.search(text), f"cell {cell.execution_count} shows a memory address"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_code_cell_imports_companion_and_calls_setup(path):
    first = _code_cells(_load(path))[0].source
    assert re.search(r"^import companion$", first, re.M), "first code cell must `import companion`"
    assert re.search(r"companion\.setup\(", first), "first code cell must call companion.setup(...)"
    assert "find_spec(module) is None for module in NEEDS" in first, (
        "first code cell must carry the Colab install guard (python tools/first_cells.py)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_visible_nbval_comments_and_known_tags(path):
    for cell in _load(path).cells:
        assert "NBVAL_" not in cell.source, (
            "use cell tags (nbval-ignore-output), not NBVAL_ comments"
        )
        unknown = set(cell.metadata.get("tags", [])) - KNOWN_TAGS
        assert not unknown, f"unknown cell tags {unknown}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_are_bounded(path):
    assert path.stat().st_size < MAX_NOTEBOOK_BYTES, f"{path.stat().st_size:,} bytes"
    for cell in _code_cells(_load(path)):
        for out in cell.outputs:
            text = out.get("text", "") + out.get("data", {}).get("text/plain", "")
            assert len(text) < MAX_TEXT_OUTPUT_CHARS, (
                f"cell {cell.execution_count} prints {len(text):,} chars"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_one_title_and_a_summary(path):
    markdown = "\n".join(c.source for c in _load(path).cells if c.cell_type == "markdown")
    assert len(re.findall(r"^# ", markdown, re.M)) == 1, "exactly one H1 title per notebook"
    assert re.search(r"^## Summary", markdown, re.M), "every chapter ends with a Summary section"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_figure_has_a_caption(path):
    for cell in _code_cells(_load(path)):
        if any("image/png" in out.get("data", {}) for out in cell.outputs):
            caption = cell.metadata.get("mystnb", {}).get("figure", {}).get("caption", "")
            assert "Source:" in caption, (
                f"cell {cell.execution_count}: figure needs a caption naming its source"
            )
