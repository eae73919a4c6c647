"""A job whose worker died, in the browser: the page says it was interrupted and will run
again; once given up, it says why and offers "Run again", which queues it; axe-core on each."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.jobs.models import Job, JobStatus
from tandem.jobs.services import jobs_recover
from tandem.partners.models import Role
from tests import factories
from tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _worker_died(job: Job, *, attempts: int) -> None:
    then = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        started_at=then,
        heartbeat_at=then,
        attempts=attempts,
        worker="elsewhere:1",
        task_id="7b1c0a52-0c6d-4c0e-9a43-2f1f7a3e5b10",
    )
    jobs_recover()


def test_an_interrupted_job_then_run_again(page, axe, settings):
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    job = Job.objects.create(owner=analyst, kind="returns.cin", title="Build the CIN census")
    _worker_died(job, attempts=1)
    sign_in(page, axe, analyst.username)
    page.goto(f"/jobs/{job.pk}")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "The background worker stopped while doing this job"
    )
    axe(page)
    _worker_died(job, attempts=settings.TANDEM_JOB_ATTEMPTS)
    page.goto(f"/jobs/{job.pk}")
    expect(page.locator(".govuk-error-summary")).to_contain_text("so it was not started again")
    axe(page)
    page.get_by_role("button", name="Run again").click()
    expect(page).to_have_url(re.compile(rf"/jobs/{job.pk}$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("queued to run again")
    axe(page)
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_a_running_jobs_page_follows_it_without_refreshing(page, axe):
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    job = Job.objects.create(
        owner=analyst,
        kind="returns.cin",
        title="Build the CIN census",
        status=JobStatus.RUNNING,
        stage="Reading referrals",
        done=10,
        total=200,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    sign_in(page, axe, analyst.username)
    page.goto(f"/jobs/{job.pk}")
    expect(page.locator("label[for=job-progress]")).to_contain_text("5% done (10 of 200)")
    axe(page)
    Job.objects.filter(pk=job.pk).update(done=150, stage="Writing the census")
    expect(page.locator("label[for=job-progress]")).to_contain_text("75% done (150 of 200)")
    expect(page.locator("[data-job-stage]")).to_have_text("Writing the census")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, finished_at=timezone.now())
    expect(page.locator(".govuk-panel")).to_contain_text("Finished")  # reloaded when it ended
