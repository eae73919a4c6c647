"""The portal's two forms, in plain words."""

from django import forms

from tandem.web.govuk import GovukForm


class PasscodeForm(GovukForm):
    passcode = forms.CharField(
        label="Your code",
        max_length=12,
        help_text="The 6 numbers your worker gave you",
        error_messages={
            "required": "Type the 6 numbers your worker gave you",
            "max_length": "Your code is 6 numbers",
        },
    )
    govuk_options = {
        "passcode": {
            "classes": "govuk-input--width-5",
            "inputmode": "numeric",
            "autocomplete": "one-time-code",
            "spellcheck": False,
        }
    }


class MessageForm(GovukForm):
    text = forms.CharField(
        label="What do you think about your plan?",
        widget=forms.Textarea,
        max_length=2000,
        help_text="Your worker will read this and write back. Do not use this if you are in "
        "danger now: call 999.",
        error_messages={
            "required": "Write what you think before you send it",
            "max_length": "Your message must be 2,000 characters or fewer",
        },
    )
