"""Reads of referrals: a child's referrals, a team's front-door queue, and a referrer's own
referrals with the feedback they were given."""

from uuid import UUID

from django.core.paginator import Page
from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from tandem.access.categories import Category
from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.grants import ChildGrant, child_grant_or_none
from tandem.access.policies import Action
from tandem.access.related import restricted_from
from tandem.audit.models import AuditAction
from tandem.audit.services import Audit
from tandem.paging import PER_PAGE, page_of
from tandem.referrals.codes import Status
from tandem.referrals.models import Referral

OPEN = (Status.SUBMITTED, Status.DECIDED)


def _with_details(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return qs.select_related(
        "child", "made_by", "from_team__partner", "to_team__partner", "decision__decided_by"
    ).prefetch_related("reasons", "feedback__given_by")


def _referrals_seen_without_casework(actor) -> Q:
    """Without the casework category (a front door deciding a referral sees who the child is,
    nothing more) a team sees only the referrals made to it or by it, not the child's others."""
    return Q(to_team_id=actor.team_id) | Q(from_team_id=actor.team_id) | Q(made_by=actor)


def _seen_without_casework(actor, referral: Referral, as_referrer: bool = False) -> bool:
    """`_referrals_seen_without_casework` for one referral; `as_referrer`: made by the actor or
    their team, the referrer's own whatever they now see of the child."""
    mine = referral.made_by_id == actor.pk or referral.from_team_id == actor.team_id
    return mine or (not as_referrer and referral.to_team_id == actor.team_id)


def referrals_for_child(*, grant: ChildGrant) -> list[Referral]:
    qs = Referral.objects.filter(child_id=grant.child_id)
    if not grant.sees(Category.CASEWORK):
        qs = qs.filter(_referrals_seen_without_casework(grant.actor))
    referrals = list(_with_details(qs).order_by("-received_at"))
    grant.audit("referral", detail={"referrals": len(referrals)})
    return referrals


def _referrer_audit(actor, purpose, referrals, action=AuditAction.VIEW, record_id="") -> None:
    """A referrer's reads of their own referrals: they see what they sent, never the record."""
    Audit(actor, purpose, "your own referral").rows(
        action, "referral", [r.child_id for r in referrals], record_id=record_id
    )


def decision_reasons_shown(grant, referral: Referral) -> bool:
    """The front door's own reasons for its threshold decision (and who decided): for the whole
    record (the owning team, an allocated worker) and the deciding team, not for a partner
    merely involved with the child nor for the referrer, who are told the outcome."""
    return grant is not None and (grant.whole_record or referral.to_team_id == grant.actor.team_id)


def referral_get(*, actor, referral_id: UUID, purpose: str) -> tuple[Referral, bool]:
    """A referral, and whether the actor sees it in full (the deciders' reasons,
    `decision_reasons_shown`).

    The child's current teams see it. The referrer (and their team) always see their own
    referral, the outcome and the feedback, even after it closes, but not the deciders' notes.
    """
    require_role(actor, Action.VIEW_CHILD)
    referral = _with_details(Referral.objects.filter(pk=referral_id)).first()
    if referral is None:
        raise NotFound("No referral with that id is in your records")
    grant = child_grant_or_none(actor=actor, child_id=referral.child_id, purpose=purpose)
    seen = grant is not None and (
        grant.sees(Category.CASEWORK) or _seen_without_casework(actor, referral)
    )
    in_full = seen and decision_reasons_shown(grant, referral)
    if seen:
        grant.audit("referral", referral.pk)
    elif _seen_without_casework(actor, referral, as_referrer=True):
        _referrer_audit(actor, purpose, [referral], record_id=referral.pk)
    else:
        raise NotFound("No referral with that id is in your records")
    return referral, in_full


# The front door's queue: what needs action first (a decision, then feedback), oldest first in
# each, so nothing new hides behind a page of older work; closed referrals last, newest first.
QUEUE_ORDER = (
    Case(
        When(status=Status.SUBMITTED, then=Value(0)),
        When(status=Status.DECIDED, then=Value(1)),
        default=Value(2),
    ),
    Case(When(status=Status.CLOSED, then=F("received_at"))).desc(nulls_last=True),
    "received_at",
    "id",
)


def referrals_made_by(*, actor, purpose: str, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The actor's own referrals, newest first, with their outcome and feedback: one page,
    and how many in all (`page.paginator.count`)."""
    require_role(actor, Action.MAKE_REFERRAL)
    qs = _with_details(Referral.objects.filter(made_by=actor)).order_by("-received_at", "id")
    found = page_of(qs, page, per_page)
    _referrer_audit(actor, purpose, found.object_list, action=AuditAction.LIST)
    return found


def referrals_to_team(
    *, actor, purpose: str, open_only: bool = True, page: int = 1, per_page: int = PER_PAGE
) -> Page:
    """The actor's team's front-door queue, a page at a time: awaiting a decision first, then
    feedback due (oldest first in each), then, if asked, the closed ones. A restricted record
    the actor is not named on is absent, as everywhere."""
    require_role(actor, Action.DECIDE_REFERRAL)
    qs = Referral.objects.filter(to_team_id=actor.team_id).exclude(
        child_id__in=restricted_from(actor).values("child_id")
    )
    if open_only:
        qs = qs.filter(~Q(status=Status.CLOSED))
    found = page_of(_with_details(qs).order_by(*QUEUE_ORDER), page, per_page)
    Audit(actor, purpose, "referral to your team").rows(
        AuditAction.LIST, "referral", [r.child_id for r in found.object_list]
    )
    return found


def referral_counts(*, actor) -> dict[str, int]:
    """How many referrals to the actor's team wait for a decision and for feedback (counts
    only: no child named)."""
    require_role(actor, Action.DECIDE_REFERRAL)
    rows = (
        Referral.objects.filter(to_team_id=actor.team_id, status__in=OPEN)
        .exclude(child_id__in=restricted_from(actor).values("child_id"))
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return {status: n for status, n in rows}
