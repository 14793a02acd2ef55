"""companion.data.accelerators: the shipped table is sourced and valid; bad files are named."""

from __future__ import annotations

import pandas as pd
import pytest

from companion.data.accelerators import ACCELERATOR_COLUMNS, load_accelerators
from companion.sizing import attainable_flops


def test_every_row_has_a_source_and_an_https_url():
    table = load_accelerators()
    assert len(table) >= 5
    assert (table["source"].str.len() > 0).all()
    assert table["url"].str.startswith("https://").all()


def test_figures_agree_with_the_facts_file():
    table = load_accelerators()
    assert table.loc["NVIDIA H100 SXM5", "peak_tflops"] == 989  # ../facts/cost_facts.csv
    assert table.loc["NVIDIA A100 SXM4 80 GB", "peak_tflops"] == 312


def test_ridge_point_is_where_the_roofline_reaches_the_peak():
    # Williams, Waterman, Patterson 2009: below the ridge a kernel is memory-bound, above it
    # compute-bound; the roofline attains the peak exactly from the ridge on.
    for _, row in load_accelerators().iterrows():
        peak, bandwidth = row["peak_tflops"] * 1e12, row["bandwidth_gb_s"] * 1e9
        ridge = row["ridge_flop_per_byte"]
        below, at, above = attainable_flops([0.99 * ridge, ridge, 1.01 * ridge], peak, bandwidth)
        assert below < peak and at == pytest.approx(peak, rel=1e-12) and above == peak


def _write(tmp_path, **changes):
    table = load_accelerators().reset_index()[list(ACCELERATOR_COLUMNS)].astype(str)
    for column, value in changes.items():
        table.loc[0, column] = value
    path = tmp_path / "acc.csv"
    table.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"peak_tflops": "-1"}, "peak_tflops must be a positive number"),
        ({"bandwidth_gb_s": "fast"}, "bandwidth_gb_s must be a positive number"),
        ({"source": ""}, "source is empty"),
        ({"url": "http://example.org"}, "url must start with https://"),
        ({"status": "guessed"}, "status must be one of"),
        ({"status": "derived", "note": ""}, "a derived row needs a note"),
        ({"accelerator": "NVIDIA H200 SXM"}, r"duplicate \['accelerator'\]"),
    ],
)
def test_bad_rows_are_rejected_with_the_file_named(tmp_path, changes, match):
    with pytest.raises(ValueError, match=f"acc.csv: {match}"):
        load_accelerators(_write(tmp_path, **changes))


def test_missing_columns_are_rejected(tmp_path):
    path = tmp_path / "acc.csv"
    pd.DataFrame({"accelerator": ["x"]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="columns must be"):
        load_accelerators(path)
