"""The acceptable-use notice: accepted once per version, recorded with who and when, asked again
when the version changes."""

import pytest
from django.test import Client

from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tandem.security.models import AcceptableUseAcceptance
from tests import factories
from tests.signing_in import sign_in_for_real
from tests.web.support import error_summary, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return factories.UserFactory(username="sam.worker", role=Role.SOCIAL_WORKER)


def test_first_sign_in_asks_for_the_notice_and_records_the_acceptance(user, settings):
    settings.TANDEM_ACCEPTABLE_USE_VERSION = "2026-11"
    browser = Client()
    response = sign_in_for_real(browser, user)
    assert browser.get("/caseload")["Location"] == "/acceptable-use?next=%2Fcaseload"
    page = browser.get("/acceptable-use?next=/caseload")
    assert "Acceptable use, version 2026-11" in text_of(page)
    response = browser.post("/acceptable-use", {"accept": "yes", "next": "/caseload"})
    assert response["Location"] == "/caseload"
    assert browser.get("/caseload").status_code == 200
    acceptance = AcceptableUseAcceptance.objects.get()
    assert (acceptance.user, acceptance.version) == (user, "2026-11")
    event = AccessEvent.objects.get(record_type="acceptable_use")
    assert (event.actor_id, event.action, event.detail) == (
        user.pk,
        "create",
        {"version": "2026-11"},
    )


def test_the_notice_must_be_ticked(user):
    browser = Client()
    sign_in_for_real(browser, user)
    response = browser.post("/acceptable-use", {})
    assert response.status_code == 200
    assert error_summary(response) == [
        ("#accept", "Confirm that you have read the conditions and will follow them")
    ]
    assert not AcceptableUseAcceptance.objects.exists()
    assert browser.get("/caseload")["Location"].startswith("/acceptable-use")


def test_accepted_once_it_is_not_asked_again(user):
    first = Client()
    sign_in_for_real(first, user)
    first.post("/acceptable-use", {"accept": "yes"})
    later = Client()
    sign_in_for_real(later, user)
    assert later.get("/caseload").status_code == 200
    assert AcceptableUseAcceptance.objects.count() == 1


def test_a_new_version_asks_again_even_in_a_session_already_open(user, settings):
    settings.TANDEM_ACCEPTABLE_USE_VERSION = "2026-11"
    browser = Client()
    sign_in_for_real(browser, user)
    browser.post("/acceptable-use", {"accept": "yes"})
    assert browser.get("/caseload").status_code == 200

    settings.TANDEM_ACCEPTABLE_USE_VERSION = "2027-01"
    assert browser.get("/caseload")["Location"] == "/acceptable-use?next=%2Fcaseload"
    assert "Acceptable use, version 2027-01" in text_of(browser.get("/acceptable-use"))
    browser.post("/acceptable-use", {"accept": "yes"})
    assert browser.get("/caseload").status_code == 200
    assert sorted(AcceptableUseAcceptance.objects.values_list("version", flat=True)) == [
        "2026-11",
        "2027-01",
    ]


def test_the_notice_needs_the_code_first(user):
    browser = Client()
    browser.post("/sign-in", {"username": user.username, "password": factories.PASSWORD})
    assert browser.get("/acceptable-use")["Location"].startswith("/sign-in/set-up")
    assert browser.post("/acceptable-use", {"accept": "yes"}).status_code == 302
    assert not AcceptableUseAcceptance.objects.exists()
