"""Recording a child's SDQ: checked whole (every problem named at once), scored here from the
item answers, or kept as the scores of a form scored by hand. Health information: only someone
who sees the child's health category may record or read it."""

from datetime import date
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tandem.access.categories import Category
from tandem.access.errors import NotFound
from tandem.access.grants import child_grant
from tandem.access.policies import Action
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.outcomes import sdq
from tandem.outcomes.models import (
    SdqRecord,
    Service,
    ServiceSpell,
    SpellEnd,
    SpellSource,
    StarReading,
)
from tandem.people.ages import age_on
from tandem.people.codes import RelationshipKind
from tandem.people.models import Person, Relationship

SCALE_NAMES = (*sdq.SCALES, "impact")
# Relationships in which person A cares for person B (B the child), and their inverses.
CARING = [RelationshipKind.PARENT, RelationshipKind.CARER, RelationshipKind.PARTNER_OF_PARENT]
CARED = [RelationshipKind.CHILD, RelationshipKind.CARED_FOR, RelationshipKind.CHILD_OF_PARTNER]
NOT_SHARED = "The child's health information is not shared with you"


def health_grant(*, actor, child_id: UUID, action: Action = Action.VIEW_CHILD):
    grant = child_grant(actor=actor, child_id=child_id, purpose=Purpose.DIRECT_WORK, action=action)
    if not grant.sees(Category.HEALTH):
        raise PermissionDenied(NOT_SHARED)
    return grant


@transaction.atomic
def sdq_record(
    *,
    actor,
    child_id: UUID,
    informant: str,
    completed_on: date | None,
    answers: dict | None = None,
    scores: dict | None = None,
    difficulties: int | None = None,
    impact_answers: dict | None = None,
) -> SdqRecord:
    """Record one SDQ: `answers` (item number -> 0, 1, 2 or None) or `scores` (scale -> 0-10),
    not both; `difficulties` (0 none … 3 severe) and `impact_answers` for the impact score."""
    grant = health_grant(actor=actor, child_id=child_id, action=Action.EDIT_CHILD)
    errors: dict[str, str] = {}
    if informant not in sdq.Informant:
        errors["informant"] = "Choose who completed the questionnaire: parent, teacher or self"
    if completed_on is None:
        errors["completed_on"] = "Enter the date the questionnaire was completed"
    elif completed_on > timezone.localdate():
        errors["completed_on"] = "The date it was completed must be today or in the past"
    elif informant == sdq.Informant.SELF:
        born = Person.objects.filter(pk=child_id).values_list("date_of_birth", flat=True).first()
        if born is not None and not 11 <= age_on(born, completed_on) <= 17:
            errors["informant"] = "The self-report SDQ is for young people aged 11 to 17"
    if (answers is None) == (scores is None):
        errors["answers"] = "Give the answers to the 25 items, or the scores, not both"
    items: dict[int, int | None] = {}
    for key, value in (answers or {}).items():
        item = int(key) if str(key).isdigit() else None
        if item not in sdq.ITEMS:
            errors[f"answers.{key}"] = "An item number is from 1 to 25"
        elif value not in (None, 0, 1, 2):
            errors[f"answers.{key}"] = "An answer is 0 (not true), 1 (somewhat), 2 (certainly)"
        else:
            items[item] = value
    if difficulties not in (None, 0, 1, 2, 3):
        errors["difficulties"] = "Difficulties is 0 (no) to 3 (yes, severe)"
    impact_items = sdq.IMPACT_ITEMS.get(informant, ())
    for name, value in (impact_answers or {}).items():
        if name not in impact_items:
            errors[f"impact_answers.{name}"] = (
                f"Not an impact question: use {', '.join(impact_items)}"
            )
        elif value not in (0, 1, 2, 3):
            errors[f"impact_answers.{name}"] = (
                "An impact answer is 0 (not at all) to 3 (a great deal)"
            )
    top = {"impact": 6 if informant == sdq.Informant.TEACHER else 10}
    for name, value in (scores or {}).items():
        if name not in SCALE_NAMES:
            errors[f"scores.{name}"] = f"Not an SDQ scale: use {', '.join(SCALE_NAMES)}"
        elif value is not None and not 0 <= value <= top.get(name, 10):
            errors[f"scores.{name}"] = f"A {name} score is from 0 to {top.get(name, 10)}"
    if errors:
        raise ValidationError(errors)
    if answers is not None:
        scored = sdq.score(informant, items, difficulties=difficulties, impact=impact_answers)
    else:
        scored = sdq.Scores(**{name: scores.get(name) for name in SCALE_NAMES})
    record = SdqRecord(
        person_id=child_id,
        informant=informant,
        completed_on=completed_on,
        answers={str(i): v for i, v in sorted(items.items())},
        impact_answers=impact_answers or {},
        difficulties=difficulties,
        **{name: getattr(scored, name) for name in SCALE_NAMES},
        total=scored.total,
        recorded_by=actor,
    )
    record.full_clean()
    record.save()
    grant.audit("sdq", record.pk, action=AuditAction.CREATE, detail={"informant": informant})
    return record


def parents_and_carers(*, actor, child_id: UUID) -> list[Person]:
    """The child's parents, carers and parents' partners (by their relationships) whom `actor`
    may be shown: who else a family service can be received by."""
    from tandem.access.related import people_shown

    ids = set(
        Relationship.objects.filter(
            Q(person_b_id=child_id, kind__in=CARING) | Q(person_a_id=child_id, kind__in=CARED)
        ).values_list("person_a_id", "person_b_id")
    )
    ids = {p for pair in ids for p in pair} - {child_id}
    absent = people_shown(actor, ids).absent
    return list(Person.objects.filter(pk__in=ids - absent).order_by("given_name"))


def family_of(*, actor, child_id: UUID) -> list[UUID]:
    """The child and the parents and carers of theirs `actor` may be shown: whose spells the
    child's record holds."""
    return [child_id, *(p.pk for p in parents_and_carers(actor=actor, child_id=child_id))]


@transaction.atomic
def spell_start(
    *,
    actor,
    child_id: UUID,
    service_id: UUID | None,
    started_on: date | None,
    person_id: UUID | None = None,
) -> ServiceSpell:
    """Record that a child (or, with `person_id`, one of their parents or carers) started
    receiving a service, recorded directly: a case's or a referral's spells come with them."""
    grant = child_grant(
        actor=actor, child_id=child_id, purpose=Purpose.DIRECT_WORK, action=Action.EDIT_CHILD
    )
    errors = {}
    who = child_id
    if person_id and person_id != child_id:
        if person_id not in {p.pk for p in parents_and_carers(actor=actor, child_id=child_id)}:
            errors["person_id"] = "Choose the child or one of their parents or carers"
        who = person_id
    service = Service.objects.filter(pk=service_id).first() if service_id else None
    if service is None:
        errors["service_id"] = "Choose a service the partnership runs"
    if started_on is None:
        errors["started_on"] = "Enter the date the service started"
    elif started_on > timezone.localdate():
        errors["started_on"] = "The start date must be today or in the past"
    elif (
        service
        and ServiceSpell.objects.filter(
            person_id=who, service=service, ended_on__isnull=True
        ).exists()
    ):
        errors["service_id"] = "They are already receiving this service: end that spell first"
    if errors:
        raise ValidationError(errors)
    spell = ServiceSpell(service=service, person_id=who, started_on=started_on, recorded_by=actor)
    spell.full_clean()
    spell.save()
    grant.audit(
        "service_spell",
        spell.pk,
        action=AuditAction.CREATE,
        detail={"service": service.name},
        person_ids=None if who == child_id else [who],
    )
    return spell


@transaction.atomic
def spell_end(*, actor, child_id: UUID, spell_id: UUID, ended_on: date | None, reason: str):
    grant = child_grant(
        actor=actor, child_id=child_id, purpose=Purpose.DIRECT_WORK, action=Action.EDIT_CHILD
    )
    family = family_of(actor=actor, child_id=child_id)
    spell = (
        ServiceSpell.objects.select_for_update().filter(pk=spell_id, person_id__in=family).first()
    )
    if spell is None:
        raise NotFound("No such spell for this child")
    errors = {}
    if spell.ended_on:
        errors["ended_on"] = "This spell has already ended"
    if ended_on is None:
        errors["ended_on"] = "Enter the date the service ended"
    elif ended_on > timezone.localdate():
        errors["ended_on"] = "The end date must be today or in the past"
    elif ended_on < spell.started_on:
        errors["ended_on"] = "The end date must be on or after the start date"
    if reason not in SpellEnd.values:
        errors["reason"] = "Choose why the service ended"
    if errors:
        raise ValidationError(errors)
    spell.ended_on, spell.end_reason = ended_on, reason
    spell.full_clean()
    spell.save(update_fields=["ended_on", "end_reason"])
    grant.audit("service_spell", spell.pk, action=AuditAction.UPDATE, detail={"ended": reason})
    return spell


@transaction.atomic
def star_record(
    *, actor, child_id: UUID, star: str, edition: str, read_on: date | None, readings: dict
) -> list[StarReading]:
    """One Outcomes Star assessment: each area's reading (1-10) on a day, by the star's and the
    areas' codes only (the Star's wording is licensed). Every problem named at once."""
    grant = child_grant(
        actor=actor, child_id=child_id, purpose=Purpose.DIRECT_WORK, action=Action.EDIT_CHILD
    )
    errors = {}
    if not star or not star.replace("-", "").isalnum():
        errors["star"] = "Give the star's code, for example family-star-plus"
    if read_on is None:
        errors["read_on"] = "Enter the date of the assessment"
    elif read_on > timezone.localdate():
        errors["read_on"] = "The date of the assessment must be today or in the past"
    if not readings:
        errors["readings"] = "Give at least one area's reading"
    for area, value in readings.items():
        if not area or not area.replace("-", "").isalnum():
            errors[f"readings.{area}"] = "An area is a code such as family-routine"
        elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10:
            errors[f"readings.{area}"] = "A reading is a whole number from 1 to 10"
    if errors:
        raise ValidationError(errors)
    made = [
        StarReading(
            person_id=child_id,
            star=star,
            edition=edition,
            area=area,
            reading=value,
            read_on=read_on,
            recorded_by=actor,
        )  # fmt: skip
        for area, value in sorted(readings.items())
    ]
    for reading in made:
        reading.full_clean()
    StarReading.objects.bulk_create(made)
    grant.audit(
        "star_reading", action=AuditAction.CREATE, detail={"star": star, "areas": len(made)}
    )
    return made


def spells_follow(
    *, actor, child_id: UUID, team_id, started_on: date, source: str
) -> list[ServiceSpell]:
    """A case opened (or a referral decided) by a team that delivers services starts a spell
    of each of them for the child, unless one is open already. Called inside the write that
    causes it; audited as the partnership's record of who received what."""
    services = Service.objects.filter(delivered_by=team_id).exclude(
        spells__person_id=child_id, spells__ended_on__isnull=True
    )
    made = [
        ServiceSpell(
            service=service,
            person_id=child_id,
            started_on=started_on,
            source=source,
            recorded_by=actor,
        )  # fmt: skip
        for service in services
    ]
    ServiceSpell.objects.bulk_create(made)
    if made:
        Audit(actor, Purpose.DIRECT_WORK, "the case or referral it follows").rows(
            AuditAction.CREATE, "service_spell", [child_id] * len(made),
            detail={"services": [s.service.name for s in made], "source": source},
        )  # fmt: skip
    return made


def spells_close(*, child_id: UUID, team_id, ended_on: date, reason: str = SpellEnd.COMPLETED):
    """A case closed by a team ends the spells its opening (or the referral before it) started."""
    return ServiceSpell.objects.filter(
        person_id=child_id,
        service__delivered_by=team_id,
        source__in=[SpellSource.CASE, SpellSource.REFERRAL],
        ended_on__isnull=True,
        started_on__lte=ended_on,
    ).update(ended_on=ended_on, end_reason=reason)
