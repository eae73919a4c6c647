"""Retention: which children's records are due for destruction under the schedules, legal holds
that stop it, and the destruction run, a background job that ends with a certificate.

A record is due when nobody has it open (no involvement running, no referral open), no legal hold
stands, and its schedule's time has passed: a child-protection or looked-after record (any
involvement for a child protection enquiry or care leaver support) until the 75th birthday; an
early help record some years after the last involvement ended; anything else the same after its
last activity. The audit trail keeps its rows (they hold ids, never names, dates of birth or
addresses), so what was done with the record stays explainable after the record is gone.
"""

from collections import Counter
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.models import (
    DestructionCertificate,
    LegalHold,
    RetentionSchedule,
    SharingPurpose,
)
from tandem.access.policies import Action, active_involvements, open_referrals
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import access_event_record
from tandem.jobs.registry import job_kind
from tandem.people.models import Household, Person

SOCIAL_CARE_PURPOSES = {SharingPurpose.CHILD_PROTECTION, SharingPurpose.CARE_LEAVER_SUPPORT}
JOB_KIND = "access.retention_destroy"


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def due_for_destruction(today: date | None = None) -> tuple[dict[str, list[UUID]], int]:
    """({record type: [child ids due]}, how many more are due but on legal hold)."""
    from tandem.access.models import Involvement
    from tandem.referrals.models import Referral

    today = today or timezone.localdate()
    schedules = {s.record_type: s for s in RetentionSchedule.objects.all()}
    open_now = set(active_involvements().values_list("child_id", flat=True)) | set(
        open_referrals().values_list("child_id", flat=True)
    )
    held = set(LegalHold.objects.filter(lifted_at__isnull=True).values_list("child_id", flat=True))
    social_care = set(
        Involvement.objects.filter(purpose__in=SOCIAL_CARE_PURPOSES).values_list(
            "child_id", flat=True
        )
    )
    with_involvement = set(Involvement.objects.values_list("child_id", flat=True))
    last_ended = dict(
        Involvement.objects.values("child_id")
        .annotate(last=Max("ended_on"))
        .values_list("child_id", "last")
    )
    last_referral = dict(
        Referral.objects.values("child_id")
        .annotate(last=Max("received_at"))
        .values_list("child_id", "last")
    )
    due: dict[str, list[UUID]] = {t: [] for t in schedules}
    on_hold = 0
    children = Person.objects.filter(is_child=True).exclude(pk__in=open_now)
    for child_id, born, updated in children.values_list("pk", "date_of_birth", "updated_at"):
        if child_id in social_care:
            kind = "social_care"
        elif child_id in with_involvement:
            kind = "early_help"
        else:
            kind = "other"
        schedule = schedules.get(kind)
        if schedule is None:
            continue
        if schedule.rule == RetentionSchedule.Rule.UNTIL_AGE:
            if born is None:
                continue  # never destroyed on a guess
            ends = _years_after(born, schedule.years)
        else:
            activity = [d for d in (last_ended.get(child_id),) if d]
            if child_id in last_referral:
                activity.append(timezone.localtime(last_referral[child_id]).date())
            if not activity:
                activity.append(timezone.localtime(updated).date())
            ends = _years_after(max(activity), schedule.years)
        if ends <= today:
            if child_id in held:
                on_hold += 1
            else:
                due[kind].append(child_id)
    return due, on_hold


@transaction.atomic
def legal_hold_place(*, actor, child_id: UUID, reason: str) -> LegalHold:
    require_role(actor, Action.MANAGE_GOVERNANCE)
    errors = {}
    if not Person.objects.filter(pk=child_id, is_child=True).exists():
        errors["child_id"] = "No child with this record id"
    if not reason.strip():
        errors["reason"] = "Say why the record must be kept"
    if errors:
        raise ValidationError(errors)
    hold = LegalHold(
        child_id=child_id, reason=reason.strip(), placed_by=actor, placed_at=timezone.now()
    )
    hold.full_clean()
    hold.save()
    access_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        purpose=Purpose.AUDIT_REVIEW,
        record_type="legal_hold",
        record_id=str(hold.pk),
        person_id=child_id,
        basis="information governance",
    )
    return hold


@transaction.atomic
def legal_hold_lift(*, actor, hold_id: UUID) -> LegalHold:
    """From now the record follows its retention schedule again."""
    require_role(actor, Action.MANAGE_GOVERNANCE)
    hold = LegalHold.objects.select_for_update().filter(pk=hold_id).first()
    if hold is None:
        raise NotFound("No legal hold with that id")
    if hold.lifted_at is None:
        hold.lifted_at = timezone.now()
        hold.save(update_fields=["lifted_at"])
        access_event_record(
            actor=actor,
            action=AuditAction.UPDATE,
            purpose=Purpose.AUDIT_REVIEW,
            record_type="legal_hold",
            record_id=str(hold.pk),
            person_id=hold.child_id,
            basis="information governance",
            detail={"lifted": True},
        )
    return hold


def _destroy(child_ids: list[UUID]) -> None:
    """Delete the children and everything that hangs from them. Referrals are protected from a
    casual delete, so they and their decisions and feedback go first, explicitly."""
    from tandem.referrals.models import Feedback, Referral, ThresholdDecision

    referrals = Referral.objects.filter(child_id__in=child_ids)
    Feedback.objects.filter(referral__in=referrals).delete()
    ThresholdDecision.objects.filter(referral__in=referrals).delete()
    referrals.delete()
    homes = list(
        Household.objects.filter(members__person_id__in=child_ids).values_list("pk", flat=True)
    )
    Person.objects.filter(pk__in=child_ids).delete()
    # A household nobody lives in any more holds only an address: it goes too.
    Household.objects.filter(pk__in=homes).filter(~Q(members__isnull=False)).delete()


@job_kind(JOB_KIND)
def destruction_run(job, progress) -> dict:
    """The background job: find what is due, destroy it in one transaction, and certify it."""
    progress.stage("Finding the records due for destruction")
    due, on_hold = due_for_destruction()
    total = sum(len(ids) for ids in due.values())
    progress.stage("Destroying records", total=total)
    with transaction.atomic():
        for ids in due.values():
            for start in range(0, len(ids), 500):
                _destroy(ids[start : start + 500])
                progress.advance(len(ids[start : start + 500]))
        counts = dict(Counter({kind: len(ids) for kind, ids in due.items()}))
        certificate = DestructionCertificate.objects.create(
            run_at=timezone.now(),
            run_by=job.owner,
            job=job,
            counts=counts,
            held_back=on_hold,
            total=total,
        )
        access_event_record(
            actor=job.owner,
            action=AuditAction.DELETE,
            purpose=Purpose.AUDIT_REVIEW,
            record_type="destruction_certificate",
            record_id=str(certificate.pk),
            person_id=None,
            basis="retention schedule",
            detail={"counts": counts, "held_back": on_hold, "total": total},
        )
    return {"certificate": str(certificate.pk), "counts": counts, "held_back": on_hold}


def destruction_start(*, actor, enqueue: bool = True):
    from tandem.jobs.services import job_start

    require_role(actor, Action.MANAGE_GOVERNANCE)
    return job_start(
        owner=actor, kind=JOB_KIND, title="Destroy records past retention", enqueue=enqueue
    )
