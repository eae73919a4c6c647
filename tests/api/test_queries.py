"""No N+1: the queries a list or detail answer costs do not grow with what it holds."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.partners.models import Role
from tandem.people.models import Event, HouseholdMember, Relationship
from tandem.referrals.models import Feedback, ReferralReason, ThresholdDecision
from tests import factories
from tests.api.support import ApiClient

pytestmark = pytest.mark.django_db

# Token check (1), the answer's own queries, the audit insert: well under this for any size.
MOST = 12


@pytest.fixture
def setting(team, child, front_door):
    door, manager = front_door
    worker = factories.UserFactory(role=Role.TEAM_MANAGER, team=team)
    household = factories.HouseholdFactory()
    HouseholdMember.objects.create(household=household, person=child)
    return {"worker": worker, "child": child, "household": household, "door": door,
            "manager": manager, "team": team}  # fmt: skip


def _grow(s: dict, n: int) -> None:
    """Add n of everything each answer lists."""
    child, worker = s["child"], s["worker"]
    for i in range(n):
        kid = factories.ChildFactory()
        factories.InvolvementFactory(child=kid, team=s["team"])
        adult = factories.AdultFactory()
        a, b = sorted([adult, child], key=lambda p: str(p.pk))
        Relationship.objects.create(person_a=a, person_b=b, kind="other")
        HouseholdMember.objects.create(household=s["household"], person=adult)
        other_home = factories.HouseholdFactory(name=f"Home {i}")
        HouseholdMember.objects.create(household=other_home, person=child)
        Event.objects.create(
            person=child,
            partner=worker.team.partner,
            kind="note",
            occurred_at=timezone.now() - dt.timedelta(days=i + 1),
            summary=f"Note {i}",
        )
        referral = factories.ReferralFactory(child=child, to_team=s["door"], made_by=worker)
        ReferralReason.objects.create(referral=referral, reason="neglect")
        ThresholdDecision.objects.create(
            referral=referral,
            decision="child_in_need",
            reasons="x",
            decided_by=s["manager"],
            decided_at=timezone.now(),
        )
        Feedback.objects.create(
            referral=referral, message="y", given_by=s["manager"], given_at=timezone.now()
        )
        referral.status = "decided"
        referral.save()
    s["referral"] = referral


ENDPOINTS = [
    ("worker", "/api/children"),
    ("worker", "/api/children/{child}"),
    ("worker", "/api/children/{child}/relationships"),
    ("worker", "/api/children/{child}/households"),
    ("worker", "/api/households/{household}"),
    ("worker", "/api/children/{child}/chronology"),
    ("worker", "/api/children/{child}/referrals"),
    ("worker", "/api/referrals/made"),
    ("manager", "/api/referrals/received"),
    ("worker", "/api/referrals/{referral}"),
]


def _queries(s: dict, who: str, path: str) -> int:
    client = ApiClient(s[who])
    client.get("/api/children")  # the token's first use writes last_used_at: not counted
    url = path.format(child=s["child"].pk, household=s["household"].pk, referral=s["referral"].pk)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize(("who", "path"), ENDPOINTS)
def test_queries_do_not_grow_with_the_answer(setting, who, path):
    _grow(setting, 2)
    few = _queries(setting, who, path)
    _grow(setting, 6)
    many = _queries(setting, who, path)
    assert many == few
    assert few <= MOST
