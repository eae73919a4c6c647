"""Information governance in a real browser, with axe-core on every page: a school nurse with no
basis opens a child's record in an emergency, the owning team is told, and the IG lead reviews
it from the queue; then the IG lead answers a subject access request with a redaction."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.access.models import BreakGlass, InvolvementKind
from tandem.partners.models import PartnerKind, Role
from tandem.people.models import Event
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASON = "Found alone in the school grounds at 7pm, need to know who to call about her"


@pytest.fixture
def scene():
    council = factories.PartnerFactory(name="Northshire Council", kind=PartnerKind.LOCAL_AUTHORITY)
    owners = factories.TeamFactory(partner=council, name="Children in need team")
    factories.UserFactory(username="sw", role=Role.SOCIAL_WORKER, team=owners)
    ig_team = factories.TeamFactory(partner=council, name="Information governance")
    factories.UserFactory(username="ig", role=Role.IG_LEAD, team=ig_team)
    nhs = factories.PartnerFactory(name="Northshire NHS Trust", kind=PartnerKind.NHS_TRUST)
    factories.UserFactory(
        username="nurse", role=Role.HEALTH_PRACTITIONER, team=factories.TeamFactory(partner=nhs)
    )
    child = factories.ChildFactory(
        given_name="Ruby", family_name="Fletcher", nhs_number="9434765919"
    )
    factories.InvolvementFactory(child=child, team=owners, kind=InvolvementKind.OWNING_TEAM)
    Event.objects.create(
        person=child,
        partner=council,
        kind="note",
        occurred_at=timezone.now() - dt.timedelta(days=2),
        summary="Aunt Clara Example visits on Sundays.",
    )
    return {"child": child}


def test_break_glass_journey(page, axe, scene):
    child = scene["child"]
    sign_in(page, axe, "nurse")
    page.get_by_role("link", name="Emergency access", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Emergency access to a child’s record"
    )
    axe(page)
    page.get_by_role("button", name="Open the record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why")
    axe(page)
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_label("Why do you need to see this record now?").fill(REASON)
    page.get_by_role("button", name="Open the record").click()
    expect(page).to_have_url(re.compile(f"/children/{child.pk}$"))
    expect(page.locator("h1")).to_contain_text("Ruby Fletcher")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Emergency access until")
    axe(page)
    screenshot(page, "break-glass-record")
    sign_out(page)

    sign_in(page, axe, "sw")
    page.get_by_role("link", name="Notifications").click()
    expect(page.locator("#notifications")).to_contain_text(
        "Emergency access to Ruby Fletcher's record"
    )
    axe(page)
    sign_out(page)

    sign_in(page, axe, "ig")
    page.get_by_role("link", name="Emergency access reviews").click()
    axe(page)
    page.get_by_role("link", name=re.compile("^Review")).click()
    expect(page.locator("main")).to_contain_text(REASON)
    axe(page)
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("appropriate")
    axe(page)
    page.get_by_label("Appropriate", exact=True).check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("#queue-empty")).to_be_visible()
    axe(page)
    assert BreakGlass.objects.get().review == "appropriate"

    page.goto(f"/children/{child.pk}/who-looked")
    expect(page.locator("main")).to_contain_text("nurse")
    axe(page)


def test_subject_access_journey(page, axe, scene):
    sign_in(page, axe, "ig")
    page.get_by_role("link", name="Governance").click()
    axe(page)
    # Names, never record ids: the IG lead finds the child first.
    page.get_by_role("link", name="Find a person").click()
    axe(page)
    page.get_by_label("Name").fill(scene["child"].given_name)
    page.get_by_role("button", name="Search").click()
    axe(page)
    page.get_by_role("link", name=re.compile("Log a subject access request")).click()
    expect(page.locator("main")).to_contain_text("Ruby Fletcher")
    axe(page)
    page.get_by_label("Who made the request").fill("Ruby's mother")
    page.get_by_label("Day").fill("10")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Log the request").click()
    expect(page.locator("main")).to_contain_text("10 December 2026")
    expect(page.locator("main")).to_contain_text("Aunt Clara Example")
    axe(page)
    card = page.locator(".govuk-summary-card", has_text="Aunt Clara Example")
    card.get_by_label("Why withhold this item?").fill("About a relative (third party)")
    card.get_by_role("button").click()
    expect(page.locator("main")).not_to_contain_text("Aunt Clara Example")
    expect(page.locator("main")).to_contain_text("About a relative (third party)")
    axe(page)
    screenshot(page, "subject-access")
    page.get_by_role("link", name="Governance").click()
    expect(page.locator("main")).to_contain_text("Ruby's mother")
    axe(page)
