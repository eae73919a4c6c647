"""Cost-benefit analysis for a local partnership's service: the HM Treasury / New Economy method
(2014 guidance for local partnerships, the GMCA model), in money that is exact (`Decimal`).

A benefit stream is: cohort × engagement × success × (1 − deadweight) × unit value, for each
year it persists, less drop-off after the first, reduced by an optimism-bias correction that
grows as the evidence weakens, discounted at the Green Book's 3.5 % (3.0 % after year 30).
*Gross* leaves deadweight out (every success counted as the service's); *net* takes off the
share that would have happened anyway, measured from a comparison group. Every result carries
both, so a figure is never read without knowing which it is. Facts: shared/research/
outcomes-cba.md §2.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

ZERO, ONE = Decimal(0), Decimal(1)
PENNY = Decimal("0.01")


class ValueKind(StrEnum):
    FISCAL = "fiscal"  # a saving to a named public agency
    ECONOMIC = "economic"  # e.g. earnings gains
    SOCIAL = "social"  # health, wellbeing, victims' costs


def discount_factor(year: int) -> Decimal:
    """Green Book social time preference: 3.5 % a year for years 0-30, 3.0 % after."""
    if year < 0:
        raise ValueError("a year of the appraisal is 0 or later")
    early, late = min(year, 30), max(0, year - 30)
    return ONE / (Decimal("1.035") ** early * Decimal("1.03") ** late)


def _share(value, name: str) -> Decimal:
    value = Decimal(value)
    if not ZERO <= value <= ONE:
        raise ValueError(f"{name} must be a share between 0 and 1, not {value}")
    return value


@dataclass(frozen=True)
class Cost:
    year: int
    amount: Decimal
    agency: str  # who pays: "Council", "NHS", "Police", …
    optimism_bias: Decimal = ZERO  # cost uplift where the estimate is uncertain

    def value(self) -> Decimal:
        return Decimal(self.amount) * (ONE + _share(self.optimism_bias, "optimism_bias"))


@dataclass(frozen=True)
class Benefit:
    outcome: str
    kind: ValueKind
    agency: str  # who receives it (for a fiscal benefit, the agency that saves)
    cohort: int
    engagement: Decimal  # share of the cohort who take part
    success: Decimal  # share of those taking part who achieve the outcome
    unit_value: Decimal  # per success per year, at the appraisal's prices
    deadweight: Decimal = ZERO  # share of successes that would have happened anyway
    years: int = 1  # how long the benefit lasts
    drop_off: Decimal = ZERO  # share lost each year after the first
    optimism_bias: Decimal = ZERO  # correction by the evidence's confidence grade
    start_year: int = 0

    def successes(self, *, net: bool) -> Decimal:
        engaged = self.cohort * _share(self.engagement, "engagement")
        achieved = engaged * _share(self.success, "success")
        return achieved * (ONE - _share(self.deadweight, "deadweight")) if net else achieved

    def by_year(self, *, net: bool) -> dict[int, Decimal]:
        """Undiscounted value in each year it lasts."""
        first = self.successes(net=net) * Decimal(self.unit_value)
        first *= ONE - _share(self.optimism_bias, "optimism_bias")
        keep = ONE - _share(self.drop_off, "drop_off")
        return {self.start_year + n: first * keep**n for n in range(self.years)}


@dataclass(frozen=True)
class Result:
    """One basis (gross or net) of an appraisal, present values in pounds and pence."""

    basis: str
    costs: Decimal
    benefits: dict[ValueKind, Decimal]
    by_agency: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    payback_year: int | None = None

    @property
    def fiscal_roi(self) -> Decimal | None:
        """Fiscal benefits per £1 spent."""
        return _ratio(self.benefits[ValueKind.FISCAL], self.costs)

    @property
    def public_value_roi(self) -> Decimal | None:
        """Fiscal, economic and social benefits per £1 spent."""
        return _ratio(sum(self.benefits.values(), ZERO), self.costs)

    @property
    def npv(self) -> Decimal:
        return (sum(self.benefits.values(), ZERO) - self.costs).quantize(PENNY)


def _ratio(a: Decimal, b: Decimal) -> Decimal | None:
    return (a / b).quantize(PENNY) if b else None


def appraise(costs: list[Cost], benefits: list[Benefit]) -> dict[str, Result]:
    """The gross and net results of a service's costs and benefits."""
    return {basis: _result(basis, costs, benefits) for basis in ("gross", "net")}


def _result(basis: str, costs: list[Cost], benefits: list[Benefit]) -> Result:
    net = basis == "net"
    cost_by_year: dict[int, Decimal] = defaultdict(Decimal)
    fiscal_by_year: dict[int, Decimal] = defaultdict(Decimal)
    totals = dict.fromkeys(ValueKind, ZERO)
    agencies: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"costs": ZERO, "benefits": ZERO}
    )
    for cost in costs:
        present = cost.value() * discount_factor(cost.year)
        cost_by_year[cost.year] += present
        agencies[cost.agency]["costs"] += present
    for benefit in benefits:
        for year, value in benefit.by_year(net=net).items():
            present = value * discount_factor(year)
            totals[benefit.kind] += present
            agencies[benefit.agency]["benefits"] += present
            if benefit.kind == ValueKind.FISCAL:
                fiscal_by_year[year] += present
    return Result(
        basis=basis,
        costs=sum(cost_by_year.values(), ZERO).quantize(PENNY),
        benefits={k: v.quantize(PENNY) for k, v in totals.items()},
        by_agency={a: {k: v.quantize(PENNY) for k, v in f.items()} for a, f in agencies.items()},
        payback_year=_payback(cost_by_year, fiscal_by_year),
    )


def _payback(costs: dict[int, Decimal], fiscal: dict[int, Decimal]) -> int | None:
    """The first year by whose end the discounted fiscal benefits have repaid the costs."""
    spent = saved = ZERO
    for year in range(max([*costs, *fiscal], default=-1) + 1):
        spent += costs.get(year, ZERO)
        saved += fiscal.get(year, ZERO)
        if spent and saved >= spent:
            return year
    return None


def deadweight_from_comparison(service_rate, comparison_rate) -> Decimal:
    """The share of the service's successes the comparison says would have happened anyway:
    48 % against 21 % in comparison areas is 21/48 of them."""
    service, comparison = Decimal(service_rate), Decimal(comparison_rate)
    if not service:
        return ZERO
    return min(ONE, max(ZERO, comparison / service))
