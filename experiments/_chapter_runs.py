"""Run a chapter notebook end to end with another seed or on another CPU path.

Shared by the experiments that measure a chapter's seed-to-seed and machine-to-machine spread
(``finetune_sentiment.py``, ``tiny_bert.py``, ``deployment.py``). Each run executes the
chapter's own cells in a fresh kernel, unchanged apart from the seed passed to
``companion.setup`` (which also changes the data split), with the environment of one of the
``make test-portable`` perturbations; a probe cell appended at the end prints the values to
record. Cells that read ``experiments/results/`` (the chapter's view of this very CSV) are
left out. Nothing is written back into the notebook.
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from provenance import provenance

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"

# The same perturbations as the Makefile's test-portable target.
PERTURBATIONS: dict[str, dict[str, str]] = {
    "default": {},
    "avx2": {
        "ATEN_CPU_CAPABILITY": "avx2",
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",
        "ONEDNN_MAX_CPU_ISA": "AVX2",
    },
    "one thread": {
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    },
}


def run_chapter(
    notebook: str, seed: int, probe: str, perturbation: str = "default", timeout: int = 3600
) -> dict:
    """Execute ``notebook`` (path from the repository root) with ``seed``; return the probe's dict.

    ``probe`` is Python run after the chapter's last cell; it must print one line
    ``RESULT <json object>``; its values are returned. ``timeout`` bounds each cell, in seconds.
    """
    if perturbation not in PERTURBATIONS:
        known = list(PERTURBATIONS)
        raise ValueError(f"perturbation must be one of {known} (got {perturbation!r})")
    path = ROOT / notebook
    nb = nbformat.read(path, as_version=4)
    setup = re.compile(r"setup\(seed=\d+")
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "experiments/results/" in cell.source:
            continue  # the chapter's view of the results: not part of a run
        if setup.search(cell.source):
            cell.source = setup.sub(f"setup(seed={seed}", cell.source)
        cells.append(cell)
    cells.append(nbformat.v4.new_code_cell(probe))
    nb.cells = cells
    saved = dict(os.environ)
    os.environ.update(PERTURBATIONS[perturbation])
    try:
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    found = re.search(r"RESULT (\{.*\})", text)
    if found is None:
        raise RuntimeError(f"the probe printed no RESULT line: {text!r}")
    return json.loads(found.group(1))


def write_results(name: str, rows: list[dict]) -> Path:
    """Write ``rows`` plus the provenance columns to ``experiments/results/<name>.csv``."""
    RESULTS.mkdir(exist_ok=True)
    columns = {**rows[0], **provenance()}
    out = RESULTS / f"{name}.csv"
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, **provenance()})
    return out


def run_all(name: str, notebook: str, runs: list[tuple[int, str]], probe: str) -> Path:
    """Run ``notebook`` once per ``(seed, perturbation)`` of ``runs``; write ``<name>.csv``.

    One row per run: the seed, the perturbation and the probe's values, printed as they come.
    """
    rows = []
    for seed, perturbation in runs:
        result = run_chapter(notebook, seed, probe, perturbation)
        rows.append({"seed": seed, "perturbation": perturbation, **result})
        print(rows[-1], flush=True)
    path = write_results(name, rows)
    print("wrote", path)
    return path
