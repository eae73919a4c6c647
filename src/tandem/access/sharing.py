"""Which categories of a child's record an actor may see: the second half of every decision,
after `policies.visible_children_q` / `require_child` have said the actor may see the child at all.

`allowed_categories` is the policy as a pure function of the facts (tested exhaustively in
tests/access); `categories_for` and `categories_for_children` gather those facts from the data in
one query, however many children (`access.facts`), so a list is sliced without N+1 queries.
"""

import operator
from dataclasses import replace
from functools import reduce
from uuid import UUID

from django.db.models import Q, QuerySet

from tandem.access.categories import ALL, NATIVE, PERSON_FIELDS, STANDARD, Category
from tandem.access.facts import Facts, GrantFact, facts_for_children
from tandem.access.models import LawfulBasis, RestrictionKind, SharingPurpose
from tandem.access.policies import (
    ALLOCATED,
    BREAK_GLASS,
    CHILD_ACCESS_RULES,
    NAMED_ON_RESTRICTION,
    TEAM_CASE,
    Action,
    basis_of,
    role_allows,
)

# What any basis for seeing a child shows: who the child is. Everything else must be earned.
IDENTITY_ONLY = frozenset({Category.IDENTITY})
# A team involved with a child (not owning the case) works with the family.
INVOLVED_BASELINE = frozenset(
    {Category.IDENTITY, Category.CONTACT, Category.FAMILY, Category.CASEWORK}
)


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


def grants_used(facts: Facts) -> tuple[GrantFact, ...]:
    """The agreement grants through which the actor sees this child: those in force that open a
    category the actor's basis alone would not. Empty when the basis shows all they see."""
    opened = allowed_categories(facts) - allowed_categories(replace(facts, grants=()))
    purposes = set(facts.involved_purposes)
    if facts.referral_to_team:
        purposes.add(SharingPurpose.REFERRAL_TRIAGE)
    usable = {
        g
        for g in facts.grants
        if g.purpose in purposes
        and (g.lawful_basis != LawfulBasis.CONSENT or g.purpose in facts.consents)
    }
    return tuple(sorted((g for g in usable if g.category in opened), key=lambda g: g.grant_id))


class Categories(frozenset):
    """The categories an actor sees of one child, and the grants that opened any of them
    (`shared_under`), which the read's audit row records (`audit_detail`)."""

    shared_under: tuple[GrantFact, ...] = ()

    def __new__(cls, categories=(), shared_under=()):
        self = super().__new__(cls, categories)
        self.shared_under = tuple(shared_under)
        return self


def audit_detail(categories) -> dict:
    """What the audit row of a read of one child says about the slicing: the categories seen,
    and the agreement grants the viewer saw them under (who shared what with them, and why)."""
    detail = {"categories": sorted(categories)}
    shared_under = getattr(categories, "shared_under", ())
    if shared_under:
        detail["shared_under"] = [
            {
                "agreement_id": g.agreement_id,
                "grant_id": g.grant_id,
                "category": g.category,
                "purpose": g.purpose,
                "lawful_basis": g.lawful_basis,
            }
            for g in shared_under
        ]
    return detail


def categories_for_children(actor, child_ids) -> dict[UUID, frozenset[Category]]:
    child_ids = list(child_ids)
    if not role_allows(actor, Action.VIEW_CHILD):
        return dict.fromkeys(child_ids, frozenset())
    return {c: allowed_categories(f) for c, f in facts_for_children(actor, child_ids).items()}


def child_access(actor, child_id, action: Action = Action.VIEW_CHILD):
    """Why `actor` may act on this child (None: they may not) and which categories they see,
    from one gathering of the facts: what a read of one child needs first."""
    if not role_allows(actor, action):
        return None, frozenset()
    facts = facts_for_children(actor, [child_id])[child_id]
    return basis_of(facts), Categories(allowed_categories(facts), grants_used(facts))


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


# The bases whose categories always hold the address (`allowed_categories`: the whole record,
# the involved baseline, the ordinary record of an emergency). A referral to the actor's team
# holds it only under a grant, so those children are asked one by one.
_ADDRESS_BASES = {ALLOCATED, TEAM_CASE, NAMED_ON_RESTRICTION, BREAK_GLASS}


def address_visible_among(actor, children: QuerySet) -> QuerySet:
    """Narrow `children` (already visible to `actor`) to those whose address `actor` sees: a
    postcode search must not find a child whose address it would not show, or the match itself
    says where the child lives."""
    always = reduce(
        operator.or_,
        [Q(pk__in=rule(actor).values("child_id")) for name, rule in CHILD_ACCESS_RULES
         if name in _ADDRESS_BASES],
    )  # fmt: skip
    others = list(children.exclude(always).values_list("pk", flat=True))
    granted = [
        c for c, cats in categories_for_children(actor, others).items() if Category.CONTACT in cats
    ]
    return children.filter(always | Q(pk__in=granted)).exclude(
        pk__in=protected_address_hidden_from(actor)
    )
