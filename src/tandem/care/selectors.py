"""Every read of the looked-after record: access-checked and audited like the rest."""

from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Value

from tandem.access.categories import Category
from tandem.access.errors import NotFound
from tandem.access.grants import ChildGrant
from tandem.care.codelists import for_date
from tandem.care.models import (
    AdoptionDecision,
    AdoptionPlacement,
    AnnualHealth,
    CareEpisode,
    CareLeaverContact,
    CareReview,
    ChildProtectionPlan,
    DeprivationOfLiberty,
    LookedAfterDetails,
    MissingEpisode,
    PreviousPermanence,
    SocialWorkerEpisode,
)
from tandem.formats import govuk_date
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


# Codes of an episode that tell of an adoption (the DfE's lists): shown only with the adoption
# category, like the adoption decisions and placements themselves.
ADOPTION_CODES = {
    "legal_status": frozenset({"D1", "E1"}),  # freeing order, placement order
    "placement_type": frozenset({"A3", "A4", "A5", "A6", "U5"}),  # placed for adoption, FFA
    "reason_ended": frozenset({"E11", "E12"}),  # adopted
}
WITHHELD = "withheld"  # in place of a code the viewer may not see: "Not shared with you"


def _withhold(episodes: list[CareEpisode], categories) -> None:
    """Blank what the actor's categories do not hold, on instances that are never saved: the
    postcodes without the address, the codes that tell of an adoption without adoption."""
    for episode in episodes:
        if Category.CONTACT not in categories:
            for name in CareEpisode.POSTCODES:
                setattr(episode, name, "")
        if Category.ADOPTION not in categories:
            for name, codes in ADOPTION_CODES.items():
                if getattr(episode, name) in codes:
                    setattr(episode, name, WITHHELD)


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


def care_record_get(*, grant: ChildGrant) -> CareRecord:
    """The child's looked-after record, sliced like the rest of the record: each part only if
    the actor's categories hold it, the home and placement postcodes only with the address, and
    an episode's adoption codes only with adoption."""
    parts = _parts(grant.child_id)
    record = CareRecord(
        **{name: load() for name, load in parts.items() if grant.sees(PARTS[name])}
    )
    _withhold(record.episodes, grant.categories)
    grant.audit("care_record")
    return record


def care_episode_get(*, grant: ChildGrant, episode_id: UUID) -> CareEpisode:
    """One of the child's episodes (an episode of another child is not found), sliced as
    `care_record_get` slices the record, and audited."""
    by_child = CareEpisode.objects.filter(pk=episode_id, child_id=grant.child_id)
    episode = by_child.first() if grant.sees(PARTS["episodes"]) else None
    if episode is None:
        raise NotFound("No episode with that id is in your records")
    _withhold([episode], grant.categories)
    grant.audit("care_episode", episode.pk)
    return episode


def _said(labels: dict, list_name: str, code: str) -> str:
    if code == WITHHELD:
        return "not shared with you"
    return f"{labels[list_name].get(code, code)} ({code})"


def care_chronology(child_id: UUID, categories) -> list[ChronologyEntry]:
    """The looked-after record for the chronology, which has checked access and audits the read:
    each new episode (why, the legal status, the placement), the end of each period of care,
    reviews and missing episodes, in the words of the DfE's lists of the year; each part only
    with its category (`PARTS`), sliced as `care_record_get` slices it (postcodes left out)."""
    episodes = []
    if PARTS["episodes"] in categories:
        episodes = list(
            CareEpisode.objects.filter(child_id=child_id)
            .select_related("local_authority")
            .order_by("started_on")
        )
        _withhold(episodes, categories)
    # Reviews and missing episodes name no authority: the one that looks after the child does.
    authority = episodes[-1].local_authority.name if episodes else ""
    entries = [entry for e in episodes for entry in _episode_entries(e)]
    if PARTS["reviews"] in categories:
        for r in CareReview.objects.filter(child_id=child_id):
            how = _said(for_date(r.held_on).codes, "REVIEW_CODE", r.participation)
            entries.append(
                ChronologyEntry.on_day(
                    r.held_on, authority, "Review of the care plan", f"The child: {how}."
                )
            )
    if PARTS["missing"] in categories:
        for m in MissingEpisode.objects.filter(child_id=child_id):
            kind = for_date(m.started_on).codes["MISSING"].get(m.kind, m.kind)
            back = f"Back on {govuk_date(m.ended_on)}." if m.ended_on else "Not back yet."
            entries.append(ChronologyEntry.on_day(m.started_on, authority, kind, back))
    return entries


def _episode_entries(e: CareEpisode) -> list[ChronologyEntry]:
    """An episode's start and, unless a new episode followed the same day (X1), its end."""
    labels = for_date(e.started_on).codes
    authority = e.local_authority.name
    entries = [
        ChronologyEntry.on_day(
            e.started_on,
            authority,
            labels["RNE"].get(e.reason_new, f"New episode of care ({e.reason_new})"),
            f"Legal status: {_said(labels, 'LS', e.legal_status)}. "
            f"Placement: {_said(labels, 'PLACE', e.placement_type)}.",
        )
    ]
    if e.ended_on and e.reason_ended != "X1":
        entries.append(
            ChronologyEntry.on_day(
                e.ended_on,
                authority,
                "Ceased to be looked after",
                f"Reason: {_said(labels, 'REC', e.reason_ended)}.",
            )
        )
    return entries


# What a practitioner must see at a glance, and the category of the record each comes from.
ALERTS = (
    ("Child protection plan", Category.CASEWORK, ChildProtectionPlan),
    ("Looked after", Category.CASEWORK, CareEpisode),
    ("Missing now", Category.POLICE_INTELLIGENCE, MissingEpisode),
)


def alerts_for(grants: dict) -> dict:
    """{child id: ["Child protection plan", "Looked after", "Missing now"]}: what is open now
    for each child, as far as each grant shows that part of the record. One query, however
    many children."""
    alerts: dict = {c: [] for c in grants}
    parts = [
        model.objects.filter(
            child_id__in=[c for c, g in grants.items() if g.sees(category)],
            ended_on__isnull=True,
        )
        .annotate(alert=Value(label))
        .order_by()  # the models' own order cannot stand inside a UNION
        .values_list("child_id", "alert")
        for label, category, model in ALERTS
    ]
    if grants:
        found = set(parts[0].union(*parts[1:]).order_by())
        for label, _, _ in ALERTS:  # in the same order on every row
            for child_id, alert in found:
                if alert == label:
                    alerts[child_id].append(label)
    return alerts
