"""Every read of a person's data. A read of one child takes the grant the request was given
(`access.grants.child_grant`), which decided the actor's basis and categories once; a list takes
the actor and a purpose and applies the same policy. Each writes the audit rows for exactly the
people it returns, and every person shown beside the child is checked for that person
(`access.related`)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from tandem.access.categories import Category, event_category
from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.grants import ChildGrant, address_visible_among, grants_for_children
from tandem.access.models import Involvement, InvolvementKind, SensitiveNote
from tandem.access.policies import (
    ALLOCATED,
    BREAK_GLASS,
    CHILD_ACCESS_RULES,
    REFERRAL_TO_TEAM,
    TEAM_CASE,
    Action,
    active_involvements,
    visible_children_q,
)
from tandem.access.related import living_there_now, people_shown, restricted_from
from tandem.access.sharing import withhold
from tandem.audit.models import AccessEvent, AuditAction
from tandem.audit.services import Audit
from tandem.partners.models import Partner, PartnerKind
from tandem.people.codes import INVERSE_RELATIONSHIP, RelationshipKind
from tandem.people.identifiers import normalise_nhs_number
from tandem.people.matching import Match, name_match, swapped
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
    # Why the child is on the actor's list: one of `WHY` (e.g. "allocated"), or any.
    why: str = ""

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


# The reasons a child is on a practitioner's list, as a filter of the caseload: each is one of
# `CHILD_ACCESS_RULES` (the same rules, so the filter can never show more).
WHY = {
    "allocated": ALLOCATED,
    "team": TEAM_CASE,
    "referral": REFERRAL_TO_TEAM,
    "emergency": BREAK_GLASS,
}


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    offset: int
    limit: int


def why_on_list(grant: ChildGrant) -> str:
    """Why the child is on the actor's list, in their words."""
    if grant.basis == TEAM_CASE:
        return "Your team's case" if grant.facts.owns_or_allocated else "Your team works with them"
    return {
        ALLOCATED: "Allocated to you",
        REFERRAL_TO_TEAM: "Referred to your team",
        BREAK_GLASS: "Emergency access",
    }.get(grant.basis, "Named on a restricted record")


def child_list(
    *,
    actor,
    purpose: str,
    filters: ChildFilters = ChildFilters(),
    offset: int = 0,
    limit: int = 25,
) -> Page:
    """A page of the children the actor may see, matching the filters, by name."""
    from tandem.care.selectors import alerts_for

    require_role(actor, Action.VIEW_CHILD)
    qs = children_visible_to(actor=actor).filter(filters.as_q())
    if filters.why in WHY:
        rule = dict(CHILD_ACCESS_RULES)[WHY[filters.why]]
        qs = qs.filter(pk__in=rule(actor).values("child_id"))
    if filters.postcode:
        # Only an address the actor sees is matched on (never a protected one they are not
        # named on, nor any address a front door is not given).
        qs = address_visible_among(actor, qs)
    total = qs.count()
    items = list(qs.order_by("family_name", "given_name", "id")[offset : offset + limit])
    grants = grants_for_children(actor=actor, child_ids=[c.pk for c in items], purpose=purpose)
    # The list's query and the facts agree (tests/access/test_policy_agreement.py); a child
    # they disagree on is left out rather than shown with no slicing.
    items = [withhold(c, grants[c.pk].categories) for c in items if c.pk in grants]
    alerts = alerts_for(grants)
    for c in items:  # in memory, for the list: why the child is on it, and what is open now
        c.why, c.alerts = why_on_list(grants[c.pk]), alerts[c.pk]
    Audit(actor, purpose).rows(
        AuditAction.LIST if filters.is_empty else AuditAction.SEARCH,
        "child",
        [c.pk for c in items],
    )
    return Page(items=items, total=total, offset=offset, limit=limit)


def child_get(*, grant: ChildGrant) -> Person:
    """The child's details, with the fields outside the actor's categories withheld; in
    memory, the grant they were read under (what the pages offer follows it) and the alerts
    that matter now, as far as the grant shows them."""
    from tandem.care.selectors import alerts_for

    child = withhold(Person.objects.get(pk=grant.child_id), grant.categories)
    child.grant = grant
    child.alerts = alerts_for({child.pk: grant})[child.pk]
    child.emergency_until = _emergency_until(grant)
    grant.audit("child")
    return child


def _emergency_until(grant: ChildGrant):
    """When the actor's emergency access to this child ends, if that is their reason."""
    from tandem.access.policies import active_break_glass

    if grant.basis != BREAK_GLASS:
        return None
    running = active_break_glass().filter(user_id=grant.actor.pk, child_id=grant.child_id)
    return running.order_by("-expires_at").values_list("expires_at", flat=True).first()


@dataclass(frozen=True)
class Worker:
    """Who works with the child: a role in words, the person (if named), their team and how to
    reach them."""

    role: str
    name: str
    team: str
    partner: str
    email: str
    phone: str


def child_team(*, grant: ChildGrant) -> list[Worker]:
    """The lead professional, the allocated workers and the teams working with the child now,
    with how to reach each: the casework category (who works with a child is casework). The
    lead first, then the allocated, then the teams."""
    from tandem.casework.codes import CaseStatus
    from tandem.casework.models import Case

    if not grant.sees(Category.CASEWORK):
        return []
    workers: list[Worker] = []
    case = (
        Case.objects.filter(child_id=grant.child_id, status=CaseStatus.OPEN)
        .select_related("lead_professional__team__partner")
        .first()
    )
    if case is not None:
        workers.append(_worker("Lead professional", case.lead_professional))
    involvements = (
        active_involvements()
        .filter(child_id=grant.child_id)
        .select_related("team__partner", "practitioner__team__partner")
        .order_by("kind", "team__partner__name", "team__name")
    )
    named = {w.name for w in workers}
    for inv in involvements:
        if inv.practitioner_id:
            if str(inv.practitioner) not in named:
                named.add(str(inv.practitioner))
                workers.append(_worker(inv.get_kind_display(), inv.practitioner))
        else:
            t = inv.team
            # A school working with the child is, as far as the record knows, their school.
            role = "School" if t.partner.kind == PartnerKind.SCHOOL else inv.get_kind_display()
            workers.append(
                Worker(role, "", t.name, t.partner.name,
                       t.contact_email or t.partner.contact_email,
                       t.contact_phone or t.partner.contact_phone)
            )  # fmt: skip
    grant.audit("team_around_the_child", detail={"workers": len(workers)})
    return workers


def _worker(role: str, user) -> Worker:
    team = user.team
    return Worker(
        role=role,
        name=str(user),
        team=team.name if team else "",
        partner=team.partner.name if team else "",
        email=user.email or (team.contact_email if team else ""),
        phone=user.phone or (team.contact_phone if team else ""),
    )


@dataclass(frozen=True)
class RelatedPerson:
    relationship_id: UUID
    person: Person
    kind: str  # how `person` relates to the child

    @property
    def kind_label(self) -> str:
        return RelationshipKind(self.kind).label


def child_relationships(*, grant: ChildGrant) -> list[RelatedPerson]:
    """The people related to the child, each as the policy allows for that person."""
    if not grant.sees(Category.FAMILY):
        return []
    child_id = grant.child_id
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
    shown = people_shown(grant.actor, [rp.person.pk for rp in related])
    related = [rp for rp in related if shown.shows(rp.person.pk)]
    related.sort(key=lambda rp: (rp.kind, rp.person.family_name, rp.person.given_name))
    grant.audit(
        "relationship",
        person_ids=[rp.person.pk for rp in related],
        basis=f"related to a child you see ({grant.basis})",
    )
    return related


@dataclass(frozen=True)
class HouseholdView:
    household: Household
    members: list  # HouseholdMember rows with .person loaded


def _members_now():
    return Prefetch(
        "members",
        queryset=HouseholdMember.objects.filter(living_there_now()).select_related("person"),
    )


def _shown_members(actor, households: list[Household]) -> list[HouseholdView]:
    """Who lives in each household now, as the policy allows for each person: a restricted
    record is absent, and a household any member of which has a protected address the actor
    is not named on shows no address (it is theirs too)."""
    members = [m for h in households for m in h.members.all()]
    shown = people_shown(actor, [m.person_id for m in members])
    views = []
    for h in households:
        living = h.members.all()
        if not all(shown.shows_address(m.person_id) for m in living):
            h.address, h.postcode = "", ""
        kept = [m for m in living if shown.shows(m.person_id)]
        views.append(
            HouseholdView(
                h, sorted(kept, key=lambda m: (not m.person.is_child, m.person.given_name))
            )
        )
    return views


def child_households(*, grant: ChildGrant) -> list[HouseholdView]:
    """The households the child lives in now, with who lives there now. A household the child
    has left (a move into care, an adoption) is not theirs to show: it is other people's home."""
    if not grant.sees(Category.FAMILY):
        return []
    current = HouseholdMember.objects.filter(living_there_now(), person_id=grant.child_id)
    households = list(
        Household.objects.filter(pk__in=current.values("household_id")).prefetch_related(
            _members_now()
        )
    )
    if not grant.sees(Category.CONTACT):
        for h in households:
            h.address, h.postcode = "", ""
    views = _shown_members(grant.actor, households)
    grant.audit(
        "household",
        person_ids=sorted({m.person_id for v in views for m in v.members}, key=str),
        basis=f"household of a child you see ({grant.basis})",
    )
    return views


def household_grants(
    *, actor, household_id: UUID, purpose: str, action: Action = Action.VIEW_CHILD
) -> list[ChildGrant]:
    """The grants through which `actor` sees a household: those of the children living in it
    now whose family (who lives there) is shared with them. NotFound if there are none."""
    require_role(actor, action)
    living = HouseholdMember.objects.filter(living_there_now(), household_id=household_id)
    seen = children_visible_to(actor=actor, action=action).filter(
        pk__in=living.values("person_id")
    )
    grants = grants_for_children(
        actor=actor, child_ids=seen.values_list("pk", flat=True), purpose=purpose, action=action
    )
    through = [g for g in grants.values() if g.sees(Category.FAMILY)]
    if not through:
        raise NotFound("No household with that id is in your records")
    return sorted(through, key=lambda g: str(g.child_id))


def household_get(*, actor, household_id: UUID, purpose: str) -> HouseholdView:
    """A household, seen through a child living in it now (`household_grants`)."""
    through = household_grants(actor=actor, household_id=household_id, purpose=purpose)
    household = Household.objects.prefetch_related(_members_now()).get(pk=household_id)
    if not any(g.sees(Category.CONTACT) for g in through):
        household.address, household.postcode = "", ""
    (view,) = _shown_members(actor, [household])
    through[0].audit(
        "household",
        household.pk,
        person_ids=[m.person_id for m in view.members],
        basis="household of a child you see",
    )
    return view


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


# How a team's part in a child's life begins and ends, as a chronology says it.
INVOLVEMENT_WORDS = {
    InvolvementKind.OWNING_TEAM: ("Team took on the case", "Team's case ended"),
    InvolvementKind.ALLOCATED: ("Worker allocated", "Worker's allocation ended"),
    InvolvementKind.INVOLVED: ("Partner became involved", "Partner's involvement ended"),
}


def child_chronology(*, grant: ChildGrant) -> list[ChronologyEntry]:
    """One time-ordered story, newest first, from every partner's part of the record."""
    from tandem.care.selectors import care_chronology
    from tandem.referrals.models import Referral
    from tandem.referrals.selectors import decision_reasons_shown

    actor, child_id, basis, categories = grant.actor, grant.child_id, grant.basis, grant.categories
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
            summary = decision.get_decision_display()
            if decision_reasons_shown(grant, r):
                summary = f"{summary}: {decision.reasons}"
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
        who = f"{inv.practitioner}, {inv.team.name}" if inv.practitioner else inv.team.name
        began, ended = INVOLVEMENT_WORDS[inv.kind]
        entries.append(
            ChronologyEntry.on_day(
                inv.started_on,
                inv.team.partner.name,
                began,
                f"{who}{': ' + inv.reason if inv.reason else ''}",
            )
        )
        if inv.ended_on:
            entries.append(ChronologyEntry.on_day(inv.ended_on, inv.team.partner.name, ended, who))
    entries += care_chronology(child_id, categories)
    entries.sort(key=lambda e: e.occurred_at, reverse=True)
    grant.audit("chronology")
    return entries


@dataclass(frozen=True)
class KnownTo:
    partner: str
    contact_name: str
    contact_email: str
    contact_phone: str


@dataclass(frozen=True)
class KnownAnswer:
    """Which partners have the child open now, and how sure the match is: `exact` (the same
    identifier, or the same names and date of birth), `possible` (close: a spelling, a
    nickname, a surname's part, day and month swapped), or `none`."""

    match: Match
    partners: list[KnownTo]
    # Asked by name and date of birth (not an identifier): a miss may be a spelling.
    by_name: bool = False

    @property
    def known(self) -> bool:
        return bool(self.partners)


# Enough for a day of real checks; too few to enumerate children by trying names and birthdays.
LOOKUPS_PER_HOUR = 30
# More candidates than this for one name and date of birth: say only that it is unsure.
CANDIDATES = 200


def _candidates(actor, given_name, family_name, date_of_birth) -> tuple[Match, list]:
    """Children born on the day (or with day and month swapped) whose names match, best first."""
    days = [d for d in (date_of_birth, swapped(date_of_birth)) if d]
    rows = (
        Person.objects.filter(is_child=True, date_of_birth__in=days)
        .exclude(pk__in=restricted_from(actor).values("child_id"))
        .values_list("pk", "given_name", "family_name", "known_as", "date_of_birth")[:CANDIDATES]
    )
    found = {Match.EXACT: [], Match.POSSIBLE: []}
    for pk, given, family, known_as, born in rows:
        match = name_match(
            given_name, family_name, person_given=given, person_family=family,
            person_known_as=known_as,
        )  # fmt: skip
        if match == Match.EXACT and born != date_of_birth:
            match = Match.POSSIBLE
        if match != Match.NONE:
            found[match].append(pk)
    if found[Match.EXACT]:
        return Match.EXACT, found[Match.EXACT]
    return (Match.POSSIBLE, found[Match.POSSIBLE]) if found[Match.POSSIBLE] else (Match.NONE, [])


def known_to_partners(
    *,
    actor,
    nhs_number: str = "",
    upn: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
) -> KnownAnswer:
    """ "Is this child known to other partners?" Answers only which partners and how to reach
    them: never the record. Needs an identifier, or a full name with date of birth. Names are
    matched as the linkage matches them, and a close match is said to be only possible. A
    restricted record the actor is not named on is never confirmed."""
    require_role(actor, Action.LOOKUP_KNOWN)
    if not (nhs_number or upn or (given_name and family_name and date_of_birth)):
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
    if nhs_number or upn:
        q = (
            Q(nhs_number=normalise_nhs_number(nhs_number))
            if nhs_number
            else Q(upn=upn.strip().upper())
        )
        children = Person.objects.filter(q, is_child=True).exclude(
            pk__in=restricted_from(actor).values("child_id")
        )
        child_ids = list(children.values_list("pk", flat=True)[:5])
        match = Match.EXACT if child_ids else Match.NONE
    else:
        match, child_ids = _candidates(actor, given_name, family_name, date_of_birth)
    teams = active_involvements().filter(child_id__in=child_ids).values("team_id")
    partners = Partner.objects.filter(teams__in=teams).distinct().order_by("name")
    found = [KnownTo(p.name, p.contact_name, p.contact_email, p.contact_phone) for p in partners]
    # A child nobody has open is answered as no child at all: the look-up tells who to call,
    # never whether a record exists.
    by_name = not (nhs_number or upn)
    answer = KnownAnswer(match if found else Match.NONE, found, by_name)
    Audit(actor, "safeguarding_check").rows(
        AuditAction.LOOKUP,
        "child",
        child_ids or [None],
        detail={
            "by": "name_and_date_of_birth" if by_name else "nhs_number" if nhs_number else "upn",
            "matched": match.value,
            "partners": [k.partner for k in answer.partners],
        },
    )
    return answer
