"""Signing in to the API: a personal token, or a browser session with Django's CSRF check."""

import pytest
from django.middleware.csrf import _get_new_csrf_string
from freezegun import freeze_time

from tandem.partners.models import ApiToken
from tandem.partners.tokens import Operator, api_token_create, api_tokens_revoke
from tests import factories
from tests.api.support import ApiClient

pytestmark = pytest.mark.django_db

CHILD = {"given_name": "Ann", "family_name": "Example"}


def _bearer(token: str) -> ApiClient:
    client = ApiClient(None, "anonymous")
    client.headers = {"Authorization": f"Bearer {token}"}
    return client


def test_token_signs_in_as_its_user_and_notes_the_use(social_worker, child):
    row, token = api_token_create(actor=Operator("t"), user=social_worker)
    response = _bearer(token).get(f"/api/children/{child.pk}")
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_busy_database_does_not_refuse_a_token_it_cannot_note(social_worker, child, monkeypatch):
    """On SQLite under a writing job the once-a-minute `last_used_at` write may find the
    database busy: the request goes on, and a later one records the use."""
    from django.db import OperationalError
    from django.db.models import QuerySet

    row, token = api_token_create(actor=Operator("t"), user=social_worker)
    real = QuerySet.update

    def busy(self, **fields):
        if "last_used_at" in fields:
            raise OperationalError("database is locked")
        return real(self, **fields)

    monkeypatch.setattr(QuerySet, "update", busy)
    assert _bearer(token).get(f"/api/children/{child.pk}").status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is None


def test_expired_token_is_401(social_worker, child):
    with freeze_time("2026-01-01"):
        _, token = api_token_create(actor=Operator("t"), user=social_worker, days=1)
    with freeze_time("2026-01-02 00:00:01"):
        response = _bearer(token).get(f"/api/children/{child.pk}")
    assert response.status_code == 401


def test_revoked_token_is_401(social_worker, child):
    _, token = api_token_create(actor=Operator("t"), user=social_worker)
    assert _bearer(token).get(f"/api/children/{child.pk}").status_code == 200
    api_tokens_revoke(actor=Operator("t"), user=social_worker)
    assert _bearer(token).get(f"/api/children/{child.pk}").status_code == 401


def test_inactive_user_is_401_with_a_token_and_with_a_session(social_worker, child):
    by_token = ApiClient(social_worker, "token")
    by_session = ApiClient(social_worker, "session")
    social_worker.is_active = False
    social_worker.save()
    assert by_token.get(f"/api/children/{child.pk}").status_code == 401
    assert by_session.get(f"/api/children/{child.pk}").status_code == 401


def test_the_hash_is_not_a_token(social_worker, child):
    api_token_create(actor=Operator("t"), user=social_worker)
    stored = ApiToken.objects.get().key_hash
    assert _bearer(stored).get(f"/api/children/{child.pk}").status_code == 401


def test_session_changes_need_the_csrf_token(social_worker):
    client = ApiClient(social_worker, "session", enforce_csrf_checks=True)
    refused = client.post("/api/children", CHILD)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    secret = _get_new_csrf_string()
    client.client.cookies["csrftoken"] = secret
    client.headers["X-CSRFToken"] = secret
    assert client.post("/api/children", CHILD).status_code == 201
    # Reads are safe methods: no token needed.
    del client.headers["X-CSRFToken"]
    assert client.get("/api/children").status_code == 200


def test_a_token_needs_no_csrf_token(social_worker):
    client = ApiClient(social_worker, "token", enforce_csrf_checks=True)
    assert client.post("/api/children", CHILD).status_code == 201


def test_signed_out_change_is_401_not_a_csrf_403():
    client = ApiClient(None, "anonymous")
    client.client = type(client.client)(enforce_csrf_checks=True)
    assert client.post("/api/children", CHILD).status_code == 401


def test_token_acts_with_its_user_s_role_only(child, team):
    analyst = factories.UserFactory(role="partnership_analyst", team=team)
    assert ApiClient(analyst).get(f"/api/children/{child.pk}").status_code == 403
