"""companion.data.adoption: the shipped ChatGPT series, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from companion.data.adoption import COLUMNS, LAUNCHES, SERIES, load_adoption, years_since

SHIPPED = Path(__file__).resolve().parents[1] / "companion" / "data" / "csv"
HEADER = ",".join(COLUMNS)
GOOD_ROW = (
    "2024-01-01,10,million,weekly active users,reported,Someone said so,https://example.org/a,"
)


def test_chatgpt_series_is_dated_sourced_and_growing():
    df = load_adoption("chatgpt_weekly_active_users")
    assert list(df.columns) == list(COLUMNS)
    assert len(df) == 8
    assert df["date"].is_monotonic_increasing and df["value"].is_monotonic_increasing
    assert df["value"].iloc[0] == 100 and df["value"].iloc[-1] == 900
    assert (df["unit"] == "million").all()
    assert df["source"].str.len().min() > 10 and df["url"].str.startswith("https://").all()
    assert (df.loc[df["status"] != "reported", "note"] != "").all()


def test_every_series_has_a_launch_date_before_its_first_figure():
    for name in SERIES:
        launch, source = LAUNCHES[name]
        assert (years_since(load_adoption(name)["date"], launch) > 0).all()
        assert "http" in source


def test_years_since_counts_julian_years():
    dates = pd.Series(pd.to_datetime(["2022-11-30", "2024-11-30"]))
    assert years_since(dates, "2022-11-30").tolist() == pytest.approx([0.0, 731 / 365.25])


def test_explicit_path_is_read(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(f"{HEADER}\n{GOOD_ROW}\n", encoding="utf-8")
    df = load_adoption(path=path)
    assert df["value"].tolist() == [10.0] and df["date"].dt.year.tolist() == [2024]


def test_unknown_series_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown adoption series 'tiktok'.*chatgpt"):
        load_adoption("tiktok")


def test_missing_file_says_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file at .*nothing.csv"):
        load_adoption(path=tmp_path / "nothing.csv")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("", "the file is empty"),
        (f"{HEADER}\n", "no rows"),
        ("date,value\n2024-01-01,3\n", r"missing required columns \['unit'"),
        (f"{HEADER}\n{GOOD_ROW.replace('2024-01-01', '01/02/2024')}\n", "YYYY-MM-DD"),
        (f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\n", "strictly increasing"),
        (f"{HEADER}\n{GOOD_ROW.replace(',10,', ',-3,')}\n", r"positive number .* rows \[0\]"),
        (f"{HEADER}\n{GOOD_ROW.replace(',10,', ',ten,')}\n", "positive number"),
        (
            f"{HEADER}\n{GOOD_ROW.replace('Someone said so', '')}\n",
            r"source is empty in rows \[0\]",
        ),
        (f"{HEADER}\n{GOOD_ROW.replace('https://', 'ftp://')}\n", "url must start with"),
        (f"{HEADER}\n{GOOD_ROW.replace('reported', 'rumour')}\n", "status must be one of"),
        (f"{HEADER}\n{GOOD_ROW.replace('reported', 'forecast')}\n", "needs a note"),
        (
            f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW.replace('2024', '2025').replace('million', 'k')}\n",
            "one unit per series",
        ),
    ],
)
def test_bad_file_is_named_in_the_error(tmp_path, content, match):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        load_adoption(path=path)


def test_shipped_files_are_the_listed_series():
    shipped = {p.stem for p in SHIPPED.glob("*.csv")}
    assert set(SERIES) <= shipped
