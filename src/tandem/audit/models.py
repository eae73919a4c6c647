"""The audit trail: one append-only row for every read and every write of a person's data.

`person_id` is a plain UUID, not a foreign key, so that the trail outlives the record it describes.
Rows are never updated or deleted: the model refuses, and database triggers (see the migration)
refuse too, so not even a bulk query or a shell can rewrite history.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    SEARCH = "search", "Found by a search"
    EXPORT = "export", "Exported"
    LOOKUP = "lookup", "Looked up (known to other partners?)"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Removed"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    DENIED = "denied", "Refused"


# What each kind of audited record is, in words (a kind not here: its code with spaces).
RECORD_WORDS = {
    "child": "a child's record",
    "adult": "an adult's record",
    "person": "a person (governance search)",
    "person_name": "a person's name (governance)",
    "chronology": "a chronology",
    "household": "a household",
    "relationship": "relationships",
    "referral": "a referral",
    "case": "a case",
    "event": "a chronology entry",
    "care_record": "a looked-after record",
    "care_episode": "an episode of care",
    "team_around_the_child": "who works with a child",
    "work_tray": "a work tray",
    "flag": "an early identification flag",
    "consent": "consents",
    "sharedecision": "sharing decisions",
    "break_glass": "an emergency access",
    "breakglass": "an emergency access",
    "legal_hold": "a legal hold",
    "restriction": "a restriction",
    "subject_access_request": "a subject access request",
    "who_looked": "who looked at a record",
    "access_event": "the audit trail",
    "user": "an account",
    "api_token": "an API token",
    "otp_device": "an authenticator",
    "enrolment_code": "an authenticator set-up code",
    "portal_messages": "portal messages",
    "portal_message": "a portal message",
    "portal_invitation": "a portal invitation",
    "portal_plan": "the plan, in the portal",
    "extract_upload": "a partner's extract",
    "match_pair": "a linkage pair",
    "request": "a page or API route",
    "destruction_certificate": "records past retention (destroyed)",
    "return_file": "a statutory return file",
    "return_child": "a child in a statutory return",
}
SIGN_IN_STEPS = {
    "password": "password accepted",
    "code": "authenticator code",
    "set_up_code": "authenticator set-up code",
}


class Purpose(models.TextChoices):
    DIRECT_WORK = "direct_work", "Direct work with the child and family"
    REFERRAL = "referral", "Making or deciding a referral"
    SAFEGUARDING_CHECK = "safeguarding_check", "Checking whether a child is known"
    AUDIT_REVIEW = "audit_review", "Reviewing the audit trail"
    ACCOUNT = "account", "Account security"
    STATUTORY_RETURN = "statutory_return", "Preparing a statutory return to the DfE"
    EVALUATION = "evaluation", "Evaluating a service: its outcomes and value for money"
    PLANNING = "planning", "Planning placements, services and budgets (counts only)"


class Channel(models.TextChoices):
    WEB = "web", "Web page"
    API = "api", "API"
    CLI = "cli", "Command line"
    TASK = "task", "Background job"


class AccessEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # Snapshots, so the row still says who it was after the account changes team or is removed.
    actor_username = models.CharField(max_length=150)
    actor_partner = models.CharField(max_length=200, blank=True)
    actor_team = models.CharField(max_length=200, blank=True)
    person_id = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    record_type = models.CharField(max_length=40)
    record_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    basis = models.CharField(max_length=100, blank=True, help_text="The reason access was allowed")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["person_id", "occurred_at"], name="audit_person_time_idx"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_time_idx"),
            models.Index(fields=["actor_partner", "occurred_at"], name="audit_partner_time_idx"),
            # The search matches a username whatever its case (iexact: UPPER(...) = UPPER(...)).
            models.Index(Upper("actor_username"), "occurred_at", name="audit_username_time_idx"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit rows are append-only")

    @property
    def who(self) -> str:
        """Who did it, in words: the user's name; the family portal for a young person's or a
        parent's own reads and messages (their account id is no one's name); else Tandem."""
        if self.actor_id:
            return str(self.actor)
        if self.actor_username.startswith("portal:"):
            return "The family portal"
        return self.actor_username or "Tandem"

    @property
    def what(self) -> str:
        """What happened, in words: "Viewed a child's record", "Signed in: authenticator code
        (verified)", "Refused a page or API route (not found)"."""
        detail = self.detail or {}
        if self.action in (AuditAction.SIGN_IN, AuditAction.SIGN_IN_FAILED):
            step = SIGN_IN_STEPS.get(detail.get("step", ""), "")
            outcome = str(detail.get("outcome", "")).replace("_", " ")
            return ": ".join(x for x in (self.get_action_display(), step) if x) + (
                f" ({outcome})" if outcome else ""
            )
        words = RECORD_WORDS.get(self.record_type, self.record_type.replace("_", " "))
        if self.record_type == "access_event" and self.action != AuditAction.EXPORT:
            return "Searched the audit trail"
        if self.action == AuditAction.SEARCH:
            return f"Found {words} by a search"
        if self.action == AuditAction.LOOKUP:
            return f"Looked up {words} (known to partners?)"
        reason = f" ({detail['reason']})" if self.action == AuditAction.DENIED else ""
        return f"{self.get_action_display()} {words}{reason}"
