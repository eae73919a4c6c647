"""Jobs that outlive their worker (issue 28): a job whose worker stopped beating is marked
interrupted and queued again, up to a limit, then failed with "Run again"; the page, the API and
`tandem jobs` say which."""

import io
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import OperationalError
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tandem.jobs import scratch
from tandem.jobs.models import Job, JobStatus
from tandem.jobs.registry import job_kind
from tandem.jobs.services import job_run, job_run_again, job_start, jobs_recover
from tests import factories

pytestmark = pytest.mark.django_db

RESETS = []


def _reset(job, failed=""):
    RESETS.append((str(job.pk), failed))


@job_kind("tests.resettable", reset=_reset)
def _resettable(job, progress):
    progress.stage("Working", total=2)
    progress.advance(2)
    return {"attempt": job.attempts}


@job_kind("tests.sleep")
def _sleep(job, progress):
    time.sleep(job.params["seconds"])  # busy elsewhere: no progress written


@pytest.fixture
def owner():
    return factories.UserFactory()


@pytest.fixture(autouse=True)
def _clear_resets():
    RESETS.clear()


def _queued(owner, kind="tests.resettable", **params):
    job = job_start(owner=owner, kind=kind, title="Load an extract", params=params, enqueue=False)
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [str(job.pk)], "kwargs": {}},
        task_path="tandem.jobs.tasks.run_job",
        backend_name="default",
        run_after=timezone.now(),
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=10),
    )
    Job.objects.filter(pk=job.pk).update(task_id=str(task.pk))
    job.refresh_from_db()
    return job, task


def _died(job, *, minutes_ago=5, attempts=1):
    """As a worker leaves a job when it is killed mid-way."""
    then = timezone.now() - timedelta(minutes=minutes_ago)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        started_at=then,
        heartbeat_at=then,
        worker="elsewhere:123",
        attempts=attempts,
        stage="Loading the records",
        done=400,
        total=1000,
    )


def test_a_job_whose_worker_stopped_is_interrupted_queued_again_and_then_finishes(owner):
    job, task = _queued(owner)
    _died(job)
    changed = jobs_recover()
    assert [(j.pk, what) for j, what in changed] == [(job.pk, "queued again")]
    job.refresh_from_db()
    assert job.status == JobStatus.INTERRUPTED
    assert job.interrupted_at is not None
    assert (job.done, job.stage) == (0, "")
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED  # the dead worker's queue row is closed
    assert job.task_id != str(task.pk)
    again = DBTaskResult.objects.get(pk=job.task_id)
    assert again.status == TaskResultStatus.READY
    assert again.args_kwargs["args"] == [str(job.pk)]
    assert [(str(job.pk), "")] == RESETS  # what the dead attempt left is cleared at once
    job = job_run(job)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"attempt": 2}
    assert RESETS[-1] == (str(job.pk), "")  # and again as the new attempt starts


def test_a_live_job_is_left_alone(owner):
    job, _ = _queued(owner)
    _died(job, minutes_ago=0)
    assert jobs_recover() == []
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


@override_settings(TANDEM_JOB_ATTEMPTS=3)
def test_a_job_interrupted_too_often_fails_and_can_run_again(
    owner, client, django_capture_on_commit_callbacks
):
    job, _ = _queued(owner)
    _died(job, attempts=3)
    jobs_recover()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.can_run_again
    assert "stopped while doing this job, 3 times" in job.error
    assert "Nothing from it was saved" in job.error
    assert [(str(job.pk), job.error)] == RESETS  # its records are marked failed with the reason
    client.force_login(owner)
    page = client.get(f"/jobs/{job.pk}").content.decode()
    assert "3 times" in page
    assert "Run again" in page
    assert "data-job-poll" not in page  # it has ended: nothing to follow
    answer = client.get(f"/api/jobs/{job.pk}").json()
    assert (answer["status"], answer["can_run_again"], answer["attempts"]) == ("failed", True, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/jobs/{job.pk}/run-again")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error, job.can_run_again) == ("queued", 0, "", False)
    assert DBTaskResult.objects.filter(pk=job.task_id, status=TaskResultStatus.READY).exists()
    assert job_run(job).status == JobStatus.SUCCEEDED


def test_a_job_run_by_a_command_that_died_fails_at_once(owner):
    job = job_start(owner=owner, kind="tests.resettable", title="Link files", enqueue=False)
    _died(job)
    jobs_recover()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.can_run_again
    assert job.error.startswith("The command running this job stopped")


def test_a_task_taken_by_a_worker_that_died_before_the_job_began_is_queued_again(owner):
    job, task = _queued(owner)  # its task RUNNING for ten minutes; the job still queued
    assert [what for _, what in jobs_recover()] == ["queued again"]
    task.refresh_from_db()
    job.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(pk=job.task_id).status == TaskResultStatus.READY


def test_only_a_job_that_stopped_can_run_again_and_only_by_its_owner(owner, client):
    done = job_run(job_start(owner=owner, kind="tests.resettable", title="x", enqueue=False))
    with pytest.raises(ValidationError, match="stopped before it finished"):
        job_run_again(actor=owner, job_id=done.pk)
    job, _ = _queued(owner)
    _died(job, attempts=9)
    jobs_recover()
    client.force_login(factories.UserFactory())
    assert client.post(f"/jobs/{job.pk}/run-again").status_code == 404
    assert client.post(f"/api/jobs/{job.pk}/run-again").status_code == 404
    client.force_login(owner)
    answer = client.post(f"/api/jobs/{done.pk}/run-again")
    assert answer.status_code == 422
    assert client.post(f"/api/jobs/{job.pk}/run-again").json()["status"] == "queued"


def test_the_page_says_a_job_was_interrupted_or_has_gone_quiet(owner, client):
    job, _ = _queued(owner)
    _died(job)
    client.force_login(owner)
    page = client.get(f"/jobs/{job.pk}").content.decode()
    assert "has not reported on this job since" in page
    assert client.get(f"/api/jobs/{job.pk}").json()["stalled"] is True
    jobs_recover()
    page = client.get(f"/jobs/{job.pk}").content.decode()
    assert "The background worker stopped while doing this job" in page
    assert "starts again from the beginning" in page
    assert "data-job-poll" in page  # it will run again: the page keeps following it
    assert "Interrupted: will run again" in client.get("/jobs").content.decode()


@pytest.mark.django_db(transaction=True)
@override_settings(TANDEM_JOB_STALE_SECONDS=6)
def test_a_busy_job_keeps_beating_on_its_own_connection(owner):
    job = job_start(owner=owner, kind="tests.sleep", title="x", params={"seconds": 2.5})
    job = job_run(job)
    assert job.status == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.heartbeat_at - job.started_at >= timedelta(seconds=1.5)


def test_tandem_jobs_lists_recovers_and_runs_again(owner):
    job, _ = _queued(owner)
    _died(job, attempts=9)
    out = io.StringIO()
    call_command("jobs", stdout=out)
    assert "Load an extract" in out.getvalue()
    assert "no word from its worker since" in out.getvalue()
    out = io.StringIO()
    call_command("jobs", "recover", stdout=out)
    assert "1 job recovered." in out.getvalue()
    out = io.StringIO()
    call_command("jobs", "list", "--status", "failed", stdout=out)
    assert "stopped while doing this job, 9 times" in out.getvalue()
    out = io.StringIO()
    call_command("jobs", "run-again", str(job.pk)[:8], stdout=out)
    assert "queued again" in out.getvalue()
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_the_sweep_removes_scratch_of_ended_jobs_and_spill_of_dead_processes(owner, settings):
    settings.VAR_DIR = settings.VAR_DIR / f"sweep-{os.getpid()}"
    settings.TANDEM_DUCKDB_TEMP_DIR = settings.VAR_DIR / "duckdb-tmp"
    running, _ = _queued(owner)
    _died(running, minutes_ago=0)
    ended = job_run(job_start(owner=owner, kind="tests.resettable", title="x", enqueue=False))
    keep, gone = scratch.job_scratch(running), scratch.job_scratch(ended)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    spill = settings.TANDEM_DUCKDB_TEMP_DIR / f"{dead}-abc123"
    (spill / "sub").mkdir(parents=True)
    mine = settings.TANDEM_DUCKDB_TEMP_DIR / f"{os.getpid()}-abc123"
    mine.mkdir()
    assert set(scratch.scratch_sweep()) == {gone, spill}
    assert keep.exists()
    assert mine.exists()
    assert not gone.exists()
    assert not spill.exists()


def test_a_fault_in_the_api_answers_json_and_a_busy_database_says_try_again(
    owner, client, monkeypatch
):
    job = Job.objects.create(owner=owner, kind="tests.resettable", title="x")
    client.raise_request_exception = False
    client.force_login(owner)

    def busy(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("tandem.jobs.api.job_get", busy)
    response = client.get(f"/api/jobs/{job.pk}")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json() == {"detail": "The database is busy: try again in a moment"}

    def broken(**kwargs):
        raise RuntimeError("Jayden Smith")

    monkeypatch.setattr("tandem.jobs.api.job_get", broken)
    response = client.get(f"/api/jobs/{job.pk}")
    assert response.status_code == 500
    assert "Jayden" not in response.content.decode()
    assert response.json()["detail"].startswith("Something went wrong on our side")


def test_a_fault_outside_the_api_router_still_answers_json_under_api(owner, client, monkeypatch):
    client.raise_request_exception = False
    client.force_login(owner)

    def broken(self, request):
        raise OperationalError("database is locked")

    monkeypatch.setattr("tandem.audit.middleware.RequestContextMiddleware.__call__", broken)
    response = client.get("/api/jobs/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 503
    assert response.json()["detail"].startswith("The database is busy")
    assert client.get("/children").status_code == 500  # pages keep the GOV.UK error page
