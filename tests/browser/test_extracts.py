"""Early identification in the browser: a team manager uploads an extract with mistakes, reads
every problem, uploads the fixed file, then opens the triage worklist and records a decision;
axe-core on each page."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tandem.jobs.models import Job
from tandem.jobs.services import job_run
from tandem.linkage.models import ExtractRecord, Flag, FlagStatus, LinkedPerson
from tandem.partners.models import Role
from tandem.people.models import Event
from tests import factories
from tests.browser.test_journeys import sign_in
from tests.linkage.test_ingest import BAD, GOOD, MAPPING

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _run_latest_job() -> None:
    job_run(Job.objects.order_by("-created_at").first())  # the worker's part, in this process


def test_upload_errors_fixed_upload_then_worklist_decision(page, axe, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    team = factories.TeamFactory(name="Early help hub")
    manager = factories.UserFactory(role=Role.TEAM_MANAGER, team=team)
    child = factories.ChildFactory(given_name="Jayden", family_name="Smith")
    factories.InvolvementFactory(child=child, team=team)
    (tmp_path / "bad.csv").write_text(BAD, encoding="utf-8")
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")

    sign_in(page, axe, manager.username)
    page.goto("/extracts")
    expect(page).to_have_title(re.compile("Extracts"))
    axe(page)
    page.get_by_role("button", name="Upload and check").click()  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the extract file")
    axe(page)

    page.get_by_label("Health attendances").check()
    page.get_by_label("Extract file").set_input_files(str(tmp_path / "bad.csv"))
    page.get_by_label("Column mapping (optional)").set_input_files(str(tmp_path / "map.toml"))
    page.get_by_role("button", name="Upload and check").click()
    expect(page).to_have_url(re.compile(r"/jobs/"))
    _run_latest_job()
    page.reload()
    axe(page)  # the finished job's page (a running one refreshes itself)
    page.get_by_role("link", name="See the extract and any problems with it").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Nothing was loaded")
    problems = page.locator("#problems")
    expect(problems).to_contain_text("Surname is empty")
    expect(problems).to_contain_text("DateOfBirth is not a date in the format %Y-%m-%d")
    axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download every problem as CSV").click()
    with open(download.value.path(), encoding="utf-8") as f:
        assert f.readline().strip() == "row,column,value,reason,quarantined"
    assert not ExtractRecord.objects.exists()

    # The fixed file, with the mapping saved from the first upload.
    page.goto("/extracts")
    page.get_by_label("Health attendances").check()
    page.get_by_label("Extract file").set_input_files(str(tmp_path / "good.csv"))
    page.get_by_role("button", name="Upload and check").click()
    _run_latest_job()
    page.reload()
    page.get_by_role("link", name="See the extract and any problems with it").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Loaded")
    axe(page)
    assert ExtractRecord.objects.count() == 3

    # A flag the linking run raised about a child the hub works with.
    flag = Flag.objects.create(
        linked_person=LinkedPerson.objects.create(person=child),
        rule="domestic_abuse_and_missing",
        title="Domestic abuse and missing episodes in the last twelve months",
        evidence=[
            {
                "indicator": "domestic_abuse",
                "event_type": "Domestic abuse call-out",
                "partner": "Hamley Police",
                "date": "2026-01-10",
                "record": "1",
            },
            {
                "indicator": "missing",
                "event_type": "Missing episode",
                "partner": "Hamley Police",
                "date": "2026-02-03",
                "record": "2",
            },
        ],
        partners=1,
        latest_on=dt.date(2026, 2, 3),
        raised_on=dt.date(2026, 3, 2),
    )
    page.goto("/worklist")
    expect(page).to_have_title(re.compile("worklist", re.I))
    worklist = page.locator("#worklist")
    expect(worklist).to_contain_text("Hamley Police: Domestic abuse call-out on 10 January 2026")
    axe(page)
    page.get_by_text("Filter and sort").click()
    axe(page)
    worklist.get_by_role("link", name=re.compile("^Decide")).click()
    axe(page)
    page.get_by_label("Offer early help").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the reasons for the decision"
    )
    axe(page)
    page.get_by_label("Reasons").fill("Mother asked for help with routines.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    expect(page.locator("#no-flags")).to_be_visible()
    axe(page)
    assert Flag.objects.get(pk=flag.pk).status == FlagStatus.DECIDED
    assert "Mother asked for help with routines." in Event.objects.get(person=child).summary
