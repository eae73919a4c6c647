"""Every write to people, households, relationships and chronology events.

Keyword-only, validated with full_clean(), atomic, and audited with who, why and what changed.
"""

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tandem.access.checks import require_child, require_role
from tandem.access.errors import NotFound
from tandem.access.models import Involvement, InvolvementKind
from tandem.access.policies import Action
from tandem.audit.models import AuditAction
from tandem.audit.services import access_event_record
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
    access_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        purpose=purpose,
        record_type="child",
        person_id=child.pk,
        detail={"fields": sorted(k for k, v in fields.items() if v)},
    )
    return child


@transaction.atomic
def child_update(*, actor, child_id: UUID, purpose: str, changes: dict) -> Person:
    basis = require_child(actor, child_id, Action.EDIT_CHILD)
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed" for name in sorted(unknown)})
    child = Person.objects.select_for_update().get(pk=child_id)
    changed = []
    for name, value in _tidy(changes).items():
        if getattr(child, name) != value:
            setattr(child, name, value)
            changed.append(name)
    child.full_clean()
    child.save()
    access_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        purpose=purpose,
        record_type="child",
        person_id=child.pk,
        basis=basis,
        detail={"fields": changed},
    )
    return child


@transaction.atomic
def household_create(
    *,
    actor,
    child_id: UUID,
    purpose: str,
    name: str,
    address: str = "",
    postcode: str = "",
    joined_on: date | None = None,
) -> Household:
    """A new household, with the child as its first member."""
    basis = require_child(actor, child_id, Action.EDIT_CHILD)
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
    HouseholdMember.objects.create(household=household, person_id=child_id, joined_on=joined_on)
    access_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        purpose=purpose,
        record_type="household",
        person_id=child_id,
        record_id=str(household.pk),
        basis=basis,
    )
    return household


def _household_visible(actor, household_id: UUID) -> tuple[Household, str]:
    from tandem.people.selectors import children_visible_to

    household = Household.objects.filter(
        pk=household_id,
        members__person__in=children_visible_to(actor=actor, action=Action.EDIT_CHILD),
    ).first()
    if household is None:
        raise NotFound("No household with that id is in your records")
    return household, "household of a child you see"


@transaction.atomic
def household_member_add(
    *, actor, household_id: UUID, person_id: UUID, purpose: str, joined_on: date | None = None
) -> HouseholdMember:
    """Add someone to a household the actor can see. A child added must be one they may see."""
    require_role(actor, Action.EDIT_CHILD)  # a role that cannot edit is told so (403), not 404
    household, basis = _household_visible(actor, household_id)
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not _person_visible(actor, person):
        raise NotFound("No person with that id is in your records")
    member = HouseholdMember(household=household, person=person, joined_on=joined_on)
    member.full_clean()
    member.save()
    access_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        purpose=purpose,
        record_type="household",
        person_id=person.pk,
        record_id=str(household.pk),
        basis=basis,
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
    actor,
    child_id: UUID,
    kind: str,
    purpose: str,
    other_person_id: UUID | None = None,
    new_adult: dict | None = None,
) -> Relationship:
    """Record how another person relates to the child ("X is the child's parent").

    The other person is either someone the actor can already see, or a new adult recorded here.
    Stored once per pair with the lower id first, so both directions always agree and the
    database refuses a second relationship between the same two people.
    """
    basis = require_child(actor, child_id, Action.EDIT_CHILD)
    if (other_person_id is None) == (new_adult is None):
        raise ValidationError(
            {"other_person_id": "Choose an existing person or describe a new adult"}
        )
    if kind not in INVERSE_RELATIONSHIP:
        raise ValidationError({"kind": f"Unknown relationship '{kind}'"})
    if new_adult is not None:
        other = person_build(is_child=False, **new_adult)
        other.save()
        access_event_record(
            actor=actor,
            action=AuditAction.CREATE,
            purpose=purpose,
            record_type="adult",
            person_id=other.pk,
            basis=basis,
            detail={"related_to": str(child_id)},
        )
    else:
        other = Person.objects.filter(pk=other_person_id).first()
        if other is None or not _person_visible(actor, other):
            raise NotFound("No person with that id is in your records")
    a, b, stored_kind = other, Person(pk=child_id), kind
    if str(a.pk) > str(b.pk):
        a, b, stored_kind = b, a, INVERSE_RELATIONSHIP[kind]
    relationship = Relationship(person_a_id=a.pk, person_b_id=b.pk, kind=stored_kind)
    relationship.full_clean()
    relationship.save()
    access_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        purpose=purpose,
        record_type="relationship",
        person_id=child_id,
        record_id=str(relationship.pk),
        basis=basis,
        detail={
            "other_person_id": str(other.pk),
            "kind": kind,
            "new_adult": new_adult is not None,
        },
    )
    return relationship


def _person_visible(actor, person: Person) -> bool:
    """A child by the access rules; an adult through a child the actor sees."""
    if not person.is_child:
        return _adult_linked_to_visible_child(actor, person.pk)
    try:
        require_child(actor, person.pk)
    except NotFound:
        return False
    return True


@transaction.atomic
def relationship_delete(*, actor, child_id: UUID, relationship_id: UUID, purpose: str) -> None:
    basis = require_child(actor, child_id, Action.EDIT_CHILD)
    relationship = Relationship.objects.filter(
        Q(person_a_id=child_id) | Q(person_b_id=child_id), pk=relationship_id
    ).first()
    if relationship is None:
        raise NotFound("No relationship with that id on this child")
    relationship.delete()
    access_event_record(
        actor=actor,
        action=AuditAction.DELETE,
        purpose=purpose,
        record_type="relationship",
        person_id=child_id,
        record_id=str(relationship_id),
        basis=basis,
    )


@transaction.atomic
def event_record(
    *, actor, child_id: UUID, kind: str, occurred_at: datetime, summary: str, purpose: str
) -> Event:
    """Add a line to the child's chronology, as the actor's partner."""
    basis = require_child(actor, child_id, Action.RECORD_EVENT)
    event = Event(
        person_id=child_id,
        partner_id=actor.team.partner_id,
        kind=kind,
        occurred_at=occurred_at,
        summary=summary.strip(),
        recorded_by=actor,
    )
    event.full_clean()
    if event.occurred_at > timezone.now():
        raise ValidationError({"occurred_at": "The event must have happened already"})
    event.save()
    access_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        purpose=purpose,
        record_type="event",
        person_id=child_id,
        record_id=str(event.pk),
        basis=basis,
    )
    return event
