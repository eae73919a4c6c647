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


class Purpose(models.TextChoices):
    DIRECT_WORK = "direct_work", "Direct work with the child and family"
    REFERRAL = "referral", "Making or deciding a referral"
    SAFEGUARDING_CHECK = "safeguarding_check", "Checking whether a child is known"
    AUDIT_REVIEW = "audit_review", "Reviewing the audit trail"
    ACCOUNT = "account", "Account security"
    STATUTORY_RETURN = "statutory_return", "Preparing a statutory return to the DfE"


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
