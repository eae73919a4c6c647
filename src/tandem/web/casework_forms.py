"""The casework pages' forms. Decision forms mix in `ViewsForm`: the child's and the parent's
or carer's view. The services check the rest, and their errors land on these fields."""

from django import forms

from tandem.access.policies import PRACTITIONERS
from tandem.casework.codes import (
    ActionStatus,
    Area,
    CaseLevel,
    GoalOutcome,
    Level,
    Rating,
    Sharing,
)
from tandem.partners.models import Partner, User
from tandem.portal.models import Who
from tandem.web.govuk import GovukDateField, GovukForm
from tandem.web.voice_forms import ViewsForm

YES_NO = [("yes", "Yes"), ("no", "No")]


def _choice(label, choices, message, widget=forms.RadioSelect, hint=""):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=widget,
        help_text=hint,
        error_messages={"required": message, "invalid_choice": message},
    )


def _words(label, message, *, max_length=5000, hint="", required=True):
    return forms.CharField(
        label=label,
        widget=forms.Textarea,
        max_length=max_length,
        required=required,
        help_text=hint,
        error_messages={
            "required": message,
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


def practitioner_choices() -> list[tuple[str, str]]:
    users = (
        User.objects.filter(is_active=True, role__in=PRACTITIONERS)
        .select_related("team__partner")
        .order_by("team__partner__name", "last_name", "first_name")
    )
    return [("", "Choose a practitioner")] + [
        (
            str(u.pk),
            f"{u.get_full_name() or u.username}, {u.get_role_display()} ({u.team.partner})",
        )
        for u in users
    ]


def _practitioner_field(label, message, hint=""):
    return forms.ChoiceField(
        label=label,
        choices=[],
        widget=forms.Select,
        help_text=hint,
        error_messages={"required": message, "invalid_choice": message},
    )


class _WithPractitioners:
    practitioner_fields: tuple[str, ...] = ()

    def _load_practitioners(self):
        choices = practitioner_choices()
        for name in self.practitioner_fields:
            self.fields[name].choices = choices


class CaseOpenForm(_WithPractitioners, GovukForm):
    level = _choice("Level", CaseLevel.choices, "Select the level of the case")
    lead_professional_id = _practitioner_field(
        "Lead professional",
        "Choose the lead professional",
        hint="The one person the child and family go to: from any partner",
    )
    practitioner_fields = ("lead_professional_id",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_practitioners()


class MemberForm(_WithPractitioners, GovukForm):
    practitioner_id = _practitioner_field("Practitioner", "Choose a practitioner")
    role_in_team = forms.CharField(
        label="Their part in the team (optional)",
        required=False,
        max_length=200,
        help_text="For example, school nurse or youth worker",
        error_messages={"max_length": "Their part in the team must be 200 characters or fewer"},
    )
    practitioner_fields = ("practitioner_id",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_practitioners()


class LeadForm(_WithPractitioners, GovukForm):
    lead_professional_id = _practitioner_field(
        "New lead professional",
        "Choose the new lead professional",
        hint="The one person the child and family go to: from any partner. "
        "The lead professional now stays in the team.",
    )
    practitioner_fields = ("lead_professional_id",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_practitioners()


class MemberLeaveForm(GovukForm):
    confirm = _choice(
        "Are you sure?", YES_NO, "Select yes if they are leaving the team around the family"
    )


class FactorForm(GovukForm):
    area = _choice("Area", Area.choices, "Select the area", widget=forms.Select)
    rating = _choice("Rating", Rating.choices, "Select a rating")
    evidence = _words("Evidence", "Enter the evidence for this rating")
    source_partner_id = forms.ChoiceField(
        label="Which partner does the evidence come from?",
        widget=forms.Select,
        choices=[],
        error_messages={
            "required": "Choose the partner the evidence comes from",
            "invalid_choice": "Choose the partner the evidence comes from",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_partner_id"].choices = [("", "Choose a partner")] + [
            (str(p.pk), p.name) for p in Partner.objects.all()
        ]


class AssessmentSubmitForm(ViewsForm):
    level = _choice(
        "Overall level of need",
        Level.choices,
        "Select the overall level of need",
        hint="You decide. The suggestion above only explains what the ratings point to.",
    )
    summary = _words("Outcome of the assessment", "Enter the outcome of the assessment")
    field_order = ["level", "summary"]


class ApproveForm(GovukForm):
    note = _words("Manager's note (optional)", "", required=False)


class GoalForm(GovukForm):
    text = _words(
        "Goal", "Enter the goal", max_length=1000, hint="In the child's words if they gave them"
    )
    in_childs_words = _choice("Are these the child's own words?", YES_NO, "Select yes or no")
    shared_with = _choice(
        "Who sees this goal on their Tandem page?",
        Sharing.choices,
        "Select who sees this goal",
        hint="A parent or carer sees only the goals you share with them",
    )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data["text"],
            "in_childs_words": data["in_childs_words"] == "yes",
            "shared_with": data["shared_with"],
        }


class ActionForm(_WithPractitioners, GovukForm):
    text = _words("What will be done?", "Enter what will be done", max_length=1000)
    owner_id = _practitioner_field(
        "Who will do it?", "Choose who will do this", hint="Any partner's practitioner"
    )
    due_on = GovukDateField(noun="Due date", label="Due date")
    practitioner_fields = ("owner_id",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_practitioners()


class ActionStatusForm(GovukForm):
    status = _choice("Status", ActionStatus.choices, "Select the status")


class AgreeForm(ViewsForm):
    summary = _words("What was agreed", "Enter what was agreed")
    review_every_weeks = forms.IntegerField(
        label="Review the plan every (weeks)",
        min_value=1,
        max_value=26,
        initial=6,
        error_messages={
            "required": "Enter how often the plan is reviewed, in weeks",
            "invalid": "Enter a whole number of weeks, like 6",
            "min_value": "Review the plan every 1 to 26 weeks",
            "max_value": "Review the plan every 1 to 26 weeks",
        },
    )
    field_order = ["summary", "review_every_weeks"]
    govuk_options = {
        "review_every_weeks": {"classes": "govuk-input--width-3", "inputmode": "numeric"}
    }


class ReviewForm(ViewsForm):
    summary = _words("Outcome of the review", "Enter the outcome of the review")
    field_order = ["summary"]


class StepForm(ViewsForm):
    summary = _words("Why?", "Enter the reasons for this step")
    field_order = ["summary"]


class ReopenForm(ViewsForm):
    reason = _words("Why is the case reopening?", "Enter the reason for reopening the case")
    field_order = ["reason"]


class CloseForm(ViewsForm):
    reason = _words("Why is the case closing?", "Enter the reason for closing the case")

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        fields = {"reason": self.fields.pop("reason")}
        for goal in self.goals:
            fields[f"outcome_{goal.pk}"] = _choice(
                f"Outcome: {goal.text}",
                GoalOutcome.choices,
                f"Choose the outcome for the goal “{goal.text[:60]}”",
            )
            fields[f"note_{goal.pk}"] = forms.CharField(
                label="What happened (optional)",
                required=False,
                max_length=2000,
                error_messages={"max_length": "What happened must be 2,000 characters or fewer"},
            )
        self.fields = {**fields, **self.fields}

    def outcomes(self) -> dict:
        data = self.cleaned_data
        return {g.pk: (data[f"outcome_{g.pk}"], data.get(f"note_{g.pk}", "")) for g in self.goals}


class InviteForm(GovukForm):
    who = _choice("Who are you inviting?", Who.choices, "Select who you are inviting")
    person_id = forms.ChoiceField(
        label="Which parent or carer?",
        widget=forms.Select,
        choices=[],
        required=False,
        error_messages={"invalid_choice": "Choose a parent or carer recorded for this child"},
    )

    def __init__(self, *args, parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person_id"].choices = [("", "Choose a parent or carer")] + [
            (str(p.pk), p.full_name) for p in parents
        ]


class ReplyForm(GovukForm):
    reply = _words("Your reply", "Write your reply", max_length=2000)
    so_we = _words(
        "What changed because of what they said? (optional)",
        "",
        max_length=2000,
        required=False,
        hint="Shown to them as “You said … so we …”. Start with what you did, like "
        "“moved the meetings to after school”",
    )
