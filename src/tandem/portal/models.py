"""The child and family portal: an invitation (link + passcode) for a young person or a parent
or carer to see their own plan, and the messages they send about it with the replies."""

import uuid

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class Who(models.TextChoices):
    YOUNG_PERSON = "young_person", "The young person"
    PARENT_CARER = "parent_carer", "A parent or carer"


class PortalAccount(models.Model):
    """One invitation to one person for one case. Only hashes of the link's token and of the
    passcode are stored; both are shown to the practitioner once, to pass on separately."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="portal")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    who = models.CharField(max_length=20, choices=Who.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    passcode_hash = models.CharField(max_length=200)
    invited_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at"]

    @property
    def username(self) -> str:
        return f"portal:{self.pk}"


class PortalMessage(models.Model):
    """What a young person or parent thinks about their plan, and the practitioner's answer.
    `so_we` is what changed because of it: shown as "You said … so we …"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(PortalAccount, on_delete=models.PROTECT, related_name="messages")
    case = models.ForeignKey(
        "casework.Case", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    text = models.TextField(max_length=2000)
    sent_at = models.DateTimeField()
    reply = models.TextField(max_length=2000, blank=True)
    so_we = models.TextField(max_length=2000, blank=True)
    replied_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at"]
        indexes = [models.Index(fields=["case", "replied_at"], name="portal_message_case_idx")]
