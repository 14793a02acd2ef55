"""The one-pass nbval + re-run plugin (tests/nbtwice.py) catches state left by a first run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent


def _notebook(path: Path, source: str, printed: str) -> None:
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)


def _nbval_twice(path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "nbtwice", "--nbval-twice", "-p",
         "no:cacheprovider", "--nbval", "--nbval-current-env", "-v", str(path)],
        capture_output=True, text=True, env=env, cwd=path.parent, check=False,
    )  # fmt: skip


def test_state_left_by_the_first_run_fails_the_second(tmp_path):
    path = tmp_path / "counter.ipynb"
    _notebook(path, "n = globals().get('n', 0) + 1\nprint(n)", "1\n")
    result = _nbval_twice(path)
    assert "Cell 0 PASSED" in result.stdout
    assert "Cell 0 (second run) FAILED" in result.stdout
    assert result.returncode == 1


def test_a_notebook_that_reseeds_passes_both_runs(tmp_path):
    path = tmp_path / "seeded.ipynb"
    _notebook(path, "import random\nrandom.seed(0)\nprint(random.randint(0, 9))", "6\n")
    result = _nbval_twice(path)
    assert result.returncode == 0, result.stdout
    assert "Cell 0 (second run) PASSED" in result.stdout


def test_outputs_split_by_a_display_are_compared_twice(tmp_path):
    # nbval merges a cell's stored streams in place when it compares them; the second run
    # must still see the stored outputs as written (print, display, print)
    path = tmp_path / "split.ipynb"
    source = "print('a')\nfrom IPython.display import display\ndisplay(1)\nprint('b')"
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": "1"}),
        nbformat.v4.new_output("stream", name="stdout", text="b\n"),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    result = _nbval_twice(path)
    assert result.returncode == 0, result.stdout
    assert "Cell 0 (second run) PASSED" in result.stdout
