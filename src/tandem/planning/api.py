"""Planning over the API: forecasts (started as background jobs, read when done), scenarios
beside their baseline, budgets and capacity. Counts and money only; money as decimal strings so
nothing is rounded through a float. SSDA903 files are sent through the page or the command line,
never named by path here."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import Strict

from tandem.config.api_support import Id, InputSchema, IsoDate, responses
from tandem.planning import budgets, capacity, selectors, services
from tandem.planning.models import ForecastMethod, ForecastSource
from tandem.planning.results import shown, yearly

router = Router(tags=["planning"])


class ForecastIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    window_start: IsoDate = Field(description="The reference window's first day")
    window_end: IsoDate = Field(description="Its last day (today or before)")
    months: Annotated[int, Strict(False)] = Field(
        120, ge=1, le=120, description="How far to forecast, in months"
    )
    method: Literal["tandem", "v1"] = Field(
        "tandem", description="tandem; or v1, cs-demand-model 0.5.1's quirks, for comparison"
    )


class ForecastOut(Schema):
    id: UUID
    name: str
    source: str
    method: str
    window_start: date
    window_end: date
    months: int
    job_id: UUID | None
    ready: bool


class YearOut(Schema):
    year: int
    month: date = Field(description="The year's last month")
    in_care: float
    low_95: float
    high_95: float
    entering: float
    leaving: float
    care_leavers: float


class ForecastResultOut(ForecastOut):
    first_day: date | None
    in_care_now: int | None = Field(description="Null when fewer than 5")
    years: list[YearOut]
    months_table: list[dict] = Field(
        description="Every month: in care, bands, by category (null: fewer than 5)"
    )
    costs: list[dict] = Field(description="Each financial year's placement costs (decimal text)")
    care_leavers: list[dict] = Field(
        description="Care leavers by age 16 to 25, every month (null: fewer than 5)"
    )


def _forecast(f) -> dict:
    return {
        "id": f.pk,
        "name": f.name,
        "source": f.source,
        "method": f.method,
        "window_start": f.window_start,
        "window_end": f.window_end,
        "months": f.months,
        "job_id": f.job_id,
        "ready": f.ready,
    }


@router.get("/forecasts", response=responses({200: list[ForecastOut]}))
def forecast_list(request, page: int = Query(1, ge=1, le=100_000)):
    """Forecasts, newest first, 20 a page."""
    return [_forecast(f) for f in selectors.forecasts_page(actor=request.auth, page=page)]


@router.post("/forecasts", response=responses({202: ForecastOut}))
def forecast_create(request, body: ForecastIn):
    """Start a forecast from the record's care episodes, as a background job (follow `job_id`
    at /api/jobs/{job_id}, then read /api/forecasts/{id})."""
    forecast = services.forecast_start(
        actor=request.auth,
        name=body.name,
        source=ForecastSource.RECORD,
        window_start=body.window_start,
        window_end=body.window_end,
        months=body.months,
        method=ForecastMethod(body.method),
    )
    return Status(202, _forecast(forecast))


@router.get("/forecasts/{forecast_id}", response=responses({200: ForecastResultOut}))
def forecast_get(request, forecast_id: UUID):
    """A forecast and, once its job has finished, its figures."""
    f = selectors.forecast_get(actor=request.auth, forecast_id=forecast_id)
    result = f.result
    codes = [c["code"] for c in result.get("categories", [])]
    now = result.get("in_care_now")
    return {
        **_forecast(f),
        "first_day": result.get("first_day"),
        "in_care_now": now if now is None or now == 0 or now >= 5 else None,
        "years": yearly(result) if result else [],
        "months_table": [_small_cells(r, codes) for r in result.get("months", [])],
        "costs": result.get("costs", []),
        "care_leavers": [_small_cells(r, None) for r in result.get("leavers", [])],
    }


def _small_cells(row: dict, keys) -> dict:
    """Expected children that round to 1 to 4 given as null, as the tables show them."""
    keys = keys if keys is not None else [k for k in row if k.startswith("age_")]
    return row | {k: None if isinstance(shown(row[k]), str) else row[k] for k in keys}


class ScenarioIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    changes: list[dict] = Field(
        description='Each change: {"kind": "entrants", "bands": [...], "categories": [...], '
        '"factor": 0.7}, {"kind": "moves", "from_categories": [...], "to": "fostering" or '
        '"leaving", "factor": 1.2}, {"kind": "transfer", "from_category": "residential", '
        '"to_category": "fostering", "per_year": 2}, or {"kind": "prevented", ...}'
    )


class ScenarioEvidenceIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    service_id: Id
    children_a_year: float = Field(gt=0, le=1_000_000)
    bands: list[str] = []


class ScenarioOut(Schema):
    id: UUID
    forecast_id: UUID
    name: str
    changes: list[dict]
    saving: str = Field(description="Placement costs saved over the forecast (decimal text)")
    saving_low: str | None = Field(description="… at the measured effect's interval ends")
    saving_high: str | None
    baseline: list[YearOut]
    scenario: list[YearOut]


def _scenario(request, scenario_id) -> dict:
    c = selectors.scenario_compare(actor=request.auth, scenario_id=scenario_id)
    ends = c.saving_range
    return {
        "id": c.scenario.pk,
        "forecast_id": c.scenario.forecast_id,
        "name": c.scenario.name,
        "changes": c.scenario.changes,
        "saving": str(c.saving),
        "saving_low": str(ends[0]) if ends else None,
        "saving_high": str(ends[1]) if ends else None,
        "baseline": yearly(c.baseline),
        "scenario": yearly(c.changed),
    }


@router.post("/forecasts/{forecast_id}/scenarios", response=responses({201: ScenarioOut}))
def scenario_create(request, forecast_id: UUID, body: ScenarioIn):
    """A scenario on a finished forecast; every change is checked and each fault named."""
    scenario = services.scenario_save(
        actor=request.auth,
        forecast_id=forecast_id,
        name=body.name,
        description=body.description,
        changes=body.changes,
    )
    return Status(201, _scenario(request, scenario.pk))


@router.post("/forecasts/{forecast_id}/scenarios/evidence", response=responses({201: ScenarioOut}))
def scenario_from_evidence(request, forecast_id: UUID, body: ScenarioEvidenceIn):
    """A scenario preventing entries at the effect a service's matched comparison measured on
    entering care, stepped again at its interval's ends."""
    change = services.evidence_change(
        actor=request.auth,
        service_id=body.service_id,
        children_a_year=Decimal(str(body.children_a_year)),
        bands=body.bands,
    )
    scenario = services.scenario_save(
        actor=request.auth,
        forecast_id=forecast_id,
        name=body.name,
        changes=[change],
        evidence=True,
    )
    return Status(201, _scenario(request, scenario.pk))


@router.get("/scenarios/{scenario_id}", response=responses({200: ScenarioOut}))
def scenario_get(request, scenario_id: UUID):
    """A scenario beside its baseline, year by year, with the saving."""
    return _scenario(request, scenario_id)


class PooledOut(Schema):
    id: UUID
    name: str
    service: str
    total: str
    spend: str | None
    problem: str
    partners: list[dict] = Field(
        description="Each partner: contribution, share, share of the spend, benefits it gains"
    )


class BudgetsOut(Schema):
    year: str
    total: str
    by_partner: dict[str, str]
    streams: list[dict]
    pooled: list[PooledOut]
    reconciles: bool


@router.get("/budgets", response=responses({200: BudgetsOut}))
def budget_report(request, year: str | None = Query(None, pattern=r"^\d{4}-\d{2}$")):
    """A financial year's funding streams and pooled budgets (the current year by default)."""
    r = budgets.report(actor=request.auth, year=year)
    return {
        "year": r.year,
        "total": str(r.total),
        "by_partner": {k: str(v) for k, v in r.by_partner.items()},
        "streams": [
            {
                "partner": s.partner.name,
                "name": s.name,
                "kind": s.kind,
                "amount": str(s.amount),
                "pooled_budget": s.pooled_budget.name if s.pooled_budget else None,
            }
            for s in r.streams
        ],
        "pooled": [
            {
                "id": p.budget.pk,
                "name": p.budget.name,
                "service": p.budget.service.name,
                "total": str(p.total),
                "spend": None if p.spend is None else str(p.spend),
                "problem": p.problem,
                "partners": [
                    {
                        "partner": name,
                        "contribution": str(p.contributions.get(name, Decimal(0))),
                        "share": str(p.shares.get(name, Decimal(0))),
                        "spend": str(p.spend_by_partner[name])
                        if name in p.spend_by_partner
                        else None,
                        "benefits": str(p.benefits_by_partner[name])
                        if name in p.benefits_by_partner
                        else None,
                    }
                    for name in sorted(set(p.contributions) | set(p.benefits_by_partner))
                ],
            }
            for p in r.pooled
        ],
        "reconciles": r.reconciles,
    }


class CapacityOut(Schema):
    id: UUID
    name: str
    kind: str
    holds: int
    in_use: int | None = Field(description="Null when fewer than 5")
    waiting: int | None = Field(description="Null when fewer than 5")
    occupancy: float | None
    gap: str
    gaps: list[dict] = Field(description="At 6 to 60 months: the need and how many short")


def _small(n: int) -> int | None:
    return None if 0 < n < 5 else n


@router.get("/capacity", response=responses({200: list[CapacityOut]}))
def capacity_report(request):
    """Each capacity: what it holds, how full, who waits, and the gap the forecast opens."""
    return [
        {
            "id": r.capacity.pk,
            "name": r.capacity.name,
            "kind": r.capacity.kind,
            "holds": r.capacity.holds,
            "in_use": _small(r.in_use),
            "waiting": _small(r.waiting),
            "occupancy": r.occupancy,
            "gap": r.sentence(),
            "gaps": [g.__dict__ for g in r.gaps],
        }
        for r in capacity.report(actor=request.auth).rows
    ]
