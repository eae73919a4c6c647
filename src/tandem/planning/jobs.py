"""A forecast run as a background job: read the care history, fit, step up to ten years, keep
the fitted model and the figures on the forecast, with progress at each stage."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.formats import govuk_date
from tandem.jobs.registry import job_kind
from tandem.planning import history
from tandem.planning.fit import FitError, fit
from tandem.planning.forecast import PENNY, project
from tandem.planning.models import Forecast, ForecastSource
from tandem.planning.results import counted, summary
from tandem.planning.services import uploads_remove
from tandem.planning.shape import Shape, standard

FORECAST = "planning.forecast"


def priced(shape: Shape) -> Shape:
    """The shape with every weekly cost at this financial year's prices, where the GDP
    deflators loaded allow; a cost they cannot uprate stays at its own price year (the page
    says which)."""
    from tandem.formats import financial_year
    from tandem.outcomes.value import DeflatorMissing, uprate

    year = financial_year(timezone.localdate())
    categories = []
    for c in shape.categories:
        try:
            weekly = uprate(c.weekly_cost, c.price_year, year).quantize(PENNY)
        except DeflatorMissing:
            categories.append(c)
            continue
        categories.append(c.model_copy(update={"weekly_cost": weekly, "price_year": year}))
    return shape.model_copy(update={"categories": categories})


def _reset(job, failed: str = "") -> None:
    """Given up: the files the page sent go (a retry still needs them)."""
    if failed and job.params.get("uploaded"):
        uploads_remove(Forecast(pk=job.params["forecast_id"]))


@job_kind(FORECAST, reset=_reset)
def forecast_run(job, progress) -> dict:
    """params: forecast_id; paths (SSDA903 files or folders, for that source); uploaded (the
    files came through the page, and go once read)."""
    forecast = Forecast.objects.get(pk=job.params["forecast_id"])
    try:
        return _run(job, progress, forecast)
    except ValidationError:
        if job.params.get("uploaded"):
            uploads_remove(forecast)
        raise


def _run(job, progress, forecast) -> dict:
    progress.stage("Reading the care history")
    try:
        if forecast.source == ForecastSource.RECORD:
            episodes = history.from_record()
            Audit(job.owner, Purpose.PLANNING).row(
                AuditAction.LIST,
                "care_episode",
                None,
                detail={"episodes": episodes.height, "forecast": str(forecast.pk)},
            )
        else:
            paths = [Path(p) for p in job.params["paths"]]
            if job.params.get("uploaded") and not any(p.exists() for p in paths):
                raise ValidationError(
                    "The uploaded SSDA903 files are gone (they are kept only until read): "
                    "start a new forecast and upload them again"
                )
            episodes = history.read_ssda903(paths)
            first, last = history.covered(episodes)
            if forecast.window_end > last:
                raise ValidationError(
                    f"The SSDA903 files record nothing after {govuk_date(last)}: end the "
                    f"reference window on or before it (a window past the files' end sees no "
                    "one enter or leave)"
                )
            if forecast.window_start < first:
                raise ValidationError(
                    f"The SSDA903 files start on {govuk_date(first)}: start the reference "
                    "window on or after it"
                )
        progress.stage("Fitting the model")
        fitted = fit(
            episodes,
            priced(standard()),
            (forecast.window_start, forecast.window_end),
            method=forecast.method,
        )
    except (history.HistoryError, FitError) as error:
        raise ValidationError(getattr(error, "problems", None) or [str(error)]) from error
    progress.stage("Forecasting", total=forecast.months * 31)
    stepped = project(fitted, forecast.months, tick=progress.set)
    progress.stage("Saving the forecast")
    forecast.fitted = fitted.as_dict()
    forecast.result = summary(stepped)
    forecast.save(update_fields=["fitted", "result"])
    if job.params.get("uploaded"):
        uploads_remove(forecast)
    return {
        "url": reverse("planning:forecast", kwargs={"forecast_id": forecast.pk}),
        "link_text": "See the forecast",
        "episodes": fitted.episodes,
        "in_care_now": counted(forecast.result["in_care_now"]),
    }
