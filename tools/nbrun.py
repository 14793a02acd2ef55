"""Execute notebooks in place in a fresh kernel, storing their outputs, and time each one.

Usage: python tools/nbrun.py [NOTEBOOK ...]   (default: every notebook in _toc.yml)

This is how a chapter's stored outputs are produced; nbval (``make nbval``) then checks that
a fresh run prints the same. Run it on a CPU machine: the stored outputs are CPU outputs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/
sys.path.insert(1, str(Path(__file__).resolve().parent.parent / "tests"))  # toc.py
from toc import ROOT, toc_notebooks  # noqa: E402


def execute(nb: nbformat.NotebookNode, path: Path, timeout: int = 900) -> float:
    """Run ``nb`` (read from ``path``) in a fresh python3 kernel in its folder; return seconds."""
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return time.perf_counter() - start


def run(path: Path) -> float:
    """Execute one notebook and store its outputs in place; return wall seconds."""
    nb = nbformat.read(path, as_version=4)
    seconds = execute(nb, path)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or toc_notebooks()
    for path in paths:
        seconds = run(path)
        print(f"{seconds:7.1f} s  {path.relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
