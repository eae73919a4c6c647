"""How pages show dates, ages and identifiers, in the GOV.UK style ("17 May 2012", "943 476 5919"),
as Jinja filters (registered by `WebConfig.ready`); the formats themselves are `tandem.formats`.
"""

from datetime import date

from django.utils import timezone

from tandem.formats import (
    govuk_date,
    govuk_datetime,
    money,
    nhs_number,
    nhs_number_ending,
    pence,
)


def age(person, today: date | None = None) -> str:
    today = today or timezone.localdate()
    if person.date_of_birth is None:
        return "Not born yet" if person.expected_due_date else "Not known"
    born = person.date_of_birth
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months < 24:
        return f"{months} month{'s' if months != 1 else ''}"
    return f"{months // 12} years"


def category_labels(categories) -> list[str]:
    """The record categories someone may see, in the order the policy lists them."""
    from tandem.access.categories import Category

    return [c.label for c in Category if c in categories]


FILTERS = {
    "govuk_date": govuk_date,
    "govuk_datetime": govuk_datetime,
    "nhs_number": nhs_number,
    "nhs_number_ending": nhs_number_ending,
    "age": age,
    "category_labels": category_labels,
    "money": money,
    "pence": pence,
}
