"""The looked-after record: care episodes, reviews, missing episodes, adoption, previous
permanence, annual health (OC2), care leavers (OC3), social-worker episodes and deprivation of
liberty orders, in the shape of the SSDA903 return.

Coded fields hold the DfE's codes; which codes are valid is data (`tandem.care.codelists`), checked
in `clean()` against the list of the collection year the record falls in. Nothing here is read
directly by a page, the API or an export: `care.selectors` and `returns.selectors` check access
and write the audit rows.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models

from tandem.care.codelists import code_errors
from tandem.people.models import normalise_postcode

LOOKED_AFTER_LA = "The local authority looking after the child"


class CodedModel(models.Model):
    """A record whose coded fields are checked against the DfE list of its collection year."""

    # {model field: DfE list name}
    CODED: dict[str, str] = {}
    DATE_FIELD = ""
    ORDER: tuple[str, str] = ("", "")  # (start, end) fields that must be in order
    POSTCODES: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def clean(self) -> None:
        for name in self.POSTCODES:
            if getattr(self, name):
                setattr(self, name, normalise_postcode(getattr(self, name)))
        day = getattr(self, self.DATE_FIELD, None) if self.DATE_FIELD else None
        errors = code_errors(
            {
                f"{field}:{list_name}": getattr(self, field)
                for field, list_name in self.CODED.items()
            },
            day,
        )
        start, end = self.ORDER
        starts, ends = (getattr(self, start), getattr(self, end)) if start else (None, None)
        if starts and ends and ends < starts:
            errors[end] = "This date cannot be before the start"
        if errors:
            raise ValidationError(errors)


class CareEpisode(CodedModel):
    """One SSDA903 episode: a period with the same legal status and placement. A new episode
    starts whenever either changes (RNE says which)."""

    CODED = {
        "reason_new": "RNE",
        "legal_status": "LS",
        "category_of_need": "CIN",
        "placement_type": "PLACE",
        "placement_provider": "PLACE_PROVIDER",
        "reason_ended": "REC",
        "reason_place_change": "REASON_PLACE_CHANGE",
    }
    DATE_FIELD = "started_on"
    ORDER = ("started_on", "ended_on")
    POSTCODES = ("home_postcode", "placement_postcode")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="care_episodes"
    )
    local_authority = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="+", help_text=LOOKED_AFTER_LA
    )
    started_on = models.DateField("Start date (DECOM)")
    reason_new = models.CharField("Reason for new episode (RNE)", max_length=1)
    legal_status = models.CharField("Legal status (LS)", max_length=2)
    category_of_need = models.CharField("Category of need (CIN)", max_length=2)
    placement_type = models.CharField("Placement type (PLACE)", max_length=3)
    placement_provider = models.CharField("Placement provider (PLACE_PROVIDER)", max_length=3)
    home_postcode = models.CharField("Home postcode (HOME_POST)", max_length=8, blank=True)
    placement_postcode = models.CharField("Placement postcode (PL_POST)", max_length=8, blank=True)
    urn = models.CharField("Ofsted URN", max_length=8, blank=True)
    ended_on = models.DateField("End date (DEC)", null=True, blank=True)
    reason_ended = models.CharField("Reason episode ceased (REC)", max_length=3, blank=True)
    reason_place_change = models.CharField(
        "Reason for placement change (REASON_PLACE_CHANGE)", max_length=6, blank=True
    )

    class Meta:
        ordering = ["child", "started_on"]
        indexes = [
            models.Index(fields=["local_authority", "started_on"], name="care_episode_la_idx"),
            models.Index(fields=["child", "started_on"], name="care_episode_child_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "started_on"],
                name="care_episode_one_a_day",
                violation_error_message="The child already has an episode starting that day",
            ),
        ]

    def clean(self) -> None:
        errors = {}
        try:
            super().clean()
        except ValidationError as e:
            errors.update(e.message_dict)
        if bool(self.ended_on) != bool(self.reason_ended):
            errors.setdefault("reason_ended", "Give both the end date and the reason, or neither")
        if errors:
            raise ValidationError(errors)


class CareReview(CodedModel):
    CODED = {"participation": "REVIEW_CODE"}
    DATE_FIELD = "held_on"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("Review date (REVIEW)")
    participation = models.CharField("How the child took part (REVIEW_CODE)", max_length=3)

    class Meta:
        ordering = ["child", "held_on"]


class MissingEpisode(CodedModel):
    CODED = {"kind": "MISSING"}
    DATE_FIELD = "started_on"
    ORDER = ("started_on", "ended_on")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("Missing or away (MISSING)", max_length=1)
    started_on = models.DateField("Start (MIS_START)")
    ended_on = models.DateField("End (MIS_END)", null=True, blank=True)

    class Meta:
        ordering = ["child", "started_on"]


class LookedAfterDetails(CodedModel):
    """What the return holds once per child: UASC status, motherhood, why there is no UPN."""

    CODED = {"upn_unknown": "UPN_UNKNOWN"}

    child = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    uasc = models.BooleanField("Unaccompanied asylum-seeking child", default=False)
    uasc_ceased_on = models.DateField("Date UASC status ceased (DUC)", null=True, blank=True)
    is_mother = models.BooleanField("Is a mother (MOTHER)", null=True, blank=True)
    baby_born_on = models.DateField("Baby's date of birth (MC_DOB)", null=True, blank=True)
    upn_unknown = models.CharField("Why there is no UPN (UN1 to UN5)", max_length=3, blank=True)

    def clean(self) -> None:
        super().clean()
        if self.uasc_ceased_on and not self.uasc:
            raise ValidationError({"uasc_ceased_on": "Only a UASC has a date UASC status ceased"})
        if self.baby_born_on and not self.is_mother:
            raise ValidationError({"baby_born_on": "Only a mother has a baby's date of birth"})


class AdoptionDecision(CodedModel):
    """AD1: the decision that the child should be placed for adoption, and the match."""

    CODED = {"adopters_sex": "SEX_ADOPTR", "adopters_status": "LS_ADOPTR"}
    DATE_FIELD = "decided_on"
    ORDER = ("decided_on", "matched_on")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField("Date of decision to place for adoption (DATE_INT)")
    matched_on = models.DateField("Date matched (DATE_MATCH)", null=True, blank=True)
    foster_care = models.BooleanField("Adopted by former foster carer", null=True, blank=True)
    adopters_number = models.PositiveSmallIntegerField("Number of adopters", null=True, blank=True)
    adopters_sex = models.CharField("Sex of adopters (SEX_ADOPTR)", max_length=2, blank=True)
    adopters_status = models.CharField(
        "Legal status of adopters (LS_ADOPTR)", max_length=3, blank=True
    )


class AdoptionPlacement(CodedModel):
    """PlacedAdoption: the decision the child should be placed, and why it stopped, if it did."""

    CODED = {"reason_ceased": "REASON_PLACED_CEASED"}
    DATE_FIELD = "decided_on"
    ORDER = ("decided_on", "ceased_on")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField("Date placed for adoption decision (DATE_PLACED)")
    ceased_on = models.DateField("Date ceased (DATE_PLACED_CEASED)", null=True, blank=True)
    reason_ceased = models.CharField(
        "Reason ceased (REASON_PLACED_CEASED)", max_length=3, blank=True
    )


class PreviousPermanence(CodedModel):
    CODED = {"option": "PREV_PERM"}

    child = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    option = models.CharField("Previous permanence option (PREV_PERM)", max_length=2)
    la_code = models.CharField("Local authority code (LA_PERM)", max_length=3, blank=True)
    # The DfE allows a partly known date: zz/MM/YYYY.
    date_text = models.CharField("Date (DATE_PERM)", max_length=10, blank=True)


class AnnualHealth(CodedModel):
    """OC2: outcomes for a child looked after for 12 months or more at 31 March."""

    CODED = {"sdq_reason": "SDQ_REASON"}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    year = models.CharField("Collection year", max_length=7, help_text="For example 2025-26")
    sdq_score = models.PositiveSmallIntegerField("SDQ score", null=True, blank=True)
    sdq_reason = models.CharField("Reason no SDQ (SDQ_REASON)", max_length=4, blank=True)
    convicted = models.BooleanField("Convicted during the year", null=True, blank=True)
    health_check = models.BooleanField("Health check up to date", null=True, blank=True)
    immunisations = models.BooleanField("Immunisations up to date", null=True, blank=True)
    teeth_check = models.BooleanField("Teeth checked", null=True, blank=True)
    health_assessment = models.BooleanField("Health assessment up to date", null=True, blank=True)
    substance_misuse = models.BooleanField("Substance misuse problem", null=True, blank=True)
    intervention_received = models.BooleanField(null=True, blank=True)
    intervention_offered = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "year"], name="annual_health_once_a_year")
        ]

    def clean(self) -> None:
        super().clean()
        if self.sdq_score is not None and self.sdq_score > 40:
            raise ValidationError({"sdq_score": "An SDQ score is between 0 and 40"})


class CareLeaverContact(CodedModel):
    """OC3: a care leaver's activity and accommodation around their 17th to 21st birthday."""

    CODED = {"in_touch": "IN_TOUCH", "activity": "ACTIV", "accommodation": "ACCOM"}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    year = models.CharField("Collection year", max_length=7)
    in_touch = models.CharField("In touch (IN_TOUCH)", max_length=4)
    activity = models.CharField("Activity (ACTIV)", max_length=2)
    accommodation = models.CharField("Accommodation (ACCOM)", max_length=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "year"], name="care_leaver_once_a_year")
        ]


class SocialWorkerEpisode(CodedModel):
    CODED = {"reason_changed": "SW_REASON"}
    DATE_FIELD = "started_on"
    ORDER = ("started_on", "ended_on")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    worker_ref = models.CharField("Social worker id (SW_ID)", max_length=20)
    started_on = models.DateField("Start (SW_DECOM)")
    ended_on = models.DateField("End (SW_DEC)", null=True, blank=True)
    reason_changed = models.CharField("Reason for change (SW_REASON)", max_length=6, blank=True)


class DeprivationOfLiberty(CodedModel):
    """DoLo (from 2026/27)."""

    ORDER = ("started_on", "ended_on")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField("Start (DOLO_START)")
    ended_on = models.DateField("End (DOLO_END)", null=True, blank=True)
