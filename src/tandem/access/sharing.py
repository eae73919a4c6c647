"""Which categories of a child's record an actor may see: the second half of every decision,
after `policies.basis_of` has said the actor may see the child at all.

`allowed_categories` is the policy as a pure function of the facts (tested exhaustively in
tests/access); `access.grants` gathers those facts in one query, however many children
(`access.facts`), and carries the answer as the request's grant.
"""

from dataclasses import replace

from tandem.access.categories import ALL, NATIVE, PERSON_FIELDS, STANDARD, Category
from tandem.access.facts import Facts, GrantFact
from tandem.access.models import LawfulBasis, SharingPurpose

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
