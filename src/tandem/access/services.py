"""Every change to the information-governance data: agreements, grants, consent, restrictions,
emergency access and its review. Keyword-only, validated, atomic and audited, like every write."""

from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.grants import child_grant
from tandem.access.models import (
    Agreement,
    AgreementAcceptance,
    BreakGlass,
    Consent,
    Grant,
    InvolvementKind,
    LawfulBasis,
    Notification,
    Restriction,
    Review,
    ShareDecision,
)
from tandem.access.policies import Action, active_involvements, role_allows
from tandem.access.related import restricted_from
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.formats import govuk_datetime
from tandem.partners.models import Partner, Role, User
from tandem.people.models import Person

EDIT = Action.EDIT_CHILD
GOVERNANCE = "information governance"


def _audit(*, actor, action, record, person_id=None, detail=None, purpose=Purpose.AUDIT_REVIEW):
    Audit(actor, purpose, GOVERNANCE).row(
        action, record._meta.model_name, record.pk, person_id, detail=detail or {}
    )


def _require_ig_lead_of(actor, partner_id) -> None:
    require_role(actor, Action.MANAGE_GOVERNANCE)
    if actor.team.partner_id != partner_id:
        raise PermissionDenied("Only an information-governance lead of that partner can do this")


def _agreement_for_update(agreement_id) -> Agreement:
    agreement = Agreement.objects.select_for_update().filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound("No agreement with that id")
    return agreement


@transaction.atomic
def agreement_create(*, actor, title: str, summary: str = "", starts_on) -> Agreement:
    """An agreement owned by the IG lead's own partner."""
    require_role(actor, Action.MANAGE_GOVERNANCE)
    agreement = Agreement(
        title=title, summary=summary, starts_on=starts_on, owner_id=actor.team.partner_id
    )
    agreement.full_clean()
    agreement.save()
    _audit(actor=actor, action=AuditAction.CREATE, record=agreement, detail={"title": title})
    return agreement


@transaction.atomic
def agreement_accept(*, actor, agreement_id: UUID) -> AgreementAcceptance:
    """The IG lead's partner signs up to the agreement."""
    require_role(actor, Action.MANAGE_GOVERNANCE)
    agreement = _agreement_for_update(agreement_id)
    if agreement.ended_at is not None:
        raise ValidationError({"agreement": "This agreement has ended: it cannot be accepted"})
    if agreement.owner_id == actor.team.partner_id:
        raise ValidationError(
            {"agreement": "Your partner owns this agreement: owning it is accepting it"}
        )
    acceptance, _ = AgreementAcceptance.objects.update_or_create(
        agreement=agreement,
        partner_id=actor.team.partner_id,
        defaults={"accepted_by": actor, "accepted_at": timezone.now(), "withdrawn_at": None},
    )
    _audit(actor=actor, action=AuditAction.UPDATE, record=agreement, detail={"accepted": True})
    return acceptance


@transaction.atomic
def agreement_withdraw(*, actor, agreement_id: UUID) -> None:
    require_role(actor, Action.MANAGE_GOVERNANCE)
    updated = AgreementAcceptance.objects.filter(
        agreement_id=agreement_id, partner_id=actor.team.partner_id, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())
    if not updated:
        raise NotFound("Your partner has not accepted that agreement")
    agreement = Agreement.objects.get(pk=agreement_id)
    _audit(actor=actor, action=AuditAction.UPDATE, record=agreement, detail={"withdrawn": True})


@transaction.atomic
def grant_add(
    *,
    actor,
    agreement_id: UUID,
    to_partner_id: UUID,
    category: str,
    purpose: str,
    lawful_basis: str,
    schedule1_condition: str = "",
) -> Grant:
    """The IG lead's partner shares a category of what it holds with another partner."""
    require_role(actor, Action.MANAGE_GOVERNANCE)
    agreement = _agreement_for_update(agreement_id)
    partner_id = actor.team.partner_id
    if agreement.ended_at is not None:
        raise ValidationError({"agreement": "This agreement has ended: it grants nothing more"})
    if (
        agreement.owner_id != partner_id
        and not agreement.acceptances.filter(
            partner_id=partner_id, withdrawn_at__isnull=True
        ).exists()
    ):
        raise ValidationError(
            {"agreement": "Your partner must accept this agreement before it grants anything"}
        )
    grant = Grant(
        agreement=agreement,
        from_partner_id=actor.team.partner_id,
        to_partner=Partner.objects.filter(pk=to_partner_id).first(),
        category=category,
        purpose=purpose,
        lawful_basis=lawful_basis,
        schedule1_condition=schedule1_condition,
    )
    grant.full_clean()
    grant.save()
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=grant,
        detail={
            "agreement": str(agreement.pk),
            "to_partner": grant.to_partner.name,
            "category": category,
            "purpose": purpose,
            "lawful_basis": lawful_basis,
            "schedule1_condition": schedule1_condition,
        },
    )
    return grant


@transaction.atomic
def agreement_end(*, actor, agreement_id: UUID) -> Agreement:
    """Ends every grant of the agreement, from this moment: the next read no longer sees them."""
    require_role(actor, Action.MANAGE_GOVERNANCE)
    agreement = _agreement_for_update(agreement_id)
    _require_ig_lead_of(actor, agreement.owner_id)
    if agreement.ended_at is None:
        agreement.ended_at = timezone.now()
        agreement.ended_by = actor
        agreement.save(update_fields=["ended_at", "ended_by"])
        _audit(actor=actor, action=AuditAction.UPDATE, record=agreement, detail={"ended": True})
    return agreement


@transaction.atomic
def consent_record(
    *, actor, child_id: UUID, purpose: str, given_by: str, given_at=None
) -> Consent:
    child_grant(actor=actor, child_id=child_id, purpose=Purpose.DIRECT_WORK, action=EDIT)
    consent = Consent(
        child_id=child_id,
        purpose=purpose,
        given_by=given_by,
        given_at=given_at or timezone.now(),
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=consent,
        person_id=child_id,
        purpose=Purpose.DIRECT_WORK,
        # Who gave it stays on the consent: free text may name someone, and the audit trail
        # outlives the record (retention), so it holds ids and codes only.
        detail={"purpose": purpose},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent_id: UUID, note: str = "") -> Consent:
    """From this moment no grant that relies on this consent applies."""
    consent = Consent.objects.select_for_update().filter(pk=consent_id).first()
    if consent is None:
        raise NotFound("No consent with that id is in your records")
    child_grant(actor=actor, child_id=consent.child_id, purpose=Purpose.DIRECT_WORK, action=EDIT)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.withdrawal_note = note
        consent.save(update_fields=["withdrawn_at", "withdrawal_note"])
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            record=consent,
            person_id=consent.child_id,
            purpose=Purpose.DIRECT_WORK,
            detail={"withdrawn": True},
        )
    return consent


@transaction.atomic
def restriction_add(
    *, actor, child_id: UUID, kind: str, reason: str, named_people: list[User]
) -> Restriction:
    """A protected address or a restricted record, on a child or an adult (a parent in a refuge).
    The IG lead who makes it is always named, so a restriction can never lock everyone out of a
    person. Whoever else is shown beside them obeys it too (`access.related`)."""
    require_role(actor, Action.MANAGE_GOVERNANCE)
    if not Person.objects.filter(pk=child_id).exists():
        raise NotFound("No person with that id")
    restriction = Restriction(
        child_id=child_id, kind=kind, reason=reason, made_by=actor, made_at=timezone.now()
    )
    restriction.full_clean(exclude=["named_people"])
    restriction.save()
    restriction.named_people.set({actor, *named_people})
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=restriction,
        person_id=child_id,
        detail={"kind": kind, "named": sorted(u.username for u in {actor, *named_people})},
    )
    return restriction


@transaction.atomic
def restriction_end(*, actor, restriction_id: UUID) -> Restriction:
    require_role(actor, Action.MANAGE_GOVERNANCE)
    restriction = Restriction.objects.select_for_update().filter(pk=restriction_id).first()
    if restriction is None:
        raise NotFound("No restriction with that id")
    if restriction.ended_at is None:
        restriction.ended_at = timezone.now()
        restriction.save(update_fields=["ended_at"])
        _audit(
            actor=actor,
            action=AuditAction.UPDATE,
            record=restriction,
            person_id=restriction.child_id,
            detail={"ended": True},
        )
    return restriction


def notifications_read(*, actor, notifications) -> None:
    """The notifications the actor has now been shown count as read (their own only)."""
    Notification.objects.filter(
        recipient_id=actor.pk, pk__in=[n.pk for n in notifications], read_at__isnull=True
    ).update(read_at=timezone.now())


def notify(recipients, message: str, link: str, child_id=None) -> None:
    """Put a message in each recipient's inbox (`child_id`: the child it names, if any)."""
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(recipient=u, message=message, link=link, child_id=child_id, created_at=now)
        for u in recipients
    )


@transaction.atomic
def break_glass_open(*, actor, child_id: UUID, reason: str) -> BreakGlass:
    """Emergency access for someone with no basis: a reason is required, access lasts
    TANDEM_BREAK_GLASS_HOURS, the owning team and every IG lead are told, and it waits for
    review. A restricted record is never opened this way (its named people decide)."""
    if not role_allows(actor, Action.BREAK_GLASS):
        raise PermissionDenied("Your role does not allow emergency access")
    reason = (reason or "").strip()
    if len(reason) < 20:
        raise ValidationError(
            {"reason": "Say why you need emergency access to this record (at least 20 characters)"}
        )
    child = Person.objects.filter(pk=child_id, is_child=True).first()
    if child is None or restricted_from(actor).filter(child_id=child_id).exists():
        raise NotFound("No child with that id")
    now = timezone.now()
    grant = BreakGlass(
        user=actor,
        child=child,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(hours=settings.TANDEM_BREAK_GLASS_HOURS),
    )
    grant.full_clean()
    grant.save()
    owners = User.objects.filter(
        is_active=True,
        team__in=active_involvements()
        .filter(child_id=child_id, kind=InvolvementKind.OWNING_TEAM)
        .values("team_id"),
        role__in=[Role.TEAM_MANAGER, Role.SOCIAL_WORKER],
    )
    # The IG leads of the partners concerned (the one whose worker opened the record, and those
    # who own the case), or every IG lead if neither partner has one, so someone always reviews.
    all_ig_leads = User.objects.filter(is_active=True, role=Role.IG_LEAD)
    partners = {actor.team.partner_id} | {
        partner_id for partner_id in owners.values_list("team__partner_id", flat=True)
    }
    ig_leads = list(all_ig_leads.filter(team__partner_id__in=partners)) or list(all_ig_leads)
    who = (
        f"{actor.get_full_name() or actor.username}, {actor.team.name}, {actor.team.partner.name}"
    )
    until = govuk_datetime(grant.expires_at)
    # The owning team may see the child: it is told whose record, and can see who looked.
    notify(
        set(owners) - set(ig_leads),
        f"Emergency access to {child.full_name}'s record by {who}, until {until}",
        reverse("web:child-who-looked", kwargs={"child_id": child.pk}),
        child.pk,
    )
    # The IG leads review it (they need not see the child).
    notify(
        ig_leads,
        f"Emergency access to a child's record by {who}, until {until}: review it",
        reverse("web:break-glass-review", kwargs={"break_glass_id": grant.pk}),
        child.pk,
    )
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=grant,
        person_id=child_id,
        purpose=Purpose.DIRECT_WORK,
        # The reason stays on the emergency access the IG lead reviews: it may name the child,
        # and the audit trail outlives the record.
        detail={"expires_at": grant.expires_at.isoformat()},
    )
    return grant


@transaction.atomic
def break_glass_review(*, actor, break_glass_id: UUID, outcome: str, note: str = "") -> BreakGlass:
    require_role(actor, Action.VIEW_AUDIT)
    grant = BreakGlass.objects.select_for_update().filter(pk=break_glass_id).first()
    if grant is None:
        raise NotFound("No emergency access with that id")
    errors = {}
    if outcome not in (Review.APPROPRIATE, Review.INAPPROPRIATE):
        errors["outcome"] = "Choose whether the access was appropriate or inappropriate"
    if outcome == Review.INAPPROPRIATE and not note.strip():
        errors["note"] = "Say why the access was inappropriate"
    if grant.review != Review.PENDING:
        errors["outcome"] = "This emergency access has already been reviewed"
    if errors:
        raise ValidationError(errors)
    grant.review, grant.review_note = outcome, note.strip()
    grant.reviewed_by, grant.reviewed_at = actor, timezone.now()
    if outcome == Review.INAPPROPRIATE:
        grant.expires_at = min(grant.expires_at, grant.reviewed_at)  # ends it now
    grant.save()
    _audit(
        actor=actor,
        action=AuditAction.UPDATE,
        record=grant,
        person_id=grant.child_id,
        detail={"review": outcome},
    )
    return grant


def break_glass_open_for(
    *,
    actor,
    reason: str,
    nhs_number: str = "",
    upn: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth=None,
):
    """The emergency page names the child by what the practitioner has in front of them: an NHS
    number, a UPN, or the full name with the date of birth (accents and case aside, exactly,
    and only one child): they cannot search for a child they have no right to see."""
    from tandem.people.identifiers import normalise_nhs_number
    from tandem.people.matching import Match, name_match

    if not role_allows(actor, Action.BREAK_GLASS):
        raise PermissionDenied("Your role does not allow emergency access")
    children = Person.objects.filter(is_child=True).exclude(
        pk__in=restricted_from(actor).values("child_id")
    )
    if nhs_number:
        field, found = (
            "nhs_number",
            list(children.filter(nhs_number=normalise_nhs_number(nhs_number))),
        )
    elif upn:
        field, found = "upn", list(children.filter(upn=upn.strip().upper()))
    elif given_name and family_name and date_of_birth:
        field = "given_name"
        found = [
            c
            for c in children.filter(date_of_birth=date_of_birth)
            if name_match(given_name, family_name, person_given=c.given_name,
                          person_family=c.family_name, person_known_as=c.known_as)
            == Match.EXACT
        ]  # fmt: skip
    else:
        raise ValidationError(
            {"nhs_number": "Enter the child's NHS number or UPN, or their name and date of birth"}
        )
    if len(found) > 1:
        raise ValidationError(
            {field: "More than one child has these details: use the NHS number or UPN"}
        )
    if not found:
        raise ValidationError({field: "No child with these details is on the shared record"})
    return break_glass_open(actor=actor, child_id=found[0].pk, reason=reason)


@transaction.atomic
def share_decision_record(
    *,
    actor,
    child_id: UUID,
    shared: bool,
    purpose: str,
    reasons: str = "",
    with_partner_id: UUID | None = None,
    categories: list[str] | None = None,
    lawful_basis: str = "",
    schedule1_condition: str = "",
    referral_id: UUID | None = None,
    audit: bool = True,
) -> ShareDecision:
    """Record a decision to share, or not to share. Consent as the basis is checked here, not in a
    form: a share on consent needs a consent for that purpose that stands now."""
    if referral_id is None:  # a referral's own decision is recorded by the referral service
        child_grant(actor=actor, child_id=child_id, purpose=Purpose.DIRECT_WORK)
    consent = None
    if shared and lawful_basis == LawfulBasis.CONSENT:
        consent = (
            Consent.objects.filter(child_id=child_id, purpose=purpose, withdrawn_at__isnull=True)
            .order_by("-given_at")
            .first()
        )
        if consent is None:
            raise ValidationError(
                {"lawful_basis": "No consent for this purpose stands: it was never given, or it "
                 "was withdrawn. Choose another basis or record the consent first."}
            )  # fmt: skip
    decision = ShareDecision(
        child_id=child_id,
        shared=shared,
        purpose=purpose,
        reasons=reasons.strip(),
        with_partner_id=with_partner_id,
        categories=sorted(categories or []),
        lawful_basis=lawful_basis if shared else "",
        schedule1_condition=schedule1_condition if shared else "",
        consent=consent,
        referral_id=referral_id,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    decision.full_clean()
    decision.save()
    if not audit:  # the caller's own audit row names the decision (a referral's does)
        return decision
    _audit(
        actor=actor,
        action=AuditAction.CREATE,
        record=decision,
        person_id=child_id,
        purpose=Purpose.REFERRAL if referral_id else Purpose.DIRECT_WORK,
        detail={
            "shared": shared,
            "lawful_basis": decision.lawful_basis,
            "schedule1_condition": decision.schedule1_condition,
            "categories": decision.categories,
        },
    )
    return decision
