"""How Tandem writes dates, times and identifiers, everywhere a person reads them (pages,
notifications, messages): the GOV.UK style, "17 May 2012", "17 May 2012 at 2:05pm",
"943 476 5919". One formatter, so the service never shows two styles of the same thing."""

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


def financial_year(day) -> str:
    """The financial (and SSDA903 collection) year a day falls in: 1 April to 31 March,
    written "2025-26"."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def pence(value) -> str:
    """Pounds to the penny, always ("£1,204.50"): for budgets, which must add up exactly."""
    from decimal import Decimal

    amount = Decimal(value)
    return f"{'-' if amount < 0 else ''}£{abs(amount):,.2f}"


def money(value) -> str:
    """Pounds, to the pound when the sum is large and to the penny when small, as GOV.UK
    writes them: "£4,860", "£17.26", "-£1,200". Exact: `Decimal` in, no float on the way."""
    from decimal import ROUND_HALF_UP, Decimal

    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount >= 1000 or amount == amount.to_integral_value():
        return f"{sign}£{amount.quantize(Decimal(1), ROUND_HALF_UP):,}"
    return f"{sign}£{amount.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
