"""Reads for the portal. A portal user's reads are audited like a practitioner's, under the
stand-in actor `portal:<account id>`; they see their own plan and messages and nothing else."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.casework.codes import CaseStatus, PlanStatus, Sharing
from tandem.casework.models import Action as PlanAction
from tandem.casework.models import Goal, Plan
from tandem.portal.models import PortalAccount, PortalMessage, Who

OWN_RECORD = Purpose.DIRECT_WORK


@dataclass(frozen=True)
class PortalActor:
    """Stands in for the actor on an audit row: a portal user is not a practitioner."""

    username: str
    pk: None = None
    team: None = None


def portal_account_active(account_id) -> PortalAccount | None:
    """The signed-in account, while its invitation is live and its case open."""
    return (
        PortalAccount.objects.select_related("person", "case__lead_professional", "case__child")
        .filter(
            pk=account_id,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            case__status=CaseStatus.OPEN,
        )
        .first()
    )


@dataclass
class PortalPlan:
    goals: list[Goal]
    next_review_on: date | None
    lead_name: str
    agreed: bool


def _audit(account: PortalAccount, *, record_type: str, detail: dict | None = None) -> None:
    Audit(
        PortalActor(username=account.username),
        OWN_RECORD,
        f"portal: {account.get_who_display().lower()}",
    ).row(
        AuditAction.VIEW,
        record_type,
        account.case_id,
        account.case.child_id,
        detail={"portal_account": str(account.pk), **(detail or {})},
    )


def portal_plan(*, account: PortalAccount) -> PortalPlan:
    """The plan as this person may see it: a young person sees every goal of their plan, a
    parent or carer only the goals the practitioner shared with the family. Actions show what
    will be done, by whom and when: never case notes, evidence or anyone else's information."""
    plan = Plan.objects.filter(case_id=account.case_id).first()
    goals: list[Goal] = []
    if plan and plan.status == PlanStatus.AGREED:
        qs = plan.goals.prefetch_related(
            Prefetch("actions", queryset=PlanAction.objects.select_related("owner__team__partner"))
        )
        if account.who != Who.YOUNG_PERSON:
            qs = qs.filter(shared_with=Sharing.EVERYONE)
        goals = list(qs)
    lead = account.case.lead_professional
    _audit(account, record_type="portal_plan", detail={"goals": len(goals)})
    return PortalPlan(
        goals=goals,
        next_review_on=plan.next_review_on if plan else None,
        lead_name=lead.get_full_name() or lead.username,
        agreed=bool(plan and plan.status == PlanStatus.AGREED),
    )


def portal_messages(*, account: PortalAccount) -> list[PortalMessage]:
    """Only this person's own messages and the replies to them."""
    messages = list(account.messages.select_related("replied_by").order_by("-sent_at"))
    _audit(account, record_type="portal_messages", detail={"messages": len(messages)})
    return messages


def messages_waiting(*, lead):
    """Messages on open cases the practitioner leads, not yet answered, oldest first (for the
    work tray, which audits the children it shows)."""
    return PortalMessage.objects.filter(
        case__lead_professional=lead,
        case__status=CaseStatus.OPEN,
        replied_at__isnull=True,
    ).order_by("sent_at", "id")


@dataclass
class CasePortal:
    accounts: list[PortalAccount]
    messages: list[PortalMessage]


def case_portal(*, grant, case_id) -> CasePortal:
    """For a practitioner on the case: the invitations and the messages with their replies,
    under the grant the case was read with (`casework.selectors.case_get`)."""
    from tandem.access.related import people_shown

    accounts = list(
        PortalAccount.objects.filter(case_id=case_id).select_related("person", "invited_by")
    )
    messages = list(
        PortalMessage.objects.filter(case_id=case_id)
        .select_related("account__person", "replied_by")
        .order_by("-sent_at")
    )
    # A parent whose record is restricted (and who is not the viewer's to see) is absent.
    shown = people_shown(grant.actor, [a.person_id for a in accounts])
    accounts = [a for a in accounts if shown.shows(a.person_id)]
    messages = [m for m in messages if shown.shows(m.account.person_id)]
    grant.audit("portal_messages", case_id, detail={"messages": len(messages)})
    return CasePortal(accounts=accounts, messages=messages)
