"""How pages show dates, ages and identifiers, in the GOV.UK style ("17 May 2012", "943 476 5919").

Registered as Jinja filters by `WebConfig.ready`.
"""

from datetime import date, datetime

from django.utils import timezone


def govuk_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.day} {value:%B %Y}"


def govuk_datetime(value: datetime | None) -> str:
    """'3 March 2026 at 2:05pm'; midnight is shown as a date alone (events known by day only)."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if (local.hour, local.minute) == (0, 0):
        return govuk_date(local)
    hour = local.hour % 12 or 12
    return f"{govuk_date(local)} at {hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def nhs_number(value: str | None) -> str:
    """'9434765919' -> '943 476 5919', the way the NHS writes it."""
    if not value:
        return ""
    return f"{value[:3]} {value[3:6]} {value[6:]}" if len(value) == 10 else value


def nhs_number_ending(value: str | None) -> str:
    """Lists show only the last 4 digits: enough to tell two children apart, not enough to
    copy an identifier into another system."""
    return f"ending {value[-4:]}" if value else ""


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
}
