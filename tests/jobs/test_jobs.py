"""Background jobs: running, failing without leaking, progress, and who may see one."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from tandem.jobs.models import Job, JobStatus
from tandem.jobs.registry import job_kind
from tandem.jobs.services import job_run, job_start
from tests import factories

pytestmark = pytest.mark.django_db


@job_kind("tests.count")
def _count(job, progress):
    progress.stage("Counting", total=job.params["n"])
    for _ in range(job.params["n"]):
        progress.advance()
    return {"counted": job.params["n"], "url": "/caseload"}


@job_kind("tests.refuse")
def _refuse(job, progress):
    raise ValidationError({"file": "Row 3, column date_of_birth: not a date"})


@job_kind("tests.crash")
def _crash(job, progress):
    raise RuntimeError(f"bad row for {job.params['name']}")  # must never reach a log


@pytest.fixture
def owner():
    return factories.UserFactory()


def test_a_job_runs_and_keeps_its_result(owner):
    job = job_start(owner=owner, kind="tests.count", title="Count", params={"n": 5}, enqueue=False)
    seen = []
    job_run(job, listener=lambda j: seen.append((j.stage, j.done, j.total)))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"counted": 5, "url": "/caseload"}
    assert (job.done, job.total, job.percent) == (5, 5, 100)
    assert job.started_at <= job.finished_at
    assert ("Counting", 3, 5) in seen


def test_a_job_runs_once(owner):
    job = job_start(owner=owner, kind="tests.count", title="Count", params={"n": 1}, enqueue=False)
    job_run(job)
    first = Job.objects.get(pk=job.pk).finished_at
    job_run(Job.objects.get(pk=job.pk))
    assert Job.objects.get(pk=job.pk).finished_at == first


def test_an_unknown_kind_is_refused_at_once(owner):
    with pytest.raises(ValueError, match="No job kind"):
        job_start(owner=owner, kind="tests.nothing", title="x")
    assert not Job.objects.exists()


def test_a_refused_job_says_why(owner):
    job = job_run(job_start(owner=owner, kind="tests.refuse", title="Load", enqueue=False))
    assert job.status == JobStatus.FAILED
    assert job.error == "Row 3, column date_of_birth: not a date"


def test_a_crash_is_recorded_without_its_message(owner, caplog):
    with caplog.at_level(logging.ERROR):
        job = job_start(
            owner=owner,
            kind="tests.crash",
            title="Crash",
            params={"name": "Jayden"},
            enqueue=False,
        )
        job = job_run(job)
    assert job.status == JobStatus.FAILED
    assert "Something went wrong" in job.error
    assert "RuntimeError" in caplog.text
    assert "Jayden" not in caplog.text
    assert "Jayden" not in job.error


@override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)
def test_a_started_job_is_queued_when_the_transaction_commits(
    owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_start(owner=owner, kind="tests.count", title="Count", params={"n": 2})
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert len(callbacks) == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED


def test_the_page_shows_progress_and_follows_the_job_until_done(client, owner):
    job = Job.objects.create(
        owner=owner,
        kind="tests.count",
        title="Count",
        status=JobStatus.RUNNING,
        done=30,
        total=120,
    )
    client.force_login(owner)
    page = client.get(f"/jobs/{job.pk}").content.decode()
    assert 'http-equiv="refresh"' not in page  # WCAG 2.2.1: the page's script follows it
    assert f'data-job-poll="/api/jobs/{job.pk}"' in page
    assert "Check progress again" in page  # and without JavaScript, a link
    assert "25% done (30 of 120)" in page
    assert '<progress class="app-progress" id="job-progress" max="100" value="25">' in page
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, result={"url": "/caseload"})
    page = client.get(f"/jobs/{job.pk}").content.decode()
    assert "data-job-poll" not in page
    assert 'href="/caseload"' in page
    assert "Count" in client.get("/jobs").content.decode()


def test_only_the_owner_sees_a_job(client, owner):
    job = Job.objects.create(owner=owner, kind="tests.count", title="Secret upload")
    other = factories.UserFactory()
    client.force_login(other)
    assert client.get(f"/jobs/{job.pk}").status_code == 404
    assert "Secret upload" not in client.get("/jobs").content.decode()
    assert client.get(f"/api/jobs/{job.pk}").status_code == 404
    client.force_login(owner)
    answer = client.get(f"/api/jobs/{job.pk}").json()
    assert answer["title"] == "Secret upload"
    assert answer["status"] == "queued"
