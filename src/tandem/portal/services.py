"""Writes for the portal: the practitioner's invitation and reply, the young person's or
parent's sign-in and message. Link tokens and passcodes are stored only as hashes."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tandem.access.errors import NotFound
from tandem.access.policies import Action
from tandem.access.related import people_shown
from tandem.audit.models import AuditAction
from tandem.audit.services import Audit
from tandem.casework.codes import CaseStatus
from tandem.casework.models import Case
from tandem.casework.selectors import case_grant
from tandem.people.codes import RelationshipKind
from tandem.people.models import Person, Relationship
from tandem.portal.models import PortalAccount, PortalMessage, Who
from tandem.portal.selectors import OWN_RECORD, PortalActor

INVITATION_DAYS = 30
MAX_FAILED_ATTEMPTS = 5
PASSCODE_DIGITS = 6
# Who may be invited as a parent or carer: the child's recorded parents and carers only.
PARENT_KINDS = {RelationshipKind.PARENT, RelationshipKind.CARER}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Invitation:
    account: PortalAccount
    token: str  # for the link; shown once
    passcode: str  # given separately (in person or by phone); shown once


def _parent_of(actor, child_id, person_id) -> bool:
    """A recorded parent or carer of the child (relationships are stored once per pair) whom
    the actor may be shown (never a restricted record they are not named on)."""
    if not people_shown(actor, [person_id]).shows(person_id):
        return False
    return Relationship.objects.filter(
        Q(person_a_id=person_id, person_b_id=child_id, kind__in=PARENT_KINDS)
        | Q(person_a_id=child_id, person_b_id=person_id, kind__in={"child", "cared_for"})
    ).exists()


@transaction.atomic
def portal_invite(
    *, actor, case_id: UUID, who: str, person_id: UUID | None = None, purpose: str
) -> Invitation:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    grant = case_grant(actor=actor, case=case, purpose=purpose, action=Action.RECORD_EVENT)
    if case.status != CaseStatus.OPEN:
        raise ValidationError({"who": "This case is closed"})
    if who == Who.YOUNG_PERSON:
        person = case.child
    elif who == Who.PARENT_CARER:
        person = Person.objects.filter(pk=person_id, is_child=False).first() if person_id else None
        if person is None or not _parent_of(actor, case.child_id, person.pk):
            raise ValidationError(
                {"person_id": "Choose a parent or carer recorded for this child"}
            )
    else:
        raise ValidationError({"who": "Choose who you are inviting"})
    token = secrets.token_urlsafe(32)
    passcode = "".join(secrets.choice("0123456789") for _ in range(PASSCODE_DIGITS))
    now = timezone.now()
    # A new invitation replaces the person's earlier ones for this case.
    PortalAccount.objects.filter(case=case, person=person, revoked_at__isnull=True).update(
        revoked_at=now
    )
    account = PortalAccount.objects.create(
        case=case,
        person=person,
        who=who,
        token_hash=token_hash(token),
        passcode_hash=make_password(passcode),
        invited_by=actor,
        invited_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    grant.audit(
        "portal_invitation",
        account.pk,
        action=AuditAction.CREATE,
        detail={"who": who, "person": str(person.pk)},
    )
    return Invitation(account=account, token=token, passcode=passcode)


@transaction.atomic
def portal_revoke(*, actor, case_id: UUID, account_id: UUID, purpose: str) -> PortalAccount:
    """Stop a live invitation of this case at once; an id from another case, or one already
    stopped, is not found."""
    account = (
        PortalAccount.objects.select_related("case", "person")
        .filter(pk=account_id, case_id=case_id, revoked_at__isnull=True)
        .first()
    )
    grant = case_grant(
        actor=actor, case=account and account.case, purpose=purpose, action=Action.RECORD_EVENT
    )
    account.revoked_at = timezone.now()
    account.save(update_fields=["revoked_at"])
    grant.audit(
        "portal_invitation", account.pk, action=AuditAction.UPDATE, detail={"revoked": True}
    )
    return account


WRONG = "The link or the code is not right. Check them, or ask your worker for a new link"


def portal_account_for_link(token: str) -> PortalAccount | None:
    """The live invitation behind a link, or None (expired, replaced, unknown: all the same)."""
    return (
        PortalAccount.objects.select_related("case")
        .filter(
            token_hash=token_hash(token),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            case__status=CaseStatus.OPEN,
        )
        .first()
    )


def portal_sign_in(*, token: str, passcode: str) -> PortalAccount:
    """Check the passcode for a link. Five wrong codes end the invitation: the practitioner
    makes a new one. Every attempt is audited."""
    with transaction.atomic():
        account = portal_account_for_link(token)
        if account is None:
            raise ValidationError({"passcode": WRONG})
        account = PortalAccount.objects.select_for_update().get(pk=account.pk)
        ok = check_password(passcode.strip(), account.passcode_hash)
        now = timezone.now()
        if ok:
            account.failed_attempts = 0
            account.last_signed_in_at = now
        else:
            account.failed_attempts += 1
            if account.failed_attempts >= MAX_FAILED_ATTEMPTS:
                account.revoked_at = now
        account.save(update_fields=["failed_attempts", "last_signed_in_at", "revoked_at"])
        Audit(PortalActor(username=account.username), OWN_RECORD, "portal sign-in").row(
            AuditAction.SIGN_IN if ok else AuditAction.SIGN_IN_FAILED,
            "portal_account",
            account.pk,
            account.case.child_id,
        )
    if not ok:
        raise ValidationError({"passcode": WRONG})
    return account


@transaction.atomic
def portal_message_send(*, account: PortalAccount, text: str) -> PortalMessage:
    message = PortalMessage(
        account=account, case_id=account.case_id, text=text.strip(), sent_at=timezone.now()
    )
    if not message.text:
        raise ValidationError({"text": "Write what you think before you send it"})
    message.full_clean()
    message.save()
    Audit(PortalActor(username=account.username), OWN_RECORD, "portal: own message").row(
        AuditAction.CREATE, "portal_message", message.pk, account.case.child_id
    )
    return message


@transaction.atomic
def portal_message_reply(
    *, actor, case_id: UUID, message_id: UUID, reply: str, so_we: str = "", purpose: str
) -> PortalMessage:
    message = (
        PortalMessage.objects.select_for_update()
        .select_related("case")
        .filter(pk=message_id, case_id=case_id)
        .first()
    )
    if message is None:
        raise NotFound("No message with that id in this case")
    grant = case_grant(actor=actor, case=message.case, purpose=purpose, action=Action.RECORD_EVENT)
    if message.replied_at:
        raise ValidationError({"reply": "This message has already been answered"})
    if not reply.strip():
        raise ValidationError({"reply": "Write your reply"})
    message.reply = reply.strip()
    message.so_we = so_we.strip()
    message.replied_by = actor
    message.replied_at = timezone.now()
    message.full_clean()
    message.save()
    grant.audit("portal_message", message.pk, action=AuditAction.UPDATE)
    return message
