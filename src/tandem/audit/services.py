"""Writing the audit trail. Selectors and services call this; nothing else writes audit rows."""

from collections.abc import Iterable
from uuid import UUID

from django.utils import timezone

from tandem.audit.context import current_origin
from tandem.audit.models import AccessEvent, AuditAction


def access_events_record(
    *,
    actor,
    action: str,
    purpose: str,
    record_type: str,
    person_ids: Iterable[UUID | None],
    record_id: str = "",
    basis: str = "",
    detail: dict | None = None,
) -> list[AccessEvent]:
    """One row per person: a list of 25 children writes 25 rows, so "who looked" is complete."""
    origin = current_origin()
    now = timezone.now()
    team = getattr(actor, "team", None) if actor is not None else None
    rows = [
        AccessEvent(
            occurred_at=now,
            actor=actor if actor is not None and actor.pk else None,
            actor_username=getattr(actor, "username", "") or "anonymous",
            actor_partner=team.partner.name if team else "",
            actor_team=team.name if team else "",
            person_id=person_id,
            action=action,
            record_type=record_type,
            record_id=str(record_id or person_id or ""),
            purpose=purpose,
            basis=basis,
            channel=origin.channel,
            ip_address=origin.ip_address,
            request_id=origin.request_id,
            detail=detail or {},
        )
        for person_id in person_ids
    ]
    return AccessEvent.objects.bulk_create(rows)


def access_event_record(*, person_id: UUID | None, **kwargs) -> AccessEvent:
    return access_events_record(person_ids=[person_id], **kwargs)[0]


def access_denied_record(*, actor, request, reason: str) -> AccessEvent:
    """A refused request for a record (404) or an action (403), written where the refusal
    becomes an HTTP answer, outside any transaction the refusal rolled back, so that someone
    trying ids they have no right to leaves a trace for the IG lead."""
    kwargs = getattr(request, "resolver_match", None)
    kwargs = kwargs.kwargs if kwargs else {}
    child_id = kwargs.get("child_id")
    return access_event_record(
        actor=actor,
        action=AuditAction.DENIED,
        purpose="",  # a refused request has no purpose we can vouch for
        record_type="request",
        record_id=request.path[:64],
        person_id=child_id if isinstance(child_id, UUID) else None,
        detail={
            "method": request.method,
            "reason": reason,
            **{k: str(v) for k, v in kwargs.items()},
        },
    )
