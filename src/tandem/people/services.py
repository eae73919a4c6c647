"""Every write to people, households, relationships and chronology events.

Keyword-only, validated with full_clean(), atomic, and audited with who, why and what changed.
"""

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.grants import ChildGrant, child_grant_or_none
from tandem.access.models import Involvement, InvolvementKind
from tandem.access.policies import Action
from tandem.access.related import people_shown
from tandem.audit.models import AuditAction
from tandem.audit.services import Audit
from tandem.people.codes import INVERSE_RELATIONSHIP
from tandem.people.identifiers import normalise_nhs_number
from tandem.people.models import Event, Household, HouseholdMember, Person, Relationship

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "known_as",
    "date_of_birth",
    "expected_due_date",
    "sex",
    "ethnicity",
    "address",
    "postcode",
    "nhs_number",
    "upn",
)


def _tidy(fields: dict) -> dict:
    """Blank identifiers are "not known" (NULL), so the uniqueness rules ignore them."""
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    for key in ("nhs_number", "upn"):
        if key in fields:
            value = fields[key] or None
            if value and key == "nhs_number":
                value = normalise_nhs_number(value)
            if value and key == "upn":
                value = value.upper()
            fields[key] = value
    return fields


def person_build(*, is_child: bool = True, check_unique: bool = True, **fields) -> Person:
    """A validated, unsaved person: shared by every service that records someone new."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({name: "Unknown field" for name in sorted(unknown)})
    person = Person(is_child=is_child, **_tidy(fields))
    person.full_clean(validate_constraints=check_unique)
    return person


@transaction.atomic
def child_create(*, actor, purpose: str, **fields) -> Person:
    """Record a child. The actor's team is recorded as involved, which is why they may see it."""
    require_role(actor, Action.CREATE_CHILD)
    child = person_build(is_child=True, **fields)
    child.save()
    Involvement.objects.create(
        child=child,
        team_id=actor.team_id,
        kind=InvolvementKind.INVOLVED,
        reason="Recorded the child",
        started_on=timezone.localdate(),
    )
    Audit(actor, purpose).row(
        AuditAction.CREATE,
        "child",
        person_id=child.pk,
        detail={"fields": sorted(k for k, v in fields.items() if v)},
    )
    return child


@transaction.atomic
def child_update(*, grant: ChildGrant, changes: dict) -> Person:
    """Change the child's details. A field the actor does not see cannot be changed either: the
    whole change is refused, naming the fields (`FieldsNotShared`, 403)."""
    grant = grant.to(Action.EDIT_CHILD)
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed" for name in sorted(unknown)})
    grant.refuse_unshared(changes)
    child = Person.objects.select_for_update().get(pk=grant.child_id)
    changed = []
    for name, value in _tidy(changes).items():
        if getattr(child, name) != value:
            setattr(child, name, value)
            changed.append(name)
    child.full_clean()
    child.save()
    grant.audit("child", action=AuditAction.UPDATE, detail={"fields": changed})
    return child


@transaction.atomic
def household_create(
    *,
    grant: ChildGrant,
    name: str,
    address: str = "",
    postcode: str = "",
    joined_on: date | None = None,
) -> Household:
    """A new household, with the child as its first member."""
    grant = grant.to(Action.EDIT_CHILD)
    household = Household(name=name.strip(), address=address.strip(), postcode=postcode.strip())
    if household.postcode:
        # Same rule as a person's postcode.
        probe = Person(given_name="x", family_name="x", postcode=household.postcode)
        try:
            probe.clean()
        except ValidationError as e:
            raise ValidationError({"postcode": e.message_dict["postcode"]}) from e
        household.postcode = probe.postcode
    household.full_clean()
    household.save()
    HouseholdMember.objects.create(
        household=household, person_id=grant.child_id, joined_on=joined_on
    )
    grant.audit("household", household.pk, action=AuditAction.CREATE)
    return household


@transaction.atomic
def household_member_add(
    *, actor, household_id: UUID, person_id: UUID, purpose: str, joined_on: date | None = None
) -> HouseholdMember:
    """Add someone to a household the actor can see. A child added must be one they may see."""
    from tandem.people.selectors import household_grants

    require_role(actor, Action.EDIT_CHILD)  # a role that cannot edit is told so (403), not 404
    through = household_grants(
        actor=actor, household_id=household_id, purpose=purpose, action=Action.EDIT_CHILD
    )
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not _person_visible(actor, person):
        raise NotFound("No person with that id is in your records")
    member = HouseholdMember(household_id=household_id, person=person, joined_on=joined_on)
    member.full_clean()
    member.save()
    through[0].audit(
        "household",
        household_id,
        action=AuditAction.UPDATE,
        person_ids=[person.pk],
        basis="household of a child you see",
    )
    return member


def _adult_linked_to_visible_child(actor, person_id: UUID) -> bool:
    from tandem.people.selectors import children_visible_to

    visible = children_visible_to(actor=actor)
    return (
        Relationship.objects.filter(
            Q(person_a_id=person_id, person_b__in=visible)
            | Q(person_b_id=person_id, person_a__in=visible)
        ).exists()
        or HouseholdMember.objects.filter(
            person_id=person_id, household__members__person__in=visible
        ).exists()
    )


@transaction.atomic
def relationship_create(
    *,
    grant: ChildGrant,
    kind: str,
    other_person_id: UUID | None = None,
    new_adult: dict | None = None,
) -> Relationship:
    """Record how another person relates to the child ("X is the child's parent").

    The other person is either someone the actor can already see, or a new adult recorded here.
    Stored once per pair with the lower id first, so both directions always agree and the
    database refuses a second relationship between the same two people.
    """
    grant = grant.to(Action.EDIT_CHILD)
    if (other_person_id is None) == (new_adult is None):
        raise ValidationError(
            {"other_person_id": "Choose an existing person or describe a new adult"}
        )
    if kind not in INVERSE_RELATIONSHIP:
        raise ValidationError({"kind": f"Unknown relationship '{kind}'"})
    if new_adult is not None:
        other = person_build(is_child=False, **new_adult)
        other.save()
        grant.audit(
            "adult",
            action=AuditAction.CREATE,
            person_ids=[other.pk],
            detail={"related_to": str(grant.child_id)},
        )
    else:
        other = Person.objects.filter(pk=other_person_id).first()
        if other is None or not _person_visible(grant.actor, other):
            raise NotFound("No person with that id is in your records")
    a, b, stored_kind = other, Person(pk=grant.child_id), kind
    if str(a.pk) > str(b.pk):
        a, b, stored_kind = b, a, INVERSE_RELATIONSHIP[kind]
    relationship = Relationship(person_a_id=a.pk, person_b_id=b.pk, kind=stored_kind)
    relationship.full_clean()
    relationship.save()
    grant.audit(
        "relationship",
        relationship.pk,
        action=AuditAction.CREATE,
        detail={
            "other_person_id": str(other.pk),
            "kind": kind,
            "new_adult": new_adult is not None,
        },
    )
    return relationship


def _person_visible(actor, person: Person) -> bool:
    """A child by the access rules; an adult through a child the actor sees; never a
    restricted record the actor is not named on."""
    if not people_shown(actor, [person.pk]).shows(person.pk):
        return False
    if not person.is_child:
        return _adult_linked_to_visible_child(actor, person.pk)
    return child_grant_or_none(actor=actor, child_id=person.pk, purpose="") is not None


@transaction.atomic
def relationship_delete(*, grant: ChildGrant, relationship_id: UUID) -> None:
    grant = grant.to(Action.EDIT_CHILD)
    child_id = grant.child_id
    relationship = Relationship.objects.filter(
        Q(person_a_id=child_id) | Q(person_b_id=child_id), pk=relationship_id
    ).first()
    if relationship is None:
        raise NotFound("No relationship with that id on this child")
    relationship.delete()
    grant.audit("relationship", relationship_id, action=AuditAction.DELETE)


@transaction.atomic
def event_record(*, grant: ChildGrant, kind: str, occurred_at: datetime, summary: str) -> Event:
    """Add a line to the child's chronology, as the actor's partner."""
    grant = grant.to(Action.RECORD_EVENT)
    event = Event(
        person_id=grant.child_id,
        partner_id=grant.actor.team.partner_id,
        kind=kind,
        occurred_at=occurred_at,
        summary=summary.strip(),
        recorded_by=grant.actor,
    )
    event.full_clean()
    if event.occurred_at > timezone.now():
        raise ValidationError({"occurred_at": "The event must have happened already"})
    event.save()
    grant.audit("event", event.pk, action=AuditAction.CREATE)
    return event
