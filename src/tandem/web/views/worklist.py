"""The triage worklist (issue 5): flagged children the viewer may see and nobody has referred
yet, each with the indicators that fired; filter by rule, partner and date; record a decision
(refer, early help, no action) with reasons, which joins the child's chronology."""

from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from tandem.linkage.models import TriageDecision
from tandem.linkage.triage import SORTS, Filters, flag_decide, flag_get, worklist, worklist_choices
from tandem.web.decorators import page
from tandem.web.govuk import GovukDateField, GovukForm

PAGE = 50


class FilterForm(GovukForm):
    rule = forms.ChoiceField(label="Flag", required=False, choices=[])
    partner = forms.ChoiceField(label="Partner", required=False, choices=[])
    since = GovukDateField(noun="Latest indicator from", required=False, label="From")
    until = GovukDateField(noun="Latest indicator to", required=False, label="To")
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("latest", "Latest indicator first"),
            ("partners", "Most partners first"),
            ("oldest", "Oldest indicator first"),
        ],
    )

    def __init__(self, *args, rules=(), partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "All flags"), *rules]
        self.fields["partner"].choices = [("", "All partners"), *((p, p) for p in partners)]


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=TriageDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision", "invalid_choice": "Choose a decision"},
    )
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea,
        max_length=1500,
        help_text="Why, in words a colleague and the family could read",
        error_messages={
            "required": "Enter the reasons for the decision",
            "max_length": "Reasons must be 1500 characters or fewer",
        },
    )


@page
def worklist_page(request):
    rules, partners = worklist_choices(actor=request.user)
    form = FilterForm(request.GET or None, rules=rules, partners=partners)
    filters = Filters()
    if request.GET and form.is_valid():
        data = form.cleaned_data
        filters = Filters(
            rule=data["rule"],
            partner=data["partner"],
            since=data["since"],
            until=data["until"],
            sort=data["sort"] if data["sort"] in SORTS else "latest",
        )
    number = int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1
    number = min(max(1, number), 20_000)  # an offset the database can hold
    flags = []
    if not form.errors:  # one more than a page, to know whether there is a next page
        flags = worklist(
            actor=request.user, filters=filters, limit=PAGE + 1, offset=(number - 1) * PAGE
        )
    more, flags = len(flags) > PAGE, flags[:PAGE]

    def page_url(n):
        query = request.GET.copy()
        query["page"] = str(n)
        query.pop("decided", None)
        return f"?{query.urlencode()}"

    return render(
        request,
        "web/worklist/index.html",
        {
            "form": form,
            "flags": flags,
            "decided": request.GET.get("decided") == "1",
            "previous_url": page_url(number - 1) if number > 1 else "",
            "next_url": page_url(number + 1) if more else "",
            "number": number,
        },
    )


@page
def flag_decision(request, flag_id: UUID):
    flag = flag_get(actor=request.user, flag_id=flag_id)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            flag_decide(actor=request.user, flag_id=flag.pk, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_errors(e)
        else:
            if form.cleaned_data["decision"] == TriageDecision.REFER:
                # A decision to refer is made real by the referral: straight to its form.
                messages.success(request, "Decision recorded: now make the referral")
                child = flag.linked_person.person_id
                return redirect(f"{reverse('web:referral-new')}?child={child}")
            return redirect(f"{reverse('web:worklist')}?decided=1")
    return render(request, "web/worklist/decision.html", {"flag": flag, "form": form})
