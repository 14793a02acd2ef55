"""companion.data.model_configs: the sourced configurations, their published sizes, bad files."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from companion.data.model_configs import (
    MODEL_CONFIG_COLUMNS,
    load_model_configs,
    transformer_config,
)
from companion.sizing import count_parameters, training_flops


def test_every_published_size_is_reproduced_within_two_percent():
    table = load_model_configs()
    published = table["published_params"].dropna()
    assert len(published) >= 6
    for model, size in published.items():
        count = count_parameters(transformer_config(table, model)).total
        assert abs(count / size - 1) < 0.02, model


def test_gpt3_compute_from_the_table_matches_the_reported_figure():
    row = load_model_configs().loc["GPT-3 175B"]
    count = count_parameters(transformer_config(load_model_configs(), "GPT-3 175B")).total
    flops = training_flops(count, row["training_tokens"])
    assert math.isclose(flops, row["reported_training_flop"], rel_tol=0.02)


def test_every_row_names_its_source():
    table = load_model_configs()
    assert (table["source"].str.len() > 0).all()
    assert table["url"].str.startswith("https://").all()


def test_unknown_model_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown model 'GPT-5'"):
        transformer_config(load_model_configs(), "GPT-5")


def _write(tmp_path, **changes):
    table = load_model_configs().reset_index()[list(MODEL_CONFIG_COLUMNS)].astype(str)
    table = table.replace("nan", "")
    for column, value in changes.items():
        table.loc[0, column] = value
    path = tmp_path / "configs.csv"
    table.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"n_heads": "5"}, "not a valid configuration: n_heads must divide hidden_size"),
        ({"hidden_size": "0"}, "hidden_size must be a positive integer"),
        ({"published_params": "-3"}, "published_params must be empty or a positive number"),
        ({"source": " "}, "source is empty"),
        ({"model": "BERT-large"}, r"duplicate \['model'\]"),
    ],
)
def test_bad_rows_are_rejected_with_the_file_named(tmp_path, changes, match):
    with pytest.raises(ValueError, match=f"configs.csv: .*{match}"):
        load_model_configs(_write(tmp_path, **changes))


def test_missing_columns_are_rejected(tmp_path):
    path = tmp_path / "configs.csv"
    pd.DataFrame({"model": ["x"]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="columns must be"):
        load_model_configs(path)
