"""Find numbers written by hand in the book's prose.

A number in a markdown cell must come from somewhere a reader (and CI) can check:

* glued from the cell that computes it (myst-nb ``{glue:text}`` / ``{glue}`` roles), or
* inside a sentence that cites its source (a ``{cite}`` role or a link), or
* inside maths (``$...$``, ``$$...$$``, ``\\begin...\\end``), or
* on the short reviewed allowlist ``tests/prose_allowlist.txt``.

What counts as a number: a decimal (``3.14``, ``0.95``), or an integer of three or more digits
(``60,000``, ``808888``) that is not a year (1900-2099). Article references (``article 000
§4.2``, ``§5.3``), chapter and equation labels, URLs, inline code and role targets are not
numbers. Percentages and counts below 100 are left to review: the rule catches the digits a
reader would take as a measurement.

Usage: python tests/prose_numbers.py [NOTEBOOK ...]   (default: every notebook of the TOC)
prints ``path:cell: number  | sentence`` for each unexplained number.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from toc import ROOT, toc_notebooks  # noqa: E402

ALLOWLIST = Path(__file__).resolve().parent / "prose_allowlist.txt"

# Removed before looking for numbers (order matters: fences and maths first).
_STRIP = [
    re.compile(r"```.*?```", re.S),  # fenced blocks: code, directives, glue:figure
    re.compile(r"~~~.*?~~~", re.S),
    re.compile(r"\$\$.*?\$\$", re.S),  # display maths
    re.compile(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S),
    re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$"),  # inline maths
    re.compile(r"\{glue(?::\w+)?\}`[^`]*`"),  # glued values
    re.compile(r"\{(?:numref|ref|doc|eq|download|term)\}`[^`]*`"),  # cross references
    re.compile(r"``[^`]+``|`[^`\n]+`"),  # inline code
    re.compile(r"\]\([^)\s]*\)"),  # link targets
    re.compile(r"<[^>\n]+>"),  # HTML tags and autolinks
    re.compile(r"\(\w[\w-]*\)="),  # MyST labels
    re.compile(r"§\s*\d+(?:\.\d+)*(?:\s*[-–]\s*\d+(?:\.\d+)*)?"),  # §5.3, §1.1–1.2
    re.compile(r"\b(?:articles?|seeds?)\s+00[0-4](?:\s*(?:and|,|/)\s*00[0-4])*", re.I),
    # Software versions and model names: Python 3.11, PyTorch 2.13, Llama 3.1, GPT-3.5.
    re.compile(
        r"\b(?:Python|PyTorch|torch|TensorFlow|Keras|transformers|tokenizers|CUDA|cuDNN|Llama|"
        r"GPT|Qwen\d?|Mistral|Gemini|Claude|Phi|DeepSeek-V|DeepSeek-R|ONNX|opset|Sphinx|"
        r"jupyter-book|myst-nb|nbval|version|release)[ -]?v?\d+(?:\.\d+)+",
        re.I,
    ),
    re.compile(r"(?<![\d,.])\b00[0-4]\b(?![,.]\d)"),  # the articles' numbers on their own
    re.compile(r"\b(?:Fig(?:ure)?|Table|Eq(?:uation)?|Chapter|Section|Part)\.?\s*[\d.]+", re.I),
]
# A sentence that cites a source may carry the source's numbers.
_CITATION = re.compile(r"\{cite(?::\w+)?\}`|\]\(https?://|\{doc\}`[^`]*references")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{3,})(?![\w])")
_YEAR = re.compile(r"(19|20)\d\d")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[A-Z(*_\"'])|\n\s*\n|\n(?=\s*[-*|#>]|\s*\d+\.\s)")


@dataclass(frozen=True)
class Finding:
    path: str
    cell: int
    number: str
    sentence: str

    def key(self) -> str:
        return f"{self.path}\t{self.number}"

    def __str__(self) -> str:
        return f"{self.path}:{self.cell}: {self.number}  | {' '.join(self.sentence.split())[:160]}"


def load_allowlist(path: Path = ALLOWLIST) -> set[str]:
    """Entries ``<notebook path>\\t<number>\\t<reason>``; '#' starts a comment."""
    keys = set()
    if not path.exists():
        return keys
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].rstrip() if line.lstrip().startswith("#") else line.rstrip()
        if not line:
            continue
        parts = line.split("\t")
        if len(parts) < 3 or not parts[2].strip():
            raise ValueError(f"allowlist line needs path<TAB>number<TAB>reason: {line!r}")
        keys.add(f"{parts[0]}\t{parts[1]}")
    return keys


def sentences(text: str) -> list[str]:
    """Split markdown into sentences, table rows, list items and paragraphs."""
    return [s for s in _SENTENCE_END.split(text) if s and s.strip()]


def numbers_in(text: str) -> list[str]:
    """Hand-written numbers in one sentence of markdown (after stripping what is allowed)."""
    for pattern in _STRIP:
        text = pattern.sub(" ", text)
    found = []
    for match in _NUMBER.finditer(text):
        number = match.group(1)
        if _YEAR.fullmatch(number):
            continue
        found.append(number)
    return found


def scan_markdown(source: str, path: str, cell: int) -> list[Finding]:
    # Fenced blocks and display maths may span sentences: strip them first.
    for pattern in _STRIP[:4]:
        source = pattern.sub(" ", source)
    findings = []
    for sentence in sentences(source):
        if _CITATION.search(sentence):
            continue
        findings.extend(Finding(path, cell, n, sentence) for n in numbers_in(sentence))
    return findings


def scan_notebook(path: Path) -> list[Finding]:
    nb = nbformat.read(path, as_version=4)
    rel = str(path.relative_to(ROOT))
    findings = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            findings.extend(scan_markdown(cell.source, rel, index))
    return findings


def unexplained(paths: list[Path]) -> list[Finding]:
    allowed = load_allowlist()
    return [f for p in paths for f in scan_notebook(p) if f.key() not in allowed]


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or toc_notebooks()
    findings = unexplained(paths)
    for finding in findings:
        print(finding)
    print(f"{len(findings)} hand-written numbers in {len(paths)} notebooks", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
