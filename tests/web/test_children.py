"""Caseload, Find a child, and the pages of a child's record, with the audit rows each writes."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tandem.access.models import InvolvementKind
from tandem.audit.models import AccessEvent
from tandem.people.identifiers import upn_check_letter
from tandem.people.models import Event, HouseholdMember, Person, Relationship
from tandem.referrals.models import Feedback, ReferralReason, ThresholdDecision
from tests import factories
from tests.web.support import audit_rows, child_of_team, error_summary, text_of

pytestmark = pytest.mark.django_db

WORK = "direct_work"


def url(name, child, **kwargs):
    return reverse(f"web:{name}", kwargs={"child_id": child.pk, **kwargs})


# -- Caseload ---------------------------------------------------------------------------------


def test_caseload_lists_my_children_and_audits_each(worker_client, team, child, stranger):
    other = factories.ChildFactory(given_name="Notmine")
    factories.InvolvementFactory(child=other, team=stranger.team)
    child.nhs_number = "9434765919"
    child.known_as = "Lou"
    child.save()
    response = worker_client.get("/caseload")
    assert response.status_code == 200
    text = text_of(response)
    assert child.full_name in text
    assert "Lou" in text
    assert "17 May 2012" in text
    assert "ending 5919" in text
    assert "9434765919" not in text  # a list shows only the last four digits
    assert "Notmine" not in text
    assert url("child", child) in response.content.decode()
    assert audit_rows() == [("list", child.pk, WORK, "web", "child")]


def test_caseload_pages_25_at_a_time(worker_client, team, django_assert_max_num_queries):
    children = [child_of_team(team, family_name=f"Family{n:02d}") for n in range(30)]
    # +1: the session's second factor (issue 4); +1: the alerts (looked after, protection
    # plan, missing); +1: the account bar's unread notifications; the user's team and partner
    # now come with the user.
    with django_assert_max_num_queries(14):
        first = worker_client.get("/caseload")
    assert "Showing 1 to 25 of 30 children" in text_of(first)
    assert 'class="govuk-pagination' in first.content.decode()
    second = worker_client.get("/caseload", {"page": 2})
    names = [c.full_name for c in children]
    assert all(name in text_of(second) for name in names[25:])
    assert not any(name in text_of(second) for name in names[:25])
    listed = AccessEvent.objects.filter(action="list").values_list("person_id", flat=True)
    assert sorted(listed, key=str) == sorted((c.pk for c in children), key=str)


def test_caseload_beyond_the_last_page_says_so(worker_client, child):
    response = worker_client.get("/caseload", {"page": 9})
    assert response.status_code == 200
    assert "There is nothing on this page" in text_of(response)
    assert audit_rows() == []


# -- Find a child -----------------------------------------------------------------------------


def test_find_shows_only_children_i_work_with(worker_client, team, stranger):
    mine = child_of_team(team, given_name="Ava", family_name="Jones")
    theirs = factories.ChildFactory(given_name="Ava", family_name="Jonesy")
    factories.InvolvementFactory(child=theirs, team=stranger.team)
    response = worker_client.post("/children/find", {"name": "ava jon"})
    text = text_of(response)
    assert "1 child found" in text
    assert "Ava Jones" in text
    assert "Jonesy" not in text
    assert "Only children you are working with are shown" in text
    assert "Known to partners?" in text
    assert audit_rows() == [("search", mine.pk, WORK, "web", "child")]


def test_find_by_date_of_birth_and_nhs_number(worker_client, team):
    target = child_of_team(team, date_of_birth=dt.date(2013, 2, 28), nhs_number="9434765919")
    child_of_team(team, date_of_birth=dt.date(2013, 3, 1))
    by_date = worker_client.post(
        "/children/find",
        {"date_of_birth-day": "28", "date_of_birth-month": "Feb", "date_of_birth-year": "2013"},
    )
    assert "1 child found" in text_of(by_date)
    assert target.full_name in text_of(by_date)
    by_nhs = worker_client.post("/children/find", {"nhs_number": "943 476 5919"})
    assert "1 child found" in text_of(by_nhs)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"date_of_birth-day": "31", "date_of_birth-month": "2", "date_of_birth-year": "2012"},
            [("#date_of_birth-day", "Date of birth must be a real date")],
        ),
        (
            {"date_of_birth-day": "3", "date_of_birth-year": "2012"},
            [("#date_of_birth-month", "Date of birth must include a month")],
        ),
        (
            {"date_of_birth-day": "3", "date_of_birth-month": "4", "date_of_birth-year": "12"},
            [("#date_of_birth-year", "Year must include 4 numbers")],
        ),
        (
            {"nhs_number": "9434765918"},
            [("#nhs_number", "Enter a valid NHS number: 10 digits, like 943 476 5919")],
        ),
        (
            {"upn": "A12345678901"},
            [
                (
                    "#upn",
                    "Enter a valid unique pupil number: a letter then 12 "
                    "more characters, like A123456789012",
                )
            ],
        ),
        ({}, [("#name", "Enter at least one detail about the child")]),
    ],
)
def test_find_with_bad_details_names_the_field(worker_client, child, data, expected):
    response = worker_client.post("/children/find", data)
    assert response.status_code == 200
    assert error_summary(response) == expected
    assert "<title>Error: Find a child" in response.content.decode()
    # A field's own error is shown on the field too; "enter something" belongs to no one field.
    field_errors = response.content.decode().count('class="govuk-error-message"')
    assert field_errors == (0 if expected[0][0] == "#name" else 1)
    assert audit_rows() == []


def test_a_bad_date_part_is_marked_and_kept(worker_client, child):
    response = worker_client.post(
        "/children/find", {"date_of_birth-day": "3", "date_of_birth-year": "2012"}
    )
    html = response.content.decode()
    assert 'id="date_of_birth-month" name="date_of_birth-month" type="text" value=""' in html
    assert 'govuk-input--width-2 govuk-input--error" id="date_of_birth-month"' in html
    assert 'govuk-input--width-2" id="date_of_birth-day"' in html  # the day is not wrong
    assert 'value="2012"' in html


# -- The record's pages -----------------------------------------------------------------------


def test_summary_shows_the_record_and_audits_the_view(worker_client, child):
    child.nhs_number = "9434765919"
    child.upn = upn_check_letter("123456789012") + "123456789012"
    child.address = "1 Example Street"
    child.save()
    response = worker_client.get(url("child", child))
    text = text_of(response)
    assert child.full_name in text
    assert "943 476 5919" in text
    assert "White British" in text
    assert "1 Example Street" in text
    assert child.upn in text
    assert "Make a referral" in text
    assert "Change details" in text
    assert f"{reverse('web:referral-new')}?child={child.pk}" in response.content.decode()
    assert 'aria-current="page">Summary' in response.content.decode()
    # The record, and who works with the child (the team owning the case, with its contact).
    assert audit_rows() == [
        ("view", child.pk, WORK, "web", "child"),
        ("view", child.pk, WORK, "web", "team_around_the_child"),
    ]
    assert "Team owns the case" in text
    assert "Your team owns the case or works with the child." in text


def test_the_summary_names_the_lead_professional_and_allocated_worker_with_contacts(
    worker_client, child, social_worker, team
):
    from tandem.casework import services as casework
    from tests.grants import grant_for

    social_worker.email, social_worker.phone = "sam@council.example", "01632 960 001"
    social_worker.save()
    casework.case_open(
        grant=grant_for(social_worker, child.pk), level="early_help",
        lead_professional_id=social_worker.pk,
    )  # fmt: skip
    nurse = factories.UserFactory(role="health_practitioner", first_name="Nia", last_name="Nurse")
    factories.InvolvementFactory(child=child, team=nurse.team, practitioner=nurse,
                                 kind="allocated")  # fmt: skip
    school = factories.TeamFactory(
        name="Pastoral", partner=factories.PartnerFactory(name="Oakfield Academy", kind="school")
    )
    factories.InvolvementFactory(child=child, team=school, kind="involved")
    text = text_of(worker_client.get(url("child", child)))
    assert f"Lead professional {social_worker}" in text
    assert "sam@council.example" in text
    assert "Allocated worker Nia Nurse" in text
    assert "School Pastoral, Oakfield Academy" in text


@pytest.mark.parametrize(
    "name",
    [
        "child",
        "child-household",
        "child-referrals",
        "child-chronology",
        "child-edit",
        "event-new",
        "relationship-new",
    ],
)
def test_page_titles_never_name_the_child(worker_client, child, name):
    """A title stays in the browser's history after the page has gone."""
    html = worker_client.get(url(name, child)).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, flags=re.S).group(1)
    assert child.given_name not in title
    assert child.given_name in html


def test_household_shows_members_and_relationships(worker_client, child):
    household = factories.HouseholdFactory(name="The Example household")
    mum = factories.AdultFactory(given_name="Maria")
    factories.HouseholdMemberFactory(household=household, person=child)
    factories.HouseholdMemberFactory(household=household, person=mum)
    Relationship.objects.create(person_a=mum, person_b=child, kind="parent")
    response = worker_client.get(url("child-household", child))
    text = text_of(response)
    assert "The Example household" in text
    assert "Maria Example" in text
    assert "Parent" in text
    assert "Add a relationship" in text
    assert audit_rows() == [
        ("view", child.pk, WORK, "web", "child"),
        *sorted(
            [
                ("view", child.pk, WORK, "web", "household"),
                ("view", mum.pk, WORK, "web", "household"),
            ],
            key=lambda row: str(row[1]),
        ),
        ("view", mum.pk, WORK, "web", "relationship"),
    ]


def test_referrals_page_lists_the_childs_referrals(worker_client, child, front_door):
    team, _ = front_door
    referral = factories.ReferralFactory(child=child, to_team=team)
    ReferralReason.objects.create(referral=referral, reason="missing")
    response = worker_client.get(url("child-referrals", child))
    text = text_of(response)
    assert "Front door" in text
    assert "Going missing" in text
    assert "Awaiting decision" in text
    assert (
        reverse("web:referral", kwargs={"referral_id": referral.pk}) in response.content.decode()
    )
    assert audit_rows() == [
        ("view", child.pk, WORK, "web", "child"),
        ("view", child.pk, WORK, "web", "referral"),
    ]


@pytest.fixture
def busy_child(child, team, front_door):
    """A child with a long chronology: 40 events, 5 referrals with decisions and feedback."""
    partner = team.partner
    now = timezone.now()
    Event.objects.bulk_create(
        Event(
            person=child,
            partner=partner,
            kind="note",
            occurred_at=now - dt.timedelta(days=n),
            summary=f"Event number {n}",
        )
        for n in range(40)
    )
    to_team, manager = front_door
    for n in range(5):
        referral = factories.ReferralFactory(child=child, to_team=to_team)
        ReferralReason.objects.create(referral=referral, reason="neglect")
        ThresholdDecision.objects.create(
            referral=referral,
            decision="early_help",
            reasons=f"R{n}",
            decided_by=manager,
            decided_at=now,
        )
        Feedback.objects.create(referral=referral, message=f"F{n}", given_by=manager, given_at=now)
    return child


def test_chronology_is_newest_first_with_bounded_queries(
    worker_client, busy_child, django_assert_max_num_queries
):
    with django_assert_max_num_queries(27):  # +1: the second factor
        response = worker_client.get(url("child-chronology", busy_child))
    text = text_of(response)
    assert text.index("Event number 0") < text.index("Event number 1 ")
    assert "Threshold decision" in text
    assert "Feedback to referrer" in text
    assert "Add to chronology" in text
    # A long chronology pages, and says how long it is.
    assert "Showing 1 to 25 of" in text
    assert "Event number 39" not in text
    assert audit_rows() == [
        ("view", busy_child.pk, WORK, "web", "child"),
        ("view", busy_child.pk, WORK, "web", "chronology"),
    ]
    last = text_of(worker_client.get(url("child-chronology", busy_child), {"page": 9}))
    assert "Event number 39" in last


def test_chronology_filters_by_partner_kind_and_date(worker_client, busy_child):
    page = url("child-chronology", busy_child)
    everything = text_of(worker_client.get(page))
    assert "Every partner" in everything
    assert "Show everything" not in everything

    decisions = text_of(worker_client.get(page, {"kind": "Threshold decision"}))
    assert "5 entries match (of" in decisions
    assert "Event number" not in decisions
    assert " F0 " not in f"{decisions} "
    assert "Show everything" in decisions

    today = dt.date.today()
    week = {
        "date_from-day": (today - dt.timedelta(days=6)).day,
        "date_from-month": (today - dt.timedelta(days=6)).month,
        "date_from-year": (today - dt.timedelta(days=6)).year,
    }
    recent = text_of(worker_client.get(page, {"kind": "Note", **week}))
    assert "Event number 6 " in recent
    assert "Event number 7 " not in recent

    bad = worker_client.get(
        page,
        {"kind": "Not a kind", "date_from-day": "31", "date_from-month": "2",
         "date_from-year": "2026"},
    )  # fmt: skip
    errors = dict(error_summary(bad))
    assert errors["#kind"] == "Choose what happened from the list"
    assert "date_from" in " ".join(errors)


def test_every_record_page_has_bounded_queries(
    worker_client, busy_child, django_assert_max_num_queries
):
    household = factories.HouseholdFactory()
    factories.HouseholdMemberFactory(household=household, person=busy_child)
    for _ in range(10):
        adult = factories.AdultFactory()
        factories.HouseholdMemberFactory(household=household, person=adult)
        Relationship.objects.create(person_a=adult, person_b=busy_child, kind="carer")
    for name in ("child", "child-household", "child-referrals", "relationship-new"):
        with django_assert_max_num_queries(30):
            assert worker_client.get(url(name, busy_child)).status_code == 200


# -- Changing details -------------------------------------------------------------------------


def edit_data(child, **changes):
    data = {
        "given_name": child.given_name,
        "family_name": child.family_name,
        "known_as": "",
        "date_of_birth-day": "17",
        "date_of_birth-month": "5",
        "date_of_birth-year": "2012",
        "sex": "F",
        "ethnicity": "WBRI",
        "address": "",
        "postcode": "ZZ99 3AA",
        "nhs_number": "",
        "upn": "",
    }
    data.update(changes)
    return data


def test_edit_shows_the_current_details(worker_client, child):
    html = worker_client.get(url("child-edit", child)).content.decode()
    assert f'value="{child.given_name}"' in html
    assert 'name="date_of_birth-year" type="text" value="2012"' in html
    assert audit_rows() == [("view", child.pk, WORK, "web", "child")]


def test_edit_changes_the_record_through_the_service(worker_client, child):
    response = worker_client.post(
        url("child-edit", child), edit_data(child, known_as="Lulu", nhs_number="943 476 5919")
    )
    assert response["Location"] == url("child", child)
    child.refresh_from_db()
    assert (child.known_as, child.nhs_number) == ("Lulu", "9434765919")
    assert audit_rows(action="update") == [("update", child.pk, WORK, "web", "child")]
    assert AccessEvent.objects.get(action="update").detail == {
        "fields": ["known_as", "nhs_number"]
    }
    assert (
        "The child&#39;s details have been changed"
        in worker_client.get(url("child", child)).content.decode()
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"nhs_number": "9434765918"}, ("#nhs_number", "Enter a valid NHS number")),
        ({"upn": "B123456789012"}, ("#upn", "Enter a valid unique pupil number")),
        (
            {"date_of_birth-day": "31", "date_of_birth-month": "2"},
            ("#date_of_birth-day", "Date of birth must be a real date"),
        ),
        ({"given_name": ""}, ("#given_name", "Enter the child's first name")),
        ({"postcode": "NOTPC"}, ("#postcode", "Enter a real postcode")),
        ({"ethnicity": "XXXX"}, ("#ethnicity", "Choose an ethnicity from the list")),
        ({"sex": "Q"}, ("#sex", "Select the child's sex")),
        (
            {"date_of_birth-year": "2099"},
            ("#date_of_birth-day", "Date of birth must be today or in the past"),
        ),
    ],
)
def test_edit_with_bad_details_saves_nothing(worker_client, child, changes, expected):
    before = Person.objects.values().get(pk=child.pk)
    response = worker_client.post(url("child-edit", child), edit_data(child, **changes))
    assert response.status_code == 200
    [(href, message)] = error_summary(response)
    assert href == expected[0]
    assert message.startswith(expected[1])
    assert "<title>Error: " in response.content.decode()
    assert Person.objects.values().get(pk=child.pk) == before
    assert not AccessEvent.objects.filter(action="update").exists()


def test_a_duplicate_nhs_number_is_shown_on_its_field(worker_client, child):
    factories.ChildFactory(nhs_number="9434765919")
    response = worker_client.post(
        url("child-edit", child), edit_data(child, nhs_number="9434765919")
    )
    [(href, message)] = error_summary(response)
    assert href == "#nhs_number"
    assert "already recorded for someone else" in message
    child.refresh_from_db()
    assert child.nhs_number is None


# -- Adding to the chronology -----------------------------------------------------------------


def event_data(**changes):
    data = {
        "kind": "home_visit",
        "occurred_on-day": "3",
        "occurred_on-month": "3",
        "occurred_on-year": "2025",
        "occurred_time": "2:30pm",
        "summary": "Visited at home; Lou was at school.",
    }
    data.update(changes)
    return data


def test_add_to_chronology(worker_client, child, social_worker):
    response = worker_client.post(url("event-new", child), event_data())
    assert response["Location"] == url("child-chronology", child)
    event = Event.objects.get()
    assert event.kind == "home_visit"
    assert event.partner_id == social_worker.team.partner_id
    assert timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M") == "2025-03-03 14:30"
    assert audit_rows() == [
        ("view", child.pk, WORK, "web", "child"),
        ("create", child.pk, WORK, "web", "event"),
    ]
    page = worker_client.get(response["Location"])
    assert "3 March 2025 at 2:30pm" in text_of(page)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"occurred_on-day": "31", "occurred_on-month": "2", "occurred_on-year": "2012"},
            ("#occurred_on-day", "The date must be a real date"),
        ),
        ({"kind": "alien_abduction"}, ("#kind", "Choose what happened")),
        ({"summary": ""}, ("#summary", "Enter a summary")),
        ({"occurred_time": "25:99"}, ("#occurred_time", "Enter a real time")),
        (
            {"occurred_on-day": "", "occurred_on-month": "", "occurred_on-year": ""},
            ("#occurred_on-day", "Enter the date it happened"),
        ),
    ],
)
def test_add_to_chronology_with_bad_details_saves_nothing(worker_client, child, changes, expected):
    response = worker_client.post(url("event-new", child), event_data(**changes))
    assert response.status_code == 200
    assert error_summary(response)[0][0] == expected[0]
    assert error_summary(response)[0][1].startswith(expected[1])
    assert not Event.objects.exists()
    assert not AccessEvent.objects.filter(action="create").exists()


@freeze_time("2025-03-03 10:00:00")
def test_an_event_later_today_is_refused_by_the_service(worker_client, child):
    response = worker_client.post(url("event-new", child), event_data(occurred_time="11:00"))
    assert error_summary(response) == [
        ("#occurred_on-day", "The event must have happened already")
    ]
    assert not Event.objects.exists()


# -- Relationships ----------------------------------------------------------------------------


@pytest.fixture
def household_with_mum(child):
    household = factories.HouseholdFactory(name="The Example household")
    mum = factories.AdultFactory(given_name="Maria")
    factories.HouseholdMemberFactory(household=household, person=child)
    factories.HouseholdMemberFactory(household=household, person=mum)
    return mum


def test_relate_someone_in_the_household(worker_client, child, household_with_mum):
    mum = household_with_mum
    page = worker_client.get(url("relationship-new", child))
    assert "Maria Example, born 1985 (The Example household)" in text_of(page)
    # The people offered were read, and so audited: the child, and the household's members.
    assert audit_rows() == [
        ("view", child.pk, WORK, "web", "child"),
        *sorted(
            [
                ("view", child.pk, WORK, "web", "household"),
                ("view", mum.pk, WORK, "web", "household"),
            ],
            key=lambda row: str(row[1]),
        ),
    ]
    response = worker_client.post(
        url("relationship-new", child), {"person": str(mum.pk), "kind": "parent"}
    )
    assert response["Location"] == url("child-household", child)
    relationship = Relationship.objects.get()
    # Stored once per pair; whichever way round, the mother is the child's parent.
    if relationship.person_a_id == mum.pk:
        assert relationship.kind == "parent"
    else:
        assert relationship.kind == "child"
    assert audit_rows(action="create") == [("create", child.pk, WORK, "web", "relationship")]
    household = text_of(worker_client.get(url("child-household", child)))
    assert "Maria Example Parent" in household


def test_relate_a_new_adult(worker_client, child):
    data = {
        "person": "new",
        "kind": "carer",
        "adult_given_name": "Grace",
        "adult_family_name": "Example",
        "adult_postcode": "zz993aa",
    }
    response = worker_client.post(url("relationship-new", child), data)
    assert response.status_code == 302
    grace = Person.objects.get(given_name="Grace")
    assert not grace.is_child
    assert grace.postcode == "ZZ99 3AA"
    assert Relationship.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"person": "new", "kind": "carer"},
            [
                ("#adult_given_name", "Enter the person's first name"),
                ("#adult_family_name", "Enter the person's last name"),
            ],
        ),
        (
            {
                "person": "new",
                "kind": "carer",
                "adult_given_name": "A",
                "adult_family_name": "B",
                "adult_postcode": "NOPE",
            },
            [("#adult_postcode", "Enter a real postcode, like SW1A 1AA")],
        ),
        (
            {"person": "new", "kind": "", "adult_given_name": "A", "adult_family_name": "B"},
            [("#kind", "Choose how this person is related to the child")],
        ),
        (
            {
                "person": "new",
                "kind": "nemesis",
                "adult_given_name": "A",
                "adult_family_name": "B",
            },
            [("#kind", "Choose how this person is related to the child")],
        ),
        ({"kind": "parent"}, [("#person", "Select who the person is, or 'Someone new'")]),
    ],
)
def test_relationship_with_bad_details_saves_nothing(worker_client, child, data, expected):
    response = worker_client.post(url("relationship-new", child), data)
    assert response.status_code == 200
    assert error_summary(response) == expected
    assert Person.objects.count() == 1
    assert not Relationship.objects.exists()


def test_someone_not_in_the_list_cannot_be_related(worker_client, child, stranger):
    """A person id the page did not offer (here, a child of another team) is refused."""
    theirs = factories.ChildFactory()
    factories.InvolvementFactory(child=theirs, team=stranger.team)
    response = worker_client.post(
        url("relationship-new", child), {"person": str(theirs.pk), "kind": "sibling"}
    )
    assert error_summary(response) == [("#person", "Select a person from the list")]
    assert not Relationship.objects.exists()
    assert theirs.full_name not in response.content.decode()


def test_remove_a_relationship(worker_client, child, household_with_mum):
    relationship = Relationship.objects.create(
        person_a=household_with_mum, person_b=child, kind="parent"
    )
    page = worker_client.get(url("relationship-remove", child, relationship_id=relationship.pk))
    assert "Remove Maria Example (parent)?" in text_of(page)
    response = worker_client.post(
        url("relationship-remove", child, relationship_id=relationship.pk)
    )
    assert response["Location"] == url("child-household", child)
    assert not Relationship.objects.exists()
    assert audit_rows(action="delete") == [("delete", child.pk, WORK, "web", "relationship")]
    assert HouseholdMember.objects.count() == 2


def test_an_allocated_worker_sees_the_child_without_a_team_involvement(signed_in):
    worker = factories.UserFactory()
    child = factories.ChildFactory()
    factories.InvolvementFactory(
        child=child,
        team=factories.TeamFactory(),
        practitioner=worker,
        kind=InvolvementKind.ALLOCATED,
    )
    assert signed_in(worker).get(url("child", child)).status_code == 200
    assert AccessEvent.objects.get(record_type="child").basis == "allocated worker"


def test_the_caseload_says_why_each_child_is_there_and_what_is_open_now(
    worker_client, social_worker, team, child, front_door
):
    """A duty worker sees at a glance why a child is on their list and the alerts that matter
    (a child protection plan, looked after, missing), as far as their categories show them."""
    from tandem.care.models import CareEpisode, MissingEpisode
    from tests.signing_in import VerifiedClient

    CareEpisode.objects.create(
        child=child, local_authority=team.partner, started_on=dt.date(2026, 1, 5),
        reason_new="S", legal_status="C2", category_of_need="N1", placement_type="U4",
        placement_provider="PR1",
    )  # fmt: skip
    MissingEpisode.objects.create(child=child, kind="M", started_on=dt.date(2026, 11, 30))
    allocated = child_of_team(team, given_name="Alfie")
    factories.InvolvementFactory(
        child=allocated, team=team, practitioner=social_worker, kind="allocated"
    )
    page = text_of(worker_client.get("/caseload"))
    assert "Your team's case" in page
    assert "Allocated to you" in page
    assert "Looked after" in page
    assert "Missing now" in page
    only = text_of(worker_client.get("/caseload", {"why": "allocated"}))
    assert "Alfie" in only
    assert child.full_name not in only
    # The front door deciding a referral sees who the child is, not their care or police record.
    door, manager = front_door
    factories.ReferralFactory(child=child, to_team=door)
    client = VerifiedClient()
    client.force_login(manager)
    door_page = text_of(client.get("/caseload"))
    assert "Referred to your team" in door_page
    assert "Looked after" not in door_page
    assert "Missing now" not in door_page


def test_every_error_of_the_details_form_shows_at_once(worker_client, child):
    """A wrong NHS number and 31 February: both at once, not one round after another."""
    response = worker_client.post(
        url("child-edit", child),
        {
            "given_name": "Amy",
            "family_name": "Example",
            "date_of_birth-day": "31",
            "date_of_birth-month": "2",
            "date_of_birth-year": "2014",
            "sex": "F",
            "nhs_number": "943 476 5918",
            "upn": "X123",
        },
    )
    fields = [href for href, _ in error_summary(response)]
    assert fields == ["#date_of_birth-day", "#nhs_number", "#upn"]
