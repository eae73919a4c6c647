"""Casework: the team around the family, assessments, plans with goals and actions, reviews,
closure, and the decision records that carry the child's and the family's voice."""

import uuid

from django.conf import settings
from django.db import models

from tandem.casework.codes import (
    ActionStatus,
    Area,
    AssessmentStatus,
    CaseLevel,
    CaseStatus,
    DecisionKind,
    GoalOutcome,
    HowGathered,
    Level,
    NotGathered,
    PlanStatus,
    Rating,
    Sharing,
)

USER = settings.AUTH_USER_MODEL


class Case(models.Model):
    """The team around one child and their family: a lead professional and members from any
    partner, at early help or statutory level, open or closed (and reopened)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    team = models.ForeignKey("partners.Team", on_delete=models.PROTECT, related_name="cases")
    lead_professional = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="led_cases", db_index=False
    )
    level = models.CharField(max_length=20, choices=CaseLevel.choices)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["child", "status"], name="case_child_status_idx"),
            models.Index(fields=["lead_professional", "status"], name="case_lead_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status="open"),
                name="one_open_case_per_child",
                violation_error_message="This child already has an open case",
            )
        ]

    def __str__(self) -> str:
        return f"Case {self.id}"


class CaseMember(models.Model):
    """A practitioner of any partner in the team around the family."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    practitioner = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="case_members", db_index=False
    )
    role_in_team = models.CharField(max_length=200, blank=True)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["joined_on"]
        indexes = [models.Index(fields=["practitioner", "left_on"], name="case_member_idx")]


class DecisionRecord(models.Model):
    """One decision about a child, with the child's and the parent's or carer's view.

    Either the view in their words and how it was gathered, or why it was not gathered: the
    service (`casework.voice.views_clean`) refuses a decision without one, and the check
    constraints refuse it again in the database."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=30, choices=DecisionKind.choices)
    child = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decision_records",
    )
    # The deciding team: the report of views recorded is per team.
    team = models.ForeignKey(
        "partners.Team", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    summary = models.TextField(max_length=5000)

    child_view = models.TextField(max_length=5000, blank=True)
    child_view_how = models.CharField(max_length=20, choices=HowGathered.choices, blank=True)
    child_not_gathered = models.CharField(max_length=20, choices=NotGathered.choices, blank=True)
    parent_view = models.TextField(max_length=5000, blank=True)
    parent_view_how = models.CharField(max_length=20, choices=HowGathered.choices, blank=True)
    parent_not_gathered = models.CharField(max_length=20, choices=NotGathered.choices, blank=True)

    class Meta:
        ordering = ["decided_at"]
        indexes = [
            models.Index(fields=["team", "decided_at"], name="decision_team_time_idx"),
            models.Index(fields=["child", "decided_at"], name="decision_child_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(~models.Q(child_view="") & ~models.Q(child_view_how=""))
                | ~models.Q(child_not_gathered=""),
                name="decision_has_child_view",
            ),
            models.CheckConstraint(
                condition=(~models.Q(parent_view="") & ~models.Q(parent_view_how=""))
                | ~models.Q(parent_not_gathered=""),
                name="decision_has_parent_view",
            ),
        ]

    @property
    def child_view_recorded(self) -> bool:
        return bool(self.child_view)


class CaseTransition(models.Model):
    """A step up to statutory social care or down to early help, kept as history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_level = models.CharField(max_length=20, choices=CaseLevel.choices)
    to_level = models.CharField(max_length=20, choices=CaseLevel.choices)
    decision = models.OneToOneField(DecisionRecord, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["decision__decided_at"]


class Assessment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    started_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    # Set by the practitioner, never by the system: the suggestion is only shown beside it.
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    outcome = models.OneToOneField(
        DecisionRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    manager_note = models.TextField(max_length=5000, blank=True)

    class Meta:
        ordering = ["started_at"]


class AssessmentFactor(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="factors")
    area = models.CharField(max_length=30, choices=Area.choices)
    rating = models.CharField(max_length=20, choices=Rating.choices)
    evidence = models.TextField(max_length=5000)
    source_partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at"]


class Plan(models.Model):
    """The child's plan. One per case; its goals, actions, reviews and history stay with it
    when the case closes and reopens."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="plan")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    review_every_weeks = models.PositiveSmallIntegerField(default=6)
    next_review_on = models.DateField(null=True, blank=True)
    # Goals or actions added or changed since the plan was last agreed.
    has_unagreed_changes = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["next_review_on"], name="plan_next_review_idx")]


class Goal(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField(max_length=1000)
    in_childs_words = models.BooleanField(default=False)
    shared_with = models.CharField(max_length=20, choices=Sharing.choices)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["added_at"]


class Action(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField(max_length=1000)
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="case_actions", db_index=False
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "added_at"]
        indexes = [models.Index(fields=["owner", "status", "due_on"], name="action_owner_idx")]


class Review(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField()
    held_on = models.DateField()
    decision = models.OneToOneField(DecisionRecord, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_on"]


class PlanHistory(models.Model):
    """What changed in the plan, when and by whom: a line for every change."""

    id = models.BigAutoField(primary_key=True)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=1000)
    decision = models.ForeignKey(
        DecisionRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]


class Closure(models.Model):
    """A closure with its reason and the outcome against each goal; reopening keeps it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="closures")
    reason = models.TextField(max_length=5000)
    decision = models.OneToOneField(DecisionRecord, on_delete=models.PROTECT, related_name="+")
    reopened_by = models.OneToOneField(
        DecisionRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["decision__decided_at"]


class GoalResult(models.Model):
    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="results")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="results")
    outcome = models.CharField(max_length=20, choices=GoalOutcome.choices)
    note = models.TextField(max_length=2000, blank=True)
