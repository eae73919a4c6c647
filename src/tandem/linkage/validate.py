"""Whole-file validation of a partner's extract against its column mapping.

Every bad row is reported — row number (as a spreadsheet shows it: the header is row 1),
column, value and reason — never just the first. The caller then rejects the whole file or
loads it with the bad rows left out (quarantined), as the uploader chooses.
"""

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from tandem import spreadsheet
from tandem.linkage.mapping import SourceMapping
from tandem.people.identifiers import nhs_number_is_valid, normalise_nhs_number, upn_is_valid

OLDEST_YEARS = 26  # children's services records: nobody born more than this long ago


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str


def _date(value: str, fmt: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, fmt).date()
    except ValueError:
        return None


def check_row(mapping: SourceMapping, row: dict, today: dt.date) -> list[tuple[str, str, str]]:
    """(column, value, reason) for each problem in one row."""
    problems = []

    def value(field):
        column = mapping.column(field)
        return (column, (row.get(column.name) or "").strip()) if column else (None, "")

    for field in ("record_id", "given_name", "family_name"):
        column, text = value(field)
        if not text:
            problems.append((column.name, text, "is empty"))
    column, text = value("date_of_birth")
    if not text:
        problems.append((column.name, text, "is empty"))
    else:
        born = _date(text, column.format)
        if born is None:
            problems.append((column.name, text, f"is not a date in the format {column.format}"))
        elif born > today:
            problems.append((column.name, text, "is in the future"))
        elif born.year < today.year - OLDEST_YEARS:
            problems.append((column.name, text, f"is more than {OLDEST_YEARS} years ago"))
    column, text = value("sex")
    if column and text and column.values and text not in column.values:
        known = ", ".join(column.values)
        problems.append((column.name, text, f"is not one of the mapped codes ({known})"))
    column, text = value("nhs_number")
    if column and text and not nhs_number_is_valid(normalise_nhs_number(text)):
        problems.append((column.name, text, "is not a valid NHS number (check digit)"))
    column, text = value("upn")
    if column and text and not upn_is_valid(text.upper()):
        problems.append((column.name, text, "is not a valid UPN (check letter)"))
    column, text = value("event_date")
    if column and text and _date(text, column.format) is None:
        problems.append((column.name, text, f"is not a date in the format {column.format}"))
    return problems


def sniff(f) -> type[csv.Dialect] | str:
    """The file's delimiter (comma, semicolon, tab or bar), from its header line."""
    first = f.readline()
    f.seek(0)
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t|")
    except csv.Error:
        return "excel"


def validate_file(
    path: Path, mapping: SourceMapping, today: dt.date | None = None
) -> tuple[int, list[RowError]]:
    """(rows read, every error). A missing mapped column is one error on row 1."""
    today = today or dt.datetime.now(dt.UTC).date()
    with Path(path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f, dialect=sniff(f))
        header = reader.fieldnames or []
        missing = [c.name for c in mapping.columns.values() if c.name not in header]
        if missing:
            return 0, [RowError(1, name, "", "column is not in the file") for name in missing]
        errors, seen, rows = [], {}, 0
        id_column = mapping.column("record_id").name
        for rows, row in enumerate(reader, start=1):
            line = rows + 1
            extra = row.pop(None, None)  # cells past the header's last column
            if extra:
                errors.append(
                    RowError(
                        line,
                        "(past the last column)",
                        ",".join(extra)[:50],
                        f"has {len(extra)} more cell{'s' if len(extra) > 1 else ''} than the "
                        "header has columns: a value may be in the wrong column",
                    )
                )
            errors += [RowError(line, c, v, r) for c, v, r in check_row(mapping, row, today)]
            record_id = (row.get(id_column) or "").strip()
            if record_id in seen:
                errors.append(
                    RowError(line, id_column, record_id, f"repeats row {seen[record_id]}")
                )
            elif record_id:
                seen[record_id] = line
    return rows, errors


def write_errors(errors: list[RowError], path: Path) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as f:
        writer = spreadsheet.writer(f)
        writer.writerow(["row", "column", "value", "reason"])
        writer.writerows((e.row, e.column, e.value, e.reason) for e in errors)
