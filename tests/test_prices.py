"""companion.data.prices: the shipped tables are sourced and valid; bad files are named."""

from __future__ import annotations

import pandas as pd
import pytest

from companion.data.prices import (
    API_PRICE_COLUMNS,
    GPU_PRICE_COLUMNS,
    load_api_prices,
    load_gpu_prices,
)

LOADERS = [(load_gpu_prices, GPU_PRICE_COLUMNS), (load_api_prices, API_PRICE_COLUMNS)]


@pytest.mark.parametrize(("load", "columns"), LOADERS)
def test_every_row_has_a_source_and_an_https_url(load, columns):
    table = load()
    assert len(table) >= 8
    assert (table["source"].str.len() > 0).all()
    assert table["url"].str.startswith("https://").all()
    assert list(table.columns) == [*columns, "date"]


def test_derived_aws_price_is_the_instance_price_over_eight_gpus():
    gpu = load_gpu_prices()
    row = gpu[gpu["provider"] == "AWS EC2 p5.48xlarge"].iloc[0]
    assert row["usd_per_gpu_hour"] == pytest.approx(98.32 / 8, abs=0.005)


def test_figures_agree_with_the_facts_file():
    # ../facts/cost_facts.csv: GPT-3.5-level price 20 (Nov 2022) -> 0.07 (Oct 2024)
    api = load_api_prices()
    level = api[api["model"].str.contains("64.8")].sort_values("date")
    assert level["output_usd_per_m"].tolist() == [20.0, 0.07]


def test_date_is_the_middle_of_the_month_or_of_the_year():
    gpu = load_gpu_prices()
    assert gpu["date"].iloc[0] == pytest.approx(2023 + 6.5 / 12)  # July 2023
    assert gpu["date"].iloc[1] == pytest.approx(2023.5)  # year only


def _write(tmp_path, load, columns, **changes):
    table = load()[list(columns)].astype(str).replace("nan", "")
    table["month"] = table["month"].str.replace(".0", "", regex=False)
    for column, value in changes.items():
        table.loc[0, column] = value
    path = tmp_path / "prices.csv"
    table.to_csv(path, index=False)
    return path


def test_a_written_copy_reads_back_the_same(tmp_path):
    for load, columns in LOADERS:
        pd.testing.assert_frame_equal(load(_write(tmp_path, load, columns)), load())


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"year": "soon"}, "year must be a positive integer"),
        ({"month": "13"}, "month must be 1 to 12 or empty"),
        ({"source": " "}, "source is empty in rows"),
        ({"url": "http://example.com"}, "url must start with https://"),
        ({"status": "rumour"}, "status must be one of"),
        ({"status": "derived", "note": ""}, "a derived row needs a note"),
    ],
)
@pytest.mark.parametrize(("load", "columns"), LOADERS)
def test_bad_rows_are_named(tmp_path, load, columns, changes, match):
    with pytest.raises(ValueError, match=match):
        load(_write(tmp_path, load, columns, **changes))


def test_bad_prices_and_columns_are_named(tmp_path):
    path = _write(tmp_path, load_gpu_prices, GPU_PRICE_COLUMNS, usd_per_gpu_hour="-1")
    with pytest.raises(ValueError, match="usd_per_gpu_hour must be a positive number"):
        load_gpu_prices(path)
    path = _write(tmp_path, load_api_prices, API_PRICE_COLUMNS, output_usd_per_m="free")
    with pytest.raises(ValueError, match="output_usd_per_m must be a positive number"):
        load_api_prices(path)
    (tmp_path / "short.csv").write_text("year,month\n2024,1\n")
    with pytest.raises(ValueError, match="columns must be"):
        load_api_prices(tmp_path / "short.csv")
    with pytest.raises(FileNotFoundError):
        load_gpu_prices(tmp_path / "missing.csv")
