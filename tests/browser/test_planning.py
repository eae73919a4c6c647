"""Issue 24 in a browser: an analyst starts a forecast from SSDA903 files (its errors shown
first), follows the job, reads the fan chart and its tables, adds a scenario and reads it beside
the baseline; adds a funding stream and a capacity; a board member reads the board's view.
axe-core on every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.jobs.models import Job
from tandem.jobs.services import job_run
from tandem.partners.models import PartnerKind, Role
from tandem.synth.history903 import write_history
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = timezone.localdate()


def fill_date(page, name, day):
    page.locator(f"[name={name}-day]").fill(str(day.day))
    page.locator(f"[name={name}-month]").fill(str(day.month))
    page.locator(f"[name={name}-year]").fill(str(day.year))


def test_an_analyst_forecasts_and_adds_a_scenario(page, axe, tmp_path):
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    history = tmp_path / "903"
    write_history(history, entrants_a_year=150, years=3, last_year=TODAY.year + 1, seed=3)
    sign_in(page, axe, analyst.username)
    page.goto("/planning/")
    expect(page).to_have_title(re.compile("Demand forecasts"))
    axe(page)
    page.get_by_role("button", name="Start a forecast").click()
    page.get_by_role("button", name="Start the forecast").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the forecast")
    axe(page)
    page.get_by_label("Name").fill("Sufficiency")
    page.get_by_label("SSDA903 files (Header and Episodes, several years)").check()
    page.locator("input[name=files]").set_input_files(sorted(str(p) for p in history.iterdir()))
    fill_date(page, "window_start", TODAY - timedelta(days=183))
    fill_date(page, "window_end", TODAY - timedelta(days=1))
    page.get_by_label("Months to forecast").fill("36")
    page.get_by_role("button", name="Start the forecast").click()
    expect(page).to_have_url(re.compile(r"/jobs/"))
    job_run(Job.objects.get())  # the worker's part, in this process
    page.reload()
    axe(page)
    page.get_by_role("link", name="See the forecast").click()
    expect(page.locator("img.app-chart").first).to_be_visible()
    expect(page.get_by_role("table", name="Year by year")).to_contain_text("Year 3")
    expect(page.get_by_role("table", name="Placement costs by financial year")).to_contain_text(
        "£"
    )
    axe(page)
    screenshot(page, "planning-forecast")
    page.get_by_role("button", name="Add a scenario", exact=True).click()
    page.get_by_label("Name").fill("Fewer teenagers entering")
    page.get_by_label("Children entering care: more or fewer").check()
    page.get_by_role("button", name="Add the scenario").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the change in per cent")
    axe(page)
    page.get_by_label("10 to 15").check()
    page.get_by_label("Change, in per cent (for entrants and moves)").fill("-30")
    page.get_by_role("button", name="Add the scenario").click()
    expect(page.locator(".govuk-panel__title")).to_contain_text("Saves £")
    expect(page.get_by_role("table", name="Placement costs by financial year")).to_be_visible()
    axe(page)
    screenshot(page, "planning-scenario")


def test_budgets_capacity_and_the_board_s_view(page, axe):
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    council = factories.PartnerFactory(name="Demo Council", kind=PartnerKind.LOCAL_AUTHORITY)
    team = factories.TeamFactory(name="Leaving care team", partner=council)
    sign_in(page, axe, analyst.username)
    page.goto("/planning/budgets")
    axe(page)
    page.get_by_role("button", name="Add a funding stream").click()
    page.get_by_label("Amount, in pounds").fill("12.345")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the partner")
    expect(page.locator(".govuk-error-summary")).to_contain_text("at most 2 decimal places")
    axe(page)
    page.get_by_label("Partner", exact=True).select_option(label="Demo Council")
    page.get_by_label("Name").fill("Core budget")
    page.get_by_label("Core budget").check()
    first = TODAY.year - (TODAY.month < 4)
    page.get_by_label("Financial year").fill(f"{first}-{(first + 1) % 100:02d}")
    page.get_by_label("Amount, in pounds").fill("1250000.50")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("table", name="By partner")).to_contain_text("£1,250,000.50")
    expect(page.locator("img.app-chart")).to_be_visible()
    axe(page)
    screenshot(page, "planning-budgets")
    page.goto("/planning/capacity")
    axe(page)
    page.get_by_role("button", name="Add a capacity").click()
    page.get_by_label("Name").fill("Personal advisers")
    page.get_by_label("Caseload (workers, each with a standard caseload)").check()
    page.get_by_label("Team").select_option(label="Leaving care team (Demo Council)")
    page.get_by_label("Workers", exact=True).fill("3")
    page.get_by_label("Standard caseload of a worker").fill("20")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("table", name="Capacity")).to_contain_text("Personal advisers")
    axe(page)
    page.get_by_role("link", name="Board view").click()
    expect(page.locator("h1")).to_have_text("Planning: the board’s view")
    axe(page)
    screenshot(page, "planning-board")
    assert team.pk
