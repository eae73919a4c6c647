"""Consent to share, for other systems (a school's or a GP's system that records consent): read,
record and withdraw a child's consents. The same services as the pages: the caller must be able
to see the child (else 404), and every read and write is audited."""

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema
from ninja.responses import Status

from tandem.access import selectors, services
from tandem.access.errors import NotFound
from tandem.access.grants import child_grant
from tandem.access.models import SharingPurpose
from tandem.audit.models import Purpose
from tandem.config.api_support import InputSchema, PastMoment, coded, line, responses, text

router = Router(tags=["consent"])


class ConsentOut(Schema):
    id: UUID
    purpose: str
    given_by: str
    given_at: datetime
    recorded_by: str
    withdrawn_at: datetime | None
    withdrawal_note: str


class ConsentIn(InputSchema):
    purpose: coded(SharingPurpose, "What the consent is for")
    given_by: line(200, description="Who gave it: the young person, their mother, …")
    given_at: PastMoment


class WithdrawIn(InputSchema):
    note: text(500, description="Who withdrew consent, and how")


def _out(consent) -> dict:
    return {
        "id": consent.pk,
        "purpose": consent.purpose,
        "given_by": consent.given_by,
        "given_at": consent.given_at,
        "recorded_by": consent.recorded_by.username,
        "withdrawn_at": consent.withdrawn_at,
        "withdrawal_note": consent.withdrawal_note,
    }


def _grant(request, child_id: UUID):
    return child_grant(actor=request.auth, child_id=child_id, purpose=Purpose.DIRECT_WORK)


@router.get("/children/{child_id}/consents", response=responses({200: list[ConsentOut]}))
def consent_list(request, child_id: UUID):
    """The child's consents to share, standing ones first, withdrawn ones with when and how."""
    return [_out(c) for c in selectors.consents_for(grant=_grant(request, child_id))]


@router.post("/children/{child_id}/consents", response=responses({201: ConsentOut}))
def consent_create(request, child_id: UUID, payload: ConsentIn):
    """Record consent to share the child's record for a purpose. A share whose lawful basis is
    consent applies only while a consent for its purpose stands."""
    consent = services.consent_record(
        actor=request.auth,
        child_id=child_id,
        purpose=payload.purpose.value,
        given_by=payload.given_by.strip(),
        given_at=payload.given_at,
    )
    return Status(201, _out(consent))


@router.post(
    "/children/{child_id}/consents/{consent_id}/withdraw",
    response=responses({200: ConsentOut}),
)
def consent_withdraw(request, child_id: UUID, consent_id: UUID, payload: WithdrawIn):
    """Withdraw a consent: from this moment nothing shared on it is shown to other partners."""
    consents = selectors.consents_for(grant=_grant(request, child_id))
    if not any(c.pk == consent_id for c in consents):  # another child's id: not found
        raise NotFound("No consent with that id for this child")
    consent = services.consent_withdraw(
        actor=request.auth, consent_id=consent_id, note=payload.note.strip()
    )
    return _out(consent)
