"""The demo partnership's plans, so the planning pages have something to show: a five-year
forecast from the record's care episodes, three scenarios (one from the edge-of-care service's
measured effect), this year's funding streams with a pooled budget for the jointly run family
support, and the capacity of the leaving-care team and of supported lodgings. Synthetic only."""

import math
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.formats import financial_year
from tandem.jobs.services import job_run
from tandem.outcomes.models import Service, ServiceSpell, SpellEnd, UnitCost, ValueKind
from tandem.partners.models import Partner, PartnerKind, Team
from tandem.planning import budgets, capacity, services
from tandem.planning.models import Accommodation, Capacity, CapacityKind, ForecastSource

# A partnership's own costing of a week of integrated family support (not a national figure).
DEMO_COST = "DEMO-IFS"


def demo_plans(analyst) -> dict:
    today = timezone.localdate()
    forecast = services.forecast_start(
        actor=analyst,
        name="Placement sufficiency: five years",
        source=ForecastSource.RECORD,
        window_start=today - timedelta(days=365),
        window_end=today - timedelta(days=1),
        months=60,
        enqueue=False,
    )
    job_run(forecast.job)
    forecast.refresh_from_db()
    made = {"forecast": forecast}
    if not forecast.ready:
        return made
    services.scenario_save(
        actor=analyst,
        forecast_id=forecast.pk,
        name="Edge of care prevents 30% of entries for 10 to 15s",
        description="The ambition in the edge-of-care business case.",
        changes=[{"kind": "entrants", "bands": ["10_to_15"], "factor": 0.7}],
    )
    services.scenario_save(
        actor=analyst,
        forecast_id=forecast.pk,
        name="Two more in-house foster carers a year",
        description="Each takes a child who would otherwise be in residential care.",
        changes=[
            {
                "kind": "transfer",
                "from_category": "residential",
                "to_category": "fostering",
                "per_year": 2,
            }
        ],
    )
    edge = Service.objects.filter(framework="edge-of-care").first()
    if edge is not None:
        try:
            change = services.evidence_change(
                actor=analyst, service_id=edge.pk, children_a_year=150, bands=["10_to_15"]
            )
            services.scenario_save(
                actor=analyst,
                forecast_id=forecast.pk,
                name=f"{edge.name} for 150 young people a year, at its measured effect",
                changes=[change],
                evidence=True,
            )
        except ValidationError:
            pass  # no measured effect at this size: the page says why when asked
    made["budgets"] = _budgets(analyst, today)
    made["capacity"] = _capacity(analyst, forecast)
    return made


def _budgets(analyst, today) -> int:
    year = financial_year(today)
    joint = Service.objects.filter(partner__isnull=True).order_by("name").first()
    unit, _ = UnitCost.objects.update_or_create(
        code=DEMO_COST,
        defaults={
            "description": "Integrated family support, a week of a family's support "
            "(the partnership's own costing)",
            "unit": "per week",
            "value": Decimal("145.00"),
            "price_year": year,
            "agency": "LA",
            "kind": ValueKind.FISCAL,
            "source": "Demo partnership's costing (synthetic)",
        },
    )
    pooled = None
    if joint is not None:
        _this_year(joint, analyst, today)
        pooled = budgets.budget_add(
            actor=analyst,
            name="Integrated family support pool",
            year=year,
            service=joint.pk,
            unit_cost=unit.code,
        )
    by_kind = {p.kind: p for p in Partner.objects.order_by("name")}
    streams = [
        (PartnerKind.LOCAL_AUTHORITY, "Children's services core budget", "core", "4250000.00",
         False),
        (PartnerKind.LOCAL_AUTHORITY, "Families First grant", "grant", "612400.00", True),
        (PartnerKind.NHS_TRUST, "Integrated care board contribution", "nhs", "380000.00", True),
        (PartnerKind.POLICE, "Police and crime commissioner: violence reduction", "pcc",
         "145500.00", True),
        (PartnerKind.CHARITY, "Charity fundraising", "fundraising", "96250.50", True),
        (PartnerKind.CHARITY, "National Lottery grant", "grant", "120000.00", False),
    ]  # fmt: skip
    made = 0
    for kind, name, stream_kind, amount, into_pool in streams:
        partner = by_kind.get(kind)
        if partner is None:
            continue
        budgets.stream_add(
            actor=analyst,
            partner=partner.pk,
            name=name,
            kind=stream_kind,
            year=year,
            amount=Decimal(amount),
            pooled_budget=pooled.pk if into_pool and pooled else "",
        )
        made += 1
    return made


def _capacity(analyst, forecast) -> int:
    made = 0
    leaving = Team.objects.filter(name__icontains="leaving care").first()
    if leaving is not None:
        need_now = sum(forecast.result["leavers"][0][f"age_{a}"] for a in range(17, 26))
        leavers = Service.objects.filter(framework="care-leavers").first()
        capacity.capacity_add(
            actor=analyst,
            name="Leaving care personal advisers",
            kind=CapacityKind.CASELOAD,
            team=leaving.pk,
            service=leavers.pk if leavers else "",
            workers=max(1, math.ceil(need_now / 20)),
            worker_title="personal advisers",
            caseload=20,
            measure=Capacity.Measure.CARE_LEAVERS,
            share=Decimal(1),
        )
        made += 1
    lodgings = _supported_lodgings(analyst)
    if lodgings is not None:
        capacity.capacity_add(
            actor=analyst,
            name="Supported lodgings",
            kind=CapacityKind.PLACES,
            service=lodgings.pk,
            places=5,
            measure=Capacity.Measure.LEAVERS_18_21,
            accommodation=Accommodation.SUPPORTED_LODGINGS,
            share=Decimal(1),
        )
        made += 1
    return made


def _supported_lodgings(analyst) -> Service | None:
    """Redbridge's five supported-lodgings places, as a service four care leavers live in."""
    leavers = Service.objects.filter(framework="care-leavers").first()
    if leavers is None:
        return None
    lodgings, _ = Service.objects.get_or_create(
        name="Supported lodgings",
        defaults={
            "service_type": leavers.service_type,
            "aim": leavers.aim,
            "partner": leavers.partner,
            "description": "Rooms with host families for care leavers (demo)",
        },
    )
    today = timezone.localdate()
    young = (
        ServiceSpell.objects.filter(service=leavers, ended_on__isnull=True)
        .values_list("person_id", flat=True)
        .order_by("person_id")[:4]
    )
    for n, person in enumerate(young):
        ServiceSpell.objects.get_or_create(
            service=lodgings,
            person_id=person,
            defaults={"started_on": today - timedelta(days=60 + 70 * n), "recorded_by": analyst},
        )
    return lodgings


def _this_year(service: Service, analyst, today) -> None:
    """Families the jointly run service has worked with since April, so its pooled budget has
    spent something this year (the synthetic spells are of earlier cohorts)."""
    from tandem.people.models import Person

    first = budgets.year_bounds(financial_year(today))[0]
    days = max(1, (today - first).days)
    children = Person.objects.filter(is_child=True).order_by("pk").values_list("pk", flat=True)
    for n, child in enumerate(children[:40]):
        start = first + timedelta(days=(n * 37) % days)
        ended = start + timedelta(days=84)
        done = n % 3 == 0 and ended < today
        ServiceSpell.objects.get_or_create(
            service=service,
            person_id=child,
            started_on=start,
            defaults={
                "recorded_by": analyst,
                "ended_on": ended if done else None,
                "end_reason": SpellEnd.COMPLETED if done else "",
            },
        )
