"""The outcomes pages' forms: which cohort (spells started between two days); on a child's
record, a spell of a service started or ended, and an SDQ typed in from the paper form."""

from django import forms

from tandem.outcomes.models import SpellEnd
from tandem.outcomes.services import SCALE_NAMES as SCALES
from tandem.web.govuk import GovukDateField, GovukForm


class PeriodForm(GovukForm):
    started_from = GovukDateField(
        noun="The start of the period", label="Started from", past=True, required=False
    )
    started_to = GovukDateField(
        noun="The end of the period", label="Started by", past=True, required=False
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("started_from"), data.get("started_to")
        if start and end and start > end:
            self.add_error(
                "started_to", "The end of the period must be the same as or after its start"
            )
        return data


class SpellStartForm(GovukForm):
    person = forms.ChoiceField(
        label="Who received it",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who received it",
            "invalid_choice": "Choose who received it",
        },
    )
    service = forms.ChoiceField(
        label="Service",
        widget=forms.Select,
        error_messages={"required": "Choose the service", "invalid_choice": "Choose the service"},
    )
    started_on = GovukDateField(noun="Start date", label="Started on", past=True)

    def __init__(self, *args, services=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "Choose")] + [(str(s.pk), s.name) for s in services]
        self.fields["person"].choices = [(str(p.pk), p.full_name) for p in people]
        if people:
            self.fields["person"].initial = str(people[0].pk)


class SpellEndForm(GovukForm):
    ended_on = GovukDateField(noun="End date", label="Ended on", past=True)
    reason = forms.ChoiceField(
        label="Why it ended",
        choices=SpellEnd.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose why it ended",
            "invalid_choice": "Choose why it ended",
        },
    )


ANSWERS = [
    ("", "Blank"),
    ("0", "0: not true"),
    ("1", "1: somewhat true"),
    ("2", "2: certainly true"),
]


class SdqForm(GovukForm):
    """A paper SDQ typed in: the answer to each item by its number (the questions themselves
    are youthinmind's, on the paper form), or the scales of a form scored by hand."""

    informant = forms.ChoiceField(
        label="Who completed it",
        choices=[
            ("parent", "A parent or carer"),
            ("teacher", "A teacher"),
            ("self", "The young person (11 to 17)"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who completed it",
            "invalid_choice": "Choose who completed it",
        },
    )
    completed_on = GovukDateField(noun="Date it was completed", label="Completed on", past=True)
    difficulties = forms.ChoiceField(
        label="Overall, difficulties? (the impact supplement's first question)",
        choices=[
            ("", "Not answered"),
            ("0", "No"),
            ("1", "Yes, minor"),
            ("2", "Yes, definite"),
            ("3", "Yes, severe"),
        ],
        widget=forms.Select,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, 26):
            self.fields[f"item_{i}"] = forms.ChoiceField(
                label=f"Item {i}", choices=ANSWERS, required=False, widget=forms.Select
            )
        for name in SCALES:
            top = 10
            self.fields[f"score_{name}"] = forms.IntegerField(
                label=name.capitalize(), required=False, min_value=0, max_value=top,
                error_messages={"invalid": f"The {name} score is a whole number from 0 to {top}",
                                "min_value": f"The {name} score is from 0 to {top}",
                                "max_value": f"The {name} score is from 0 to {top}"},
            )  # fmt: skip

    def clean(self):
        data = super().clean()
        answers = {i: data.get(f"item_{i}") for i in range(1, 26) if data.get(f"item_{i}")}
        scores = {n: data.get(f"score_{n}") for n in SCALES if data.get(f"score_{n}") is not None}
        if answers and scores:
            self.add_error(
                None, "Type the item answers or the scores of a form scored by hand, not both"
            )
        elif not answers and not scores:
            self.add_error(None, "Type the answers to the items, or the scores")
        data["answers"] = {str(i): int(v) for i, v in answers.items()} if answers else None
        data["scores"] = scores or None
        return data


class StarForm(GovukForm):
    """One Outcomes Star assessment typed in: each area's reading, 1 to 10, by the area's name
    (the Star's scale descriptions are Triangle's, on its own materials)."""

    read_on = GovukDateField(noun="Date of the assessment", label="Assessed on", past=True)

    def __init__(self, *args, star=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.star = star
        for area in star.areas:
            label = area.replace("-", " ").capitalize()
            self.fields[f"area_{area}"] = forms.IntegerField(
                label=label, required=False, min_value=1, max_value=10,
                error_messages={
                    "invalid": f"{label}: a reading is a whole number from 1 to 10",
                    "min_value": f"{label}: a reading is from 1 to 10",
                    "max_value": f"{label}: a reading is from 1 to 10",
                },
            )  # fmt: skip

    def clean(self):
        data = super().clean()
        data["readings"] = {
            area: data[f"area_{area}"]
            for area in self.star.areas
            if data.get(f"area_{area}") is not None
        }
        if not data["readings"] and not self.errors:
            self.add_error(None, "Type at least one area's reading")
        return data
