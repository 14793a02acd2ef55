"""One reader for the sourced tables in ``companion/data/csv/``: declare a spec, call a function.

Every CSV that ships with the companion is declared once by a :class:`TableSpec` (its columns,
which of them are numbers, which carry the provenance, which values a vocabulary allows) and
read by :func:`read_table`, which checks the declaration and names the file, the column and
the rows of any breach. What is particular to a table (a date column, a derived column, a
cross-column rule) stays in its loader, after the call. Loaders :func:`register` their specs in
:data:`TABLES`, so a test can check that every shipped file is declared and sourced.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from companion.data import read_csv_file

__all__ = ["TABLES", "TableSpec", "check_table", "read_table", "register"]


@dataclass(frozen=True)
class TableSpec:
    """What a sourced table must look like: a declaration read by :func:`read_table`.

    Text columns are stripped of surrounding spaces and stay strings; numbers are checked and
    converted; every other rule is a tuple of column names.

    Attributes
    ----------
    file : str
        Name of the shipped file in ``companion/data/csv/``.
    columns : tuple of str
        The exact columns, in order.
    key : str, optional
        A column naming each row: never empty, never repeated, and used to name bad rows in
        errors (else rows are named by their 0-based position among the data rows).
    unique : tuple of str
        Columns whose values, taken together, must not repeat (checked after conversion).
    required : tuple of str
        Columns that must not be empty (besides ``key`` and ``provenance``).
    provenance : tuple of str
        Columns saying where each row comes from; never empty.
    urls : tuple of str
        Columns of web addresses: each starts with one of ``schemes`` and holds no spaces.
    schemes : tuple of str
        Allowed beginnings of a web address.
    numbers : tuple of str
        Columns of finite, positive floats (float64).
    integers : tuple of str
        Columns of positive whole numbers (int64; ``Int64`` when also ``optional``).
    optional : tuple of str
        Numbers or integers that may be empty (NaN, or ``<NA>`` for integers).
    signed : tuple of str
        Numbers or integers that may also be zero or negative.
    choices : Mapping of str to tuple of str
        Vocabularies: column -> the values it may hold (e.g. ``{"status": ("reported",)}``).
    note_required_for : Mapping of str to tuple of str
        Column -> values whose rows need a non-empty ``note`` saying why (e.g.
        ``{"status": ("derived",)}``).

    Raises
    ------
    ValueError
        If the spec names a column that is not in ``columns`` (``note`` included, when
        ``note_required_for`` is given), lists a column twice, declares a column both a
        number and an integer, an optional or signed column that is neither, or no scheme.

    Examples
    --------
    >>> spec = TableSpec("t.csv", ("item", "value", "source", "url"), key="item",
    ...                  numbers=("value",))
    >>> spec.provenance, spec.urls
    (('source', 'url'), ('url',))
    """

    file: str
    columns: tuple[str, ...]
    key: str | None = None
    unique: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    provenance: tuple[str, ...] = ("source", "url")
    urls: tuple[str, ...] = ("url",)
    schemes: tuple[str, ...] = ("https://",)
    numbers: tuple[str, ...] = ()
    integers: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    signed: tuple[str, ...] = ()
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    note_required_for: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # tuples and read-only mappings, whatever was passed: a spec cannot change once made
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in {"choices", "note_required_for"}:
                value = MappingProxyType({k: tuple(v) for k, v in dict(value).items()})
            elif isinstance(value, (list, tuple)):
                value = tuple(value)
            object.__setattr__(self, f.name, value)
        where = f"TableSpec({self.file!r})"
        if len(set(self.columns)) != len(self.columns):
            raise ValueError(f"{where}: columns repeat: {list(self.columns)}")
        named = {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in {"file", "columns", "schemes", "choices", "note_required_for"}
        }
        named["key"] = () if self.key is None else (self.key,)
        named["choices"] = tuple(self.choices)
        named["note_required_for"] = tuple(self.note_required_for)
        if self.note_required_for:
            named["note"] = ("note",)
        for name, columns in named.items():
            unknown = [c for c in columns if c not in self.columns]
            if unknown:
                raise ValueError(f"{where}: {name} names columns not in columns: {unknown}")
        both = sorted(set(self.numbers) & set(self.integers))
        if both:
            raise ValueError(f"{where}: a column is a number or an integer, not both: {both}")
        loose = sorted(set(self.optional + self.signed) - set(self.numbers + self.integers))
        if loose:
            raise ValueError(
                f"{where}: optional and signed columns must be numbers or integers: {loose}"
            )
        if not self.schemes:
            raise ValueError(f"{where}: schemes must name at least one, e.g. 'https://'")

    def file_name(self, path: str | os.PathLike[str] | None = None) -> str:
        """The name errors start with: that of ``path``, else :attr:`file`.

        Examples
        --------
        >>> TableSpec("t.csv", ("source", "url")).file_name("/tmp/mine.csv")
        'mine.csv'
        """
        return self.file if path is None else Path(path).name

    def row_names(self, df: pd.DataFrame, mask: pd.Series | np.ndarray) -> list:
        """The rows where ``mask`` holds, named by :attr:`key`, else by 0-based position.

        Examples
        --------
        >>> spec = TableSpec("t.csv", ("item", "source", "url"), key="item")
        >>> df = pd.DataFrame({"item": ["a", "b"], "source": ["s", ""], "url": ["u", "u"]})
        >>> spec.row_names(df, df["source"] == "")
        ['b']
        """
        mask = np.asarray(mask, dtype=bool)
        if self.key is not None and self.key in df.columns:
            return df[self.key][mask].tolist()
        return [int(i) for i in np.flatnonzero(mask)]


#: Every spec a loader registered, by file name.
TABLES: dict[str, TableSpec] = {}


def register(spec: TableSpec) -> TableSpec:
    """Record ``spec`` in :data:`TABLES` and return it (one spec per file).

    Raises
    ------
    ValueError
        If another, different spec already claims the same file.

    Examples
    --------
    >>> spec = TableSpec("example.csv", ("source", "url"))
    >>> register(spec) is spec, TABLES.pop("example.csv") == spec
    (True, True)
    """
    known = TABLES.get(spec.file)
    if known is not None and known != spec:
        raise ValueError(f"{spec.file} is declared by two different specs: {known} and {spec}")
    TABLES[spec.file] = spec
    return spec


def read_table(spec: TableSpec, path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read a sourced table and check it against its spec.

    Parameters
    ----------
    spec : TableSpec
        The declaration of the table.
    path : str or path-like, optional
        A CSV to read instead of the file shipped as ``companion/data/csv/<spec.file>``.

    Returns
    -------
    pandas.DataFrame
        As :func:`check_table`: the columns of ``spec`` in order, text stripped, numbers
        converted, a fresh ``RangeIndex``.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path`` (or the shipped file is missing).
    ValueError
        If the file is not CSV text (see :func:`companion.data.read_csv_file`), or as
        :func:`check_table`; the message starts with the file's name.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> spec = TableSpec("chips.csv", ("chip", "tflops", "source", "url"), key="chip",
    ...                  numbers=("tflops",))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "chips.csv"
    >>> _ = path.write_text("chip,tflops,source,url\\nX1, 989 ,Vendor,https://x.example\\n")
    >>> read_table(spec, path).to_dict("records")
    [{'chip': 'X1', 'tflops': 989.0, 'source': 'Vendor', 'url': 'https://x.example'}]
    >>> _ = path.write_text("chip,tflops,source,url\\nX1,-1,Vendor,https://x.example\\n")
    >>> read_table(spec, path)
    Traceback (most recent call last):
    ...
    ValueError: chips.csv: tflops must be a positive number (got ['-1'] in rows ['X1'])
    """
    if path is None:
        shipped = resources.files("companion.data") / "csv" / spec.file
        with resources.as_file(shipped) as p:
            if not Path(p).exists():
                raise FileNotFoundError(
                    f"{spec.file}: no file at {p} (the table ships with the companion in "
                    "companion/data/csv/; reinstall the package or pass path=)"
                )
            df = read_csv_file(p, dtype=str, keep_default_na=False)
    else:
        if isinstance(path, (str, os.PathLike)) and not Path(path).exists():
            raise FileNotFoundError(f"{spec.file}: no file at {path}")
        df = read_csv_file(path, dtype=str, keep_default_na=False)
    return check_table(spec, df, spec.file_name(path))


def check_table(spec: TableSpec, df: pd.DataFrame, name: str | None = None) -> pd.DataFrame:
    """Check a table read as text against its spec, and convert its numbers.

    :func:`read_table` calls it with the file's name; call it directly to check a table that
    did not come from a file.

    Parameters
    ----------
    spec : TableSpec
        The declaration of the table.
    df : pandas.DataFrame
        The table as read (cells as text).
    name : str, optional
        What error messages start with (``"<name>: "``), e.g. the file's name; default:
        nothing.

    Returns
    -------
    pandas.DataFrame
        A copy: text stripped, numbers as float64, integers as int64 (``Int64`` when
        optional), a fresh ``RangeIndex``.

    Raises
    ------
    ValueError
        The message names the column and the rows (by ``spec.key``, else by position, with
        the bad values: ``(got [...] in rows [...])``) when: the columns are not exactly
        ``spec.columns``; there are no rows; a key, required or provenance cell is empty; a
        number does not parse, is not finite, is not positive (unless signed) or not whole
        (integers); a URL does not start with an allowed scheme or holds spaces; a value is
        outside its vocabulary; a row whose status needs a note has none; a key or a
        ``unique`` combination repeats.

    Examples
    --------
    >>> spec = TableSpec("t.csv", ("item", "status", "note", "source", "url"),
    ...                  choices={"status": ("reported", "derived")},
    ...                  note_required_for={"status": ("derived",)})
    >>> df = pd.DataFrame([["a", "derived", "", "S", "https://s.example"]], columns=spec.columns)
    >>> check_table(spec, df, "t.csv")
    Traceback (most recent call last):
    ...
    ValueError: t.csv: a derived row needs a note saying why (note is empty in rows [0])
    >>> check_table(spec, df.assign(status="guessed"))
    Traceback (most recent call last):
    ...
    ValueError: status must be one of ['reported', 'derived'] (got ['guessed'] in rows [0])
    """
    at = "" if name is None else f"{name}: "
    _check_columns(spec, df, at)
    if len(df) == 0:
        raise ValueError(f"{at}no rows (a sourced table needs at least one)")
    df = df.astype(str).apply(lambda column: column.str.strip()).reset_index(drop=True)
    if spec.key is not None:  # first, so that later errors can name rows by it
        empty = df[spec.key] == ""
        if empty.any():
            raise ValueError(f"{at}{spec.key} is empty in rows {_some(_positions(empty))}")
        _check_unique(df, at, (spec.key,))
    for column in dict.fromkeys(spec.provenance + spec.required):
        empty = df[column] == ""
        if empty.any():
            raise ValueError(f"{at}{column} is empty in rows {_some(spec.row_names(df, empty))}")
    for column in spec.columns:
        if column in spec.numbers or column in spec.integers:
            df[column] = _number(spec, df, at, column)
    address = "(?:" + "|".join(re.escape(s) for s in spec.schemes) + r")\S+"
    for column in spec.urls:
        wrong = (df[column] != "") & ~df[column].str.fullmatch(address).astype(bool)
        if wrong.any():
            raise ValueError(
                f"{at}{column} must start with {' or '.join(spec.schemes)} and hold no spaces "
                + _where(spec, df, wrong, df.loc[wrong, column])
            )
    for column, allowed in spec.choices.items():
        wrong = ~df[column].isin(allowed)
        if wrong.any():
            got = sorted(set(df.loc[wrong, column]))
            raise ValueError(
                f"{at}{column} must be one of {list(allowed)} " + _where(spec, df, wrong, got)
            )
    for column, statuses in spec.note_required_for.items():
        silent = df[column].isin(statuses) & (df["note"] == "")
        if silent.any():
            which = " or ".join(s for s in statuses if s in set(df.loc[silent, column]))
            raise ValueError(
                f"{at}a {which} row needs a note saying why "
                f"(note is empty in rows {_some(spec.row_names(df, silent))})"
            )
    if spec.unique:
        _check_unique(df, at, spec.unique)
    return df


def _positions(mask: pd.Series | np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(np.asarray(mask, dtype=bool))]


def _some(items: pd.Series | list, limit: int = 10) -> str:
    """``str`` of a list, cut after ``limit`` items with a count of the rest."""
    items = list(items)
    if len(items) <= limit:
        return str(items)
    return f"{items[:limit]} and {len(items) - limit} more"


def _where(spec: TableSpec, df: pd.DataFrame, mask: pd.Series | np.ndarray, got) -> str:
    """``(got [values] in rows [names])``, both lists cut after 10 items."""
    return f"(got {_some(got)} in rows {_some(spec.row_names(df, mask))})"


def _check_columns(spec: TableSpec, df: pd.DataFrame, at: str) -> None:
    got = [str(c) for c in df.columns]
    if tuple(got) == spec.columns:
        return
    missing = [c for c in spec.columns if c not in got]
    extra = [c for c in got if c not in spec.columns]
    details = []
    if missing:
        details.append(f"missing required columns {missing}")
    if extra:
        details.append(f"unexpected columns {extra}")
    if not details:
        details.append("the same columns in another order (or repeated)")
    raise ValueError(f"{at}columns must be {list(spec.columns)} (got {got}): {'; '.join(details)}")


def _check_unique(df: pd.DataFrame, at: str, columns: tuple[str, ...]) -> None:
    repeated = df.duplicated(list(columns), keep=False)
    if repeated.any():
        rows = _some(_positions(repeated))
        where = f"in rows {rows}"
        if len(columns) == 1:
            where = f"got {sorted(set(df.loc[repeated, columns[0]].astype(str)))} {where}"
        raise ValueError(f"{at}duplicate {list(columns)}: each must appear once ({where})")


def _number(spec: TableSpec, df: pd.DataFrame, at: str, column: str) -> pd.Series:
    text = df[column]
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    number = values.to_numpy()
    whole = column in spec.integers
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(number)
        if column not in spec.signed:
            bad |= ~(number > 0)
        if whole:
            bad |= np.isfinite(number) & (number != np.round(number))
    if column in spec.optional:
        bad &= (text != "").to_numpy()
    if bad.any():
        kind = "an integer" if whole else "a number"
        if column not in spec.signed:
            kind = "a positive integer" if whole else "a positive number"
        if column in spec.optional:
            kind = f"empty or {kind}"
        raise ValueError(f"{at}{column} must be {kind} " + _where(spec, df, bad, text[bad]))
    if not whole:
        return values
    return values.astype("Int64" if column in spec.optional else "int64")
