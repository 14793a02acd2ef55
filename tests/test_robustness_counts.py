"""The counts of hostile-input and fault cases shown in "How this book is tested" are current.

``book/appendix/robustness.csv`` is written by ``tools/robustness_counts.py``; this test fails
when a suite gains or loses cases (or the property suite a function) and the table was not
written again.
"""

from __future__ import annotations

import csv
import sys

import pytest
from toc import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import robustness_counts  # noqa: E402

ROWS = {
    row["suite"]: row
    for row in csv.DictReader(open(robustness_counts.OUT, encoding="utf-8"))  # noqa: SIM115
}
STALE = "stale: run python tools/robustness_counts.py"


def test_the_table_has_every_suite_once():
    assert list(ROWS) == [robustness_counts.PROPERTIES, *robustness_counts.SUITES]


@pytest.mark.parametrize("path", list(robustness_counts.SUITES))
def test_test_counts_match_what_pytest_collects(path):
    assert int(ROWS[path]["cases"]) == robustness_counts.collected(path), f"{path}: {STALE}"


def test_the_property_suite_covers_the_functions_the_table_says():
    import test_properties_bad_input as suite

    row = ROWS[robustness_counts.PROPERTIES]
    assert int(row["functions"]) == len(suite.COVERED), STALE
    assert int(row["cases"]) >= 50 * len(suite.COVERED)  # every function tried many ways
