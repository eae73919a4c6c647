"""Each role's first minute (issue 22), on a desktop (1280 px) and a phone (375 px): signed in
for real, where do they land, does the page say who they are, and what needs them now? axe-core
on every page, nothing wider than the screen, a screenshot of each for the run."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tandem.access import services as access_services
from tandem.access import subject_access
from tandem.access.models import InvolvementKind
from tandem.partners.models import PartnerKind, Role
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1280, "phone": 375}


@pytest.fixture
def partnership():
    council = factories.PartnerFactory(name="Northshire Council", kind=PartnerKind.LOCAL_AUTHORITY)
    school = factories.PartnerFactory(name="Oakfield Academy", kind=PartnerKind.SCHOOL)
    trust = factories.PartnerFactory(name="Northshire NHS Trust", kind=PartnerKind.NHS_TRUST)
    front_door = factories.TeamFactory(partner=council, name="Front door", receives_referrals=True)
    cp_team = factories.TeamFactory(partner=council, name="Child protection")
    governance = factories.TeamFactory(partner=council, name="Governance and intelligence")
    pastoral = factories.TeamFactory(partner=school, name="Safeguarding")
    ed = factories.TeamFactory(partner=trust, name="Emergency department")

    def user(username, role, team, first, last):
        return factories.UserFactory(
            username=username, role=role, team=team, first_name=first, last_name=last
        )

    users = {
        "social_worker": user("sw", Role.SOCIAL_WORKER, cp_team, "Sam", "Ward"),
        "front_door": user("mash", Role.TEAM_MANAGER, front_door, "Mo", "Khan"),
        "school": user("dsl", Role.SCHOOL_DSL, pastoral, "Dee", "Lewis"),
        "ig_lead": user("ig", Role.IG_LEAD, governance, "Ira", "Gold"),
        "analyst": user("analyst", Role.PARTNERSHIP_ANALYST, governance, "Ana", "Lyst"),
        "board": user("board", Role.BOARD_MEMBER, governance, "Bo", "Ard"),
        "no_access": user("nurse", Role.HEALTH_PRACTITIONER, ed, "Nia", "Hughes"),
    }
    ruby = factories.ChildFactory(
        given_name="Ruby", family_name="Fletcher", date_of_birth=dt.date(2012, 3, 4)
    )
    factories.InvolvementFactory(child=ruby, team=cp_team, kind=InvolvementKind.OWNING_TEAM)
    factories.InvolvementFactory(
        child=ruby, team=cp_team, practitioner=users["social_worker"],
        kind=InvolvementKind.ALLOCATED,
    )  # fmt: skip
    factories.InvolvementFactory(child=ruby, team=pastoral, kind=InvolvementKind.INVOLVED)
    # What needs each of them now: a referral waiting at the front door (made by the school),
    # a note for the social worker, a subject access request falling due for the IG lead.
    factories.ReferralFactory(
        child=factories.ChildFactory(given_name="Kai", family_name="Reed"),
        to_team=front_door, made_by=users["school"],
    )  # fmt: skip
    access_services.notify(
        [users["social_worker"]], "Ruby Fletcher's school sent a new concern",
        f"/children/{ruby.pk}", child_id=ruby.pk,
    )  # fmt: skip
    subject_access.sar_log(
        actor=users["ig_lead"], person_id=ruby.pk, requester="Ruby's mother",
        received_on=dt.date.today() - dt.timedelta(days=20),
    )  # fmt: skip
    return users


# role: (the heading they land on, what needs them now on it, their role as the bar says it)
FIRST_MINUTE = {
    "social_worker": ("Your work tray", "Notifications 1 unread", "Social worker"),
    "front_door": ("Your work tray", "Referrals waiting for a decision (1)", "Team manager"),
    "school": ("Your work tray", "Your actions (0)", "School designated safeguarding lead"),
    "ig_lead": ("Information governance", "Ruby's mother", "Information-governance lead"),
    "analyst": ("Statutory returns", "Build and check the return", "Partnership analyst"),
    "board": ("Children’s views on decisions", "No decisions", "Partnership board member"),
    "no_access": ("Your work tray", "Emergency access", "Health visitor or school nurse"),
}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", list(FIRST_MINUTE))
def test_each_role_s_first_minute(browser, live_server, axe, partnership, role, width):
    pixels = WIDTHS[width]
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": pixels, "height": 900},
        is_mobile=pixels < 500,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    heading, needs, role_name = FIRST_MINUTE[role]
    user = partnership[role]

    sign_in(page, axe, user.username)
    # Where they land, who they are, and what needs them now.
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    who = page.locator("#signed-in-as")
    expect(who).to_contain_text(f"{user.first_name} {user.last_name}")
    expect(who).to_contain_text(role_name)
    expect(page.locator("body")).to_contain_text(needs)
    if width == "desktop":  # the whole navigation on one line
        tops = page.eval_on_selector_all(
            ".govuk-service-navigation__item", "items => items.map(i => i.offsetTop)"
        )
        assert len(set(tops)) <= 1, tops
    axe(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= pixels
    screenshot(page, f"first-minute-{role}-{width}")

    # The one step each takes next.
    if role == "social_worker":
        page.get_by_role("link", name=re.compile("^Notifications")).click()
        expect(page.locator("main")).to_contain_text("Ruby Fletcher's school sent a new concern")
    elif role == "front_door":
        if pixels < 641:  # on a phone the navigation folds behind its Menu button
            page.get_by_role("button", name="Menu").click()
        page.get_by_role("link", name="Referrals", exact=True).click()
        expect(page.locator("main")).to_contain_text("Kai Reed")
    elif role == "ig_lead":
        page.get_by_role("link", name="Find a person").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    elif role == "no_access":
        page.get_by_role("link", name="Emergency access", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("mergency")
    else:
        context.close()
        assert not errors, errors
        return
    axe(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= pixels
    screenshot(page, f"first-minute-{role}-{width}-next")
    context.close()
    assert not errors, errors
