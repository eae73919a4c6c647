"""The performance team's returns page: build, check, follow a failure, download."""

import pytest

from tandem.audit.models import AccessEvent, AuditAction
from tandem.care.models import CareReview
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import job_run
from tandem.partners.models import Role
from tests import factories
from tests.returns.conftest import child_looked_after, performance_officer
from tests.web.support import error_summary, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def la_team():
    return factories.TeamFactory(name="Children in care")


@pytest.fixture
def officer(signed_in, la_team):
    return signed_in(performance_officer(la_team))


@pytest.fixture
def looked_after(la_team):
    return child_looked_after(la_team)


def build(client, kind="returns.ssda903", ending="2026"):
    response = client.post("/returns", {"kind": kind, "ending": ending})
    job = Job.objects.latest("created_at")
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}"
    return job_run(job)


def test_the_officer_builds_the_return_and_follows_a_failure_to_the_record(
    officer,
    looked_after,
    settings,
    tmp_path,
):
    settings.VAR_DIR = tmp_path
    CareReview.objects.update(participation="PN9")
    job = build(officer)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["url"] == f"/returns/{job.pk}"
    page = officer.get(job.result["url"])
    text = text_of(page)
    assert "Data entry for participation is invalid or blank." in text
    assert f'href="/children/{looked_after.pk}"' in page.content.decode()
    assert "episodes.csv" in text


def test_a_download_is_the_file_and_is_audited(officer, looked_after, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    job = build(officer)
    response = officer.get(f"/returns/{job.pk}/download?file=episodes.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("CHILD,DECOM,RNE,LS,CIN,PLACE")
    event = AccessEvent.objects.get(record_type="return_file")
    assert (event.action, event.record_id, event.detail["file"]) == (
        AuditAction.EXPORT,
        str(job.pk),
        "episodes.csv",
    )


def test_a_file_the_job_did_not_write_is_not_found(officer, looked_after, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    job = build(officer)
    assert officer.get(f"/returns/{job.pk}/download?file=../../secret_key").status_code == 404


def test_the_cin_census_is_built_from_the_same_page(officer, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    job = build(officer, kind="returns.cin")
    assert job.status == JobStatus.SUCCEEDED
    assert "cin.xml" in text_of(officer.get(f"/returns/{job.pk}"))


def test_a_form_without_choices_shows_the_error_summary(officer):
    response = officer.post("/returns", {})
    assert error_summary(response) == [
        ("#kind", "Choose which return to build"),
        ("#ending", "Choose the collection year"),
    ]
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.IG_LEAD])
def test_the_page_is_for_the_performance_team_only(signed_in, role):
    client = signed_in(factories.UserFactory(role=role))
    assert client.get("/returns").status_code == 403


def test_the_performance_team_starts_on_the_returns_page(officer):
    response = officer.get("/")
    assert (response.status_code, response["Location"]) == (302, "/returns")
