"""Signing in for the first time in a real browser, with axe-core on every page: the password,
the one-time set-up code, setting up an authenticator (a wrong code first), the acceptable-use
notice (not ticked first), then the caseload; and the next sign-in asks only for a code."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tandem.partners.models import Role
from tandem.security.enrolment import enrolment_code_issue
from tandem.security.models import AcceptableUseAcceptance
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import sign_in, sign_out
from tests.signing_in import fresh_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_first_sign_in_sets_up_the_app_and_accepts_the_notice(page, axe):
    user = factories.UserFactory(username="sam", role=Role.SOCIAL_WORKER)
    page.goto("/caseload")
    expect(page).to_have_url(re.compile("/sign-in"))
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # First the one-time set-up code an IG lead gave (a wrong one first).
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your set-up code")
    axe(page)
    _, code = enrolment_code_issue(actor=None, user=user)
    page.get_by_label("Set-up code").fill("AAAAA-BBBBB")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the set-up code you were")
    axe(page)
    page.get_by_label("Set-up code").fill(code)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    axe(page)
    screenshot(page, "sign-in-set-up")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the 6-digit code shown in your authenticator app now")
    axe(page)
    summary.get_by_role("link").click()  # the summary's link takes you to the box
    expect(page.get_by_label("Code from your authenticator app")).to_be_focused()

    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("Code from your authenticator app").fill(fresh_code(device))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("your responsibilities")
    axe(page)
    page.get_by_role("button", name="Accept and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you have read")
    axe(page)
    page.get_by_label("I have read these conditions and I will follow them").check()
    page.get_by_role("button", name="Accept and continue").click()
    expect(page).to_have_url(re.compile("/caseload$"))  # where they were going
    assert AcceptableUseAcceptance.objects.filter(user=user).count() == 1
    sign_out(page)

    # The next time: password and code only, then straight to what needs them now.
    sign_in(page, axe, "sam")
    expect(page).to_have_url(re.compile("/work-tray$"))
    screenshot(page, "sign-in-code-done")
