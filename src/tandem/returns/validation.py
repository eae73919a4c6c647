"""Checking a return against the DfE's rules before it is sent.

A rule is one small function (or one declarative line for "this field holds a code from that
list") registered under the DfE's rule code, with the collection years it applies to. The code
lists come from the year's data file, so a code rule follows the DfE's changes without code
changes. Each failure names the rule, its message, the child, the table, the row and the field,
so the page can link it to the record to fix.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tandem.returns.ssda903 import Ssda903

FIRST_YEAR = 2024  # the earliest collection (ending) Tandem's rules are written for


@dataclass(frozen=True)
class Failure:
    code: str
    message: str
    table: str
    row: int  # 0-based, in the table's CSV order
    child: str  # the return's CHILD id
    field: str


@dataclass(frozen=True)
class Rule:
    code: str
    message: str
    table: str
    fields: tuple[str, ...]
    # (rows of the table, the return) -> (row index, field) of each failure
    check: Callable[[list[dict], Ssda903], Iterable[tuple[int, str]]]
    years: tuple[int, int | None] = (FIRST_YEAR, None)

    def applies_to(self, ending: int) -> bool:
        first, last = self.years
        return first <= ending and (last is None or ending <= last)


SSDA903_RULES: dict[str, Rule] = {}
CIN_RULES: dict[str, Rule] = {}


def rule(
    code: str,
    message: str,
    table: str,
    *fields: str,
    years=(FIRST_YEAR, None),
    registry: dict[str, Rule] = SSDA903_RULES,
):
    def register(check):
        if code in registry:
            raise ValueError(f"Rule {code} is registered twice")
        registry[code] = Rule(code, message, table, fields, check, years)
        return check

    return register


def code_rule(
    code: str,
    message: str,
    table: str,
    field: str,
    *,
    list_name: str = "",
    blank_ok: bool = True,
    years=(FIRST_YEAR, None),
    registry: dict[str, Rule] = SSDA903_RULES,
) -> None:
    """Declare that `field` holds a code from the year's `list_name` list (or is blank)."""
    list_name = list_name or field

    def check(rows, ret):
        codes = ret.lists.codes[list_name]
        for i, row in enumerate(rows):
            value = row[field]
            if not (value in codes or (blank_ok and value == "")):
                yield i, field

    rule(code, message, table, field, years=years, registry=registry)(check)


def _validate(ret, registry: dict[str, Rule], child_field: str) -> list[Failure]:
    failures = []
    for r in registry.values():
        if not r.applies_to(ret.lists.ending):
            continue
        rows = ret.tables[r.table]
        for i, field in r.check(rows, ret):
            failures.append(Failure(r.code, r.message, r.table, i, rows[i][child_field], field))
    return sorted(failures, key=lambda f: (f.code, f.table, f.row))


def validate_ssda903(ret: Ssda903) -> list[Failure]:
    return _validate(ret, SSDA903_RULES, "CHILD")


def validate_cin(ret) -> list[Failure]:
    """The CIN census rules over `cin_tables.CinTables` (the tables of the XML to be sent)."""
    return _validate(ret, CIN_RULES, "LAchildID")


# --- helpers the rules share ------------------------------------------------------------------
def day(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None
    except ValueError:
        return None


def births(ret: Ssda903) -> dict[str, dt.date | None]:
    return {h["CHILD"]: day(h["DOB"]) for h in ret.tables["Header"]}


from tandem.returns import rules_903, rules_cin  # noqa: E402, F401 - registers the rules
