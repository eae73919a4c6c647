"""The practitioner pages' forms. They check what a person typed; the services check the rest
(and their ValidationErrors land on these same fields, see `GovukForm.add_service_errors`)."""

from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.audit.models import AuditAction
from tandem.partners.models import Team
from tandem.people.codes import Ethnicity, EventKind, RelationshipKind, Sex
from tandem.people.identifiers import nhs_number_is_valid, normalise_nhs_number, upn_is_valid
from tandem.people.models import normalise_postcode
from tandem.referrals.codes import Decision, FamilyAware, Reason, Source
from tandem.web.govuk import GovukDateField, GovukForm
from tandem.web.voice_forms import ViewsForm

NHS_NUMBER_HINT = "10 digits, like 943 476 5919"
UPN_HINT = "13 characters: a letter, then 12 more, like A123456789012"
NHS_NUMBER_INVALID = "Enter a valid NHS number: 10 digits, like 943 476 5919"
UPN_INVALID = (
    "Enter a valid unique pupil number: a letter then 12 more characters, like A123456789012"
)
IDENTIFIER_OPTIONS = {"spellcheck": False, "autocomplete": "off"}
WIDTHS = {
    "nhs_number": {
        "classes": "govuk-input--width-10",
        "inputmode": "numeric",
        **IDENTIFIER_OPTIONS,
    },
    "upn": {"classes": "govuk-input--width-20", **IDENTIFIER_OPTIONS},
    "postcode": {"classes": "govuk-input--width-10", "autocomplete": "off"},
}


def _text(
    label: str, *, required: bool = False, message: str = "", max_length: int = 100, hint: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=hint,
        error_messages={
            "required": message or f"Enter {label.lower()}",
            "max_length": f"{label.removesuffix(' (optional)')} must be {max_length} characters "
            "or fewer",
        },
    )


def _choice(
    label: str, choices, *, message: str, widget=forms.RadioSelect, required=True, hint: str = ""
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=widget,
        required=required,
        help_text=hint,
        error_messages={"required": message, "invalid_choice": message},
    )


def _blank_first(choices, blank: str):
    return [("", blank), *choices]


def clean_nhs_number(value: str) -> str:
    value = normalise_nhs_number(value.strip())
    if value and not nhs_number_is_valid(value):
        raise ValidationError(NHS_NUMBER_INVALID)
    return value


def clean_upn(value: str) -> str:
    value = value.strip().upper()
    if value and not upn_is_valid(value):
        raise ValidationError(UPN_INVALID)
    return value


class SignInForm(GovukForm):
    username = _text("Username", required=True, message="Enter your username", max_length=150)
    password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput,
        strip=False,
        max_length=200,
        error_messages={"required": "Enter your password"},
    )
    govuk_options = {
        "username": {
            "autocomplete": "username",
            "spellcheck": False,
            "classes": "govuk-!-width-one-half",
        },
        "password": {"autocomplete": "current-password", "classes": "govuk-!-width-one-half"},
    }


class ChildSearchForm(GovukForm):
    name = _text("Name", hint="First name, last name or the name they are known by")
    date_of_birth = GovukDateField(
        noun="Date of birth", label="Date of birth", required=False, past=True
    )
    postcode = _text("Postcode", max_length=8, hint="The whole postcode, or the start of it")
    nhs_number = _text("NHS number", max_length=20, hint=NHS_NUMBER_HINT)
    upn = _text("Unique pupil number (UPN)", max_length=20, hint=UPN_HINT)
    govuk_options = {"name": {"spellcheck": False, "autocomplete": "off"}, **WIDTHS}

    def clean_nhs_number(self):
        return clean_nhs_number(self.cleaned_data["nhs_number"])

    def clean_upn(self):
        return clean_upn(self.cleaned_data["upn"])

    about = "the child"  # the words of the error when nothing is given

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(name) for name in self.fields):
            raise ValidationError(f"Enter at least one detail about {self.about}")
        return data


class ChildDetailsForm(GovukForm):
    """A child's details: the fields of `people.services.child_update` and of a new child on a
    referral. Every field is checked here, the NHS number's and UPN's check characters too, so
    every error shows at once (the services check them again)."""

    given_name = _text("First name", required=True, message="Enter the child's first name")
    family_name = _text("Last name", required=True, message="Enter the child's last name")
    known_as = _text("Known as (optional)", hint="A name the child prefers to be called")
    date_of_birth = GovukDateField(
        noun="Date of birth", label="Date of birth", required=False, past=True
    )
    expected_due_date = GovukDateField(
        noun="Expected due date",
        label="Expected due date (optional)",
        required=False,
        help_text="Only for a child who is not born yet. For example, 27 3 2026",
    )
    sex = _choice("Sex", Sex.choices, message="Select the child's sex, or 'Not known'")
    ethnicity = _choice(
        "Ethnicity",
        _blank_first(Ethnicity.choices, "Choose ethnicity"),
        message="Choose an ethnicity from the list",
        widget=forms.Select,
        required=False,
    )
    address = _text("Address (optional)", max_length=300)
    postcode = _text("Postcode (optional)", max_length=10)
    nhs_number = _text("NHS number (optional)", max_length=20, hint=NHS_NUMBER_HINT)
    upn = _text("Unique pupil number (UPN) (optional)", max_length=20, hint=UPN_HINT)
    govuk_options = {
        "given_name": {"spellcheck": False, "autocomplete": "off"},
        "family_name": {"spellcheck": False, "autocomplete": "off"},
        "known_as": {"spellcheck": False, "autocomplete": "off"},
        **WIDTHS,
    }

    def __init__(self, *args, withheld=(), **kwargs):
        """`withheld`: fields not shared with the user, left out of the form altogether."""
        super().__init__(*args, **kwargs)
        for name in withheld:
            self.fields.pop(name, None)

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])

    def clean_nhs_number(self):
        return clean_nhs_number(self.cleaned_data["nhs_number"])

    def clean_upn(self):
        return clean_upn(self.cleaned_data["upn"])

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.fields}
        if "ethnicity" in data and not data["ethnicity"]:
            data["ethnicity"] = Ethnicity.NOBT
        return data


class NewChildForm(ChildDetailsForm):
    """The child's details on a referral for a child not yet on the record."""

    known_as = None
    expected_due_date = None
    ethnicity = None
    field_order = [
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "address",
        "postcode",
        "nhs_number",
        "upn",
    ]


class ReferralForm(GovukForm):
    to_team = forms.ChoiceField(
        label="Which team are you referring to?",
        widget=forms.Select,
        error_messages={
            "required": "Choose the team you are referring to",
            "invalid_choice": "Choose a team from the list",
        },
    )
    source = _choice(
        "Where did the concern come from?",
        _blank_first(Source.choices, "Choose a source"),
        message="Choose where the concern came from",
        widget=forms.Select,
        hint="As recorded for the Children in Need census",
    )
    reasons = forms.MultipleChoiceField(
        label="What are you worried about?",
        choices=Reason.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={
            "required": "Select at least one reason for the referral",
            "invalid_choice": "Select reasons from the list",
        },
    )
    concerns = forms.CharField(
        label="Describe your concerns",
        widget=forms.Textarea,
        max_length=5000,
        help_text="What has happened, when, and what the child has said. "
        "Give facts, not opinions.",
        error_messages={
            "required": "Describe your concerns",
            "max_length": "Your concerns must be 5,000 characters or fewer",
        },
    )
    family_aware = _choice(
        "Does the family know about this referral?",
        FamilyAware.choices,
        message="Select whether the family knows about this referral",
    )
    referrer_name = _text(
        "Referrer's name (optional)",
        max_length=200,
        hint="Only if someone outside the partnership raised the concern with you, for example a "
        "neighbour",
    )
    # The service names its team argument `to_team_id`.
    service_names = {"to_team_id": "to_team"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(receives_referrals=True).select_related("partner")
        self.fields["to_team"].choices = _blank_first(
            [(str(t.pk), f"{t.name}, {t.partner.name}") for t in teams], "Choose a team"
        )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "to_team_id": data["to_team"],
            "source": data["source"],
            "reasons": data["reasons"],
            "concerns": data["concerns"],
            "family_aware": data["family_aware"],
            "referrer_name": data["referrer_name"],
        }


class NewChildReferralForm(NewChildForm, ReferralForm):
    field_order = [
        *NewChildForm.field_order,
        "to_team",
        "source",
        "reasons",
        "concerns",
        "family_aware",
        "referrer_name",
    ]

    def service_fields(self) -> dict:
        child = {name: self.cleaned_data[name] for name in NewChildForm.field_order}
        return {**ReferralForm.service_fields(self), "new_child": child}


class EventForm(GovukForm):
    kind = _choice(
        "What happened?",
        _blank_first(EventKind.choices, "Choose what happened"),
        message="Choose what happened",
        widget=forms.Select,
    )
    occurred_on = GovukDateField(
        noun="The date",
        label="When did it happen?",
        required=True,
        past=True,
        error_messages={"required": "Enter the date it happened"},
    )
    occurred_time = _text("Time (optional)", max_length=8, hint="For example, 9:30am or 2:30pm")
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea,
        max_length=2000,
        help_text="What happened and what was done. "
        "Other partners working with the child will read this.",
        error_messages={
            "required": "Enter a summary",
            "max_length": "The summary must be 2,000 characters or fewer",
        },
    )
    govuk_options = {"occurred_time": {"classes": "govuk-input--width-5"}}
    service_names = {"occurred_at": "occurred_on"}

    def clean_occurred_time(self) -> time | None:
        text = self.cleaned_data["occurred_time"].strip().lower().replace(".", ":")
        if not text:
            return None
        for pattern in ("%H:%M", "%I:%M%p", "%I%p", "%H%M"):
            try:
                return datetime.strptime(text.replace(" ", ""), pattern).time()
            except ValueError:
                continue
        raise ValidationError("Enter a real time, like 9:30am or 2:30pm")

    def occurred_at(self) -> datetime:
        moment = datetime.combine(
            self.cleaned_data["occurred_on"], self.cleaned_data["occurred_time"] or time.min
        )
        return timezone.make_aware(moment)


NEW_PERSON = "new"


class RelationshipForm(GovukForm):
    person = forms.ChoiceField(
        label="Who is it?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who the person is, or 'Someone new'",
            "invalid_choice": "Select a person from the list",
        },
    )
    adult_given_name = _text("First name", message="Enter the person's first name")
    adult_family_name = _text("Last name", message="Enter the person's last name")
    adult_date_of_birth = GovukDateField(
        noun="Date of birth", label="Date of birth (optional)", required=False, past=True
    )
    adult_address = _text("Address (optional)", max_length=300)
    adult_postcode = _text("Postcode (optional)", max_length=10)
    kind = _choice(
        "What is this person to the child?",
        _blank_first(RelationshipKind.choices, "Choose a relationship"),
        message="Choose how this person is related to the child",
        widget=forms.Select,
        hint="For example, choose 'Parent' if this person is the child's parent",
    )
    govuk_options = {"adult_postcode": WIDTHS["postcode"]}
    service_names = {
        "other_person_id": "person",
        "given_name": "adult_given_name",
        "family_name": "adult_family_name",
        "date_of_birth": "adult_date_of_birth",
        "address": "adult_address",
        "postcode": "adult_postcode",
    }

    def clean_adult_postcode(self):
        return normalise_postcode(self.cleaned_data["adult_postcode"])

    def __init__(self, *args, people: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [*people, (NEW_PERSON, "Someone new")]

    def clean(self):
        data = super().clean()
        if data.get("person") == NEW_PERSON:
            for name, message in (
                ("adult_given_name", "Enter the person's first name"),
                ("adult_family_name", "Enter the person's last name"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        if data["person"] != NEW_PERSON:
            return {"kind": data["kind"], "other_person_id": data["person"]}
        adult = {
            "given_name": data["adult_given_name"],
            "family_name": data["adult_family_name"],
            "date_of_birth": data["adult_date_of_birth"],
            "address": data["adult_address"],
            "postcode": data["adult_postcode"],
        }
        return {"kind": data["kind"], "new_adult": adult}


class DecisionForm(ViewsForm):
    front_door = True  # the referral may be decided before anyone has met the family
    decision = _choice("What is your decision?", Decision.choices, message="Select a decision")
    reasons = forms.CharField(
        label="Why?",
        widget=forms.Textarea,
        max_length=5000,
        help_text="These notes are for the teams working with the child; the referrer sees the "
        "decision and the feedback you give them.",
        error_messages={
            "required": "Enter the reasons for your decision",
            "max_length": "The reasons must be 5,000 characters or fewer",
        },
    )


class FeedbackForm(GovukForm):
    message = forms.CharField(
        label="What do you want to tell the referrer?",
        widget=forms.Textarea,
        max_length=5000,
        help_text="What was decided and what happens next. Do not include details the referrer "
        "does not need to know.",
        error_messages={
            "required": "Enter the feedback for the referrer",
            "max_length": "The feedback must be 5,000 characters or fewer",
        },
    )


class KnownForm(GovukForm):
    nhs_number = _text("NHS number", max_length=20, hint=NHS_NUMBER_HINT)
    upn = _text("Unique pupil number (UPN)", max_length=20, hint=UPN_HINT)
    given_name = _text("First name", message="Enter the child's first name")
    family_name = _text("Last name", message="Enter the child's last name")
    date_of_birth = GovukDateField(
        noun="Date of birth", label="Date of birth", required=False, past=True
    )
    govuk_options = {
        "given_name": {"spellcheck": False, "autocomplete": "off"},
        "family_name": {"spellcheck": False, "autocomplete": "off"},
        **WIDTHS,
    }
    non_field_anchor = "nhs_number"

    def clean_nhs_number(self):
        return clean_nhs_number(self.cleaned_data["nhs_number"])

    def clean_upn(self):
        return clean_upn(self.cleaned_data["upn"])

    def clean(self):
        data = super().clean()
        if self.errors or data.get("nhs_number") or data.get("upn"):
            return data
        by_name = {
            "given_name": "Enter the child's first name",
            "family_name": "Enter the child's last name",
            "date_of_birth": "Enter the child's date of birth",
        }
        missing = [name for name in by_name if not data.get(name)]
        if len(missing) == len(by_name):
            raise ValidationError(
                "Enter an NHS number, a unique pupil number, or the child's full name and date "
                "of birth"
            )
        for name in missing:
            self.add_error(name, by_name[name])
        return data

    def lookup(self) -> dict:
        data = self.cleaned_data
        if data["nhs_number"]:
            return {"nhs_number": data["nhs_number"]}
        if data["upn"]:
            return {"upn": data["upn"]}
        return {
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "date_of_birth": data["date_of_birth"],
        }


class ChronologyFilterForm(GovukForm):
    """Narrow a long chronology to one partner, one kind of entry, or a span of dates. The
    choices are what the chronology holds, so no filter can come back empty by mistake."""

    partner = _choice("Partner", [], message="Choose a partner from the list",
                      widget=forms.Select, required=False)  # fmt: skip
    kind = _choice("What happened", [], message="Choose what happened from the list",
                   widget=forms.Select, required=False)  # fmt: skip
    date_from = GovukDateField(noun="The start date", label="From", required=False)
    date_to = GovukDateField(noun="The end date", label="To", required=False)

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("partner", "kind"):
            values = sorted({getattr(e, name) for e in entries})
            blank = "Every partner" if name == "partner" else "Anything"
            self.fields[name].choices = _blank_first([(v, v) for v in values], blank)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data

    def chosen(self, entries):
        """The entries the filters keep (all of them while the form has errors)."""
        if not self.is_bound or not self.is_valid():
            return entries
        data = self.cleaned_data
        return [
            e
            for e in entries
            if (not data["partner"] or e.partner == data["partner"])
            and (not data["kind"] or e.kind == data["kind"])
            and (not data["date_from"] or timezone.localdate(e.occurred_at) >= data["date_from"])
            and (not data["date_to"] or timezone.localdate(e.occurred_at) <= data["date_to"])
        ]


class AuditSearchForm(GovukForm):
    username = _text("Username", max_length=150)
    partner = _text("Partner", max_length=200, hint="The partner's name, like Example Police")
    # Chosen with the person finder (the page shows the name), never typed.
    child_id = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": "Find the person again: that link is broken"},
    )
    action = _choice(
        "What they did",
        _blank_first(AuditAction.choices, "Anything"),
        message="Choose an action from the list",
        widget=forms.Select,
        required=False,
    )
    date_from = GovukDateField(noun="The start date", label="From", required=False)
    date_to = GovukDateField(noun="The end date", label="To", required=False)
    govuk_options = {
        "username": {
            "spellcheck": False,
            "autocomplete": "off",
            "classes": "govuk-!-width-one-half",
        },
        "child_id": {
            "spellcheck": False,
            "autocomplete": "off",
            "classes": "govuk-!-width-two-thirds",
        },
    }

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data
