"""Which categories of a child's record an actor may see: the second half of every decision,
after `policies.visible_children_q` / `require_child` have said the actor may see the child at all.

`allowed_categories` is the policy as a pure function of the facts (tested exhaustively in
tests/access); `categories_for` and `categories_for_children` gather those facts from the data in
a fixed number of queries, however many children, so a list is sliced without N+1 queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from tandem.access.categories import ALL, NATIVE, PERSON_FIELDS, STANDARD, Category
from tandem.access.models import (
    AgreementAcceptance,
    BreakGlass,
    Consent,
    Grant,
    InvolvementKind,
    LawfulBasis,
    Restriction,
    RestrictionKind,
    SharingPurpose,
)
from tandem.access.policies import Action, active_involvements, open_referrals, role_allows

# What any basis for seeing a child shows: who the child is. Everything else must be earned.
IDENTITY_ONLY = frozenset({Category.IDENTITY})
# A team involved with a child (not owning the case) works with the family.
INVOLVED_BASELINE = frozenset(
    {Category.IDENTITY, Category.CONTACT, Category.FAMILY, Category.CASEWORK}
)


@dataclass(frozen=True)
class GrantFact:
    category: str
    purpose: str
    lawful_basis: str


@dataclass(frozen=True)
class Facts:
    """Everything the policy needs to know about one actor and one child."""

    role_allows: bool = True
    partner_kind: str = ""
    # Team owns the case, or the actor (or their team) is allocated: the whole record.
    owns_or_allocated: bool = False
    # Purposes of the actor's team's other ("involved") involvements with the child.
    involved_purposes: frozenset[str] = frozenset()
    # An open referral of the child to the actor's team (the front door deciding it).
    referral_to_team: bool = False
    # Grants to the actor's partner, in force, from partners that hold this child.
    grants: tuple[GrantFact, ...] = ()
    # Purposes for which consent to share stands (given, not withdrawn).
    consents: frozenset[str] = frozenset()
    restricted_record: bool = False
    named_on_restricted_record: bool = False
    protected_address: bool = False
    named_on_protected_address: bool = False
    break_glass: bool = False


def _granted(facts: Facts, purposes) -> set[str]:
    return {
        g.category
        for g in facts.grants
        if g.purpose in purposes
        and (g.lawful_basis != LawfulBasis.CONSENT or g.purpose in facts.consents)
    }


def allowed_categories(facts: Facts) -> frozenset[Category]:
    """The policy. Empty means the actor may not see the child at all."""
    if not facts.role_allows:
        return frozenset()
    if facts.restricted_record and not facts.named_on_restricted_record:
        return frozenset()
    cats: set[str] = set()
    if facts.owns_or_allocated or facts.named_on_restricted_record:
        cats |= ALL
    if facts.involved_purposes:
        cats |= INVOLVED_BASELINE | NATIVE.get(facts.partner_kind, frozenset())
        cats |= _granted(facts, facts.involved_purposes)
    if facts.referral_to_team:
        cats |= IDENTITY_ONLY | _granted(facts, {SharingPurpose.REFERRAL_TRIAGE})
    if facts.break_glass:
        # An emergency opens the ordinary record, never the sensitive categories.
        cats |= STANDARD
    if facts.protected_address:
        cats.discard(Category.CONTACT)
        if facts.named_on_protected_address and cats:
            cats |= {Category.CONTACT, Category.PROTECTED_ADDRESS}
    return frozenset(Category(c) for c in cats)


@dataclass
class _Gathered:
    full: set = field(default_factory=set)
    involved: dict = field(default_factory=lambda: defaultdict(set))
    referral: set = field(default_factory=set)
    break_glass: set = field(default_factory=set)
    holders: dict = field(default_factory=lambda: defaultdict(set))
    consents: dict = field(default_factory=lambda: defaultdict(set))
    restrictions: dict = field(default_factory=dict)  # (child, kind) -> named?
    grants: list = field(default_factory=list)
    partner_kind: str = ""


def _grants_in_force(partner_id) -> list[dict]:
    """Grants to `partner_id` under agreements that have started, have not ended, and that both
    the granting and the receiving partner accept (its owner accepts it by owning it)."""
    today = timezone.localdate()

    def accepted(partner_field):
        return Q(**{partner_field: F("agreement__owner_id")}) | Exists(
            AgreementAcceptance.objects.filter(
                agreement_id=OuterRef("agreement_id"),
                partner_id=OuterRef(partner_field),
                withdrawn_at__isnull=True,
            )
        )

    return list(
        Grant.objects.filter(
            to_partner_id=partner_id,
            agreement__starts_on__lte=today,
            agreement__ended_at__isnull=True,
        )
        .filter(accepted("from_partner_id"))
        .filter(accepted("to_partner_id"))
        .values("from_partner_id", "category", "purpose", "lawful_basis")
    )


def _gather(actor, child_ids: list) -> _Gathered:
    """Two queries when the actor's team owns every child asked about (the common case: a
    caseload); the rest only for the children it does not."""
    g = _Gathered()
    now = timezone.now()
    for row in (
        active_involvements()
        .filter(child_id__in=child_ids)
        .filter(Q(practitioner_id=actor.pk) | Q(team_id=actor.team_id))
        .values("child_id", "kind", "purpose", "practitioner_id")
    ):
        full = row["kind"] in (InvolvementKind.OWNING_TEAM, InvolvementKind.ALLOCATED)
        if full or row["practitioner_id"] == actor.pk:
            g.full.add(row["child_id"])
        else:
            g.involved[row["child_id"]].add(row["purpose"])
    named = Restriction.named_people.through.objects.filter(
        restriction_id=OuterRef("pk"), user_id=actor.pk
    )
    for child_id, kind, is_named in (
        Restriction.objects.filter(child_id__in=child_ids, ended_at__isnull=True)
        .annotate(named=Exists(named))
        .values_list("child_id", "kind", "named")
    ):
        g.restrictions[(child_id, kind)] = g.restrictions.get((child_id, kind), False) or is_named
    rest = [c for c in child_ids if c not in g.full]
    if not rest:
        return g
    g.referral = set(
        open_referrals()
        .filter(child_id__in=rest, to_team_id=actor.team_id)
        .values_list("child_id", flat=True)
    )
    g.break_glass = set(
        BreakGlass.objects.filter(
            user_id=actor.pk, child_id__in=rest, started_at__lte=now, expires_at__gt=now
        ).values_list("child_id", flat=True)
    )
    # Who holds each child: partners with the child open, and partners who referred it.
    for child_id, partner_id in (
        active_involvements()
        .filter(child_id__in=rest)
        .values_list("child_id", "team__partner_id")
        .union(
            open_referrals()
            .filter(child_id__in=rest)
            .values_list("child_id", "from_team__partner_id")
        )
    ):
        g.holders[child_id].add(partner_id)
    for child_id, purpose in Consent.objects.filter(
        child_id__in=rest, withdrawn_at__isnull=True, given_at__lte=now
    ).values_list("child_id", "purpose"):
        g.consents[child_id].add(purpose)
    g.grants = _grants_in_force(actor.team.partner_id)
    g.partner_kind = actor.team.partner.kind
    return g


def facts_for_children(actor, child_ids) -> dict[UUID, Facts]:
    child_ids = list(child_ids)
    if not child_ids:
        return {}
    if not role_allows(actor, Action.VIEW_CHILD) or actor.team_id is None:
        return {c: Facts(role_allows=False) for c in child_ids}
    g = _gather(actor, child_ids)
    facts = {}
    for c in child_ids:
        restricted = (c, RestrictionKind.RESTRICTED_RECORD)
        protected = (c, RestrictionKind.PROTECTED_ADDRESS)
        facts[c] = Facts(
            partner_kind=g.partner_kind,
            owns_or_allocated=c in g.full,
            involved_purposes=frozenset(g.involved.get(c, ())),
            referral_to_team=c in g.referral,
            grants=tuple(
                GrantFact(x["category"], x["purpose"], x["lawful_basis"])
                for x in g.grants
                if x["from_partner_id"] in g.holders.get(c, ())
            ),
            consents=frozenset(g.consents.get(c, ())),
            restricted_record=restricted in g.restrictions,
            named_on_restricted_record=g.restrictions.get(restricted, False),
            protected_address=protected in g.restrictions,
            named_on_protected_address=g.restrictions.get(protected, False),
            break_glass=c in g.break_glass,
        )
    return facts


def categories_for_children(actor, child_ids) -> dict[UUID, frozenset[Category]]:
    return {c: allowed_categories(f) for c, f in facts_for_children(actor, child_ids).items()}


def categories_for(actor, child_id) -> frozenset[Category]:
    """The categories of this child's record `actor` may see (empty: not the child at all)."""
    return categories_for_children(actor, [child_id])[child_id]


def withhold(person, categories: frozenset[Category]):
    """Blank the fields of `person` outside `categories`, in place, and say which were withheld.
    The instance is for showing only: services load their own copy before changing anything."""
    withheld = []
    for name, category in PERSON_FIELDS.items():
        if category not in categories:
            field = person._meta.get_field(name)
            setattr(person, name, None if field.null else "")
            withheld.append(name)
    person.categories = categories
    person.withheld_fields = withheld
    return person


def protected_address_hidden_from(actor):
    """Children whose protected address `actor` is not named on: never shown or matched on."""
    from tandem.access.policies import active_restrictions

    return (
        active_restrictions(RestrictionKind.PROTECTED_ADDRESS)
        .exclude(named_people=actor)
        .values("child_id")
    )
