"""CSV files that people open in a spreadsheet: every cell written from stored text is
neutralised so a spreadsheet never runs it as a formula (CSV injection, OWASP).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single
quote, which spreadsheets show as text. Anyone can put such text into Tandem (a username typed at
the sign-in page lands in the audit trail), and an IG lead opens the audit export in Excel.
Files that other programs read (the DfE's return, the linkage's own inputs) are written as they
are: the quote would change their data.
"""

import csv

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _Writer:
    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row):
        return self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(out, **options) -> _Writer:
    """`csv.writer` for a file a person will open: each text cell neutralised."""
    return _Writer(out, **options)


def xlsx(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """A workbook of one sheet a table (`name: (headers, rows)`), each text cell neutralised
    as in a CSV; numbers stay numbers, so a spreadsheet can add them up."""
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, (headers, rows) in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append(headers)
        for row in rows:
            sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
