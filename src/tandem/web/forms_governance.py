"""Forms for the information-governance pages: emergency access and its review."""

from django import forms
from django.core.exceptions import ValidationError

from tandem.access.models import Review
from tandem.web.forms import (
    NHS_NUMBER_HINT,
    UPN_HINT,
    WIDTHS,
    _choice,
    _text,
    clean_nhs_number,
    clean_upn,
)
from tandem.web.govuk import GovukDateField, GovukForm


class BreakGlassForm(GovukForm):
    nhs_number = _text("NHS number", max_length=20, hint=NHS_NUMBER_HINT)
    upn = _text("Unique pupil number (UPN)", max_length=20, hint=UPN_HINT)
    reason = forms.CharField(
        label="Why do you need to see this record now?",
        help_text="Say what the emergency is and why it cannot wait for the team that owns the "
        "case. Your reason is sent to that team and to the information-governance lead.",
        max_length=2000,
        widget=forms.Textarea,
        error_messages={
            "required": "Say why you need emergency access to this record",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )
    govuk_options = {**WIDTHS}
    non_field_anchor = "nhs_number"

    def clean_nhs_number(self):
        return clean_nhs_number(self.cleaned_data["nhs_number"])

    def clean_upn(self):
        return clean_upn(self.cleaned_data["upn"])

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("nhs_number") or data.get("upn")):
            raise ValidationError("Enter the child's NHS number or unique pupil number")
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


class SarForm(GovukForm):
    person_id = forms.UUIDField(
        label="Record id of the person",
        help_text="From the address of their record, like 1b4e28ba-2fa1-41d2-883f-0016d3cca427",
        error_messages={
            "required": "Enter the record id of the person who asked",
            "invalid": "Enter a record id like 1b4e28ba-2fa1-41d2-883f-0016d3cca427",
        },
    )
    requester = _text("Who made the request", required=True, max_length=200)
    received_on = GovukDateField(noun="The date received", label="Date received", past=True)
    service_names = {
        "person_id": "person_id",
        "requester": "requester",
        "received_on": "received_on",
    }


class RedactionForm(GovukForm):
    item_key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    reason = _text(
        "Why is this item withheld?",
        required=True,
        max_length=500,
        message="Say why this item is withheld (for example, it is about someone else)",
    )
    # An item that is not this request's is reported on the reason box the user typed in.
    service_names = {"item_key": "reason", "reason": "reason"}
