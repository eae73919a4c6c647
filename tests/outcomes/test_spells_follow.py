"""Spells that follow the work (issue 23): a case opened by a team that delivers a service, or
a referral it decides to work with, starts a spell of the service; closing the case ends it."""

import pytest
from django.utils import timezone

from tandem.casework import services as casework
from tandem.outcomes.models import Service, ServiceSpell, ServiceType
from tandem.partners.models import Role
from tandem.referrals.services import referral_decide
from tests import factories
from tests.grants import grant_for
from tests.voices import VIEWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(team):
    kind = ServiceType.objects.get(pk="family-support")
    service = Service.objects.create(name="Family help", service_type=kind, aim=kind.aim)
    service.delivered_by.add(team)
    return service


def test_a_case_opened_and_closed_by_a_delivering_team_is_a_spell(social_worker, child, delivered):
    case = casework.case_open(
        grant=grant_for(social_worker, child.pk, "direct_work"),
        level="early_help",
        lead_professional_id=social_worker.pk,
    )
    spell = ServiceSpell.objects.get()
    assert (spell.service, spell.person, spell.source) == (delivered, child, "case")
    assert spell.started_on == timezone.localdate()
    casework.case_close(
        actor=social_worker, case_id=case.pk, reason="Goals met", outcomes={}, views=VIEWS,
        purpose="direct_work",
    )  # fmt: skip
    spell.refresh_from_db()
    assert (spell.ended_on, spell.end_reason) == (timezone.localdate(), "completed")


def test_a_referral_decided_for_early_help_starts_a_spell_once(team, child, delivered):
    manager = factories.UserFactory(role=Role.TEAM_MANAGER, team=team)
    referral = factories.ReferralFactory(child=child, to_team=team)
    referral_decide(
        actor=manager, referral_id=referral.pk, decision="early_help", reasons="Family asks",
        views=VIEWS, purpose="referral",
    )  # fmt: skip
    assert ServiceSpell.objects.get().source == "referral"
    # The case the team then opens does not start a second spell of the same service.
    casework.case_open(
        grant=grant_for(manager, child.pk, "direct_work"), level="early_help",
        lead_professional_id=manager.pk,
    )  # fmt: skip
    assert ServiceSpell.objects.count() == 1


def test_a_team_that_delivers_nothing_starts_no_spell(social_worker, child):
    casework.case_open(
        grant=grant_for(social_worker, child.pk, "direct_work"),
        level="early_help",
        lead_professional_id=social_worker.pk,
    )
    assert not ServiceSpell.objects.exists()
