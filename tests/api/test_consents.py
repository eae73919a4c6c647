"""Consent to share through the API: record, list, withdraw; errors name the field; a child the
caller may not see (or another child's consent) is 404; every read and write is audited."""

import pytest

from tandem.access.models import Consent
from tandem.access.services import consent_record
from tests import factories
from tests.api.support import ApiClient, audit_rows, summary

pytestmark = pytest.mark.django_db

BODY = {"purpose": "early_help", "given_by": "Mother", "given_at": "2026-11-03T10:00:00Z"}


@pytest.fixture
def api(social_worker):
    return ApiClient(social_worker)


def test_record_list_and_withdraw(api, child):
    url = f"/api/children/{child.pk}/consents"
    with audit_rows() as rows:
        response = api.post(url, BODY)
    assert response.status_code == 201, response.content
    made = response.json()
    assert (made["purpose"], made["given_by"], made["withdrawn_at"]) == (
        "early_help",
        "Mother",
        None,
    )
    assert summary(rows) == [("create", "consent", child.pk, "api")]

    with audit_rows() as rows:
        listed = api.get(url).json()
    assert [c["id"] for c in listed] == [made["id"]]
    assert summary(rows) == [("list", "consent", child.pk, "api")]

    response = api.post(f"{url}/{made['id']}/withdraw", {"note": "Mother phoned"})
    assert response.status_code == 200
    assert response.json()["withdrawal_note"] == "Mother phoned"
    assert Consent.objects.get().withdrawn_at is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "purpose": "gossip"}, "purpose"),
        ({**BODY, "given_by": "  "}, "given_by"),
        ({**BODY, "given_at": "2999-01-01T00:00:00Z"}, "given_at"),
        ({k: v for k, v in BODY.items() if k != "given_at"}, "given_at"),
    ],
)
def test_a_wrong_field_is_named_and_nothing_is_saved(api, child, body, field):
    response = api.post(f"/api/children/{child.pk}/consents", body)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]
    assert not Consent.objects.exists()


def test_a_stranger_gets_404_and_sees_nothing(child, stranger, social_worker):
    consent = consent_record(
        actor=social_worker, child_id=child.pk, purpose="early_help", given_by="Mother"
    )
    hacker = ApiClient(stranger)
    assert hacker.get(f"/api/children/{child.pk}/consents").status_code == 404
    assert hacker.post(f"/api/children/{child.pk}/consents", BODY).status_code == 404
    response = hacker.post(
        f"/api/children/{child.pk}/consents/{consent.pk}/withdraw", {"note": "x"}
    )
    assert response.status_code == 404
    assert "Mother" not in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert Consent.objects.count() == 1


def test_another_child_s_consent_is_404(api, child, team, social_worker):
    other = factories.ChildFactory()
    factories.InvolvementFactory(child=other, team=team)
    theirs = consent_record(
        actor=social_worker, child_id=other.pk, purpose="early_help", given_by="Father"
    )
    response = api.post(
        f"/api/children/{child.pk}/consents/{theirs.pk}/withdraw", {"note": "swapped"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None
