"""companion.data.tables: every shipped CSV is declared once and sourced; read_table's checks.

The first part runs over ALL the tables in ``companion/data/csv/``: each is declared by exactly
one :class:`TableSpec`, and every row of every table says where it comes from. The rest tests
:func:`read_table` and :func:`check_table` on small tables written for the purpose.
"""

from __future__ import annotations

import csv
import importlib
import math
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.data import tables
from companion.data.tables import TABLES, TableSpec, check_table, read_table, register

CSV_DIR = Path(tables.__file__).resolve().parent / "csv"
#: The modules that read the shipped tables; importing them registers their specs. A new
#: loader goes here, or its CSV fails test_every_shipped_csv_is_declared_by_exactly_one_spec.
LOADER_MODULES = [
    importlib.import_module(f"companion.data.{name}")
    for name in (
        "accelerators",
        "adoption",
        "citations",
        "faq",
        "industry",
        "model_configs",
        "open_models",
        "prices",
        "throughput",
    )
]
SHIPPED = sorted(p.name for p in CSV_DIR.glob("*.csv"))

#: Rows whose publisher serves the cited page over plain http only (the industry tables allow
#: it with ``schemes=("http://", "https://")``). The list may only shrink: an entry that no
#: longer occurs fails the test, so that a fixed address is removed from here too.
HTTP_ONLY: dict[str, set[str]] = {
    "ai_investment.csv": {
        "http://103.16.74.116/infograph/numbers/"
        "global-private-ai-investment-which-sector-attracted-most-2024-1166376",
        "http://123.123.enodoworks.com/?p=1267396",
        "http://www.ccyxbj.cn/baogao/173257.html",
    },
    "funding_events.csv": {"http://app001.ftchinese.com/interactive/281775/en"},
}


# --- every shipped table: declared once, every row sourced ----------------------------------


def _declared_specs() -> list[TableSpec]:
    """Every TableSpec a loader module holds at module level (directly or in a dict)."""
    found: dict[int, TableSpec] = {}
    for module in LOADER_MODULES:
        for value in vars(module).values():
            candidates = value.values() if isinstance(value, dict) else [value]
            for spec in candidates:
                if isinstance(spec, TableSpec):
                    found[id(spec)] = spec
    return list(found.values())


def test_every_shipped_csv_is_declared_by_exactly_one_spec():
    assert SHIPPED, f"no CSV found in {CSV_DIR}"
    assert sorted(TABLES) == SHIPPED, "declare every CSV with register(TableSpec(...))"
    counts = Counter(spec.file for spec in _declared_specs())
    assert {file: n for file, n in counts.items() if n != 1} == {}
    assert sorted(counts) == SHIPPED
    for spec in _declared_specs():
        assert TABLES[spec.file] is spec, (
            f"{spec.file}: the loader's spec is not the registered one"
        )


@pytest.mark.parametrize("file", SHIPPED)
def test_every_row_of_every_table_has_its_provenance(file):
    spec = TABLES[file]
    header = next(csv.reader((CSV_DIR / file).open(encoding="utf-8")))
    url_columns = [c for c in header if c == "url" or c.endswith("_url")]
    assert spec.provenance, f"{file} declares no provenance column"
    assert set(url_columns) <= set(spec.provenance) & set(spec.urls), (
        f"{file}: every URL column must be declared in provenance and urls"
    )
    table = read_table(spec)
    assert len(table) > 0
    for column in spec.provenance:
        empty = table.index[table[column].str.strip() == ""].tolist()
        assert not empty, f"{file}: {column} is empty in rows {empty}"
    for column in spec.urls:
        plain = set(table.loc[~table[column].str.startswith("https://"), column])
        allowed = HTTP_ONLY.get(file, set())
        assert plain <= allowed, f"{file}: {column} is not https in {sorted(plain - allowed)}"
        assert (table[column].str.len() > len("https://")).all()
    stale = HTTP_ONLY.get(file, set()) - set(table[list(spec.urls)].stack())
    assert not stale, f"{file}: remove {sorted(stale)} from HTTP_ONLY"


def test_a_status_that_needs_a_note_has_one_in_every_shipped_table():
    checked = 0
    for spec in TABLES.values():
        table = read_table(spec)
        for column, statuses in spec.note_required_for.items():
            rows = table[table[column].isin(statuses)]
            assert (rows["note"].str.len() > 0).all(), spec.file
            checked += len(rows)
    assert checked > 0  # the shipped tables do hold derived and qualified rows


# --- read_table on small tables ------------------------------------------------------------

SPEC = TableSpec(
    "chips.csv",
    ("chip", "year", "tflops", "share", "status", "source", "url", "note"),
    key="chip",
    numbers=("tflops", "share"),
    integers=("year",),
    optional=("share",),
    choices={"status": ("reported", "derived")},
    note_required_for={"status": ("derived",)},
)
GOOD = [
    {
        "chip": "A",
        "year": "2022",
        "tflops": "989",
        "share": "0.5",
        "status": "reported",
        "source": "Vendor sheet",
        "url": "https://a.example/sheet",
        "note": "",
    },
    {
        "chip": "B",
        "year": "2024",
        "tflops": "1979.5",
        "share": "",
        "status": "derived",
        "source": "Vendor blog",
        "url": "https://b.example/blog",
        "note": "twice the A figure",
    },
]
# The same without a key: rows are named by their position.
KEYLESS = TableSpec(
    "runs.csv",
    ("run", "seconds", "source"),
    unique=("run",),
    provenance=("source",),
    urls=(),
    numbers=("seconds",),
)


def _write(path: Path, rows: list[dict[str, str]], columns=None) -> Path:
    columns = list(columns or rows[0])
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _bad(tmp_path: Path, row: int = 1, **changes: str) -> Path:
    rows = [dict(r) for r in GOOD]
    rows[row].update(changes)
    return _write(tmp_path / "bad.csv", rows)


def test_a_valid_table_reads_with_typed_columns_and_round_trips(tmp_path):
    table = read_table(SPEC, _write(tmp_path / "good.csv", GOOD))
    assert list(table.columns) == list(SPEC.columns)
    assert isinstance(table.index, pd.RangeIndex)
    assert str(table["year"].dtype) == "int64" and table["year"].tolist() == [2022, 2024]
    assert table["tflops"].dtype == np.float64 and table["tflops"].tolist() == [989.0, 1979.5]
    assert table["share"].iloc[0] == 0.5 and math.isnan(table["share"].iloc[1])
    assert table["note"].tolist() == ["", "twice the A figure"]
    copy = tmp_path / "copy.csv"
    table.to_csv(copy, index=False)
    pd.testing.assert_frame_equal(read_table(SPEC, copy), table)


def test_cells_are_stripped_before_they_are_checked(tmp_path):
    path = _bad(tmp_path, chip=" B ", tflops=" 7 ", status=" derived ", url=" https://b.ex ")
    table = read_table(SPEC, path)
    assert table.loc[1, ["chip", "tflops", "status", "url"]].tolist() == [
        "B",
        7.0,
        "derived",
        "https://b.ex",
    ]


def test_optional_integers_are_nullable():
    spec = TableSpec("m.csv", ("month", "source", "url"), integers=("month",), optional=("month",))
    df = pd.DataFrame({"month": ["7", ""], "source": ["s", "s"], "url": ["https://x.y"] * 2})
    month = check_table(spec, df)["month"]
    assert str(month.dtype) == "Int64" and month.iloc[0] == 7 and month.isna().iloc[1]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tflops": "0"}, r"tflops must be a positive number \(got \['0'\] in rows \['B'\]\)"),
        ({"tflops": "-3"}, r"tflops must be a positive number \(got \['-3'\] in rows \['B'\]\)"),
        (
            {"tflops": "fast"},
            r"tflops must be a positive number \(got \['fast'\] in rows \['B'\]\)",
        ),
        ({"tflops": ""}, r"tflops must be a positive number \(got \[''\] in rows \['B'\]\)"),
        ({"tflops": "inf"}, r"tflops must be a positive number \(got \['inf'\] in rows \['B'\]\)"),
        ({"tflops": "nan"}, r"tflops must be a positive number \(got \['nan'\] in rows \['B'\]\)"),
        (
            {"year": "2024.5"},
            r"year must be a positive integer \(got \['2024.5'\] in rows \['B'\]\)",
        ),
        (
            {"share": "-1"},
            r"share must be empty or a positive number \(got \['-1'\] in rows \['B'\]\)",
        ),
        ({"source": " "}, r"source is empty in rows \['B'\]"),
        ({"url": ""}, r"url is empty in rows \['B'\]"),
        (
            {"url": "http://b.example"},
            r"url must start with https:// and hold no spaces "
            r"\(got \['http://b.example'\] in rows \['B'\]\)",
        ),
        ({"url": "https://b.example/a b"}, r"url must start with https:// .* in rows \['B'\]\)"),
        ({"url": "https://"}, r"url must start with https:// .* in rows \['B'\]\)"),
        (
            {"status": "guessed"},
            r"status must be one of \['reported', 'derived'\] "
            r"\(got \['guessed'\] in rows \['B'\]\)",
        ),
        (
            {"note": ""},
            r"a derived row needs a note saying why \(note is empty in rows \['B'\]\)",
        ),
        (
            {"chip": "A"},
            r"duplicate \['chip'\]: each must appear once \(got \['A'\] in rows \[0, 1\]\)",
        ),
        ({"chip": ""}, r"chip is empty in rows \[1\]"),
    ],
)
def test_a_bad_cell_is_named_by_file_column_and_row(tmp_path, changes, message):
    with pytest.raises(ValueError, match=f"^bad\\.csv: {message}"):
        read_table(SPEC, _bad(tmp_path, **changes))


def test_wrong_columns_are_named(tmp_path):
    missing = _write(tmp_path / "bad.csv", GOOD, [c for c in SPEC.columns if c != "url"])
    with pytest.raises(ValueError, match=r"^bad\.csv: columns must be .*missing .*\['url'\]"):
        read_table(SPEC, missing)
    rows = [dict(r, extra="x") for r in GOOD]
    extra = _write(tmp_path / "bad.csv", rows, [*SPEC.columns, "extra"])
    with pytest.raises(ValueError, match=r"^bad\.csv: columns must be .*unexpected .*\['extra'\]"):
        read_table(SPEC, extra)


@given(st.permutations(SPEC.columns))
def test_any_order_of_the_columns_but_the_declared_one_is_refused(columns):
    df = pd.DataFrame(GOOD)[list(columns)]
    if tuple(columns) == SPEC.columns:
        assert check_table(SPEC, df)["chip"].tolist() == ["A", "B"]
    else:
        with pytest.raises(ValueError, match=r"^columns must be .* in another order"):
            check_table(SPEC, df)


def test_keyless_rows_are_named_by_position(tmp_path):
    rows = [{"run": "r1", "seconds": "1.5", "source": "bench"}] * 2
    rows = [*rows[:1], {"run": "r2", "seconds": "-1", "source": "bench"}]
    with pytest.raises(ValueError, match=r"^runs\.csv: seconds must be .* in rows \[1\]\)"):
        read_table(KEYLESS, _write(tmp_path / "runs.csv", rows))
    repeated = [{"run": "r1", "seconds": "1", "source": "bench"}] * 3
    with pytest.raises(
        ValueError, match=r"^runs\.csv: duplicate \['run'\]: .* in rows \[0, 1, 2\]\)"
    ):
        read_table(KEYLESS, _write(tmp_path / "runs.csv", repeated))


def test_a_table_without_rows_is_refused(tmp_path):
    path = _write(tmp_path / "empty.csv", [], SPEC.columns)
    with pytest.raises(ValueError, match=r"^empty\.csv: no rows"):
        read_table(SPEC, path)


def test_long_lists_of_rows_are_cut():
    df = pd.DataFrame({"run": [f"r{i}" for i in range(25)], "seconds": "0", "source": "b"})
    with pytest.raises(
        ValueError, match=r"\(got \['0', .*'0'\] and 15 more in rows \[0, 1, .*, 9\] and 15 more\)$"
    ):
        check_table(KEYLESS, df)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"^chips\.csv: no file at .*absent\.csv"):
        read_table(SPEC, tmp_path / "absent.csv")
    unshipped = TableSpec("no_such_table.csv", ("source", "url"))
    with pytest.raises(FileNotFoundError, match="no_such_table.csv: no file at .*ships with"):
        read_table(unshipped)


def test_the_shipped_file_is_read_when_no_path_is_given():
    spec = TABLES["accelerators.csv"]
    assert read_table(spec).equals(read_table(spec, CSV_DIR / "accelerators.csv"))


def test_check_table_starts_messages_with_the_name_given_and_leaves_its_input_alone():
    df = pd.DataFrame(GOOD)
    df.loc[0, "tflops"] = "-1"
    with pytest.raises(ValueError, match=r"^tflops must be a positive number .* in rows \['A'\]"):
        check_table(SPEC, df)
    with pytest.raises(ValueError, match=r"^mine\.csv: tflops"):
        check_table(SPEC, df, "mine.csv")
    assert df.loc[0, "tflops"] == "-1"


# --- properties ----------------------------------------------------------------------------


def _one_row(**changes) -> pd.DataFrame:
    return pd.DataFrame([dict(GOOD[0], **changes)])


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_number_is_accepted_exactly_when_it_is_finite_and_positive(x):
    df = _one_row(tflops=repr(x))
    if math.isfinite(x) and x > 0:
        assert check_table(SPEC, df)["tflops"].iloc[0] == x  # read back exactly
    else:
        with pytest.raises(
            ValueError, match=r"tflops must be a positive number .* in rows \['A'\]\)"
        ):
            check_table(SPEC, df)


@given(st.integers(min_value=-(2**40), max_value=2**40))
def test_an_integer_is_accepted_exactly_when_it_is_positive(n):
    df = _one_row(year=str(n))
    if n > 0:
        assert check_table(SPEC, df)["year"].iloc[0] == n
    else:
        with pytest.raises(
            ValueError, match=r"year must be a positive integer .* in rows \['A'\]\)"
        ):
            check_table(SPEC, df)


@given(st.text(max_size=12))
def test_a_status_is_accepted_exactly_when_it_is_in_the_vocabulary(status):
    df = _one_row(status=status)
    if status.strip() == "reported":
        assert check_table(SPEC, df)["status"].iloc[0] == "reported"
    elif status.strip() == "derived":  # the row has no note
        with pytest.raises(ValueError, match="a derived row needs a note"):
            check_table(SPEC, df)
    else:
        with pytest.raises(ValueError, match=r"status must be one of .* in rows \['A'\]"):
            check_table(SPEC, df)


@given(st.one_of(st.text(max_size=20), st.text(max_size=12).map("https://{}".format)))
def test_a_url_is_accepted_exactly_when_it_is_https_without_spaces(url):
    df = _one_row(url=url)
    address = url.strip()
    ok = (
        address.startswith("https://")
        and len(address) > len("https://")
        and not any(c.isspace() for c in address)
    )
    if ok:
        assert check_table(SPEC, df)["url"].iloc[0] == address
    elif address == "":
        with pytest.raises(ValueError, match=r"url is empty in rows \['A'\]"):
            check_table(SPEC, df)
    else:
        with pytest.raises(ValueError, match=r"url must start with https://"):
            check_table(SPEC, df)


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)


@given(TEXT.filter(lambda s: s.strip() != ""))
def test_any_source_text_round_trips_through_a_file_stripped(source):
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder) / "t.csv", [dict(GOOD[0], source=source)])
        assert read_table(SPEC, path)["source"].iloc[0] == source.strip()


# --- the spec itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"key": "name"}, r"key names columns not in columns: \['name'\]"),
        ({"numbers": ("value", "width")}, r"numbers names columns not in columns: \['width'\]"),
        ({"urls": ("link",)}, r"urls names columns not in columns: \['link'\]"),
        ({"choices": {"state": ("a",)}}, r"choices names columns not in columns: \['state'\]"),
        ({"note_required_for": {"status": ("derived",)}}, r"note names columns .*\['note'\]"),
        (
            {"numbers": ("value",), "integers": ("value",)},
            r"a column is a number or an integer, not both: \['value'\]",
        ),
        (
            {"optional": ("source",)},
            r"optional and signed .* must be numbers or integers: \['source'\]",
        ),
        ({"columns": ("value", "value", "source", "url")}, "columns repeat"),
        ({"schemes": ()}, "schemes must name at least one"),
    ],
)
def test_an_inconsistent_spec_is_refused(fields, message):
    arguments = {"columns": ("value", "status", "source", "url")} | fields
    with pytest.raises(ValueError, match=f"^TableSpec\\('t.csv'\\): {message}"):
        TableSpec("t.csv", **arguments)


def test_register_keeps_one_spec_per_file(monkeypatch):
    monkeypatch.setattr(tables, "TABLES", {})
    spec = TableSpec("t.csv", ("source", "url"))
    assert register(spec) is spec
    same = TableSpec("t.csv", ("source", "url"))
    assert register(same) is same  # an equal spec again (a reloaded module) is fine
    with pytest.raises(ValueError, match="t.csv is declared by two different specs"):
        register(TableSpec("t.csv", ("source", "url", "note")))
    assert tables.TABLES == {"t.csv": spec}


def test_a_spec_holds_tuples_and_read_only_vocabularies():
    spec = TableSpec("t.csv", ["v", "status", "source", "url"], choices={"status": ["a", "b"]})
    assert spec.columns == ("v", "status", "source", "url")
    assert spec == TableSpec(
        "t.csv", ("v", "status", "source", "url"), choices={"status": ("a", "b")}
    )
    with pytest.raises(TypeError):
        spec.choices["status"] = ("c",)  # type: ignore[index]
