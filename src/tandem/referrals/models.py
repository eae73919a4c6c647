"""Contacts and referrals: who referred, why, the threshold decision and the feedback."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models

from tandem.referrals.codes import Decision, FamilyAware, Reason, Source, Status


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="referrals", db_index=False
    )
    # Who referred: a practitioner and their team, or a member of the public named here.
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referrals_made",
        db_index=False,
    )
    from_team = models.ForeignKey(
        "partners.Team", on_delete=models.PROTECT, related_name="referrals_made", db_index=False
    )
    referrer_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="If someone outside the partnership made the referral (for example a neighbour)",
    )
    source = models.CharField(max_length=2, choices=Source.choices)
    to_team = models.ForeignKey(
        "partners.Team",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        db_index=False,
    )
    received_at = models.DateTimeField()
    concerns = models.TextField(max_length=5000)
    family_aware = models.CharField(max_length=10, choices=FamilyAware.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    # The child as the referrer described them (names, date of birth, identifiers). The referrer
    # is shown this, never the record it was matched to; the front door compares the two.
    stated_child = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["child", "received_at"], name="referral_child_time_idx"),
            models.Index(fields=["to_team", "status"], name="referral_to_team_status_idx"),
            models.Index(fields=["from_team", "status"], name="referral_from_team_status_idx"),
            models.Index(fields=["made_by", "received_at"], name="referral_made_by_idx"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.id}"

    @property
    def stated_name(self) -> str:
        given, family = (
            self.stated_child.get("given_name", ""),
            self.stated_child.get("family_name", ""),
        )
        return f"{given} {family}".strip() or "Name not given"

    @property
    def stated_date_of_birth(self) -> date | None:
        value = self.stated_child.get("date_of_birth")
        return date.fromisoformat(value) if value else None

    @property
    def identifier_conflict(self) -> list[str]:
        """Identifiers the referrer gave that the record does not hold: another person has them,
        so the front door must check who the referral is really about."""
        return [
            name
            for name in ("nhs_number", "upn")
            if self.stated_child.get(name) and self.stated_child[name] != getattr(self.child, name)
        ]

    @property
    def identifier_conflict_note(self) -> str:
        labels = {"nhs_number": "NHS number", "upn": "UPN"}
        given = " and ".join(
            f"{labels[n]} {self.stated_child[n]}" for n in self.identifier_conflict
        )
        return (
            f"The referrer gave {given}, which another person's record holds. "
            "Check who this referral is about before deciding."
        )


class ReferralReason(models.Model):
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="reasons", db_index=False
    )
    reason = models.CharField(max_length=30, choices=Reason.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "reason"], name="referral_reason_once")
        ]


class ThresholdDecision(models.Model):
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, primary_key=True, related_name="decision"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reasons = models.TextField(max_length=5000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()


class Feedback(models.Model):
    """What the deciding team told the referrer: recorded, and shown to the referrer."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="feedback")
    message = models.TextField(max_length=5000)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField()

    class Meta:
        ordering = ["given_at"]
