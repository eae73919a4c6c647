"""Every read of the looked-after record: access-checked and audited like the rest."""

from dataclasses import dataclass, field
from uuid import UUID

from tandem.access.categories import Category
from tandem.access.checks import require_child_access
from tandem.access.sharing import audit_detail
from tandem.audit.models import AuditAction
from tandem.audit.services import access_event_record
from tandem.care.codelists import for_date
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
from tandem.people.selectors import ChronologyEntry


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


# Which category of the record each part of the looked-after record belongs to; what the actor's
# categories do not hold is left out (and a part not listed is never shown).
PARTS: dict[str, Category] = {
    "episodes": Category.CASEWORK,
    "reviews": Category.CASEWORK,
    "details": Category.CASEWORK,
    "previous_permanence": Category.CASEWORK,
    "care_leaver": Category.CASEWORK,
    "social_workers": Category.CASEWORK,
    "deprivation_of_liberty": Category.CASEWORK,
    # A missing episode is police information, as it is in the chronology.
    "missing": Category.POLICE_INTELLIGENCE,
    "adoption_decisions": Category.ADOPTION,
    "adoption_placements": Category.ADOPTION,
    "annual_health": Category.HEALTH,
}


def _parts(child_id) -> dict:
    by_child = {"child_id": child_id}
    return {
        "episodes": lambda: list(CareEpisode.objects.filter(**by_child).order_by("started_on")),
        "reviews": lambda: list(CareReview.objects.filter(**by_child).order_by("held_on")),
        "missing": lambda: list(MissingEpisode.objects.filter(**by_child).order_by("started_on")),
        "details": lambda: LookedAfterDetails.objects.filter(**by_child).first(),
        "adoption_decisions": lambda: list(AdoptionDecision.objects.filter(**by_child)),
        "adoption_placements": lambda: list(AdoptionPlacement.objects.filter(**by_child)),
        "previous_permanence": lambda: PreviousPermanence.objects.filter(**by_child).first(),
        "annual_health": lambda: list(AnnualHealth.objects.filter(**by_child).order_by("year")),
        "care_leaver": lambda: list(CareLeaverContact.objects.filter(**by_child).order_by("year")),
        "social_workers": lambda: list(
            SocialWorkerEpisode.objects.filter(**by_child).order_by("started_on")
        ),
        "deprivation_of_liberty": lambda: list(DeprivationOfLiberty.objects.filter(**by_child)),
    }


def care_record_get(*, actor, child_id: UUID, purpose: str) -> CareRecord:
    """The child's looked-after record, sliced like the rest of the record: each part only if
    the actor's categories hold it, and the home and placement postcodes only with the address."""
    basis, categories = require_child_access(actor, child_id)
    parts = _parts(child_id)
    record = CareRecord(
        **{name: load() for name, load in parts.items() if PARTS[name] in categories}
    )
    if Category.CONTACT not in categories:
        for episode in record.episodes:
            for name in CareEpisode.POSTCODES:
                setattr(episode, name, "")
    access_event_record(
        actor=actor,
        action=AuditAction.VIEW,
        purpose=purpose,
        record_type="care_record",
        person_id=child_id,
        basis=basis,
        detail=audit_detail(categories),
    )
    return record


def _said(labels: dict, list_name: str, code: str) -> str:
    return f"{labels[list_name].get(code, code)} ({code})"


def care_chronology(child_id: UUID) -> list[ChronologyEntry]:
    """The child's episodes of care for the chronology: each new episode (why, the legal status,
    the placement) and the end of each period of care, in the DfE's words. The chronology has
    checked that the actor sees casework and audits its read; postcodes are left out."""
    episodes = CareEpisode.objects.filter(child_id=child_id).select_related("local_authority")
    entries = []
    for e in episodes:
        labels = for_date(e.started_on).codes  # the lists of the year the episode is in
        authority = e.local_authority.name
        entries.append(
            ChronologyEntry.on_day(
                e.started_on,
                authority,
                labels["RNE"].get(e.reason_new, "New episode of care"),
                f"Legal status: {_said(labels, 'LS', e.legal_status)}. "
                f"Placement: {_said(labels, 'PLACE', e.placement_type)}.",
            )
        )
        if e.ended_on and e.reason_ended != "X1":  # X1: a new episode starts the same day
            ended = for_date(e.ended_on).codes
            entries.append(
                ChronologyEntry.on_day(
                    e.ended_on,
                    authority,
                    "Ceased to be looked after",
                    f"{_said(ended, 'REC', e.reason_ended)}.",
                )
            )
    return entries
