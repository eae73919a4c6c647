"""The partnership: partner organisations, their teams, and the practitioners who sign in."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class PartnerKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority children's services"
    POLICE = "police", "Police"
    NHS_TRUST = "nhs_trust", "NHS trust"
    GP_PRACTICE = "gp_practice", "GP practice"
    SCHOOL = "school", "School"
    CHARITY = "charity", "Charity"


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    FAMILY_SUPPORT_WORKER = "family_support_worker", "Family support worker"
    PERSONAL_ADVISER = "personal_adviser", "Personal adviser"
    POLICE_SAFEGUARDING_OFFICER = "police_safeguarding_officer", "Police safeguarding officer"
    HEALTH_PRACTITIONER = "health_practitioner", "Health visitor or school nurse"
    SCHOOL_DSL = "school_dsl", "School designated safeguarding lead"
    TEAM_MANAGER = "team_manager", "Team manager"
    PARTNERSHIP_ANALYST = "partnership_analyst", "Partnership analyst"
    IG_LEAD = "ig_lead", "Information-governance lead"
    # A partnership board member or director: the partnership's figures, never a child.
    BOARD_MEMBER = "board_member", "Partnership board member"
    SYSTEM_ADMIN = "system_admin", "System administrator"


class Partner(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=PartnerKind.choices)
    # How another partner reaches the safeguarding contact (shown by "known to other partners?").
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="teams", db_index=False
    )
    name = models.CharField(max_length=200)
    # A team that takes referrals (front door, MASH, early-help hub) is offered to referrers.
    receives_referrals = models.BooleanField(default=False)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["partner__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "name"], name="team_name_unique_in_partner")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner.name})"


class User(AbstractUser):
    """A practitioner (or an administrator) of one partner, in one team, with one role."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.CharField(max_length=40, choices=Role.choices)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="members", null=True, blank=True
    )
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    failed_sign_ins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            # Everyone but a system administrator works in a team: access follows the team.
            models.CheckConstraint(
                condition=models.Q(team__isnull=False) | models.Q(role="system_admin"),
                name="user_in_team_unless_admin",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def partner(self) -> Partner | None:
        return self.team.partner if self.team_id else None


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored: the token is shown once, when made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="API token")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} for {self.user}"


class AccessRevision(models.Model):
    """One row whose number goes up whenever a user, team or partner changes or a token is
    revoked. Every process reads it (one tiny query) before trusting a token it checked
    earlier, so a revocation or a deactivation takes effect on the very next request in every
    process, while the token's user, team and partner are still not looked up afresh each time.
    """

    number = models.BigIntegerField(default=0)
