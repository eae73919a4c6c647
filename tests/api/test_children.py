"""The child record over the API: list and search, record, read, change; bad input refused with
the field named and nothing saved. Every test runs signed in with a token and with a session."""

import datetime as dt

import pytest

from tandem.audit.models import AccessEvent
from tandem.people.models import Person
from tests import factories
from tests.api.support import audit_rows, summary

pytestmark = pytest.mark.django_db

NEW_CHILD = {
    "given_name": "Jayden",
    "family_name": "Smith",
    "date_of_birth": "2011-07-03",
    "sex": "M",
    "ethnicity": "WBRI",
    "postcode": "sw1a1aa",
    "nhs_number": "943 476 5919",
    "upn": "H801200001001",
}


def test_list_returns_only_visible_children_with_total_and_audits_each(
    as_user, social_worker, child
):
    factories.ChildFactory()  # someone else's
    api = as_user(social_worker)
    with audit_rows() as rows:
        response = api.get("/api/children")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert [c["id"] for c in body["items"]] == [str(child.pk)]
    # A list shows what is needed to pick the child, not the whole record.
    assert set(body["items"][0]) == {
        "id", "given_name", "family_name", "known_as", "date_of_birth", "expected_due_date",
        "sex", "postcode",
    }  # fmt: skip
    assert summary(rows) == [("list", "child", child.pk, "api")]


def test_list_filters_and_pages(as_user, social_worker, team):
    names = ["Amy", "Ben", "Cara", "Dan"]
    kids = [factories.ChildFactory(given_name=n, family_name="Zed") for n in names]
    for kid in kids:
        factories.InvolvementFactory(child=kid, team=team)
    api = as_user(social_worker)
    page = api.get("/api/children", {"limit": 2, "offset": 1}).json()
    assert page["total"] == 4
    assert [c["given_name"] for c in page["items"]] == ["Ben", "Cara"]
    assert (page["offset"], page["limit"]) == (1, 2)

    with audit_rows() as rows:
        found = api.get("/api/children", {"name": "car zed"}).json()
    assert [c["given_name"] for c in found["items"]] == ["Cara"]
    assert summary(rows) == [("search", "child", kids[2].pk, "api")]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"date_of_birth": "17/05/2012"}, "date_of_birth"),
        ({"date_of_birth": "2012-02-30"}, "date_of_birth"),
    ],
)
def test_list_bad_query_names_the_parameter(with_token, social_worker, params, field):
    response = with_token(social_worker).get("/api/children", params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_create_records_the_child_and_lets_the_team_see_it(as_user, social_worker):
    api = as_user(social_worker)
    with audit_rows() as rows:
        response = api.post("/api/children", NEW_CHILD)
    assert response.status_code == 201, response.content
    body = response.json()
    child = Person.objects.get(pk=body["id"])
    assert (child.nhs_number, child.postcode, child.upn) == (
        "9434765919",
        "SW1A 1AA",
        "H801200001001",
    )
    assert body["nhs_number"] == "9434765919"
    assert body["date_of_birth"] == "2011-07-03"
    assert summary(rows) == [("create", "child", child.pk, "api")]
    assert api.get(f"/api/children/{child.pk}").status_code == 200


def test_get_returns_the_record_and_audits_the_view(as_user, social_worker, child):
    api = as_user(social_worker)
    with audit_rows() as rows:
        response = api.get(f"/api/children/{child.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(child.pk)
    assert body["given_name"] == child.given_name
    # No internal fields.
    assert not {"is_child", "created_at", "updated_at"} & set(body)
    assert summary(rows) == [("view", "child", child.pk, "api")]
    assert rows[0].purpose == "direct_work"
    assert rows[0].actor_id == social_worker.pk


def test_patch_changes_only_the_fields_sent(as_user, social_worker, child):
    child.nhs_number = "9434765919"
    child.save()
    api = as_user(social_worker)
    with audit_rows() as rows:
        response = api.patch(
            f"/api/children/{child.pk}", {"known_as": "Jo", "nhs_number": None, "sex": "U"}
        )
    assert response.status_code == 200, response.content
    child.refresh_from_db()
    assert (child.known_as, child.nhs_number, child.sex) == ("Jo", None, "U")
    assert child.date_of_birth == dt.date(2012, 5, 17)
    assert summary(rows) == [("update", "child", child.pk, "api")]
    assert sorted(rows[0].detail["fields"]) == ["known_as", "nhs_number", "sex"]


BAD_CHILDREN = [
    ({"nhs_number": "943 476 5918"}, ["nhs_number"], "invalid_nhs_number"),
    ({"nhs_number": "94347659"}, ["nhs_number"], "string_pattern_mismatch"),
    ({"upn": "H801200001002"}, ["upn"], "invalid_upn"),
    ({"upn": "I801200001001"}, ["upn"], "string_pattern_mismatch"),
    ({"date_of_birth": "03/07/2011"}, ["date_of_birth"], "date"),
    ({"date_of_birth": "2011-02-29"}, ["date_of_birth"], "date"),
    ({"date_of_birth": 20110703}, ["date_of_birth"], "date"),
    ({"date_of_birth": "2099-01-01"}, ["date_of_birth"], "invalid"),
    (
        {"date_of_birth": "2011-07-03", "expected_due_date": "2026-12-01"},
        ["expected_due_date"],
        "invalid",
    ),
    ({"sex": "X"}, ["sex"], "enum"),
    ({"ethnicity": "wbri"}, ["ethnicity"], "enum"),
    ({"given_name": None}, ["given_name"], "string_type"),
    ({"given_name": 5}, ["given_name"], "string_type"),
    ({"given_name": "   "}, ["given_name"], "string_pattern_mismatch"),
    ({"given_name": "x" * 101}, ["given_name"], "string_too_long"),
    ({"family_name": "Smith\x00"}, ["family_name"], "string_pattern_mismatch"),
    ({"postcode": "NOT A POSTCODE"}, ["postcode"], "string_too_long"),
    ({"postcode": "SW1A"}, ["postcode"], "string_pattern_mismatch"),
    ({"favourite_colour": "blue"}, ["favourite_colour"], "extra_forbidden"),
]


@pytest.mark.parametrize(("change", "loc", "kind"), BAD_CHILDREN)
def test_bad_child_is_refused_naming_the_field_and_nothing_is_saved(
    with_token, social_worker, change, loc, kind
):
    api = with_token(social_worker)
    people, events = Person.objects.count(), AccessEvent.objects.count()
    response = api.post("/api/children", {**NEW_CHILD, **change})
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert {"loc": ["body", *loc], "type": kind} in [
        {"loc": e["loc"], "type": e["type"]} for e in errors
    ], errors
    assert all(e["msg"] for e in errors)
    assert Person.objects.count() == people
    assert AccessEvent.objects.count() == events


def test_missing_required_field_is_named(with_token, social_worker):
    body = {k: v for k, v in NEW_CHILD.items() if k != "family_name"}
    response = with_token(social_worker).post("/api/children", body)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"type": "missing", "loc": ["body", "family_name"], "msg": "Field required"}
    ]


def test_duplicate_nhs_number_is_named_and_not_saved(with_token, social_worker, child):
    child.nhs_number = "9434765919"
    child.save()
    api = with_token(social_worker)
    response = api.post("/api/children", NEW_CHILD)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "nhs_number"]
    assert response.json()["detail"][0]["type"] == "duplicate_nhs_number"
    assert Person.objects.count() == 1


@pytest.mark.parametrize(("change", "loc", "kind"), BAD_CHILDREN)
def test_bad_change_is_refused_and_the_record_is_untouched(
    with_token, social_worker, child, change, loc, kind
):
    before = Person.objects.filter(pk=child.pk).values().get()
    response = with_token(social_worker).patch(f"/api/children/{child.pk}", change)
    assert response.status_code == 422, response.content
    assert ["body", *loc] in [e["loc"] for e in response.json()["detail"]]
    assert Person.objects.filter(pk=child.pk).values().get() == before


def test_malformed_json_is_a_400(with_token, social_worker):
    response = with_token(social_worker).post("/api/children", raw='{"given_name": "Ann",')
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}
    assert not Person.objects.exists()


@pytest.mark.parametrize("body", [[], "Ann", 5, None])
def test_a_body_that_is_not_an_object_is_refused(with_token, social_worker, body):
    response = with_token(social_worker).send(
        "post", "/api/children", raw="null" if body is None else None, body=body
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"
