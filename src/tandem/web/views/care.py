"""The child's looked-after record (the SSDA903's episodes, reviews, missing episodes, health
checks and care-leaver contacts), and the forms a council's social worker records care with.

Reads go through `care.selectors` (access checked, sliced by category, audited), writes through
`care.services`; a view parses the form and renders the answer."""

from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from tandem.access.errors import NotFound
from tandem.access.grants import child_grant
from tandem.audit.models import Purpose
from tandem.care.codelists import for_date
from tandem.care.selectors import care_episode_get, care_record_get
from tandem.care.services import (
    care_episode_end,
    care_episode_start,
    care_item_record,
    may_record_care,
)
from tandem.people.selectors import child_get
from tandem.web.care_forms import EpisodeEndForm, EpisodeStartForm, MissingForm, ReviewForm
from tandem.web.decorators import page
from tandem.web.display import govuk_date

WORK = Purpose.DIRECT_WORK


def _grant(request, child_id):
    return child_grant(actor=request.user, child_id=child_id, purpose=WORK)


def _require_recorder(user, child) -> None:
    if not may_record_care(user, child.categories):
        raise PermissionDenied(
            "Only a local authority's social worker or team manager working with the child "
            "records their care"
        )


@page
def child_care(request, child_id):
    grant = _grant(request, child_id)
    child = child_get(grant=grant)
    record = care_record_get(grant=grant)
    open_episode = next((e for e in record.episodes if e.ended_on is None), None)
    return render(
        request,
        "web/care/child_care.html",
        {
            "child": child,
            "section": "care",
            "record": record,
            "open_episode": open_episode,
            "labels": for_date(timezone.localdate()).codes,
            "may_record": may_record_care(request.user, child.categories),
        },
    )


@dataclass(frozen=True)
class Words:
    """What a form page says."""

    title: str
    intro: str
    button: str
    done: str  # the message back on the looked-after page


def _form_page(request, child, form, words: Words, write):
    """A form of the looked-after record: on a valid POST, `write(**form.cleaned_data)`, then
    back to the looked-after page; a service's ValidationError goes on the field it names
    ("local_authority" names none: the top of the form)."""
    if request.method == "POST" and form.is_valid():
        try:
            write(**form.cleaned_data)
        except ValidationError as e:
            form.add_service_errors(e)
        else:
            messages.success(request, words.done)
            return redirect("web:child-care", child_id=child.pk)
    context = {"child": child, "form": form, "words": words}
    return render(request, "web/care/form.html", context)


@page
def episode_new(request, child_id):
    grant = _grant(request, child_id)
    child = child_get(grant=grant)
    _require_recorder(request.user, child)
    words = Words(
        "Record a new episode of care",
        "A new episode starts when the child starts to be looked after, or when their legal "
        "status or placement changes. The open episode, if there is one, ends the same day.",
        "Record the episode",
        "The new episode has been recorded",
    )
    write = partial(care_episode_start, grant=grant)
    return _form_page(request, child, EpisodeStartForm(request.POST or None), words, write)


@page
def episode_end(request, child_id, episode_id):
    grant = _grant(request, child_id)
    child = child_get(grant=grant)
    _require_recorder(request.user, child)
    episode = care_episode_get(grant=grant, episode_id=episode_id)
    if episode.ended_on is not None:
        raise NotFound("No open episode with that id is in your records")
    words = Words(
        "End the episode of care",
        f"The episode that started on {govuk_date(episode.started_on)}.",
        "End the episode",
        "The episode has ended",
    )
    write = partial(care_episode_end, grant=grant, episode_id=episode_id)
    return _form_page(request, child, EpisodeEndForm(request.POST or None), words, write)


# The other parts of the record a form records (`care.services.ITEMS`), by URL.
ITEMS = {
    "review": (
        ReviewForm,
        Words(
            "Record a review",
            "A review of the child's care plan by the independent reviewing officer, and how "
            "the child took part in it.",
            "Record the review",
            "The review has been recorded",
        ),
    ),
    "missing": (
        MissingForm,
        Words(
            "Record a missing episode",
            "The child was missing from their placement, or away from it without authorisation.",
            "Record the missing episode",
            "The missing episode has been recorded",
        ),
    ),
}


@page
def item_new(request, child_id, part):
    grant = _grant(request, child_id)
    child = child_get(grant=grant)
    _require_recorder(request.user, child)
    form_class, words = ITEMS[part]
    write = partial(care_item_record, grant=grant, part=part)
    return _form_page(request, child, form_class(request.POST or None), words, write)
