"""Every read of the looked-after record: access-checked and audited like the rest."""

from dataclasses import dataclass, field
from uuid import UUID

from tandem.access.checks import require_child
from tandem.audit.models import AuditAction
from tandem.audit.services import access_event_record
from tandem.care.models import (
    AdoptionDecision,
    AdoptionPlacement,
    AnnualHealth,
    CareEpisode,
    CareLeaverContact,
    CareReview,
    DeprivationOfLiberty,
    LookedAfterDetails,
    MissingEpisode,
    PreviousPermanence,
    SocialWorkerEpisode,
)


@dataclass
class CareRecord:
    episodes: list[CareEpisode] = field(default_factory=list)
    reviews: list[CareReview] = field(default_factory=list)
    missing: list[MissingEpisode] = field(default_factory=list)
    details: LookedAfterDetails | None = None
    adoption_decisions: list[AdoptionDecision] = field(default_factory=list)
    adoption_placements: list[AdoptionPlacement] = field(default_factory=list)
    previous_permanence: PreviousPermanence | None = None
    annual_health: list[AnnualHealth] = field(default_factory=list)
    care_leaver: list[CareLeaverContact] = field(default_factory=list)
    social_workers: list[SocialWorkerEpisode] = field(default_factory=list)
    deprivation_of_liberty: list[DeprivationOfLiberty] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.episodes or self.reviews or self.missing or self.care_leaver)


def care_record_get(*, actor, child_id: UUID, purpose: str) -> CareRecord:
    """The child's whole looked-after record, for someone who may see the child."""
    basis = require_child(actor, child_id)
    record = CareRecord(
        episodes=list(CareEpisode.objects.filter(child_id=child_id).order_by("started_on")),
        reviews=list(CareReview.objects.filter(child_id=child_id).order_by("held_on")),
        missing=list(MissingEpisode.objects.filter(child_id=child_id).order_by("started_on")),
        details=LookedAfterDetails.objects.filter(child_id=child_id).first(),
        adoption_decisions=list(AdoptionDecision.objects.filter(child_id=child_id)),
        adoption_placements=list(AdoptionPlacement.objects.filter(child_id=child_id)),
        previous_permanence=PreviousPermanence.objects.filter(child_id=child_id).first(),
        annual_health=list(AnnualHealth.objects.filter(child_id=child_id).order_by("year")),
        care_leaver=list(CareLeaverContact.objects.filter(child_id=child_id).order_by("year")),
        social_workers=list(
            SocialWorkerEpisode.objects.filter(child_id=child_id).order_by("started_on")
        ),
        deprivation_of_liberty=list(DeprivationOfLiberty.objects.filter(child_id=child_id)),
    )
    access_event_record(
        actor=actor,
        action=AuditAction.VIEW,
        purpose=purpose,
        record_type="care_record",
        person_id=child_id,
        basis=basis,
    )
    return record
