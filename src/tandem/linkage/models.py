"""Partners' extracts in the database: each upload, its column mapping, its records and the
rows it left out.

An upload is checked whole before anything is written (`linkage.ingest`): its records and its
quarantined rows are saved in one transaction with its final status, so an upload is either
loaded (perhaps without its bad rows, when the uploader chose that) or not loaded at all.

Nothing here is read by a page or the API directly: `linkage.selectors` checks the reader's
role and partner and writes the audit row.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tandem.linkage import mapping


class ExtractType(models.TextChoices):
    POLICE = "police", "Police incidents"
    SCHOOL = "school", "School roll, attendance and exclusions"
    HEALTH = "health", "Health attendances"
    COUNCIL = "council", "Council contacts"
    CHARITY = "charity", "Charity sessions"


class BadRows(models.TextChoices):
    REJECT = "reject", "Reject the whole file if any row has a problem"
    QUARANTINE = "quarantine", "Load the good rows and quarantine the rows with problems"


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be checked"
    REJECTED = "rejected", "Rejected: nothing loaded"
    LOADED = "loaded", "Loaded"
    QUARANTINED = "quarantined", "Loaded without the rows with problems"
    FAILED = "failed", "Could not be read: nothing loaded"


class SavedMapping(models.Model):
    """Which column of a partner's extract holds which of Tandem's fields: the very table a
    `tandem link files` mapping holds under `[sources.NAME]` (see `linkage.mapping`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    extract_type = models.CharField(max_length=20, choices=ExtractType.choices)
    spec = models.JSONField(help_text="The [sources.NAME] table of a mapping file, as JSON")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "extract_type"], name="one_mapping_per_partner_and_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_extract_type_display()} mapping"

    def clean(self) -> None:
        try:
            self.source_mapping()
        except ValidationError as e:
            raise ValidationError({"spec": e.messages}) from e

    def source_mapping(self) -> mapping.SourceMapping:
        return mapping.source_mapping(self.extract_type, dict(self.spec))


class ExtractUpload(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    extract_type = models.CharField(max_length=20, choices=ExtractType.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=255, help_text="As the uploader named it")
    stored_at = models.CharField(max_length=500, help_text="Where the server keeps the file")
    bad_rows = models.CharField(max_length=20, choices=BadRows.choices, default=BadRows.REJECT)
    spec = models.JSONField(help_text="The mapping used, kept as it was at upload")
    status = models.CharField(
        max_length=20, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    reason = models.TextField(blank=True, help_text="Why it was rejected or failed, in words")
    rows_read = models.PositiveIntegerField(default=0)
    rows_loaded = models.PositiveIntegerField(default=0)
    rows_quarantined = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["partner", "-created_at"], name="upload_partner_idx")]

    def __str__(self) -> str:
        return f"{self.get_extract_type_display()} extract {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status != UploadStatus.QUEUED


class ExtractRecord(models.Model):
    """One loaded row, in Tandem's terms (what the mapping pointed at, dates read with their
    format). Linkage standardises names and postcodes itself, so they are kept as written."""

    id = models.BigAutoField(primary_key=True)
    upload = models.ForeignKey(
        ExtractUpload, on_delete=models.CASCADE, related_name="records", db_index=False
    )
    row = models.PositiveIntegerField(help_text="Row in the file; the header is row 1")
    record_id = models.CharField(max_length=100)
    local_id = models.CharField(max_length=100, blank=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    known_as = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    address = models.CharField(max_length=300, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    event_type = models.CharField(max_length=200, blank=True)
    event_date = models.DateField(null=True, blank=True)
    linked_person = models.ForeignKey(
        "LinkedPerson", on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )

    class Meta:
        ordering = ["upload", "row"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "record_id"], name="record_id_once_a_file")
        ]

    def __str__(self) -> str:
        return f"row {self.row}"


class QuarantinedRow(models.Model):
    """A problem with one cell of an upload: every problem is kept, for the page and the CSV.
    `quarantined` says whether the row was left out of a loaded file (rather than the whole
    file rejected)."""

    id = models.BigAutoField(primary_key=True)
    upload = models.ForeignKey(ExtractUpload, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=200)
    value = models.CharField(max_length=500, blank=True)
    reason = models.CharField(max_length=300)
    quarantined = models.BooleanField(default=False)

    class Meta:
        ordering = ["upload", "row", "id"]

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


# --- Linkage: people, the pairs behind them, and the practitioners' decisions on pairs --------


class LinkedPerson(models.Model):
    """One person as linkage sees them: the records of every partner that are theirs. Linked to
    Tandem's own record of the child when a record shares the child's NHS number or UPN.

    A later run keeps each person's id when most of their records stay together, so flags and
    decisions about them carry over."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"linked person {self.pk}"


class PairStatus(models.TextChoices):
    LINKED = "linked", "Linked by the model"
    REVIEW = "review", "Waiting for review"
    CONFIRMED = "confirmed", "Confirmed: the same person"
    REJECTED = "rejected", "Rejected: different people"


DECIDED = (PairStatus.CONFIRMED, PairStatus.REJECTED)


class MatchPair(models.Model):
    """Two records the model scored as likely the same person, with its explanation. Pairs
    between the thresholds wait for a practitioner; their decision binds every later run: a
    rejected pair is never in one person, a confirmed pair always is."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    left = models.ForeignKey(
        ExtractRecord, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    right = models.ForeignKey(ExtractRecord, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    explanation = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=PairStatus.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-match_probability"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="one_pair_per_two_records"),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-match_probability"], name="pair_status_idx")]

    def __str__(self) -> str:
        return f"pair {self.left_id}-{self.right_id}"


# --- Overlapping-risk flags and the triage decisions on them --------------------------------


class FlagStatus(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    DECIDED = "decided", "Decided"
    LAPSED = "lapsed", "No longer raised"


class TriageDecision(models.TextChoices):
    REFER = "refer", "Refer to children's social care"
    EARLY_HELP = "early_help", "Offer early help"
    NO_ACTION = "no_action", "No action"


class Flag(models.Model):
    """A rule in `rules/flags.toml` fired for a linked person: it proposes a conversation, with
    every indicator that made it fire (which partner recorded what, and when)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    linked_person = models.ForeignKey(LinkedPerson, on_delete=models.CASCADE, related_name="flags")
    rule = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    evidence = models.JSONField(help_text="[{indicator, event_type, partner, date, record}]")
    partners = models.PositiveSmallIntegerField()
    latest_on = models.DateField(help_text="The date of the latest indicator")
    raised_on = models.DateField()
    status = models.CharField(max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    decision = models.CharField(max_length=20, choices=TriageDecision.choices, blank=True)
    reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-latest_on", "rule"]
        constraints = [
            models.UniqueConstraint(
                fields=["linked_person", "rule"],
                condition=models.Q(status="open"),
                name="one_open_flag_per_rule",
            )
        ]
        # One per worklist order, so a page is read from the index and not after a sort of
        # every open flag ("oldest" reads flag_status_idx backwards).
        indexes = [
            models.Index(fields=["status", "-latest_on"], name="flag_status_idx"),
            models.Index(fields=["status", "-partners", "-latest_on"], name="flag_partners_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def indicators(self) -> list[dict]:
        """The evidence, each with its date as a date."""
        return [{**e, "date": dt.date.fromisoformat(e["date"])} for e in self.evidence]
