"""companion.maths.growth: log-linear growth fits and doubling times."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from companion.maths.growth import GrowthFit, fit_growth


def test_exact_exponential_recovers_its_doubling_time():
    years = np.arange(2010, 2021)
    values = 3.0 * 2.0 ** ((years - 2010) / 0.5)  # doubles every half year
    fit = fit_growth(years, values)
    assert fit.doubling_time_years == pytest.approx(0.5, rel=1e-12)
    assert fit.factor_per_year == pytest.approx(4.0, rel=1e-12)
    assert fit.r_squared == pytest.approx(1.0)
    assert (fit.first_year, fit.last_year, fit.n) == (2010, 2020, 11)
    np.testing.assert_allclose(fit.predict(years), values, rtol=1e-12)
    assert fit.center_year == 2015.0


def test_slope_and_r_squared_match_scipy_linregress():
    rng = np.random.default_rng(0)
    years = np.sort(rng.uniform(2012, 2024, size=15))
    values = np.exp(0.8 * (years - 2012) + rng.normal(0, 0.5, size=15))
    fit = fit_growth(years, values)
    oracle = stats.linregress(years, np.log(values))
    assert fit.slope == pytest.approx(oracle.slope, rel=1e-10)
    assert fit.intercept == pytest.approx(
        oracle.intercept + oracle.slope * fit.center_year, rel=1e-10
    )
    assert fit.r_squared == pytest.approx(oracle.rvalue**2, rel=1e-10)


@settings(max_examples=50, deadline=None)
@given(
    scale=st.floats(1e-6, 1e6),
    rate=st.floats(-2.0, 2.0).filter(lambda r: abs(r) > 1e-3),
)
def test_doubling_time_ignores_the_unit_of_the_values(scale, rate):
    years = np.arange(2015.0, 2025.0)
    base = np.exp(rate * (years - 2015)) * (1 + 0.1 * np.sin(years))
    a, b = fit_growth(years, base), fit_growth(years, scale * base)
    assert b.doubling_time_years == pytest.approx(a.doubling_time_years, rel=1e-9)
    assert math.copysign(1, a.doubling_time_years) == math.copysign(1, rate)


def test_printed_line_names_the_range_of_years():
    fit = fit_growth([2017, 2019, 2021], [1.0, 4.0, 16.0])
    assert str(fit) == (
        "doubling time 12.0 months (x2.00 per year), fitted on 3 points, 2017-2021, R^2 = 1.00"
    )
    assert isinstance(fit, GrowthFit)


@pytest.mark.parametrize(
    ("years", "values", "message"),
    [
        ([2020, 2021], [1.0, 2.0], "at least 3 points"),
        ([2020, 2021, 2022], [1.0, 2.0], "same length"),
        ([2020, 2021, 2022], [1.0, 0.0, 2.0], "positive and finite"),
        ([2020, 2021, 2022], [1.0, np.nan, 2.0], "positive and finite"),
        ([2020, 2020, 2020], [1.0, 2.0, 3.0], "must not all be equal"),
    ],
)
def test_bad_input_is_rejected(years, values, message):
    with pytest.raises(ValueError, match=message):
        fit_growth(years, values)
