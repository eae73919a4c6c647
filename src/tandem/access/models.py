"""The data the access policy reads: involvement (why a team or practitioner may see a child),
information-sharing agreements and their grants, consent, restrictions, sensitive notes and
emergency (break-glass) access. The rules themselves are in `policies.py` and `sharing.py`."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tandem.access.categories import NAMED_ONLY, SENSITIVE, Category


class SharingPurpose(models.TextChoices):
    EARLY_HELP = "early_help", "Early help"
    CHILD_PROTECTION = "child_protection", "Child protection enquiry"
    CARE_LEAVER_SUPPORT = "care_leaver_support", "Care leaver support"
    REFERRAL_TRIAGE = "referral_triage", "Deciding a referral"
    ANALYTICS = "analytics", "Partnership analytics (no names)"


class LawfulBasis(models.TextChoices):
    """UK GDPR Article 6."""

    CONSENT = "consent", "Consent (Article 6(1)(a))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Article 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (Article 6(1)(d))"
    PUBLIC_TASK = "public_task", "Public task (Article 6(1)(e))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (Article 6(1)(f))"
    RECOGNISED_LEGITIMATE_INTEREST = (
        "recognised_legitimate_interest",
        "Recognised legitimate interest: safeguarding (Article 6(1)(ea), Data (Use and Access) "
        "Act 2025)",
    )


class Schedule1Condition(models.TextChoices):
    """DPA 2018 Schedule 1: the condition for special category (and sensitive) data."""

    NONE = "", "Not special category data"
    SAFEGUARDING = "safeguarding", "Paragraph 18: safeguarding of children and individuals at risk"
    STATUTORY = "statutory", "Paragraph 6: statutory and government purposes"
    HEALTH_SOCIAL_CARE = "health_social_care", "Paragraph 2: health or social care purposes"
    EXPLICIT_CONSENT = "explicit_consent", "Article 9(2)(a): explicit consent"


class InvolvementKind(models.TextChoices):
    OWNING_TEAM = "owning_team", "Team owns the case"
    ALLOCATED = "allocated", "Allocated worker"
    INVOLVED = "involved", "Partner involved"


class Involvement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="involvements", db_index=False
    )
    team = models.ForeignKey(
        "partners.Team", on_delete=models.PROTECT, related_name="involvements", db_index=False
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="involvements",
        db_index=False,
    )
    kind = models.CharField(max_length=20, choices=InvolvementKind.choices)
    reason = models.CharField(max_length=300, blank=True)
    # What the team is doing with the child: the purpose its agreements' grants must name.
    purpose = models.CharField(
        max_length=30, choices=SharingPurpose.choices, default=SharingPurpose.EARLY_HELP
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["team", "ended_on"], name="involvement_team_idx"),
            # Only rows naming a practitioner (about a quarter): every look-up names one.
            models.Index(
                fields=["practitioner", "ended_on"],
                name="involvement_practitioner_idx",
                condition=models.Q(practitioner__isnull=False),
            ),
            models.Index(fields=["child", "ended_on"], name="involvement_child_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="involvement_ends_after_start",
                violation_error_message="An involvement cannot end before it starts",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="allocated") | models.Q(practitioner__isnull=False),
                name="allocation_names_practitioner",
                violation_error_message="An allocation names the allocated practitioner",
            ),
        ]


class Agreement(models.Model):
    """An information-sharing agreement, owned by one partner and accepted by others. It gives
    nothing until it starts and the parties accept it; ending it ends every grant at once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="agreements_owned"
    )
    summary = models.TextField(max_length=4000, blank=True)
    starts_on = models.DateField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class AgreementAcceptance(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="acceptances", db_index=False
    )
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "partner"],
                name="acceptance_once_per_partner",
                violation_error_message="This partner has already accepted this agreement",
            )
        ]


class Grant(models.Model):
    """Under an agreement, `from_partner` shares a category of what it holds about a child with
    `to_partner`, for one purpose, on a lawful basis."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="grants", db_index=False
    )
    from_partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="grants_made"
    )
    to_partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="grants_received",
        db_index=False,
    )
    category = models.CharField(max_length=30, choices=Category.choices)
    purpose = models.CharField(max_length=30, choices=SharingPurpose.choices)
    lawful_basis = models.CharField(max_length=40, choices=LawfulBasis.choices)
    schedule1_condition = models.CharField(
        max_length=30, choices=Schedule1Condition.choices, blank=True, default=""
    )

    class Meta:
        indexes = [models.Index(fields=["to_partner", "purpose"], name="grant_to_purpose_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "from_partner", "to_partner", "category", "purpose"],
                name="grant_once",
                violation_error_message="This agreement already makes this grant",
            )
        ]

    def clean(self) -> None:
        errors = {}
        if self.category in NAMED_ONLY:
            errors["category"] = (
                "A protected address is never shared by agreement: only the people named on "
                "the restriction see it"
            )
        elif self.category in SENSITIVE and not self.schedule1_condition:
            errors["schedule1_condition"] = (
                "Choose the Schedule 1 condition for sharing this sensitive category"
            )
        if self.from_partner_id and self.from_partner_id == self.to_partner_id:
            errors["to_partner"] = "A partner does not need an agreement with itself"
        if errors:
            raise ValidationError(errors)


class Consent(models.Model):
    """Consent to share a child's record for a purpose: who gave it, when, and its withdrawal.
    A grant whose lawful basis is consent applies only while a consent stands."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    purpose = models.CharField(max_length=30, choices=SharingPurpose.choices)
    given_by = models.CharField(
        max_length=200, help_text="For example, the young person, or mother"
    )
    given_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_note = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["child", "purpose"], name="consent_child_purpose_idx")]


class RestrictionKind(models.TextChoices):
    PROTECTED_ADDRESS = "protected_address", "Protected (refuge) address"
    RESTRICTED_RECORD = "restricted_record", "Restricted record (named people only)"


class Restriction(models.Model):
    """A protected address (never shown, exported or matched on outside the named people) or a
    restricted record (the whole child visible only to the named people)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=30, choices=RestrictionKind.choices)
    reason = models.CharField(max_length=500)
    named_people = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["child", "kind"], name="restriction_child_idx")]


class SensitiveNote(models.Model):
    """Information in a sensitive category (sexual health, gender identity, adoption) recorded
    apart from the chronology, so it is shown only to those the policy allows that category."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30, choices=Category.choices)
    summary = models.TextField(max_length=2000)
    occurred_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )


class Review(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROPRIATE = "appropriate", "Appropriate"
    INAPPROPRIATE = "inappropriate", "Inappropriate"


class BreakGlass(models.Model):
    """Emergency access to a child's record by someone without a basis, for a limited time,
    with a stated reason, reviewed afterwards by an information-governance lead."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    child = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(max_length=2000)
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    review = models.CharField(max_length=20, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="breakglass_user_idx")]


class Notification(models.Model):
    """A message in a user's inbox: emergency access to the owning team and the IG leads, a
    referral arriving at a team, its decision and feedback to the referrer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # The child it is about, if any: it goes when the child's record goes (retention), and is
    # not shown to someone a restriction has since put the child out of reach of.
    child = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.CharField(max_length=500)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)


class ShareDecision(models.Model):
    """The share / no-share decision log (golden rule 7): every share records its lawful basis
    (and Schedule 1 condition for sensitive data); a decision not to share records its reasons."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    shared = models.BooleanField()
    with_partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    categories = models.JSONField(default=list, blank=True)
    purpose = models.CharField(max_length=30, choices=SharingPurpose.choices)
    lawful_basis = models.CharField(max_length=40, choices=LawfulBasis.choices, blank=True)
    schedule1_condition = models.CharField(
        max_length=30, choices=Schedule1Condition.choices, blank=True, default=""
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reasons = models.TextField(max_length=4000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["child", "decided_at"], name="share_decision_child_idx")]

    def clean(self) -> None:
        errors = {}
        if self.shared and not self.lawful_basis:
            errors["lawful_basis"] = "Choose the lawful basis for sharing"
        if not self.reasons.strip():
            errors["reasons"] = (
                "Say why you decided to share"
                if self.shared
                else "Say why you decided not to share"
            )
        if self.shared and set(self.categories) & SENSITIVE and not self.schedule1_condition:
            errors["schedule1_condition"] = (
                "Choose the Schedule 1 condition for sharing sensitive information"
            )
        unknown = set(self.categories) - set(Category.values)
        if unknown:
            errors["categories"] = f"Unknown category: {', '.join(sorted(unknown))}"
        if errors:
            raise ValidationError(errors)


class SubjectAccessRequest(models.Model):
    """A request by (or for) a person for everything held about them: due one calendar month
    after it is received (UK GDPR Article 12(3))."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    requester = models.CharField(max_length=200, help_text="Who asked: the young person, a parent")
    received_on = models.DateField()
    due_on = models.DateField()
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["completed_at", "due_on"], name="sar_open_due_idx")]


class SarExemption(models.TextChoices):
    """Why an item is withheld from a subject access response: the requester is told this,
    never the IG lead's own reason."""

    THIRD_PARTY = (
        "third_party",
        "Information about another person (DPA 2018 Schedule 2, paragraph 16)",
    )
    SERIOUS_HARM = (
        "serious_harm",
        "Likely to cause serious harm to someone (DPA 2018 Schedule 3, Part 3: social work data)",
    )
    CHILD_ABUSE = (
        "child_abuse",
        "Child abuse data, not in the child's best interests to disclose to the person asking "
        "(DPA 2018 Schedule 3, paragraph 21)",
    )
    CRIME = "crime", "The prevention or detection of crime (DPA 2018 Schedule 2, paragraph 2)"
    LEGAL_PRIVILEGE = (
        "legal_privilege",
        "Legal professional privilege (DPA 2018 Schedule 2, paragraph 19)",
    )


class SarRedaction(models.Model):
    """One item withheld from a subject access response, under an exemption (what the requester
    is told) and with the IG lead's own reason (kept in the file, never sent)."""

    sar = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="redactions", db_index=False
    )
    item_key = models.CharField(max_length=80)
    exemption = models.CharField(
        max_length=20, choices=SarExemption.choices, default=SarExemption.THIRD_PARTY
    )
    reason = models.CharField(max_length=500)
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    redacted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sar", "item_key"],
                name="sar_redaction_once",
                violation_error_message="This item is already redacted",
            )
        ]


class SarRelease(models.Model):
    """An item that starts withheld (about another person, or a protected address) released
    into the response by an IG lead, with why it is safe to (they consented, it is already
    known to the requester)."""

    sar = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="releases", db_index=False
    )
    item_key = models.CharField(max_length=80)
    reason = models.CharField(max_length=500)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sar", "item_key"],
                name="sar_release_once",
                violation_error_message="This item is already released",
            )
        ]


class RetentionSchedule(models.Model):
    """How long one type of record is kept (configurable by the IG lead in the data)."""

    class Rule(models.TextChoices):
        UNTIL_AGE = "until_age", "Until the person reaches an age"
        AFTER_CLOSURE = "after_closure", "Years after the last involvement ended"

    record_type = models.CharField(max_length=40, unique=True)
    description = models.CharField(max_length=300)
    rule = models.CharField(max_length=20, choices=Rule.choices)
    years = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return self.description


class LegalHold(models.Model):
    """Stops a record being destroyed (litigation, an inquiry, a complaint) until lifted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=500)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)


class DestructionCertificate(models.Model):
    """What a destruction run destroyed: categories and counts, when and by whom, never names."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    run_at = models.DateTimeField()
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, related_name="+")
    counts = models.JSONField(default=dict)  # children, by retention schedule
    # Every row that went, by what it was ("referrals.Referral": 3): never a name.
    records = models.JSONField(default=dict)
    held_back = models.PositiveIntegerField(default=0, help_text="Due, but on legal hold")
    failed = models.PositiveIntegerField(default=0, help_text="Due, but could not be destroyed")
    total = models.PositiveIntegerField(default=0)
