"""Loading partners' extracts into the database: checked whole, rejected whole or loaded with
the bad rows quarantined, never half loaded; by the page, the API and `tandem extract load`."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.text import slugify

from tandem.access.errors import NotFound
from tandem.audit.models import AccessEvent, AuditAction
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_run
from tandem.linkage import ingest
from tandem.linkage.models import (
    ExtractRecord,
    ExtractUpload,
    QuarantinedRow,
    SavedMapping,
    UploadStatus,
)
from tandem.linkage.selectors import upload_get
from tandem.partners.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

MAPPING = """
[sources.health]
record_id = "ref"
given_name = "GivenName"
family_name = "Surname"
date_of_birth = { column = "DateOfBirth", format = "%Y-%m-%d" }
sex = { column = "Sex", values = { "1" = "M", "2" = "F" } }
postcode = "Postcode"
nhs_number = "NHSNo"
event_type = "Attendance"
event_date = { column = "Seen", format = "%Y-%m-%d" }
"""
HEADER = "ref;GivenName;Surname;DateOfBirth;Sex;Postcode;NHSNo;Attendance;Seen\n"
GOOD = (
    HEADER
    + "B1;Jayden;Smith-Ali;2011-03-07;1;HM12AB;943 476 5919;A&E attendance;2026-05-01\n"
    + "B2;Millie;Jones;2015-01-12;2;HM3 4CD;;Self-harm attendance;2026-06-02\n"
    + "B3;Amir;Khan;2012-09-30;1;;;A&E attendance;2026-07-03\n"
)
# Row 3: a date that is not one, row 4: no surname and a bad NHS number, row 5: row 2's id.
BAD = (
    HEADER
    + "B1;Jayden;Smith-Ali;2011-03-07;1;HM12AB;943 476 5919;A&E attendance;2026-05-01\n"
    + "B2;Millie;Jones;2015-13-12;2;HM3 4CD;;Self-harm attendance;2026-06-02\n"
    + "B3;Amir;;2012-09-30;1;;9434765918;A&E attendance;2026-07-03\n"
    + "B1;Ava;Brown;2014-02-02;2;;;A&E attendance;2026-07-04\n"
    + "B5;Leo;Green;2013-04-04;1;;;A&E attendance;2026-07-05\n"
)
BAD_CELLS = {
    (3, "DateOfBirth", "is not a date in the format %Y-%m-%d"),
    (4, "Surname", "is empty"),
    (4, "NHSNo", "is not a valid NHS number (check digit)"),
    (5, "ref", "repeats row 2"),
}


@pytest.fixture
def analyst():
    team = factories.TeamFactory(partner=factories.PartnerFactory(name="Hamley NHS Trust"))
    return factories.UserFactory(role=Role.PARTNERSHIP_ANALYST, team=team)


def _load(actor, text: str, *, bad_rows="reject", mapping=MAPPING, name="health.csv"):
    data = text.encode() if isinstance(text, str) else text
    upload = ingest.upload_start(
        actor=actor,
        extract_type="health",
        file_name=name,
        chunks=[data],
        bad_rows=bad_rows,
        mapping_text=mapping,
        enqueue=False,
    )
    job = job_run(upload.job)
    upload.refresh_from_db()
    return upload, job


def test_a_good_file_loads_every_row_in_tandems_terms(analyst):
    upload, job = _load(analyst, GOOD)
    assert job.status == JobStatus.SUCCEEDED
    assert upload.status == UploadStatus.LOADED
    assert (upload.rows_read, upload.rows_loaded, upload.error_count) == (3, 3, 0)
    first = ExtractRecord.objects.get(upload=upload, record_id="B1")
    assert first.row == 2
    assert first.date_of_birth == dt.date(2011, 3, 7)
    assert (first.sex, first.nhs_number, first.postcode) == ("M", "9434765919", "HM12AB")
    assert (first.event_type, first.event_date) == ("A&E attendance", dt.date(2026, 5, 1))
    assert ExtractRecord.objects.get(upload=upload, record_id="B2").sex == "F"
    # The mapping given is kept for the partner and type, without a file name.
    saved = SavedMapping.objects.get(partner=analyst.team.partner, extract_type="health")
    assert saved.spec["date_of_birth"] == {"column": "DateOfBirth", "format": "%Y-%m-%d"}
    created = AccessEvent.objects.get(action=AuditAction.CREATE, record_type="extract_upload")
    assert created.record_id == str(upload.pk)


def test_the_next_upload_uses_the_saved_mapping(analyst):
    _load(analyst, GOOD)
    upload, _ = _load(analyst, GOOD, mapping="")
    assert upload.status == UploadStatus.LOADED
    assert upload.rows_loaded == 3


def test_without_any_mapping_the_upload_is_refused_naming_the_mapping(analyst):
    with pytest.raises(ValidationError) as e:
        _load(analyst, GOOD, mapping="")
    assert "mapping" in e.value.message_dict
    assert not ExtractUpload.objects.exists()


def test_a_bad_file_is_rejected_whole_with_every_problem_by_row_and_column(analyst):
    upload, job = _load(analyst, BAD)
    assert job.status == JobStatus.SUCCEEDED  # the job did its work: the answer is "rejected"
    assert upload.status == UploadStatus.REJECTED
    assert upload.rows_loaded == 0
    assert not ExtractRecord.objects.exists()
    problems = {(p.row, p.column, p.reason) for p in QuarantinedRow.objects.filter(upload=upload)}
    assert problems == BAD_CELLS
    assert not QuarantinedRow.objects.filter(quarantined=True).exists()


def test_quarantine_loads_the_good_rows_and_keeps_the_bad_aside(analyst):
    upload, _ = _load(analyst, BAD, bad_rows="quarantine")
    assert upload.status == UploadStatus.QUARANTINED
    assert (upload.rows_read, upload.rows_loaded, upload.rows_quarantined) == (5, 2, 3)
    loaded = set(ExtractRecord.objects.values_list("record_id", "row"))
    assert loaded == {("B1", 2), ("B5", 6)}
    assert set(QuarantinedRow.objects.values_list("row", "quarantined")) == {
        (3, True),
        (4, True),
        (5, True),
    }


def test_a_value_too_long_to_keep_is_a_problem_not_cut_short(analyst):
    upload, _ = _load(analyst, GOOD.replace("HM12AB", "HM12AB" * 3, 1), bad_rows="quarantine")
    assert [(p.row, p.column, p.reason) for p in upload.problems.all()] == [
        (2, "Postcode", "is longer than 10 characters")
    ]
    assert upload.rows_loaded == 2


def test_a_missing_column_rejects_the_file_even_when_quarantining(analyst):
    upload, _ = _load(analyst, GOOD.replace("Surname", "FamilyName", 1), bad_rows="quarantine")
    assert upload.status == UploadStatus.REJECTED
    assert [(p.row, p.column, p.reason) for p in upload.problems.all()] == [
        (1, "Surname", "column is not in the file")
    ]
    assert not ExtractRecord.objects.exists()


def test_an_xlsx_workbook_loads_like_its_csv(analyst):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(";"))
    # A spreadsheet keeps dates as dates and an NHS number as a number.
    sheet.append(
        [
            "B1",
            "Jayden",
            "Smith",
            dt.datetime(2011, 3, 7),
            1,
            "HM1 2AB",
            9434765919,
            "A&E",
            dt.datetime(2026, 5, 1),
        ]
    )
    sheet.append(["B2", "Millie", "Jones", "not a date", 2, None, None, None, None])
    data = io.BytesIO()
    book.save(data)
    upload, _ = _load(analyst, data.getvalue(), name="health.xlsx", bad_rows="quarantine")
    assert upload.status == UploadStatus.QUARANTINED
    record = ExtractRecord.objects.get(upload=upload)
    assert (record.record_id, record.date_of_birth, record.nhs_number, record.sex) == (
        "B1",
        dt.date(2011, 3, 7),
        "9434765919",
        "M",
    )
    assert [(p.row, p.column) for p in upload.problems.all()] == [(3, "DateOfBirth")]


def test_a_file_that_is_not_a_workbook_fails_and_loads_nothing(analyst):
    upload, job = _load(analyst, b"not a zip file", name="health.xlsx")
    assert job.status == JobStatus.FAILED
    assert "XLSX" in job.error
    assert upload.status == UploadStatus.FAILED
    assert not ExtractRecord.objects.exists()


def test_a_failure_part_way_through_loading_leaves_nothing_loaded(analyst, monkeypatch):
    monkeypatch.setattr(ingest, "BATCH", 1)
    calls = []
    real = ExtractRecord.objects.bulk_create

    def failing(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(ExtractRecord.objects, "bulk_create", failing)
    upload, job = _load(analyst, BAD, bad_rows="quarantine")
    assert calls[0] == 1  # the first chunk was committed, then removed
    assert job.status == JobStatus.FAILED
    assert upload.status == UploadStatus.FAILED
    assert not ExtractRecord.objects.exists()
    assert not QuarantinedRow.objects.exists()


def test_only_analysts_and_team_managers_of_the_partner_load_and_read(analyst):
    nurse = factories.UserFactory(role=Role.HEALTH_PRACTITIONER, team=analyst.team)
    with pytest.raises(PermissionDenied):
        _load(nurse, GOOD)
    upload, _ = _load(analyst, GOOD)
    manager = factories.UserFactory(role=Role.TEAM_MANAGER, team=analyst.team)
    assert upload_get(actor=manager, upload_id=upload.pk) == upload
    elsewhere = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)  # another partner
    with pytest.raises(NotFound):
        upload_get(actor=elsewhere, upload_id=upload.pk)


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(analyst):
    with pytest.raises(ValidationError) as e:
        _load(analyst, GOOD, name="health.pdf")
    assert e.value.message_dict["file"] == ["The selected file must be a CSV or XLSX"]


# --- The page -------------------------------------------------------------------------------


def _post_page(client, text, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/extracts",
        {
            "extract_type": "health",
            "bad_rows": "reject",
            "file": SimpleUploadedFile("health.csv", text.encode(), "text/csv"),
            "mapping": SimpleUploadedFile("map.toml", MAPPING.encode(), "text/plain"),
            **fields,
        },
    )


def test_the_page_uploads_and_shows_every_problem_and_the_csv(client, analyst):
    client.force_login(analyst)
    response = _post_page(client, BAD)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}"
    job_run(job)
    upload = ExtractUpload.objects.get()
    AccessEvent.objects.all().delete()
    page = client.get(f"/extracts/{upload.pk}").content.decode()
    assert "Nothing was loaded from this file" in page
    assert "Surname is empty" in page
    assert "NHSNo is not a valid NHS number (check digit)" in page
    assert AccessEvent.objects.filter(
        action=AuditAction.VIEW, record_id=str(upload.pk), actor=analyst
    ).exists()
    download = client.get(f"/extracts/{upload.pk}/problems.csv")
    lines = download.content.decode().splitlines()
    assert lines[0] == "row,column,value,reason,quarantined"
    assert "4,Surname,,is empty,no" in lines
    assert len(lines) == 1 + len(BAD_CELLS)
    assert AccessEvent.objects.filter(action=AuditAction.EXPORT, record_id=str(upload.pk)).exists()
    listing = client.get("/extracts").content.decode()
    assert "health.csv" in listing
    assert "Rejected" in listing


def test_the_page_names_each_missing_field(client, analyst):
    client.force_login(analyst)
    response = client.post("/extracts", {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#file"' in page
    assert "Select the extract file" in page
    assert "Choose the type of extract" in page
    assert not ExtractUpload.objects.exists()


def test_the_page_is_not_for_other_roles_or_other_partners(client, analyst):
    client.force_login(factories.UserFactory(role=Role.SOCIAL_WORKER))
    assert client.get("/extracts").status_code == 403
    client.force_login(analyst)
    _post_page(client, GOOD)
    upload = ExtractUpload.objects.get()
    client.force_login(factories.UserFactory(role=Role.TEAM_MANAGER))
    assert client.get(f"/extracts/{upload.pk}").status_code == 404
    assert client.get(f"/extracts/{upload.pk}/problems.csv").status_code == 404


# --- The API --------------------------------------------------------------------------------


def test_the_api_takes_a_multipart_upload_and_reports_the_problems(client, analyst):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tandem.partners.tokens import api_token_create

    _, token = api_token_create(actor=None, user=analyst, name="loader")
    auth = {"Authorization": f"Bearer {token}"}
    response = client.post(
        "/api/extracts",
        {
            "extract_type": "health",
            "bad_rows": "quarantine",
            "mapping": MAPPING,
            "file": SimpleUploadedFile("health.csv", BAD.encode(), "text/csv"),
        },
        headers=auth,
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"
    job_run(Job.objects.get(pk=body["job_id"]))
    got = client.get(f"/api/extracts/{body['id']}", headers=auth).json()
    assert (got["status"], got["rows_loaded"], got["rows_quarantined"]) == ("quarantined", 2, 3)
    problems = client.get(f"/api/extracts/{body['id']}/problems", headers=auth).json()
    assert {(p["row"], p["column"], p["reason"]) for p in problems} == BAD_CELLS
    assert all(p["quarantined"] for p in problems)


def test_the_api_names_the_wrong_field(client, analyst):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(analyst)
    response = client.post(
        "/api/extracts",
        {
            "extract_type": "health",
            "file": SimpleUploadedFile("health.txt", GOOD.encode()),
            "mapping": MAPPING,
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


# --- The command ----------------------------------------------------------------------------


def test_the_command_loads_a_file_with_a_progress_bar(analyst, tmp_path):
    extract, mapping = tmp_path / "health.csv", tmp_path / "map.toml"
    extract.write_text(GOOD, encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    out = io.StringIO()
    slug = slugify(analyst.team.partner.name)
    call_command(
        "extract", "load", str(extract), "--partner", slug, "--type", "health",
        "--user", analyst.username, "--mapping", str(mapping), stdout=out,
    )  # fmt: skip
    assert '"rows_loaded": 3' in out.getvalue()
    assert ExtractRecord.objects.count() == 3


def test_the_command_rejects_a_bad_file_and_lists_the_problems(analyst, tmp_path):
    extract, mapping = tmp_path / "health.csv", tmp_path / "map.toml"
    extract.write_text(BAD, encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    err = io.StringIO()
    slug = slugify(analyst.team.partner.name)
    with pytest.raises(CommandError, match="reject the whole file"):
        call_command(
            "extract", "load", str(extract), "--partner", slug, "--type", "health",
            "--user", analyst.username, "--mapping", str(mapping), stdout=io.StringIO(),
            stderr=err,
        )  # fmt: skip
    assert "row 4, Surname: '' is empty" in err.getvalue()
    assert not ExtractRecord.objects.exists()
    with pytest.raises(CommandError, match="does not work for partner"):
        call_command(
            "extract", "load", str(extract), "--partner", "police", "--type", "health",
            "--user", analyst.username, stdout=io.StringIO(),
        )  # fmt: skip
