"""'Known to other partners?' (partners and contacts, never the record) and the audit trail."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from freezegun import freeze_time

from tandem.audit.models import AccessEvent
from tandem.audit.services import Audit
from tandem.partners.models import Role
from tandem.people.identifiers import upn_check_letter
from tests import factories
from tests.web.support import audit_rows, error_summary, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_child():
    """A child the police have open, with their safeguarding hub's contact details."""
    partner = factories.PartnerFactory(
        name="Example Police",
        contact_name="Public protection unit",
        contact_email="ppu@police.example",
        contact_phone="01632 960001",
    )
    child = factories.ChildFactory(
        given_name="Kai",
        family_name="Hidden",
        nhs_number="9434765919",
        date_of_birth=dt.date(2010, 4, 1),
    )
    factories.InvolvementFactory(child=child, team=factories.TeamFactory(partner=partner))
    return child


def test_known_shows_partners_and_contacts_not_the_record(worker_client, police_child):
    response = worker_client.post("/known", {"nhs_number": "943 476 5919"})
    text = text_of(response)
    assert "Yes, known to 1 partner" in text
    assert "Example Police" in text
    assert "Public protection unit" in text
    assert "ppu@police.example" in text
    assert "01632 960001" in text
    assert "Kai" not in text
    assert "Hidden" not in text
    assert str(police_child.pk) not in response.content.decode()
    assert audit_rows() == [("lookup", police_child.pk, "safeguarding_check", "web", "child")]


def test_known_by_full_name_and_date_of_birth(worker_client, police_child):
    response = worker_client.post(
        "/known",
        {
            "given_name": "kai",
            "family_name": "HIDDEN",
            "date_of_birth-day": "1",
            "date_of_birth-month": "4",
            "date_of_birth-year": "2010",
        },
    )
    assert "Example Police" in text_of(response)


def test_a_child_nobody_has_open(worker_client, police_child):
    police_child.involvements.update(ended_on=dt.date(2024, 6, 1))
    response = worker_client.post("/known", {"nhs_number": "9434765919"})
    assert "No partner in the partnership has this child open" in text_of(response)
    assert "Example Police" not in text_of(response)
    assert audit_rows() == [("lookup", police_child.pk, "safeguarding_check", "web", "child")]


def test_a_child_not_on_the_record_is_answered_the_same(worker_client, police_child):
    upn = upn_check_letter("123456789012") + "123456789012"
    response = worker_client.post("/known", {"upn": upn.lower()})
    assert "No partner in the partnership has this child open" in text_of(response)
    assert audit_rows() == [("lookup", None, "safeguarding_check", "web", "child")]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {},
            [
                (
                    "#nhs_number",
                    "Enter an NHS number, a unique pupil number, or the child's full "
                    "name and date of birth",
                )
            ],
        ),
        (
            {"nhs_number": "1234567890"},
            [("#nhs_number", "Enter a valid NHS number: 10 digits, like 943 476 5919")],
        ),
        (
            {"upn": "not-a-upn"},
            [
                (
                    "#upn",
                    "Enter a valid unique pupil number: a letter then 12 "
                    "more characters, like A123456789012",
                )
            ],
        ),
        (
            {"given_name": "Kai"},
            [
                ("#family_name", "Enter the child's last name"),
                ("#date_of_birth-day", "Enter the child's date of birth"),
            ],
        ),
        (
            {
                "given_name": "Kai",
                "family_name": "Hidden",
                "date_of_birth-day": "31",
                "date_of_birth-month": "2",
                "date_of_birth-year": "2010",
            },
            [("#date_of_birth-day", "Date of birth must be a real date")],
        ),
    ],
)
def test_known_with_missing_or_bad_details(worker_client, police_child, data, expected):
    response = worker_client.post("/known", data)
    assert response.status_code == 200
    assert error_summary(response) == expected
    assert "Example Police" not in text_of(response)
    assert not AccessEvent.objects.exists()


# -- Audit ------------------------------------------------------------------------------------


@pytest.fixture
def ig_client(signed_in):
    return signed_in(factories.UserFactory(username="ig.lead", role=Role.IG_LEAD))


def _event(actor, person_id, action="view", when=None):
    with freeze_time(when or timezone.now()):
        return Audit(actor, "direct_work").row(action, "child", person_id=person_id)


def own_search_rows():
    return list(
        AccessEvent.objects.filter(purpose="audit_review").values_list(
            "action", "person_id", "purpose", "channel", "record_type"
        )
    )


def test_audit_lists_events_newest_first_and_records_the_search(ig_client, social_worker, child):
    _event(social_worker, child.pk, when="2026-01-05 10:00")
    _event(social_worker, child.pk, action="update", when="2026-01-06 10:00")
    response = ig_client.get("/audit")
    text = text_of(response)
    assert "2 events" in text
    assert text.index("6 January 2026") < text.index("5 January 2026")
    assert str(social_worker) in text  # who, by name, with their username to search by
    assert social_worker.username in text
    assert child.full_name in text  # whose record, by name: never a bare record id
    assert str(child.pk) not in text
    assert "Viewed a child's record" in text
    assert "None" not in text
    # The search is recorded once, with the people it named.
    assert own_search_rows() == [("search", None, "audit_review", "web", "access_event")]
    assert AccessEvent.objects.get(purpose="audit_review").detail["people_named"] == [
        str(child.pk)
    ]


def test_audit_filters(ig_client, social_worker, stranger, child):
    _event(social_worker, child.pk, when="2026-01-05 10:00")
    _event(stranger, child.pk, when="2026-02-05 10:00")
    other = uuid.uuid4()
    _event(social_worker, other, when="2026-03-05 10:00")

    by_user = ig_client.get("/audit", {"username": stranger.username.upper()})
    assert "1 event" in text_of(by_user)

    by_child = ig_client.get("/audit", {"child_id": str(child.pk)})
    assert "2 events" in text_of(by_child)
    assert str(other) not in by_child.content.decode()

    by_dates = ig_client.get(
        "/audit",
        {
            "date_from-day": "1",
            "date_from-month": "2",
            "date_from-year": "2026",
            "date_to-day": "5",
            "date_to-month": "3",
            "date_to-year": "2026",
        },
    )
    assert "2 events" in text_of(by_dates)  # 5 March counts: the end date is inclusive
    by_action = ig_client.get("/audit", {"action": "search"})
    assert "3 events" in text_of(by_action)  # the three searches before this one
    assert AccessEvent.objects.filter(purpose="audit_review", person_id=child.pk).count() == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"child_id": "123"}, [("#child_id", "Find the person again: that link is broken")]),
        (
            {"date_from-day": "31", "date_from-month": "2", "date_from-year": "2026"},
            [("#date_from-day", "The start date must be a real date")],
        ),
        (
            {
                "date_from-day": "2",
                "date_from-month": "2",
                "date_from-year": "2026",
                "date_to-day": "1",
                "date_to-month": "2",
                "date_to-year": "2026",
            },
            [("#date_to-day", "The end date must be the same as or after the start date")],
        ),
        ({"action": "erase"}, [("#action", "Choose an action from the list")]),
    ],
)
def test_audit_search_with_bad_filters(ig_client, query, expected):
    response = ig_client.get("/audit", query)
    assert response.status_code == 200
    assert error_summary(response) == expected
    assert not AccessEvent.objects.exists()


def test_audit_pages_25_at_a_time(ig_client, social_worker, django_assert_max_num_queries):
    AccessEvent.objects.bulk_create(
        AccessEvent(
            occurred_at=timezone.now(),
            actor=social_worker,
            actor_username=social_worker.username,
            person_id=uuid.uuid4(),
            action="view",
            record_type="child",
            purpose="direct_work",
            channel="web",
        )
        for _ in range(60)
    )
    # +1: the second factor; +1 the names of the people (60 made-up ids: no names);
    # +1: the account bar's unread notifications
    with django_assert_max_num_queries(13):
        first = ig_client.get("/audit")
    assert first.content.decode().count('class="govuk-table__row"') == 26  # head + 25
    assert 'class="govuk-pagination' in first.content.decode()
    third = ig_client.get("/audit", {"page": 3})
    assert third.content.decode().count('class="govuk-table__row"') == 1 + 11  # 60 + a search
