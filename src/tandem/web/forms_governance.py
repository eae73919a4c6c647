"""Forms for the information-governance pages: emergency access and its review."""

from django import forms
from django.core.exceptions import ValidationError

from tandem.access.categories import NAMED_ONLY, Category
from tandem.access.models import (
    LawfulBasis,
    RestrictionKind,
    Review,
    SarExemption,
    Schedule1Condition,
    SharingPurpose,
)
from tandem.web.forms import (
    NHS_NUMBER_HINT,
    UPN_HINT,
    WIDTHS,
    ChildSearchForm,
    _choice,
    _text,
    clean_nhs_number,
    clean_upn,
)
from tandem.web.govuk import GovukDateField, GovukForm


def _partner_choices(partners) -> list[tuple[str, str]]:
    return [("", "Choose"), *((str(p.pk), p.name) for p in partners)]


def _shareable_categories() -> list[tuple[str, str]]:
    """The record categories an agreement or a share names (not those only named people see)."""
    return [(c.value, c.label) for c in Category if c not in NAMED_ONLY]


class PersonFindForm(ChildSearchForm):
    """An IG lead finds a person to act on (by name, date of birth, NHS number or UPN)."""

    postcode = None
    about = "the person"


class BreakGlassForm(GovukForm):
    nhs_number = _text("NHS number", max_length=20, hint=NHS_NUMBER_HINT)
    upn = _text("Unique pupil number (UPN)", max_length=20, hint=UPN_HINT)
    given_name = _text("First name", max_length=100)
    family_name = _text("Last name", max_length=100)
    date_of_birth = GovukDateField(
        noun="Date of birth", label="Date of birth", required=False, past=True
    )
    reason = forms.CharField(
        label="Why do you need to see this record now?",
        help_text="At least 20 characters. Say what the emergency is and why it cannot wait for "
        "the team that owns the case. Your reason is sent to the information-governance lead.",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={
            "required": "Say why you need emergency access to this record",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
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

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 20:
            raise ValidationError(
                "Say why you need emergency access to this record (at least 20 characters)"
            )
        return reason

    def clean(self):
        data = super().clean()
        if data.get("nhs_number") or data.get("upn"):
            return data
        by_name = {
            "given_name": "Enter the child's first name, or their NHS number or UPN",
            "family_name": "Enter the child's last name",
            "date_of_birth": "Enter the child's date of birth",
        }
        for name, message in by_name.items():
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        return data


class BreakGlassReviewForm(GovukForm):
    outcome = _choice(
        "Was this emergency access appropriate?",
        [(Review.APPROPRIATE, "Appropriate"), (Review.INAPPROPRIATE, "Inappropriate")],
        message="Choose whether the access was appropriate or inappropriate",
    )
    note = forms.CharField(
        label="Notes",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="Needed if the access was inappropriate: what happens next",
        error_messages={"max_length": "Notes must be 2,000 characters or fewer"},
    )
    service_names = {"outcome": "outcome", "note": "note"}


def _record_id(noun: str) -> forms.UUIDField:
    """The person a governance form acts on, chosen with the person finder (the page shows
    their name: `person_picker` in web/governance/_person.html), kept as a hidden id."""
    return forms.UUIDField(
        label=f"The person {noun}",
        widget=forms.HiddenInput,
        error_messages={
            "required": f"Find the person {noun} first",
            "invalid": f"Find the person {noun} first",
        },
    )


class SarForm(GovukForm):
    person_id = _record_id("who asked, or whom the request is about,")
    requester = _text("Who made the request", required=True, max_length=200)
    received_on = GovukDateField(noun="The date received", label="Date received", past=True)
    service_names = {
        "person_id": "person_id",
        "requester": "requester",
        "received_on": "received_on",
    }


class RedactionForm(GovukForm):
    item_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    exemption = forms.ChoiceField(
        choices=SarExemption.choices,
        required=False,  # not chosen: about another person, the commonest
        error_messages={"invalid_choice": "Choose the exemption from the list"},
    )
    reason = _text(
        "Why is this item withheld?",
        required=True,
        max_length=500,
        message="Say why this item is withheld (for example, it is about someone else)",
    )
    # An item that is not this request's is reported on the reason box the user typed in.
    service_names = {"item_key": "reason", "reason": "reason", "exemption": "reason"}

    def clean_exemption(self):
        return self.cleaned_data["exemption"] or SarExemption.THIRD_PARTY


class ReleaseForm(GovukForm):
    """Release an item that starts withheld (about another person; a protected address)."""

    item_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    reason = _text(
        "Why may this item be released?",
        required=True,
        max_length=500,
        message="Say why this item may be released (for example, they consented)",
    )
    service_names = {"item_key": "reason", "reason": "reason"}


# -- information-sharing agreements, legal holds, restrictions, consent (issue 4) -------------


class AgreementForm(GovukForm):
    title = _text("Title", required=True, max_length=200, message="Enter the agreement's title")
    summary = forms.CharField(
        label="Summary (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        help_text="What the partners share, why, and where the signed agreement is kept",
        error_messages={"max_length": "The summary must be 4,000 characters or fewer"},
    )
    starts_on = GovukDateField(noun="The start date", label="Starts on")
    service_names = {"title": "title", "summary": "summary", "starts_on": "starts_on"}


def _select(label: str, choices, *, message: str, hint: str = "") -> forms.ChoiceField:
    return _choice(
        label, [("", "Choose"), *choices], message=message, widget=forms.Select, hint=hint
    )


class GrantForm(GovukForm):
    """What the IG lead's own partner shares under the agreement, with whom, why and on what
    basis (the service decides whether the category may be shared at all)."""

    to_partner = _select("Share with", [], message="Choose the partner you share with")
    category = _select("What is shared", [], message="Choose what is shared")
    purpose = _choice(
        "For what purpose", SharingPurpose.choices, message="Choose the purpose of the share"
    )
    lawful_basis = _choice(
        "Lawful basis (UK GDPR Article 6)",
        LawfulBasis.choices,
        message="Choose the lawful basis for sharing",
    )
    schedule1_condition = _choice(
        "Condition for sensitive information (DPA 2018 Schedule 1)",
        [(v, t) for v, t in Schedule1Condition.choices if v],
        message="Choose the Schedule 1 condition",
        required=False,
        hint="Needed for police information, sexual health, gender identity and adoption",
    )
    service_names = {
        "to_partner_id": "to_partner",
        "to_partner": "to_partner",
        "category": "category",
        "purpose": "purpose",
        "lawful_basis": "lawful_basis",
        "schedule1_condition": "schedule1_condition",
        "agreement": "to_partner",
    }

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_partner"].choices = _partner_choices(partners)
        self.fields["category"].choices = [("", "Choose"), *_shareable_categories()]


class LegalHoldForm(GovukForm):
    child_id = _record_id("whose record must be kept")
    reason = _text(
        "Why must the record be kept?",
        required=True,
        max_length=500,
        message="Say why the record must be kept",
        hint="For example, a court case, an inquiry or a complaint, with its reference",
    )
    service_names = {"child_id": "child_id", "reason": "reason"}


class RestrictionForm(GovukForm):
    child_id = _record_id("to restrict")
    kind = _choice(
        "What is restricted",
        RestrictionKind.choices,
        message="Choose whether the whole record or the address is restricted",
    )
    reason = _text(
        "Why?", required=True, max_length=500, message="Say why the record is restricted"
    )
    named_people = forms.CharField(
        label="Who may see it",
        help_text="Usernames, one a line. You are named too, so someone can always lift it.",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Name at least one person who may see the record"},
    )
    service_names = {
        "child_id": "child_id",
        "kind": "kind",
        "reason": "reason",
        "named_people": "named_people",
    }

    def clean_named_people(self):
        from tandem.partners.models import User

        names = sorted({n.strip() for n in self.cleaned_data["named_people"].split() if n.strip()})
        found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
        missing = [n for n in names if n not in found]
        if missing:
            raise ValidationError(f"No active user with the username {', '.join(missing)}")
        return [found[n] for n in names]


class ConsentForm(GovukForm):
    purpose = _choice(
        "Consent to share for", SharingPurpose.choices, message="Choose what the consent is for"
    )
    given_by = _text(
        "Who gave consent",
        required=True,
        max_length=200,
        message="Say who gave consent",
        hint="For example, the young person, or their mother",
    )
    given_on = GovukDateField(noun="The date consent was given", label="Date given", past=True)
    service_names = {"purpose": "purpose", "given_by": "given_by", "given_at": "given_on"}


class ConsentWithdrawForm(GovukForm):
    note = _text(
        "How was consent withdrawn?",
        required=True,
        max_length=500,
        message="Say who withdrew consent and how",
        hint="For example, mother phoned on 3 March",
    )
    service_names = {"note": "note"}


class ShareDecisionForm(GovukForm):
    """A decision to share a child's information, or not to (golden rule 7). Whether the basis
    holds (consent standing, a Schedule 1 condition for sensitive information, reasons) is the
    service's to say; the form only reads the answers."""

    shared = _choice(
        "Did you decide to share?",
        [("yes", "Yes, I shared"), ("no", "No, I decided not to share")],
        message="Choose whether you shared",
    )
    with_partner = _choice(
        "Shared with, or asked by (optional)",
        [],
        message="Choose a partner from the list",
        widget=forms.Select,
        required=False,
    )
    categories = forms.MultipleChoiceField(
        label="What information",
        choices=_shareable_categories(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose the information from the list"},
    )
    purpose = _choice(
        "For what purpose", SharingPurpose.choices, message="Choose the purpose of the share"
    )
    lawful_basis = _choice(
        "Lawful basis (UK GDPR Article 6)",
        LawfulBasis.choices,
        message="Choose the lawful basis for sharing",
        required=False,
        hint="Needed when you shared",
    )
    schedule1_condition = _choice(
        "Condition for sensitive information (DPA 2018 Schedule 1)",
        [(v, t) for v, t in Schedule1Condition.choices if v],
        message="Choose the Schedule 1 condition",
        required=False,
        hint="Needed when you shared police information, sexual health, gender identity or "
        "adoption",
    )
    reasons = forms.CharField(
        label="Your reasons",
        help_text="Why you shared, or why you decided not to: who you spoke to and what you "
        "weighed up",
        max_length=4000,
        required=False,
        widget=forms.Textarea,
        error_messages={"max_length": "Your reasons must be 4,000 characters or fewer"},
    )
    service_names = {
        "shared": "shared",
        "with_partner": "with_partner",
        "categories": "categories",
        "purpose": "purpose",
        "lawful_basis": "lawful_basis",
        "schedule1_condition": "schedule1_condition",
        "reasons": "reasons",
    }

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["with_partner"].choices = _partner_choices(partners)


class SetUpCodeIssueForm(GovukForm):
    username = _text(
        "Username",
        required=True,
        max_length=150,
        message="Enter the username of the person who needs a set-up code",
        hint="Someone in your organisation setting up their authenticator app for the first "
        "time, or after losing their phone",
    )
