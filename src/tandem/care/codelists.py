"""The DfE code lists of each collection year, read from `codelists/ssda903-YYYY-YY.toml`.

The lists change most years (SEX went from 1/2 to M/F/U in 2024/25; PLACE lost H5, P2 and Z1 in
2025/26), so they are data: a code is valid if the list of the collection year that holds the
date it applies to has it.
"""

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

HERE = Path(__file__).parent / "codelists"


@dataclass(frozen=True)
class CodeLists:
    year: str  # "2025-26"
    start: dt.date
    end: dt.date
    codes: dict[str, dict[str, str]]
    mapping: dict[str, dict[str, str]]

    @property
    def ending(self) -> int:
        """The calendar year the collection ends in: 2026 for 2025-26."""
        return self.end.year

    def valid(self, field: str, code: str) -> bool:
        return code in self.codes[field]

    def choices(self, field: str) -> list[tuple[str, str]]:
        return list(self.codes[field].items())


@cache
def all_years(collection: str = "ssda903") -> tuple[CodeLists, ...]:
    years = []
    for path in sorted(HERE.glob(f"{collection}-*.toml")):
        with path.open("rb") as f:
            data = tomllib.load(f)
        years.append(
            CodeLists(
                year=data["year"],
                start=data["collection_start"],
                end=data["collection_end"],
                codes={**data["codes"], **_ranges(data.get("code_ranges", {}))},
                mapping=data.get("mapping", {}),
            )
        )
    return tuple(years)


def _ranges(spans: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """Lists of numbers kept as ranges in the file ("201-213") -> {"201": "", ..., "213": ""}."""
    codes = {}
    for name, items in spans.items():
        held = {}
        for item in items:
            first, _, last = item.partition("-")
            width = len(first)
            for n in range(int(first), int(last or first) + 1):
                held[str(n).zfill(width)] = ""
        codes[name] = held
    return codes


def for_year(ending: int, collection: str = "ssda903") -> CodeLists:
    """The lists of the collection ending in March of `ending` (2026 for 2025-26);
    `collection` is "ssda903" or "cin"."""
    for lists in all_years(collection):
        if lists.ending == ending:
            return lists
    known = ", ".join(str(y.ending) for y in all_years(collection))
    raise ValidationError(
        {"year": f"No DfE code lists for the collection ending {ending} (known: {known})"}
    )


def for_date(day: dt.date, collection: str = "ssda903") -> CodeLists:
    """The lists in force on `day`: its own collection year's, or the nearest one held."""
    years = all_years(collection)
    for lists in years:
        if lists.start <= day <= lists.end:
            return lists
    return years[0] if day < years[0].start else years[-1]


def code_errors(
    values: dict[str, str], on: dt.date | None, collection: str = "ssda903"
) -> dict[str, str]:
    """{model field: message} for each non-blank value not in its list. `values` maps
    'field:LIST' to the value, so the message can name the DfE field."""
    lists = for_date(on, collection) if on else all_years(collection)[-1]
    errors = {}
    for key, value in values.items():
        field, list_name = key.split(":")
        if value not in ("", None) and not lists.valid(list_name, value):
            errors[field] = f"{value!r} is not a {list_name} code in the DfE's {lists.year} list"
    return errors
