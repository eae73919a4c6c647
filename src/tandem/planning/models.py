"""Planning's records: forecasts of children in care (each run as a background job, keeping the
model it fitted so a scenario can be stepped from it), scenarios, partners' funding streams and
pooled budgets, and the capacity of services and teams."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

YEAR = RegexValidator(r"^\d{4}-\d{2}$", "Enter the financial year as 2026-27")


def financial_year_check(value: str) -> None:
    YEAR(value)
    first, second = value.split("-")
    if (int(first) + 1) % 100 != int(second):
        raise ValidationError("Enter the financial year as 2026-27: the second year follows")


class ForecastSource(models.TextChoices):
    RECORD = "record", "The record's care episodes"
    SSDA903 = "ssda903", "SSDA903 files (Header and Episodes, several years)"


class ForecastMethod(models.TextChoices):
    TANDEM = "tandem", "Tandem (ageing at birthdays, care ends at 18)"
    V1 = "v1", "As cs-demand-model 0.5.1 (for comparison only)"


class Forecast(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=ForecastSource)
    method = models.CharField(max_length=10, choices=ForecastMethod, default=ForecastMethod.TANDEM)
    window_start = models.DateField("Reference window from")
    window_end = models.DateField("Reference window to")
    months = models.PositiveSmallIntegerField(
        default=120, validators=[MinValueValidator(1)], help_text="Up to 120 (ten years)"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    job = models.OneToOneField(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="forecast"
    )
    # Filled by the job: the model fitted (shape, states, rates, entrants, stock, leavers) and
    # what it forecast (months, costs by year, care leavers by age), all aggregate numbers.
    fitted = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def ready(self) -> bool:
        return bool(self.result)


class Scenario(models.Model):
    """A change to a forecast's fitted model, written as data (`planning.scenarios` checks it):
    entrants or moves scaled, children a year moved, or entries prevented by a service whose
    effect the outcomes matched comparison measured."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    forecast = models.ForeignKey(Forecast, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    changes = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StreamKind(models.TextChoices):
    CORE = "core", "Core budget"
    GRANT = "grant", "Grant"
    NHS = "nhs", "NHS contribution"
    PCC = "pcc", "Police and crime commissioner"
    FUNDRAISING = "fundraising", "Charity fundraising"
    OTHER = "other", "Other"


class PooledBudget(models.Model):
    """A budget the partners pool for a jointly run service in one financial year; what it spends
    is the record's activity on the service priced by a unit cost from the outcomes register."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    year = models.CharField(max_length=7, validators=[financial_year_check])
    service = models.ForeignKey("outcomes.Service", on_delete=models.PROTECT)
    unit_cost = models.ForeignKey(
        "outcomes.UnitCost",
        on_delete=models.PROTECT,
        help_text="What one unit of the service's activity costs (per week of a spell, or each "
        "spell)",
    )

    class Meta:
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="pooled_budget_name_year")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class FundingStream(models.Model):
    """Money a partner puts in for a financial year; one that goes into a pooled budget is that
    partner's contribution (and share) of it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=StreamKind)
    year = models.CharField(max_length=7, validators=[financial_year_check])
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    pooled_budget = models.ForeignKey(
        PooledBudget,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
    )

    class Meta:
        ordering = ["-year", "partner__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    def clean(self):
        if self.pooled_budget_id and self.pooled_budget.year != self.year:
            raise ValidationError({"year": "A contribution is for the pooled budget's own year"})


class CapacityKind(models.TextChoices):
    PLACES = "places", "Places (beds, lodgings, group places)"
    CASELOAD = "caseload", "Caseload (workers, each with a standard caseload)"


class Accommodation(models.TextChoices):
    """Where care leavers live, grouped from the SSDA903's OC3 accommodation codes."""

    SUPPORTED_LODGINGS = "supported_lodgings", "Supported lodgings"
    SEMI_INDEPENDENT = "semi_independent", "Semi-independent accommodation"
    STAYING_PUT = "staying_put", "Staying put with former foster carers"
    INDEPENDENT = "independent", "Independent living, lodgings or a foyer"
    FAMILY = "family", "With parents or relatives"
    OTHER = "other", "Somewhere else"


class Capacity(models.Model):
    """What a service or team can hold, as the partnership sets it: places, or workers at a
    standard caseload. `measure` says which forecast figure needs it (for the gap)."""

    class Measure(models.TextChoices):
        NONE = "", "Nothing forecast"
        IN_CARE = "in_care", "Children in care"
        CARE_LEAVERS = "care_leavers", "Care leavers aged 17 to 25"
        LEAVERS_18_21 = "leavers_18_21", "Care leavers aged 18 to 21"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=CapacityKind)
    service = models.ForeignKey(
        "outcomes.Service", on_delete=models.PROTECT, null=True, blank=True
    )
    team = models.ForeignKey("partners.Team", on_delete=models.PROTECT, null=True, blank=True)
    places = models.PositiveIntegerField(
        null=True, blank=True, help_text="Places, for a service's places"
    )
    workers = models.PositiveIntegerField(null=True, blank=True)
    worker_title = models.CharField(
        "What the workers are called",
        max_length=60,
        blank=True,
        help_text="For example, personal advisers",
    )
    caseload = models.PositiveIntegerField(
        "Standard caseload", null=True, blank=True, help_text="Children or young people a worker"
    )
    measure = models.CharField(max_length=20, choices=Measure, blank=True)
    accommodation = models.CharField(
        max_length=20,
        choices=Accommodation,
        blank=True,
        help_text="For care leavers' places: the kind of accommodation, whose share of care "
        "leavers (from the record's care leaver contacts) the need is multiplied by",
    )
    share = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal(1),
        help_text="The share of the forecast figure that needs this capacity (e.g. 0.15 of care "
        "leavers in supported lodgings)",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "capacities"

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.kind == CapacityKind.PLACES:
            if self.service_id is None:
                errors["service"] = "Choose the service whose places these are"
            if not self.places:
                errors["places"] = "Enter the number of places"
        if self.kind == CapacityKind.CASELOAD:
            if self.team_id is None:
                errors["team"] = "Choose the team whose caseload this is"
            if not self.workers:
                errors["workers"] = "Enter the number of workers"
            if not self.caseload:
                errors["caseload"] = "Enter the standard caseload of a worker"
        if not Decimal(0) < self.share <= Decimal(1):
            errors["share"] = "Enter a share above 0 and at most 1"
        if errors:
            raise ValidationError(errors)

    @property
    def holds(self) -> int:
        """Children or young people it can hold."""
        if self.kind == CapacityKind.PLACES:
            return self.places or 0
        return (self.workers or 0) * (self.caseload or 0)
