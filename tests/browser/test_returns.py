"""The performance officer's journey: open the returns page, build and check the SSDA903,
follow a failure to what the return holds about the child, and download the return; axe-core on
each page."""

import re

import pytest
from playwright.sync_api import expect

from tandem.care.models import CareReview
from tandem.jobs.models import Job
from tandem.jobs.services import job_run
from tests import factories
from tests.browser.test_journeys import sign_in
from tests.returns.conftest import child_looked_after, performance_officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_performance_officer_checks_and_downloads_the_return(page, axe, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    la_team = factories.TeamFactory(name="Children in care")
    officer = performance_officer(la_team)
    child = child_looked_after(la_team)
    CareReview.objects.update(participation="PN9")  # one failure to find

    sign_in(page, axe, officer.username)  # the performance team starts on the returns page
    expect(page).to_have_title(re.compile("Statutory returns"))
    axe(page)
    page.get_by_role("button", name="Build and check the return").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # nothing chosen yet
    axe(page)
    page.get_by_label("SSDA903: children looked after, adoptions and care leavers").check()
    page.get_by_label("2025 to 2026 (1 April 2025 to 31 March 2026)").check()
    page.get_by_role("button", name="Build and check the return").click()
    expect(page).to_have_url(re.compile(r"/jobs/"))
    job = job_run(Job.objects.get())  # the worker's part, in this process
    page.reload()
    axe(page)
    page.get_by_role("link", name="See the return, its checks and the files").click()
    axe(page)
    failures = page.locator("#failures")
    expect(failures).to_contain_text("Data entry for participation is invalid or blank.")
    link = failures.get_by_role("link")
    expect(link).to_have_attribute("href", f"/returns/{job.pk}/children/{child.pk}")
    link.click()  # what the return holds about the child, for the statutory return
    expect(page.locator("#child-failures")).to_contain_text("Data entry for participation")
    axe(page)
    page.get_by_role("link", name="Back to the return").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="episodes.csv", exact=True).click()
    assert download.value.suggested_filename == "episodes.csv"
    with open(download.value.path()) as f:
        assert f.readline().startswith("CHILD,DECOM,RNE")
