"""A scenario's arithmetic with hand-made numbers: entrants scaled, children transferred, entries
prevented by a measured effect (at its estimate and the ends of its interval), and the saving."""

from datetime import date

import numpy as np
import pytest

from tandem.planning.fit import Fitted
from tandem.planning.forecast import project
from tandem.planning.scenarios import ScenarioError, adjuster, read_changes
from tandem.planning.shape import standard

SHAPE = standard()
N = len(SHAPE.states)
TEEN_FOSTER = SHAPE.states.index(("10_to_15", "fostering"))
TEEN_RESI = SHAPE.states.index(("10_to_15", "residential"))
LITTLE = SHAPE.states.index(("1_to_4", "fostering"))


def model(stock=None, entrants=None):
    return Fitted(
        shape=SHAPE,
        method="tandem",
        states=SHAPE.states,
        window=(date(2025, 1, 1), date(2025, 12, 31)),
        start=date(2025, 12, 31),
        rates=np.zeros((N, N + 1)),
        entrants=np.zeros(N) if entrants is None else entrants,
        stock=np.zeros(N) if stock is None else stock,
        moves=np.zeros((N, N + 1)),
        at_risk=np.zeros(N),
    )


def run(fitted, changes, months=12, at="estimate"):
    return project(fitted, months, adjust=adjuster(read_changes(changes, fitted), fitted, at))


def test_preventing_thirty_percent_of_teenage_entries():
    """One teenager a day enters fostering and 0.5 a day a toddler: 30 % fewer teenagers over
    365 days is 109.5 fewer in care (nobody leaves), and the toddlers are untouched."""
    entrants = np.zeros(N)
    entrants[TEEN_FOSTER], entrants[LITTLE] = 1.0, 0.5
    fitted = model(entrants=entrants)
    base = project(fitted, 12)
    changed = run(fitted, [{"kind": "entrants", "bands": ["10_to_15"], "factor": 0.7}])
    assert base.days == 365
    assert base.in_care(365) - changed.in_care(365) == pytest.approx(0.3 * 365)
    assert changed.mean[365][LITTLE] == pytest.approx(base.mean[365][LITTLE])


def test_two_children_a_year_from_residential_to_fostering():
    """Ten teenagers in residential: moving two a year is a daily rate of 2 / 365.25 / 10, so
    after a year 10 × (1 − r)^365 remain there, and the weekly cost saved is their difference
    in days × (£6,123 − £820) / 7."""
    stock = np.zeros(N)
    stock[TEEN_RESI] = 10
    fitted = model(stock=stock)
    changed = run(
        fitted,
        [
            {
                "kind": "transfer",
                "from_category": "residential",
                "to_category": "fostering",
                "per_year": 2,
            }
        ],
    )
    r = 2 / 365.25 / 10
    assert changed.mean[365][TEEN_RESI] == pytest.approx(10 * (1 - r) ** 365)
    assert changed.in_care(365) == pytest.approx(10)
    base_cost = project(fitted, 12).costs()
    new_cost = changed.costs()
    moved_days = sum(10 - changed.mean[d][TEEN_RESI] for d in range(1, 366))
    saving = sum(b["total"] for b in base_cost) - sum(n["total"] for n in new_cost)
    assert float(saving) == pytest.approx(moved_days * (6123 - 820) / 7, abs=0.02)


def test_entries_prevented_by_a_measured_effect_carry_its_interval():
    """An edge-of-care service works with 100 teenagers a year and cuts entering care by 8
    points (interval 10 to 6): 8 entries a year prevented at the estimate, 10 and 6 at the ends."""
    entrants = np.zeros(N)
    entrants[TEEN_FOSTER] = 50 / 365.25
    fitted = model(entrants=entrants)
    change = {
        "kind": "prevented",
        "service": "Edge of care",
        "outcome": "entered_care_12m",
        "effect": {"estimate": -0.08, "low": -0.10, "high": -0.06},
        "matched": 400,
        "children_a_year": 100,
        "bands": ["10_to_15"],
    }
    base = project(fitted, 12).in_care(365)
    fewer = {
        at: base - run(fitted, [change], at=at).in_care(365) for at in ("estimate", "low", "high")
    }
    days = 365 / 365.25
    assert fewer["estimate"] == pytest.approx(8 * days)
    assert fewer["low"] == pytest.approx(10 * days)
    assert fewer["high"] == pytest.approx(6 * days)


def test_never_fewer_than_no_entrants():
    entrants = np.zeros(N)
    entrants[TEEN_FOSTER] = 1 / 365.25
    fitted = model(entrants=entrants)
    change = {
        "kind": "prevented",
        "service": "S",
        "outcome": "o",
        "effect": {"estimate": -0.5, "low": -0.6, "high": -0.4},
        "matched": 40,
        "children_a_year": 100,
    }
    assert run(fitted, [change]).in_care(365) == 0


def test_every_bad_change_is_named():
    fitted = model()
    with pytest.raises(ScenarioError) as caught:
        read_changes(
            [
                {"kind": "entrants", "bands": ["teens"], "categories": ["boats"], "factor": 0.5},
                {"kind": "moves", "from_categories": ["fostering"], "to": "moon", "factor": 1},
            ],
            fitted,
        )
    assert caught.value.problems == [
        "change 1: no band 'teens'",
        "change 1: no category 'boats'",
        "change 2: no category 'moon'",
    ]
    with pytest.raises(ScenarioError, match="factor"):
        read_changes([{"kind": "entrants", "factor": -1}], fitted)
    with pytest.raises(ScenarioError, match="interval holds the estimate"):
        read_changes(
            [
                {
                    "kind": "prevented",
                    "service": "S",
                    "outcome": "o",
                    "effect": {"estimate": 0.1, "low": -0.1, "high": 0.0},
                    "matched": 40,
                    "children_a_year": 10,
                }
            ],
            fitted,
        )
