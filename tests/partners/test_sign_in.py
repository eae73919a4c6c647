"""Signing in through the page: lock-out after repeated failures, audit rows, `next`, sign-out."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tandem.partners.sign_in import WRONG_DETAILS
from tests import factories
from tests.factories import PASSWORD
from tests.signing_in import sign_in_for_real
from tests.web.support import error_summary, text_of

pytestmark = pytest.mark.django_db

SIGN_IN = "/sign-in"
LOCKED_WORDS = "You have entered the wrong details too many times"


@pytest.fixture
def user():
    return factories.UserFactory(username="sam.worker", role=Role.SOCIAL_WORKER)


def attempt(client, username, password, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def sign_in_rows():
    return list(
        AccessEvent.objects.filter(action__in=["sign_in", "sign_in_failed"])
        .order_by("id")
        .values_list("action", "actor_username", "person_id", "purpose", "channel", "record_type")
    )


def test_sign_in_page_renders_for_anonymous_users(client):
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    assert "Sign in to the shared child record" in text_of(response)
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_right_password_signs_in_and_is_audited(client, user):
    response = attempt(client, "sam.worker", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:start")
    assert signed_in_as(client) == str(user.pk)
    assert sign_in_rows() == [("sign_in", "sam.worker", None, "account", "web", "user")]
    assert AccessEvent.objects.get().actor_id == user.pk


def test_wrong_password_is_refused_counted_and_audited(client, user):
    response = attempt(client, "sam.worker", "not-the-password")
    assert response.status_code == 200
    assert error_summary(response) == [("#username", WRONG_DETAILS)]
    assert text_of(response).startswith("Error: Sign in")
    assert signed_in_as(client) is None
    user.refresh_from_db()
    assert user.failed_sign_ins == 1
    assert sign_in_rows() == [("sign_in_failed", "sam.worker", None, "account", "web", "user")]


def test_success_resets_the_failure_count(client, user):
    for _ in range(3):
        attempt(client, "sam.worker", "wrong")
    attempt(client, "sam.worker", PASSWORD)
    user.refresh_from_db()
    assert user.failed_sign_ins == 0
    assert user.locked_until is None


def test_five_failures_lock_the_account_even_against_the_right_password(client, user, settings):
    assert settings.TANDEM_LOCKOUT_FAILURES == 5
    for _ in range(4):
        response = attempt(client, "sam.worker", "wrong")
        assert LOCKED_WORDS not in text_of(response)
    response = attempt(client, "sam.worker", "wrong")
    assert LOCKED_WORDS in text_of(response)
    assert "Try again in 15 minutes" in text_of(response)
    user.refresh_from_db()
    assert user.locked_until is not None

    response = attempt(client, "sam.worker", PASSWORD)
    assert LOCKED_WORDS in text_of(response)
    assert signed_in_as(client) is None
    assert [row[0] for row in sign_in_rows()] == ["sign_in_failed"] * 6


def test_the_lock_ends_after_fifteen_minutes(client, user):
    start = timezone.now()
    with freeze_time(start):
        for _ in range(5):
            attempt(client, "sam.worker", "wrong")
    with freeze_time(start + timedelta(minutes=14, seconds=59)):
        response = attempt(client, "sam.worker", PASSWORD)
        assert LOCKED_WORDS in text_of(response)
        assert "Try again in 1 minute." in text_of(response)
    with freeze_time(start + timedelta(minutes=15, seconds=1)):
        response = attempt(client, "sam.worker", PASSWORD)
        assert response.status_code == 302
        assert signed_in_as(client) == str(user.pk)
    user.refresh_from_db()
    assert user.locked_until is None
    assert user.failed_sign_ins == 0


def test_an_unknown_username_is_answered_exactly_like_a_known_one(client, user):
    """Same messages, same lock after five tries: nothing tells anyone which accounts exist."""
    known, unknown = [], []
    for _ in range(5):
        known.append(error_summary(attempt(client, "sam.worker", "wrong")))
        unknown.append(error_summary(attempt(client, "nobody.here", "wrong")))
    assert known == unknown
    assert LOCKED_WORDS in known[-1][0][1]
    rows = AccessEvent.objects.filter(actor_username="nobody.here")
    assert rows.count() == 5
    assert {(r.action, r.actor_id, r.person_id, r.purpose) for r in rows} == {
        ("sign_in_failed", None, None, "account")
    }


def test_the_count_for_an_unknown_username_is_shared_by_every_server_process(client):
    """Kept in the database cache: another process (its own cache object) sees the lock."""
    for _ in range(5):
        attempt(client, "nobody.here", "wrong")
    other_process = DatabaseCache("tandem_cache", {})
    assert any(other_process.get(key) for key in _cache_keys())
    cache.clear()  # as if the count were lost: the next try is a first try again
    assert LOCKED_WORDS not in error_summary(attempt(client, "nobody.here", "wrong"))[0][1]


def _cache_keys():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM tandem_cache")
        return [row[0].split(":", 2)[-1] for row in cursor.fetchall()]


def test_an_inactive_account_cannot_sign_in(client):
    factories.UserFactory(username="left.the.team", is_active=False)
    response = attempt(client, "left.the.team", PASSWORD)
    assert error_summary(response) == [("#username", WRONG_DETAILS)]
    assert signed_in_as(client) is None


def test_missing_fields_are_named(client):
    response = attempt(client, "", "")
    assert error_summary(response) == [
        ("#username", "Enter your username"),
        ("#password", "Enter your password"),
    ]
    assert not AccessEvent.objects.exists()


def test_next_takes_the_user_back_to_the_page_they_wanted(client, user):
    response = client.get("/caseload")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=/caseload"
    page = client.get(response["Location"])
    assert 'name="next" value="/caseload"' in page.content.decode()
    response = attempt(client, "sam.worker", PASSWORD, next="/caseload")
    assert response["Location"] == "/caseload"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
    ],
)
def test_next_never_leaves_the_site(client, user, target):
    response = client.get(SIGN_IN, {"next": target})
    assert target not in response.content.decode()
    response = attempt(client, "sam.worker", PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:start")


def test_sign_out_is_a_post(client, user):
    client.force_login(user)
    assert client.get("/sign-out").status_code == 405
    assert signed_in_as(client) == str(user.pk)
    response = client.post("/sign-out")
    assert response["Location"] == reverse("web:sign-in")
    assert signed_in_as(client) is None
    assert "You have signed out" in text_of(client.get(response["Location"]))


def test_sign_in_needs_the_csrf_token(user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(SIGN_IN, {"username": "sam.worker", "password": PASSWORD})
    assert response.status_code == 403
    assert strict.session.get("_auth_user_id") is None


@pytest.mark.parametrize(
    ("role", "staff", "lands_on"),
    [
        (Role.SOCIAL_WORKER, False, "/work-tray"),  # what needs them now
        (Role.IG_LEAD, False, "/governance"),  # requests and reviews falling due
        (Role.SYSTEM_ADMIN, True, "/admin/"),
        (Role.PARTNERSHIP_ANALYST, False, "/returns"),  # the performance team (issue 7)
        (Role.BOARD_MEMBER, False, "/reports/views"),  # the partnership's figures
    ],
)
def test_each_role_starts_where_its_work_is(client, role, staff, lands_on):
    team = None if role == Role.SYSTEM_ADMIN else factories.TeamFactory()
    someone = factories.UserFactory(username="someone", role=role, team=team, is_staff=staff)
    response = sign_in_for_real(client, someone)  # password, then the code
    response = client.post(f"/acceptable-use?next={response['Location']}", {"accept": "yes"})
    assert client.get(response["Location"])["Location"] == lands_on
