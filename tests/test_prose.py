"""The prose keeps the book's promise: numbers are glued, sourced or reviewed; text is clean.

The rules are in CONTRIBUTING.md, section "Numbers in prose".
"""

from __future__ import annotations

import re

import nbformat
import pytest
from prose_numbers import load_allowlist, scan_markdown, unexplained
from toc import BOOK, toc_notebooks

NOTEBOOKS = toc_notebooks()
IDS = [str(p.relative_to(BOOK)) for p in NOTEBOOKS]
# Control characters other than tab and newline: a "\b" or "\n" written into a Python string
# instead of a raw string turns \bar into a backspace and \neq into a newline.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_hand_written_numbers_in_prose(path):
    findings = unexplained([path])
    assert not findings, (
        "numbers in markdown that no cell glues, no citation backs and the allowlist does not "
        "list (glue them from the cell that computes them; see CONTRIBUTING.md):\n"
        + "\n".join(str(f) for f in findings)
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_control_characters_in_cells(path):
    nb = nbformat.read(path, as_version=4)
    bad = [i for i, cell in enumerate(nb.cells) if CONTROL.search(cell.source)]
    assert not bad, f"control characters in cells {bad} (a lost backslash in LaTeX?)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The model reached 0.951 on held-out digits.", ["0.951"]),
        ("It has 60,000 training images and 808888 weights.", ["60,000", "808888"]),
        ("In 2021 the peak came; 2023 fell.", []),
        ("Accuracy {glue:text}`acc` beat 90 % of runs.", []),
        ("Funding was 93.5 bn {cite}`aiindex2022`.", []),
        ("Article 000 §4.2 and 001 §1.1–1.2 say so.", []),
        ("With $p = 0.95$ and $$x = 1.5$$ it holds.", []),
        ("Run `make nb NB=1.5` in Python 3.11.", []),
        ("GPT-3 has 175 B parameters.", ["175"]),
    ],
)
def test_scanner_finds_what_a_reader_would_take_for_a_measurement(text, expected):
    assert [f.number for f in scan_markdown(text, "x.ipynb", 0)] == expected


def test_allowlist_entries_give_reasons_and_are_still_needed():
    stale = []
    for key in load_allowlist():
        path, number = key.split("\t")
        notebook = BOOK.parent / path
        if not notebook.exists():
            stale.append(key)
            continue
        nb = nbformat.read(notebook, as_version=4)
        found = {
            f.number
            for i, c in enumerate(nb.cells)
            if c.cell_type == "markdown"
            for f in scan_markdown(c.source, path, i)
        }
        if number not in found:
            stale.append(key)
    assert not stale, f"allowlist entries no longer needed: {stale}"


GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`]+)`")
GLUE_FIGURE = re.compile(r"```\{glue(?::\w+)?\}\s+(\S+)")


def _glued_names(nb: nbformat.NotebookNode) -> set[str]:
    names = set()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                names.add(name)
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_glue_reference_has_a_stored_value(path):
    nb = nbformat.read(path, as_version=4)
    stored = _glued_names(nb)
    used = set()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for match in GLUE_ROLE.finditer(cell.source):
                used.add(match.group(1).split(":", 1)[0].split("::")[-1])
            used.update(m.group(1) for m in GLUE_FIGURE.finditer(cell.source))
    missing = sorted(used - stored)
    assert not missing, f"glued in the text but stored by no cell (re-run make run-nb?): {missing}"
