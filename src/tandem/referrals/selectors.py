"""Reads of referrals: a child's referrals, a team's front-door queue, and a referrer's own
referrals with the feedback they were given."""

from uuid import UUID

from django.db.models import Q, QuerySet

from tandem.access.categories import Category
from tandem.access.checks import require_child_access, require_role
from tandem.access.errors import NotFound
from tandem.access.policies import Action
from tandem.access.sharing import child_access
from tandem.audit.models import AuditAction
from tandem.audit.services import access_event_record, access_events_record
from tandem.referrals.codes import Status
from tandem.referrals.models import Referral


def _with_details(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return qs.select_related(
        "child", "made_by", "from_team__partner", "to_team__partner", "decision__decided_by"
    ).prefetch_related("reasons", "feedback__given_by")


def _referrals_seen_without_casework(actor) -> Q:
    """Without the casework category (a front door deciding a referral sees who the child is,
    nothing more) a team sees only the referrals made to it or by it, not the child's others."""
    return Q(to_team_id=actor.team_id) | Q(from_team_id=actor.team_id) | Q(made_by=actor)


def referrals_for_child(*, actor, child_id: UUID, purpose: str) -> list[Referral]:
    basis, categories = require_child_access(actor, child_id)
    qs = Referral.objects.filter(child_id=child_id)
    if Category.CASEWORK not in categories:
        qs = qs.filter(_referrals_seen_without_casework(actor))
    referrals = list(_with_details(qs).order_by("-received_at"))
    access_event_record(
        actor=actor,
        action=AuditAction.VIEW,
        purpose=purpose,
        record_type="referral",
        person_id=child_id,
        basis=basis,
        detail={"referrals": len(referrals)},
    )
    return referrals


def referral_get(*, actor, referral_id: UUID, purpose: str) -> tuple[Referral, bool]:
    """A referral, and whether the actor sees it in full.

    The child's current teams see it in full. The referrer (and their team) always see their own
    referral, the outcome and the feedback, even after it closes, but not the deciders' notes.
    """
    require_role(actor, Action.VIEW_CHILD)
    referral = _with_details(Referral.objects.filter(pk=referral_id)).first()
    if referral is None:
        raise NotFound("No referral with that id is in your records")
    basis, categories = child_access(actor, referral.child_id)
    in_full = basis is not None and (
        Category.CASEWORK in categories
        or Referral.objects.filter(
            _referrals_seen_without_casework(actor), pk=referral.pk
        ).exists()
    )
    as_referrer = referral.made_by_id == actor.pk or referral.from_team_id == actor.team_id
    if not (in_full or as_referrer):
        raise NotFound("No referral with that id is in your records")
    access_event_record(
        actor=actor,
        action=AuditAction.VIEW,
        purpose=purpose,
        record_type="referral",
        person_id=referral.child_id,
        record_id=str(referral.pk),
        basis=basis if in_full else "your own referral",
    )
    return referral, in_full


def referrals_made_by(*, actor, purpose: str, limit: int = 50) -> list[Referral]:
    """The actor's own referrals, newest first, with their outcome and feedback."""
    require_role(actor, Action.MAKE_REFERRAL)
    referrals = list(
        _with_details(Referral.objects.filter(made_by=actor)).order_by("-received_at")[:limit]
    )
    access_events_record(
        actor=actor,
        action=AuditAction.LIST,
        purpose=purpose,
        record_type="referral",
        person_ids=[r.child_id for r in referrals],
        basis="your own referral",
    )
    return referrals


def referrals_to_team(
    *, actor, purpose: str, open_only: bool = True, limit: int = 50
) -> list[Referral]:
    """The actor's team's front-door queue: awaiting a decision or feedback, oldest first."""
    require_role(actor, Action.DECIDE_REFERRAL)
    qs = Referral.objects.filter(to_team_id=actor.team_id)
    if open_only:
        qs = qs.filter(~Q(status=Status.CLOSED))
    referrals = list(_with_details(qs).order_by("received_at")[:limit])
    access_events_record(
        actor=actor,
        action=AuditAction.LIST,
        purpose=purpose,
        record_type="referral",
        person_ids=[r.child_id for r in referrals],
        basis="referral to your team",
    )
    return referrals
