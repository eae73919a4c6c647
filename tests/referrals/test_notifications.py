"""Notifications follow a referral (issue 22): the front door is told when one arrives, the
referrer when it is decided and when feedback is given; each names the child only as the
recipient may know them, and links to a page they may open."""

import pytest

from tandem.access import services as access_services
from tandem.access.models import Notification, RestrictionKind
from tandem.partners.models import Role
from tandem.referrals.services import referral_create, referral_decide, referral_feedback_give
from tests import factories
from tests.signing_in import VerifiedClient
from tests.voices import VIEWS
from tests.web.support import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(front_door):
    door, manager = front_door
    colleague = factories.UserFactory(role=Role.SOCIAL_WORKER, team=door)
    bystander = factories.UserFactory(role=Role.SCHOOL_DSL, team=door)  # does not decide
    dsl = factories.UserFactory(role=Role.SCHOOL_DSL)
    referral = referral_create(
        actor=dsl,
        purpose="referral",
        to_team_id=door.pk,
        source="2A",
        reasons=["neglect"],
        concerns="Often hungry at school.",
        family_aware="yes",
        new_child={"given_name": "Ruby", "family_name": "Fletcher", "sex": "F"},
    )
    return {
        "manager": manager,
        "colleague": colleague,
        "bystander": bystander,
        "dsl": dsl,
        "referral": referral,
    }


def _inbox(user) -> str:
    client = VerifiedClient()
    client.force_login(user)
    return client, text_of(client.get("/notifications"))


def test_the_front_door_is_told_a_referral_has_arrived(scene):
    for decider in (scene["manager"], scene["colleague"]):
        client, text = _inbox(decider)
        assert "New referral for Ruby Fletcher" in text
        link = f"/referrals/{scene['referral'].pk}/decision"
        assert link in client.get("/notifications").content.decode()
        assert client.get(link).status_code == 200
    assert not Notification.objects.filter(recipient=scene["bystander"]).exists()


def test_the_referrer_is_told_of_the_decision_and_the_feedback(scene):
    referral, manager = scene["referral"], scene["manager"]
    referral_decide(
        actor=manager, referral_id=referral.pk, decision="early_help", reasons="Support",
        views=VIEWS, purpose="referral",
    )  # fmt: skip
    referral_feedback_give(
        actor=manager, referral_id=referral.pk, message="Early help will call.", purpose="referral"
    )
    client, text = _inbox(scene["dsl"])
    assert "Your referral for Ruby Fletcher" in text
    assert "decided, early help" in text
    assert "feedback given" in text
    assert client.get(f"/referrals/{referral.pk}").status_code == 200


def test_a_notification_about_a_child_since_restricted_is_not_shown(scene):
    access_services.restriction_add(
        actor=factories.UserFactory(role=Role.IG_LEAD), child_id=scene["referral"].child_id,
        kind=RestrictionKind.RESTRICTED_RECORD, reason="Witness", named_people=[],
    )  # fmt: skip
    _, text = _inbox(scene["manager"])
    assert "Ruby Fletcher" not in text
    assert "You have no notifications" in text


def test_notifications_go_with_the_child_s_record():
    child = factories.ChildFactory()
    Notification.objects.create(
        recipient=factories.UserFactory(), child=child, message="m", created_at="2026-01-01T10:00Z"
    )
    child.delete()
    assert not Notification.objects.exists()
