"""make pdf: the whole book in one PDF, every chapter in it, and every notebook in one zip."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile

import nbformat
import pytest
from toc import ROOT, toc_entries, toc_notebooks

PDF = ROOT / "_build" / "pdf" / "book.pdf"
ZIP = ROOT / "_build" / "notebooks.zip"

if not PDF.is_file() or not ZIP.is_file():
    if os.environ.get("CI"):
        raise RuntimeError("make pdf did not run: CI must check the PDF")
    pytest.skip("needs make pdf", allow_module_level=True)

PDFTOTEXT = shutil.which("pdftotext")  # poppler-utils, installed by tests/browser/setup.sh


def _title(entry: str) -> str:
    path = ROOT / f"{entry}.ipynb"
    if path.is_file():
        cells = nbformat.read(path, as_version=4).cells
        source = next(c.source for c in cells if c.cell_type == "markdown")
    else:
        source = (ROOT / f"{entry}.md").read_text(encoding="utf-8")
    heading = next(line for line in source.splitlines() if line.startswith("# "))
    return heading[2:].split("(")[0].strip()  # the English part; the PDF wraps lines


@pytest.fixture(scope="module")
def text() -> str:
    assert PDFTOTEXT, "pdftotext missing: run bash tests/browser/setup.sh"
    out = subprocess.run([PDFTOTEXT, str(PDF), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", " ", out.stdout).replace("\u2019", "'")


@pytest.mark.parametrize("entry", toc_entries()[1:])
def test_pdf_holds_every_chapter(text, entry):
    assert _title(entry) in text


def _longest_output_line() -> str:
    lines = [
        line
        for path in toc_notebooks()
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code" and "remove-output" not in cell.metadata.get("tags", [])
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
        for line in out.get("text", "").splitlines()
    ]
    return max(lines, key=len)


def test_pdf_typesets_maths_and_wraps_long_lines(text):
    assert "\\frac" not in text and "$$" not in text, "raw TeX in the PDF"
    line = _longest_output_line()
    # the widest stored output line (the width test keeps it within 80 characters) must print
    # whole: its end is in the PDF's text
    assert len(line) >= 60, f"no long output line to check: {line!r}"
    squeezed = re.sub(r"\s+", "", text)
    tail = re.sub(r"\s+", "", line)[-20:]
    assert tail in squeezed, f"the end of the longest output line is clipped: {line!r}"


def test_zip_holds_every_notebook():
    with zipfile.ZipFile(ZIP) as archive:
        names = set(archive.namelist())
    missing = [
        str(p.relative_to(ROOT)) for p in toc_notebooks() if str(p.relative_to(ROOT)) not in names
    ]
    assert not missing
