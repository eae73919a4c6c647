"""Sharing money among partners: every share to the penny, and the shares always add up to the
whole, by hand-made numbers and for any amount and weights."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tandem.planning.budgets import financial_year, split, year_bounds


def test_a_hundred_pounds_three_ways():
    parts = split(Decimal("100.00"), {"Council": 1, "NHS": 1, "Police": 1})
    assert sorted(parts.values()) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert sum(parts.values()) == Decimal("100.00")


def test_shares_follow_contributions():
    parts = split(
        Decimal("1000.00"),
        {"Council": Decimal("612400.00"), "NHS": Decimal("380000.00"), "PCC": Decimal("7600.00")},
    )
    assert parts == {
        "Council": Decimal("612.40"),
        "NHS": Decimal("380.00"),
        "PCC": Decimal("7.60"),
    }


def test_nothing_to_share_by():
    assert split(Decimal("10.00"), {}) == {}
    assert split(Decimal("10.00"), {"A": 0}) == {"A": Decimal(0)}


@given(
    pence=st.integers(min_value=0, max_value=10**12),
    weights=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=12),
)
def test_the_parts_always_add_up_to_the_penny(pence, weights):
    amount = Decimal(pence) / 100
    parts = split(amount, {f"p{i}": w for i, w in enumerate(weights)})
    assert sum(parts.values()) == amount
    assert all(p == p.quantize(Decimal("0.01")) and p >= 0 for p in parts.values())
    total = sum(weights)
    for i, w in enumerate(weights):  # no share is more than a penny from its exact part
        assert abs(parts[f"p{i}"] - amount * w / total) < Decimal("0.01")


def test_financial_years():
    from datetime import date

    assert financial_year(date(2026, 3, 31)) == "2025-26"
    assert financial_year(date(2026, 4, 1)) == "2026-27"
    assert year_bounds("2026-27") == (date(2026, 4, 1), date(2027, 3, 31))
