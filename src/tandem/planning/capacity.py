"""Capacity: the places a service has and the caseloads a team can hold (set as data), how full
they are from the record (open spells of the service, open cases of the team), who is waiting
(referrals to the team not yet decided), and the gap the latest forecast opens ("in 18 months
the leaving-care team needs 3 more personal advisers at 20 young people each")."""

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Min, Q
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.policies import Action
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.casework.codes import CaseStatus
from tandem.casework.models import Case
from tandem.outcomes.models import Service, ServiceSpell
from tandem.partners.models import Team
from tandem.planning.leavers import accommodation_mix
from tandem.planning.models import Capacity, CapacityKind, Forecast, ForecastMethod
from tandem.planning.results import counted
from tandem.referrals.codes import Status
from tandem.referrals.models import Referral

HORIZONS = (6, 12, 18, 24, 36, 60)  # months ahead the gap is shown at


def choices(*, actor) -> dict:
    require_role(actor, Action.PLAN)
    return {
        "services": list(Service.objects.order_by("name")),
        "teams": list(Team.objects.select_related("partner").order_by("name")),
    }


def capacity_add(
    *, actor, name, kind, service="", team="", places=None, workers=None, caseload=None,
    worker_title="", measure="", accommodation="", share=Decimal(1),
) -> Capacity:  # fmt: skip
    require_role(actor, Action.PLAN)
    row = Capacity(
        name=(name or "").strip(),
        kind=kind,
        service=Service.objects.filter(pk=service).first() if service else None,
        team=Team.objects.filter(pk=team).first() if team else None,
        places=places if kind == CapacityKind.PLACES else None,
        workers=workers if kind == CapacityKind.CASELOAD else None,
        caseload=caseload if kind == CapacityKind.CASELOAD else None,
        worker_title=(worker_title or "").strip() if kind == CapacityKind.CASELOAD else "",
        measure=measure or "",
        accommodation=accommodation or "",
        share=share if share is not None else Decimal(1),
    )
    errors = {}
    if not row.name:
        errors["name"] = "Enter the capacity's name"
    if kind not in CapacityKind.values:
        errors["kind"] = "Choose places or caseload"
    if service and row.service is None:
        errors["service"] = "Choose a service"
    if team and row.team is None:
        errors["team"] = "Choose a team"
    try:
        row.full_clean()
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, messages[0])
    if errors:
        raise ValidationError(errors)
    row.save()
    Audit(actor, Purpose.PLANNING).row(AuditAction.CREATE, "capacity", row.pk)
    return row


@dataclass
class Gap:
    months: int
    month: str  # the month's first day, ISO
    need: float  # children or young people needing the capacity then
    short: int  # places short, or workers short (0: enough)


@dataclass
class Row:
    capacity: Capacity
    in_use: int
    waiting: int
    oldest_wait: date | None
    gaps: list[Gap]
    unknown: str = ""  # why the need cannot be said

    @property
    def occupancy(self) -> float | None:
        holds = self.capacity.holds
        if not holds or 0 < self.in_use < 5:  # a share of a known size would give the count
            return None
        return self.in_use / holds

    @property
    def first_short(self) -> Gap | None:
        return next((g for g in self.gaps if g.short > 0), None)

    def sentence(self) -> str:
        gap = self.first_short
        c = self.capacity
        if not c.measure:
            return "No forecast is linked to this capacity"
        if self.unknown:
            return self.unknown
        if not self.gaps:
            return "No finished forecast reaches 6 months ahead yet"
        if gap is None:
            return f"Enough for the forecast over the next {self.gaps[-1].months} months"
        if c.kind == CapacityKind.CASELOAD:
            who = c.worker_title or "workers"
            more = f"{gap.short} more {who}" if gap.short > 1 else f"one more of its {who}"
            return (
                f"In {gap.months} months ({_month(gap.month)}) "
                f"{c.team.name if c.team else c.name} needs {more}, each with a caseload of "
                f"{c.caseload}"
            )
        return (
            f"In {gap.months} months ({_month(gap.month)}) {c.name} needs {gap.short} more places"
        )


def _month(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%B %Y")


@dataclass
class CapacityReport:
    rows: list[Row]
    forecast: Forecast | None

    def table(self) -> tuple[list[str], list[list]]:
        headers = ["Capacity", "Kind", "Holds", "In use now", "Occupancy", "Waiting"]
        headers += [f"Short in {m} months" for m in HORIZONS]
        rows = []
        for r in self.rows:
            by_months = {g.months: g.short for g in r.gaps}
            rows.append(
                [
                    r.capacity.name,
                    r.capacity.get_kind_display(),
                    r.capacity.holds,
                    counted(r.in_use),
                    round(r.occupancy, 3) if r.occupancy is not None else "",
                    counted(r.waiting),
                ]  # fmt: skip
                + [by_months.get(m, "") for m in HORIZONS]
            )
        return headers, rows


def latest_forecast() -> Forecast | None:
    """The latest finished forecast fitted Tandem's way (a v1 forecast is for comparison)."""
    return (
        Forecast.objects.filter(method=ForecastMethod.TANDEM)
        .exclude(result={})
        .order_by("-created_at")
        .first()
    )


def _need(result: dict, measure: str, months: int) -> float | None:
    rows = result["months"]
    if months > len(rows):
        return None
    if measure == Capacity.Measure.IN_CARE:
        return rows[months - 1]["in_care"]
    leavers = result["leavers"][months - 1]
    ages = range(17, 26) if measure == Capacity.Measure.CARE_LEAVERS else range(18, 22)
    return sum(leavers[f"age_{a}"] for a in ages)


def report(*, actor) -> CapacityReport:
    require_role(actor, Action.VIEW_REPORTS)
    forecast = latest_forecast()
    today = timezone.localdate()
    capacities = list(Capacity.objects.select_related("service", "team").order_by("name"))
    mix = {}
    if any(c.accommodation for c in capacities):
        mix, _ = accommodation_mix(actor)
    rows = []
    for c in capacities:
        # In use: the service's open spells (places, or a caseload measured by the service the
        # team gives); otherwise the team's open cases.
        if c.service_id:
            in_use = (
                ServiceSpell.objects.filter(service_id=c.service_id, started_on__lte=today)
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
                .count()
            )
        else:
            in_use = Case.objects.filter(team_id=c.team_id, status=CaseStatus.OPEN).count()
        teams = [c.team_id] if c.team_id else []
        if c.service_id:
            teams += list(c.service.delivered_by.values_list("pk", flat=True))
        waiting = Referral.objects.filter(to_team_id__in=teams, status=Status.SUBMITTED)
        oldest = waiting.aggregate(m=Min("received_at"))["m"]
        gaps, unknown = [], ""
        if c.accommodation and c.accommodation not in mix:
            unknown = (
                "Too few care leaver contacts in the record say how many live in "
                f"{c.get_accommodation_display().lower()} (fewer than 5 do): the need cannot "
                "be worked out"
            )
        elif forecast and c.measure:
            for months in HORIZONS:
                need = _need(forecast.result, c.measure, months)
                if need is None:
                    break
                need *= float(c.share) * (mix[c.accommodation] if c.accommodation else 1)
                if c.kind == CapacityKind.CASELOAD:
                    short = max(0, math.ceil(need / c.caseload - 1e-9) - (c.workers or 0))
                else:
                    short = max(0, math.ceil(need - 1e-9) - (c.places or 0))
                month = forecast.result["months"][months - 1]["month"]
                gaps.append(Gap(months, month, round(need, 1), short))
        rows.append(
            Row(c, in_use, waiting.count(), oldest.date() if oldest else None, gaps, unknown)
        )
    Audit(actor, Purpose.PLANNING).row(
        AuditAction.VIEW, "capacity_report", None, detail={"capacities": len(rows)}
    )
    return CapacityReport(rows, forecast)
