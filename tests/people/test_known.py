""" "Known to other partners?" (issue 21, findings 3 and 10): names are matched as the linkage
matches them, a close match is said to be possible rather than "not known", and a restricted
record is never confirmed."""

import datetime as dt

import pytest

from tandem.access import services as access_services
from tandem.access.models import InvolvementKind, RestrictionKind
from tandem.partners.models import Role
from tandem.people.matching import Match, fold, name_match, swapped
from tests import factories
from tests.api.support import ApiClient
from tests.signing_in import VerifiedClient
from tests.web.support import text_of

pytestmark = pytest.mark.django_db

BORN = dt.date(2012, 3, 7)


@pytest.fixture
def jose():
    """José Abdullah, known to three partners."""
    child = factories.ChildFactory(
        given_name="José", family_name="Abdullah", date_of_birth=BORN, nhs_number="9434765919"
    )
    for name in ("Riverside School", "Hamley NHS Trust", "Hamley Council"):
        team = factories.TeamFactory(partner=factories.PartnerFactory(name=name))
        factories.InvolvementFactory(child=child, team=team, kind=InvolvementKind.INVOLVED)
    return child


def _ask(user, **body):
    body = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in body.items()}
    return ApiClient(user).post("/api/known", body).json()


@pytest.mark.parametrize(
    ("given", "family", "match"),
    [
        ("Jose", "Abdullah", "exact"),
        ("jose", "abdullah", "exact"),
        ("JOSÉ", "ABDULLAH", "exact"),
        ("Jose", "Abdulah", "possible"),
        ("Jsoe", "Abdullah", "possible"),
        ("Jose", "Abdullah-Khan", "possible"),
    ],
)
def test_the_spellings_a_duty_worker_types_find_the_child(jose, given, family, match):
    duty = factories.UserFactory(role=Role.SOCIAL_WORKER)
    answer = _ask(duty, given_name=given, family_name=family, date_of_birth=BORN)
    assert answer["known"] is True
    assert answer["match"] == match
    assert len(answer["partners"]) == 3


def test_day_and_month_swapped_is_a_possible_match(jose):
    duty = factories.UserFactory(role=Role.SOCIAL_WORKER)
    answer = _ask(duty, given_name="Jose", family_name="Abdullah", date_of_birth=swapped(BORN))
    assert (answer["known"], answer["match"]) == (True, "possible")


def test_another_child_is_not_a_match(jose):
    duty = factories.UserFactory(role=Role.SOCIAL_WORKER)
    answer = _ask(duty, given_name="Maria", family_name="Smith", date_of_birth=BORN)
    assert answer == {"known": False, "match": "none", "partners": []}


def test_the_page_says_possible_and_what_to_do(jose):
    duty = factories.UserFactory(role=Role.SOCIAL_WORKER)
    client = VerifiedClient()
    client.force_login(duty)
    page = client.post(
        "/known",
        {
            "given_name": "Jose",
            "family_name": "Abdulah",
            "date_of_birth-day": "7",
            "date_of_birth-month": "3",
            "date_of_birth-year": "2012",
        },
    )
    text = text_of(page)
    assert "Possible match: known to 3 partners" in text
    assert "Riverside School" in text
    missed = client.post(
        "/known",
        {
            "given_name": "Nobody",
            "family_name": "Atall",
            "date_of_birth-day": "7",
            "date_of_birth-month": "3",
            "date_of_birth-year": "2012",
        },
    )
    assert "No match found for these details" in text_of(missed)


def test_a_restricted_child_is_never_confirmed(jose):
    ig = factories.UserFactory(role=Role.IG_LEAD)
    named = factories.UserFactory(role=Role.SOCIAL_WORKER)
    access_services.restriction_add(
        actor=ig,
        child_id=jose.pk,
        kind=RestrictionKind.RESTRICTED_RECORD,
        reason="Witness",
        named_people=[named],
    )
    duty = factories.UserFactory(role=Role.SOCIAL_WORKER)
    none = {"known": False, "match": "none", "partners": []}
    assert _ask(duty, nhs_number="9434765919") == none
    assert _ask(duty, given_name="José", family_name="Abdullah", date_of_birth=BORN) == none
    # The people named on the restriction are told, as for any child.
    assert _ask(named, nhs_number="9434765919")["known"] is True


@pytest.mark.parametrize(
    ("typed", "recorded", "match"),
    [
        (("Ollie", "Smith"), ("Oliver", "Smith", ""), Match.POSSIBLE),
        (("Jay", "Smith"), ("Jayden", "Smith", "Jay"), Match.EXACT),
        (("Chloe", "Smith"), ("Chloé", "Smith", ""), Match.EXACT),
        (("Amy", "Smith-Ali"), ("Amy", "Smith", ""), Match.POSSIBLE),
        (("Amy", "Jones"), ("Amy", "Smith", ""), Match.NONE),
        (("Tom", "Smith"), ("Amy", "Smith", ""), Match.NONE),
    ],
)
def test_name_match(typed, recorded, match):
    given, family, known_as = recorded
    assert (
        name_match(*typed, person_given=given, person_family=family, person_known_as=known_as)
        == match
    )


def test_fold_and_swapped():
    assert fold("José-María O'Brien") == "josemariaobrien"
    assert swapped(dt.date(2012, 3, 7)) == dt.date(2012, 7, 3)
    assert swapped(dt.date(2012, 3, 13)) is None  # no 13th month
    assert swapped(dt.date(2012, 3, 3)) is None  # the same date
