"""Information-governance pages: emergency (break-glass) access and its review queue, the
notifications inbox, "who looked" at a child, and the audit export."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tandem import spreadsheet
from tandem.access import retention, selectors, services, subject_access
from tandem.access.checks import require_role
from tandem.access.grants import child_grant
from tandem.access.models import DestructionCertificate, LawfulBasis, SarExemption, SharingPurpose
from tandem.access.policies import Action, role_allows
from tandem.audit.models import Purpose
from tandem.audit.selectors import EXPORT_COLUMNS, access_events_export, who_looked
from tandem.formats import govuk_date, govuk_datetime
from tandem.people.selectors import child_get
from tandem.web.decorators import page
from tandem.web.forms_governance import (
    BreakGlassForm,
    BreakGlassReviewForm,
    PersonFindForm,
    RedactionForm,
    ReleaseForm,
    SarForm,
)
from tandem.web.views.audit import filters_from
from tandem.web.views.common import page_number, paged, pagination
from tandem.web.views.governance_manage import chosen_person

PER_PAGE = 50


@page
def break_glass_new(request):
    require_role(request.user, Action.BREAK_GLASS)
    if request.method == "POST":
        form = BreakGlassForm(request.POST)
        if form.is_valid():
            try:
                grant = services.break_glass_open_for(actor=request.user, **form.cleaned_data)
            except ValidationError as e:
                form.add_service_errors(e)
            else:
                messages.success(
                    request,
                    f"Emergency access until {govuk_datetime(grant.expires_at)}. The team that "
                    "owns the case and the information-governance lead have been told.",
                )
                return redirect("web:child", child_id=grant.child_id)
    else:
        form = BreakGlassForm()
    return render(
        request,
        "web/governance/break_glass_new.html",
        {"form": form, "hours": settings.TANDEM_BREAK_GLASS_HOURS},
    )


@page
def break_glass_queue(request):
    """For IG leads (the selector checks the role)."""
    found = selectors.break_glass_queue(actor=request.user, page=page_number(request))
    names = selectors.governance_names(
        actor=request.user, person_ids=[b.child_id for b in found.object_list]
    )
    context = {**paged(request, found), "names": names}
    return render(request, "web/governance/break_glass_queue.html", context)


@page
def break_glass_review(request, break_glass_id):
    grant = selectors.break_glass_get(actor=request.user, break_glass_id=break_glass_id)
    if request.method == "POST":
        form = BreakGlassReviewForm(request.POST)
        if form.is_valid():
            try:
                services.break_glass_review(
                    actor=request.user,
                    break_glass_id=break_glass_id,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as e:
                form.add_service_errors(e, form.service_names)
            else:
                messages.success(request, "Your review has been recorded")
                return redirect("web:break-glass-queue")
    else:
        form = BreakGlassReviewForm()
    names = selectors.governance_names(actor=request.user, person_ids=[grant.child_id])
    return render(
        request,
        "web/governance/break_glass_review.html",
        {"grant": grant, "form": form, "names": names},
    )


@page
def notifications(request):
    found = selectors.notifications_for(actor=request.user, page=page_number(request))
    response = render(request, "web/governance/notifications.html", paged(request, found))
    services.notifications_read(actor=request.user, notifications=found.object_list)
    return response


def shared_under_text(event) -> str:
    """'health, education shared for early help (Public task …)': the agreement grants a read
    was seen under, from its audit row, or '' if the viewer's own basis showed all they saw."""
    grants = (event.detail or {}).get("shared_under") or []
    by_why: dict[tuple[str, str], list[str]] = {}
    for g in grants:
        by_why.setdefault((g["purpose"], g["lawful_basis"]), []).append(g["category"])
    return "; ".join(
        f"{', '.join(categories)} shared for {_label(SharingPurpose, purpose).lower()} "
        f"({_label(LawfulBasis, basis)})"
        for (purpose, basis), categories in by_why.items()
    )


def _label(choices, value: str) -> str:
    return choices(value).label if value in choices.values else value


@page
def child_who_looked(request, child_id):
    number = page_number(request)
    events = who_looked(
        actor=request.user, child_id=child_id, offset=(number - 1) * PER_PAGE, limit=PER_PAGE
    )
    # The child's name for the heading: through the ordinary selector for the team that owns
    # the case, and as a governance read for an IG lead.
    child, name = None, ""
    if role_allows(request.user, Action.MANAGE_GOVERNANCE):
        name = selectors.governance_names(actor=request.user, person_ids=[child_id]).get(
            child_id, ""
        )
    else:
        grant = child_grant(actor=request.user, child_id=child_id, purpose=Purpose.AUDIT_REVIEW)
        child = child_get(grant=grant)
    return render(
        request,
        "web/governance/who_looked.html",
        {
            "child": child,
            "name": name,
            "events": events,
            "shared_under": {e.pk: shared_under_text(e) for e in events.items},
            "pagination": pagination(
                request, number=number, total=events.total, per_page=PER_PAGE
            ),
        },
    )


class _Echo:
    def write(self, value):
        return value


@page
def audit_export(request):
    """The audit search as CSV: the same filters as the page; the export is itself audited."""
    require_role(request.user, Action.VIEW_AUDIT)
    filters, form = filters_from(request)
    if filters is None:
        return render(request, "web/audit.html", {"form": form, "events": None})
    rows = access_events_export(actor=request.user, filters=filters)
    writer = spreadsheet.writer(_Echo())

    def lines():
        yield writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response


@page
def governance_home(request):
    """The IG lead's page: subject access deadlines first, then emergency accesses to review."""
    require_role(request.user, Action.MANAGE_GOVERNANCE)
    sars = subject_access.sars_open(actor=request.user)
    names = selectors.governance_names(
        actor=request.user, person_ids=[row["sar"].person_id for row in sars]
    )
    return render(
        request,
        "web/governance/home.html",
        {
            "sars": sars,
            "names": names,
            "pending": selectors.break_glass_pending_count(actor=request.user),
            "due": retention.due_for_destruction(),
            "schedules": retention.RetentionSchedule.objects.order_by("record_type"),
            "certificates": DestructionCertificate.objects.order_by("-run_at")[:10],
        },
    )


@page
def sar_new(request):
    require_role(request.user, Action.MANAGE_GOVERNANCE)
    if request.method == "POST":
        form = SarForm(request.POST)
        if form.is_valid():
            try:
                sar = subject_access.sar_log(actor=request.user, **form.cleaned_data)
            except ValidationError as e:
                form.add_service_errors(e)
            else:
                messages.success(
                    request, f"Logged: the response is due by {govuk_date(sar.due_on)}"
                )
                return redirect("web:sar", sar_id=sar.pk)
    else:
        form = SarForm()
    person = chosen_person(request, "person_id")
    return render(request, "web/governance/sar_new.html", {"form": form, "person": person})


@page
def sar_detail(request, sar_id):
    sar = subject_access.sar_get(actor=request.user, sar_id=sar_id)
    show = request.GET.get("show", "all")
    show = show if show in SAR_SHOW else "all"
    form = None
    if request.method == "POST":
        # One page, two decisions on an item: withhold it, or release one that starts withheld.
        releasing = request.POST.get("decision") == "release"
        form = (ReleaseForm if releasing else RedactionForm)(request.POST)
        write = subject_access.sar_release if releasing else subject_access.sar_redact
        if form.is_valid():
            try:
                write(actor=request.user, sar_id=sar_id, **form.cleaned_data)
            except ValidationError as e:
                form.add_service_errors(e, form.service_names)
            else:
                done = "released into" if releasing else "withheld from"
                messages.success(request, f"The item is {done} the response")
                # Back to the item just decided, not to the top of a long page.
                anchor = form.cleaned_data["item_key"].replace(":", "-")
                back = reverse("web:sar", kwargs={"sar_id": sar_id})
                return redirect(f"{back}?show={show}#{anchor}")
    items = subject_access.sar_items(actor=request.user, sar_id=sar_id)
    shown = [i for i in items if SAR_SHOW[show][1](i)]
    return render(
        request,
        "web/governance/sar_detail.html",
        {
            "sar": sar,
            "person_name": selectors.governance_names(
                actor=request.user, person_ids=[sar.person_id]
            ).get(sar.person_id, ""),
            "held": len(items),
            "items": shown,
            "show": show,
            "views": [
                (key, label, sum(map(keep, items))) for key, (label, keep) in SAR_SHOW.items()
            ],
            "sections": list(dict.fromkeys(i.section for i in shown)),
            "form": form,
            "failed_key": form and form.data.get("item_key"),
            "exemptions": SarExemption.choices,
        },
    )


# The views of a request's items an IG lead works through: (label, which items it keeps).
SAR_SHOW = {
    "all": ("Everything held", lambda i: True),
    "to_release": ("Withheld unless you release them", lambda i: i.releasable),
    "withheld": ("Withheld", lambda i: i.redacted),
    "going": ("Going to the requester", lambda i: not i.redacted),
}


@page
def sar_download(request, sar_id, fmt):
    if fmt == "json":
        body = subject_access.sar_export_json(actor=request.user, sar_id=sar_id)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        body = subject_access.sar_export_pdf(actor=request.user, sar_id=sar_id)
        response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{sar_id}.{fmt}"'
    return response


@page
def retention_run(request):
    """POST only: start the destruction run as a background job and show its progress."""
    require_role(request.user, Action.MANAGE_GOVERNANCE)
    if request.method != "POST":
        return redirect("web:governance")
    job = retention.destruction_start(actor=request.user)
    return redirect("web:job", job_id=job.pk)


@page
def people_find(request):
    """An IG lead's person finder (POST: names and numbers never sit in a web address): each
    person found with what the IG lead can do for them."""
    require_role(request.user, Action.MANAGE_GOVERNANCE)
    people = None
    form = PersonFindForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        people = selectors.governance_people_find(actor=request.user, **form.cleaned_data)
    return render(
        request,
        "web/governance/people.html",
        {"form": form, "people": people, "for": request.GET.get("for", "")},
    )
