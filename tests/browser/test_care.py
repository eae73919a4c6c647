"""A council social worker's journey through a child's looked-after record: the episodes in
words, a placement move recorded (a mistake first, shown in the error summary), and the open
episode ended, with a review between; axe-core on each page."""

import re

import pytest
from playwright.sync_api import expect

from tandem.care.models import CareEpisode
from tandem.partners.models import Role
from tests import factories
from tests.browser.test_journeys import sign_in
from tests.returns.conftest import child_looked_after

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_social_worker_records_a_move_and_the_end_of_care(page, axe):
    la_team = factories.TeamFactory(name="Children in care")
    child = child_looked_after(la_team)
    worker = factories.UserFactory(role=Role.SOCIAL_WORKER, team=la_team)

    sign_in(page, axe, worker.username)
    page.goto(f"/children/{child.pk}/care")
    expect(page.get_by_role("heading", level=2, name="Looked after")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Looked after since 1 October 2025")
    axe(page)

    page.get_by_role("button", name="Record a new episode").click()
    page.get_by_role("button", name="Record the episode").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the start date")
    expect(summary).to_contain_text("Choose the legal status")
    axe(page)
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Reason for the new episode").select_option("P")
    page.get_by_label("Legal status").select_option("C2")
    page.get_by_label("Category of need").select_option("N1")
    page.get_by_label("Placement type").select_option("U4")
    page.get_by_label("Placement provider").select_option("PR1")
    page.get_by_label("Placement postcode").fill("TW1 3AA")
    page.get_by_label("Why the placement changed").select_option("CHILD")
    page.get_by_role("button", name="Record the episode").click()
    expect(page).to_have_url(re.compile(rf"/children/{child.pk}/care$"))
    expect(page.locator("main")).to_contain_text("The new episode has been recorded")
    expect(page.locator("main")).to_contain_text("Child requests placement end (CHILD)")
    axe(page)

    page.get_by_role("button", name="Record a review").click()
    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("How the child took part").select_option("PN1")
    axe(page)
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("main")).to_contain_text("The review has been recorded")
    expect(page.locator("main")).to_contain_text("Child physically attended and spoke")

    page.get_by_role("button", name="End the open episode").click()
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Why the episode ended").select_option("E13")
    page.get_by_role("button", name="End the episode").click()
    expect(page.locator("main")).to_contain_text("Not looked after now.")
    axe(page)
    assert not CareEpisode.objects.filter(child=child, ended_on__isnull=True).exists()
