"""Who accepted which version of the acceptable-use notice, and when. The TOTP devices
themselves are django-otp's (`django_otp.plugins.otp_totp.TOTPDevice`)."""

from django.conf import settings
from django.db import models


class AcceptableUseAcceptance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="acceptable_use",
        db_index=False,
    )
    version = models.CharField(max_length=40)
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version"],
                name="acceptable_use_once_per_version",
                violation_error_message="You have already accepted this version of the notice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.version}"


class EnrolmentCode(models.Model):
    """A one-time set-up code: without one, a password alone cannot set up the authenticator
    that every later sign-in trusts. Issued by an IG lead (`/governance/set-up-codes`) or an
    operator (`tandem enrol NAME`), kept only as a keyed hash, used once, and valid for
    `TANDEM_ENROLMENT_CODE_HOURS`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolment_codes",
        db_index=False,
    )
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_by_name = models.CharField(max_length=150, help_text="Who issued it (or the command)")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # A newer code for the same user voids this one.
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="enrolment_user_idx")]
