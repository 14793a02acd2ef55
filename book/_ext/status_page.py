"""The book's status page and each chapter's "last verified" line, from the bench/ data.

Two CSV files, written by the tools that measure them, hold the facts:

- ``bench/nbval-cpu.csv`` (by ``tests/nbtiming.py`` during nbval): per notebook and variant
  (``default``, and ``one-thread``, ``avx2``, ``8-threads`` from ``make test-portable``), whether
  every stored output matched, the date, the seconds, device and library versions;
- ``bench/notebooks-cpu.csv`` (by ``make bench``): seconds and kernel peak memory on a quiet
  machine, against the chapter's budget.

The directive ``{status-table}`` renders one row per chapter; every chapter page gets a line
under its title, such as "Last verified 2026-12-06: nbval passed on CPU (and under 3 machine
perturbations); 12 s, 450 MB peak; torch 2.13.0, tensorflow 2.21.0". A chapter with no record
says so. GPU rows appear the same way once ``bench/nbval-cuda.csv`` exists.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
PORTABLE = ("one-thread", "avx2", "8-threads")
DEVICES = ("cpu", "cuda")


def _read(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_status() -> dict[str, dict[str, Any]]:
    """Facts per docname (``book/04_practice/cnn_digits``)."""
    status: dict[str, dict[str, Any]] = {}
    for device in DEVICES:
        for row in _read(BENCH / f"nbval-{device}.csv"):
            doc = row["notebook"].removesuffix(".ipynb")
            entry = status.setdefault(doc, {"nbval": {}, "bench": {}})
            entry["nbval"][(device, row["variant"])] = row
        for row in _read(BENCH / f"notebooks-{device}.csv"):
            doc = row["notebook"].removesuffix(".ipynb")
            status.setdefault(doc, {"nbval": {}, "bench": {}})["bench"][device] = row
    return status


def stamp(facts: dict[str, Any] | None) -> str:
    """The one-line "last verified" text of a chapter."""
    if not facts or ("cpu", "default") not in facts["nbval"]:
        return "Not yet verified by nbval on this build's records."
    run = facts["nbval"][("cpu", "default")]
    verdict = "nbval passed" if run["passed"] == "yes" else "nbval FAILED"
    passed = [v for v in PORTABLE if facts["nbval"].get(("cpu", v), {}).get("passed") == "yes"]
    portable = (
        f", and under {len(passed)} of {len(PORTABLE)} machine perturbations" if passed else ""
    )
    gpu = facts["nbval"].get(("cuda", "default"))
    gpu_text = (
        f"; on a GPU {gpu['date']}" if gpu and gpu["passed"] == "yes" else "; not yet run on a GPU"
    )
    text = f"Last verified {run['date']}: {verdict} on CPU{portable}{gpu_text}"
    bench = facts["bench"].get("cpu")
    if bench:
        text += (
            f"; {float(bench['seconds']):.0f} s, {float(bench['peak_rss_mb']):.0f} MB peak"
            f" (make bench, {bench['date']})"
        )
    return f"{text}; {run['versions']}."


class StatusTable(Directive):
    """``{status-table}``: one row per chapter with its verification facts."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        env.note_dependency(str(BENCH / "nbval-cpu.csv"))
        env.note_dependency(str(BENCH / "notebooks-cpu.csv"))
        status = load_status()
        sys_path = str(ROOT / "tests")
        import sys

        if sys_path not in sys.path:
            sys.path.insert(0, sys_path)
        from toc import toc_notebooks

        headers = [
            "chapter", "nbval on CPU", "perturbations passed", "GPU",
            "seconds (quiet)", "peak MB", "within budget", "versions",
        ]  # fmt: skip
        table = nodes.table(classes=["status-table"])
        group = nodes.tgroup(cols=len(headers))
        table += group
        group.extend(nodes.colspec(colwidth=1) for _ in headers)
        head = nodes.thead()
        head += self._row([nodes.Text(h) for h in headers])
        body = nodes.tbody()
        for path in toc_notebooks(ROOT):
            doc = str(path.relative_to(ROOT).with_suffix(""))
            facts = status.get(doc, {"nbval": {}, "bench": {}})
            run = facts["nbval"].get(("cpu", "default"))
            passed = [
                v for v in PORTABLE if facts["nbval"].get(("cpu", v), {}).get("passed") == "yes"
            ]
            gpu = facts["nbval"].get(("cuda", "default"))
            bench = facts["bench"].get("cpu")
            ref = addnodes.pending_xref(
                "", refdomain="std", reftype="doc", reftarget=f"/{doc}", refexplicit=False
            )
            ref += nodes.inline("", doc)
            cells = [
                ref,
                nodes.Text(
                    f"{'passed' if run['passed'] == 'yes' else 'FAILED'} {run['date']}"
                    if run
                    else "no record"
                ),
                nodes.Text(f"{len(passed)} of {len(PORTABLE)}"),
                nodes.Text(
                    f"passed {gpu['date']}" if gpu and gpu["passed"] == "yes" else "not run"
                ),
                nodes.Text(f"{float(bench['seconds']):.0f}" if bench else "–"),
                nodes.Text(f"{float(bench['peak_rss_mb']):.0f}" if bench else "–"),
                nodes.Text(bench["within_budget"] if bench else "–"),
                nodes.Text(run["versions"] if run else "–"),
            ]
            body += self._row(cells)
        group += head
        group += body
        return [table]

    @staticmethod
    def _row(cells: list[nodes.Node]) -> nodes.row:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += nodes.paragraph("", "", cell)
            row += entry
        return row


def _add_stamp(app: Any, doctree: nodes.document) -> None:
    docname = app.env.docname
    if not (ROOT / f"{docname}.ipynb").is_file() or docname.endswith("preface/preface"):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    facts = load_status().get(docname)
    line = nodes.paragraph(classes=["last-verified"])
    line += nodes.emphasis("", stamp(facts) + " ")
    ref = addnodes.pending_xref(
        "", refdomain="std", reftype="doc", reftarget="/book/appendix/status", refexplicit=True
    )
    ref += nodes.inline("", "Status of every chapter")
    line += ref
    title_index = next(
        (i for i, child in enumerate(section.children) if isinstance(child, nodes.title)), 0
    )
    section.insert(title_index + 1, line)


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("status-table", StatusTable)
    app.connect("doctree-read", _add_stamp)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
