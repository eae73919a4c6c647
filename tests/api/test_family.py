"""Relationships, households, the chronology and the "known to other partners?" lookup over the
API, each signed in with a token and with a session, and the audit rows each writes."""

import datetime as dt

import pytest
from django.utils import timezone

from tandem.access.models import InvolvementKind
from tandem.audit.models import AccessEvent
from tandem.people.models import Event, Household, HouseholdMember, Person, Relationship
from tests import factories
from tests.api.support import audit_rows, summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def mother(child):
    """An adult recorded as the child's mother (stored with the lower id first, either way)."""
    adult = factories.AdultFactory(given_name="Maria")
    a, b, kind = (
        (adult, child, "parent") if str(adult.pk) < str(child.pk) else (child, adult, "child")
    )
    Relationship.objects.create(person_a=a, person_b=b, kind=kind)
    return adult


# --- Relationships ----------------------------------------------------------------------------
def test_relationships_are_seen_from_the_child(as_user, social_worker, child, mother):
    api = as_user(social_worker)
    with audit_rows() as rows:
        response = api.get(f"/api/children/{child.pk}/relationships")
    assert response.status_code == 200
    [related] = response.json()
    assert related["kind"] == "parent"
    assert related["person"]["id"] == str(mother.pk)
    assert related["person"]["is_child"] is False
    assert summary(rows) == [("view", "relationship", mother.pk, "api")]


def test_relationship_with_a_new_adult(as_user, social_worker, child):
    api = as_user(social_worker)
    body = {"kind": "carer", "new_adult": {"given_name": "Gran", "family_name": "Example"}}
    with audit_rows() as rows:
        response = api.post(f"/api/children/{child.pk}/relationships", body)
    assert response.status_code == 201, response.content
    created = response.json()
    adult = Person.objects.get(pk=created["person_id"])
    assert (adult.is_child, adult.given_name) == (False, "Gran")
    assert created["kind"] == "carer"
    assert summary(rows) == [
        ("create", "adult", adult.pk, "api"),
        ("create", "relationship", child.pk, "api"),
    ]
    # And it reads back the same way round.
    [related] = api.get(f"/api/children/{child.pk}/relationships").json()
    assert (related["id"], related["kind"]) == (created["id"], "carer")


def test_relationship_with_a_visible_sibling(as_user, social_worker, child, team):
    sibling = factories.ChildFactory()
    factories.InvolvementFactory(child=sibling, team=team)
    body = {"kind": "sibling", "other_person_id": str(sibling.pk)}
    response = as_user(social_worker).post(f"/api/children/{child.pk}/relationships", body)
    assert response.status_code == 201, response.content
    assert response.json()["person_id"] == str(sibling.pk)


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"kind": "parent"}, ["body"]),
        (
            {"kind": "parent", "other_person_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
             "new_adult": {"given_name": "A", "family_name": "B"}},
            ["body"],
        ),
        ({"kind": "aunt", "new_adult": {"given_name": "A", "family_name": "B"}}, ["body", "kind"]),
        ({"kind": "parent", "other_person_id": "not-an-id"}, ["body", "other_person_id"]),
        (
            {"kind": "parent", "new_adult": {"given_name": "A"}},
            ["body", "new_adult", "family_name"],
        ),
        (
            {"kind": "parent", "new_adult": {"given_name": "A", "family_name": "B",
                                              "nhs_number": "9434765918"}},
            ["body", "new_adult", "nhs_number"],
        ),
        (
            {"kind": "parent", "new_adult": {"given_name": "A", "family_name": "B",
                                              "expected_due_date": "2027-01-01"}},
            ["body", "new_adult", "expected_due_date"],
        ),
    ],
)  # fmt: skip
def test_bad_relationship_is_refused_and_nothing_saved(
    with_token, social_worker, child, body, loc
):
    response = with_token(social_worker).post(f"/api/children/{child.pk}/relationships", body)
    assert response.status_code == 422, response.content
    assert loc in [e["loc"] for e in response.json()["detail"]]
    assert not Relationship.objects.exists()
    assert Person.objects.count() == 1


def test_delete_relationship(as_user, social_worker, child, mother):
    relationship = Relationship.objects.get()
    api = as_user(social_worker)
    with audit_rows() as rows:
        response = api.delete(f"/api/children/{child.pk}/relationships/{relationship.pk}")
    assert response.status_code == 204
    assert response.content == b""
    assert not Relationship.objects.exists()
    assert summary(rows) == [("delete", "relationship", child.pk, "api")]


# --- Households ------------------------------------------------------------------------------
@pytest.fixture
def household(child, mother):
    home = factories.HouseholdFactory(name="The Example household")
    HouseholdMember.objects.create(household=home, person=child, joined_on=dt.date(2012, 5, 17))
    HouseholdMember.objects.create(household=home, person=mother)
    return home


def test_child_households_list_members(as_user, social_worker, child, mother, household):
    api = as_user(social_worker)
    with audit_rows() as rows:
        response = api.get(f"/api/children/{child.pk}/households")
    assert response.status_code == 200
    [home] = response.json()
    assert home["id"] == str(household.pk)
    assert [m["person"]["id"] for m in home["members"]] == [str(child.pk), str(mother.pk)]
    assert home["members"][0]["joined_on"] == "2012-05-17"
    assert sorted(summary(rows), key=str) == sorted(
        [("view", "household", p, "api") for p in (child.pk, mother.pk)], key=str
    )


def test_household_get(as_user, social_worker, child, mother, household):
    api = as_user(social_worker)
    with audit_rows() as rows:
        response = api.get(f"/api/households/{household.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "The Example household"
    assert {r.person_id for r in rows} == {child.pk, mother.pk}
    assert {(r.action, r.channel, r.record_id) for r in rows} == {
        ("view", "api", str(household.pk))
    }


def test_household_create(as_user, social_worker, child):
    api = as_user(social_worker)
    body = {"name": "Dad's flat", "postcode": "b33 8th", "joined_on": "2024-02-01"}
    with audit_rows() as rows:
        response = api.post(f"/api/children/{child.pk}/households", body)
    assert response.status_code == 201, response.content
    home = Household.objects.get(pk=response.json()["id"])
    assert (home.name, home.postcode) == ("Dad's flat", "B33 8TH")
    assert home.members.get().person_id == child.pk
    assert summary(rows) == [("create", "household", child.pk, "api")]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, ["body", "name"]),
        ({"name": "H", "postcode": "B33"}, ["body", "postcode"]),
        ({"name": "H", "joined_on": "yesterday"}, ["body", "joined_on"]),
        ({"name": "H", "members": []}, ["body", "members"]),
    ],
)
def test_bad_household_is_refused(with_token, social_worker, child, body, loc):
    response = with_token(social_worker).post(f"/api/children/{child.pk}/households", body)
    assert response.status_code == 422
    assert loc in [e["loc"] for e in response.json()["detail"]]
    assert not Household.objects.exists()


def test_household_member_add(as_user, social_worker, child, household, team):
    sibling = factories.ChildFactory()
    factories.InvolvementFactory(child=sibling, team=team)
    api = as_user(social_worker)
    with audit_rows() as rows:
        response = api.post(
            f"/api/households/{household.pk}/members",
            {"person_id": str(sibling.pk), "joined_on": "2020-01-01"},
        )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "household_id": str(household.pk),
        "person_id": str(sibling.pk),
        "joined_on": "2020-01-01",
    }
    assert summary(rows) == [("update", "household", sibling.pk, "api")]


def test_adding_someone_twice_is_a_422(with_token, social_worker, child, household):
    response = with_token(social_worker).post(
        f"/api/households/{household.pk}/members", {"person_id": str(child.pk)}
    )
    assert response.status_code == 422
    assert "already in this household" in response.json()["detail"][0]["msg"]


# --- Chronology ------------------------------------------------------------------------------
def test_chronology_newest_first(as_user, social_worker, child):
    Event.objects.create(
        person=child,
        partner=social_worker.team.partner,
        kind="missing_episode",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        summary="Missing overnight; found at a friend's.",
    )
    api = as_user(social_worker)
    with audit_rows() as rows:
        response = api.get(f"/api/children/{child.pk}/chronology")
    assert response.status_code == 200
    entries = response.json()
    assert entries[0]["kind"] == "Missing episode"
    assert entries[0]["summary"] == "Missing overnight; found at a friend's."
    assert entries[-1]["kind"] == "Team took on the case"
    assert summary(rows) == [("view", "chronology", child.pk, "api")]


def test_event_create(as_user, social_worker, child):
    api = as_user(social_worker)
    body = {"kind": "home_visit", "occurred_at": "2025-03-01T14:30:00+01:00", "summary": "Seen."}
    with audit_rows() as rows:
        response = api.post(f"/api/children/{child.pk}/events", body)
    assert response.status_code == 201, response.content
    event = Event.objects.get()
    assert event.occurred_at == dt.datetime(2025, 3, 1, 13, 30, tzinfo=dt.UTC)
    assert event.partner == social_worker.team.partner
    assert response.json()["partner"] == social_worker.team.partner.name
    assert summary(rows) == [("create", "event", child.pk, "api")]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"occurred_at": "2025-03-01T14:30:00"}, "occurred_at"),  # no offset: ambiguous
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"occurred_at": "1066-10-14T09:00:00Z"}, "occurred_at"),
        ({"occurred_at": 1740839400}, "occurred_at"),
        ({"kind": "rumour"}, "kind"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 2001}, "summary"),
    ],
)
def test_bad_event_is_refused(with_token, social_worker, child, change, field):
    body = {"kind": "home_visit", "occurred_at": "2025-03-01T14:30:00Z", "summary": "Seen."}
    response = with_token(social_worker).post(
        f"/api/children/{child.pk}/events", {**body, **change}
    )
    assert response.status_code == 422
    assert ["body", field] in [e["loc"] for e in response.json()["detail"]]
    assert not Event.objects.exists()


# --- Known to other partners? ----------------------------------------------------------------
def test_known_answers_partners_only_never_the_record(as_user, child, team):
    child.nhs_number = "9434765919"
    child.save()
    asker = factories.UserFactory(role="school_dsl")
    api = as_user(asker)
    with audit_rows() as rows:
        response = api.post("/api/known", {"nhs_number": "943-476-5919"})
    assert response.status_code == 200
    assert response.json() == {
        "known": True,
        "match": "exact",
        "partners": [
            {
                "partner": team.partner.name,
                "contact_name": team.partner.contact_name,
                "contact_email": team.partner.contact_email,
                "contact_phone": team.partner.contact_phone,
            }
        ],
    }
    assert summary(rows) == [("lookup", "child", child.pk, "api")]
    assert rows[0].purpose == "safeguarding_check"


def test_known_by_name_and_date_of_birth(with_token, child, team):
    response = with_token(factories.UserFactory(role="health_practitioner")).post(
        "/api/known",
        {
            "given_name": child.given_name.upper(),
            "family_name": child.family_name,
            "date_of_birth": "2012-05-17",
        },
    )
    assert response.json()["known"] is True


def test_not_known(with_token, child):
    with audit_rows() as rows:
        response = with_token(factories.UserFactory()).post("/api/known", {"upn": "H801200001001"})
    assert response.json() == {"known": False, "match": "none", "partners": []}
    assert [(r.action, r.person_id) for r in rows if r.record_type == "child"] == [
        ("lookup", None)
    ]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({}, ["body"]),
        ({"given_name": "Ann", "family_name": "Example"}, ["body"]),
        ({"nhs_number": "9434765918"}, ["body", "nhs_number"]),
        ({"nhs_number": "943476591"}, ["body", "nhs_number"]),
        ({"upn": "x"}, ["body", "upn"]),
        ({"nhs_number": "9434765919", "child_id": "x"}, ["body", "child_id"]),
    ],
)
def test_known_needs_enough_to_match(with_token, body, loc):
    response = with_token(factories.UserFactory()).post("/api/known", body)
    assert response.status_code == 422
    assert loc in [e["loc"] for e in response.json()["detail"]]
    assert not AccessEvent.objects.filter(action="lookup").exists()


def test_known_ignores_ended_involvements(with_token, child, team):
    child.nhs_number = "9434765919"
    child.save()
    child.involvements.update(ended_on=dt.date(2024, 6, 1), kind=InvolvementKind.OWNING_TEAM)
    response = with_token(factories.UserFactory()).post("/api/known", {"nhs_number": "9434765919"})
    assert response.json() == {"known": False, "match": "none", "partners": []}
