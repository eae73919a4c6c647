"""Reading the information-governance data: the break-glass review queue, one emergency access,
a user's notifications, the agreements. Each checks the role and is audited like any read."""

from dataclasses import dataclass
from uuid import UUID

from django.core.paginator import Page
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.grants import ChildGrant
from tandem.access.models import (
    Agreement,
    BreakGlass,
    Consent,
    LegalHold,
    Notification,
    Restriction,
    Review,
    ShareDecision,
)
from tandem.access.policies import Action, role_allows
from tandem.access.related import restricted_from
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.paging import page_of


def break_glass_queue(*, actor, pending_only: bool = True, page: int = 1) -> Page:
    """Emergency accesses waiting for an IG lead's review, oldest first, a page at a time."""
    require_role(actor, Action.VIEW_AUDIT)
    qs = BreakGlass.objects.select_related("user__team__partner").order_by("started_at", "id")
    if pending_only:
        qs = qs.filter(review=Review.PENDING)
    found = page_of(qs, page)
    _listed(actor, "break_glass", [b.child_id for b in found.object_list])
    return found


def break_glass_pending_count(*, actor) -> int:
    require_role(actor, Action.VIEW_AUDIT)
    return BreakGlass.objects.filter(review=Review.PENDING).count()


def break_glass_get(*, actor, break_glass_id: UUID) -> BreakGlass:
    require_role(actor, Action.VIEW_AUDIT)
    grant = (
        BreakGlass.objects.select_related("user__team__partner", "reviewed_by")
        .filter(pk=break_glass_id)
        .first()
    )
    if grant is None:
        raise NotFound("No emergency access with that id")
    Audit(actor, Purpose.AUDIT_REVIEW, "information-governance lead").row(
        AuditAction.VIEW, "break_glass", grant.pk, grant.child_id
    )
    return grant


def break_glass_active_for(*, actor) -> list[BreakGlass]:
    """The user's own emergency accesses still running (to show them when each ends)."""
    now = timezone.now()
    return list(
        BreakGlass.objects.filter(user_id=actor.pk, started_at__lte=now, expires_at__gt=now)
    )


def notifications_for(*, actor, page: int = 1) -> Page:
    """A user's own inbox, newest first, a page at a time: nobody reads anyone else's, and one
    about a child a restriction has since put out of their reach is not shown."""
    mine = Notification.objects.filter(recipient_id=actor.pk).exclude(
        child_id__in=restricted_from(actor).values("child_id")
    )
    return page_of(mine.order_by("-created_at", "id"), page)


def agreements_list(*, actor) -> list[Agreement]:
    require_role(actor, Action.MANAGE_GOVERNANCE)
    return list(
        Agreement.objects.select_related("owner")
        .prefetch_related("acceptances__partner", "grants__from_partner", "grants__to_partner")
        .order_by("-created_at")
    )


def agreement_get(*, actor, agreement_id: UUID) -> Agreement:
    """Any IG lead of the partnership may read an agreement (it holds no personal data): they
    need to, to accept it."""
    require_role(actor, Action.MANAGE_GOVERNANCE)
    agreement = (
        Agreement.objects.select_related("owner", "ended_by")
        .prefetch_related(
            "acceptances__partner",
            "acceptances__accepted_by",
            "grants__from_partner",
            "grants__to_partner",
        )
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None:
        raise NotFound("No agreement with that id")
    return agreement


@dataclass(frozen=True)
class GrantGroup:
    """The grants of one agreement from one partner to another for one purpose on one basis:
    an agreement may hold thousands of grants, which read as a few hundred such lines."""

    from_partner: str
    to_partner: str
    purpose: str
    lawful_basis: str
    categories: tuple[str, ...]


def agreement_grant_groups(
    agreement: Agreement, *, from_partner: str = "", to_partner: str = ""
) -> list[GrantGroup]:
    """The agreement's grants (prefetched by `agreement_get`), grouped, and narrowed to those
    from or to the partners named."""
    groups: dict[tuple, list[str]] = {}
    for g in agreement.grants.all():
        if from_partner and g.from_partner.name != from_partner:
            continue
        if to_partner and g.to_partner.name != to_partner:
            continue
        basis = g.get_lawful_basis_display()
        if g.schedule1_condition:
            basis = f"{basis}. {g.get_schedule1_condition_display()}"
        key = (g.from_partner.name, g.to_partner.name, g.get_purpose_display(), basis)
        groups.setdefault(key, []).append(g.get_category_display())
    return [GrantGroup(*key, tuple(sorted(cats))) for key, cats in sorted(groups.items())]


def _listed(actor, record_type: str, person_ids: list) -> None:
    Audit(actor, Purpose.AUDIT_REVIEW, "information-governance lead").rows(
        AuditAction.LIST, record_type, person_ids or [None]
    )


def legal_holds_active(*, actor, page: int = 1) -> Page:
    """Holds in force, newest first, a page at a time (record ids and reasons only)."""
    require_role(actor, Action.MANAGE_GOVERNANCE)
    found = page_of(
        LegalHold.objects.filter(lifted_at__isnull=True)
        .select_related("placed_by")
        .order_by("-placed_at", "id"),
        page,
    )
    _listed(actor, "legal_hold", [h.child_id for h in found.object_list])
    return found


def restrictions_active(*, actor, page: int = 1) -> Page:
    require_role(actor, Action.MANAGE_GOVERNANCE)
    found = page_of(
        Restriction.objects.filter(ended_at__isnull=True)
        .select_related("made_by")
        .prefetch_related("named_people")
        .order_by("-made_at", "id"),
        page,
    )
    _listed(actor, "restriction", [r.child_id for r in found.object_list])
    return found


def consents_for(*, grant: ChildGrant) -> list[Consent]:
    """A child's consents, standing and withdrawn, for someone who may see the child."""
    consents = list(
        Consent.objects.filter(child_id=grant.child_id)
        .select_related("recorded_by")
        .order_by("withdrawn_at", "-given_at")
    )
    grant.audit("consent", action=AuditAction.LIST)
    return consents


def share_decisions_for(*, grant: ChildGrant) -> list[ShareDecision]:
    """A child's share and no-share decisions (golden rule 7), newest first, for someone who may
    see the child: what was shared with whom, on what basis, and why not when it was not."""
    decisions = list(
        ShareDecision.objects.filter(child_id=grant.child_id)
        .select_related("with_partner", "decided_by__team__partner")
        .order_by("-decided_at")
    )
    grant.audit("sharedecision", action=AuditAction.LIST, detail={"decisions": len(decisions)})
    return decisions


# --- Finding people for governance ------------------------------------------------------------
GOVERNANCE = "information-governance lead"
RESTRICTED_NAME = "A restricted record"


@dataclass(frozen=True)
class PersonBrief:
    """Who someone is, enough for an IG lead to be sure of them: never the record."""

    id: UUID
    name: str
    born: object
    nhs_ending: str
    is_child: bool


def governance_people_find(
    *, actor, name: str = "", date_of_birth=None, nhs_number: str = "", upn: str = ""
) -> list[PersonBrief]:
    """People (children and adults) for an IG lead to act on (a legal hold, a restriction, a
    subject access request, the audit trail): by name words, date of birth, NHS number or UPN,
    at most 25, audited. A restricted record they are not named on is not found."""
    from django.db.models import Q

    from tandem.access.related import restricted_from
    from tandem.people.identifiers import normalise_nhs_number
    from tandem.people.models import Person

    require_role(actor, Action.MANAGE_GOVERNANCE)
    q = Q()
    for word in name.split():
        q &= (
            Q(given_name__istartswith=word)
            | Q(family_name__istartswith=word)
            | Q(known_as__istartswith=word)
        )
    if date_of_birth:
        q &= Q(date_of_birth=date_of_birth)
    if nhs_number:
        q &= Q(nhs_number=normalise_nhs_number(nhs_number))
    if upn:
        q &= Q(upn=upn.strip().upper())
    people = list(
        Person.objects.filter(q)
        .exclude(pk__in=restricted_from(actor).values("child_id"))
        .order_by("family_name", "given_name", "date_of_birth", "id")[:25]
    )
    Audit(actor, Purpose.AUDIT_REVIEW, GOVERNANCE).rows(
        AuditAction.SEARCH, "person", [p.pk for p in people] or [None]
    )
    return [
        PersonBrief(
            p.pk,
            p.full_name,
            p.date_of_birth,
            p.nhs_number[-4:] if p.nhs_number else "",
            p.is_child,
        )  # fmt: skip
        for p in people
    ]


def governance_names(*, actor, person_ids, record: bool = True) -> dict:
    """{person id: name} for the people a governance page lists (a hold, a restriction, a
    request, an audit row): their names, or "A restricted record" for one the IG lead is not
    named on. Read for governance and audited as such (`record=False`: the caller's own row
    names them, as the audit search's does)."""
    from tandem.access.related import people_shown
    from tandem.people.models import Person

    if not role_allows(actor, Action.MANAGE_GOVERNANCE):
        return {}  # the owning team's "who looked" shows no other person's name
    ids = {p for p in person_ids if p}
    if not ids:
        return {}
    shown = people_shown(actor, ids)
    names = {
        pk: f"{given} {family}".strip()
        for pk, given, family in Person.objects.filter(pk__in=ids).values_list(
            "pk", "given_name", "family_name"
        )
    }
    if record:
        Audit(actor, Purpose.AUDIT_REVIEW, GOVERNANCE).rows(
            AuditAction.LIST, "person_name", sorted(p for p in names if shown.shows(p))
        )
    return {pk: name if shown.shows(pk) else RESTRICTED_NAME for pk, name in names.items()}
