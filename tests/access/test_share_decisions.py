"""The share / no-share decision log: lawful basis for every share, reasons for every refusal,
consent enforced in the service, and every referral logged as a share."""

import pytest
from django.core.exceptions import ValidationError

from tandem.access import services
from tandem.access.models import LawfulBasis, ShareDecision, SharingPurpose
from tandem.audit.models import AccessEvent
from tandem.partners.models import Role
from tandem.referrals.services import referral_create
from tests import factories

pytestmark = pytest.mark.django_db
EH = SharingPurpose.EARLY_HELP


def test_a_share_needs_a_lawful_basis(social_worker, child):
    with pytest.raises(ValidationError) as e:
        services.share_decision_record(
            actor=social_worker, child_id=child.pk, shared=True, purpose=EH
        )
    assert "lawful_basis" in e.value.message_dict
    assert not ShareDecision.objects.exists()


def test_a_decision_not_to_share_needs_its_reasons_and_is_audited(social_worker, child):
    with pytest.raises(ValidationError) as e:
        services.share_decision_record(
            actor=social_worker, child_id=child.pk, shared=False, purpose=EH
        )
    assert "reasons" in e.value.message_dict
    decision = services.share_decision_record(
        actor=social_worker,
        child_id=child.pk,
        shared=False,
        purpose=EH,
        reasons="Sharing would put the mother at risk of harm from her ex-partner",
    )
    row = AccessEvent.objects.get(record_type="sharedecision")
    assert (row.person_id, row.record_id, row.detail["shared"]) == (
        child.pk,
        str(decision.pk),
        False,
    )


def test_sensitive_categories_need_a_schedule_1_condition(social_worker, child):
    with pytest.raises(ValidationError) as e:
        services.share_decision_record(
            actor=social_worker,
            child_id=child.pk,
            shared=True,
            purpose=EH,
            categories=["sexual_health"],
            lawful_basis=LawfulBasis.PUBLIC_TASK,
        )
    assert "schedule1_condition" in e.value.message_dict


def test_consent_as_basis_is_enforced_in_the_service(social_worker, child):
    def share():
        return services.share_decision_record(
            actor=social_worker,
            child_id=child.pk,
            shared=True,
            purpose=EH,
            lawful_basis=LawfulBasis.CONSENT,
            reasons="To plan early help with the school",
        )

    with pytest.raises(ValidationError) as e:
        share()
    assert "lawful_basis" in e.value.message_dict
    consent = services.consent_record(
        actor=social_worker, child_id=child.pk, purpose=EH, given_by="The young person"
    )
    assert share().consent == consent
    services.consent_withdraw(actor=social_worker, consent_id=consent.pk)
    with pytest.raises(ValidationError):
        share()
    assert ShareDecision.objects.count() == 1


def test_a_stranger_cannot_log_decisions_about_a_child_they_cannot_see(stranger, child):
    from tandem.access.errors import NotFound

    with pytest.raises(NotFound):
        services.share_decision_record(
            actor=stranger, child_id=child.pk, shared=False, purpose=EH, reasons="x"
        )


def test_every_referral_is_logged_as_a_share_with_its_basis(social_worker, child, front_door):
    door, _ = front_door
    referral = referral_create(
        actor=social_worker,
        purpose="referral",
        to_team_id=door.pk,
        source="2A",
        reasons=["neglect"],
        concerns="Concerns about neglect at home.",
        family_aware="yes",
        child_id=child.pk,
    )
    decision = ShareDecision.objects.get(referral_id=referral.pk)
    assert (decision.shared, decision.with_partner_id, decision.lawful_basis) == (
        True,
        door.partner_id,
        LawfulBasis.RECOGNISED_LEGITIMATE_INTEREST,
    )
    assert decision.schedule1_condition == "safeguarding"
    row = AccessEvent.objects.get(record_type="referral", action="create")
    assert row.detail["share_decision"] == str(decision.pk)


def test_an_ig_lead_role_is_needed_for_agreements(social_worker):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.agreement_create(actor=social_worker, title="x", starts_on="2026-01-01")
    ig = factories.UserFactory(role=Role.IG_LEAD)
    other = factories.UserFactory(role=Role.IG_LEAD)
    agreement = services.agreement_create(actor=ig, title="ISA", starts_on="2026-01-01")
    with pytest.raises(PermissionDenied):
        services.agreement_end(actor=other, agreement_id=agreement.pk)  # not the owner's
