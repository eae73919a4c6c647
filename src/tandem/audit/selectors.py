"""Reading the audit trail: for information-governance leads only, and itself audited."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.db.models import Q
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.policies import Action
from tandem.audit.models import AccessEvent, AuditAction, Purpose
from tandem.audit.services import Audit


@dataclass(frozen=True)
class AuditFilters:
    username: str = ""
    partner: str = ""
    person_id: UUID | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None  # inclusive: the whole of that day

    def as_q(self) -> Q:
        q = Q()
        if self.username:
            q &= Q(actor_username__iexact=self.username.strip())
        if self.partner:
            q &= Q(actor_partner__iexact=self.partner.strip())
        if self.person_id:
            q &= Q(person_id=self.person_id)
        if self.action:
            q &= Q(action=self.action)
        if self.date_from:
            q &= Q(occurred_at__gte=_start_of(self.date_from))
        if self.date_to:
            q &= Q(occurred_at__lt=_start_of(self.date_to + timedelta(days=1)))
        return q

    def as_detail(self) -> dict:
        return {
            "username": self.username,
            "partner": self.partner,
            "person_id": str(self.person_id or ""),
            "action": self.action,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }


@dataclass(frozen=True)
class AuditPage:
    items: list[AccessEvent]
    total: int
    offset: int
    limit: int
    names: dict = field(default_factory=dict)  # person id -> name, as the viewer may see it


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_events_search(
    *, actor, filters: AuditFilters = AuditFilters(), offset: int = 0, limit: int = 50
) -> AuditPage:
    """Who did what, newest first, with the name of each person whose record it was (as the
    IG lead may see them: `access.selectors.governance_names`). The search itself is recorded,
    with the people it named, so looking at the trail leaves a trace in it too (one row: the
    trail does not grow a row for every name it shows)."""
    from tandem.access.selectors import governance_names

    require_role(actor, Action.VIEW_AUDIT)
    qs = AccessEvent.objects.filter(filters.as_q())
    total = qs.count()
    items = list(
        qs.select_related("actor").order_by("-occurred_at", "-id")[offset : offset + limit]
    )
    people = {e.person_id for e in items} | {filters.person_id}
    names = governance_names(actor=actor, person_ids=people, record=False)
    Audit(actor, Purpose.AUDIT_REVIEW, "information-governance lead").row(
        AuditAction.SEARCH,
        "access_event",
        person_id=filters.person_id,
        detail={
            **filters.as_detail(),
            "rows": len(items),
            "people_named": sorted(str(p) for p in names),
        },
    )
    return AuditPage(items=items, total=total, offset=offset, limit=limit, names=names)


# A partnership-wide export is for review, not for bulk copying: past this, narrow the search.
EXPORT_LIMIT = 100_000
EXPORT_COLUMNS = [
    "occurred_at",
    "actor_username",
    "actor_team",
    "actor_partner",
    "action",
    "record_type",
    "record_id",
    "person_id",
    "purpose",
    "basis",
    "channel",
    "request_id",
]


def access_events_export(*, actor, filters: AuditFilters = AuditFilters()):
    """The rows of a search, oldest first, for a CSV file. The export itself is audited (with
    its filters and how many rows it held) before the first row leaves."""
    require_role(actor, Action.VIEW_AUDIT)
    qs = AccessEvent.objects.filter(filters.as_q()).order_by("occurred_at", "id")
    total = min(qs.count(), EXPORT_LIMIT)
    Audit(actor, Purpose.AUDIT_REVIEW, "information-governance lead").row(
        AuditAction.EXPORT,
        "access_event",
        person_id=filters.person_id,
        detail={**filters.as_detail(), "rows": total},
    )
    return qs.values_list(*EXPORT_COLUMNS)[:EXPORT_LIMIT].iterator(chunk_size=2000)


def _may_see_who_looked(actor, child_id) -> str | None:
    """An IG lead; or the team that owns the case (the whole record: the owning team or a real
    allocation), through the same grant as every other read, so a restricted record they are
    not named on stays absent. Not a member of the team around the family, nor a front door."""
    from tandem.access.grants import child_grant_or_none
    from tandem.access.policies import role_allows

    if role_allows(actor, Action.VIEW_AUDIT):
        return "information-governance lead"
    grant = child_grant_or_none(actor=actor, child_id=child_id, purpose=Purpose.AUDIT_REVIEW)
    return "team owns the case" if grant and grant.whole_record else None


def who_looked(*, actor, child_id: UUID, offset: int = 0, limit: int = 50) -> AuditPage:
    """Every read and write of one child's record: for IG leads and the team that owns the case.
    Anyone else is told the child is not there, as everywhere."""
    from tandem.access.errors import NotFound

    basis = _may_see_who_looked(actor, child_id)
    if basis is None:
        raise NotFound("No child with that id is in your records")
    qs = AccessEvent.objects.filter(person_id=child_id)
    total = qs.count()
    items = list(
        qs.select_related("actor").order_by("-occurred_at", "-id")[offset : offset + limit]
    )
    Audit(actor, Purpose.AUDIT_REVIEW, basis).row(
        AuditAction.VIEW, "who_looked", person_id=child_id, detail={"rows": len(items)}
    )
    return AuditPage(items=items, total=total, offset=offset, limit=limit)
