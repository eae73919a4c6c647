"""The front door's queue never hides new referrals (issue 21, finding 9): it pages, shows its
total, and puts those waiting for a decision first; the work tray lists them too."""

import datetime as dt

import pytest
from django.utils import timezone

from tandem.access import services as access_services
from tandem.access.models import RestrictionKind
from tandem.partners.models import Role
from tests import factories
from tests.api.support import ApiClient
from tests.signing_in import VerifiedClient
from tests.web.support import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(front_door):
    """60 open referrals to the front door: 50 older ones decided and waiting for feedback, and
    10 newer ones waiting for a decision, the newest received last."""
    team, manager = front_door
    now = timezone.now()
    decided = [
        factories.ReferralFactory(
            to_team=team, status="decided", received_at=now - dt.timedelta(days=60 - i)
        )
        for i in range(50)
    ]
    waiting = [
        factories.ReferralFactory(
            to_team=team,
            child=factories.ChildFactory(given_name=f"Waiting{i}"),
            received_at=now - dt.timedelta(hours=10 - i),
        )
        for i in range(10)
    ]
    return {"manager": manager, "decided": decided, "waiting": waiting}


def test_the_newest_referral_waiting_for_a_decision_is_on_the_first_page(queue):
    client = VerifiedClient()
    client.force_login(queue["manager"])
    first = text_of(client.get("/referrals/received"))
    assert "10 waiting for a decision and 50 waiting for feedback" in first
    assert "Showing 1 to 25 of 60 referrals" in first
    for referral in queue["waiting"]:
        assert referral.child.full_name in first
    # Waiting for a decision first, oldest first among them.
    order = [first.index(r.child.full_name) for r in queue["waiting"]]
    assert order == sorted(order)
    third = client.get("/referrals/received", {"page": "3"})
    assert text_of(third).count("Give feedback") == 10  # 25 + 25 + 10: nothing lost


def test_the_api_pages_the_queue_the_same_way(queue):
    api = ApiClient(queue["manager"])
    first = api.get("/api/referrals/received").json()
    assert (first["total"], first["pages"]) == (60, 3)
    statuses = [r["status"] for r in first["items"]]
    assert statuses[:10] == ["submitted"] * 10
    assert str(queue["waiting"][-1].pk) in {r["id"] for r in first["items"]}
    pages = [api.get("/api/referrals/received", {"page": n}).json()["items"] for n in (1, 2, 3)]
    assert len({r["id"] for page in pages for r in page}) == 60


def test_the_work_tray_lists_the_referrals_waiting_for_a_decision(queue):
    client = VerifiedClient()
    client.force_login(queue["manager"])
    tray = text_of(client.get("/work-tray"))
    assert "Referrals waiting for a decision (10)" in tray
    assert queue["waiting"][-1].child.full_name in tray


def test_referrals_you_made_page_too(front_door):
    team, _ = front_door
    dsl = factories.UserFactory(role=Role.SCHOOL_DSL)
    for i in range(30):
        factories.ReferralFactory(
            to_team=team, made_by=dsl, received_at=timezone.now() - dt.timedelta(days=i)
        )
    client = VerifiedClient()
    client.force_login(dsl)
    assert "Showing 1 to 25 of 30 referrals" in text_of(client.get("/referrals/made"))
    assert "Showing 26 to 30 of 30 referrals" in text_of(
        client.get("/referrals/made", {"page": "2"})
    )


def test_a_restricted_child_is_absent_from_the_queue(queue):
    restricted = queue["waiting"][0].child
    access_services.restriction_add(
        actor=factories.UserFactory(role=Role.IG_LEAD),
        child_id=restricted.pk,
        kind=RestrictionKind.RESTRICTED_RECORD,
        reason="Witness",
        named_people=[],
    )
    client = VerifiedClient()
    client.force_login(queue["manager"])
    page = text_of(client.get("/referrals/received"))
    assert restricted.full_name not in page
    assert "9 waiting for a decision" in page
