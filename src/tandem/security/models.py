"""Who accepted which version of the acceptable-use notice, and when. The TOTP devices
themselves are django-otp's (`django_otp.plugins.otp_totp.TOTPDevice`)."""

from django.conf import settings
from django.db import models


class AcceptableUseAcceptance(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acceptable_use"
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
