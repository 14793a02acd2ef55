"""Benchmark the book: run every notebook of the TOC in a fresh kernel, record time and memory.

Usage: python tools/bench.py [--out bench/notebooks-<device>.csv] [NOTEBOOK ...]

For each notebook: wall seconds, peak resident memory of the kernel process (MB), peak GPU
memory allocated by PyTorch (MB, when a GPU was used), and the notebook's budget (90 s, or the
``llmbook.budget_s`` notebook metadata for training chapters, 180 s). Nothing is written back
into the notebooks. The CSV carries device, CPU count, library versions and date; the summary
is printed as a Markdown table and written between the bench markers of README.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/
sys.path.insert(1, str(Path(__file__).resolve().parent.parent / "tests"))  # toc.py
from nbrun import execute  # noqa: E402
from toc import ROOT, toc_notebooks  # noqa: E402

from companion.runtime import MEMORY_BUDGET_MB  # noqa: E402  (1.5 GB: Binder has 2 GB)

DEFAULT_BUDGET_S = 90.0
WHOLE_BOOK_BUDGET_S = {"cpu": 12 * 60, "cuda": 4 * 60}
_PROBE = """
import resource as _r, sys as _s
_gpu = 0.0
if "torch" in _s.modules and _s.modules["torch"].cuda.is_available():
    _gpu = _s.modules["torch"].cuda.max_memory_allocated() / 2**20
print(f"BENCH {_r.getrusage(_r.RUSAGE_SELF).ru_maxrss / 1024:.1f} {_gpu:.1f}")
"""


def measure(path: Path) -> dict[str, float]:
    """Execute one notebook (in memory) and a final probe cell; return time and peaks."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PROBE))
    seconds = execute(nb, path)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    rss, gpu = map(float, re.search(r"BENCH (\S+) (\S+)", text).groups())
    budget = float(nb.metadata.get("llmbook", {}).get("budget_s", DEFAULT_BUDGET_S))
    return {"seconds": seconds, "peak_rss_mb": rss, "peak_gpu_mb": gpu, "budget_s": budget}


def _device() -> str:
    device = os.environ.get("COMPANION_DEVICE", "")
    if device:
        return device
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what the platform module reports."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text(encoding="utf-8"))
        if found:
            return found.group(1).strip()
    return platform.processor() or platform.machine()


def _versions() -> str:
    from importlib import metadata

    found = []
    for name in ("torch", "tensorflow", "transformers"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return "; ".join(found)


def summary(rows: list[dict], device: str) -> str:
    """The Markdown table written to README.md (rows may come from runs on different days)."""
    dates = sorted({r["date"] for r in rows})
    when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]} (date per row)"
    lines = [
        f"Measured {when} on {rows[0]['machine']} ({device}, {rows[0]['cpus']} CPU cores):",
        "",
        "| notebook | seconds | budget | peak memory (MB) | within budget | date |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['notebook']} | {float(r['seconds']):.1f} | {float(r['budget_s']):.0f} | "
            f"{float(r['peak_rss_mb']):.0f} | "
            f"{'yes' if r['within_budget'] == 'yes' else '**no**'} | {r['date']} |"
        )
    total = sum(float(r["seconds"]) for r in rows)
    budget = WHOLE_BOOK_BUDGET_S.get(device.split(":")[0], WHOLE_BOOK_BUDGET_S["cpu"])
    lines.append(
        f"| **whole book** | {total:.1f} | {budget} | | "
        f"{'yes' if total <= budget else '**no**'} | |"
    )
    return "\n".join(lines)


def _update_readme(table: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        readme.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    device = _device()
    out = args.out or ROOT / "bench" / f"notebooks-{device.split(':')[0]}.csv"
    paths = [p.resolve() for p in args.notebooks] or toc_notebooks()
    common = {
        "date": dt.date.today().isoformat(),
        "device": device,
        "cpus": os.cpu_count(),
        "machine": cpu_model(),
        "python": platform.python_version(),
        "versions": _versions(),
    }
    rows = []
    for path in paths:
        m = measure(path)
        ok = m["seconds"] <= m["budget_s"] and m["peak_rss_mb"] <= MEMORY_BUDGET_MB
        rows.append(
            {
                "notebook": str(path.relative_to(ROOT)),
                **{k: f"{v:.1f}" for k, v in m.items()},
                "within_budget": "yes" if ok else "no",
                **common,
            }
        )
        print(
            f"{m['seconds']:7.1f} s {m['peak_rss_mb']:7.0f} MB  {rows[-1]['notebook']}", flush=True
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.notebooks and out.is_file():  # a partial run replaces only its own rows
        with open(out, newline="", encoding="utf-8") as f:
            measured = {r["notebook"] for r in rows}
            kept = [r for r in csv.DictReader(f) if r["notebook"] not in measured]
        order = {str(p.relative_to(ROOT)): i for i, p in enumerate(toc_notebooks())}
        rows = sorted(kept + rows, key=lambda r: order.get(r["notebook"], len(order)))
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    table = summary(rows, device)
    print(table)
    _update_readme(table)  # the whole table: a partial run's rows merged with the others
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
