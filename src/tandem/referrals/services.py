"""Making a referral, recording the threshold decision, and giving feedback to the referrer."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tandem.access.categories import Category
from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.grants import child_grant
from tandem.access.models import Involvement, InvolvementKind, Schedule1Condition, SharingPurpose
from tandem.access.policies import Action
from tandem.access.services import notify, share_decision_record
from tandem.audit.models import AuditAction
from tandem.audit.services import Audit
from tandem.casework.codes import DecisionKind
from tandem.casework.voice import Views, decision_record_create, views_clean
from tandem.outcomes.models import SpellSource
from tandem.outcomes.services import spells_follow
from tandem.partners.models import Team
from tandem.people.models import Person
from tandem.people.services import person_build
from tandem.referrals.codes import DECISIONS_OPENING_A_CASE, Decision, Reason, Status
from tandem.referrals.models import Feedback, Referral, ReferralReason, ThresholdDecision


def _existing_child(details: Person) -> Person | None:
    """A referral for a child already on the record joins that record, but only on a strong match
    (same NHS number or UPN *and* same date of birth), never on a name. Joining gives the
    referrer nothing of the record: they see only their referral and what they stated."""
    ids = Q()
    if details.nhs_number:
        ids |= Q(nhs_number=details.nhs_number)
    if details.upn:
        ids |= Q(upn=details.upn)
    if not ids or not details.date_of_birth:
        return None
    return Person.objects.filter(ids, is_child=True, date_of_birth=details.date_of_birth).first()


@transaction.atomic
def referral_create(
    *,
    actor,
    purpose: str,
    to_team_id: UUID,
    source: str,
    reasons: list[str],
    concerns: str,
    family_aware: str,
    child_id: UUID | None = None,
    new_child: dict | None = None,
    referrer_name: str = "",
    lawful_basis: str = "recognised_legitimate_interest",
) -> Referral:
    """Refer a child the actor can see (`child_id`) or a child described afresh (`new_child`).
    A referral is a share: it goes in the share decision log with its lawful basis (by default
    the safeguarding recognised legitimate interest, under DPA 2018 Schedule 1 paragraph 18)."""
    require_role(actor, Action.MAKE_REFERRAL)
    if (child_id is None) == (new_child is None):
        raise ValidationError(
            {"child_id": "Choose a child from your records or describe a new one"}
        )
    errors = {}
    to_team = Team.objects.filter(pk=to_team_id, receives_referrals=True).first()
    if to_team is None:
        errors["to_team_id"] = "Choose a team that receives referrals"
    unknown = [r for r in reasons if r not in Reason.values]
    if not reasons:
        errors["reasons"] = "Select at least one reason for the referral"
    elif unknown:
        errors["reasons"] = f"Unknown reason: {', '.join(unknown)}"
    elif len(set(reasons)) != len(reasons):
        errors["reasons"] = "Each reason can be given once"
    if errors:
        raise ValidationError(errors)

    matched_existing = False
    if child_id is not None:
        grant = child_grant(actor=actor, child_id=child_id, purpose=purpose)
        child = Person.objects.get(pk=child_id)
        stated = _as_stated(child, grant.categories)
    else:
        details = person_build(is_child=True, check_unique=False, **new_child)
        stated = _as_stated(details)
        child = _existing_child(details)
        matched_existing = child is not None
        if child is None:
            # An identifier someone else already holds, without a strong match, is kept on the
            # referral for the front door to resolve rather than refused: a refusal would tell
            # the referrer that this NHS number or UPN is known to the partnership.
            for name in ("nhs_number", "upn"):
                value = getattr(details, name)
                if value and Person.objects.filter(**{name: value}).exists():
                    setattr(details, name, None)
            details.save()
            child = details
            Audit(actor, purpose).row(
                AuditAction.CREATE, "child", person_id=child.pk, detail={"via": "referral"}
            )
    referral = Referral(
        child=child,
        made_by=actor,
        from_team_id=actor.team_id,
        referrer_name=referrer_name.strip(),
        source=source,
        to_team=to_team,
        received_at=timezone.now(),
        concerns=concerns.strip(),
        family_aware=family_aware,
        stated_child=stated,
    )
    referral.full_clean()
    referral.save()
    ReferralReason.objects.bulk_create(
        ReferralReason(referral=referral, reason=r) for r in reasons
    )
    # Information governance: the share decision log.
    decision = share_decision_record(
        actor=actor,
        child_id=child.pk,
        shared=True,
        purpose=SharingPurpose.REFERRAL_TRIAGE,
        with_partner_id=to_team.partner_id,
        categories=[Category.IDENTITY, Category.CASEWORK],
        lawful_basis=lawful_basis,
        schedule1_condition=Schedule1Condition.SAFEGUARDING,
        reasons="Referral made",
        referral_id=referral.pk,
        audit=False,  # the referral's own audit row below names it
    )
    Audit(actor, purpose, "making a referral").row(
        AuditAction.CREATE,
        "referral",
        referral.pk,
        child.pk,
        detail={
            "to_team": str(to_team.pk),
            "reasons": reasons,
            "matched_existing_record": matched_existing,
            "identifier_conflict": referral.identifier_conflict,
            "share_decision": str(decision.pk),
            "lawful_basis": decision.lawful_basis,
        },
    )
    _tell_the_front_door(referral)
    return referral


def _deciders(team_id):
    from tandem.access.policies import DECIDERS
    from tandem.partners.models import User

    return User.objects.filter(team_id=team_id, is_active=True, role__in=DECIDERS)


def _tell_the_front_door(referral: Referral) -> None:
    """Those who decide referrals at the receiving team are told one has arrived (they may see
    the child: an open referral to their team is their reason)."""
    notify(
        _deciders(referral.to_team_id),
        f"New referral for {referral.child.full_name} from {referral.from_team.name}, "
        f"{referral.from_team.partner.name}: a decision is due within one working day",
        reverse("web:referral-decision", kwargs={"referral_id": referral.pk}),
        referral.child_id,
    )


def _tell_the_referrer(referral: Referral, what: str) -> None:
    """The referrer is told of the outcome and the feedback, naming the child as they
    described them (what they may know), never the record's details."""
    if referral.made_by_id is None:
        return
    notify(
        [referral.made_by],
        f"Your referral for {referral.stated_name} to {referral.to_team.name}: {what}",
        reverse("web:referral", kwargs={"referral_id": referral.pk}),
        referral.child_id,
    )


def _as_stated(person: Person, seen: frozenset[Category] | None = None) -> dict:
    """The child as the referrer described (or saw, given the categories `seen`) them, kept
    with the referral."""
    stated = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "nhs_number": person.nhs_number or "",
        "upn": person.upn or "",
        "postcode": person.postcode if seen is None or _postcode_may_travel(seen) else "",
    }
    return {k: v for k, v in stated.items() if v}


def _postcode_may_travel(seen: frozenset[Category]) -> bool:
    """A referral shows its stated postcode to the front door: so only a postcode the referrer
    sees, and never a protected one, even when the referrer is named on the protection."""
    return Category.CONTACT in seen and Category.PROTECTED_ADDRESS not in seen


def _referral_to_my_team(actor, referral_id: UUID, action: Action) -> Referral:
    require_role(actor, action)
    referral = (
        Referral.objects.select_for_update()
        .filter(pk=referral_id, to_team_id=actor.team_id)
        .first()
    )
    if referral is None:
        raise NotFound("No referral with that id has come to your team")
    return referral


@transaction.atomic
def referral_decide(
    *, actor, referral_id: UUID, decision: str, reasons: str, views: Views, purpose: str
) -> ThresholdDecision:
    """Record the threshold decision with the child's and the parent's or carer's view (or why
    each was not gathered): without them it is refused whole. A decision to work with the child
    opens a case for the deciding team, which is what keeps its access after the referral
    closes."""
    referral = _referral_to_my_team(actor, referral_id, Action.DECIDE_REFERRAL)
    if referral.status != Status.SUBMITTED:
        raise ValidationError(
            {"decision": "A decision has already been recorded for this referral"}
        )
    views_clean(views, DecisionKind.THRESHOLD)
    now = timezone.now()
    record = ThresholdDecision(
        referral=referral,
        decision=decision,
        reasons=reasons.strip(),
        decided_by=actor,
        decided_at=now,
    )
    record.full_clean()
    record.save()
    decision_record_create(
        actor=actor,
        kind=DecisionKind.THRESHOLD,
        child_id=referral.child_id,
        referral=referral,
        team=referral.to_team,
        summary=f"{Decision(decision).label}: {record.reasons}"[:5000],
        views=views,
    )
    referral.status = Status.DECIDED
    referral.save(update_fields=["status"])
    if decision in DECISIONS_OPENING_A_CASE:
        Involvement.objects.create(
            child_id=referral.child_id,
            team_id=referral.to_team_id,
            kind=InvolvementKind.OWNING_TEAM,
            reason=f"{Decision(decision).label} after referral",
            started_on=timezone.localdate(now),
        )
        # Issue 23: the services the deciding team delivers, received from today.
        spells_follow(
            actor=actor, child_id=referral.child_id, team_id=referral.to_team_id,
            started_on=timezone.localdate(now), source=SpellSource.REFERRAL,
        )  # fmt: skip
    Audit(actor, purpose, "referral to your team").row(
        AuditAction.UPDATE,
        "referral",
        referral.pk,
        referral.child_id,
        detail={"decision": decision},
    )
    _tell_the_referrer(referral, f"decided, {Decision(decision).label.lower()}")
    return record


@transaction.atomic
def referral_feedback_give(*, actor, referral_id: UUID, message: str, purpose: str) -> Feedback:
    """Tell the referrer what happened. The first feedback closes the referral."""
    referral = _referral_to_my_team(actor, referral_id, Action.GIVE_FEEDBACK)
    if referral.status == Status.SUBMITTED:
        raise ValidationError({"message": "Record the threshold decision before giving feedback"})
    feedback = Feedback(
        referral=referral, message=message.strip(), given_by=actor, given_at=timezone.now()
    )
    feedback.full_clean()
    feedback.save()
    if referral.status != Status.CLOSED:
        referral.status = Status.CLOSED
        referral.save(update_fields=["status"])
    Audit(actor, purpose, "referral to your team").row(
        AuditAction.UPDATE, "referral", referral.pk, referral.child_id, detail={"feedback": True}
    )
    _tell_the_referrer(referral, "feedback given")
    return feedback
