"""Funding streams and pooled budgets: what each partner puts in a financial year, each pooled
budget's contributions and shares, what it has spent (the record's activity on its service ×
the unit cost, at the cost's price year uprated to the budget's year), each partner's share of
the spend and of the benefits the cost-benefit analysis attributes to it.

Money is Decimal throughout. A total is split among partners by the largest-remainder method, so
the shares of any amount always add up to it to the penny."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.policies import Action
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.formats import financial_year
from tandem.outcomes.models import Service, ServiceSpell, UnitCost
from tandem.partners.models import Partner, PartnerKind
from tandem.planning.models import FundingStream, PooledBudget, StreamKind, financial_year_check

PENNY = Decimal("0.01")
# Which partners a cost-benefit agency's benefit falls to (by the words in the agency's name).
AGENCY_KINDS = [
    (("la", "council", "local authority", "children's services"), {PartnerKind.LOCAL_AUTHORITY}),
    (("nhs", "health"), {PartnerKind.NHS_TRUST, PartnerKind.GP_PRACTICE}),
    (("police",), {PartnerKind.POLICE}),
    (("school", "education"), {PartnerKind.SCHOOL}),
]
OUTSIDE = "Outside the partnership"


def year_bounds(year: str) -> tuple[date, date]:
    first = int(year[:4])
    return date(first, 4, 1), date(first + 1, 3, 31)


def split(amount: Decimal, weights: dict) -> dict:
    """`amount` shared by `weights` to the penny: each gets its share rounded down, and the
    pennies left go to the largest remainders, so the parts add up to `amount` exactly."""
    total = sum(weights.values(), Decimal(0))
    if not weights or total <= 0:
        return {k: Decimal(0) for k in weights}
    exact = {k: amount * Decimal(w) / total for k, w in weights.items()}
    parts = {k: v.quantize(PENNY, ROUND_DOWN) for k, v in exact.items()}
    left = int(((amount - sum(parts.values(), Decimal(0))) / PENNY).to_integral_value())
    for k in sorted(exact, key=lambda k: (exact[k] - parts[k], str(k)), reverse=True)[:left]:
        parts[k] += PENNY
    return parts


# --- Writes -------------------------------------------------------------------------------------


def choices(*, actor) -> dict:
    require_role(actor, Action.PLAN)
    return {
        "partners": list(Partner.objects.order_by("name")),
        "budgets": list(PooledBudget.objects.all()),
        "services": list(Service.objects.order_by("name")),
        "unit_costs": list(UnitCost.objects.all()),
    }


def _year_error(year: str) -> str | None:
    try:
        financial_year_check(year or "")
    except ValidationError as error:
        return error.messages[0]
    return None


def stream_add(
    *, actor, partner, name: str, kind: str, year: str, amount: Decimal, pooled_budget=""
) -> FundingStream:
    require_role(actor, Action.PLAN)
    errors = {}
    partner_row = Partner.objects.filter(pk=partner).first() if partner else None
    if partner_row is None:
        errors["partner"] = "Choose the partner"
    if not (name or "").strip():
        errors["name"] = "Enter the stream's name"
    if kind not in StreamKind.values:
        errors["kind"] = "Choose the kind of funding"
    if message := _year_error(year):
        errors["year"] = message
    if amount is None or amount <= 0 or amount != amount.quantize(PENNY):
        errors["amount"] = "Enter an amount of at least 1p, to the penny"
    budget = None
    if pooled_budget:
        budget = PooledBudget.objects.filter(pk=pooled_budget).first()
        if budget is None:
            errors["pooled_budget"] = "Choose a pooled budget, or none"
        elif not errors.get("year") and budget.year != year:
            errors["pooled_budget"] = (
                f"{budget.name} is for {budget.year}: a contribution is for its own year"
            )
    if errors:
        raise ValidationError(errors)
    stream = FundingStream(
        partner=partner_row,
        name=name.strip(),
        kind=kind,
        year=year,
        amount=amount,
        pooled_budget=budget,
    )
    stream.full_clean()
    stream.save()
    Audit(actor, Purpose.PLANNING).row(
        AuditAction.CREATE, "funding_stream", stream.pk, detail={"year": year}
    )
    return stream


def budget_add(*, actor, name: str, year: str, service, unit_cost) -> PooledBudget:
    require_role(actor, Action.PLAN)
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Enter the budget's name"
    if message := _year_error(year):
        errors["year"] = message
    service_row = Service.objects.filter(pk=service).first() if service else None
    if service_row is None:
        errors["service"] = "Choose the service"
    cost = UnitCost.objects.filter(pk=unit_cost).first() if unit_cost else None
    if cost is None:
        errors["unit_cost"] = "Choose the unit cost"
    if not errors and PooledBudget.objects.filter(name=name.strip(), year=year).exists():
        errors["name"] = f"There is already a pooled budget called {name.strip()} for {year}"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        budget = PooledBudget.objects.create(
            name=name.strip(), year=year, service=service_row, unit_cost=cost
        )
        Audit(actor, Purpose.PLANNING).row(
            AuditAction.CREATE, "pooled_budget", budget.pk, detail={"year": year}
        )
    return budget


# --- The report --------------------------------------------------------------------------------


@dataclass
class Pooled:
    budget: PooledBudget
    contributions: dict[str, Decimal]  # partner name → amount
    total: Decimal
    shares: dict[str, Decimal]  # partner name → share (0 to 1)
    units: Decimal  # weeks of spells, or spells, in the year
    spend: Decimal | None  # None: the unit cost could not be uprated (the reason in `problem`)
    spend_by_partner: dict[str, Decimal]
    benefits_by_partner: dict[str, Decimal]
    benefits_note: str = ""
    problem: str = ""

    @property
    def unit_label(self) -> str:
        per = _per(self.budget.unit_cost.unit)
        name = next((n for n, d in TIME_UNITS.items() if d == per), None)
        return f"{name}s of spells in the year" if name else "spells begun in the year"

    @property
    def remaining(self) -> Decimal | None:
        return None if self.spend is None else self.total - self.spend


@dataclass
class BudgetReport:
    year: str
    years: list[str]
    streams: list[FundingStream]
    by_partner: dict[str, Decimal]
    total: Decimal
    pooled: list[Pooled] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        """Partners' totals add up to the whole, and every pooled budget's shares of its spend
        add up to its spend, to the penny."""
        return sum(self.by_partner.values(), Decimal(0)) == self.total and all(
            p.spend is None
            or not p.contributions  # nothing to share it by yet: the page says so
            or sum(p.spend_by_partner.values(), Decimal(0)) == p.spend
            for p in self.pooled
        )

    def chart_rows(self) -> list[dict]:
        return [
            {"partner": s.partner.name, "kind": s.get_kind_display(), "amount": float(s.amount)}
            for s in self.streams
        ]

    def tables(self) -> dict[str, tuple[list[str], list[list]]]:
        streams = (
            ["Partner", "Stream", "Kind", "Financial year", "Amount (£)", "Pooled budget"],
            [
                [
                    s.partner.name,
                    s.name,
                    s.get_kind_display(),
                    s.year,
                    s.amount,
                    s.pooled_budget.name if s.pooled_budget else "",
                ]  # fmt: skip
                for s in self.streams
            ],
        )
        pooled = (
            [
                "Pooled budget",
                "Partner",
                "Contribution (£)",
                "Share",
                "Share of spend (£)",
                "Share of benefits (£)",
            ],  # fmt: skip
            [
                [
                    p.budget.name,
                    partner,
                    p.contributions.get(partner, Decimal(0)),
                    p.shares.get(partner, Decimal(0)),
                    p.spend_by_partner.get(partner, ""),
                    p.benefits_by_partner.get(partner, ""),
                ]  # fmt: skip
                for p in self.pooled
                for partner in sorted(set(p.contributions) | set(p.benefits_by_partner))
            ],
        )
        return {"streams": streams, "pooled": pooled}


def report(*, actor, year: str | None = None) -> BudgetReport:
    require_role(actor, Action.VIEW_REPORTS)
    years = sorted(
        set(FundingStream.objects.values_list("year", flat=True))
        | set(PooledBudget.objects.values_list("year", flat=True)),
        reverse=True,
    )
    current = financial_year(timezone.localdate())
    if year is None or _year_error(year):
        year = current if current in years or not years else years[0]
    streams = list(
        FundingStream.objects.filter(year=year).select_related("partner", "pooled_budget")
    )
    by_partner: dict[str, Decimal] = {}
    for s in streams:
        by_partner[s.partner.name] = by_partner.get(s.partner.name, Decimal(0)) + s.amount
    pooled = [
        _pooled(budget, streams)
        for budget in PooledBudget.objects.filter(year=year).select_related("service", "unit_cost")
    ]
    Audit(actor, Purpose.PLANNING).row(
        AuditAction.VIEW, "budget_report", None, detail={"year": year}
    )
    return BudgetReport(
        year=year,
        years=years,
        streams=streams,
        by_partner=dict(sorted(by_partner.items())),
        total=sum((s.amount for s in streams), Decimal(0)),
        pooled=pooled,
    )


def _pooled(budget: PooledBudget, streams: list[FundingStream]) -> Pooled:
    from tandem.outcomes.value import DeflatorMissing, uprate

    contributions: dict[str, Decimal] = {}
    kinds: dict[str, str] = {}
    for s in streams:
        if s.pooled_budget_id == budget.pk:
            contributions[s.partner.name] = (
                contributions.get(s.partner.name, Decimal(0)) + s.amount
            )
            kinds[s.partner.name] = s.partner.kind
    total = sum(contributions.values(), Decimal(0))
    shares = {p: (a / total).quantize(Decimal("0.0001")) for p, a in contributions.items()}
    units = activity(budget)
    problem = ""
    try:
        each = uprate(budget.unit_cost.value, budget.unit_cost.price_year, budget.year)
        spend = (units * each).quantize(PENNY)
    except DeflatorMissing as error:
        spend, problem = None, str(error)
    spend_by = split(spend, contributions) if spend is not None else {}
    benefits, note = _benefits(budget, contributions, kinds)
    return Pooled(
        budget, contributions, total, shares, units, spend, spend_by, benefits, note, problem
    )


def activity(budget: PooledBudget) -> Decimal:
    """The service's activity in the budget's year: weeks of spells (for a weekly unit cost) or
    spells begun (for any other unit)."""
    first, last = year_bounds(budget.year)
    spells = ServiceSpell.objects.filter(
        service_id=budget.service_id, started_on__lte=last
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
    per = _per(budget.unit_cost.unit)
    if per is None:
        return Decimal(spells.filter(started_on__gte=first).count())
    today = timezone.localdate()
    days = 0
    for started, ended in spells.values_list("started_on", "ended_on"):
        days += max(0, (min(ended or today, last, today) - max(started, first)).days + 1)
    return (Decimal(days) / per).quantize(Decimal("0.01"))


TIME_UNITS = {"day": Decimal(1), "week": Decimal(7), "month": Decimal("30.4375"),
              "year": Decimal("365.25")}  # fmt: skip


def _per(unit: str) -> Decimal | None:
    """Days in one unit of a cost charged by time (per day, week, month or year); None for a
    cost charged once for each spell (each, per case, per participant, …)."""
    words = unit.lower()
    return next((days for name, days in TIME_UNITS.items() if name in words), None)


def _benefits(budget, contributions: dict[str, Decimal], kinds: dict[str, str]):
    """The gross benefits the service's value model attributes to each agency, for the cohort
    starting in the budget's year, given to the contributing partners of that kind (shared by
    contribution); an agency no partner stands for is outside the partnership."""
    from tandem.outcomes.selectors import Period
    from tandem.outcomes.value import appraise_service

    first, last = year_bounds(budget.year)
    today = timezone.localdate()
    appraisal = appraise_service(budget.service, Period(first, min(last, today)), today)
    if appraisal is None:
        return {}, f"{budget.service.name} has no value model: no benefits are attributed"
    if not appraisal.results:
        return {}, appraisal.problem
    out: dict[str, Decimal] = {}
    for agency, figures in appraisal.results["gross"].by_agency.items():
        amount = figures.get("benefits", Decimal(0))
        if not amount:
            continue
        wanted = next(
            (kinds_ for keys, kinds_ in AGENCY_KINDS if any(_names(agency, k) for k in keys)),
            set(),
        )
        partners = {p: contributions[p] for p, kind in kinds.items() if kind in wanted}
        for partner, part in (split(amount, partners) if partners else {OUTSIDE: amount}).items():
            out[partner] = out.get(partner, Decimal(0)) + part
    return out, "Gross benefits of the children who started the service in the year"


def _names(agency: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}\b", agency.lower()) is not None
