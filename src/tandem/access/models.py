"""Involvement: the data that says why a team or a practitioner may see a child."""

import uuid

from django.conf import settings
from django.db import models


class InvolvementKind(models.TextChoices):
    OWNING_TEAM = "owning_team", "Team owns the case"
    ALLOCATED = "allocated", "Allocated worker"
    INVOLVED = "involved", "Partner involved"


class Involvement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="involvements"
    )
    team = models.ForeignKey(
        "partners.Team", on_delete=models.PROTECT, related_name="involvements"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="involvements",
    )
    kind = models.CharField(max_length=20, choices=InvolvementKind.choices)
    reason = models.CharField(max_length=300, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["team", "ended_on"], name="involvement_team_idx"),
            models.Index(fields=["practitioner", "ended_on"], name="involvement_practitioner_idx"),
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
