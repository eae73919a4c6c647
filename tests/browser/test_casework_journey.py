"""Casework in a real browser, with axe-core on every page: a lead professional assesses, builds a
plan with actions for two partners and records the child's and family's views; the young person
signs in on a phone (375 px), reads the plan and replies; the practitioner answers and the reply
shows in the portal. Screenshots of the portal at 375 px are saved in tests/browser/screenshots."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tandem.access.models import InvolvementKind
from tandem.partners.models import PartnerKind, Role
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import record_views, sign_in, sign_out
from tests.grants import grant_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def partnership():
    council = factories.PartnerFactory(name="Northshire Council", kind=PartnerKind.LOCAL_AUTHORITY)
    early_help = factories.TeamFactory(partner=council, name="Early help")
    factories.UserFactory(
        username="lead",
        first_name="Lee",
        last_name="Adams",
        role=Role.FAMILY_SUPPORT_WORKER,
        team=early_help,
    )
    school = factories.PartnerFactory(name="Oakfield Academy", kind=PartnerKind.SCHOOL)
    factories.UserFactory(
        username="teacher",
        first_name="Tess",
        last_name="Grant",
        role=Role.SCHOOL_DSL,
        team=factories.TeamFactory(partner=school, name="Safeguarding"),
    )
    nhs = factories.PartnerFactory(name="Northshire NHS Trust", kind=PartnerKind.NHS_TRUST)
    factories.UserFactory(
        username="nurse",
        first_name="Nia",
        last_name="Hughes",
        role=Role.HEALTH_PRACTITIONER,
        team=factories.TeamFactory(partner=nhs, name="School nursing"),
    )
    child = factories.ChildFactory(
        given_name="Ruby", family_name="Fletcher", date_of_birth=dt.date(2011, 3, 4)
    )
    factories.InvolvementFactory(child=child, team=early_help, kind=InvolvementKind.OWNING_TEAM)
    return {"child": child}


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_assess_plan_invite_reply(browser, live_server, page, axe, partnership):
    child = partnership["child"]
    sign_in(page, axe, "lead")
    page.goto(f"/children/{child.pk}/casework")
    axe(page)
    page.get_by_label("Early help").check()
    page.get_by_role("button", name="Open a case").click()
    expect(page.locator("h1")).to_contain_text("Case: Early help")
    axe(page)

    # Assess: a factor from the school, the suggestion beside the practitioner's own choice.
    page.get_by_role("button", name="Start an assessment").click()
    page.get_by_role("button", name="Add a factor").click()
    axe(page)
    page.get_by_label("Area").select_option(label="Education and learning")
    page.get_by_label("Some need").check()
    page.get_by_label("Evidence", exact=True).fill("Attendance 81% this term; late most Mondays.")
    page.get_by_label("Which partner does the evidence come from?").select_option(
        label="Oakfield Academy"
    )
    page.get_by_role("button", name="Add factor").click()
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator("main")).to_contain_text("The ratings point to: Early help")
    axe(page)
    page.get_by_role("button", name="Send for approval").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select the overall level of need"
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether you gathered the child's view"
    )
    axe(page)
    page.get_by_label("Early help").check()
    page.get_by_label("Outcome of the assessment").fill("Early help plan with school and health.")
    record_views(page, child_words="I just want mornings to be easier.", parent_reason="declined")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator("main")).to_contain_text("Waiting for a manager's approval")

    # The plan: one goal in Ruby's words, actions for the school and for health.
    page.get_by_role("button", name="Add a goal").click()
    axe(page)
    page.get_by_label("Goal").fill("Get to school on time and feel OK when I get there")
    page.get_by_role("group", name="Are these the child's own words?").get_by_label("Yes").check()
    page.get_by_label("The young person and their parents or carers").check()
    page.get_by_role("button", name="Add goal").click()
    for who, text in (
        (
            "Tess Grant, School designated safeguarding lead (Oakfield Academy)",
            "Meet Ruby at the gate at 8:40 and check in",
        ),
        (
            "Nia Hughes, Health visitor or school nurse (Northshire NHS Trust)",
            "See Ruby about sleep at the school drop-in",
        ),
    ):
        page.get_by_role("link", name=re.compile("^Add an action")).click()
        axe(page)
        page.get_by_label("What will be done?").fill(text)
        page.get_by_label("Who will do it?").select_option(label=who)
        due = dt.date.today() + dt.timedelta(days=10)
        page.get_by_label("Day").fill(str(due.day))
        page.get_by_label("Month").fill(str(due.month))
        page.get_by_label("Year").fill(str(due.year))
        page.get_by_role("button", name="Add action").click()
    main = page.locator("main")
    expect(main).to_contain_text("Oakfield Academy")
    expect(main).to_contain_text("Northshire NHS Trust")
    page.get_by_role("button", name="Agree the plan").click()
    axe(page)
    page.get_by_label("What was agreed").fill("Plan agreed with Ruby at school.")
    record_views(
        page, child_words="OK, but not Tess at the gate every day.", parent_reason="not_safe"
    )
    page.get_by_role("button", name="Record agreement").click()
    expect(main).to_contain_text("Plan agreed")
    expect(main).to_contain_text("OK, but not Tess at the gate every day.")
    axe(page)

    # An invitation for Ruby: a link and a code, shown once.
    page.get_by_role("link", name=re.compile("Invite the young person")).click()
    axe(page)
    page.get_by_label("The young person").check()
    page.get_by_role("button", name="Make the invitation").click()
    link = page.get_by_test_id("portal-link").inner_text().strip()
    code = page.get_by_test_id("portal-code").inner_text().strip()
    axe(page)
    sign_out(page)

    # Ruby, on her phone.
    phone = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    ruby = phone.new_page()
    ruby.goto(link)
    expect(ruby.locator("h1")).to_have_text("Type your code")
    axe(ruby)
    screenshot(ruby, "portal-375-code")
    ruby.get_by_label("Your code").fill(code)
    ruby.get_by_role("button", name="See my plan").click()
    expect(ruby.locator("h1")).to_have_text("Your plan")
    rmain = ruby.locator("main")
    expect(rmain).to_contain_text("Get to school on time and feel OK when I get there")
    expect(rmain).to_contain_text("Meet Ruby at the gate at 8:40 and check in")
    expect(rmain).to_contain_text("Oakfield Academy")
    expect(rmain).not_to_contain_text("Attendance 81%")  # never the assessment's evidence
    _no_sideways_scroll(ruby)
    axe(ruby)
    screenshot(ruby, "portal-375-plan")
    ruby.get_by_label("What do you think about your plan?").fill(
        "Can Tess meet me on Mondays only?"
    )
    ruby.get_by_role("button", name="Send").click()
    expect(rmain).to_contain_text("Your worker has not written back yet")
    axe(ruby)

    # The lead professional answers from the work tray.
    sign_in(page, axe, "lead")
    page.get_by_role("link", name="Work tray").click()
    expect(page.locator("main")).to_contain_text("Messages waiting for your reply (1)")
    axe(page)
    page.get_by_role("link", name="Ruby Fletcher").last.click()
    expect(page.locator("main")).to_contain_text("Can Tess meet me on Mondays only?")
    axe(page)
    page.get_by_label("Your reply").fill("Yes. Tess will meet you on Mondays.")
    page.get_by_label(re.compile("What changed because")).fill(
        "changed the plan: Tess meets you at the gate on Mondays only."
    )
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("main")).to_contain_text("Reply sent")

    ruby.reload()
    expect(rmain).to_contain_text("Yes. Tess will meet you on Mondays.")
    expect(rmain).to_contain_text(
        "You said “Can Tess meet me on Mondays only?” so we changed the plan: Tess meets you at "
        "the gate on Mondays only."
    )
    _no_sideways_scroll(ruby)
    axe(ruby)
    screenshot(ruby, "portal-375-reply")
    phone.close()


def test_change_the_lead_and_remove_a_member(browser, live_server, page, axe, partnership):
    """The team around the family changes: a new lead professional from the school, then the
    nurse leaves (first pressing Continue with nothing chosen: the error summary)."""
    from tandem.casework import services as cw
    from tandem.partners.models import User

    child = partnership["child"]
    lead = User.objects.get(username="lead")
    case = cw.case_open(
        grant=grant_for(lead, child.pk, "direct_work"),
        level="early_help",
        lead_professional_id=lead.pk,
    )
    nurse = User.objects.get(username="nurse")
    cw.case_member_add(
        actor=lead, case_id=case.pk, practitioner_id=nurse.pk, purpose="direct_work"
    )
    sign_in(page, axe, "lead")
    page.goto(f"/cases/{case.pk}")
    page.get_by_role("link", name="Change lead professional").click()
    axe(page)
    page.get_by_label("New lead professional").select_option(
        label="Tess Grant, School designated safeguarding lead (Oakfield Academy)"
    )
    page.get_by_role("button", name="Change the lead professional").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Lead professional changed")
    expect(page.locator("main")).to_contain_text("Tess Grant, Oakfield Academy")
    axe(page)

    page.get_by_role("link", name="Remove Nia Hughes from the team").click()
    axe(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select yes if they are leaving the team around the family"
    )
    axe(page)
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Nia Hughes has left the team"
    )
    expect(page.get_by_role("link", name="Remove Nia Hughes from the team")).to_have_count(0)
    axe(page)
