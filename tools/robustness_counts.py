"""Count the bad-input and fault cases the test suite tries; write the table the book shows.

"How this book is tested" shows, for each suite of hostile input and faults, how many cases
it tries. The counts are measured, not typed: this script runs the property suite (which
reports the functions it covers and the calls it makes) and asks pytest how many test cases
each of the other suites collects, then writes ``book/appendix/robustness.csv``.
``tests/test_robustness_counts.py`` fails when the table's function count or test counts no
longer match the suites.

Usage: python tools/robustness_counts.py   (about a minute on 2 cores)
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "book" / "appendix" / "robustness.csv"
PROPERTIES = "tests/test_properties_bad_input.py"
#: The other suites of hostile input and faults, with what each one tries.
SUITES: dict[str, str] = {
    "tests/test_bad_input.py": "hand-written bad arguments and data files (missing, binary, "
    "truncated, byte-flipped, a symlink loop, a FIFO, a read-only mount)",
    "tests/test_hostile_input.py": "NumPy integer dtypes wherever an int is accepted; whole "
    "floats refused (hypothesis)",
    "tests/test_download.py": "downloads cut short, refused, killed (SIGKILL, SIGTERM), "
    "corrupted or of another size; the registry of remote files",
    "tests/test_safety.py": "no call that can execute code from data (pickle, eval, "
    "unsafe loads) in the companion or any chapter",
}
COLUMNS = ("suite", "what", "functions", "cases", "measured")


def _pytest(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": "tests"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 5):
        sys.exit(f"pytest {' '.join(args)} failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    return done.stdout


def collected(path: str) -> int:
    """How many test cases pytest collects from ``path`` (parametrized cases counted)."""
    out = _pytest("--collect-only", "-q", path)
    return sum(1 for line in out.splitlines() if line.startswith(f"{path}::"))


def property_counts() -> tuple[int, int]:
    """(functions covered, calls tried) as the property suite counts them."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "counts.json"
        os.environ["ROBUSTNESS_COUNTS_FILE"] = str(out)
        try:
            _pytest("-q", PROPERTIES)
        finally:
            del os.environ["ROBUSTNESS_COUNTS_FILE"]
        if not out.is_file():
            sys.exit(f"{PROPERTIES} wrote no counts")
        counts = json.loads(out.read_text(encoding="utf-8"))
    return int(counts["functions"]), int(counts["cases"])


def main() -> int:
    today = dt.date.today().isoformat()
    functions, calls = property_counts()
    rows = [
        {
            "suite": PROPERTIES,
            "what": "every public function of maths, sizing, the core and the data helpers: "
            "wrong types, NumPy scalars, NaN, inf, 0, -1, huge, empty and wrong-shaped arrays, "
            "then hypothesis draws (calls)",
            "functions": functions,
            "cases": calls,
            "measured": today,
        }
    ]
    for path, what in SUITES.items():
        rows.append(
            {
                "suite": path,
                "what": what + " (test cases)",
                "functions": "",
                "cases": collected(path),
                "measured": today,
            }
        )
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for row in rows:
        print(f"{row['suite']}: {row['cases']} cases")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
