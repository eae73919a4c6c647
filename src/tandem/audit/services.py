"""Writing the audit trail. Selectors and services call this; nothing else writes audit rows."""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.utils import timezone

from tandem.audit.context import current_origin
from tandem.audit.models import AccessEvent, AuditAction


@dataclass(frozen=True)
class Audit:
    """Who writes audit rows here, for what purpose and on what basis: said once where the work
    starts (a child's record says it with its grant, `access.grants.ChildGrant.audit`), then
    one line a row."""

    actor: object
    purpose: str
    basis: str = ""

    def rows(
        self,
        action: str,
        record_type: str,
        person_ids: Iterable[UUID | None],
        record_id: object = "",
        detail: dict | None = None,
    ) -> list[AccessEvent]:
        """One row per person: a list of 25 children writes 25 rows, so "who looked" is
        complete."""
        origin = current_origin()
        now = timezone.now()
        actor = self.actor
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
                purpose=self.purpose,
                basis=self.basis,
                channel=origin.channel,
                ip_address=origin.ip_address,
                request_id=origin.request_id,
                detail=detail or {},
            )
            for person_id in person_ids
        ]
        return AccessEvent.objects.bulk_create(rows)

    def row(
        self,
        action: str,
        record_type: str,
        record_id: object = "",
        person_id: UUID | None = None,
        detail: dict | None = None,
    ) -> AccessEvent:
        return self.rows(action, record_type, [person_id], record_id, detail)[0]


def access_denied_record(*, actor, request, reason: str) -> AccessEvent:
    """A refused request for a record (404) or an action (403), written where the refusal
    becomes an HTTP answer, outside any transaction the refusal rolled back, so that someone
    trying ids they have no right to leaves a trace for the IG lead."""
    kwargs = getattr(request, "resolver_match", None)
    kwargs = kwargs.kwargs if kwargs else {}
    child_id = kwargs.get("child_id")
    # A refused request has no purpose we can vouch for.
    return Audit(actor, purpose="").row(
        AuditAction.DENIED,
        "request",
        request.path[:64],
        child_id if isinstance(child_id, UUID) else None,
        {"method": request.method, "reason": reason, **{k: str(v) for k, v in kwargs.items()}},
    )
