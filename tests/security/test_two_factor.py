"""The second step of signing in: setting up an authenticator, codes right and wrong, the shared
lock-out, and the audit trail of every attempt."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tandem.security.two_factor import WRONG_CODE, current_code
from tests import factories
from tests.factories import PASSWORD
from tests.signing_in import device_of, fresh_code
from tests.web.support import error_summary, text_of

pytestmark = pytest.mark.django_db

LOCKED_WORDS = "You have entered the wrong details too many times"


@pytest.fixture
def user():
    return factories.UserFactory(username="sam.worker", role=Role.SOCIAL_WORKER)


@pytest.fixture
def browser():
    """A plain client: every step for real, nothing forced."""
    return Client()


def password_step(browser, username="sam.worker", password=PASSWORD, **extra):
    response = browser.post("/sign-in", {"username": username, "password": password, **extra})
    assert response.status_code == 302
    return response


def verified(browser) -> bool:
    return "otp_device_id" in browser.session


def wrong_code(device) -> str:
    return f"{(int(current_code(device).code) + 1) % 1_000_000:06d}"


def code_rows():
    return list(
        AccessEvent.objects.filter(record_type="user", detail__step="code")
        .order_by("id")
        .values_list("action", "actor_username", "detail__outcome")
    )


def give_set_up_code(browser, user, next_url=""):
    """The one-time set-up code an IG lead issued (tests/security/test_enrolment.py)."""
    from tandem.security.enrolment import enrolment_code_issue

    _, code = enrolment_code_issue(actor=None, user=user)
    response = browser.post("/sign-in/set-up", {"set_up_code": code, "next": next_url})
    assert response.status_code == 302
    return response


def test_first_sign_in_sets_up_an_authenticator(browser, user):
    password_step(browser)
    assert browser.get("/caseload")["Location"] == "/sign-in/set-up?next=%2Fcaseload"
    assert not TOTPDevice.objects.filter(user=user).exists()  # no secret before the set-up code
    give_set_up_code(browser, user, "/caseload")
    page = browser.get("/sign-in/set-up?next=/caseload")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, no script or inline style
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret[:4] + " " + secret[4:8] in text_of(page)
    # Opening the page again shows the same secret: the app already set up still works.
    browser.get("/sign-in/set-up")
    assert TOTPDevice.objects.filter(user=user).count() == 1

    response = browser.post(
        "/sign-in/set-up", {"code": current_code(device).code, "next": "/caseload"}
    )
    assert response["Location"] == "/caseload"
    device.refresh_from_db()
    assert device.confirmed
    assert verified(browser)
    assert code_rows() == [("sign_in", "sam.worker", "set_up")]


def test_a_wrong_code_while_setting_up_leaves_the_device_unconfirmed(browser, user):
    password_step(browser)
    give_set_up_code(browser, user)
    browser.get("/sign-in/set-up")
    device = TOTPDevice.objects.get(user=user)
    response = browser.post("/sign-in/set-up", {"code": wrong_code(device)})
    assert response.status_code == 200
    assert error_summary(response) == [("#code", WRONG_CODE)]
    device.refresh_from_db()
    assert not device.confirmed
    assert not verified(browser)


def test_after_set_up_every_sign_in_asks_for_a_code(browser, user):
    device = device_of(user)
    password_step(browser)
    assert browser.get("/")["Location"] == "/sign-in/code?next=%2F"
    assert browser.get("/sign-in/set-up")["Location"] == "/sign-in/code"
    response = browser.post("/sign-in/code", {"code": fresh_code(device)})
    assert response["Location"] == "/"
    assert verified(browser)
    assert code_rows() == [("sign_in", "sam.worker", "verified")]


def test_the_session_id_changes_when_the_code_is_accepted(browser, user):
    """Session fixation: an id set, or seen, after the password alone is worth nothing."""
    device = device_of(user)
    password_step(browser)
    half_signed_in = browser.cookies["sessionid"].value
    browser.post("/sign-in/code", {"code": fresh_code(device)})
    assert verified(browser)
    assert browser.cookies["sessionid"].value != half_signed_in
    stale = Client()
    stale.cookies["sessionid"] = half_signed_in
    assert stale.get("/caseload").status_code == 302  # back to signing in: the old id is dead


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the 6-digit code from your authenticator app"),
        ("12345", "The code must be 6 numbers, like 123456"),
        ("abcdef", "The code must be 6 numbers, like 123456"),
        ("wrong", WRONG_CODE),
    ],
)
def test_a_wrong_code_is_refused_with_the_error_summary(browser, user, code, message):
    device = device_of(user)
    password_step(browser)
    response = browser.post(
        "/sign-in/code", {"code": wrong_code(device) if code == "wrong" else code}
    )
    assert response.status_code == 200
    assert error_summary(response) == [("#code", message)]
    assert 'class="govuk-error-message"' in response.content.decode()
    assert not verified(browser)
    assert browser.get("/caseload").status_code == 302  # still only half signed in


def test_spaces_in_a_code_are_forgiven(browser, user):
    device = device_of(user)
    password_step(browser)
    code = fresh_code(device)
    browser.post("/sign-in/code", {"code": f" {code[:3]} {code[3:]} "})
    assert verified(browser)


def test_a_code_works_only_once(user):
    device = device_of(user)
    first, second = Client(), Client()
    password_step(first)
    password_step(second)
    code = fresh_code(device)
    first.post("/sign-in/code", {"code": code})
    assert verified(first)
    response = second.post("/sign-in/code", {"code": code})
    assert error_summary(response) == [("#code", WRONG_CODE)]
    assert not verified(second)


def test_the_code_step_keeps_next_on_the_site(browser, user):
    device = device_of(user)
    password_step(browser, next="/referrals/made")
    response = browser.get("/referrals/made")
    assert response["Location"] == "/sign-in/code?next=%2Freferrals%2Fmade"
    response = browser.post(
        "/sign-in/code", {"code": fresh_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_wrong_codes_lock_the_account_and_end_the_half_sign_in(browser, user, settings):
    settings.TANDEM_LOCKOUT_FAILURES = 3
    device = device_of(user)
    password_step(browser)
    for _ in range(2):
        response = browser.post("/sign-in/code", {"code": wrong_code(device)})
        assert error_summary(response) == [("#code", WRONG_CODE)]
    response = browser.post("/sign-in/code", {"code": wrong_code(device)})
    assert LOCKED_WORDS in error_summary(response)[0][1]
    assert error_summary(response)[0][0] == "#username"
    assert "_auth_user_id" not in browser.session  # signed out
    user.refresh_from_db()
    assert user.locked_until > timezone.now()
    # The right password does not open it while it is locked.
    response = browser.post("/sign-in", {"username": "sam.worker", "password": PASSWORD})
    assert response.status_code == 200
    assert LOCKED_WORDS in text_of(response)
    assert [r[2] for r in code_rows()] == ["wrong_code", "wrong_code", "wrong_code_now_locked"]
    with freeze_time(timezone.now() + timedelta(minutes=16)):
        password_step(Client())


def test_a_locked_account_cannot_finish_a_half_sign_in(browser, user):
    """Locked by someone else's wrong passwords while this session waited at the code page."""
    device = device_of(user)
    password_step(browser)
    user.locked_until = timezone.now() + timedelta(minutes=10)
    user.save()
    response = browser.post("/sign-in/code", {"code": fresh_code(device)})
    assert LOCKED_WORDS in error_summary(response)[0][1]
    assert not verified(browser)
    assert "_auth_user_id" not in browser.session


def test_wrong_passwords_and_wrong_codes_share_one_count(browser, user, settings):
    settings.TANDEM_LOCKOUT_FAILURES = 3
    device = device_of(user)
    assert (
        browser.post("/sign-in", {"username": "sam.worker", "password": "nope"}).status_code == 200
    )
    password_step(browser)  # the right password resets the count of wrong passwords...
    browser.post("/sign-in/code", {"code": wrong_code(device)})
    browser.post("/sign-in/code", {"code": wrong_code(device)})
    user.refresh_from_db()
    assert user.failed_sign_ins == 2  # ...and wrong codes count on from there
    browser.post("/sign-in/code", {"code": fresh_code(device)})
    user.refresh_from_db()
    assert user.failed_sign_ins == 0
    assert verified(browser)


def test_the_code_pages_need_the_password_first(browser):
    for url in ("/sign-in/code", "/sign-in/set-up", "/acceptable-use"):
        response = browser.get(url)
        assert response["Location"].startswith("/sign-in?next="), url


def test_a_signed_in_user_on_the_code_page_moves_on(client, user):
    client.force_login(user)
    assert client.get("/sign-in/code")["Location"] == "/"
    assert client.get("/sign-in/set-up")["Location"] == "/sign-in/code"


def test_sign_out_is_reachable_half_signed_in(browser, user):
    password_step(browser)
    response = browser.post("/sign-out")
    assert response["Location"] == "/sign-in"
    assert "_auth_user_id" not in browser.session


def test_api_tokens_need_no_code(user):
    from tests.api.support import ApiClient

    assert ApiClient(user, "token").get("/api/children").status_code == 200


def test_an_administrator_removes_a_lost_authenticator(client, user):
    """The old phone's sessions stop at once; the user sets up a new app at the next sign-in."""
    device = device_of(user)
    old_phone = Client()
    password_step(old_phone)
    old_phone.post("/sign-in/code", {"code": fresh_code(device)})
    sysadmin = factories.UserFactory(role=Role.SYSTEM_ADMIN, team=None, is_staff=True)
    client.force_login(sysadmin)
    response = client.post(
        "/admin/partners/user/",
        {"action": "remove_authenticator", "_selected_action": [str(user.pk)]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert old_phone.get("/caseload")["Location"].startswith("/sign-in/set-up")
    event = AccessEvent.objects.get(record_type="otp_device")
    assert (event.action, event.actor_id, event.detail["user"]) == (
        "delete",
        sysadmin.pk,
        "sam.worker",
    )
