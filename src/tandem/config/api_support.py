"""What every router of the JSON API shares: strict input schemas, the field types they are built
from, the error bodies, and the errors every operation documents.

The schema *is* the validation: anything a JSON Schema can say (types, enums, lengths, patterns,
formats) is said here, so the OpenAPI tells a client exactly what is accepted. What it cannot say
(check digits, "not in the future", "this team takes referrals") the services check, and the
answer has the same shape: 422 with the field's location.
"""

import re
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError


class InputSchema(Schema):
    """A request body: no coercion (a number is not a string, "1" is not a number) and no field
    the schema does not name."""

    model_config = ConfigDict(strict=True, extra="forbid")


# --- Free text --------------------------------------------------------------------------------
# No control characters (PostgreSQL cannot store NUL; the others only hide things), and a
# required value must hold something other than spaces, because the services strip it.
_LINE_CHAR = r"[^\x00-\x1f\x7f-\x9f]"
_TEXT_CHAR = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"  # also tab, line feed, carriage return
_LINE_MARK = r"[^\x00-\x1f\x7f-\x9f\s]"


def line(max_length: int, *, required: bool = True, description: str = "") -> Any:
    """One line of text, like a name."""
    pattern = f"^{_LINE_CHAR}*{_LINE_MARK}{_LINE_CHAR}*$" if required else f"^{_LINE_CHAR}*$"
    return Annotated[
        str,
        Field(
            min_length=1 if required else 0,
            max_length=max_length,
            pattern=pattern,
            description=description or None,
        ),
    ]


def text(max_length: int, *, description: str = "") -> Any:
    """Required free text, which may run over several lines."""
    return Annotated[
        str,
        Field(
            min_length=1,
            max_length=max_length,
            pattern=f"^{_TEXT_CHAR}*{_LINE_MARK}{_TEXT_CHAR}*$",
            description=description or None,
        ),
    ]


def coded(codes: type[Enum], description: str) -> Any:
    """A coded field: the OpenAPI lists the codes; the description says what each means.

    Strict mode would take only enum members from Python, not the strings a JSON body holds;
    lax enum validation still refuses anything but one of the codes (a number too)."""
    meanings = "; ".join(f"`{c.value}` {c.label}" for c in codes)
    return Annotated[codes, Strict(False), Field(description=f"{description}: {meanings}")]


# --- Identifiers, postcodes ---------------------------------------------------------------------
NhsNumber = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}$",
        description="NHS number: 10 digits (spaces or hyphens after the 3rd and 6th allowed); "
        "the last is a modulus-11 check digit",
        examples=["943 476 5919"],
    ),
]
Upn = Annotated[
    str,
    Field(
        pattern=r"^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$",
        description="Unique pupil number: a check letter, 11 digits, then a digit (or a letter "
        "in a temporary UPN)",
        examples=["H801200001001"],
    ),
]
Postcode = Annotated[
    str,
    Field(
        pattern=r"^([A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2})?$",
        max_length=8,
        description="A UK postcode, like SW1A 1AA (stored in capitals, with the space); "
        "empty if not known",
    ),
]


# --- Ids, dates and times -----------------------------------------------------------------------
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _uuid(value):
    if isinstance(value, UUID):
        return value
    if isinstance(value, str) and _UUID.fullmatch(value):
        return UUID(value)
    raise PydanticCustomError("uuid", "Enter an id like 3fa85f64-5717-4562-b3fc-2c963f66afa6")


def _date(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date", "Enter a real date, like 2012-05-17") from None
    raise PydanticCustomError("date", "Enter a date as YYYY-MM-DD, like 2012-05-17")


# Earlier than this is a typing mistake, and far-off years overflow when moved to UTC.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def _past_moment(value):
    if isinstance(value, str) and _DATE_TIME.fullmatch(value):
        try:
            value = datetime.fromisoformat(value.upper())
        except ValueError:
            raise PydanticCustomError("datetime", "Enter a real date and time") from None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise PydanticCustomError(
            "datetime",
            "Enter a date and time with its offset from UTC, like 2025-03-01T14:30:00Z",
        )
    if value.year < EARLIEST.year or value > timezone.now():
        raise PydanticCustomError(
            "datetime_range", "Enter a date and time after 1900 that has already happened"
        )
    return value


Id = Annotated[UUID, BeforeValidator(_uuid)]
IsoDate = Annotated[date, BeforeValidator(_date), Field(description="A date: YYYY-MM-DD")]
PastMoment = Annotated[
    datetime,
    BeforeValidator(_past_moment),
    WithJsonSchema({"type": "string", "format": "date-time"}),
    Field(description="When it happened, with its offset from UTC (RFC 3339)"),
]


def unique_items(values: list) -> list:
    if len(set(values)) != len(values):
        raise PydanticCustomError("unique_items", "Give each value once")
    return values


# --- Errors ------------------------------------------------------------------------------------
class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in words")


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(
        description='Where: "body", "query" or "path", then the field (and any nesting)'
    )
    msg: str = Field(description="What is wrong with it, in words")
    type: str = Field(description="A short code for the kind of error")


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


ERRORS = {
    400: ErrorOut,  # the body is not JSON
    401: ErrorOut,  # no credentials, or not valid ones
    403: ErrorOut,  # the role cannot do this at all (or a failed CSRF check)
    404: ErrorOut,  # no such record *in your records*: never told apart from "not allowed"
    422: ValidationErrorOut,  # a field is wrong: loc names it
    500: ErrorOut,  # a fault on Tandem's side, logged
    503: ErrorOut,  # the database is busy (Retry-After says when to try again)
}


def responses(success: dict) -> dict:
    """An operation's responses: its own successes and every error, each with a schema."""
    return {**success, **ERRORS}


def field_errors(exc: ValidationError, where: str = "body") -> list[dict]:
    """A Django ValidationError as ninja's 422 items. A key like "new_child.nhs_number" is a
    nested field."""
    error_dict = getattr(exc, "error_dict", None) or {"__all__": exc.error_list}
    items = []
    for field, errors in error_dict.items():
        loc = [where] if field == "__all__" else [where, *field.split(".")]
        for error in errors:
            for message in error:
                items.append({"loc": loc, "msg": message, "type": error.code or "invalid"})
    return items


@contextmanager
def errors_under(prefix: str, fields: Iterable[str]):
    """Errors a service reports for a nested object's fields, located inside that object."""
    fields = set(fields)
    try:
        yield
    except ValidationError as e:
        if not hasattr(e, "error_dict"):
            raise
        raise ValidationError(
            {(f"{prefix}.{k}" if k in fields else k): v for k, v in e.error_dict.items()}
        ) from e
