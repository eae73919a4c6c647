"""Every read of a person's data. Each function takes the actor and a purpose, applies the access
policy and writes the audit rows for exactly the people it returns."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from tandem.access.categories import Category, event_category
from tandem.access.checks import require_child_access, require_role
from tandem.access.errors import NotFound
from tandem.access.models import Involvement, SensitiveNote
from tandem.access.policies import (
    ALLOCATED,
    TEAM_CASE,
    Action,
    active_involvements,
    visible_children_q,
)
from tandem.access.sharing import (
    address_visible_among,
    audit_detail,
    categories_for_children,
    protected_address_hidden_from,
    withhold,
)
from tandem.audit.models import AccessEvent, AuditAction
from tandem.audit.services import access_event_record, access_events_record
from tandem.partners.models import Partner
from tandem.people.codes import INVERSE_RELATIONSHIP, RelationshipKind
from tandem.people.identifiers import normalise_nhs_number
from tandem.people.models import Event, Household, HouseholdMember, Person, Relationship


def children_visible_to(*, actor, action: Action = Action.VIEW_CHILD) -> QuerySet[Person]:
    """The children `actor` may see. Not audited: callers audit the rows they hand out."""
    return Person.objects.filter(visible_children_q(actor, action))


@dataclass(frozen=True)
class ChildFilters:
    name: str = ""
    date_of_birth: date | None = None
    postcode: str = ""
    nhs_number: str = ""
    upn: str = ""

    def as_q(self) -> Q:
        q = Q()
        for word in self.name.split():
            q &= (
                Q(given_name__istartswith=word)
                | Q(family_name__istartswith=word)
                | Q(known_as__istartswith=word)
            )
        if self.date_of_birth:
            q &= Q(date_of_birth=self.date_of_birth)
        if self.postcode:
            q &= Q(postcode__istartswith=self.postcode.strip())
        if self.nhs_number:
            q &= Q(nhs_number=normalise_nhs_number(self.nhs_number))
        if self.upn:
            q &= Q(upn=self.upn.strip().upper())
        return q

    @property
    def is_empty(self) -> bool:
        return not (
            self.name or self.date_of_birth or self.postcode or self.nhs_number or self.upn
        )


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    offset: int
    limit: int


def child_list(
    *,
    actor,
    purpose: str,
    filters: ChildFilters = ChildFilters(),
    offset: int = 0,
    limit: int = 25,
) -> Page:
    """A page of the children the actor may see, matching the filters, by name."""
    require_role(actor, Action.VIEW_CHILD)
    qs = children_visible_to(actor=actor).filter(filters.as_q())
    if filters.postcode:
        # Only an address the actor sees is matched on (never a protected one they are not
        # named on, nor any address a front door is not given).
        qs = address_visible_among(actor, qs)
    total = qs.count()
    items = list(qs.order_by("family_name", "given_name", "id")[offset : offset + limit])
    allowed = categories_for_children(actor, [c.pk for c in items])
    for c in items:
        withhold(c, allowed[c.pk])
    access_events_record(
        actor=actor,
        action=AuditAction.LIST if filters.is_empty else AuditAction.SEARCH,
        purpose=purpose,
        record_type="child",
        person_ids=[c.pk for c in items],
    )
    return Page(items=items, total=total, offset=offset, limit=limit)


def child_get(*, actor, child_id: UUID, purpose: str) -> Person:
    """The child's details, with the fields outside the actor's categories withheld."""
    basis, categories = require_child_access(actor, child_id)
    child = withhold(Person.objects.get(pk=child_id), categories)
    access_event_record(
        actor=actor,
        action=AuditAction.VIEW,
        purpose=purpose,
        record_type="child",
        person_id=child.pk,
        basis=basis,
        detail=audit_detail(categories),
    )
    return child


@dataclass(frozen=True)
class RelatedPerson:
    relationship_id: UUID
    person: Person
    kind: str  # how `person` relates to the child

    @property
    def kind_label(self) -> str:
        return RelationshipKind(self.kind).label


def child_relationships(*, actor, child_id: UUID, purpose: str) -> list[RelatedPerson]:
    basis, categories = require_child_access(actor, child_id)
    if Category.FAMILY not in categories:
        return []
    rows = Relationship.objects.filter(
        Q(person_a_id=child_id) | Q(person_b_id=child_id)
    ).select_related("person_a", "person_b")
    related = []
    for r in rows:
        # Stored as "A is kind of B"; seen from the child, the other person's role is:
        if r.person_b_id == child_id:
            related.append(RelatedPerson(r.id, r.person_a, r.kind))
        else:
            related.append(RelatedPerson(r.id, r.person_b, INVERSE_RELATIONSHIP[r.kind]))
    related.sort(key=lambda rp: (rp.kind, rp.person.family_name, rp.person.given_name))
    access_events_record(
        actor=actor,
        action=AuditAction.VIEW,
        purpose=purpose,
        record_type="relationship",
        person_ids=[rp.person.pk for rp in related],
        basis=f"related to a child you see ({basis})",
        detail={"child_id": str(child_id), **audit_detail(categories)},
    )
    return related


@dataclass(frozen=True)
class HouseholdView:
    household: Household
    members: list  # HouseholdMember rows with .person loaded


def _current_members():
    today = timezone.localdate()
    return Q(left_on__isnull=True) | Q(left_on__gt=today)


def _members_now():
    return Prefetch(
        "members",
        queryset=HouseholdMember.objects.filter(_current_members()).select_related("person"),
    )


def _by_role(members) -> list:
    return sorted(members, key=lambda m: (not m.person.is_child, m.person.given_name))


def child_households(*, actor, child_id: UUID, purpose: str) -> list[HouseholdView]:
    """The households the child lives in now, with who lives there now. A household the child
    has left (a move into care, an adoption) is not theirs to show: it is other people's home."""
    basis, categories = require_child_access(actor, child_id)
    if Category.FAMILY not in categories:
        return []
    current = HouseholdMember.objects.filter(_current_members(), person_id=child_id)
    households = list(
        Household.objects.filter(pk__in=current.values("household_id")).prefetch_related(
            _members_now()
        )
    )
    if Category.CONTACT not in categories:
        for h in households:
            h.address, h.postcode = "", ""
    views = [HouseholdView(h, _by_role(h.members.all())) for h in households]
    access_events_record(
        actor=actor,
        action=AuditAction.VIEW,
        purpose=purpose,
        record_type="household",
        person_ids=sorted({m.person_id for v in views for m in v.members}, key=str),
        basis=f"household of a child you see ({basis})",
        detail={"child_id": str(child_id), **audit_detail(categories)},
    )
    return views


def household_get(*, actor, household_id: UUID, purpose: str) -> HouseholdView:
    """A household is visible through a child living in it now whom the actor may see."""
    require_role(actor, Action.VIEW_CHILD)
    visible_now = HouseholdMember.objects.filter(
        _current_members(), person__in=children_visible_to(actor=actor)
    )
    household = (
        Household.objects.filter(pk=household_id, pk__in=visible_now.values("household_id"))
        .prefetch_related(_members_now())
        .first()
    )
    if household is None:
        raise NotFound("No household with that id is in your records")
    members = _by_role(household.members.all())
    member_ids = [m.person_id for m in members]
    # Seeing a child is not seeing their family: the household (who lives there, and where) is
    # the family category, and its address the contact category, of a child living in it.
    seen = visible_now.filter(household_id=household_id).values_list("person_id", flat=True)
    categories = categories_for_children(actor, set(seen))
    through = [cats for cats in categories.values() if Category.FAMILY in cats]
    if not through:
        raise NotFound("No household with that id is in your records")
    hidden = protected_address_hidden_from(actor).filter(child_id__in=member_ids).exists()
    if hidden or not any(Category.CONTACT in cats for cats in through):
        household.address, household.postcode = "", ""
    access_events_record(
        actor=actor,
        action=AuditAction.VIEW,
        purpose=purpose,
        record_type="household",
        person_ids=[m.person_id for m in members],
        record_id=str(household.pk),
        basis="household of a child you see",
    )
    return HouseholdView(household, members)


@dataclass(frozen=True)
class ChronologyEntry:
    occurred_at: datetime
    partner: str
    kind: str
    summary: str

    @classmethod
    def on_day(cls, day: date, partner: str, kind: str, summary: str) -> "ChronologyEntry":
        """An entry for what the record dates by the day (an involvement, an episode of care)."""
        return cls(timezone.make_aware(datetime.combine(day, time.min)), partner, kind, summary)


def child_chronology(*, actor, child_id: UUID, purpose: str) -> list[ChronologyEntry]:
    """One time-ordered story, newest first, from every partner's part of the record."""
    from tandem.care.selectors import care_chronology
    from tandem.referrals.models import Referral

    basis, categories = require_child_access(actor, child_id)
    # A partner working with the child (its team involved or allocated) sees what it recorded
    # itself. Not a front door deciding a referral, nor emergency access: a council's front door
    # shares its partner with the social workers, but sees only who the child is.
    works_with_child = basis in (ALLOCATED, TEAM_CASE)
    own_partner = actor.team.partner_id if actor.team_id and works_with_child else None

    def shown(category, partner_id) -> bool:
        return category in categories or (own_partner and partner_id == own_partner)

    entries: list[ChronologyEntry] = []
    for e in Event.objects.filter(person_id=child_id).select_related("partner"):
        if shown(event_category(e.kind), e.partner_id):
            entries.append(
                ChronologyEntry(e.occurred_at, e.partner.name, e.get_kind_display(), e.summary)
            )
    for n in SensitiveNote.objects.filter(child_id=child_id).select_related("partner"):
        if shown(n.category, n.partner_id):
            entries.append(
                ChronologyEntry(n.occurred_at, n.partner.name, n.get_category_display(), n.summary)
            )
    casework = Category.CASEWORK in categories
    referrals = (
        Referral.objects.filter(child_id=child_id)
        .select_related("from_team__partner", "to_team__partner", "decision")
        .prefetch_related("reasons", "feedback")
    )
    for r in referrals if casework else []:
        reasons = ", ".join(x.get_reason_display() for x in r.reasons.all())
        entries.append(
            ChronologyEntry(
                r.received_at,
                r.from_team.partner.name,
                "Referral made",
                f"Referral to {r.to_team.name} ({r.get_source_display()}). Concerns: {reasons}.",
            )
        )
        decision = getattr(r, "decision", None)
        if decision is not None:
            summary = f"{decision.get_decision_display()}: {decision.reasons}"
            entries.append(
                ChronologyEntry(
                    decision.decided_at, r.to_team.partner.name, "Threshold decision", summary
                )
            )
        for f in r.feedback.all():
            entries.append(
                ChronologyEntry(
                    f.given_at, r.to_team.partner.name, "Feedback to referrer", f.message
                )
            )
    involvements = Involvement.objects.filter(child_id=child_id).select_related(
        "team__partner", "practitioner"
    )
    for inv in involvements if casework else []:
        who = f"{inv.practitioner} ({inv.team.name})" if inv.practitioner else inv.team.name
        entries.append(
            ChronologyEntry.on_day(
                inv.started_on,
                inv.team.partner.name,
                f"{inv.get_kind_display()} started",
                f"{who}{': ' + inv.reason if inv.reason else ''}",
            )
        )
        if inv.ended_on:
            entries.append(
                ChronologyEntry.on_day(
                    inv.ended_on, inv.team.partner.name, f"{inv.get_kind_display()} ended", who
                )
            )
    entries += care_chronology(child_id, categories)
    entries.sort(key=lambda e: e.occurred_at, reverse=True)
    access_event_record(
        actor=actor,
        action=AuditAction.VIEW,
        purpose=purpose,
        record_type="chronology",
        person_id=child_id,
        basis=basis,
        detail=audit_detail(categories),
    )
    return entries


@dataclass(frozen=True)
class KnownTo:
    partner: str
    contact_name: str
    contact_email: str
    contact_phone: str


# Enough for a day of real checks; too few to enumerate children by trying names and birthdays.
LOOKUPS_PER_HOUR = 30


def known_to_partners(
    *,
    actor,
    nhs_number: str = "",
    upn: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
) -> list[KnownTo]:
    """ "Is this child known to other partners?" Answers only which partners and how to reach
    them: never the record. Needs an identifier, or a full name with date of birth."""
    require_role(actor, Action.LOOKUP_KNOWN)
    if nhs_number:
        q = Q(nhs_number=normalise_nhs_number(nhs_number))
    elif upn:
        q = Q(upn=upn.strip().upper())
    elif given_name and family_name and date_of_birth:
        q = Q(
            given_name__iexact=given_name.strip(),
            family_name__iexact=family_name.strip(),
            date_of_birth=date_of_birth,
        )
    else:
        raise ValueError("Give an NHS number, a UPN, or a full name with date of birth")
    recent = AccessEvent.objects.filter(
        actor=actor,
        action=AuditAction.LOOKUP,
        occurred_at__gte=timezone.now() - timedelta(hours=1),
    )
    if recent.values("request_id").distinct().count() >= LOOKUPS_PER_HOUR:
        raise PermissionDenied(
            f"You have made {LOOKUPS_PER_HOUR} look-ups in the last hour. To protect children's "
            "privacy, wait an hour, or ask your information-governance lead."
        )
    child_ids = list(Person.objects.filter(q, is_child=True).values_list("pk", flat=True)[:5])
    teams = active_involvements().filter(child_id__in=child_ids).values("team_id")
    partners = Partner.objects.filter(teams__in=teams).distinct().order_by("name")
    answer = [KnownTo(p.name, p.contact_name, p.contact_email, p.contact_phone) for p in partners]
    access_events_record(
        actor=actor,
        action=AuditAction.LOOKUP,
        purpose="safeguarding_check",
        record_type="child",
        person_ids=child_ids or [None],
        # What was asked (which identifier) and exactly which partners were named in the answer.
        detail={
            "by": "nhs_number" if nhs_number else "upn" if upn else "name_and_date_of_birth",
            "matched": bool(child_ids),
            "partners": [k.partner for k in answer],
        },
    )
    return answer
