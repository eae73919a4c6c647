"""The cost-benefit method: discounting, gross beside net, payback, who pays and who saves, and
the Newport integrated family support figures reproduced (shared/research/outcomes-cba.md §2.2)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.outcomes.cba import (
    Benefit,
    Cost,
    ValueKind,
    appraise,
    deadweight_from_comparison,
    discount_factor,
)

FAMILIES, COST_PER_FAMILY = 100, Decimal(1000)


def _newport(deadweight=Decimal(0)):
    """48 % of families with very positive outcomes; £64 saved per £1 on a successful case."""
    return appraise(
        [Cost(year=0, amount=FAMILIES * COST_PER_FAMILY, agency="Council")],
        [
            Benefit(
                outcome="very positive outcome",
                kind=ValueKind.FISCAL,
                agency="Council",
                cohort=FAMILIES,
                engagement=Decimal(1),
                success=Decimal("0.48"),
                unit_value=64 * COST_PER_FAMILY,
                deadweight=deadweight,
            )
        ],
    )


def test_newport_gross_is_about_31_per_pound_and_net_of_the_comparison_about_17():
    deadweight = deadweight_from_comparison(Decimal("0.48"), Decimal("0.21"))
    results = _newport(deadweight)
    assert results["gross"].fiscal_roi == Decimal("30.72")  # 0.48 × £64: the seeds' "about £31"
    assert results["net"].fiscal_roi == Decimal("17.28")  # (0.48 − 0.21) × £64
    assert results["gross"].basis == "gross"
    assert results["net"].basis == "net"


def test_discounting_follows_the_green_book():
    assert discount_factor(0) == 1
    assert discount_factor(1).quantize(Decimal("0.000001")) == Decimal("0.966184")
    assert discount_factor(10).quantize(Decimal("0.0001")) == Decimal("0.7089")
    assert discount_factor(31) == discount_factor(30) / Decimal("1.03")
    with pytest.raises(ValueError, match="0 or later"):
        discount_factor(-1)


def test_persistence_drop_off_optimism_bias_and_payback():
    results = appraise(
        [Cost(year=0, amount=Decimal(100_000), agency="Council")],
        [
            Benefit(
                outcome="care entry avoided",
                kind=ValueKind.FISCAL,
                agency="Council",
                cohort=10,
                engagement=Decimal(1),
                success=Decimal("0.5"),
                unit_value=Decimal(6000),  # £30,000 a year from 5 successes
                years=5,
                drop_off=Decimal("0.1"),
                optimism_bias=Decimal("0.2"),  # weak evidence: £24,000 in the first year
            )
        ],
    )
    gross = results["gross"]
    first_years = [Decimal(24000) * Decimal("0.9") ** n * discount_factor(n) for n in range(5)]
    assert gross.benefits[ValueKind.FISCAL] == sum(first_years).quantize(Decimal("0.01"))
    # 24,000 + 20,870 + 18,142 + 15,766 + 13,700 ≈ 92,478: not repaid within the five years.
    assert gross.payback_year is None
    assert gross.npv < 0
    repaid = appraise(
        [Cost(year=0, amount=Decimal(60_000), agency="Council")],
        [Benefit("x", ValueKind.FISCAL, "Council", 10, 1, Decimal("0.5"), Decimal(6000), years=5)],
    )["gross"]
    assert repaid.payback_year == 2  # £30,000 + £28,986 by year 1 is short; + £28,005 is not


def test_who_pays_and_who_saves():
    results = appraise(
        [
            Cost(year=0, amount=Decimal(50_000), agency="Council"),
            Cost(year=0, amount=Decimal(10_000), agency="NHS", optimism_bias=Decimal("0.1")),
        ],
        [
            Benefit("fewer A&E visits", ValueKind.FISCAL, "NHS", 100, 1, Decimal("0.2"), 500),
            Benefit("fewer arrests", ValueKind.FISCAL, "Police", 100, 1, Decimal("0.1"), 3152),
            Benefit("wellbeing", ValueKind.SOCIAL, "Families", 100, 1, Decimal("0.3"), 1000),
        ],
    )["gross"]
    assert results.costs == Decimal("61000.00")  # the NHS estimate uplifted by 10 %
    assert results.by_agency["NHS"] == {
        "costs": Decimal("11000.00"),
        "benefits": Decimal("10000.00"),
    }
    assert results.by_agency["Police"]["benefits"] == Decimal("31520.00")
    assert results.fiscal_roi == Decimal("0.68")  # (10,000 + 31,520) / 61,000
    assert results.public_value_roi == Decimal("1.17")  # with £30,000 of wellbeing


def test_a_share_outside_0_to_1_is_refused_naming_it():
    benefit = Benefit("x", ValueKind.FISCAL, "Council", 10, Decimal("1.2"), 1, 1)
    with pytest.raises(ValueError, match="engagement must be a share"):
        appraise([], [benefit])


@given(
    st.decimals(min_value=0, max_value=1, places=2),
    st.decimals(min_value=0, max_value=1, places=2),
)
def test_net_is_never_more_than_gross(success, deadweight):
    benefit = Benefit("x", ValueKind.FISCAL, "Council", 50, 1, success, 1000, deadweight)
    results = appraise([Cost(0, Decimal(1000), "Council")], [benefit])
    assert results["net"].fiscal_roi <= results["gross"].fiscal_roi


def test_deadweight_from_the_comparison():
    assert deadweight_from_comparison(Decimal("0.48"), Decimal("0.21")) == Decimal("0.4375")
    assert deadweight_from_comparison(Decimal("0.2"), Decimal("0.3")) == 1  # did no better
    assert deadweight_from_comparison(0, Decimal("0.3")) == 0
