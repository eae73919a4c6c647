"""Planning's reads: forecasts and their figures, a scenario beside its baseline, budgets and
capacity. Counts and money only, never a child; readers of reports may read them, and every read
is audited."""

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.core.paginator import Paginator

from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.policies import Action
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.planning.fit import Fitted
from tandem.planning.forecast import project
from tandem.planning.models import Forecast, Scenario
from tandem.planning.results import summary, total_cost, yearly
from tandem.planning.scenarios import adjuster, has_interval, read_changes

PAGE = 20


def _reader(actor) -> Audit:
    require_role(actor, Action.VIEW_REPORTS)
    return Audit(actor, Purpose.PLANNING)


def forecasts_page(*, actor, page: int = 1):
    audit = _reader(actor)
    rows = Paginator(Forecast.objects.select_related("job", "created_by"), PAGE).get_page(page)
    audit.row(AuditAction.LIST, "forecast", None, detail={"page": rows.number})
    return rows


def forecast_get(*, actor, forecast_id: UUID) -> Forecast:
    audit = _reader(actor)
    forecast = Forecast.objects.select_related("job").filter(pk=forecast_id).first()
    if forecast is None:
        raise NotFound("There is no such forecast")
    audit.row(AuditAction.VIEW, "forecast", forecast.pk)
    return forecast


def scenario_get(*, actor, scenario_id: UUID) -> Scenario:
    audit = _reader(actor)
    scenario = Scenario.objects.select_related("forecast").filter(pk=scenario_id).first()
    if scenario is None:
        raise NotFound("There is no such scenario")
    audit.row(AuditAction.VIEW, "scenario", scenario.pk)
    return scenario


@dataclass
class Compared:
    scenario: Scenario
    baseline: dict
    changed: dict
    low: dict | None  # at the end of a measured effect's interval that prevents most entries
    high: dict | None  # … and least

    @property
    def saving(self):
        return total_cost(self.baseline) - total_cost(self.changed)

    @property
    def saving_range(self):
        if self.low is None:
            return None
        ends = sorted([total_cost(self.baseline) - total_cost(r) for r in (self.low, self.high)])
        return ends[0], ends[1]

    def by_year(self) -> list[dict]:
        """Each financial year: the cost under the baseline and the scenario, and the saving."""
        out = []
        for base, new in zip(self.baseline["costs"], self.changed["costs"], strict=True):
            b, n = Decimal(base["total"]), Decimal(new["total"])
            out.append({"year": base["year"], "baseline": b, "scenario": n, "saving": b - n})
        return out


def scenario_tables(compared: Compared) -> dict[str, tuple[list[str], list[list]]]:
    """The tables behind a scenario's page, as its downloads hold them."""
    years = (
        ["Year", "Baseline in care", "Baseline 95% low", "Baseline 95% high", "Scenario in care",
         "Scenario 95% low", "Scenario 95% high", "Entering, baseline", "Entering, scenario"],
        [
            [b["year"], b["in_care"], b["low_95"], b["high_95"], c["in_care"], c["low_95"],
             c["high_95"], b["entering"], c["entering"]]
            for b, c in zip(yearly(compared.baseline), yearly(compared.changed), strict=True)
        ],
    )  # fmt: skip
    costs = (
        ["Financial year", "Baseline (£)", "Scenario (£)", "Saving (£)"],
        [[y["year"], y["baseline"], y["scenario"], y["saving"]] for y in compared.by_year()],
    )
    return {"years": years, "costs": costs}


def scenario_compare(*, actor, scenario_id: UUID) -> Compared:
    """The scenario stepped from its forecast's fitted model, beside the baseline; a scenario
    from a measured effect is also stepped at the ends of the effect's interval."""
    scenario = scenario_get(actor=actor, scenario_id=scenario_id)
    forecast = scenario.forecast
    fitted = Fitted.from_dict(forecast.fitted)
    changes = read_changes(scenario.changes, fitted)

    def run(at: str) -> dict:
        return summary(project(fitted, forecast.months, adjust=adjuster(changes, fitted, at)))

    low = high = None
    if has_interval(changes):
        low, high = run("low"), run("high")
    return Compared(scenario, forecast.result, run("estimate"), low, high)


@dataclass
class Board:
    """The partnership board's view: the latest forecast with its scenarios, this year's budgets
    and the capacity gaps."""

    forecast: Forecast | None
    scenarios: list[Scenario]
    budgets: object
    capacity: object

    def headline(self, months: int) -> dict | None:
        from tandem.planning.results import month_at

        return month_at(self.forecast.result, months) if self.forecast else None


def board(*, actor) -> Board:
    from tandem.planning import budgets, capacity

    _reader(actor)
    forecast = capacity.latest_forecast()
    scenarios = list(forecast.scenarios.all()) if forecast else []
    return Board(
        forecast,
        scenarios,
        budgets.report(actor=actor),
        capacity.report(actor=actor),
    )
