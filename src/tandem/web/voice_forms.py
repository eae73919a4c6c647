"""The child's and the parent's or carer's view, as every decision form asks for it: whether it
was gathered; if so, in their words and how; if not, why not. Mixed into each decision's form;
the page draws it with the `views_fields` macro (web/casework/_views.html)."""

from django import forms

from tandem.casework.codes import HowGathered, NotGathered
from tandem.casework.voice import VIEW_FIELDS, Views
from tandem.web.govuk import GovukForm

GATHERED = [("yes", "Yes"), ("no", "No")]
# "Not asked yet" is offered only on the front door's threshold decision (`front_door`).
CHILD_NOT_GATHERED = [c for c in NotGathered.choices if c[0] != NotGathered.NOT_ASKED_YET]
PARENT_NOT_GATHERED = [c for c in CHILD_NOT_GATHERED if c[0] != NotGathered.TOO_YOUNG]


def _radios(label, choices, message):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": message},
    )


def _words(label):
    return forms.CharField(
        label=label,
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        help_text="Write down what they said, as they said it",
        error_messages={"max_length": "Their view must be 5,000 characters or fewer"},
    )


class ViewsForm(GovukForm):
    child_gathered = _radios(
        "Did you gather the child's view?",
        GATHERED,
        "Select whether you gathered the child's view",
    )
    child_view = _words("The child's view, in their words")
    child_view_how = _radios(
        "How did you gather it?", HowGathered.choices, "Select how the child's view was gathered"
    )
    child_not_gathered = _radios(
        "Why not?", CHILD_NOT_GATHERED, "Select why the child's view was not gathered"
    )
    parent_gathered = _radios(
        "Did you gather the parent's or carer's view?",
        GATHERED,
        "Select whether you gathered the parent's or carer's view",
    )
    parent_view = _words("The parent's or carer's view, in their words")
    parent_view_how = _radios(
        "How did you gather it?",
        HowGathered.choices,
        "Select how the parent's or carer's view was gathered",
    )
    parent_not_gathered = _radios(
        "Why not?", PARENT_NOT_GATHERED, "Select why the parent's or carer's view was not gathered"
    )

    # A front door decides on a referral before anyone has met the family: it may say so.
    front_door = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.front_door:
            not_yet = (NotGathered.NOT_ASKED_YET.value, NotGathered.NOT_ASKED_YET.label)
            for who in ("child", "parent"):
                field = self.fields[f"{who}_not_gathered"]
                field.choices = [not_yet, *field.choices]

    def clean(self):
        data = super().clean()
        for who, noun in (("child", "the child's"), ("parent", "the parent's or carer's")):
            gathered = data.get(f"{who}_gathered")
            if gathered == "yes":
                data[f"{who}_not_gathered"] = ""
            elif gathered == "no":
                data[f"{who}_view"] = data[f"{who}_view_how"] = ""
            elif f"{who}_gathered" not in self.errors:
                self.add_error(f"{who}_gathered", f"Select whether you gathered {noun} view")
        return data

    def views(self) -> Views:
        return Views.from_data({name: self.cleaned_data.get(name) for name in VIEW_FIELDS})

    def other_fields(self) -> dict:
        skip = set(VIEW_FIELDS) | {"child_gathered", "parent_gathered"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}
