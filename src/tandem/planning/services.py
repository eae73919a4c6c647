"""Planning's writes: a forecast started as a background job, scenarios (by hand or from a
service's measured effect), funding streams and pooled budgets, capacity. Each checks every field
at once and saves nothing unless all are right; each is audited."""

import shutil
from datetime import date
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.policies import Action
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.jobs.services import job_start
from tandem.planning.fit import Fitted
from tandem.planning.forecast import MAX_MONTHS
from tandem.planning.models import Forecast, ForecastMethod, ForecastSource, Scenario
from tandem.planning.scenarios import ScenarioError, read_changes

MAX_UPLOAD = 200 * 1024 * 1024


def uploads_folder(forecast) -> Path:
    return Path(settings.VAR_DIR) / "planning" / str(forecast.pk)


def forecast_start(
    *,
    actor,
    name: str,
    source: str,
    window_start: date | None,
    window_end: date | None,
    months: int | None,
    method: str = ForecastMethod.TANDEM,
    uploads: list | None = None,
    paths: list[str] | None = None,
    enqueue: bool = True,
) -> Forecast:
    """Queue a forecast. `uploads`: SSDA903 files sent through the page (kept only until the job
    has read them); `paths`: files or folders on the server (the command line)."""
    require_role(actor, Action.PLAN)
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Enter a name for the forecast"
    if source not in ForecastSource.values:
        errors["source"] = "Choose where the care history comes from"
    if method not in ForecastMethod.values:
        errors["method"] = "Choose how the model is fitted"
    if window_start is None:
        errors["window_start"] = "Enter the first day of the reference window"
    if window_end is None:
        errors["window_end"] = "Enter the last day of the reference window"
    elif window_end > timezone.localdate():
        errors["window_end"] = "The reference window must end today or before"
    if window_start and window_end and window_end <= window_start:
        errors["window_end"] = "The reference window must end after it starts"
    if months is None or not 1 <= months <= MAX_MONTHS:
        errors["months"] = f"Enter a number of months from 1 to {MAX_MONTHS}"
    if source == ForecastSource.SSDA903 and not (uploads or paths):
        errors["files"] = "Choose the SSDA903 Header and Episodes files (CSV) to forecast from"
    for upload in uploads or []:
        if not upload.name.lower().endswith(".csv"):
            errors["files"] = f"{upload.name} is not a CSV file: choose CSV files"
        elif upload.size > MAX_UPLOAD:
            errors["files"] = f"{upload.name} is larger than 200MB"
    if errors:
        raise ValidationError(errors)
    forecast = Forecast(
        name=name.strip()[:200],
        source=source,
        method=method,
        window_start=window_start,
        window_end=window_end,
        months=months,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            forecast.full_clean()
            forecast.save()
            params = {"forecast_id": str(forecast.pk)}
            if uploads:
                folder = uploads_folder(forecast)
                folder.mkdir(parents=True, exist_ok=True)
                for n, upload in enumerate(uploads):
                    with (folder / f"{n:03d}.csv").open("wb") as out:
                        for chunk in upload.chunks():
                            out.write(chunk)
                params |= {"paths": [str(folder)], "uploaded": True}
            elif paths:
                params["paths"] = [str(Path(p).resolve()) for p in paths]
            forecast.job = job_start(
                owner=actor,
                kind="planning.forecast",
                title=f"Forecast: {forecast.name}",
                params=params,
                enqueue=enqueue,
            )
            forecast.save(update_fields=["job"])
            Audit(actor, Purpose.PLANNING).row(
                AuditAction.CREATE,
                "forecast",
                forecast.pk,
                detail={"source": source, "method": method, "months": months},
            )
    except Exception:
        uploads_remove(forecast)  # nothing was queued: the files written for it go with it
        raise
    return forecast


def uploads_remove(forecast) -> None:
    """The SSDA903 files a page sent hold children's details: gone once the job has read them."""
    shutil.rmtree(uploads_folder(forecast), ignore_errors=True)


def _forecast_for_scenario(actor, forecast_id: UUID) -> Forecast:
    require_role(actor, Action.PLAN)
    forecast = Forecast.objects.filter(pk=forecast_id).first()
    if forecast is None:
        raise NotFound("There is no such forecast")
    if not forecast.ready:
        raise ValidationError({"forecast": "The forecast has not finished: wait for it"})
    return forecast


def scenario_save(
    *, actor, forecast_id: UUID, name: str, description: str = "", changes: list,
    evidence: bool = False,
) -> Scenario:  # fmt: skip
    """`evidence`: the changes include one made by `evidence_change` from a measured effect;
    nobody else may write one, so a scenario never claims evidence it does not have."""
    forecast = _forecast_for_scenario(actor, forecast_id)
    errors = {}
    if not evidence and any(isinstance(c, dict) and c.get("kind") == "prevented" for c in changes):
        errors["changes"] = (
            "A change from a service's measured effect is made from its matched comparison "
            "(the scenario from evidence), not written by hand"
        )
    if not (name or "").strip():
        errors["name"] = "Enter a name for the scenario"
    if not changes:
        errors["changes"] = "Add at least one change"
    elif "changes" not in errors:
        try:
            read_changes(changes, Fitted.from_dict(forecast.fitted))
        except ScenarioError as error:
            errors["changes"] = error.problems
    if errors:
        raise ValidationError(errors)
    scenario = Scenario.objects.create(
        forecast=forecast,
        name=name.strip()[:200],
        description=description.strip(),
        changes=changes,
        created_by=actor,
    )
    Audit(actor, Purpose.PLANNING).row(
        AuditAction.CREATE, "scenario", scenario.pk, detail={"changes": len(changes)}
    )
    return scenario


def evidence_change(*, actor, service_id: UUID, children_a_year, bands: list[str]) -> dict:
    """A `prevented` change from the service's matched comparison on entering care (counts only;
    the comparison itself is audited by outcomes)."""
    from tandem.outcomes import selectors as outcomes

    require_role(actor, Action.PLAN)
    errors = {}
    if children_a_year is None or children_a_year <= 0:
        errors["children_a_year"] = "Enter how many children the service works with a year"
    if errors:
        raise ValidationError(errors)
    # A service that does not exist is NotFound (404), as everywhere.
    service, period, result = outcomes.service_comparison(actor=actor, service_id=service_id)
    if result is None:
        errors["service"] = f"{service.name} has no matched comparison on entering care"
    elif result.effect is None:
        errors["service"] = f"{service.name}: no measured effect ({result.withheld})"
    elif _kind_of(service, result.outcome) != "entered_care":
        errors["service"] = f"{service.name}'s comparison is not on entering care"
    if errors:
        raise ValidationError(errors)
    effect = result.effect
    return {
        "kind": "prevented",
        "service": service.name,
        "service_id": str(service.pk),
        "outcome": result.outcome,
        "effect": {
            "estimate": round(effect.estimate, 4),
            "low": round(effect.low, 4),
            "high": round(effect.high, 4),
        },
        "matched": result.matched,
        "children_a_year": float(children_a_year),
        "bands": bands,
        "period": [period.started_from.isoformat(), period.started_to.isoformat()],
    }


def _kind_of(service, code: str) -> str:
    from tandem.outcomes.frameworks import framework

    fw = framework(service.framework)
    return next((o.kind for o in fw.outcome if o.code == code), "") if fw else ""
