"""People (children and adults), households, relationships, identifiers and chronology events.

Nothing here is read directly by a page, the API or an export: `people.selectors` applies the
access policy and writes the audit row.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from tandem.people.codes import Ethnicity, EventKind, RelationshipKind, Sex
from tandem.people.identifiers import validate_nhs_number, validate_upn

POSTCODE_HELP = "A UK postcode, like SW1A 1AA"


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    is_child = models.BooleanField(default=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    known_as = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    # An unborn child has an expected due date instead of a date of birth.
    expected_due_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, help_text=POSTCODE_HELP)
    nhs_number = models.CharField(
        max_length=10, null=True, blank=True, validators=[validate_nhs_number]
    )
    upn = models.CharField(max_length=13, null=True, blank=True, validators=[validate_upn])
    # A pupil's earlier UPN, as the CIN census carries it (FormerUPN).
    former_upn = models.CharField(max_length=13, null=True, blank=True, validators=[validate_upn])
    died_on = models.DateField("Date of death", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(Lower("family_name"), Lower("given_name"), name="person_name_idx"),
            models.Index(fields=["date_of_birth"], name="person_dob_idx"),
            models.Index(fields=["postcode"], name="person_postcode_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=models.Q(nhs_number__isnull=False),
                name="person_nhs_number_unique",
                violation_error_code="duplicate_nhs_number",
                violation_error_message="This NHS number is already recorded for someone else: "
                "check it, or leave it blank",
            ),
            models.UniqueConstraint(
                fields=["upn"],
                condition=models.Q(upn__isnull=False),
                name="person_upn_unique",
                violation_error_code="duplicate_upn",
                violation_error_message="This unique pupil number is already recorded for someone "
                "else: check it, or leave it blank",
            ),
            models.CheckConstraint(
                condition=models.Q(date_of_birth__isnull=True)
                | models.Q(expected_due_date__isnull=True),
                name="person_born_or_expected",
                violation_error_message="Give a date of birth or an expected due date, not both",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_due_date is not None

    def validate_constraints(self, exclude=None) -> None:
        """Report a duplicate identifier against its own field, so forms and the API name it."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as e:
            fields = {"duplicate_nhs_number": "nhs_number", "duplicate_upn": "upn"}
            errors: dict[str, list] = {}
            for error in e.error_dict.get("__all__", []):
                errors.setdefault(fields.get(error.code, "__all__"), []).append(error)
            for name, field_errors in e.error_dict.items():
                if name != "__all__":
                    errors.setdefault(name, []).extend(field_errors)
            raise ValidationError(errors) from e

    def clean(self) -> None:
        errors = {}
        if self.date_of_birth and self.expected_due_date:
            errors["expected_due_date"] = "Give a date of birth or an expected due date, not both"
        if self.date_of_birth and self.date_of_birth > _today():
            errors["date_of_birth"] = "Date of birth must be today or in the past"
        if self.expected_due_date and not self.is_child:
            errors["expected_due_date"] = "Only an unborn child has an expected due date"
        if self.died_on and (
            self.died_on > _today() or (self.date_of_birth and self.died_on < self.date_of_birth)
        ):
            errors["died_on"] = "Date of death must be between the date of birth and today"
        if self.postcode:
            self.postcode = normalise_postcode(self.postcode)
            if not _POSTCODE.fullmatch(self.postcode):
                errors["postcode"] = "Enter a real postcode, like SW1A 1AA"
        if errors:
            raise ValidationError(errors)


def _today():
    return timezone.localdate()


_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")


def normalise_postcode(value: str) -> str:
    """'sw1a1aa' -> 'SW1A 1AA': the inward code is always the last three characters."""
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


class AgencyIdentifier(models.Model):
    """A partner's own id for a person (a police nominal id, a school's admission number …)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="agency_ids")
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    local_id = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "local_id"],
                name="agency_id_unique_in_partner",
                violation_error_message="This partner already uses this id for another person",
            )
        ]

    def __str__(self) -> str:
        return self.local_id


class Household(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, help_text="For example, the Smith household")
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, help_text=POSTCODE_HELP)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class HouseholdMember(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person"],
                name="household_member_once",
                violation_error_message="This person is already in this household",
            )
        ]


class Relationship(models.Model):
    """One row per pair: `person_a` is `kind` of `person_b`; the inverse is derived, never stored,
    so the two directions can never disagree."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person_a = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relationships_as_a", db_index=False
    )
    person_b = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relationships_as_b"
    )
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(person_a=models.F("person_b")),
                name="relationship_not_self",
                violation_error_message="A person cannot be related to themselves",
            ),
            models.UniqueConstraint(
                fields=["person_a", "person_b"],
                name="relationship_once_per_pair",
                violation_error_message="These two people already have a relationship recorded",
            ),
        ]


class Event(models.Model):
    """Something a partner knows happened to a child: one line of the child's chronology."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    summary = models.TextField(max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["person", "occurred_at"], name="event_person_time_idx")]
