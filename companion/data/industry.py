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

from pathlib import Path

import pandas as pd

from companion.data.tables import TableSpec, read_table, register

__all__ = [
    "AI_COSTS",
    "AI_INVESTMENT",
    "FUNDING_EVENTS",
    "LANDMARK_MODELS",
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

_QUALIFIED = STATUSES[1:]  # every status but "reported" needs a note saying why
# Some publishers serve their reports over http only: those rows keep the address they have.
_WEB = ("http://", "https://")

#: The declaration of ``ai_investment.csv`` read by :func:`~companion.data.tables.read_table`.
AI_INVESTMENT = register(
    TableSpec(
        "ai_investment.csv",
        (
            "year", "measure", "segment", "value", "unit", "publisher", "edition",
            "status", "source", "url", "note",
        ),
        unique=("year", "measure", "segment", "edition"),
        schemes=_WEB,
        numbers=("value",),
        integers=("year",),
        signed=("value",),  # growth rates can be negative
        choices={"status": STATUSES},
        note_required_for={"status": _QUALIFIED},
    )
)  # fmt: skip
#: The declaration of ``funding_events.csv`` read by :func:`~companion.data.tables.read_table`.
FUNDING_EVENTS = register(
    TableSpec(
        "funding_events.csv",
        (
            "year", "month", "company", "event_type", "amount", "currency", "amount_usd_bn",
            "valuation_usd_bn", "lead_investors", "status", "source", "url", "note",
        ),
        schemes=_WEB,
        numbers=("amount", "amount_usd_bn", "valuation_usd_bn"),
        integers=("year", "month"),
        optional=("month", "amount_usd_bn", "valuation_usd_bn"),
        choices={"status": STATUSES},
        note_required_for={"status": _QUALIFIED},
    )
)  # fmt: skip
#: The declaration of ``landmark_models.csv`` read by :func:`~companion.data.tables.read_table`.
LANDMARK_MODELS = register(
    TableSpec(
        "landmark_models.csv",
        (
            "model", "year", "organization", "parameters", "training_tokens",
            "training_compute_flop", "compute_status", "gpu_hours", "gpu", "source", "url",
            "note",
        ),
        key="model",
        schemes=_WEB,
        numbers=("parameters", "training_tokens", "training_compute_flop", "gpu_hours"),
        integers=("year",),
        optional=("training_tokens", "training_compute_flop", "gpu_hours"),
        choices={"compute_status": STATUSES},
        note_required_for={"compute_status": _QUALIFIED},
    )
)  # fmt: skip
#: The declaration of ``ai_costs.csv`` read by :func:`~companion.data.tables.read_table`.
AI_COSTS = register(
    TableSpec(
        "ai_costs.csv",
        ("item", "year", "value", "unit", "kind", "status", "source", "url", "note"),
        unique=("item", "year", "value"),
        schemes=_WEB,
        numbers=("value",),
        integers=("year",),
        signed=("value",),
        choices={"status": STATUSES},
        note_required_for={"status": _QUALIFIED},
    )
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
        If a column is missing or extra, a number does not parse (or is not positive, for
        every number but ``value``), a year is not whole or is outside :data:`YEAR_RANGE`, a
        ``source`` or ``url`` is empty, a ``url`` is not an http(s) address, a status is
        unknown or lacks its note, or a (year, measure, segment, edition) appears twice.

    Examples
    --------
    >>> df = load_investment()
    >>> investment_series(df, "ai_private_investment", "AI Index 2025")[2024]
    np.float64(150.8)
    """
    return _load(AI_INVESTMENT, path)


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
    df = _load(FUNDING_EVENTS, path)
    bad = df["month"].notna() & ~df["month"].between(1, 12)
    if bad.any():
        raise ValueError(
            f"{FUNDING_EVENTS.file_name(path)}: month must be 1-12 "
            f"(got {df.loc[bad, 'month'].tolist()}) in rows {FUNDING_EVENTS.row_names(df, bad)}"
        )
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
    return _load(LANDMARK_MODELS, path)


def load_costs(path: str | Path | None = None) -> pd.DataFrame:
    """Training-cost estimates, accelerator throughput, GPU and inference prices, lab finances.

    Validation and errors as in :func:`load_investment`.

    Examples
    --------
    >>> costs = load_costs()
    >>> costs.query("item == 'GPT-4'")["value"].iloc[0] / 1e6
    np.float64(78.4)
    """
    return _load(AI_COSTS, path)


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


def _load(spec: TableSpec, path: str | Path | None) -> pd.DataFrame:
    df = read_table(spec, path)
    low, high = YEAR_RANGE
    outside = ~df["year"].between(low, high)
    if outside.any():
        raise ValueError(
            f"{spec.file_name(path)}: year must be in {low}-{high} "
            f"(got {df.loc[outside, 'year'].tolist()} in rows {spec.row_names(df, outside)})"
        )
    text = [c for c in spec.columns if c not in spec.numbers + spec.integers]
    df[text] = df[text].astype("string")
    return df
