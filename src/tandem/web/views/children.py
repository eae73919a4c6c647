"""Caseload, finding a child, and the child's record with its sub-pages and changes.

Every read goes through `people.selectors` (which checks access and writes the audit rows) and
every change through `people.services`; a view only parses the form and renders the answer.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from tandem.access.checks import require_role
from tandem.access.grants import child_grant
from tandem.access.policies import (
    ALLOCATED,
    BREAK_GLASS,
    NAMED_ON_RESTRICTION,
    REFERRAL_TO_TEAM,
    TEAM_CASE,
    Action,
)
from tandem.audit.models import Purpose
from tandem.paging import page_of
from tandem.people.selectors import (
    WHY,
    ChildFilters,
    child_chronology,
    child_get,
    child_households,
    child_list,
    child_relationships,
    child_team,
)
from tandem.people.services import (
    PERSON_FIELDS,
    child_update,
    event_record,
    relationship_create,
    relationship_delete,
)
from tandem.referrals.selectors import referrals_for_child
from tandem.web.decorators import page
from tandem.web.forms import (
    ChildDetailsForm,
    ChildSearchForm,
    ChronologyFilterForm,
    EventForm,
    RelationshipForm,
)
from tandem.web.views.common import PER_PAGE, page_number, paged, pagination

WORK = Purpose.DIRECT_WORK


WHY_CHOICES = [
    ("", "Every child"),
    ("allocated", "Allocated to you"),
    ("team", "Your team's cases and the children it works with"),
    ("referral", "Referred to your team"),
    ("emergency", "Emergency access"),
]


@page
def caseload(request):
    number = page_number(request)
    why = request.GET.get("why", "")
    why = why if why in WHY else ""
    children = child_list(
        actor=request.user,
        purpose=WORK,
        filters=ChildFilters(why=why),
        offset=(number - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    return render(
        request,
        "web/children/caseload.html",
        {
            "children": children,
            "number": number,
            "why": why,
            "WHY_CHOICES": WHY_CHOICES,
            "pagination": pagination(request, number=number, total=children.total),
        },
    )


@page
def child_find(request):
    """A search by POST, so that names and NHS numbers never sit in a web address (and so in
    server logs and browser history)."""
    require_role(request.user, Action.VIEW_CHILD)
    results = None
    if request.method == "POST":
        form = ChildSearchForm(request.POST)
        if form.is_valid():
            filters = ChildFilters(**form.cleaned_data)
            results = child_list(actor=request.user, purpose=WORK, filters=filters, limit=PER_PAGE)
    else:
        form = ChildSearchForm()
    return render(request, "web/children/find.html", {"form": form, "results": results})


def _grant(request, child_id, action: Action = Action.VIEW_CHILD):
    """The request's one access decision about the child: every read and change below uses it."""
    return child_grant(actor=request.user, child_id=child_id, purpose=WORK, action=action)


# "What of this record you can see, and why", by the basis the grant was made on.
WHY_YOU_SEE = {
    ALLOCATED: "You are the allocated worker: you see the whole record.",
    TEAM_CASE: "Your team owns the case or works with the child.",
    REFERRAL_TO_TEAM: "A referral of this child to your team is open: you see who the child is, "
    "to decide it.",
    NAMED_ON_RESTRICTION: "This record is restricted, and you are one of the people named on it.",
    BREAK_GLASS: "You opened this record in an emergency: you see its ordinary parts, never the "
    "sensitive ones, until your emergency access ends.",
}


@page
def child_summary(request, child_id):
    grant = _grant(request, child_id)
    return render(
        request,
        "web/children/summary.html",
        {
            "child": child_get(grant=grant),
            "workers": child_team(grant=grant),
            "section": "summary",
            "WHY_YOU_SEE": WHY_YOU_SEE,
        },
    )


@page
def child_household(request, child_id):
    grant = _grant(request, child_id)
    return render(
        request,
        "web/children/household.html",
        {
            "child": child_get(grant=grant),
            "section": "household",
            "households": child_households(grant=grant),
            "related": child_relationships(grant=grant),
        },
    )


@page
def child_referrals(request, child_id):
    grant = _grant(request, child_id)
    return render(
        request,
        "web/children/referrals.html",
        {
            "child": child_get(grant=grant),
            "section": "referrals",
            "referrals": referrals_for_child(grant=grant),
        },
    )


@page
def child_chronology_page(request, child_id):
    grant = _grant(request, child_id)
    child = child_get(grant=grant)
    entries = child_chronology(grant=grant)
    params = request.GET.copy()
    params.pop("page", None)
    form = ChronologyFilterForm(params or None, entries=entries)
    chosen = form.chosen(entries)
    return render(
        request,
        "web/children/chronology.html",
        {
            "child": child,
            "section": "chronology",
            "form": form,
            "held": len(entries),
            "filtered": form.is_bound,
            # The filters earn their place once the chronology runs past a page.
            "filterable": form.is_bound or len(entries) > PER_PAGE,
            **paged(request, page_of(chosen, page_number(request))),
        },
    )


@page
def child_edit(request, child_id):
    grant = _grant(request, child_id, Action.EDIT_CHILD)
    child = child_get(grant=grant)
    # The form has no field the user does not see, so it changes none; the service refuses one
    # all the same (an API call may try).
    if request.method == "POST":
        form = ChildDetailsForm(request.POST, withheld=child.withheld_fields)
        if form.is_valid():
            try:
                child_update(grant=grant, changes=form.service_fields())
            except ValidationError as e:
                form.add_service_errors(e)
            else:
                messages.success(request, "The child's details have been changed")
                return redirect("web:child", child_id=child_id)
    else:
        initial = {name: getattr(child, name) or "" for name in PERSON_FIELDS}
        form = ChildDetailsForm(initial=initial, withheld=child.withheld_fields)
    return render(request, "web/children/edit.html", {"child": child, "form": form})


@page
def event_new(request, child_id):
    grant = _grant(request, child_id, Action.RECORD_EVENT)
    child = child_get(grant=grant)
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                event_record(
                    grant=grant,
                    kind=form.cleaned_data["kind"],
                    occurred_at=form.occurred_at(),
                    summary=form.cleaned_data["summary"],
                )
            except ValidationError as e:
                form.add_service_errors(e, form.service_names)
            else:
                messages.success(request, "Added to the chronology")
                return redirect("web:child-chronology", child_id=child_id)
    else:
        form = EventForm()
    return render(request, "web/children/event_new.html", {"child": child, "form": form})


def _people_to_relate(grant) -> list[tuple[str, str]]:
    """People in the child's households who have no relationship to the child recorded yet."""
    related = {r.person.pk for r in child_relationships(grant=grant)}
    people = {}
    for view in child_households(grant=grant):
        for member in view.members:
            person = member.person
            if person.pk != grant.child_id and person.pk not in related:
                born = f", born {person.date_of_birth:%Y}" if person.date_of_birth else ""
                people[str(person.pk)] = f"{person.full_name}{born} ({view.household.name})"
    return sorted(people.items(), key=lambda item: item[1])


@page
def relationship_new(request, child_id):
    grant = _grant(request, child_id, Action.EDIT_CHILD)
    child = child_get(grant=grant)
    people = _people_to_relate(grant)
    if request.method == "POST":
        form = RelationshipForm(request.POST, people=people)
        if form.is_valid():
            try:
                relationship_create(grant=grant, **form.service_fields())
            except ValidationError as e:
                form.add_service_errors(e, form.service_names)
            else:
                messages.success(request, "The relationship has been added")
                return redirect("web:child-household", child_id=child_id)
    else:
        form = RelationshipForm(people=people)
    return render(
        request,
        "web/children/relationship_new.html",
        {
            "child": child,
            "form": form,
            "has_people": bool(people),
        },
    )


@page
def relationship_remove(request, child_id, relationship_id):
    grant = _grant(request, child_id, Action.EDIT_CHILD)
    child = child_get(grant=grant)
    related = child_relationships(grant=grant)
    match = next((r for r in related if r.relationship_id == relationship_id), None)
    if match is None:
        # Another child's relationship, or none at all: the same answer either way.
        raise Http404("Not found")
    if request.method == "POST":
        relationship_delete(grant=grant, relationship_id=relationship_id)
        messages.success(request, "The relationship has been removed")
        return redirect("web:child-household", child_id=child_id)
    return render(
        request,
        "web/children/relationship_remove.html",
        {
            "child": child,
            "related": match,
        },
    )
