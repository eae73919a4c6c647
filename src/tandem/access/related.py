"""The people shown beside a child: a sibling, a parent, a household member, a relative.

Seeing a child is not seeing everyone around them. Whoever else a page, an API answer or an
export shows is checked here, for that person: one place decides for a list of people.

- A **restricted record** the viewer is not named on is absent: not "hidden", not counted, as
  if the person were not there (their name would tell where they are, and with whom).
- A **protected address** the viewer is not named on is never shown: neither the person's own,
  nor the address of a household they live in now, which is theirs too. No basis, grant or
  emergency access opens either.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.access.models import Restriction, RestrictionKind


def living_there_now() -> Q:
    """A household member who has not left: the one definition (the facts query's SQL says the
    same, and tests/access hold the two together)."""
    return Q(left_on__isnull=True) | Q(left_on__gt=timezone.localdate())


def active_restrictions(kind: str) -> QuerySet:
    return Restriction.objects.filter(kind=kind, ended_at__isnull=True)


def _not_named(actor, kind: str) -> QuerySet:
    return active_restrictions(kind).exclude(named_people=actor)


def restricted_from(actor) -> QuerySet:
    """Restricted records `actor` is not named on: absent wherever they would be shown."""
    return _not_named(actor, RestrictionKind.RESTRICTED_RECORD)


def protected_address_hidden_from(actor) -> QuerySet:
    """The ids of the people whose address `actor` may not see or match on: those with a
    protected address the actor is not named on, and everyone living with them now."""
    from tandem.people.models import HouseholdMember, Person

    protected = _not_named(actor, RestrictionKind.PROTECTED_ADDRESS).values("child_id")
    homes = HouseholdMember.objects.filter(living_there_now(), person_id__in=protected)
    housemates = HouseholdMember.objects.filter(
        living_there_now(), household_id__in=homes.values("household_id")
    )
    return Person.objects.filter(
        Q(pk__in=protected) | Q(pk__in=housemates.values("person_id"))
    ).values("pk")


@dataclass(frozen=True)
class PeopleShown:
    """Of a list of people: who is absent, and whose address is withheld."""

    absent: frozenset[UUID]
    address_hidden: frozenset[UUID]

    def shows(self, person_id: UUID) -> bool:
        return person_id not in self.absent

    def shows_address(self, person_id: UUID) -> bool:
        return person_id not in self.absent and person_id not in self.address_hidden


def people_shown(actor, person_ids: Iterable[UUID]) -> PeopleShown:
    """What `actor` may be shown of each of `person_ids` (two small queries, however many)."""
    ids = set(person_ids)
    if not ids:
        return PeopleShown(frozenset(), frozenset())
    absent = restricted_from(actor).filter(child_id__in=ids).values_list("child_id", flat=True)
    hidden = protected_address_hidden_from(actor).filter(pk__in=ids)
    return PeopleShown(frozenset(absent), frozenset(p["pk"] for p in hidden))
