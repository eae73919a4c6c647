"""Forms for the second step of signing in and the acceptable-use notice."""

from django import forms

from tandem.web.govuk import GovukForm


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 numbers your app shows for Tandem now, like 123456",
        max_length=12,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "max_length": "Enter the 6-digit code from your authenticator app",
        },
    )
    govuk_options = {
        "code": {
            "classes": "govuk-input--width-5",
            "inputmode": "numeric",
            "autocomplete": "one-time-code",
            "spellcheck": False,
        }
    }

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("The code must be 6 numbers, like 123456")
        return code


class AcceptableUseForm(GovukForm):
    accept = forms.MultipleChoiceField(
        label="Do you accept these conditions?",
        choices=[("yes", "I have read these conditions and I will follow them")],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Confirm that you have read the conditions and will follow them"
        },
    )


class SetUpCodeForm(GovukForm):
    set_up_code = forms.CharField(
        label="Set-up code",
        help_text="The code your information-governance lead gave you, like ABCDE-23456. It "
        "works once.",
        max_length=20,
        error_messages={
            "required": "Enter the set-up code you were given",
            "max_length": "Enter the set-up code you were given, like ABCDE-23456",
        },
    )
    govuk_options = {
        "set_up_code": {
            "classes": "govuk-input--width-10",
            "autocomplete": "off",
            "spellcheck": False,
        }
    }
