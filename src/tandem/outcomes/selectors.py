"""Reading a child's SDQs (the trajectory a page draws and the API returns) and the spells of
services they received; and, for the partnership, each service's outcomes: counts for everyone
who reads reports, children named only where the record policy allows."""

import dataclasses
from datetime import date, timedelta
from uuid import UUID

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db.models import Count, Min, Q
from django.utils import timezone

from tandem.access.categories import Category
from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.policies import Action, visible_children_q
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.outcomes import cohorts, matching, sdq
from tandem.outcomes.frameworks import framework
from tandem.outcomes.models import (
    Deflator,
    SdqRecord,
    Service,
    ServiceSpell,
    StarReading,
    UnitCost,
)
from tandem.outcomes.services import NOT_SHARED
from tandem.paging import page_of
from tandem.people.models import Person


def sdq_trajectory(*, grant) -> list[SdqRecord]:
    """The child's SDQs, oldest first: health information, so only under a grant that sees the
    child's health category."""
    if not grant.sees(Category.HEALTH):
        raise PermissionDenied(NOT_SHARED)
    records = list(
        SdqRecord.objects.filter(person_id=grant.child_id).select_related("recorded_by")
    )
    grant.audit("sdq", action=AuditAction.LIST, detail={"records": len(records)})
    return records


def bands(record: SdqRecord) -> dict[str, str]:
    """Each score's four-band name, for the record's informant."""
    return {
        measure: sdq.band(record.informant, measure, getattr(record, measure))
        for measure in sdq.MEASURES
    }


def services_all(*, actor) -> list[Service]:
    """The partnership's services, for practitioners recording who receives them."""
    require_role(actor, Action.VIEW_CHILD)
    return list(Service.objects.select_related("service_type", "aim", "partner"))


def spells_of(*, grant) -> list[ServiceSpell]:
    """The services the child has received, and their parents and carers whom the reader may be
    shown (a family service is often the parent's), latest first."""
    from tandem.outcomes.services import family_of

    family = family_of(actor=grant.actor, child_id=grant.child_id)
    spells = list(
        ServiceSpell.objects.filter(person_id__in=family).select_related(
            "service", "recorded_by", "person"
        )
    )
    grant.audit("service_spell", action=AuditAction.LIST, detail={"spells": len(spells)})
    return spells


# --- Outcomes of a service: counts for the partnership, names only as the record allows -------
SMALL = 5  # a count from 1 to 4 is shown as "fewer than 5"
EVALUATOR = "partnership evaluation (aggregate)"


class PeriodError(ValidationError):
    pass


@dataclasses.dataclass(frozen=True)
class Period:
    """The cohort: children whose first spell of the service started between these days."""

    started_from: date
    started_to: date


def _evaluation(actor) -> Audit:
    require_role(actor, Action.VIEW_REPORTS)
    return Audit(actor, Purpose.EVALUATION, EVALUATOR)


def service_get(*, actor, service_id: UUID) -> Service:
    require_role(actor, Action.VIEW_REPORTS)
    service = (
        Service.objects.select_related("service_type", "aim", "partner")
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        raise NotFound("No such service")
    return service


@dataclasses.dataclass(frozen=True)
class ServiceRow:
    service: Service
    receiving: int  # open spells today
    started_this_year: int  # spells started in the last 12 months

    @property
    def framework(self):
        return framework(self.service.framework)


def services_report(*, actor) -> list[ServiceRow]:
    """Every service with how many receive it now and how many started in the last year
    (counts only)."""
    audit = _evaluation(actor)
    year_ago = timezone.localdate() - timedelta(days=365)
    rows = Service.objects.select_related("service_type", "aim", "partner").annotate(
        receiving=Count("spells", filter=Q(spells__ended_on__isnull=True)),
        started=Count("spells", filter=Q(spells__started_on__gt=year_ago)),
    )
    audit.row(AuditAction.LIST, "service_outcomes", None, detail={"services": len(rows)})
    return [ServiceRow(s, s.receiving, s.started) for s in rows]


def period_for(service: Service, started_from: date | None, started_to: date | None) -> Period:
    """The period asked for, checked; by default from the service's first spell to today."""
    today = timezone.localdate()
    if started_from is None:
        started_from = (
            ServiceSpell.objects.filter(service=service).aggregate(m=Min("started_on"))["m"]
            or today
        )
    started_to = started_to or today
    errors = {}
    if started_to > today:
        errors["started_to"] = "The end of the period must be today or in the past"
    if started_from > started_to:
        errors["started_from"] = "The start of the period must be on or before its end"
    if errors:
        raise PeriodError(errors)
    return Period(started_from, started_to)


@dataclasses.dataclass(frozen=True)
class Shown:
    """A figure as a report shows it: a count of 1 to 4 (of those it counts, or of those it
    does not) is "fewer than 5" and its rate is not shown, so no figure points to a child."""

    figure: cohorts.Figure

    @property
    def suppressed(self) -> bool:
        f = self.figure
        return 0 < f.count < SMALL or 0 < f.of - f.count < SMALL

    @property
    def count(self) -> int | None:
        return None if self.suppressed else self.figure.count

    @property
    def of(self) -> int | None:
        return None if 0 < self.figure.of < SMALL else self.figure.of

    @property
    def rate(self) -> float | None:
        return None if self.suppressed else self.figure.rate


def small(n: int | None) -> str:
    """A count as a report shows it."""
    if n is None or 0 < n < SMALL:
        return "fewer than 5"
    return f"{n:,}"


@dataclasses.dataclass(frozen=True)
class ServiceOutcomes:
    service: Service
    period: Period
    cohort: int
    figures: list[Shown]
    sdq: cohorts.SdqSummary | None = None  # None when fewer than 5 children have one

    @property
    def framework(self):
        return framework(self.service.framework)


def _cohort(service: Service, period: Period) -> cohorts.Cohort:
    return cohorts.Cohort(service.pk, period.started_from, period.started_to, timezone.localdate())


def service_outcomes(
    *, actor, service_id: UUID, started_from: date | None = None, started_to: date | None = None
) -> ServiceOutcomes:
    """Each outcome of the service's framework for a cohort, as counts (no child named)."""
    audit = _evaluation(actor)
    service = service_get(actor=actor, service_id=service_id)
    period = period_for(service, started_from, started_to)
    fw = framework(service.framework)
    shown = []
    cohort_size = 0
    sdq = None
    if fw is not None:
        with cohorts.held(_cohort(service, period)) as cohort:
            children = cohorts.per_child(cohort, fw)
            sdq = cohorts.sdq_summary(cohort, children)
        cohort_size = children.height
        shown = [Shown(f) for f in cohorts.figures(children, fw)]
        if sdq.first_n < SMALL:
            sdq = None
    audit.row(
        AuditAction.VIEW,
        "service_outcomes",
        service.pk,
        detail={"from": period.started_from.isoformat(), "to": period.started_to.isoformat()},
    )
    return ServiceOutcomes(service, period, cohort_size, shown, sdq)


@dataclasses.dataclass(frozen=True)
class ChildResult:
    person: Person
    started_on: date
    result: str


@dataclasses.dataclass(frozen=True)
class ChildrenBehind:
    service: Service
    outcome: object
    period: Period
    total: int  # children the outcome applies to
    page: Page  # of ChildResult: the children the record lets the viewer see
    hidden: int  # the rest, counted only


def _result(outcome, num: int, den: int) -> str:
    if outcome.kind == "star_risks_reduced":
        return f"{num} of {den} risk factors reduced"
    return "Yes" if num else "No"


def outcome_children(
    *,
    actor,
    service_id: UUID,
    outcome: str,
    started_from: date | None = None,
    started_to: date | None = None,
    page: int = 1,
) -> ChildrenBehind:
    """The children behind one figure: named only where the record policy lets `actor` see the
    child (each audited); the rest counted."""
    _evaluation(actor)
    service = service_get(actor=actor, service_id=service_id)
    fw = framework(service.framework)
    spec = next((o for o in fw.outcome if o.code == outcome), None) if fw else None
    if spec is None:
        raise NotFound("No such outcome for this service")
    period = period_for(service, started_from, started_to)
    children = cohorts.per_child(_cohort(service, period), fw).filter(pl.col(f"{outcome}.den") > 0)
    results = {
        UUID(pid): (start, num, den)
        for pid, start, num, den in children.select(
            "person_id", "start", f"{outcome}.num", f"{outcome}.den"
        ).iter_rows()
    }
    visible = Person.objects.filter(visible_children_q(actor), pk__in=list(results)).order_by(
        "family_name", "given_name", "pk"
    )
    rows = page_of(visible, page)
    rows.object_list = [
        ChildResult(p, results[p.pk][0], _result(spec, *results[p.pk][1:]))
        for p in rows.object_list
    ]
    if rows.object_list:
        Audit(actor, Purpose.EVALUATION, "record policy").rows(
            AuditAction.LIST,
            "service_outcome_children",
            [r.person.pk for r in rows.object_list],
            record_id=service.pk,
            detail={"outcome": outcome},
        )
    return ChildrenBehind(
        service, spec, period, len(results), rows, len(results) - rows.paginator.count
    )


def service_comparison(
    *, actor, service_id: UUID, started_from: date | None = None, started_to: date | None = None
) -> tuple[Service, Period, matching.Comparison | None]:
    """The matched comparison on the framework's comparison outcome (counts only)."""
    audit = _evaluation(actor)
    service = service_get(actor=actor, service_id=service_id)
    period = period_for(service, started_from, started_to)
    fw = framework(service.framework)
    if fw is None or fw.comparison is None:
        return service, period, None
    result = matching.compare(_cohort(service, period), fw)
    audit.row(AuditAction.VIEW, "service_comparison", service.pk)
    return service, period, result


def framework_get(*, actor, code: str):
    """An outcome framework's rules (no personal data; readers of reports read them)."""
    require_role(actor, Action.VIEW_REPORTS)
    return framework(code)


def service_value(
    *, actor, service_id: UUID, started_from: date | None = None, started_to: date | None = None
):
    """The service's value for money (gross and net) over a cohort; None without a value
    model. Counts and money only."""
    from tandem.outcomes import value

    audit = _evaluation(actor)
    service = service_get(actor=actor, service_id=service_id)
    period = period_for(service, started_from, started_to)
    appraisal = value.appraise_service(service, period, timezone.localdate())
    audit.row(AuditAction.VIEW, "service_value", service.pk)
    return service, period, appraisal


def unit_costs_all(*, actor) -> tuple[list[UnitCost], list[Deflator]]:
    """The unit-cost register and the GDP deflators loaded (no personal data)."""
    require_role(actor, Action.VIEW_REPORTS)
    return list(UnitCost.objects.all()), list(Deflator.objects.all())


def star_readings_of(*, grant) -> list[StarReading]:
    """The child's Outcomes Star readings, oldest first."""
    readings = list(
        StarReading.objects.filter(person_id=grant.child_id).order_by("star", "read_on", "area")
    )
    grant.audit("star_reading", action=AuditAction.LIST, detail={"readings": len(readings)})
    return readings
