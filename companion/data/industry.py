"""Sourced industry tables: AI investment, large-model funding events, landmark models, costs.

Explained in Part I (Background): "From AlexNet to GPT", "The money" and "Financing trends and
ecosystem strategy".

The tables ship with the library as CSV files in ``companion/data/csv/``. Every row names its
``source`` and the ``url`` where the figure was read; a ``status`` column says whether the figure
is reported as such or is approximate, a lower bound, a partial year, derived by arithmetic from
reported figures, uncertain (a single secondary source, or sources that disagree) or
provisional (recent); every status other than ``reported`` carries a ``note`` that says why.
Editions of a report that revise earlier years are kept as separate rows (column ``edition``),
never spliced into one series.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from companion.data import read_csv_file

__all__ = [
    "STATUSES",
    "YEAR_RANGE",
    "investment_series",
    "load_costs",
    "load_funding_events",
    "load_investment",
    "load_models",
]

#: What a figure is: reported as such, or qualified (each qualified row carries a note).
STATUSES: tuple[str, ...] = (
    "reported",
    "approximate",
    "lower_bound",
    "partial_year",
    "derived",
    "uncertain",
    "provisional",
    "not_available",
)
#: Years a row may carry, inclusive: the tables cover 2010 to the latest reports.
YEAR_RANGE: tuple[int, int] = (2010, 2026)


@dataclass(frozen=True)
class _Spec:
    """Columns of one table by type; ``key`` columns identify a row uniquely."""

    filename: str
    text: tuple[str, ...]
    floats: tuple[str, ...] = ()
    required_floats: tuple[str, ...] = ()
    nullable_ints: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    status_column: str = "status"

    @property
    def columns(self) -> tuple[str, ...]:
        return ("year", *self.text, *self.floats, *self.required_floats, *self.nullable_ints)


_COMMON = ("source", "url", "note")
_INVESTMENT = _Spec(
    "ai_investment.csv",
    text=("measure", "segment", "unit", "publisher", "edition", "status", *_COMMON),
    required_floats=("value",),
    key=("year", "measure", "segment", "edition"),
)
_FUNDING = _Spec(
    "funding_events.csv",
    text=("company", "event_type", "currency", "lead_investors", "status", *_COMMON),
    floats=("amount_usd_bn", "valuation_usd_bn"),
    required_floats=("amount",),
    nullable_ints=("month",),
)
_MODELS = _Spec(
    "landmark_models.csv",
    text=("model", "organization", "compute_status", "gpu", *_COMMON),
    floats=("training_tokens", "training_compute_flop", "gpu_hours"),
    required_floats=("parameters",),
    key=("model",),
    status_column="compute_status",
)
_COSTS = _Spec(
    "ai_costs.csv",
    text=("item", "unit", "kind", "status", *_COMMON),
    required_floats=("value",),
    key=("item", "year", "value"),
)


def load_investment(path: str | Path | None = None) -> pd.DataFrame:
    """AI private, generative-AI and corporate investment by year, one row per figure and edition.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with the same columns; default: the table shipped with the library.

    Returns
    -------
    pandas.DataFrame
        ``year`` (int64), ``value`` (float64) and the text columns ``measure``, ``segment``,
        ``unit``, ``publisher``, ``edition``, ``status``, ``source``, ``url``, ``note`` (string).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If a column is missing, a number does not parse, a year is outside :data:`YEAR_RANGE`,
        a ``source`` or ``url`` is empty, a status is unknown or lacks its note, or a
        (year, measure, segment, edition) appears twice.

    Examples
    --------
    >>> df = load_investment()
    >>> investment_series(df, "ai_private_investment", "AI Index 2025")[2024]
    np.float64(150.8)
    """
    return _load(_INVESTMENT, path)


def load_funding_events(path: str | Path | None = None) -> pd.DataFrame:
    """Notable large-model funding events (rounds, strategic investments, licence deals, IPOs).

    ``amount`` is in the ``currency`` the source gives (``"USD bn"``, ``"EUR m"``, ...);
    ``amount_usd_bn`` is filled only where the source states a US-dollar figure (for
    "up to" deals, the part paid up front); ``month`` may be missing. Validation and errors
    as in :func:`load_investment`.

    Examples
    --------
    >>> events = load_funding_events()
    >>> float(events.query("company == 'OpenAI' and year == 2025")["amount_usd_bn"].iloc[0])
    40.0
    """
    df = _load(_FUNDING, path)
    bad = df["month"].dropna()
    bad = bad[(bad < 1) | (bad > 12)]
    if len(bad):
        raise ValueError(f"{_FUNDING.filename}: month must be 1-12 (got {bad.tolist()})")
    return df


def load_models(path: str | Path | None = None) -> pd.DataFrame:
    """Landmark models: year, parameters, training tokens and training compute (FLOP).

    ``compute_status`` says whether the compute is the authors' figure (``reported``),
    computed here as :math:`6ND` from the stated parameters and tokens (``derived``) or
    absent (``not_available``). Validation and errors as in :func:`load_investment`.

    Examples
    --------
    >>> models = load_models()
    >>> float(models.set_index("model").loc["GPT-3", "training_compute_flop"])
    3.14e+23
    """
    return _load(_MODELS, path)


def load_costs(path: str | Path | None = None) -> pd.DataFrame:
    """Training-cost estimates, accelerator throughput, GPU and inference prices, lab finances.

    Validation and errors as in :func:`load_investment`.

    Examples
    --------
    >>> costs = load_costs()
    >>> costs.query("item == 'GPT-4'")["value"].iloc[0] / 1e6
    np.float64(78.4)
    """
    return _load(_COSTS, path)


def investment_series(
    df: pd.DataFrame, measure: str, edition: str, segment: str = "world"
) -> pd.Series:
    """One measure of one edition as a series indexed by year (never mixing editions).

    Parameters
    ----------
    df : pandas.DataFrame
        As returned by :func:`load_investment`.
    measure, edition, segment : str
        E.g. ``"ai_private_investment"``, ``"AI Index 2025"``, ``"world"``.

    Returns
    -------
    pandas.Series
        Values (float64) indexed by year, sorted, named after the measure and edition.

    Raises
    ------
    ValueError
        If no row matches; the message lists the editions that carry the measure.
    """
    rows = df[(df["measure"] == measure) & (df["edition"] == edition) & (df["segment"] == segment)]
    if rows.empty:
        editions = sorted(set(df.loc[df["measure"] == measure, "edition"]))
        raise ValueError(
            f"no rows for measure={measure!r}, edition={edition!r}, segment={segment!r} "
            f"(editions with this measure: {editions})"
        )
    series = rows.set_index("year")["value"].sort_index()
    series.name = f"{measure} ({edition})"
    return series


def _load(spec: _Spec, path: str | Path | None) -> pd.DataFrame:
    if path is None:
        source = resources.files("companion.data").joinpath("csv").joinpath(spec.filename)
        path = Path(str(source))
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{spec.filename}: no file at {path} (the table ships with the companion in "
            "companion/data/csv/; reinstall the package or pass path=)"
        )
    raw = read_csv_file(path, dtype=str, keep_default_na=False)
    missing = [c for c in spec.columns if c not in raw.columns]
    if missing:
        raise ValueError(
            f"{path.name}: missing required columns {missing} (got {list(raw.columns)})"
        )
    df = raw[[c for c in raw.columns if c in spec.columns]].copy()
    for column in spec.text:
        df[column] = df[column].str.strip().astype("string")
    df["year"] = _numbers(df, "year", path.name, required=True).astype("int64")
    for column in spec.required_floats:
        df[column] = _numbers(df, column, path.name, required=True)
    for column in spec.floats:
        df[column] = _numbers(df, column, path.name, required=False)
    for column in spec.nullable_ints:
        df[column] = _numbers(df, column, path.name, required=False).astype("Int64")
    _validate(df, spec, path.name)
    return df


def _numbers(df: pd.DataFrame, column: str, name: str, *, required: bool) -> pd.Series:
    text = df[column].str.strip()
    parsed = pd.to_numeric(text.replace("", np.nan), errors="coerce")
    bad = parsed.isna() & ((text != "") | required)
    if bad.any():
        raise ValueError(
            f"{name}: column {column!r} must be a number{'' if required else ' or empty'} "
            f"(bad values {text[bad].tolist()} in lines {_lines(bad)})"
        )
    if column == "year" and not np.array_equal(parsed, parsed.round()):
        raise ValueError(f"{name}: column 'year' must hold whole years (got {parsed.tolist()})")
    return parsed.astype("float64")


def _validate(df: pd.DataFrame, spec: _Spec, name: str) -> None:
    for column in ("source", "url"):
        empty = df[column] == ""
        if empty.any():
            raise ValueError(f"{name}: every row needs a {column} (empty in lines {_lines(empty)})")
    not_web = ~df["url"].str.match(r"https?://")
    if not_web.any():
        raise ValueError(
            f"{name}: url must start with http:// or https:// (lines {_lines(not_web)})"
        )
    low, high = YEAR_RANGE
    outside = ~df["year"].between(low, high)
    if outside.any():
        raise ValueError(
            f"{name}: year must be in {low}-{high} (got {df.loc[outside, 'year'].tolist()} "
            f"in lines {_lines(outside)})"
        )
    status = df[spec.status_column]
    unknown = ~status.isin(STATUSES)
    if unknown.any():
        raise ValueError(
            f"{name}: {spec.status_column} must be one of {list(STATUSES)} "
            f"(got {sorted(set(status[unknown]))})"
        )
    unexplained = (status != "reported") & (df["note"] == "")
    if unexplained.any():
        raise ValueError(
            f"{name}: a figure that is not simply reported needs a note saying why "
            f"(lines {_lines(unexplained)})"
        )
    if spec.key:
        duplicated = df.duplicated(list(spec.key), keep=False)
        if duplicated.any():
            raise ValueError(f"{name}: duplicate {list(spec.key)} in lines {_lines(duplicated)}")


def _lines(mask: pd.Series) -> list[int]:
    # File line numbers: the header is line 1.
    return [int(i) + 2 for i in np.flatnonzero(mask.to_numpy())]
