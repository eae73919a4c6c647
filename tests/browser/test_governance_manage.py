"""The IG lead's agreement, legal-hold and restriction pages, and consent on a child's record,
in a real browser with axe-core on each page, errors included."""

import re

import pytest
from playwright.sync_api import expect

from tandem.access.models import Agreement, Consent, InvolvementKind, LegalHold, Restriction
from tandem.partners.models import PartnerKind, Role
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene():
    council = factories.PartnerFactory(name="Northshire Council", kind=PartnerKind.LOCAL_AUTHORITY)
    owners = factories.TeamFactory(partner=council, name="Children in need team")
    factories.UserFactory(username="sw", role=Role.SOCIAL_WORKER, team=owners)
    factories.UserFactory(
        username="ig", role=Role.IG_LEAD, team=factories.TeamFactory(partner=council)
    )
    factories.PartnerFactory(name="Oakfield Academy", kind=PartnerKind.SCHOOL)
    child = factories.ChildFactory(given_name="Ruby", family_name="Fletcher")
    factories.InvolvementFactory(child=child, team=owners, kind=InvolvementKind.OWNING_TEAM)
    return {"child": child}


def test_ig_lead_manages_agreements_holds_and_restrictions(page, axe, scene):
    child = scene["child"]
    sign_in(page, axe, "ig")
    page.goto("/governance")
    axe(page)
    page.get_by_role("link", name="Information-sharing agreements").click()
    axe(page)
    page.get_by_role("button", name="Make an agreement").click()
    page.get_by_role("button", name="Make the agreement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the agreement's title")
    axe(page)
    page.get_by_label("Title").fill("Early help ISA")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Make the agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Early help ISA")
    axe(page)
    page.get_by_role("button", name="Add the share").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the partner")
    axe(page)
    page.get_by_label("Share with").select_option(label="Oakfield Academy")
    page.get_by_label("What is shared").select_option("education")
    page.get_by_role("group", name="For what purpose").get_by_label("Early help").check()
    page.get_by_label("Public task (Article 6(1)(e))").check()
    page.get_by_role("button", name="Add the share").click()
    expect(page.locator("main")).to_contain_text("Grant added")
    axe(page)
    screenshot(page, "agreement")
    page.get_by_role("button", name="End the agreement").click()
    expect(page.locator("main")).to_contain_text("The agreement has ended")
    assert Agreement.objects.get().ended_at is not None

    page.goto("/governance/legal-holds")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Find the person")
    axe(page)
    # The IG lead finds the child by name and comes back with them chosen.
    page.goto("/governance/people")
    page.get_by_label("Name").fill(child.given_name)
    page.get_by_role("button", name="Search").click()
    axe(page)
    page.get_by_role("link", name=re.compile("Place a legal hold")).click()
    expect(page.locator("main")).to_contain_text(child.full_name)
    page.get_by_label("Why must the record be kept?").fill("Court case NC-2026-114")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.locator("main")).to_contain_text("NC-2026-114")
    axe(page)
    assert LegalHold.objects.get().child_id == child.pk

    page.goto(f"/governance/restrictions?person={child.pk}")
    page.get_by_label("Restricted record (named people only)").check()
    page.get_by_label("Why?").fill("Child of a member of staff")
    page.get_by_label("Who may see it").fill("sw\nno.such.person")
    page.get_by_role("button", name="Restrict the record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("no.such.person")
    axe(page)
    page.get_by_label("Who may see it").fill("sw")
    page.get_by_role("button", name="Restrict the record").click()
    expect(page.locator("main")).to_contain_text("Restriction made")
    axe(page)
    assert Restriction.objects.get().named_people.count() == 2  # sw and the IG lead
    sign_out(page)


def test_practitioner_records_and_withdraws_consent(page, axe, scene):
    child = scene["child"]
    sign_in(page, axe, "sw")
    page.goto(f"/children/{child.pk}")
    page.get_by_role("link", name="Consent to share").click()
    axe(page)
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say who gave consent")
    axe(page)
    page.get_by_label("Early help").check()
    page.get_by_label("Who gave consent").fill("Mother")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator("main")).to_contain_text("Consent recorded")
    axe(page)
    page.get_by_role("link", name=re.compile("^Withdraw")).click()
    page.get_by_role("button", name="Withdraw consent").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say who withdrew consent")
    axe(page)
    page.get_by_label("How was consent withdrawn?").fill("Mother phoned on 20 November")
    page.get_by_role("button", name="Withdraw consent").click()
    expect(page.locator("main")).to_contain_text("Consent withdrawn")
    axe(page)
    assert Consent.objects.get().withdrawn_at is not None


def test_practitioner_records_a_decision_not_to_share(page, axe, scene):
    from tandem.access.models import ShareDecision

    child = scene["child"]
    sign_in(page, axe, "sw")
    page.goto(f"/children/{child.pk}")
    page.get_by_role("link", name="Sharing decisions").click()
    axe(page)
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose whether you shared")
    axe(page)
    page.get_by_label("No, I decided not to share").check()
    page.get_by_label("Early help").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why you decided not to")
    axe(page)
    page.get_by_label("Your reasons").fill("Sharing would put the mother at risk")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("main")).to_contain_text("Decision recorded")
    axe(page)
    assert ShareDecision.objects.get().shared is False


def test_ig_lead_issues_a_set_up_code(page, axe, scene):
    from tandem.security.models import EnrolmentCode

    sign_in(page, axe, "ig")
    page.goto("/governance")
    page.get_by_role("link", name="Set-up codes for authenticator apps").click()
    axe(page)
    page.get_by_role("button", name="Issue a set-up code").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the username")
    axe(page)
    page.get_by_label("Username").fill("sw")
    page.get_by_role("button", name="Issue a set-up code").click()
    expect(page.locator("#set-up-code")).to_have_text(re.compile(r"^[A-Z2-9]{5}-[A-Z2-9]{5}$"))
    axe(page)
    assert EnrolmentCode.objects.get(user__username="sw").issued_by.username == "ig"
