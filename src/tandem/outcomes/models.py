"""Services a partnership runs, who received them and when (spells), and validated measures of
how children are doing (the SDQ). Everything later — outcomes, the impact report, budgets —
counts from the spells."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from tandem.outcomes.sdq import Informant


class StrategicAim(models.Model):
    """Stronger Families, Safer Childhoods, Positive Futures: the impact report's headings."""

    code = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return self.name


class ServiceType(models.Model):
    """Children's centres, family support, missing, leaving care, …: the report's rows."""

    code = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100, unique=True)
    aim = models.ForeignKey(StrategicAim, on_delete=models.PROTECT, related_name="types")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT)
    aim = models.ForeignKey(StrategicAim, on_delete=models.PROTECT)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Empty for a service the partnership runs jointly",
    )
    description = models.TextField(blank=True)
    delivered_by = models.ManyToManyField(
        "partners.Team",
        blank=True,
        related_name="services",
        help_text="The teams that deliver it: a case one of them opens, or a referral it decides "
        "to work with, starts a spell of the service for the child; closing the case ends it",
    )
    framework = models.CharField(
        max_length=40,
        blank=True,
        help_text="The outcome framework its outcomes are counted by (a file in "
        "tandem/outcomes/frameworks), or empty",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SpellSource(models.TextChoices):
    DIRECT = "direct", "Recorded directly"
    CASE = "case", "From a case"
    REFERRAL = "referral", "From a referral's outcome"


class SpellEnd(models.TextChoices):
    COMPLETED = "completed", "Completed the service"
    DISENGAGED = "disengaged", "Stopped taking part"
    MOVED = "moved", "Moved away"
    STEPPED_UP = "stepped_up", "Stepped up to statutory services"
    STEPPED_DOWN = "stepped_down", "Stepped down to universal services"
    OTHER = "other", "Another reason"


class ServiceSpell(models.Model):
    """One person receiving one service between two dates (the end empty while it goes on)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="spells", db_index=False
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="service_spells"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=SpellEnd, blank=True)
    source = models.CharField(max_length=20, choices=SpellSource, default=SpellSource.DIRECT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on"]
        indexes = [models.Index(fields=["service", "started_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="spell_ends_after_it_starts",
            )
        ]

    def clean(self) -> None:
        errors = {}
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = "The end date must be on or after the start date"
        if self.ended_on and not self.end_reason:
            errors["end_reason"] = "Choose why the service ended"
        if errors:
            raise ValidationError(errors)


class SdqRecord(models.Model):
    """One completed SDQ: the item answers by number (never the licensed wording) when they
    were entered, or only the scores of a form scored by hand; the scores are kept either way."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="sdqs", db_index=False
    )
    informant = models.CharField(max_length=10, choices=[(i.value, i.value) for i in Informant])
    completed_on = models.DateField()
    answers = models.JSONField(default=dict, blank=True, help_text="item number -> 0, 1 or 2")
    impact_answers = models.JSONField(default=dict, blank=True)
    difficulties = models.PositiveSmallIntegerField(null=True, blank=True)
    emotional = models.PositiveSmallIntegerField(null=True, blank=True)
    conduct = models.PositiveSmallIntegerField(null=True, blank=True)
    hyperactivity = models.PositiveSmallIntegerField(null=True, blank=True)
    peer = models.PositiveSmallIntegerField(null=True, blank=True)
    prosocial = models.PositiveSmallIntegerField(null=True, blank=True)
    impact = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["completed_on", "created_at"]
        indexes = [models.Index(fields=["person", "completed_on"])]


class StarReading(models.Model):
    """One area of an Outcomes Star read on a day (1-10, higher is further on the journey). The
    Star's wording is licensed: only the star, edition and area codes are kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="star_readings", db_index=False
    )
    star = models.SlugField(max_length=40, help_text="For example family-star-plus")
    edition = models.CharField(max_length=20, blank=True)
    area = models.SlugField(max_length=40)
    reading = models.PositiveSmallIntegerField()
    read_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["read_on", "area"]
        indexes = [models.Index(fields=["person", "star", "read_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reading__gte=1, reading__lte=10), name="star_reading_1_to_10"
            )
        ]


class ValueKind(models.TextChoices):
    FISCAL = "fiscal", "Fiscal: a saving to a public agency"
    ECONOMIC = "economic", "Economic: e.g. earnings"
    SOCIAL = "social", "Social: health, wellbeing, victims"


class UnitCost(models.Model):
    """One sourced unit cost, at the prices of the year it was measured in: uprated in one
    place (`tandem.outcomes.value.uprate`) by the GDP deflators loaded."""

    code = models.CharField(max_length=20, primary_key=True, help_text="For example SS1.0")
    description = models.CharField(max_length=300)
    unit = models.CharField(max_length=60, help_text="For example per year, per week, each")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    price_year = models.CharField(max_length=7, help_text="The financial year, e.g. 2013-14")
    agency = models.CharField(max_length=100, help_text="Who bears the cost (and saves it)")
    kind = models.CharField(max_length=10, choices=ValueKind, default=ValueKind.FISCAL)
    source = models.CharField(max_length=300)
    edition = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Deflator(models.Model):
    """HM Treasury's GDP deflator at market prices for one financial year, from a release the
    partnership loaded (`tandem outcomes deflators FILE.csv`)."""

    year = models.CharField(max_length=7, primary_key=True, help_text="For example 2016-17")
    index = models.DecimalField(max_digits=10, decimal_places=4)
    release = models.CharField(max_length=200, help_text="The release it came from")
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]
