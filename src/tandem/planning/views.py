"""The planning pages: forecasts (run as background jobs, then a fan chart and tables with
downloads), scenarios beside their baseline, funding streams and pooled budgets, capacity, and the
board's view of all of it. Counts and money only."""

from datetime import date

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from tandem.access.checks import require_role
from tandem.access.policies import Action, role_allows
from tandem.formats import govuk_date
from tandem.outcomes.models import Service
from tandem.planning import budgets, capacity, charts, forms, selectors, services
from tandem.planning.leavers import accommodation_mix, places_needed
from tandem.planning.models import Capacity, CapacityKind, ForecastSource
from tandem.planning.results import counted, shown, tables, yearly
from tandem.web.decorators import page
from tandem.web.downloads import named_table_response, table_response
from tandem.web.views.common import page_number, paged

NAV = "reports"


def on(iso: str) -> str:
    return govuk_date(date.fromisoformat(iso))


def _context(request, **extra) -> dict:
    return {
        "on": on,
        "nav": NAV,
        "reports_section": "planning",
        "may_plan": role_allows(request.user, Action.PLAN),
        "counted": counted,
        "shown": shown,
        **extra,
    }


@page
def index(request):
    rows = selectors.forecasts_page(actor=request.user, page=page_number(request))
    return render(
        request, "planning/index.html", _context(request, rows=rows, **paged(request, rows))
    )


@page
def forecast_new(request):
    require_role(request.user, Action.PLAN)
    form = forms.ForecastForm(request.POST or None)
    files = request.FILES.getlist("files")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            forecast = services.forecast_start(
                actor=request.user,
                name=data["name"],
                source=data["source"],
                window_start=data["window_start"],
                window_end=data["window_end"],
                months=data["months"],
                method=data["method"],
                uploads=files if data["source"] == ForecastSource.SSDA903 else None,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("web:job", job_id=forecast.job_id)
    file_error = next(iter(form.errors.get("files", [])), None) if form.is_bound else None
    return render(
        request, "planning/forecast_new.html", _context(request, form=form, file_error=file_error)
    )


@page
def forecast(request, forecast_id):
    fc = selectors.forecast_get(actor=request.user, forecast_id=forecast_id)
    extra = {}
    if fc.ready:
        result = fc.result
        extra = {
            "result": result,
            "years": yearly(result),
            "fan": charts.fan(result),
            "leavers_chart": charts.leavers(result),
            "leavers_years": result["leavers"][11::12],
            **_places(request.user, result),
            "scenarios": list(fc.scenarios.all()),
        }
    return render(request, "planning/forecast.html", _context(request, forecast=fc, **extra))


def _places(actor, result) -> dict:
    """The places care leavers will need by kind, against the places the partnership has."""
    mix, drawn_from = accommodation_mix(actor)
    have: dict[str, int] = {}
    for c in Capacity.objects.exclude(accommodation="").filter(kind=CapacityKind.PLACES):
        have[c.accommodation] = have.get(c.accommodation, 0) + (c.places or 0)
    return {"places": places_needed(result, mix), "have": have, "drawn_from": drawn_from}


@page
def forecast_download(request, forecast_id, table, fmt):
    fc = selectors.forecast_get(actor=request.user, forecast_id=forecast_id)
    return named_table_response(
        tables(fc.result) if fc.ready else {}, table, f"forecast-{table}", fmt
    )


@page
def scenario_new(request, forecast_id):
    require_role(request.user, Action.PLAN)
    fc = selectors.forecast_get(actor=request.user, forecast_id=forecast_id)
    form = forms.ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.scenario_save(
                actor=request.user,
                forecast_id=fc.pk,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                changes=[form.change()],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("planning:scenario", scenario_id=scenario.pk)
    return render(
        request,
        "planning/form.html",
        _context(
            request,
            form=form,
            title="Add a scenario",
            caption=fc.name,
            intro="A change to the forecast’s fitted model. It is stepped from the same first "
            "day and shown beside the forecast, with what it costs or saves.",
            back="planning:forecast",
            back_kwargs={"forecast_id": fc.pk},
            button="Add the scenario",
        ),
    )


def _services_with_comparisons():
    from tandem.outcomes.frameworks import framework

    out = []
    for service in Service.objects.exclude(framework="").order_by("name"):
        fw = framework(service.framework)
        if fw and fw.comparison and fw.get(fw.comparison.outcome).kind == "entered_care":
            out.append(service)
    return out


@page
def scenario_evidence(request, forecast_id):
    require_role(request.user, Action.PLAN)
    fc = selectors.forecast_get(actor=request.user, forecast_id=forecast_id)
    form = forms.EvidenceForm(request.POST or None, services=_services_with_comparisons())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.evidence_change(
                actor=request.user,
                service_id=data["service"],
                children_a_year=data["children_a_year"],
                bands=data["bands"],
            )
            scenario = services.scenario_save(
                actor=request.user,
                forecast_id=fc.pk,
                name=data["name"],
                description=(
                    f"Entries prevented by {change['service']}, at the effect its matched "
                    "comparison measured on entering care, for "
                    f"{data['children_a_year']:,} children a year"
                ),
                changes=[change],
                evidence=True,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("planning:scenario", scenario_id=scenario.pk)
    return render(
        request,
        "planning/form.html",
        _context(
            request,
            form=form,
            title="Add a scenario from a service’s measured effect",
            caption=fc.name,
            intro="The service’s matched comparison measured how much it changed the share of "
            "children entering care. The scenario prevents that share of entries among the "
            "children it will work with, and is stepped again at each end of the comparison’s "
            "95% interval, so the saving carries the evidence’s uncertainty.",
            back="planning:forecast",
            back_kwargs={"forecast_id": fc.pk},
            button="Add the scenario",
        ),
    )


@page
def scenario(request, scenario_id):
    compared = selectors.scenario_compare(actor=request.user, scenario_id=scenario_id)
    years = list(zip(yearly(compared.baseline), yearly(compared.changed), strict=True))
    return render(
        request,
        "planning/scenario.html",
        _context(
            request,
            compared=compared,
            forecast=compared.scenario.forecast,
            years=years,
            chart=charts.compared(compared.baseline, compared.changed),
        ),
    )


@page
def scenario_download(request, scenario_id, table, fmt):
    compared = selectors.scenario_compare(actor=request.user, scenario_id=scenario_id)
    return named_table_response(
        selectors.scenario_tables(compared), table, f"scenario-{table}", fmt
    )


# Budgets and capacity -------------------------------------------------------------------------


@page
def budgets_page(request):
    report = budgets.report(actor=request.user, year=request.GET.get("year") or None)
    return render(
        request,
        "planning/budgets.html",
        _context(request, report=report, chart=charts.by_partner(report.chart_rows())),
    )


@page
def budgets_download(request, table, fmt):
    report = budgets.report(actor=request.user, year=request.GET.get("year") or None)
    return named_table_response(report.tables(), table, f"budgets-{report.year}-{table}", fmt)


def _add(request, form, save, done, *, title: str, back: str):
    """A page that adds one thing: the form, `save(**cleaned)` (its errors put on the form),
    then `done(saved)`: where to go."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect(done(saved))
    return render(
        request, "planning/form.html", _context(request, form=form, title=title, back=back)
    )


def _budgets_of(saved) -> str:
    return f"{reverse('planning:budgets')}?year={saved.year}"


@page
def stream_new(request):
    options = budgets.choices(actor=request.user)
    form = forms.StreamForm(
        request.POST or None, partners=options["partners"], budgets=options["budgets"]
    )
    return _add(request, form, budgets.stream_add, _budgets_of,
                title="Add a funding stream", back="planning:budgets")  # fmt: skip


@page
def budget_new(request):
    options = budgets.choices(actor=request.user)
    form = forms.BudgetForm(
        request.POST or None, services=options["services"], unit_costs=options["unit_costs"]
    )
    return _add(request, form, budgets.budget_add, _budgets_of,
                title="Add a pooled budget", back="planning:budgets")  # fmt: skip


@page
def capacity_page(request):
    report = capacity.report(actor=request.user)
    return render(request, "planning/capacity.html", _context(request, report=report))


@page
def capacity_download(request, fmt):
    report = capacity.report(actor=request.user)
    headers, rows = report.table()
    return table_response("capacity", headers, rows, fmt)


@page
def capacity_new(request):
    options = capacity.choices(actor=request.user)
    form = forms.CapacityForm(
        request.POST or None, services=options["services"], teams=options["teams"]
    )
    return _add(request, form, capacity.capacity_add, lambda _: reverse("planning:capacity"),
                title="Add a capacity", back="planning:capacity")  # fmt: skip


@page
def board(request):
    view = selectors.board(actor=request.user)
    return render(
        request,
        "planning/board.html",
        _context(
            request, view=view, fan=charts.fan(view.forecast.result) if view.forecast else None
        ),
    )
