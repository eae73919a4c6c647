"""Referrals over the API: made for a child in the record or a new one, decided and fed back by
the front door, and seen by the referrer without the deciders' reasons."""

import pytest

from tandem.partners.models import Role
from tandem.people.models import Person
from tandem.referrals.models import Referral, ThresholdDecision
from tests import factories
from tests.api.support import ApiClient, audit_rows, summary
from tests.voices import VIEWS_API

pytestmark = pytest.mark.django_db


@pytest.fixture
def dsl():
    """A school's designated safeguarding lead: makes referrals, cannot decide them."""
    return factories.UserFactory(role=Role.SCHOOL_DSL)


def _referral_body(team, **overrides) -> dict:
    body = {
        "to_team_id": str(team.pk),
        "source": "2A",
        "reasons": ["missing", "cse"],
        "concerns": "Missing twice this month.",
        "family_aware": "no_risk",
        "new_child": {
            "given_name": "Jayden",
            "family_name": "Smith",
            "date_of_birth": "2011-07-03",
            "nhs_number": "9434765919",
        },
    }
    body.update(overrides)
    return body


def test_refer_a_new_child(as_user, dsl, front_door):
    team, _ = front_door
    api = as_user(dsl)
    with audit_rows() as rows:
        response = api.post("/api/referrals", _referral_body(team))
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(pk=response.json()["id"])
    assert response.json() == {
        "id": str(referral.pk),
        "child_id": str(referral.child_id),
        "status": "submitted",
    }
    assert sorted(r.reason for r in referral.reasons.all()) == ["cse", "missing"]
    assert summary(rows) == [
        ("create", "child", referral.child_id, "api"),
        ("create", "referral", referral.child_id, "api"),
    ]
    assert rows[1].purpose == "referral"


def test_refer_a_child_in_your_records(as_user, social_worker, child, front_door):
    team, _ = front_door
    body = _referral_body(team, child_id=str(child.pk))
    del body["new_child"]
    api = as_user(social_worker)
    with audit_rows() as rows:
        response = api.post("/api/referrals", body)
    assert response.status_code == 201, response.content
    assert response.json()["child_id"] == str(child.pk)
    assert summary(rows) == [("create", "referral", child.pk, "api")]


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"reasons": []}, ["body", "reasons"]),
        ({"reasons": ["cse", "cse"]}, ["body", "reasons"]),
        ({"reasons": ["not-a-risk"]}, ["body", "reasons", 0]),
        ({"source": "99"}, ["body", "source"]),
        ({"family_aware": "maybe"}, ["body", "family_aware"]),
        ({"concerns": " "}, ["body", "concerns"]),
        ({"to_team_id": "front-door"}, ["body", "to_team_id"]),
        ({"child_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}, ["body"]),  # and new_child
        ({"new_child": None}, ["body", "new_child"]),
        ({"new_child": {"given_name": "J"}}, ["body", "new_child", "family_name"]),
        (
            {"new_child": {"given_name": "J", "family_name": "S", "nhs_number": "9434765918"}},
            ["body", "new_child", "nhs_number"],
        ),
        (
            {"new_child": {"given_name": "J", "family_name": "S", "date_of_birth": "2099-01-01"}},
            ["body", "new_child", "date_of_birth"],
        ),
        ({"urgent": True}, ["body", "urgent"]),
    ],
)
def test_bad_referral_names_the_field_and_saves_nothing(with_token, dsl, front_door, change, loc):
    team, _ = front_door
    response = with_token(dsl).post("/api/referrals", _referral_body(team, **change))
    assert response.status_code == 422, response.content
    assert loc in [e["loc"] for e in response.json()["detail"]]
    assert not Referral.objects.exists()
    assert not Person.objects.exists()


def test_referral_to_a_team_that_takes_none_is_a_422(with_token, dsl):
    elsewhere = factories.TeamFactory(receives_referrals=False)
    response = with_token(dsl).post("/api/referrals", _referral_body(elsewhere))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "to_team_id"]
    assert not Person.objects.exists()


@pytest.fixture
def referral(front_door, dsl):
    team, _ = front_door
    return factories.ReferralFactory(to_team=team, made_by=dsl)


def test_front_door_queue_decision_and_feedback(as_user, front_door, referral):
    _, manager = front_door
    api = as_user(manager)
    with audit_rows() as rows:
        queue = api.get("/api/referrals/received")
    assert queue.status_code == 200
    assert [r["id"] for r in queue.json()["items"]] == [str(referral.pk)]
    assert queue.json()["items"][0]["status"] == "submitted"
    assert (queue.json()["total"], queue.json()["pages"]) == (1, 1)
    assert summary(rows) == [("list", "referral", referral.child_id, "api")]

    with audit_rows() as rows:
        decided = api.post(
            f"/api/referrals/{referral.pk}/decision",
            {**VIEWS_API, "decision": "early_help", "reasons": "Needs a family support worker."},
        )
    assert decided.status_code == 201, decided.content
    assert decided.json()["decision"] == "early_help"
    assert decided.json()["reasons"] == "Needs a family support worker."
    assert decided.json()["decided_by"] == str(manager)
    assert summary(rows) == [("update", "referral", referral.child_id, "api")]

    with audit_rows() as rows:
        fed_back = api.post(
            f"/api/referrals/{referral.pk}/feedback", {"message": "Early help offered."}
        )
    assert fed_back.status_code == 201, fed_back.content
    assert fed_back.json()["message"] == "Early help offered."
    assert summary(rows) == [("update", "referral", referral.child_id, "api")]
    referral.refresh_from_db()
    assert referral.status == "closed"
    assert api.get("/api/referrals/received").json()["items"] == []
    closed = api.get("/api/referrals/received", {"include_closed": "true"}).json()
    assert [r["decision"] for r in closed["items"]] == ["early_help"]


def test_deciding_twice_is_a_422_and_changes_nothing(with_token, front_door, referral):
    _, manager = front_door
    api = with_token(manager)
    first = {**VIEWS_API, "decision": "nfa", "reasons": "No concerns."}
    assert api.post(f"/api/referrals/{referral.pk}/decision", first).status_code == 201
    again = api.post(
        f"/api/referrals/{referral.pk}/decision",
        {**VIEWS_API, "decision": "child_protection", "reasons": "x"},
    )
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "decision"]
    assert ThresholdDecision.objects.get().decision == "nfa"


def test_feedback_before_a_decision_is_a_422(with_token, front_door, referral):
    _, manager = front_door
    response = with_token(manager).post(f"/api/referrals/{referral.pk}/feedback", {"message": "x"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "message"]


def test_referrer_sees_outcome_and_feedback_but_not_the_reasons(
    as_user, front_door, referral, dsl
):
    _, manager = front_door
    deciders = ApiClient(manager)
    deciders.post(
        f"/api/referrals/{referral.pk}/decision",
        {**VIEWS_API, "decision": "nfa", "reasons": "Internal: known to police, no role for us."},
    )
    deciders.post(f"/api/referrals/{referral.pk}/feedback", {"message": "No further action."})

    api = as_user(dsl)
    with audit_rows() as rows:
        response = api.get(f"/api/referrals/{referral.pk}")
    assert response.status_code == 200
    seen = response.json()
    assert seen["in_full"] is False
    assert seen["decision"]["decision"] == "nfa"
    assert seen["decision"]["reasons"] is None
    assert "Internal" not in response.content.decode()
    assert [f["message"] for f in seen["feedback"]] == ["No further action."]
    assert summary(rows) == [("view", "referral", referral.child_id, "api")]
    assert rows[0].basis == "your own referral"
    # The closed referral no longer opens the child's record to the referrer.
    assert api.get(f"/api/children/{referral.child_id}").status_code == 404

    with audit_rows() as rows:
        made = api.get("/api/referrals/made")
    assert [r["id"] for r in made.json()["items"]] == [str(referral.pk)]
    assert summary(rows) == [("list", "referral", referral.child_id, "api")]


def test_the_child_s_team_sees_the_reasons(with_token, front_door, referral):
    _, manager = front_door
    api = with_token(manager)
    api.post(
        f"/api/referrals/{referral.pk}/decision",
        {**VIEWS_API, "decision": "child_in_need", "reasons": "Assessment needed."},
    )
    seen = api.get(f"/api/referrals/{referral.pk}").json()
    assert seen["in_full"] is True
    assert seen["decision"]["reasons"] == "Assessment needed."
    assert seen["made_by"] == str(referral.made_by)
    assert seen["to_team"]["partner"] == referral.to_team.partner.name


def test_child_referrals(as_user, social_worker, child, front_door):
    team, _ = front_door
    referral = factories.ReferralFactory(child=child, to_team=team)
    api = as_user(social_worker)
    with audit_rows() as rows:
        response = api.get(f"/api/children/{child.pk}/referrals")
    assert response.status_code == 200
    [seen] = response.json()
    assert seen["id"] == str(referral.pk)
    assert seen["reasons"] == []
    assert summary(rows) == [("view", "referral", child.pk, "api")]


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
        ({"per_page": "ten"}, "per_page"),
        ({"page": 0}, "page"),
    ],
)
def test_list_limits(with_token, dsl, params, loc):
    response = with_token(dsl).get("/api/referrals/made", params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", loc]


@pytest.mark.parametrize(
    ("views", "loc"),
    [
        ({"parent": {"not_gathered": "declined"}}, ["body", "child"]),
        ({"child": {"view": "Fine"}, "parent": {"not_gathered": "declined"}}, ["body", "child"]),
        (
            {"child": {"not_gathered": "too_young"}, "parent": {"not_gathered": "too_young"}},
            ["body", "parent"],
        ),
    ],
)
def test_a_decision_without_the_views_is_a_422_and_saves_nothing(
    with_token, front_door, referral, views, loc
):
    from tandem.casework.models import DecisionRecord

    _, manager = front_door
    response = with_token(manager).post(
        f"/api/referrals/{referral.pk}/decision",
        {**views, "decision": "early_help", "reasons": "Needs support"},
    )
    assert response.status_code == 422
    assert {tuple(item["loc"][:2]) for item in response.json()["detail"]} == {tuple(loc)}
    assert not ThresholdDecision.objects.exists()
    assert not DecisionRecord.objects.exists()


def test_a_decision_records_the_views(with_token, front_door, referral):
    from tandem.casework.models import DecisionRecord

    _, manager = front_door
    response = with_token(manager).post(
        f"/api/referrals/{referral.pk}/decision",
        {**VIEWS_API, "decision": "early_help", "reasons": "Needs support"},
    )
    assert response.status_code == 201
    record = DecisionRecord.objects.get()
    assert (record.kind, record.child_view, record.child_view_how) == (
        "threshold",
        VIEWS_API["child"]["view"],
        "in_person",
    )
    assert record.parent_not_gathered == "declined"
