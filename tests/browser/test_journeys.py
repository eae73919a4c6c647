"""The main journeys in a real browser, with axe-core on every page visited:
a school's safeguarding lead signs in, finds a child in their caseload, reads the record and makes
a referral; the front door decides and gives feedback; the referrer reads the feedback."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.access.models import InvolvementKind
from tandem.partners.models import PartnerKind, Role
from tandem.people.models import Event, HouseholdMember, Relationship
from tests import factories
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def partnership():
    council = factories.PartnerFactory(name="Northshire Council", kind=PartnerKind.LOCAL_AUTHORITY)
    front_door = factories.TeamFactory(partner=council, name="Front door", receives_referrals=True)
    manager = factories.UserFactory(
        username="manager",
        first_name="Mo",
        last_name="Khan",
        role=Role.TEAM_MANAGER,
        team=front_door,
    )
    school = factories.PartnerFactory(name="Oakfield Academy", kind=PartnerKind.SCHOOL)
    pastoral = factories.TeamFactory(partner=school, name="Safeguarding")
    dsl = factories.UserFactory(
        username="dsl", first_name="Dee", last_name="Lewis", role=Role.SCHOOL_DSL, team=pastoral
    )
    child = factories.ChildFactory(
        given_name="Ruby",
        family_name="Fletcher",
        known_as="Rubes",
        date_of_birth=dt.date(2012, 3, 4),
        nhs_number="9434765919",
        postcode="ZZ99 3AA",
        address="4 Mill Lane, Northtown",
    )
    factories.InvolvementFactory(child=child, team=pastoral, kind=InvolvementKind.INVOLVED)
    mother = factories.AdultFactory(given_name="Jess", family_name="Fletcher")
    household = factories.HouseholdFactory(name="Fletcher household")
    HouseholdMember.objects.create(household=household, person=child)
    HouseholdMember.objects.create(household=household, person=mother)
    a, b = sorted([mother, child], key=lambda p: str(p.pk))
    Relationship.objects.create(person_a=a, person_b=b, kind="parent" if a == mother else "child")
    Event.objects.create(
        person=child,
        partner=school,
        kind="attendance_concern",
        recorded_by=dsl,
        occurred_at=timezone.now() - dt.timedelta(days=3),
        summary="Attendance 78% this half term.",
    )
    for n in range(3):  # a caseload of more than one
        other = factories.ChildFactory(given_name=f"Pupil{n}", family_name="Other")
        factories.InvolvementFactory(child=other, team=pastoral, kind=InvolvementKind.INVOLVED)
    return {"dsl": dsl, "manager": manager, "child": child}


def sign_in(page, axe, username: str) -> None:
    """Every step, as a practitioner takes them: password; the code from their authenticator
    (setting one up the first time, after a set-up code, from the secret on the page's own
    database row); and the acceptable-use notice the first time. Ends on the page the role
    starts on."""
    page.goto("/sign-in")
    expect(page).to_have_title(re.compile("Sign in"))
    axe(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile("/sign-in/(code|set-up)"))
    axe(page)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tandem.partners.models import User
    from tandem.security.enrolment import enrolment_code_issue
    from tests.signing_in import fresh_code

    if "/set-up" in page.url:
        # The first time: the one-time set-up code an IG lead would have given them.
        _, code = enrolment_code_issue(actor=None, user=User.objects.get(username=username))
        page.get_by_label("Set-up code").fill(code)
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
        axe(page)

    # The device the page is asking about: the one being set up, or the confirmed one.
    device = TOTPDevice.objects.filter(
        user__username=username, confirmed="/code" in page.url
    ).get()
    page.get_by_label("Code from your authenticator app").fill(fresh_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)
    if "/acceptable-use" in page.url:
        axe(page)
        page.get_by_label("I have read these conditions and I will follow them").check()
        page.get_by_role("button", name="Accept and continue").click()
        page.wait_for_url(lambda url: "/acceptable-use" not in url)


def record_views(page, *, child_words: str, parent_reason: str) -> None:
    """The child's view in their words, and why the parent's was not gathered."""
    child = page.get_by_role("group", name="The child's view", exact=True)
    # Conditional reveals: the words box shows only once "Yes" is chosen.
    expect(child.get_by_label("The child's view, in their words")).to_be_hidden()
    child.get_by_role("group", name="Did you gather the child's view?").get_by_label(
        "Yes", exact=True
    ).check()
    expect(child.get_by_role("group", name="Why not?")).to_be_hidden()
    child.get_by_label("The child's view, in their words").fill(child_words)
    child.get_by_role("group", name="How did you gather it?").get_by_label("Face to face").check()
    parent = page.get_by_role("group", name="The parent's or carer's view", exact=True)
    gathered = parent.get_by_role("group", name=re.compile("Did you gather"))
    gathered.get_by_label("No", exact=True).check()
    reasons = {"declined": "Asked, and they did not want to say", "not_safe": "Not safe to ask"}
    parent.get_by_role("group", name="Why not?").get_by_label(reasons[parent_reason]).check()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile("/sign-in"))


def test_referral_journey(page, axe, partnership):
    child = partnership["child"]

    # A wrong password first: an error summary, named field, and still accessible.
    page.goto("/sign-in")
    page.get_by_label("Username").fill("dsl")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe(page)

    sign_in(page, axe, "dsl")
    # They land on what needs them now, and the header says who they are.
    expect(page.get_by_role("heading", level=1)).to_contain_text("work tray")
    expect(page.locator("#signed-in-as")).to_contain_text("School designated safeguarding lead")
    axe(page)
    page.get_by_role("link", name="Children", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Children")
    axe(page)
    screenshot(page, "caseload")

    page.get_by_role("link", name="Ruby Fletcher").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ruby Fletcher")
    expect(page.get_by_text("943 476 5919")).to_be_visible()
    axe(page)
    screenshot(page, "child-summary")
    for section, expected in [
        ("Household and relationships", "Jess Fletcher"),
        ("Referrals", "Referrals"),
        ("Chronology", "Attendance 78% this half term."),
    ]:
        record_nav = page.get_by_role("navigation", name="Child's record")
        record_nav.get_by_role("link", name=section, exact=True).click()
        expect(page.locator("main")).to_contain_text(expected)
        axe(page)

    page.get_by_role("navigation", name="Child's record").get_by_role(
        "link", name="Summary"
    ).click()
    page.get_by_role("button", name="Make a referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a referral")
    axe(page)

    # Sending an empty form: the GOV.UK error summary lists what to fix, and links to the fields.
    page.get_by_role("button", name="Send referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Choose the team you are referring to")
    expect(page).to_have_title(re.compile("^Error: "))
    axe(page)

    page.get_by_label("Which team are you referring to?").select_option(
        label="Front door, Northshire Council"
    )
    page.get_by_label("Where did the concern come from?").select_option(label="Schools")
    page.get_by_label("Going missing").check()
    page.get_by_label("Child sexual exploitation").check()
    expect(page.get_by_label("Going missing")).to_be_checked()
    page.get_by_label("Describe your concerns").fill(
        "Ruby was missing overnight twice this month."
    )
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Referral sent")
    axe(page)
    sign_out(page)

    # The front door sees it waiting in the work tray and the queue, decides, and tells the
    # referrer.
    sign_in(page, axe, "manager")
    page.goto("/work-tray")
    expect(page.locator("#decisions")).to_contain_text("Referrals waiting for a decision (1)")
    axe(page)
    page.goto("/referrals/received")
    expect(page.locator("main")).to_contain_text("1 waiting for a decision")
    axe(page)
    page.get_by_role("link", name=re.compile("Decide")).first.click()
    axe(page)
    page.get_by_label("Early help").check()
    page.get_by_label("Why?").fill("Family support worker to visit; Ruby wants help.")
    record_views(page, child_words="I want someone to talk to.", parent_reason="declined")
    page.get_by_role("button", name=re.compile("decision", re.I)).click()
    expect(page).to_have_url(re.compile("/feedback"))
    axe(page)
    page.goto("/referrals/received")
    page.get_by_role("link", name=re.compile("Give feedback")).first.click()
    axe(page)
    page.get_by_label("What do you want to tell the referrer?").fill(
        "Thank you. Early help will contact the family this week."
    )
    page.get_by_role("button", name=re.compile("feedback", re.I)).click()
    axe(page)
    sign_out(page)

    # The referrer sees the outcome and the feedback.
    sign_in(page, axe, "dsl")
    page.goto("/referrals/made")
    expect(page.locator("main")).to_contain_text("Early help will contact the family this week.")
    axe(page)
    assert child.referrals.get().status == "closed"


def test_find_a_child_and_known_to_partners(page, axe, partnership):
    sign_in(page, axe, "dsl")
    page.get_by_role("link", name="Children", exact=True).click()
    page.get_by_label("Find a child by name").fill("rub")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Ruby Fletcher")).to_be_visible()
    axe(page)
    # The results page has every way to search.
    page.get_by_label("Name").fill("rub")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Ruby Fletcher")).to_be_visible()
    axe(page)

    page.goto("/known")
    axe(page)
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_role("button", name=re.compile("Check|Search|Find")).click()
    expect(page.locator("main")).to_contain_text("Oakfield Academy")
    expect(page.locator("main")).not_to_contain_text("Mill Lane")  # never the record
    axe(page)


def test_caseload_on_a_phone(browser, live_server, axe, partnership):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 812}, is_mobile=True
    )
    page = context.new_page()
    sign_in(page, axe, "dsl")
    page.goto("/caseload")
    expect(page.get_by_role("link", name="Ruby Fletcher")).to_be_visible()
    # Nothing wider than the screen: a phone user never scrolls sideways to read the page.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    axe(page)
    screenshot(page, "caseload-phone")
    context.close()
