"""The outcomes pages: the partnership's services, each one's outcomes for a cohort (a chart
and its table), the children behind a figure (named only as the record allows), the matched
comparison, the value for money (and its PDF), the rules of each outcome framework; and, on a
child's record, the services they received and their SDQs."""

from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from tandem.access.categories import Category
from tandem.access.errors import NotFound
from tandem.access.grants import child_grant
from tandem.access.policies import Action
from tandem.audit.models import Purpose
from tandem.outcomes import charts, selectors
from tandem.outcomes import services as writes
from tandem.outcomes.forms import PeriodForm, SdqForm, SpellEndForm, SpellStartForm, StarForm
from tandem.outcomes.frameworks import framework, frameworks
from tandem.outcomes.models import ServiceSpell
from tandem.people.selectors import child_get
from tandem.web.decorators import page
from tandem.web.views.common import page_number, paged

NAV = "reports"
DATE_KEYS = [
    f"{name}-{part}"
    for name in ("started_from", "started_to")
    for part in ("day", "month", "year")
]


def _period(request) -> tuple[PeriodForm, dict, str]:
    """The period form (bound when the page was asked for a period), the dates to use (none
    while it has errors: the default period is shown with them) and the query that keeps them."""
    asked = {key: request.GET[key] for key in DATE_KEYS if request.GET.get(key)}
    form = PeriodForm(asked or None)
    dates = {}
    if asked and form.is_valid():
        dates = {k: v for k, v in form.cleaned_data.items() if v}
    return form, dates, urlencode(asked)


def _for_period(read, form, dates, **kwargs):
    """`read(**kwargs)` for the period asked; a period the selector refuses puts its errors on
    the form and the page shows the default period with them."""
    try:
        return read(**kwargs, **dates)
    except selectors.PeriodError as e:
        form.add_service_errors(e)
        return read(**kwargs)


@page
def services(request):
    rows = selectors.services_report(actor=request.user)
    return render(
        request, "outcomes/services.html", {"rows": rows, "nav": NAV, "small": selectors.small}
    )


@page
def service(request, service_id):
    form, dates, query = _period(request)
    report = _for_period(
        selectors.service_outcomes, form, dates, actor=request.user, service_id=service_id
    )
    return render(
        request,
        "outcomes/service.html",
        {
            "report": report,
            "form": form,
            "query": query,
            "chart": charts.outcome_rates(report.figures),
            "small": selectors.small,
            "nav": NAV,
        },
    )


@page
def children(request, service_id, outcome):
    form, dates, query = _period(request)
    behind = _for_period(
        selectors.outcome_children, form, dates, actor=request.user, service_id=service_id,
        outcome=outcome, page=page_number(request),
    )  # fmt: skip
    return render(
        request,
        "outcomes/children.html",
        {
            "behind": behind,
            "query": query,
            "small": selectors.small,
            "nav": NAV,
            **paged(request, behind.page),
        },
    )


@page
def comparison(request, service_id):
    form, dates, query = _period(request)
    service, period, result = _for_period(
        selectors.service_comparison, form, dates, actor=request.user, service_id=service_id
    )
    return render(
        request,
        "outcomes/comparison.html",
        {
            "service": service,
            "period": period,
            "result": result,
            "outcome": framework(service.framework).get(result.outcome) if result else None,
            "form": form,
            "query": query,
            "chart": charts.comparison_rates(result),
            "small": selectors.small,
            "nav": NAV,
        },
    )


@page
def framework_page(request, code):
    fw = selectors.framework_get(actor=request.user, code=code)
    if fw is None:
        raise Http404("No such framework")
    return render(request, "outcomes/framework.html", {"fw": fw, "nav": NAV})


@page
def value(request, service_id):
    form, dates, query = _period(request)
    service, period, appraisal = _for_period(
        selectors.service_value, form, dates, actor=request.user, service_id=service_id
    )
    return render(
        request,
        "outcomes/value.html",
        {
            "service": service,
            "period": period,
            "a": appraisal,
            "form": form,
            "query": query,
            "chart": charts.value_per_pound(appraisal) if appraisal else None,
            "small": selectors.small,
            "nav": NAV,
        },
    )


@page
def value_pdf(request, service_id):
    """The same report, printed by WeasyPrint: what the page says, the PDF says."""
    import weasyprint

    form, dates, _ = _period(request)
    service, period, appraisal = _for_period(
        selectors.service_value, form, dates, actor=request.user, service_id=service_id
    )
    if appraisal is None or appraisal.problem:
        raise Http404("No value-for-money report for this service")
    html = render_to_string(
        "outcomes/value_print.html",
        {
            "service": service,
            "period": period,
            "a": appraisal,
            "chart": charts.value_per_pound(appraisal),
            "small": selectors.small,
            "made_at": timezone.now(),
            "made_by": request.user.get_full_name() or request.user.username,
        },
        request=request,
    )
    pdf = weasyprint.HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = slugify(service.name)
    response["Content-Disposition"] = f'attachment; filename="{name}-value-for-money.pdf"'
    return response


@page
def unit_costs(request):
    costs, deflators = selectors.unit_costs_all(actor=request.user)
    return render(
        request,
        "outcomes/unit_costs.html",
        {"costs": costs, "deflators": deflators, "nav": NAV},
    )


# --- A child's services and measures (a section of the child's record) ----------------------
def _child(request, child_id, action=Action.VIEW_CHILD):
    grant = child_grant(
        actor=request.user, child_id=child_id, purpose=Purpose.DIRECT_WORK, action=action
    )
    return grant, child_get(grant=grant)


@page
def child_services(request, child_id):
    grant, child = _child(request, child_id)
    spells = selectors.spells_of(grant=grant)
    sdqs = selectors.sdq_trajectory(grant=grant) if grant.sees(Category.HEALTH) else None
    return render(
        request,
        "outcomes/child.html",
        {
            "child": child,
            "section": "services",
            "spells": spells,
            "readings": selectors.star_readings_of(grant=grant),
            "sdqs": [(r, selectors.bands(r)) for r in sdqs or []],
            "health_shared": sdqs is not None,
            "chart": charts.sdq_trajectory(sdqs) if sdqs else None,
            "may_edit": grant.may(Action.EDIT_CHILD),
        },
    )


def _posted(request):
    """The form's data on a POST (even an empty one, which must show every error)."""
    return request.POST if request.method == "POST" else None


def _child_form(request, child, form, title: str, button: str, write, names=None):
    """A form on the child's services page: on a valid POST, `write(form.cleaned_data)`; the
    service's errors go on the fields they name, all at once."""
    if request.method == "POST" and form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as e:
            form.add_service_errors(e, names)
        else:
            messages.success(request, f"{title}: done")
            return redirect("outcomes:child", child_id=child.pk)
    return render(
        request,
        "outcomes/child_form.html",
        {"child": child, "form": form, "title": title, "button": button},
    )


@page
def spell_new(request, child_id):
    _, child = _child(request, child_id, Action.EDIT_CHILD)
    people = [child, *writes.parents_and_carers(actor=request.user, child_id=child.pk)]
    form = SpellStartForm(
        _posted(request), services=selectors.services_all(actor=request.user), people=people
    )

    def write(data):
        writes.spell_start(
            actor=request.user, child_id=child.pk, service_id=UUID(data["service"]),
            started_on=data["started_on"], person_id=UUID(data["person"]),
        )  # fmt: skip

    names = {"service_id": "service", "person_id": "person"}
    title = "Record a service the family started"
    return _child_form(request, child, form, title, "Record it", write, names)


@page
def spell_end(request, child_id, spell_id):
    _, child = _child(request, child_id, Action.EDIT_CHILD)
    form = SpellEndForm(_posted(request))

    def write(data):
        writes.spell_end(
            actor=request.user,
            child_id=child.pk,
            spell_id=spell_id,
            ended_on=data["ended_on"],
            reason=data["reason"],
        )

    family = writes.family_of(actor=request.user, child_id=child.pk)
    if not ServiceSpell.objects.filter(
        pk=spell_id, person_id__in=family, ended_on__isnull=True
    ).exists():
        raise NotFound("No open spell with that id for this child or their family")
    return _child_form(request, child, form, "End the service", "End it", write)


@page
def sdq_new(request, child_id):
    grant, child = _child(request, child_id, Action.EDIT_CHILD)
    if not grant.sees(Category.HEALTH):
        raise PermissionDenied(writes.NOT_SHARED)
    form = SdqForm(_posted(request))

    def write(data):
        writes.sdq_record(
            actor=request.user, child_id=child.pk, informant=data["informant"],
            completed_on=data["completed_on"], answers=data["answers"], scores=data["scores"],
            difficulties=int(data["difficulties"]) if data["difficulties"] else None,
        )  # fmt: skip

    names = {f"answers.{i}": f"item_{i}" for i in range(1, 26)}
    names |= {f"scores.{n}": f"score_{n}" for n in writes.SCALE_NAMES}
    return _child_form(request, child, form, "Record an SDQ", "Record the SDQ", write, names)


@page
def star_new(request, child_id):
    """An Outcomes Star assessment of the star the partnership's frameworks use."""
    _, child = _child(request, child_id, Action.EDIT_CHILD)
    star = next(f.star for f in frameworks().values() if f.star)
    form = StarForm(_posted(request), star=star)

    def write(data):
        writes.star_record(
            actor=request.user, child_id=child.pk, star=star.code, edition="",
            read_on=data["read_on"], readings=data["readings"],
        )  # fmt: skip

    names = {f"readings.{a}": f"area_{a}" for a in star.areas}
    title = f"Record an Outcomes Star assessment ({star.code.replace('-', ' ')})"
    return _child_form(request, child, form, title, "Record the readings", write, names)
