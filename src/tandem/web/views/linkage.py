"""Linkage (issue 5): start a linking run over every loaded extract, and the clerical review
queue — pairs the model was unsure of, each with its explanation, settled with one click.
Analysts and team managers (Action.REVIEW_LINKS), for pairs with a record of their partner."""

from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from tandem.linkage import linking
from tandem.linkage.evidence import linkage_evidence
from tandem.linkage.models import PairStatus
from tandem.linkage.review import pair_decide
from tandem.linkage.selectors import pair_get, review_queue
from tandem.web.decorators import page
from tandem.web.govuk import GovukForm
from tandem.web.views.common import page_number, paged

DECIDED_WORDS = {PairStatus.CONFIRMED: "same person", PairStatus.REJECTED: "different people"}


@page
def linkage_page(request):
    if request.method == "POST":
        job = linking.link_start(actor=request.user)
        return redirect("web:job", job_id=job.pk)
    pairs = review_queue(actor=request.user, page=page_number(request))
    return render(
        request,
        "web/linkage/index.html",
        {
            "pairs": pairs,
            "pagination": paged(request, pairs)["pagination"],
            "decided": DECIDED_WORDS.get(request.GET.get("decided", ""), ""),
        },
    )


@page
def pair_decision(request, pair_id: UUID):
    pair = pair_get(actor=request.user, pair_id=pair_id)  # 404 before anything else
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    decision = request.POST.get("decision", "")
    try:
        pair_decide(actor=request.user, pair_id=pair.pk, decision=decision)
    except ValidationError:
        return redirect("web:linkage")
    return redirect(f"{reverse('web:linkage')}?decided={decision}")


class TruthForm(GovukForm):
    truth = forms.FileField(
        label="Truth file (synthetic extracts only)",
        help_text="truth.csv from tandem extracts: source, record_id, person_id",
        error_messages={"required": "Select the truth file"},
    )


@page
def evidence_page(request):
    form = TruthForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    truth = ""
    if request.method == "POST" and form.is_valid():
        try:
            truth = form.cleaned_data["truth"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("truth", "The truth file must be UTF-8 text")
    try:
        evidence = linkage_evidence(actor=request.user, truth_text=truth)
    except ValidationError as e:
        form.add_service_errors(e)
        evidence = linkage_evidence(actor=request.user)
    return render(request, "web/linkage/evidence.html", {"form": form, "ev": evidence})
