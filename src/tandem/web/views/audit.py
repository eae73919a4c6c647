"""The audit trail, for information-governance leads: who looked at or changed what, and when."""

from django.shortcuts import render

from tandem.access.checks import require_role
from tandem.access.policies import Action
from tandem.audit.selectors import AuditFilters, access_events_search
from tandem.web.decorators import page
from tandem.web.forms import AuditSearchForm
from tandem.web.views.common import PER_PAGE, page_number, pagination


def filters_from(request):
    """(filters, form) from the query string; filters is None when the form has errors."""
    params = request.GET.copy()
    params.pop("page", None)
    form = AuditSearchForm(params or None)
    if form.is_bound and not form.is_valid():
        return None, form
    data = form.cleaned_data if form.is_bound else {}
    filters = AuditFilters(
        username=data.get("username", ""),
        partner=data.get("partner", ""),
        person_id=data.get("child_id"),
        action=data.get("action", ""),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    return filters, form


@page
def audit(request):
    """A GET form: the filters are usernames, record ids and dates, never a child's name."""
    require_role(request.user, Action.VIEW_AUDIT)
    filters, form = filters_from(request)
    events = None
    if filters is not None:
        number = page_number(request)
        events = access_events_search(
            actor=request.user, filters=filters, offset=(number - 1) * PER_PAGE, limit=PER_PAGE
        )
    names = events.names if events else {}
    person = filters.person_id if filters is not None else None
    return render(
        request,
        "web/audit.html",
        {
            "form": form,
            "events": events,
            "names": names,
            "person": {"id": person, "name": names.get(person, "")} if person else None,
            "pagination": events
            and pagination(
                request, number=page_number(request), total=events.total, per_page=PER_PAGE
            ),
        },
    )
