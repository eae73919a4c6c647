from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tandem.jobs.models import Job, JobStatus
from tandem.returns import ssda903

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("returns", *args, stdout=out)
    return out.getvalue()


def test_tandem_returns_ssda903_writes_every_table_and_the_xml(analyst, looked_after, tmp_path):
    run("ssda903", "--year", "2025-26", "--out", str(tmp_path), "--user", analyst.username)
    written = {p.name for p in tmp_path.iterdir()}
    assert written == set(ssda903.FILE_NAMES.values()) | {
        "ssda903_2025-26.xml",
        "validation_errors.csv",
    }
    assert len((tmp_path / "episodes.csv").read_text().splitlines()) == 3
    job = Job.objects.get()
    assert (job.status, job.owner, job.result["children"]) == (JobStatus.SUCCEEDED, analyst, 1)


def test_an_unknown_user_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No active user"):
        run("ssda903", "--year", "2026", "--out", str(tmp_path), "--user", "nobody")


def test_a_year_without_code_lists_fails_the_job_saying_so(analyst, tmp_path):
    with pytest.raises(CommandError, match="No DfE code lists for the collection ending 1999"):
        run("ssda903", "--year", "1999", "--out", str(tmp_path), "--user", analyst.username)


def test_failures_are_written_beside_the_return_linking_to_the_record(
    analyst, looked_after, tmp_path
):
    from tandem.care.models import CareReview

    CareReview.objects.update(participation="PN9")  # as an old import might have left it
    run("ssda903", "--year", "2026", "--out", str(tmp_path), "--user", analyst.username)
    lines = (tmp_path / "validation_errors.csv").read_text().splitlines()
    assert lines[0] == "rule,message,CHILD,table,row,field,record"
    assert lines[1].startswith("167,Data entry for participation is invalid or blank.,")
    job = Job.objects.get()
    # The link is to what the return holds about the child, for the performance team.
    assert lines[1].endswith(
        f",Reviews,1,REVIEW_CODE,/returns/{job.pk}/children/{looked_after.pk}"
    )
    assert job.result["failures"] == {"167": 1}
