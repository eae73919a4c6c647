"""Forms of the looked-after record: a child starts to be looked after or changes placement or
legal status (a new episode), an episode ends, a review is held, the child goes missing.

The choices are the DfE's lists of the collection year in force today (read when the form is
made, so a server running over 1 April offers the new year's); the service checks each code
against the list of the year its episode starts in, and says which field is wrong."""

from django import forms
from django.utils import timezone

from tandem.care.codelists import for_date
from tandem.care.models import CareEpisode, CareReview, MissingEpisode
from tandem.web.forms import _choice, _text
from tandem.web.govuk import GovukDateField, GovukForm


def _coded(label: str, *, message: str, required=True, hint="") -> forms.ChoiceField:
    return _choice(label, [], message=message, widget=forms.Select, required=required, hint=hint)


class CodedForm(GovukForm):
    MODEL: type  # a `care.models.CodedModel`: its CODED names each field's DfE list
    WITHOUT: set[str] = set()  # codes the form does not offer

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lists = for_date(timezone.localdate())
        for name, list_name in self.MODEL.CODED.items():
            if name not in self.fields:
                continue
            self.fields[name].choices = [
                ("", "Choose"),
                *(
                    (code, f"{code}: {text}")
                    for code, text in lists.choices(list_name)
                    if code not in self.WITHOUT
                ),
            ]


class EpisodeStartForm(CodedForm):
    MODEL = CareEpisode
    started_on = GovukDateField(noun="Start date", label="Start date", required=True, past=True)
    reason_new = _coded(
        "Reason for the new episode", message="Choose the reason for the new episode"
    )
    legal_status = _coded("Legal status", message="Choose the legal status")
    category_of_need = _coded("Category of need", message="Choose the category of need")
    placement_type = _coded("Placement type", message="Choose the placement type")
    placement_provider = _coded("Placement provider", message="Choose the placement provider")
    placement_postcode = _text("Placement postcode", max_length=8)
    home_postcode = _text("Postcode of the child's home", max_length=8)
    urn = _text("Ofsted URN of the placement (if it has one)", max_length=8)
    reason_place_change = _coded(
        "Why the placement changed",
        message="Choose why the placement changed",
        required=False,
        hint="Needed when the child moves from one placement to another",
    )
    govuk_options = {
        name: {"classes": "govuk-input--width-10"}
        for name in ("placement_postcode", "home_postcode", "urn")
    }


class EpisodeEndForm(CodedForm):
    """The end of care. A move or a change of legal status is a new episode instead, so X1 (a
    new episode starts the same day) is not offered."""

    MODEL = CareEpisode
    WITHOUT = {"X1"}
    ended_on = GovukDateField(noun="End date", label="End date", required=True, past=True)
    reason_ended = _coded("Why the episode ended", message="Choose why the episode ended")


class ReviewForm(CodedForm):
    MODEL = CareReview
    held_on = GovukDateField(
        noun="Review date", label="Date of the review", required=True, past=True
    )
    participation = _coded("How the child took part", message="Choose how the child took part")


class MissingForm(CodedForm):
    MODEL = MissingEpisode
    kind = _coded("Missing or away", message="Choose whether the child was missing or away")
    started_on = GovukDateField(noun="Start date", label="Start date", required=True, past=True)
    ended_on = GovukDateField(
        noun="End date",
        label="End date",
        required=False,
        past=True,
        help_text="Leave it blank if the child is not back yet. For example, 27 3 2026",
    )
