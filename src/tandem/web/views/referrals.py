"""Making a referral, the referrals a practitioner made, a team's front-door queue, the
threshold decision and the feedback to the referrer."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from tandem.access.checks import require_role
from tandem.access.grants import child_grant
from tandem.access.policies import Action, role_allows
from tandem.audit.models import Purpose
from tandem.people.selectors import child_get
from tandem.referrals.codes import Status
from tandem.referrals.selectors import (
    referral_counts,
    referral_get,
    referrals_made_by,
    referrals_to_team,
)
from tandem.referrals.services import referral_create, referral_decide, referral_feedback_give
from tandem.web.decorators import page
from tandem.web.forms import DecisionForm, FeedbackForm, NewChildReferralForm, ReferralForm
from tandem.web.views.common import page_number, pagination

REFERRAL = Purpose.REFERRAL


def _child_from_query(request):
    """`?child=<id>`: a referral for a child already on the user's records, or None."""
    raw = request.GET.get("child", "")
    if not raw:
        return None
    try:
        child_id = UUID(raw)
    except ValueError:
        raise Http404("Not found") from None
    return child_get(grant=child_grant(actor=request.user, child_id=child_id, purpose=REFERRAL))


@page
def referral_new(request):
    require_role(request.user, Action.MAKE_REFERRAL)
    child = _child_from_query(request)
    form_class = ReferralForm if child else NewChildReferralForm
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            about = {"child_id": child.pk} if child else {}
            try:
                referral = referral_create(
                    actor=request.user, purpose=REFERRAL, **form.service_fields(), **about
                )
            except ValidationError as e:
                form.add_service_errors(e, form.service_names)
            else:
                return redirect("web:referral-sent", referral_id=referral.pk)
    else:
        form = form_class()
    return render(request, "web/referrals/new.html", {"form": form, "child": child})


@page
def referral_sent(request, referral_id):
    referral, _ = referral_get(actor=request.user, referral_id=referral_id, purpose=REFERRAL)
    return render(request, "web/referrals/sent.html", {"referral": referral})


def _can_decide(user) -> bool:
    return role_allows(user, Action.DECIDE_REFERRAL)


@page
def referrals_made(request):
    found = referrals_made_by(actor=request.user, purpose=REFERRAL, page=page_number(request))
    return render(
        request,
        "web/referrals/made.html",
        {
            "referrals": found,
            "pagination": pagination(request, number=found.number, total=found.paginator.count),
            "can_decide": _can_decide(request.user),
            "section": "made",
        },
    )


@page
def referrals_received(request):
    open_only = request.GET.get("show") != "all"
    found = referrals_to_team(
        actor=request.user, purpose=REFERRAL, open_only=open_only, page=page_number(request)
    )
    return render(
        request,
        "web/referrals/received.html",
        {
            "referrals": found,
            "counts": referral_counts(actor=request.user),
            "pagination": pagination(request, number=found.number, total=found.paginator.count),
            "open_only": open_only,
            "can_decide": True,
            "section": "received",
        },
    )


def _received_referral(request, referral_id):
    """A referral to the user's own team, for a user whose role decides referrals."""
    require_role(request.user, Action.DECIDE_REFERRAL)
    referral, in_full = referral_get(actor=request.user, referral_id=referral_id, purpose=REFERRAL)
    if referral.to_team_id != request.user.team_id:
        raise Http404("Not found")
    return referral, in_full


@page
def referral_detail(request, referral_id):
    referral, in_full = referral_get(actor=request.user, referral_id=referral_id, purpose=REFERRAL)
    for_my_team = _can_decide(request.user) and referral.to_team_id == request.user.team_id
    return render(
        request,
        "web/referrals/detail.html",
        {
            "referral": referral,
            "in_full": in_full,
            "for_my_team": for_my_team,
            "decision": getattr(referral, "decision", None),
            # The views the decision recorded: for those who see the referral in full only.
            "views": in_full and referral.decision_records.filter(kind="threshold").first(),
            "feedback": list(referral.feedback.all()),
        },
    )


@page
def referral_decision(request, referral_id):
    referral, _ = _received_referral(request, referral_id)
    if referral.status != Status.SUBMITTED:
        messages.success(request, "A decision has already been recorded for this referral")
        return redirect("web:referral", referral_id=referral_id)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                referral_decide(
                    actor=request.user,
                    referral_id=referral_id,
                    purpose=REFERRAL,
                    views=form.views(),
                    **form.other_fields(),
                )
            except ValidationError as e:
                form.add_service_errors(e)
            else:
                messages.success(
                    request, "Decision recorded. Now tell the referrer what happens next."
                )
                return redirect("web:referral-feedback", referral_id=referral_id)
    else:
        form = DecisionForm()
    return render(request, "web/referrals/decision.html", {"referral": referral, "form": form})


@page
def referral_feedback(request, referral_id):
    referral, _ = _received_referral(request, referral_id)
    if referral.status == Status.SUBMITTED:
        return redirect("web:referral-decision", referral_id=referral_id)
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                referral_feedback_give(
                    actor=request.user,
                    referral_id=referral_id,
                    purpose=REFERRAL,
                    **form.cleaned_data,
                )
            except ValidationError as e:
                form.add_service_errors(e)
            else:
                messages.success(request, "Feedback sent to the referrer")
                return redirect("web:referral", referral_id=referral_id)
    else:
        form = FeedbackForm()
    return render(request, "web/referrals/feedback.html", {"referral": referral, "form": form})
