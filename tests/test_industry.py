"""companion.data.industry: the sourced industry tables, their schema, values and errors."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from companion.data.industry import (
    STATUSES,
    YEAR_RANGE,
    investment_series,
    load_costs,
    load_funding_events,
    load_investment,
    load_models,
)

LOADERS = [load_investment, load_funding_events, load_models, load_costs]
CSV_DIR = Path(__file__).resolve().parent.parent / "companion" / "data" / "csv"


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_every_row_names_a_source_and_a_web_address(loader):
    df = loader()
    assert len(df) > 0
    assert (df["source"].str.len() > 0).all()
    assert df["url"].str.match(r"https?://").all()


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_years_are_integers_in_range(loader):
    df = loader()
    assert df["year"].dtype == np.int64
    assert df["year"].between(*YEAR_RANGE).all()


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_qualified_figures_explain_themselves(loader):
    df = loader()
    status = df["compute_status"] if "compute_status" in df else df["status"]
    assert status.isin(STATUSES).all()
    assert (df.loc[status != "reported", "note"].str.len() > 0).all()


def test_investment_schema_is_typed():
    df = load_investment()
    assert df["value"].dtype == np.float64
    for column in ("measure", "segment", "unit", "publisher", "edition", "status", "note"):
        assert pd.api.types.is_string_dtype(df[column]), column


def test_editions_are_kept_apart_not_spliced():
    df = load_investment()
    y2021 = {
        edition: investment_series(df, "ai_private_investment", edition)[2021]
        for edition in ("AI Index 2022", "AI Index 2023")
    }
    assert y2021 == {"AI Index 2022": 93.5, "AI Index 2023": 125.4}
    assert investment_series(df, "ai_private_investment", "AI Index 2025").to_dict() == {
        2023: 104.3,
        2024: 150.8,
    }


def test_reported_growth_rates_match_the_levels_of_the_same_edition():
    df = load_investment()
    s23 = investment_series(df, "ai_private_investment", "AI Index 2023")
    s25 = investment_series(df, "ai_private_investment", "AI Index 2025")
    assert 100 * (s23[2022] / s23[2021] - 1) == pytest.approx(-26.7, abs=0.05)
    assert 100 * (s25[2024] / s25[2023] - 1) == pytest.approx(44.5, abs=0.2)


def test_generative_ai_and_company_counts_known_values():
    df = load_investment()
    assert investment_series(df, "genai_private_investment", "AI Index 2024")[2023] == 25.2
    assert investment_series(df, "genai_private_investment", "AI Index 2025")[2024] == 33.9
    counts = investment_series(df, "newly_funded_ai_companies", "AI Index 2022")
    assert counts.to_dict() == {2019: 1051.0, 2020: 762.0, 2021: 746.0}


def test_unknown_series_error_lists_the_editions():
    with pytest.raises(ValueError, match=r"editions with this measure: \['AI Index 2024'"):
        investment_series(load_investment(), "genai_private_investment", "AI Index 2030")


def test_funding_events_known_values_and_types():
    events = load_funding_events()
    assert str(events["month"].dtype) == "Int64"
    row = events[(events["company"] == "OpenAI") & (events["year"] == 2019)].iloc[0]
    assert (row["month"], row["amount_usd_bn"], row["lead_investors"]) == (7, 1.0, "Microsoft")
    assert events["month"].dropna().between(1, 12).all()
    # a USD figure is given only where the source states one
    eur = events[events["currency"].str.startswith("EUR")]
    assert eur["amount_usd_bn"].isna().sum() == 2


def test_model_compute_is_reported_or_six_n_d():
    models = load_models().set_index("model")
    assert models.loc["GPT-3", "training_compute_flop"] == 3.14e23
    assert models.loc["Llama 3.1 405B", "parameters"] == 4.05e11
    derived = models[models["compute_status"] == "derived"]
    six_nd = 6 * derived["parameters"] * derived["training_tokens"]
    np.testing.assert_allclose(derived["training_compute_flop"], six_nd, rtol=0.01)
    missing = models[models["compute_status"] == "not_available"]
    assert missing["training_compute_flop"].isna().all()


def test_costs_known_values():
    costs = load_costs()
    assert costs.query("item == 'GPT-3 175B'")["value"].iloc[0] == 4324883.0
    growth = costs.query("item == 'frontier training cost growth'")["value"].iloc[0]
    assert growth == 2.4


# --- error paths, on copies written to a temporary directory -------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    with open(CSV_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_copy_of_the_shipped_table_loads_from_a_path(tmp_path):
    path = _write(tmp_path / "inv.csv", _rows("ai_investment.csv"))
    pd.testing.assert_frame_equal(load_investment(path), load_investment())


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="ai_investment.csv: no file at .*absent.csv"):
        load_investment(tmp_path / "absent.csv")


def test_empty_file_is_rejected(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ValueError, match="the file is empty"):
        load_models(tmp_path / "empty.csv")


def test_missing_column_is_named(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "url"} for r in _rows("ai_costs.csv")]
    with pytest.raises(ValueError, match=r"missing required columns \['url'\]"):
        load_costs(_write(tmp_path / "c.csv", rows))


@pytest.mark.parametrize("column", ["source", "url"])
def test_empty_source_or_url_is_rejected_with_its_row(tmp_path, column):
    rows = _rows("ai_investment.csv")
    rows[2][column] = ""
    with pytest.raises(ValueError, match=rf"{column} is empty in rows \[2\]"):
        load_investment(_write(tmp_path / "i.csv", rows))


def test_address_that_is_not_a_web_address_is_rejected(tmp_path):
    rows = _rows("funding_events.csv")
    rows[0]["url"] = "fortune.com/2019"
    with pytest.raises(ValueError, match=r"url must start with http"):
        load_funding_events(_write(tmp_path / "f.csv", rows))


@pytest.mark.parametrize("year", ["2009", "2031"])
def test_year_out_of_range_is_rejected(tmp_path, year):
    rows = _rows("landmark_models.csv")
    rows[0]["year"] = year
    named = re.escape(str([rows[0]["model"]]))
    with pytest.raises(
        ValueError, match=rf"year must be in 2010-2026 \(got \[{year}\] in rows {named}"
    ):
        load_models(_write(tmp_path / "m.csv", rows))


@pytest.mark.parametrize(
    ("column", "bad", "kind"),
    [
        ("year", "20x1", "a positive integer"),
        ("value", "about 5", "a number"),
        ("year", "", "a positive integer"),
    ],
)
def test_non_numbers_are_rejected(tmp_path, column, bad, kind):
    rows = _rows("ai_investment.csv")
    rows[0][column] = bad
    with pytest.raises(ValueError, match=rf"{column} must be {kind} \(got .* in rows \[0\]\)"):
        load_investment(_write(tmp_path / "i.csv", rows))


def test_fractional_year_is_rejected(tmp_path):
    rows = _rows("ai_costs.csv")
    rows[0]["year"] = "2017.5"
    with pytest.raises(
        ValueError, match=r"year must be a positive integer \(got \['2017.5'\] in rows"
    ):
        load_costs(_write(tmp_path / "c.csv", rows))


def test_unknown_status_is_rejected(tmp_path):
    rows = _rows("ai_investment.csv")
    rows[0]["status"] = "rumoured"
    with pytest.raises(
        ValueError, match=r"status must be one of .* \(got \['rumoured'\] in rows \[0\]\)"
    ):
        load_investment(_write(tmp_path / "i.csv", rows))


def test_qualified_figure_without_a_note_is_rejected(tmp_path):
    rows = _rows("ai_investment.csv")
    derived = next(i for i, r in enumerate(rows) if r["status"] == "derived")
    rows[derived]["note"] = ""
    with pytest.raises(ValueError, match=rf"needs a note saying why .* in rows \[{derived}\]\)"):
        load_investment(_write(tmp_path / "i.csv", rows))


def test_duplicate_figure_is_rejected(tmp_path):
    rows = _rows("ai_investment.csv")
    rows.append(dict(rows[0]))
    with pytest.raises(ValueError, match=r"duplicate \['year', 'measure', 'segment', 'edition'\]"):
        load_investment(_write(tmp_path / "i.csv", rows))


def test_month_out_of_range_is_rejected(tmp_path):
    rows = _rows("funding_events.csv")
    rows[0]["month"] = "13"
    with pytest.raises(ValueError, match=r"month must be 1-12 \(got \[13\]\)"):
        load_funding_events(_write(tmp_path / "f.csv", rows))
