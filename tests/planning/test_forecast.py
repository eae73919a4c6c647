"""The forecast stepped from hand-made fitted models: the same arithmetic as the oracles, bands
that match a simulation of the children themselves, costs to the penny, care leavers ageing."""

from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from tandem.planning.fit import Fitted
from tandem.planning.forecast import add_months, project
from tandem.planning.markov import run
from tandem.planning.shape import standard

SHAPE = standard()
N = len(SHAPE.states)


def fitted(stock, rates=None, entrants=None, **extra):
    return Fitted(
        shape=SHAPE,
        method="tandem",
        states=SHAPE.states,
        window=(date(2024, 1, 1), date(2024, 12, 31)),
        start=date(2024, 12, 31),
        rates=np.zeros((N, N + 1)) if rates is None else rates,
        entrants=np.zeros(N) if entrants is None else entrants,
        stock=np.array(stock, dtype=float),
        moves=np.zeros((N, N + 1)),
        at_risk=np.zeros(N),
        **extra,
    )


def s(band, category):
    return SHAPE.states.index((band, category))


FOSTER, RESI = s("10_to_15", "fostering"), s("10_to_15", "residential")


def test_the_forecast_steps_as_the_oracles_do():
    stock = np.zeros(N)
    stock[FOSTER] = 100
    rates = np.zeros((N, N + 1))
    rates[FOSTER, RESI] = 0.1
    rates[RESI, FOSTER] = 0.05
    forecast = project(fitted(stock, rates), months=1)
    square = np.zeros((N, N))
    square[FOSTER, RESI], square[RESI, FOSTER] = 0.1, 0.05
    expected = run(stock, square, steps=25)
    assert forecast.mean[25] == pytest.approx(expected[25])
    assert round(forecast.mean[25][FOSTER], 1) == 34.5


def test_bands_match_a_simulation_of_the_children():
    """Children leave fostering at 2 % a day and move to residential at 1 %; two arrive a day.
    The variance the forecast carries equals that of 20,000 simulated runs, in total and by
    category."""
    stock = np.zeros(N)
    stock[FOSTER], stock[RESI] = 60, 20
    rates = np.zeros((N, N + 1))
    rates[FOSTER, N], rates[FOSTER, RESI], rates[RESI, FOSTER] = 0.02, 0.01, 0.03
    entrants = np.zeros(N)
    entrants[FOSTER] = 2.0
    forecast = project(fitted(stock, rates, entrants), months=1)
    rng = np.random.default_rng(3)
    runs = 20_000
    f = np.full(runs, 60)
    r = np.full(runs, 20)
    for _ in range(30):
        moves = rng.multinomial(f, [0.02, 0.01, 0.97])
        back = rng.binomial(r, 0.03)
        f = moves[:, 2] + back + rng.poisson(2.0, runs)
        r = r - back + moves[:, 1]
    total = f + r
    assert forecast.mean[30].sum() == pytest.approx(total.mean(), rel=0.01)
    assert forecast.var_total[30] == pytest.approx(total.var(), rel=0.05)
    fostering = SHAPE.categories.index(next(c for c in SHAPE.categories if c.code == "fostering"))
    assert forecast.var_category[30][fostering] == pytest.approx(f.var(), rel=0.05)
    low, high = forecast.band("95")
    assert low[30] < total.mean() < high[30]


def test_costs_by_financial_year_reconcile_to_the_penny():
    """Seven children fostered throughout, for the months to 31 May 2025: January to March
    (90 days) in 2024-25 and April to May (61 days) in 2025-26, at £820 a week."""
    stock = np.zeros(N)
    stock[FOSTER] = 7
    forecast = project(fitted(stock), months=5)
    years = forecast.costs()
    weekly = Decimal("820.00")
    assert [y["year"] for y in years] == ["2024-25", "2025-26"]
    assert years[0]["fostering"] == (Decimal(7 * 90) * weekly / 7).quantize(Decimal("0.01"))
    assert years[1]["fostering"] == (Decimal(7 * 61) * weekly / 7).quantize(Decimal("0.01"))
    assert all(y["total"] == sum(y[c.code] for c in SHAPE.categories) for y in years)
    assert years[0]["residential"] == 0


def test_care_leavers_age_on_and_join_at_the_ages_they_leave():
    """Ten 17-year-old care leavers today; one child a day leaves care from 16 and 17 (all at
    18). A year on, the ten are 18 and the new leavers are 18 or 19."""
    stock = np.zeros(N)
    last = s("16_to_17", "fostering")
    stock[last] = 1000
    rates = np.zeros((N, N + 1))
    rates[last, N] = 0.001
    forecast = project(
        fitted(stock, rates, leaver_ages={18: 1.0}, leavers_now={17: 10}), months=12
    )
    leavers = forecast.care_leavers()
    first = leavers.row(0, named=True)
    assert first["age_17"] == pytest.approx(10 * 11 / 12)  # one month of the ten has turned 18
    year = leavers.row(-1, named=True)
    assert year["age_18"] + year["age_19"] == pytest.approx(10 + forecast.exits.sum(), rel=1e-9)
    assert forecast.months()["care_leavers"].sum() == pytest.approx(forecast.exits.sum())


def test_months_run_from_the_first_day_and_the_horizon_is_ten_years_at_most():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 3, 31), 120) == date(2035, 3, 31)
    forecast = project(fitted(np.zeros(N)), months=120)
    assert forecast.days == (date(2034, 12, 31) - date(2024, 12, 31)).days
    months = forecast.months()
    assert months.height == 120
    assert months["month"][0] == date(2025, 1, 31)  # a month after the first day
    assert months["month"][1] == date(2025, 2, 28)
    with pytest.raises(ValueError, match="months"):
        project(fitted(np.zeros(N)), months=121)
