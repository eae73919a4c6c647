"""Fitting the demand model on hand-made histories whose rates can be counted by hand."""

from datetime import date

import numpy as np
import polars as pl
import pytest

from tandem.planning.fit import FitError, fit
from tandem.planning.history import SCHEMA, clean
from tandem.planning.shape import standard

SHAPE = standard()
WINDOW = (date(2024, 1, 1), date(2024, 1, 10))  # ten days


def history(rows):
    return clean(pl.DataFrame(rows, schema=list(SCHEMA), orient="row").cast(SCHEMA))


def state(band, category):
    return SHAPE.states.index((band, category))


def test_a_rate_is_moves_over_the_child_days_at_risk():
    """Four 12-year-olds fostered all through the window; one moves to residential on 5
    January. Child-days at risk, the day before each window day (31 December to 9 January):
    3 × 10 for those who stayed, and 5 for the mover (31 December to 4 January) → 1 / 35."""
    dob = date(2012, 6, 1)
    rows = [(f"c{i}", dob, date(2023, 6, 1), None, "U4") for i in range(3)]
    rows += [
        ("m", dob, date(2023, 6, 1), date(2024, 1, 5), "U4"),
        ("m", dob, date(2024, 1, 5), None, "K2"),
    ]
    fitted = fit(history(rows), SHAPE, WINDOW)
    fostering, residential = state("10_to_15", "fostering"), state("10_to_15", "residential")
    assert fitted.rates[fostering, residential] == pytest.approx(1 / 35)
    assert fitted.at_risk[fostering] == 35
    assert fitted.rates[fostering].sum() == pytest.approx(1 / 35)  # nothing else moved
    assert fitted.stock[fostering] == 3
    assert fitted.stock[residential] == 1
    assert fitted.entrants.sum() == 0


def test_ageing_is_a_move_on_the_birthday_and_care_ends_at_eighteen():
    """A child turning 10 on 4 January moves band that day; one turning 18 on 6 January leaves
    care that day, from the last band, and is not in the stock after it."""
    rows = [
        ("a", date(2014, 1, 4), date(2023, 1, 1), None, "U4"),
        ("b", date(2006, 1, 6), date(2023, 1, 1), None, "H5"),
    ]
    fitted = fit(history(rows), SHAPE, WINDOW)
    young, older = state("5_to_9", "fostering"), state("10_to_15", "fostering")
    assert fitted.moves[young, older] == 1
    assert fitted.at_risk[young] == 4  # 31 December to 3 January
    assert fitted.rates[young, older] == pytest.approx(1 / 4)
    supported = state("16_to_17", "supported")
    assert fitted.moves[supported, fitted.exit] == 1
    assert fitted.stock[older] == 1
    assert fitted.stock[supported] == 0
    assert fitted.stock.sum() == 1  # the 18-year-old is not a looked-after child any more


def test_entrants_a_day_count_the_window_days_both_ends_included():
    rows = [(f"n{i}", date(2020, 3, 1), date(2024, 1, 1 + i), None, "U1") for i in range(5)]
    rows.append(("back", date(2020, 3, 1), date(2023, 12, 1), date(2023, 12, 20), "U1"))
    rows.append(("back", date(2020, 3, 1), date(2024, 1, 2), None, "U1"))  # came back: entrant
    rows.append(("moved", date(2020, 3, 1), date(2023, 12, 1), date(2024, 1, 3), "U1"))
    rows.append(("moved", date(2020, 3, 1), date(2024, 1, 3), None, "R1"))  # a move, not entry
    fitted = fit(history(rows), SHAPE, WINDOW)
    assert fitted.entrants[state("1_to_4", "fostering")] == pytest.approx(6 / 10)
    assert fitted.entrants.sum() == pytest.approx(6 / 10)


def test_v1_keeps_the_band_an_episode_began_in_and_ages_by_band_length():
    rows = [("a", date(2014, 1, 4), date(2023, 1, 1), None, "U4")]
    fitted = fit(history(rows), SHAPE, WINDOW, method="v1")
    young = state("5_to_9", "fostering")
    assert fitted.stock[young] == 1  # still in 5 to 9 though 10 years old on the first day
    assert fitted.rates[young, state("10_to_15", "fostering")] == pytest.approx(1 / (5 * 365))
    last = state("16_to_17", "fostering")
    assert fitted.rates[last, fitted.exit] == pytest.approx(1 / ((30 - 16) * 365))


def test_a_placement_change_within_a_category_is_not_a_move_in_tandem_but_is_in_v1():
    dob = date(2012, 6, 1)
    rows = [
        ("a", dob, date(2023, 6, 1), date(2024, 1, 5), "U4"),
        ("a", dob, date(2024, 1, 5), None, "U5"),
    ]
    fostering = state("10_to_15", "fostering")
    assert fit(history(rows), SHAPE, WINDOW).rates[fostering].sum() == 0
    assert fit(history(rows), SHAPE, WINDOW, method="v1").rates[fostering, fostering] > 0


def test_cleaning_merges_the_same_episode_across_years():
    """An episode open at one year's end and closed in the next appears twice: one is kept, with
    its end; an episode overlapping the next ends when the next starts."""
    dob = date(2012, 6, 1)
    rows = [
        ("a", dob, date(2023, 1, 1), None, "U4"),
        ("a", dob, date(2023, 1, 1), date(2023, 6, 1), "U4"),
        ("a", dob, date(2023, 6, 1), date(2023, 9, 1), "K2"),
        ("a", dob, date(2023, 8, 1), None, "U4"),
    ]
    out = history(rows)
    assert out.select("start", "end").rows() == [
        (date(2023, 1, 1), date(2023, 6, 1)),
        (date(2023, 6, 1), date(2023, 8, 1)),
        (date(2023, 8, 1), None),
    ]


def test_bad_windows_and_methods_are_refused():
    rows = history([("a", date(2012, 6, 1), date(2023, 1, 1), None, "U4")])
    with pytest.raises(FitError, match="window"):
        fit(rows, SHAPE, (date(2024, 1, 2), date(2024, 1, 1)))
    with pytest.raises(FitError, match="method"):
        fit(rows, SHAPE, WINDOW, method="magic")
    with pytest.raises(FitError, match="no care episodes"):
        fit(rows.clear(), SHAPE, WINDOW)


def test_every_state_is_a_band_and_a_category():
    assert len(SHAPE.states) == len(SHAPE.bands) * len(SHAPE.categories)
    assert SHAPE.category_of("U3") == "fostering"
    assert SHAPE.category_of("Z1") == "other"
    assert np.all(np.diff(SHAPE.starts) > 0)


def test_a_fitted_model_survives_json():
    import json

    rows = [("a", date(2014, 1, 4), date(2023, 1, 1), None, "U4")]
    fitted = fit(history(rows), SHAPE, WINDOW)
    back = type(fitted).from_dict(json.loads(json.dumps(fitted.as_dict())))
    assert np.array_equal(back.rates, fitted.rates)
    assert np.array_equal(back.stock, fitted.stock)
    assert back.window == fitted.window
    assert back.shape == fitted.shape
    assert back.leaver_ages == fitted.leaver_ages
