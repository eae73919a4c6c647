"""Column mappings: which column of a partner's file holds which of Tandem's person fields.

A mapping is TOML, one table per source:

    [sources.police]
    file = "police.csv"                 # matched by name; the table name also matches
    record_id = "IncidentRef"           # unique within the file
    given_name = "Forename"
    family_name = "Surname"
    date_of_birth = { column = "DOB", format = "%d/%m/%Y" }
    sex = { column = "Gender", values = { "Male" = "M", "Female" = "F" } }
    postcode = "Postcode"
    nhs_number = "NHS"

The same shape is stored per partner and extract type for uploads (`ColumnMapping`).
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

# Tandem's person fields a source can map, and what each is.
FIELDS = {
    "record_id": "the row's own id, unique in the file",
    "local_id": "the agency's id for the person",
    "given_name": "first name",
    "family_name": "surname",
    "known_as": "name the child is known by",
    "date_of_birth": "date of birth (with its format)",
    "sex": "sex (with the file's codes for male and female)",
    "postcode": "postcode",
    "address": "first line of the address",
    "nhs_number": "NHS number",
    "upn": "unique pupil number",
    "event_type": "what happened",
    "event_date": "when it happened (with its format)",
}
REQUIRED = ("record_id", "given_name", "family_name", "date_of_birth")
DATED = ("date_of_birth", "event_date")
SEX_CODES = ("M", "F")


@dataclass(frozen=True)
class Column:
    name: str
    format: str = ""  # strftime format, for dates
    values: dict[str, str] = field(default_factory=dict)  # file code -> Tandem code


@dataclass(frozen=True)
class SourceMapping:
    source: str
    file: str
    columns: dict[str, Column]

    def column(self, tandem_field: str) -> Column | None:
        return self.columns.get(tandem_field)


def _column(source: str, key: str, value) -> Column:
    where = f"sources.{source}.{key}"
    if isinstance(value, str):
        if key in DATED:
            raise ValidationError({where: f"{key} needs {{ column = ..., format = ... }}"})
        return Column(value)
    if not isinstance(value, dict) or not isinstance(value.get("column"), str):
        raise ValidationError({where: "must be a column name or a table with a column"})
    unknown = set(value) - {"column", "format", "values"}
    if unknown:
        raise ValidationError({where: f"unknown keys: {', '.join(sorted(unknown))}"})
    fmt = value.get("format", "")
    if key in DATED and not fmt:
        raise ValidationError({where: "a date column needs its format, like %d/%m/%Y"})
    values = value.get("values", {})
    if not isinstance(values, dict) or any(v not in SEX_CODES for v in values.values()):
        raise ValidationError({where: f"values must map the file's codes to {SEX_CODES}"})
    return Column(value["column"], fmt, {str(k): v for k, v in values.items()})


def source_mapping(source: str, spec: dict) -> SourceMapping:
    if not source.replace("_", "").isalnum():
        raise ValidationError({f"sources.{source}": "a source name is letters, digits and _"})
    unknown = set(spec) - set(FIELDS) - {"file"}
    if unknown:
        raise ValidationError(
            {f"sources.{source}": f"unknown fields: {', '.join(sorted(unknown))}"}
        )
    missing = [f for f in REQUIRED if f not in spec]
    if missing:
        raise ValidationError({f"sources.{source}": f"missing fields: {', '.join(missing)}"})
    columns = {k: _column(source, k, v) for k, v in spec.items() if k != "file"}
    return SourceMapping(source, str(spec.get("file", f"{source}.csv")), columns)


def parse(text: str) -> dict[str, SourceMapping]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ValidationError({"mapping": f"not valid TOML: {e}"}) from e
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise ValidationError({"mapping": "no [sources.NAME] tables"})
    return {name: source_mapping(name, spec) for name, spec in sources.items()}


def for_files(mappings: dict[str, SourceMapping], files: list[Path]) -> list:
    """Pair each file with its source mapping (by the file's name, then by the source's)."""
    by_file = {Path(m.file).name: m for m in mappings.values()}
    paired = []
    for path in files:
        mapping = by_file.get(path.name) or mappings.get(path.stem)
        if mapping is None:
            raise ValidationError(
                {str(path): f"no source for {path.name} in the mapping ([sources.{path.stem}])"}
            )
        paired.append((path, mapping))
    if len({m.source for _, m in paired}) < len(paired):
        raise ValidationError({"files": "two files map to the same source"})
    return paired
