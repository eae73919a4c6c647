"""The access decision for one child, made once per request and carried as an object.

`child_grant(actor=..., child_id=..., action=..., purpose=...)` checks both levels (the role,
then this child's facts, gathered in one query by `access.facts`) and returns a `ChildGrant`:
why the actor may act (`basis`), which categories of the record they see, the agreement grants
that opened any of them, and `audit(...)`, which writes the audit row with all of that. Every
selector and service that acts on one child takes the grant instead of deciding again, so a
page that shows the child, their household and their relationships asks the database once, and
all three answer from the same decision.

`grants_for_children` makes the same decision for a list (one query however many children).
"""

import operator
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import reduce
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from tandem.access.categories import PERSON_FIELDS, Category
from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.facts import Facts, GrantFact, facts_for_children
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
from tandem.access.related import protected_address_hidden_from
from tandem.access.sharing import Categories, allowed_categories, audit_detail, grants_used
from tandem.audit.models import AuditAction
from tandem.audit.services import Audit

# Audit actions that read: their rows say which categories were seen.
READS = {AuditAction.VIEW, AuditAction.LIST, AuditAction.SEARCH, AuditAction.EXPORT}
# Emergency access is to read the record in an emergency, never to change it.
READ_ONLY_BASES = {BREAK_GLASS}
# (Triage lists flagged children; deciding on a flag writes to the chronology, which is refused.)
READING = {Action.VIEW_CHILD, Action.LOOKUP_KNOWN, Action.TRIAGE}


class FieldsNotShared(PermissionDenied):
    """A change to a field whose category the actor does not see: refused whole, by name, the
    same on a page and in the API (403)."""

    def __init__(self, fields: Iterable[str]):
        self.fields = sorted(fields)
        super().__init__(f"These fields are not shared with you: {', '.join(self.fields)}")


@dataclass(frozen=True)
class ChildGrant:
    """What one actor may do with one child, and why. Made only by `child_grant` (or
    `grants_for_children`), so holding one means both levels were checked."""

    actor: object
    child_id: UUID
    action: Action
    purpose: str
    basis: str
    facts: Facts
    categories: Categories

    @property
    def shared_under(self) -> tuple[GrantFact, ...]:
        return self.categories.shared_under

    def sees(self, category: Category) -> bool:
        return category in self.categories

    @property
    def whole_record(self) -> bool:
        """The owning team or a real allocation (or a name on a restricted record): not merely
        being in the team around the family, nor a front door, nor an emergency."""
        return self.facts.owns_or_allocated or self.facts.named_on_restricted_record

    def to(self, action: Action) -> "ChildGrant":
        """The same decision for another action on this child: only the role level differs
        (the record check does not depend on the action), so no query is made; emergency
        access reads, never writes."""
        if action == self.action:
            return self
        require_role(self.actor, action)
        if self.basis in READ_ONLY_BASES and action not in READING:
            raise PermissionDenied("Emergency access is to read the record, not to change it")
        return replace(self, action=action)

    def may(self, action: Action) -> bool:
        """Whether `to(action)` would allow it: what a page offers."""
        if not role_allows(self.actor, action):
            return False
        return action in READING or self.basis not in READ_ONLY_BASES

    def refuse_unshared(self, fields: Iterable[str]) -> None:
        """Refuse a change to any person field outside the categories the actor sees: you may
        not change what you cannot see."""
        refused = [
            n for n in fields if n in PERSON_FIELDS and PERSON_FIELDS[n] not in self.categories
        ]
        if refused:
            raise FieldsNotShared(refused)

    def audit(
        self,
        record_type: str,
        record_id: object = "",
        *,
        action: str = AuditAction.VIEW,
        detail: dict | None = None,
        person_ids: Iterable[UUID | None] | None = None,
        basis: str = "",
    ) -> None:
        """The audit row of what was done under this grant: who, for what purpose, on what
        basis, and (for a read) which categories were seen and under which agreement grants.
        `person_ids` names the people shown when they are others than the child (a household's
        members, the child's relatives: one row each, none for nobody); `basis` words the
        basis for them."""
        row = audit_detail(self.categories) if action in READS else {}
        if action not in READS and self.shared_under:
            row["shared_under"] = audit_detail(self.categories)["shared_under"]
        if person_ids is not None:
            row["child_id"] = str(self.child_id)
        Audit(self.actor, self.purpose, basis or self.basis).rows(
            action,
            record_type,
            [self.child_id] if person_ids is None else list(person_ids),
            record_id=record_id or "",
            detail={**row, **(detail or {})},
        )


def _grant(actor, child_id, action, purpose, facts: Facts) -> ChildGrant | None:
    basis = basis_of(facts)
    if basis is None:
        return None
    categories = Categories(allowed_categories(facts), grants_used(facts))
    return ChildGrant(actor, child_id, action, purpose, basis, facts, categories)


def child_grant(
    *, actor, child_id: UUID, purpose: str, action: Action = Action.VIEW_CHILD
) -> ChildGrant:
    """Role first (PermissionDenied: 403), then this child (NotFound: 404, the same answer as
    for a child that does not exist)."""
    require_role(actor, action)
    facts = facts_for_children(actor, [child_id])[child_id]
    grant = _grant(actor, child_id, action, purpose, facts)
    if grant is None:
        raise NotFound("No child with that id is in your records")
    if not grant.may(action):
        raise PermissionDenied("Emergency access is to read the record, not to change it")
    return grant


def child_grant_or_none(
    *, actor, child_id: UUID, purpose: str, action: Action = Action.VIEW_CHILD
) -> ChildGrant | None:
    """`child_grant` for a caller that answers "not yours" its own way (a case, a referral)."""
    if not role_allows(actor, action):
        return None
    facts = facts_for_children(actor, [child_id])[child_id]
    grant = _grant(actor, child_id, action, purpose, facts)
    return grant if grant is not None and grant.may(action) else None


def grants_for_children(
    *, actor, child_ids: Iterable[UUID], purpose: str, action: Action = Action.VIEW_CHILD
) -> dict[UUID, ChildGrant]:
    """The grant for each child of a list the actor may see (the others are left out), from
    one query however many children."""
    child_ids = list(dict.fromkeys(child_ids))
    if not child_ids or not role_allows(actor, action):
        return {}
    grants = {
        c: _grant(actor, c, action, purpose, facts)
        for c, facts in facts_for_children(actor, child_ids).items()
    }
    return {c: g for c, g in grants.items() if g is not None}


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
        c
        for c, grant in grants_for_children(actor=actor, child_ids=others, purpose="").items()
        if grant.sees(Category.CONTACT)
    ]
    return children.filter(always | Q(pk__in=granted)).exclude(
        pk__in=protected_address_hidden_from(actor)
    )
