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

from tandem.care.codelists import all_years, code_errors, for_date
from tandem.formats import govuk_date
from tandem.people.models import normalise_postcode

LOOKED_AFTER_LA = "The local authority looking after the child"


class CodedModel(models.Model):
    """A record whose coded fields are checked against the DfE list of its collection year."""

    # {model field: DfE list name}
    CODED: dict[str, str] = {}
    DATE_FIELD = ""
    COLLECTION = "ssda903"  # whose code lists: "ssda903" or "cin"
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
            self.COLLECTION,
        )
        start, end = self.ORDER
        starts, ends = (getattr(self, start), getattr(self, end)) if start else (None, None)
        if starts and ends and ends < starts:
            errors[end] = (
                f"This date must be the same as or after the start ({govuk_date(starts)})"
            )
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
        "people.Person", on_delete=models.PROTECT, related_name="care_episodes", db_index=False
    )
    local_authority = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=LOOKED_AFTER_LA,
        db_index=False,
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
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
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
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    year = models.CharField("Collection year", max_length=7)
    # The authority whose care leaver the young person is: it returns them in OC3 even in a year
    # with no episode of care (blank on records made before this was kept: see the return).
    local_authority = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
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


# --- The children in need record (CIN census) -------------------------------------------------
# The episode itself is not stored: it is the referral the front door received and decided
# (`referrals`), closed when the authority's last owning team lets go (`access.Involvement`). What
# children's social care does within it hangs off the referral that led to it.


class CinRecordItem(CodedModel):
    COLLECTION = "cin"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The referral whose episode of need this belongs to",
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        errors = {}
        try:
            super().clean()
        except ValidationError as e:
            errors.update(e.message_dict)
        referral = self.referral if self.referral_id else None
        if referral is not None and referral.child_id != self.child_id:
            errors["referral"] = "The referral is about another child"
        start = getattr(self, self.DATE_FIELD, None)
        if referral is not None and start and start < referral.received_at.date():
            errors.setdefault(self.DATE_FIELD, "This date cannot be before the referral")
        if errors:
            raise ValidationError(errors)


class CinEpisodeOutcome(models.Model):
    """What the census says of an episode that the referral and decision cannot: held only where
    it differs from what Tandem derives (a council's loaded history: a primary need no referral
    reason maps to, a reason for closure other than RC7, a conference recorded on the episode)."""

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    primary_need = models.CharField("Primary need (PrimaryNeedCode)", max_length=2, blank=True)
    closure_reason = models.CharField(
        "Reason for closure (ReasonForClosure)", max_length=3, blank=True
    )
    conference_on = models.DateField(
        "Initial conference held on the episode (DateOfInitialCPC)", null=True, blank=True
    )
    # Why the child has no UPN, as the loaded census gave it (Tandem derives UN1, UN5 and UN7
    # from the record, but cannot know UN2, UN3, UN4 or UN6).
    upn_unknown = models.CharField("UPN unknown (UPNunknown)", max_length=3, blank=True)

    def clean(self) -> None:
        lists = codelists_for(None)
        errors = {}
        if self.upn_unknown and self.upn_unknown not in lists.codes["UPNunknown"]:
            errors["upn_unknown"] = f"{self.upn_unknown!r} is not a UPNunknown code"
        if self.primary_need and self.primary_need not in lists.codes["PrimaryNeedCode"]:
            errors["primary_need"] = f"{self.primary_need!r} is not a PrimaryNeedCode code"
        if self.closure_reason and self.closure_reason not in lists.codes["ReasonForClosure"]:
            errors["closure_reason"] = f"{self.closure_reason!r} is not a ReasonForClosure code"
        if errors:
            raise ValidationError(errors)


class CinAssessment(CinRecordItem):
    """A child and family assessment: started, authorised (completed), and the factors found."""

    DATE_FIELD = "started_on"
    ORDER = ("started_on", "authorised_on")

    started_on = models.DateField("Start (AssessmentActualStartDate)")
    authorised_on = models.DateField(
        "Authorised (AssessmentAuthorisationDate)", null=True, blank=True
    )
    reviewed_on = models.DateField(
        "Internal review (AssessmentInternalReviewDate)", null=True, blank=True
    )
    # The DfE's factor codes (AssessmentFactors list), known once the assessment is authorised.
    factors = models.JSONField("Factors identified at assessment", default=list, blank=True)

    class Meta:
        ordering = ["child", "started_on"]

    def clean(self) -> None:
        errors = {}
        try:
            super().clean()
        except ValidationError as e:
            errors.update(e.message_dict)
        factors = list(self.factors or [])
        valid = codelists_for(self.started_on).codes["AssessmentFactors"]
        wrong = [f for f in factors if f not in valid]
        if wrong:
            errors["factors"] = f"Not AssessmentFactors codes: {', '.join(map(str, wrong))}"
        elif len(set(factors)) != len(factors):
            errors["factors"] = "A factor is given twice"
        elif "21" in factors and len(factors) > 1:
            errors["factors"] = "21 (no factors identified) cannot be given with other factors"
        elif factors and not self.authorised_on:
            errors["factors"] = "Factors are recorded once the assessment is authorised"
        if errors:
            raise ValidationError(errors)


class CinPlan(CinRecordItem):
    DATE_FIELD = "started_on"
    ORDER = ("started_on", "ended_on")

    started_on = models.DateField("Start (CINPlanStartDate)")
    ended_on = models.DateField("End (CINPlanEndDate)", null=True, blank=True)

    class Meta:
        ordering = ["child", "started_on"]


class Section47Enquiry(CinRecordItem):
    """A section 47 enquiry and, if it needed one, the initial child protection conference."""

    DATE_FIELD = "started_on"
    ORDER = ("started_on", "conference_on")

    started_on = models.DateField("Start (S47ActualStartDate)")
    conference_target = models.DateField(
        "Conference due (InitialCPCtarget)", null=True, blank=True
    )
    conference_on = models.DateField(
        "Initial child protection conference (DateOfInitialCPC)", null=True, blank=True
    )
    conference_not_required = models.BooleanField(
        "No conference needed (ICPCnotRequired)", default=False
    )

    class Meta:
        ordering = ["child", "started_on"]

    def clean(self) -> None:
        errors = {}
        try:
            super().clean()
        except ValidationError as e:
            errors.update(e.message_dict)
        if self.conference_on and self.conference_not_required:
            errors["conference_not_required"] = "A conference was held: it was required"
        if self.conference_on and self.conference_on.weekday() >= 5:
            errors.setdefault("conference_on", "A conference is not held at a weekend")
        if errors:
            raise ValidationError(errors)


class ChildProtectionPlan(CinRecordItem):
    CODED = {"initial_category": "CategoryOfAbuse", "latest_category": "CategoryOfAbuse"}
    DATE_FIELD = "started_on"
    ORDER = ("started_on", "ended_on")

    started_on = models.DateField("Start (CPPstartDate)")
    ended_on = models.DateField("End (CPPendDate)", null=True, blank=True)
    initial_category = models.CharField("Initial category of abuse", max_length=3)
    latest_category = models.CharField("Latest category of abuse", max_length=3)
    # Plans before this record began (a council's history) count too, so it is held, not counted.
    previous_plans = models.PositiveSmallIntegerField("Previous plans (NumberOfPreviousCPP)")

    class Meta:
        ordering = ["child", "started_on"]

    def clean(self) -> None:
        errors = {}
        try:
            super().clean()
        except ValidationError as e:
            errors.update(e.message_dict)
        if self.ended_on and self.ended_on == self.started_on:
            errors.setdefault("ended_on", "A plan cannot start and end on the same day")
        if errors:
            raise ValidationError(errors)


class ChildProtectionReview(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField("Review (CPPreviewDate)")

    class Meta:
        ordering = ["plan", "held_on"]

    def clean(self) -> None:
        if self.plan_id and self.held_on and self.held_on <= self.plan.started_on:
            raise ValidationError({"held_on": "A review is after the day the plan started"})


class ChildDisability(CodedModel):
    """A disability the census records for the child (none recorded: NONE in the census)."""

    CODED = {"code": "Disability"}
    COLLECTION = "cin"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    code = models.CharField("Disability", max_length=4)

    class Meta:
        ordering = ["child", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "code"],
                name="child_disability_once",
                violation_error_message="The child already has this disability recorded",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.code == "NONE":
            raise ValidationError({"code": "Record disabilities only; none is the default"})


def codelists_for(day):
    """The CIN census lists in force on `day`."""
    return for_date(day, "cin") if day else all_years("cin")[-1]
