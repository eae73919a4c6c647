"""Every write to the looked-after and children in need record: keyword-only, validated, atomic
and audited.

Only a social worker or team manager of a local authority who sees the child's casework records
care (Action.RECORD_CARE and `_recorder`)."""

from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tandem.access.categories import Category
from tandem.access.errors import NotFound
from tandem.access.grants import ChildGrant, child_grant
from tandem.access.policies import Action, role_allows
from tandem.audit.models import AuditAction
from tandem.care.models import (
    AdoptionDecision,
    AdoptionPlacement,
    AnnualHealth,
    CareEpisode,
    CareLeaverContact,
    CareReview,
    ChildDisability,
    ChildProtectionPlan,
    ChildProtectionReview,
    CinAssessment,
    CinPlan,
    DeprivationOfLiberty,
    LookedAfterDetails,
    MissingEpisode,
    PreviousPermanence,
    Section47Enquiry,
    SocialWorkerEpisode,
)
from tandem.partners.models import Partner, PartnerKind
from tandem.referrals.models import Referral

# The parts of the record besides episodes, by the name the audit row gives them.
ITEMS = {
    "review": CareReview,
    "missing": MissingEpisode,
    "details": LookedAfterDetails,
    "adoption_decision": AdoptionDecision,
    "adoption_placement": AdoptionPlacement,
    "previous_permanence": PreviousPermanence,
    "annual_health": AnnualHealth,
    "care_leaver": CareLeaverContact,
    "social_worker": SocialWorkerEpisode,
    "deprivation_of_liberty": DeprivationOfLiberty,
}


def _known_fields(model, fields: dict) -> None:
    allowed = {f.name for f in model._meta.concrete_fields} - {"id", "child", "local_authority"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: "Unknown field" for name in sorted(unknown)})


def _authority(actor) -> Partner | None:
    partner = actor.team.partner if actor.team_id else None
    return partner if partner is not None and partner.kind == PartnerKind.LOCAL_AUTHORITY else None


def may_record_care(actor, categories) -> bool:
    """Whether the actor records the care of a child of whose record they see `categories`: a
    role that records care, who sees the child's episodes (casework; not a front door that only
    knows who the child is), in a local authority. Pages offer their forms by it."""
    return (
        role_allows(actor, Action.RECORD_CARE)
        and Category.CASEWORK in categories
        and _authority(actor) is not None
    )


def _recorder(grant: ChildGrant) -> tuple[ChildGrant, Partner]:
    """The grant to record care, and the actor's local authority, when `may_record_care`."""
    grant = grant.to(Action.RECORD_CARE)
    if not grant.sees(Category.CASEWORK):
        raise PermissionDenied("The child's episodes of care are not shared with you")
    partner = _authority(grant.actor)
    if partner is None:
        raise ValidationError({"local_authority": "Only a local authority looks after a child"})
    return grant, partner


TEMPORARY_PLACEMENTS = frozenset({"T0", "T1", "T2", "T3", "T4"})
# A new episode for these reasons means the child moved placement (DfE RNE codes).
PLACEMENT_MOVES = frozenset({"P", "B", "T", "U"})


@transaction.atomic
def care_episode_start(
    *, grant: ChildGrant, reason_place_change: str = "", **fields
) -> CareEpisode:
    """Record a new episode for the actor's local authority. The child's open episode, if any,
    ends the same day with X1 (a new episode starts), as the DfE's rules expect; when the child
    moves from one ordinary placement to another, the move's reason is asked for and recorded on
    the placement it ends (DfE rule 225)."""
    grant, partner = _recorder(grant)
    child_id = grant.child_id
    _known_fields(CareEpisode, fields)
    episode = CareEpisode(child_id=child_id, local_authority=partner, **fields)
    open_episode = (
        CareEpisode.objects.select_for_update()
        .filter(child_id=child_id, ended_on__isnull=True)
        .first()
    )
    if open_episode is not None and episode.reason_new != "S":
        if episode.started_on and episode.started_on < open_episode.started_on:
            raise ValidationError({"started_on": "The new episode starts before the open one"})
        open_episode.ended_on, open_episode.reason_ended = episode.started_on, "X1"
        moved = (
            episode.reason_new in PLACEMENT_MOVES
            and open_episode.placement_type not in TEMPORARY_PLACEMENTS
            and episode.placement_type not in TEMPORARY_PLACEMENTS
        )
        if moved and not reason_place_change:
            raise ValidationError(
                {"reason_place_change": "Give the reason the child's placement changed"}
            )
        # Only a move between ordinary placements has a reason (DfE rules 225 and 226).
        open_episode.reason_place_change = reason_place_change if moved else ""
        open_episode.full_clean()
        open_episode.save()
    elif open_episode is not None:
        raise ValidationError(
            {"reason_new": "The child is already looked after: end the open episode first"}
        )
    episode.full_clean()
    episode.save()
    grant.audit("care_episode", episode.pk, action=AuditAction.CREATE)
    return episode


@transaction.atomic
def care_episode_end(
    *, grant: ChildGrant, episode_id: UUID, ended_on, reason_ended: str
) -> CareEpisode:
    """End the child's open episode: the child stops being looked after (an episode of another
    child is not found here; a new episode, which ends the open one with X1, is
    `care_episode_start`)."""
    episode = (
        CareEpisode.objects.select_for_update()
        .filter(pk=episode_id, child_id=grant.child_id)
        .first()
    )
    if episode is None:
        raise NotFound("No episode with that id is in your records")
    grant, partner = _recorder(grant)
    if episode.local_authority_id != partner.pk:
        raise ValidationError({"local_authority": "Another local authority looks after the child"})
    if episode.ended_on is not None:
        raise ValidationError({"ended_on": "The episode has ended already"})
    if reason_ended == "X1":
        raise ValidationError(
            {"reason_ended": "X1 is for a new episode: record the new episode instead"}
        )
    episode.ended_on, episode.reason_ended = ended_on, reason_ended
    episode.full_clean()
    episode.save()
    grant.audit("care_episode", episode.pk, action=AuditAction.UPDATE)
    return episode


@transaction.atomic
def care_item_record(*, grant: ChildGrant, part: str, **fields):
    """Record one of the other parts of the looked-after record (`ITEMS`)."""
    if part not in ITEMS:
        raise ValidationError({"part": f"Unknown part of the care record: {part!r}"})
    grant, partner = _recorder(grant)
    model = ITEMS[part]
    _known_fields(model, fields)
    item = model(child_id=grant.child_id, **fields)
    if part == "care_leaver":  # the recording authority's care leaver
        item.local_authority = partner
    item.full_clean()
    item.save()
    grant.audit(f"care_{part}", item.pk, action=AuditAction.CREATE)
    return item


# The children in need record: what children's social care does within an episode of need.
CIN_ITEMS = {
    "assessment": CinAssessment,
    "cin_plan": CinPlan,
    "section_47": Section47Enquiry,
    "protection_plan": ChildProtectionPlan,
}


@transaction.atomic
def cin_item_record(*, grant: ChildGrant, referral_id: UUID, part: str, **fields):
    """Record an assessment, CIN plan, section 47 enquiry or child protection plan within the
    episode the referral opened. The referral must be about the child and to the actor's own
    authority: the episode is the authority's."""
    if part not in CIN_ITEMS:
        raise ValidationError({"part": f"Unknown part of the children in need record: {part!r}"})
    grant, partner = _recorder(grant)
    child_id = grant.child_id
    referral = Referral.objects.filter(pk=referral_id, child_id=child_id).first()
    if referral is None or referral.to_team.partner_id != partner.pk:
        raise ValidationError({"referral": "Choose a referral of this child to your authority"})
    model = CIN_ITEMS[part]
    _known_fields(model, fields)
    item = model(child_id=child_id, referral=referral, **fields)
    item.full_clean()
    item.save()
    grant.audit(f"cin_{part}", item.pk, action=AuditAction.CREATE)
    return item


@transaction.atomic
def protection_review_record(*, actor, plan_id: UUID, purpose: str, held_on):
    plan = ChildProtectionPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("No child protection plan with that id is in your records")
    grant, _ = _recorder(child_grant(actor=actor, child_id=plan.child_id, purpose=purpose))
    review = ChildProtectionReview(plan=plan, held_on=held_on)
    review.full_clean()
    review.save()
    grant.audit("cin_cp_review", review.pk, action=AuditAction.CREATE)
    return review


@transaction.atomic
def disability_record(*, grant: ChildGrant, code: str) -> ChildDisability:
    grant, _ = _recorder(grant)
    disability = ChildDisability(child_id=grant.child_id, code=code)
    disability.full_clean()
    disability.save()
    grant.audit("disability", disability.pk, action=AuditAction.CREATE)
    return disability
