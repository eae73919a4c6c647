"""Retention: which children's records are due for destruction under the schedules, legal holds
that stop it, and the destruction run, a background job that ends with a certificate.

A record is due when nobody has it open (no involvement running, no referral, case or episode
of care open), no legal hold stands, and its schedule's time has passed: a child-protection or
looked-after record (any involvement for a child protection enquiry or care leaver support)
until the 75th birthday; an early help record some years after the last involvement ended;
anything else the same after its last activity. Destroying a child removes every row about them
(`_destroy_child`), one child to a transaction. The audit trail keeps its rows (they hold ids and
codes, never names, dates of birth, addresses or free text), so what was done with the record
stays explainable after the record is gone.
"""

import logging
from collections import Counter
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.models import (
    DestructionCertificate,
    LegalHold,
    RetentionSchedule,
    ShareDecision,
    SharingPurpose,
)
from tandem.access.policies import Action, active_involvements, open_referrals
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.jobs.models import Job
from tandem.jobs.registry import job_kind
from tandem.people.models import Household, Person

logger = logging.getLogger(__name__)
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
    from tandem.care.models import CareEpisode
    from tandem.casework.codes import CaseStatus
    from tandem.casework.models import Case
    from tandem.referrals.models import Referral

    today = today or timezone.localdate()
    schedules = {s.record_type: s for s in RetentionSchedule.objects.all()}
    open_now = (
        set(active_involvements().values_list("child_id", flat=True))
        | set(open_referrals().values_list("child_id", flat=True))
        | set(Case.objects.filter(status=CaseStatus.OPEN).values_list("child_id", flat=True))
        | set(CareEpisode.objects.filter(ended_on__isnull=True).values_list("child_id", flat=True))
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
    Audit(actor, Purpose.AUDIT_REVIEW, "information governance").row(
        AuditAction.CREATE, "legal_hold", hold.pk, child_id
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
        Audit(actor, Purpose.AUDIT_REVIEW, "information governance").row(
            AuditAction.UPDATE, "legal_hold", hold.pk, hold.child_id, detail={"lifted": True}
        )
    return hold


def _gone(counts: Counter, qs) -> None:
    """Delete `qs` (and what cascades from it), counting the rows by the model they were."""
    _, by_model = qs.delete()
    counts.update({label: n for label, n in by_model.items() if n})


def _care_models():
    from django.apps import apps

    return [m for m in apps.get_app_config("care").get_models() if hasattr(m, "child_id")]


def _destroy_child(child_id: UUID) -> Counter:
    """Delete one child and every row about them, the most dependent first (most of the record
    is protected from a casual delete): portal accounts and messages, the casework (closures,
    plans, assessments, decisions, cases), the looked-after and children in need record,
    referrals with their decisions and feedback, the share decisions, partners' extract
    records linked to them; then the child (with everything that cascades: involvements,
    consents, restrictions, notes, events, identifiers, memberships, relationships, requests,
    holds); then the households nobody lives in any more, and the adults recorded only as part
    of this child's family, whom nothing else keeps."""
    from tandem.care.models import CinEpisodeOutcome
    from tandem.casework.models import (
        Assessment,
        Case,
        CaseTransition,
        Closure,
        DecisionRecord,
        GoalResult,
        Plan,
    )
    from tandem.linkage.models import ExtractRecord, LinkedPerson
    from tandem.people.models import HouseholdMember, Relationship
    from tandem.portal.models import PortalAccount, PortalMessage
    from tandem.referrals.models import Feedback, Referral, ThresholdDecision

    counts: Counter = Counter()
    cases = Case.objects.filter(child_id=child_id)
    referrals = Referral.objects.filter(child_id=child_id)
    accounts = PortalAccount.objects.filter(Q(case__in=cases) | Q(person_id=child_id))
    _gone(counts, PortalMessage.objects.filter(Q(case__in=cases) | Q(account__in=accounts)))
    _gone(counts, accounts)
    _gone(counts, GoalResult.objects.filter(goal__plan__case__in=cases))
    _gone(counts, Closure.objects.filter(case__in=cases))
    _gone(counts, Plan.objects.filter(case__in=cases))
    _gone(counts, Assessment.objects.filter(case__in=cases))
    _gone(counts, CaseTransition.objects.filter(case__in=cases))
    for model in _care_models():
        _gone(counts, model.objects.filter(child_id=child_id))
    _gone(counts, CinEpisodeOutcome.objects.filter(referral__in=referrals))
    _gone(
        counts,
        DecisionRecord.objects.filter(
            Q(child_id=child_id) | Q(case__in=cases) | Q(referral__in=referrals)
        ),
    )
    _gone(counts, cases)
    _gone(counts, Feedback.objects.filter(referral__in=referrals))
    _gone(counts, ThresholdDecision.objects.filter(referral__in=referrals))
    _gone(counts, referrals)
    _gone(counts, ShareDecision.objects.filter(child_id=child_id))
    linked = LinkedPerson.objects.filter(person_id=child_id)
    _gone(counts, ExtractRecord.objects.filter(linked_person__in=linked))
    _gone(counts, linked)
    homes = set(
        HouseholdMember.objects.filter(person_id=child_id).values_list("household_id", flat=True)
    )
    family = set(
        Relationship.objects.filter(person_a_id=child_id).values_list("person_b_id", flat=True)
    ) | set(
        Relationship.objects.filter(person_b_id=child_id).values_list("person_a_id", flat=True)
    )
    family |= set(
        HouseholdMember.objects.filter(household_id__in=homes).values_list("person_id", flat=True)
    )
    _gone(counts, Person.objects.filter(pk=child_id))
    _gone(counts, _kept_by_nothing(family - {child_id}))
    # A household nobody lives in any more holds only an address: it goes too.
    _gone(counts, Household.objects.filter(pk__in=homes, members__isnull=True))
    return counts


def _kept_by_nothing(adult_ids: set):
    """Of these people, the adults whom no one and nothing else in the record keeps: no
    relationship, no household with anyone, no involvement, referral, case, portal account or
    service they received themselves."""
    from tandem.casework.models import DecisionRecord
    from tandem.outcomes.models import ServiceSpell
    from tandem.people.models import HouseholdMember, Relationship
    from tandem.portal.models import PortalAccount

    kept = (
        Q(pk__in=ServiceSpell.objects.values("person_id"))  # a parent who received a service
        | Q(pk__in=Relationship.objects.values("person_a_id"))
        | Q(pk__in=Relationship.objects.values("person_b_id"))
        | Q(pk__in=HouseholdMember.objects.values("person_id"))
        | Q(pk__in=PortalAccount.objects.values("person_id"))
        | Q(pk__in=DecisionRecord.objects.values("child_id"))
        | Q(pk__in=LegalHold.objects.filter(lifted_at__isnull=True).values("child_id"))
    )
    return Person.objects.filter(pk__in=adult_ids, is_child=False).exclude(kept)


@job_kind(JOB_KIND)
def destruction_run(job, progress) -> dict:
    """The background job: find what is due and destroy it, one child to a transaction (a
    child is gone whole or not at all; the run goes on past one that fails, and says how many
    did), then certify what went: counts, never a name."""
    progress.stage("Finding the records due for destruction")
    due, on_hold = due_for_destruction()
    total = sum(len(ids) for ids in due.values())
    progress.stage("Destroying records", total=total)
    # What an earlier attempt of this job destroyed before its worker died: it is certified
    # with the rest. Kept on the job in the same transaction as each child's destruction.
    partial = Job.objects.get(pk=job.pk).result.get("partial", {})
    by_kind: Counter = Counter(partial.get("by_kind", {}))
    records: Counter = Counter(partial.get("records", {}))
    failed = 0
    for kind, ids in due.items():
        for child_id in ids:
            try:
                with transaction.atomic():
                    gone = Counter(_destroy_child(child_id))
                    so_far = {"by_kind": by_kind + Counter({kind: 1}), "records": records + gone}
                    Job.objects.filter(pk=job.pk).update(result={"partial": so_far})
                records.update(gone)
                by_kind[kind] += 1
            except DatabaseError:
                failed += 1
                logger.exception("A record due for destruction could not be destroyed")
            progress.advance(1)
    counts = {kind: by_kind[kind] for kind in set(due) | set(by_kind)}
    with transaction.atomic():
        certificate = DestructionCertificate.objects.create(
            run_at=timezone.now(),
            run_by=job.owner,
            job=job,
            counts=counts,
            records=dict(sorted(records.items())),
            held_back=on_hold,
            failed=failed,
            total=sum(counts.values()),
        )
        Audit(job.owner, Purpose.AUDIT_REVIEW, "retention schedule").row(
            AuditAction.DELETE,
            "destruction_certificate",
            certificate.pk,
            detail={
                "counts": counts,
                "held_back": on_hold,
                "failed": failed,
                "total": certificate.total,
            },
        )
    return {
        "certificate": str(certificate.pk),
        "counts": counts,
        "held_back": on_hold,
        "failed": failed,
    }


def destruction_start(*, actor, enqueue: bool = True):
    from tandem.jobs.services import job_start

    require_role(actor, Action.MANAGE_GOVERNANCE)
    return job_start(
        owner=actor, kind=JOB_KIND, title="Destroy records past retention", enqueue=enqueue
    )
