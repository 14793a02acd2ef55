"""Re-running a notebook in the same kernel prints the same results.

A reader who runs a chapter, then runs it again from the top without restarting, must see the
same numbers: ``companion.setup`` re-seeds everything, and no cell may depend on state left
by an earlier run. Run by ``make rerun`` (part of ``make test``).
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from toc import ROOT, toc_notebooks

NOTEBOOKS = toc_notebooks()


def _sanitizers() -> list[tuple[re.Pattern[str], str]]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "tests" / "sanitize.cfg", encoding="utf-8")
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def _printed(cell: nbformat.NotebookNode, rules: list[tuple[re.Pattern[str], str]]) -> str:
    text = "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "")
        for o in cell.outputs
        if o.output_type in ("stream", "execute_result", "display_data")
    )
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_second_run_in_the_same_kernel_prints_the_same(path: Path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})  # fmt: skip
    rules = _sanitizers()
    compared = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and "nbval-ignore-output" not in c.metadata.get("tags", [])
    ]
    with client.setup_kernel():
        runs = []
        for _ in range(2):
            for i, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, i)
            runs.append({i: _printed(nb.cells[i], rules) for i in compared})
    differing = [i for i in compared if runs[0][i] != runs[1][i]]
    assert not differing, f"cells {differing} print differently on a second run in the same kernel"
