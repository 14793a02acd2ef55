"""companion.data.open_models: the shipped table is sourced and valid, every row is counted,
bad files are named."""

from __future__ import annotations

import pandas as pd
import pytest

from companion.data.open_models import OPEN_MODEL_COLUMNS, hf_config, load_open_models
from companion.sizing import count_parameters, from_hf_config


def test_every_row_has_sources_and_https_urls():
    table = load_open_models()
    assert len(table) >= 10
    assert [table.index.name, *table.columns] == list(OPEN_MODEL_COLUMNS)
    assert (table["size_source"].str.len() > 0).all()
    for column in ("config_url", "size_url"):
        assert table[column].str.startswith("https://").all()
    assert table["year"].between(2023, 2026).all()


@pytest.mark.parametrize("model", load_open_models().index)
def test_every_row_is_counted_near_its_published_size(model):
    table = load_open_models()
    count = count_parameters(from_hf_config(hf_config(table, model)))
    row = table.loc[model]
    # published sizes are rounded ("7B" for 6.74 billion): within 4%
    assert abs(count.total / (row["published_total_b"] * 1e9) - 1) < 0.04
    if pd.isna(row["published_active_b"]):
        assert count.active == count.total
    else:
        assert abs(count.active / (row["published_active_b"] * 1e9) - 1) < 0.04


def test_mixture_of_experts_rows_are_the_ones_with_an_active_size():
    table = load_open_models()
    moe = table.index[table["published_active_b"].notna()].tolist()
    assert moe == ["Mixtral 8x7B", "DeepSeek-V3", "Qwen3-30B-A3B"]


def test_config_values_agree_with_the_tests_of_from_hf_config():
    # the Llama 2 7B and Qwen3-30B-A3B rows give the counts that tests/test_hf_sizing.py
    # checks against models built on the meta device
    table = load_open_models()
    llama = count_parameters(from_hf_config(hf_config(table, "Llama 2 7B")))
    assert llama.total == 6_738_415_616
    qwen = count_parameters(from_hf_config(hf_config(table, "Qwen3-30B-A3B")))
    assert qwen.total == 30_532_122_624


def _write(tmp_path, **changes):
    table = load_open_models().reset_index()[list(OPEN_MODEL_COLUMNS)]
    table = table.astype(str).replace("nan", "")
    for column, value in changes.items():
        table.loc[0, column] = value
    path = tmp_path / "open.csv"
    table.to_csv(path, index=False)
    return path


def test_a_written_copy_reads_back_the_same(tmp_path):
    table = load_open_models()
    path = _write(tmp_path)
    copy = load_open_models(path)
    pd.testing.assert_frame_equal(copy, table)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"year": "soon"}, "year must be a positive integer"),
        ({"published_total_b": "0"}, "published_total_b must be a positive number"),
        ({"published_active_b": "-1"}, "published_active_b must be empty or a positive"),
        ({"published_active_b": "9"}, "published_active_b exceeds published_total_b"),
        ({"size_source": " "}, "size_source is empty in rows"),
        ({"config_url": ""}, "config_url is empty in rows"),
        ({"config_url": "http://example.com"}, "config_url must start with https://"),
        ({"size_url": "ftp://example.com"}, "size_url must start with https://"),
        ({"retrieved": "last week"}, "retrieved must be a date"),
        ({"status": "rumour"}, "status must be one of"),
        ({"status": "derivative", "note": ""}, "a derivative row needs a note"),
        ({"model": "Mistral 7B"}, r"duplicate \['model'\]"),
        ({"config": "{not json"}, "is not valid JSON"),
        ({"config": "[1, 2]"}, "must be a JSON object"),
        ({"config": '{"model_type": "gemma2"}'}, "model_type 'gemma2' is not supported"),
        (
            {"config": '{"model_type": "llama"}'},
            r"row 'Llama 2 7B' has an invalid config.*has no '\w+' key",
        ),
    ],
)
def test_bad_rows_are_named(tmp_path, changes, match):
    with pytest.raises(ValueError, match=match):
        load_open_models(_write(tmp_path, **changes))


def test_bad_columns_and_unknown_models_are_named(tmp_path):
    table = load_open_models().reset_index().drop(columns="status")
    path = tmp_path / "short.csv"
    table.to_csv(path, index=False)
    with pytest.raises(ValueError, match="columns must be"):
        load_open_models(path)
    with pytest.raises(FileNotFoundError):
        load_open_models(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="unknown model 'GPT-5'"):
        hf_config(load_open_models(), "GPT-5")
