"""Issue 23 in a browser: a board member reads a service's outcomes (a chart and its table),
the children behind a figure (none named for a board member), the matched comparison and the
value for money, and downloads the PDF; a social worker records an SDQ on a child's record,
with its errors shown first. axe-core on every page."""

import importlib
import re

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from tandem.access.models import InvolvementKind
from tandem.outcomes.models import ServiceType
from tandem.partners.models import Role
from tandem.synth import build
from tandem.synth import services as synth_services
from tests import factories
from tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


SEEDED = ("0002_aims_and_service_types", "0005_unit_cost_register")


@pytest.fixture
def partnership():
    if not ServiceType.objects.exists():  # the migrations' rows, flushed by an earlier test
        for name in SEEDED:
            importlib.import_module(f"tandem.outcomes.migrations.{name}").seed(apps, None)
    build.build(seed=5, children=3000, as_of=timezone.localdate(), replace=True, parallel=False)
    return synth_services.draw_services(seed=5, as_of=timezone.localdate())


def test_a_board_member_reads_a_service_s_evidence(page, axe, partnership):
    board = factories.UserFactory(role=Role.BOARD_MEMBER)
    sign_in(page, axe, board.username)
    page.goto("/outcomes/")
    expect(page).to_have_title(re.compile("Outcomes of services"))
    axe(page)
    page.get_by_role("link", name="Integrated Family Support").click()
    expect(page.locator("img.app-chart")).to_be_visible()
    expect(page.get_by_role("table", name="Outcomes")).to_contain_text("Very positive outcome")
    axe(page)
    page.get_by_role("link", name=re.compile("Children behind .Very positive outcome")).click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("not named here")
    axe(page)
    page.go_back()
    page.get_by_role("link", name=re.compile("^Value for money")).click()
    expect(page.locator("h2").first).to_contain_text("Gross: £")
    axe(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as PDF").click()
    assert download.value.suggested_filename.endswith("-value-for-money.pdf")
    page.goto("/outcomes/")
    page.get_by_role("link", name="New Directions edge of care").click()
    page.get_by_role("link", name=re.compile("Compare these children")).click()
    expect(page.locator("h1")).to_have_text("Matched comparison")
    expect(page.get_by_text("What matching cannot do")).to_be_visible()
    axe(page)
    # A bad period: both dates' problems at once, the page still shown.
    page.get_by_label("Day").first.fill("31")
    page.get_by_label("Month").first.fill("2")
    page.get_by_label("Year").first.fill("2025")
    page.get_by_role("button", name="Show this period").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a real date")
    axe(page)


def test_a_social_worker_records_an_sdq(page, axe, db):
    team = factories.TeamFactory()
    worker = factories.UserFactory(role=Role.SOCIAL_WORKER, team=team)
    child = factories.ChildFactory(given_name="Robin")
    factories.InvolvementFactory(child=child, team=team, kind=InvolvementKind.OWNING_TEAM)
    sign_in(page, axe, worker.username)
    page.goto(f"/outcomes/children/{child.pk}/services")
    expect(page.locator("h1")).to_contain_text("Robin")
    axe(page)
    page.get_by_role("button", name="Record an SDQ").click()
    page.get_by_role("button", name="Record the SDQ").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose who completed it")
    axe(page)
    page.get_by_label("A parent or carer").check()
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2025")
    for i in range(1, 26):
        page.get_by_label(f"Item {i}", exact=True).select_option("1")
    page.get_by_role("button", name="Record the SDQ").click()
    expect(page.get_by_role("table", name="SDQs, oldest first")).to_contain_text("20 (Very high)")
    axe(page)
