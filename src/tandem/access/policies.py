"""Who may do what to which child: the two levels of every decision, in one place.

1. The role grants an action (`role_allows`).
2. The record check grants *this* child: a reason the data holds (`CHILD_ACCESS_RULES`).

Lists, pages, the API, search and exports all filter with `visible_children_q`, and single
records are checked with `basis_of`, which reads the very same rules from the facts of one
query (`access.facts`) so that it can say which one let the actor in; `access.grants` carries
that answer through the request. `visible_child_q` is the
same rules again, as correlated EXISTS on a row that names a child (a flag, say), for long lists
read a page at a time in some order.
"""

import operator
from collections.abc import Callable
from enum import StrEnum
from functools import reduce

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tandem.access.facts import FULL_KINDS, Facts
from tandem.access.models import BreakGlass, Involvement, RestrictionKind
from tandem.access.related import active_restrictions, restricted_from
from tandem.partners.models import Role
from tandem.referrals.codes import Status


class Action(StrEnum):
    VIEW_CHILD = "view_child"
    CREATE_CHILD = "create_child"
    EDIT_CHILD = "edit_child"
    RECORD_EVENT = "record_event"
    MAKE_REFERRAL = "make_referral"
    DECIDE_REFERRAL = "decide_referral"
    GIVE_FEEDBACK = "give_feedback"
    LOOKUP_KNOWN = "lookup_known"
    VIEW_AUDIT = "view_audit"
    # Children looked after and statutory returns (issue 7)
    RECORD_CARE = "record_care"
    PREPARE_RETURN = "prepare_return"
    MANAGE_GOVERNANCE = "manage_governance"
    BREAK_GLASS = "break_glass"
    # Early identification (issue 5): partners' extracts, linkage review, triage worklist
    LOAD_EXTRACT = "load_extract"
    REVIEW_LINKS = "review_links"
    TRIAGE = "triage"
    # Casework and reports
    APPROVE_ASSESSMENT = "approve_assessment"
    VIEW_REPORTS = "view_reports"
    PLAN = "plan"


PRACTITIONERS = {
    Role.SOCIAL_WORKER,
    Role.FAMILY_SUPPORT_WORKER,
    Role.PERSONAL_ADVISER,
    Role.POLICE_SAFEGUARDING_OFFICER,
    Role.HEALTH_PRACTITIONER,
    Role.SCHOOL_DSL,
    Role.TEAM_MANAGER,
}
DECIDERS = {Role.SOCIAL_WORKER, Role.TEAM_MANAGER}

ROLE_ACTIONS: dict[Action, set[str]] = {
    Action.VIEW_CHILD: PRACTITIONERS,
    Action.CREATE_CHILD: PRACTITIONERS,
    Action.EDIT_CHILD: PRACTITIONERS,
    Action.RECORD_EVENT: PRACTITIONERS,
    Action.MAKE_REFERRAL: PRACTITIONERS,
    Action.LOOKUP_KNOWN: PRACTITIONERS,
    Action.DECIDE_REFERRAL: DECIDERS,
    Action.GIVE_FEEDBACK: DECIDERS,
    Action.VIEW_AUDIT: {Role.IG_LEAD},
    # Children looked after and statutory returns (issue 7): the local authority's performance
    # and data team, who are partnership analysts in a local authority team.
    Action.RECORD_CARE: DECIDERS,
    Action.PREPARE_RETURN: {Role.PARTNERSHIP_ANALYST},
    Action.MANAGE_GOVERNANCE: {Role.IG_LEAD},
    Action.BREAK_GLASS: PRACTITIONERS,
    # Early identification (issue 5): a partner's analyst or team manager loads its extracts;
    # analysts settle uncertain links; practitioners triage flagged children they may see.
    Action.LOAD_EXTRACT: {Role.PARTNERSHIP_ANALYST, Role.TEAM_MANAGER},
    Action.REVIEW_LINKS: {Role.PARTNERSHIP_ANALYST, Role.TEAM_MANAGER},
    Action.TRIAGE: PRACTITIONERS,
    # A team manager of the case's team approves an assessment (casework.services).
    Action.APPROVE_ASSESSMENT: {Role.TEAM_MANAGER},
    # Aggregate reports (no child named): managers, analysts and the partnership board.
    Action.VIEW_REPORTS: {Role.TEAM_MANAGER, Role.PARTNERSHIP_ANALYST, Role.BOARD_MEMBER},
    # Planning (issue 24): analysts run forecasts and scenarios and keep budgets and capacity;
    # readers of reports see them.
    Action.PLAN: {Role.PARTNERSHIP_ANALYST},
}


def role_allows(actor, action: Action) -> bool:
    return bool(actor and actor.is_authenticated and actor.is_active) and (
        actor.role in ROLE_ACTIONS[action]
    )


def involvement_active(prefix: str = "") -> Q:
    """The one definition of an active involvement, for a query on `prefix` (e.g.
    "involvements__"): started today or before, and not ended (one ending today has ended). The
    facts query's SQL says the same (`access.facts._ACTIVE`), held to it by tests/access."""
    today = timezone.localdate()
    return Q(**{f"{prefix}started_on__lte": today}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": today})
    )


def active_involvements():
    return Involvement.objects.filter(involvement_active(), child__is_child=True)


def open_referrals():
    from tandem.referrals.models import Referral

    return Referral.objects.exclude(status=Status.CLOSED).filter(child__is_child=True)


def active_break_glass():
    now = timezone.now()
    return BreakGlass.objects.filter(started_at__lte=now, expires_at__gt=now)


ALLOCATED = "allocated worker"
TEAM_CASE = "team owns or is involved in the case"
REFERRAL_TO_TEAM = "open referral to your team"
NAMED_ON_RESTRICTION = "named on a restricted record"
BREAK_GLASS = "emergency access (break-glass)"

# Each rule: (the reason it gives, the child ids it lets the actor see). Strongest first, because
# `access_basis` reports the first that matches. Making a referral is deliberately not a reason:
# a referrer sees their referral, its outcome and the feedback (`referral_get`), never the record,
# or anyone who knows a child's NHS number could open that child's record by "referring" them.
CHILD_ACCESS_RULES: list[tuple[str, Callable[..., QuerySet]]] = [
    (ALLOCATED, lambda a: active_involvements().filter(practitioner_id=a.pk, kind__in=FULL_KINDS)),
    # The team's involvements, and the actor's own as a member of a team around the family.
    (
        TEAM_CASE,
        lambda a: active_involvements().filter(Q(team_id=a.team_id) | Q(practitioner_id=a.pk)),
    ),
    (REFERRAL_TO_TEAM, lambda a: open_referrals().filter(to_team_id=a.team_id)),
    (
        NAMED_ON_RESTRICTION,
        lambda a: active_restrictions(RestrictionKind.RESTRICTED_RECORD).filter(named_people=a),
    ),
    (BREAK_GLASS, lambda a: active_break_glass().filter(user_id=a.pk)),
]


def visible_children_q(actor, action: Action = Action.VIEW_CHILD) -> Q:
    """The filter for children `actor` may see; matches nothing when the role does not allow it."""
    if not role_allows(actor, action):
        return Q(pk__in=[])
    reasons = [Q(pk__in=rule(actor).values("child_id")) for _, rule in CHILD_ACCESS_RULES]
    hidden = ~Q(pk__in=restricted_from(actor).values("child_id"))
    return Q(is_child=True) & reduce(operator.or_, reasons) & hidden


def visible_child_q(actor, action: Action = Action.VIEW_CHILD, *, child: str) -> Q:
    """`visible_children_q` for rows of another model that name a child through the path `child`
    (e.g. "linked_person__person" on a flag): the same `CHILD_ACCESS_RULES`, each an EXISTS
    correlated with the row. Ordered and sliced, the database can then walk an index in the
    list's order, test each row and stop at the end of the page, where `pk IN (every visible
    child)` first builds the whole visible set (tests/access/test_policy_agreement.py holds this
    to `basis_of` over a matrix of facts)."""
    if not role_allows(actor, action):
        return Q(pk__in=[])
    row_child = OuterRef(child)
    reasons = [Q(Exists(rule(actor).filter(child_id=row_child))) for _, rule in CHILD_ACCESS_RULES]
    hidden = ~Q(Exists(restricted_from(actor).filter(child_id=row_child)))
    return Q(**{f"{child}__is_child": True}) & reduce(operator.or_, reasons) & hidden


def basis_of(facts: Facts) -> str | None:
    """The first of `CHILD_ACCESS_RULES` that the facts about one actor and one child meet, or
    None; a restricted record the actor is not named on hides the child whatever else holds."""
    if facts.restricted_record and not facts.named_on_restricted_record:
        return None
    reasons = [
        (ALLOCATED, facts.allocated),
        (TEAM_CASE, facts.owns_or_allocated or facts.involved_purposes),
        (REFERRAL_TO_TEAM, facts.referral_to_team),
        (NAMED_ON_RESTRICTION, facts.named_on_restricted_record),
        (BREAK_GLASS, facts.break_glass),
    ]
    return next((reason for reason, holds in reasons if holds), None)
