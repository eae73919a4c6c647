"""Coded lists for casework: the assessment's areas and ratings, levels of need, the kinds of
decision that carry the child's and family's voice, and how a view was (or was not) gathered."""

from django.db import models


class Area(models.TextChoices):
    """The seeds' risk areas and strengths, as an assessment's factors cover them."""

    FAMILY = "family", "Family and relationships"
    EDUCATION = "education", "Education and learning"
    HEALTH = "health", "Health"
    SAFETY = "safety", "Safety"
    EMOTIONAL_WELLBEING = "emotional_wellbeing", "Emotional wellbeing"
    ONLINE_LIFE = "online_life", "Online life"
    EXPLOITATION = "exploitation", "Exploitation"
    HOUSING_MONEY = "housing_money", "Housing and money"


class Rating(models.TextChoices):
    STRENGTH = "strength", "A strength"
    NO_CONCERN = "no_concern", "No concern"
    SOME_NEED = "some_need", "Some need"
    SIGNIFICANT_NEED = "significant_need", "Significant need"
    SERIOUS_CONCERN = "serious_concern", "Serious concern: risk of significant harm"


class Level(models.TextChoices):
    """The overall level of need, on the partnership's continuum of need."""

    UNIVERSAL = "universal", "Universal: needs met by everyday services"
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"


STATUTORY_LEVELS = {Level.CHILD_IN_NEED, Level.CHILD_PROTECTION}


class CaseLevel(models.TextChoices):
    EARLY_HELP = "early_help", "Early help"
    STATUTORY = "statutory", "Statutory social care"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    SUBMITTED = "submitted", "Waiting for a manager's approval"
    APPROVED = "approved", "Approved"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Not yet agreed"
    AGREED = "agreed", "Agreed"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    STOPPED = "stopped", "Stopped"


OPEN_ACTION_STATUSES = {ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS}


class GoalOutcome(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class DecisionKind(models.TextChoices):
    """Every decision about a child: each one records the child's and the family's view."""

    THRESHOLD = "threshold", "Threshold decision"
    ASSESSMENT_OUTCOME = "assessment_outcome", "Assessment outcome"
    PLAN_AGREED = "plan_agreed", "Plan agreed"
    PLAN_CHANGED = "plan_changed", "Plan changed"
    REVIEW_OUTCOME = "review_outcome", "Review outcome"
    STEP_UP = "step_up", "Stepped up to statutory social care"
    STEP_DOWN = "step_down", "Stepped down to early help"
    CLOSURE = "closure", "Case closed"
    REOPENING = "reopening", "Case reopened"


class HowGathered(models.TextChoices):
    IN_PERSON = "in_person", "Face to face"
    PHONE_OR_VIDEO = "phone_or_video", "Phone or video call"
    IN_WRITING = "in_writing", "In writing, or drawing"
    ADVOCATE = "advocate", "Through an advocate or someone they trust"
    PORTAL = "portal", "On their Tandem page"
    OBSERVED = "observed", "Observed (a baby or a child who does not use words)"


class NotGathered(models.TextChoices):
    TOO_YOUNG = "too_young", "Too young to give a view"
    DECLINED = "declined", "Asked, and they did not want to say"
    NOT_SAFE = "not_safe", "Not safe to ask"
    # Only for a front door's decision on a referral, made before anyone has met the family.
    NOT_ASKED_YET = "not_asked_yet", "Not asked yet: nobody has met them before this decision"


class Sharing(models.TextChoices):
    """Who in the family sees a goal on their Tandem page."""

    EVERYONE = "everyone", "The young person and their parents or carers"
    YOUNG_PERSON = "young_person", "The young person only"
