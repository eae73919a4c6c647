"""A table behind a page as a file to download: CSV or XLSX (the formats analysts open), each
text cell neutralised against formulas (`tandem.spreadsheet`)."""

import io

from django.http import Http404, HttpResponse

from tandem import spreadsheet

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def named_table_response(
    tables: dict[str, tuple[list[str], list[list]]], table: str, name: str, fmt: str
) -> HttpResponse:
    """One of a page's tables by its name (404 for a name it does not have)."""
    if table not in tables:
        raise Http404("No such table")
    headers, rows = tables[table]
    return table_response(name, headers, rows, fmt)


def table_response(name: str, headers: list[str], rows: list[list], fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("There are CSV and XLSX files of this table")
    if fmt == "csv":
        out = io.StringIO()
        spreadsheet.writer(out).writerows([headers, *rows])
        body = out.getvalue().encode("utf-8")
    else:
        body = spreadsheet.xlsx({name: (headers, rows)})
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
