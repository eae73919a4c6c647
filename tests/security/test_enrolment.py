"""One-time set-up codes: a first sign-in cannot set up an authenticator with the password
alone; the code is issued by an IG lead of the user's partner (page) or an operator (`tandem
enrol`), stored hashed, works once, expires after TANDEM_ENROLMENT_CODE_HOURS, and wrong codes
count towards the lock-out."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

import tandem.config.urls  # noqa: F401 - builds the API's schemas before any clock is frozen
from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tandem.security import two_factor
from tandem.security.enrolment import WRONG_CODE, enrolment_code_issue
from tandem.security.models import EnrolmentCode
from tests import factories
from tests.factories import PASSWORD
from tests.web.support import error_summary, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return factories.UserFactory(username="sam.worker", role=Role.SOCIAL_WORKER)


@pytest.fixture
def browser(user):
    """Signed in with the password only, as at a first sign-in."""
    client = Client()
    response = client.post("/sign-in", {"username": "sam.worker", "password": PASSWORD})
    assert response.status_code == 302
    return client


def _set_up_code(browser, code):
    return browser.post("/sign-in/set-up", {"set_up_code": code})


def _confirm(browser, user):
    browser.get("/sign-in/set-up")
    device = TOTPDevice.objects.get(user=user)
    return browser.post("/sign-in/set-up", {"code": two_factor.current_code(device).code})


def test_the_password_alone_cannot_set_up_an_authenticator(browser, user):
    page = browser.get("/sign-in/set-up")
    assert "Enter your set-up code" in text_of(page)
    assert "otp-secret" not in page.content.decode()  # no secret shown
    assert not TOTPDevice.objects.filter(user=user).exists()
    # Posting a TOTP code straight away confirms nothing: the set-up code form answers.
    response = browser.post("/sign-in/set-up", {"code": "123456"})
    assert error_summary(response) == [("#set_up_code", "Enter the set-up code you were given")]
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert browser.get("/caseload")["Location"].startswith("/sign-in/set-up")


def test_the_service_refuses_a_device_without_the_set_up_code(browser, user):
    """Not only the page: the service itself will not make or confirm a device."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    request.session = browser.session
    with pytest.raises(PermissionDenied):
        two_factor.set_up_device(request=request)
    # A stray unconfirmed device (an old half-done set-up) cannot be confirmed either.
    device = TOTPDevice.objects.create(user=user, name="stray", confirmed=False)
    with pytest.raises(two_factor.CodeRefused):
        two_factor.code_check(request=request, code=two_factor.current_code(device).code)
    device.refresh_from_db()
    assert not device.confirmed


def test_a_right_set_up_code_then_the_app_code_sets_it_up_and_the_code_works_once(browser, user):
    _, code = enrolment_code_issue(actor=None, user=user)
    assert _set_up_code(browser, code.lower().replace("-", " "))["Location"] == "/sign-in/set-up"
    assert "otp-secret" in browser.get("/sign-in/set-up").content.decode()
    assert _confirm(browser, user).status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    assert EnrolmentCode.objects.get().used_at is not None
    # Used: a second person with the password and the same code gets nowhere.
    TOTPDevice.objects.filter(user=user).delete()  # say the phone was lost and removed
    other = Client()
    other.post("/sign-in", {"username": "sam.worker", "password": PASSWORD})
    response = _set_up_code(other, code)
    assert error_summary(response) == [("#set_up_code", WRONG_CODE)]


def test_the_code_is_stored_only_as_a_hash(user):
    _, code = enrolment_code_issue(actor=None, user=user)
    stored = EnrolmentCode.objects.get()
    assert code.replace("-", "") not in stored.code_hash
    assert len(stored.code_hash) == 64
    assert code not in str(AccessEvent.objects.filter(record_type="enrolment_code").get().detail)


def test_a_code_expires_after_the_configured_hours(browser, user, settings):
    settings.TANDEM_ENROLMENT_CODE_HOURS = 72
    with freeze_time(timezone.now() - timedelta(hours=72, minutes=1)):
        _, code = enrolment_code_issue(actor=None, user=user)
    assert error_summary(_set_up_code(browser, code)) == [("#set_up_code", WRONG_CODE)]
    settings.TANDEM_ENROLMENT_CODE_HOURS = 1
    _, code = enrolment_code_issue(actor=None, user=user)
    assert EnrolmentCode.objects.latest("issued_at").expires_at - timezone.now() <= timedelta(
        hours=1
    )
    assert _set_up_code(browser, code).status_code == 302


def test_a_new_code_replaces_the_unused_one(browser, user):
    _, first = enrolment_code_issue(actor=None, user=user)
    _, second = enrolment_code_issue(actor=None, user=user)
    assert error_summary(_set_up_code(browser, first)) == [("#set_up_code", WRONG_CODE)]
    assert _set_up_code(browser, second).status_code == 302


def test_wrong_set_up_codes_count_towards_the_lock_out(browser, user, settings):
    settings.TANDEM_LOCKOUT_FAILURES = 3
    enrolment_code_issue(actor=None, user=user)
    for _ in range(2):
        assert error_summary(_set_up_code(browser, "AAAAA-BBBBB"))
    response = _set_up_code(browser, "AAAAA-BBBBB")
    assert "wrong details too many times" in text_of(response)
    user.refresh_from_db()
    assert user.locked_until is not None
    assert "_auth_user_id" not in browser.session  # the half sign-in ended
    outcomes = list(
        AccessEvent.objects.filter(detail__step="set_up_code").values_list(
            "detail__outcome", flat=True
        )
    )
    assert outcomes == ["wrong_set_up_code", "wrong_set_up_code", "wrong_code_now_locked"]


def test_an_ig_lead_issues_codes_for_their_own_partner_only(client, user):
    ig = factories.UserFactory(
        role=Role.IG_LEAD, team=factories.TeamFactory(partner=user.team.partner)
    )
    client.force_login(ig)
    response = client.post("/governance/set-up-codes", {})
    assert error_summary(response) == [
        ("#username", "Enter the username of the person who needs a set-up code")
    ]
    outsider = factories.UserFactory(username="elsewhere")
    response = client.post("/governance/set-up-codes", {"username": "elsewhere"})
    assert error_summary(response) == [
        ("#username", "No active user of your partner has this username")
    ]
    with pytest.raises(PermissionDenied):
        enrolment_code_issue(actor=ig, user=outsider)
    response = client.post("/governance/set-up-codes", {"username": "sam.worker"})
    assert response.status_code == 200
    code = text_of(response).split("Set-up code for sam.worker ")[1][:11]
    assert EnrolmentCode.objects.get(user=user).issued_by == ig
    row = AccessEvent.objects.get(record_type="enrolment_code")
    assert (row.actor, row.detail["user"]) == (ig, "sam.worker")
    # The code works for sam.worker's first sign-in.
    first = Client()
    first.post("/sign-in", {"username": "sam.worker", "password": PASSWORD})
    assert _set_up_code(first, code).status_code == 302
    # The page lists it as used, never showing it again.
    listed = text_of(client.get("/governance/set-up-codes"))
    assert "Used" in listed
    assert code not in listed


def test_only_ig_leads_issue_codes(client, user):
    client.force_login(factories.UserFactory(role=Role.TEAM_MANAGER, team=user.team))
    assert client.get("/governance/set-up-codes").status_code == 403
    assert client.post("/governance/set-up-codes", {"username": "sam.worker"}).status_code == 403
    assert not EnrolmentCode.objects.exists()


def test_tandem_enrol_prints_a_code_that_works(browser, user):
    out = io.StringIO()
    call_command("enrol", "sam.worker", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 11
    assert code[5] == "-"
    assert EnrolmentCode.objects.get().issued_by_name.startswith("tandem enrol")
    assert _set_up_code(browser, code).status_code == 302


def test_tandem_enrol_names_an_unknown_user():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user has the username nobody"):
        call_command("enrol", "nobody")


def test_demo_sign_ins_need_no_set_up_code():
    """`tandem demo` users already have a demo authenticator: password, then `tandem otp`."""
    demo = factories.UserFactory(username="demo-sw", role=Role.SOCIAL_WORKER)
    two_factor.demo_device_create(user=demo)
    out = io.StringIO()
    call_command("otp", "demo-sw", stdout=out)
    browser = Client()
    browser.post("/sign-in", {"username": "demo-sw", "password": PASSWORD})
    assert browser.get("/caseload")["Location"].startswith("/sign-in/code")
    response = browser.post("/sign-in/code", {"code": out.getvalue().strip()})
    assert response.status_code == 302
    assert "otp_device_id" in browser.session
