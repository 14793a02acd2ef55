"""pytest plugin for nbval runs (``-p nbtiming``): time each notebook and record which passed.

Prints the seconds each notebook took, and merges one row per notebook into
``bench/nbval-<device>.csv``: whether every cell matched its stored output, the date, the
seconds, the library versions and the run's variant (``NBVAL_VARIANT``: ``default``, or the
machine perturbation of ``make test-portable``). The book's status page and each chapter's
"last verified" line are built from that file (``book/_ext/status_page.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import os
from collections import defaultdict
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ["notebook", "variant", "passed", "date", "seconds", "device", "versions"]
_seconds: dict[str, float] = defaultdict(float)
_failed: set[str] = set()
#: Items of the second run of ``--nbval-twice`` (tests/nbtwice.py): not part of the run time.
SECOND_RUN = "(second run)"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        if SECOND_RUN not in report.nodeid:
            _seconds[path] += report.duration  # setup (kernel start) + each cell's call
        if report.failed:
            _failed.add(path)


def _versions() -> str:
    found = []
    for name in ("torch", "tensorflow", "keras", "transformers"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return "; ".join(found)


def record(seconds: dict[str, float], failed: set[str], out: Path) -> None:
    """Merge this run's rows into ``out`` (one row per notebook and variant)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix(".lock"), "w") as lock:  # concurrent runs must not lose rows
        fcntl.flock(lock, fcntl.LOCK_EX)
        _merge(seconds, failed, out)


def _merge(seconds: dict[str, float], failed: set[str], out: Path) -> None:
    device = (os.environ.get("COMPANION_DEVICE") or "cpu").split(":")[0]
    variant = os.environ.get("NBVAL_VARIANT", "default")
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    rows: dict[tuple[str, str], dict[str, str]] = {}
    if out.is_file():
        with open(out, newline="", encoding="utf-8") as f:
            rows = {(r["notebook"], r["variant"]): r for r in csv.DictReader(f)}
    for path, secs in seconds.items():
        name = os.path.relpath(Path(path).resolve(), ROOT)
        rows[(name, variant)] = {
            "notebook": name,
            "variant": variant,
            "passed": "no" if path in failed else "yes",
            "date": today,
            "seconds": f"{secs:.1f}",
            "device": device,
            "versions": _versions(),
        }
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(sorted(rows.values(), key=lambda r: (r["notebook"], r["variant"])))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _seconds:
        return
    terminalreporter.section("notebook execution time (s)")
    for path, seconds in _seconds.items():
        terminalreporter.write_line(
            f"{seconds:7.1f}  {path}{'  FAILED' if path in _failed else ''}"
        )
    terminalreporter.write_line(f"{sum(_seconds.values()):7.1f}  total")
    device = (os.environ.get("COMPANION_DEVICE") or "cpu").split(":")[0]
    record(_seconds, _failed, ROOT / "bench" / f"nbval-{device}.csv")
