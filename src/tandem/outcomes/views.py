"""The outcomes pages: the partnership's services, each one's outcomes for a cohort (a chart
and its table), the children behind a figure (named only as the record allows), the matched
comparison, and the rules of each outcome framework."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from tandem.outcomes import charts, selectors
from tandem.outcomes.forms import PeriodForm
from tandem.outcomes.frameworks import framework
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


def _outcomes(request, service_id, form, dates):
    try:
        return selectors.service_outcomes(actor=request.user, service_id=service_id, **dates)
    except selectors.PeriodError as e:
        form.add_service_errors(e)
        return selectors.service_outcomes(actor=request.user, service_id=service_id)


@page
def services(request):
    rows = selectors.services_report(actor=request.user)
    return render(
        request, "outcomes/services.html", {"rows": rows, "nav": NAV, "small": selectors.small}
    )


@page
def service(request, service_id):
    form, dates, query = _period(request)
    report = _outcomes(request, service_id, form, dates)
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
    try:
        behind = selectors.outcome_children(
            actor=request.user,
            service_id=service_id,
            outcome=outcome,
            page=page_number(request),
            **dates,
        )
    except selectors.PeriodError:
        behind = selectors.outcome_children(
            actor=request.user, service_id=service_id, outcome=outcome, page=page_number(request)
        )
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
    try:
        service, period, result = selectors.service_comparison(
            actor=request.user, service_id=service_id, **dates
        )
    except selectors.PeriodError as e:
        form.add_service_errors(e)
        service, period, result = selectors.service_comparison(
            actor=request.user, service_id=service_id
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


def _value(request, service_id, form, dates):
    try:
        return selectors.service_value(actor=request.user, service_id=service_id, **dates)
    except selectors.PeriodError as e:
        form.add_service_errors(e)
        return selectors.service_value(actor=request.user, service_id=service_id)


@page
def value(request, service_id):
    form, dates, query = _period(request)
    service, period, appraisal = _value(request, service_id, form, dates)
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
    service, period, appraisal = _value(request, service_id, form, dates)
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
