"""Provenance columns for every experiments/ result: where, when and with what it ran."""

from __future__ import annotations

import datetime as dt
import os
import platform
from importlib import metadata


def provenance() -> dict[str, str]:
    """Library versions, device, CPU and UTC date, as CSV columns."""
    row = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")}
    for package in ("numpy", "torch", "tensorflow", "keras", "transformers", "scikit-learn"):
        try:
            row[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            row[package] = ""
    row["device"] = os.environ.get("COMPANION_DEVICE", "cpu") or "cpu"
    row["cpu"] = platform.processor() or platform.machine()
    row["cores"] = str(os.cpu_count())
    return row
