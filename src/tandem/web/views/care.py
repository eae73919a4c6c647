"""The child's looked-after record (the SSDA903's episodes, reviews, missing episodes, health
checks and care-leaver contacts), and the forms a council's social worker records care with.

Reads go through `care.selectors` (access checked, sliced by category, audited), writes through
`care.services`; a view parses the form and renders the answer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.policies import Action, role_allows
from tandem.audit.models import Purpose
from tandem.care.codelists import for_date
from tandem.care.selectors import care_record_get
from tandem.care.services import care_episode_end, care_episode_start
from tandem.partners.models import PartnerKind
from tandem.people.selectors import child_get
from tandem.web.care_forms import EpisodeEndForm, EpisodeStartForm
from tandem.web.decorators import page
from tandem.web.display import govuk_date

WORK = Purpose.DIRECT_WORK
FORM_PAGE = "web/care/form.html"


def _may_record(user) -> bool:
    partner = user.team.partner if user.team_id else None
    return role_allows(user, Action.RECORD_CARE) and (
        partner is not None and partner.kind == PartnerKind.LOCAL_AUTHORITY
    )


@page
def child_care(request, child_id):
    child = child_get(actor=request.user, child_id=child_id, purpose=WORK)
    record = care_record_get(actor=request.user, child_id=child_id, purpose=WORK)
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
            "may_record": _may_record(request.user),
        },
    )


def _save(form, call) -> bool:
    try:
        call()
    except ValidationError as e:
        form.add_service_errors(e)  # "local_authority" names no field: the top of the form
        return False
    return True


@page
def episode_new(request, child_id):
    child = child_get(actor=request.user, child_id=child_id, purpose=WORK)
    require_role(request.user, Action.RECORD_CARE)
    form = EpisodeStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        reason = fields.pop("reason_place_change")

        def start():
            care_episode_start(
                actor=request.user,
                child_id=child_id,
                purpose=WORK,
                reason_place_change=reason,
                **fields,
            )

        if _save(form, start):
            messages.success(request, "The new episode has been recorded")
            return redirect("web:child-care", child_id=child_id)
    return render(
        request,
        FORM_PAGE,
        {
            "child": child,
            "form": form,
            "title": "Record a new episode of care",
            "intro": "A new episode starts when the child starts to be looked after, or when "
            "their legal status or placement changes. The open episode, if there is one, ends "
            "the same day.",
            "button": "Record the episode",
        },
    )


@page
def episode_end(request, child_id, episode_id):
    child = child_get(actor=request.user, child_id=child_id, purpose=WORK)
    require_role(request.user, Action.RECORD_CARE)
    record = care_record_get(actor=request.user, child_id=child_id, purpose=WORK)
    episode = next((e for e in record.episodes if e.pk == episode_id), None)
    if episode is None or episode.ended_on is not None:
        raise NotFound("No open episode with that id is in your records")
    form = EpisodeEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def end():
            care_episode_end(
                actor=request.user,
                child_id=child_id,
                episode_id=episode_id,
                purpose=WORK,
                **form.cleaned_data,
            )

        if _save(form, end):
            messages.success(request, "The episode has ended")
            return redirect("web:child-care", child_id=child_id)
    return render(
        request,
        FORM_PAGE,
        {
            "child": child,
            "form": form,
            "title": "End the episode of care",
            "intro": f"The episode that started on {govuk_date(episode.started_on)}.",
            "button": "End the episode",
        },
    )
