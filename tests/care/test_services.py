import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.access.errors import NotFound
from tandem.access.models import InvolvementKind
from tandem.audit.models import AccessEvent, AuditAction, Purpose
from tandem.care import selectors, services
from tandem.care.models import CareEpisode, CareReview
from tandem.partners.models import PartnerKind, Role
from tests import factories
from tests.grants import grant_for

pytestmark = pytest.mark.django_db

EPISODE = {
    "started_on": dt.date(2025, 5, 1),
    "reason_new": "S",
    "legal_status": "C2",
    "category_of_need": "N1",
    "placement_type": "U4",
    "placement_provider": "PR1",
    "home_postcode": "ls1 4ap",
    "placement_postcode": "LS6 2AB",
}


def start(actor, child, **changes):
    return services.care_episode_start(
        grant=grant_for(actor, child.pk, Purpose.DIRECT_WORK), **{**EPISODE, **changes}
    )


def end(actor, child, episode, reason_ended="E13", **changes):
    return services.care_episode_end(
        grant=grant_for(actor, child.pk, Purpose.DIRECT_WORK),
        episode_id=episode.pk,
        **{"ended_on": dt.date(2025, 10, 1), "reason_ended": reason_ended, **changes},
    )


def test_a_social_worker_starts_an_episode_for_their_local_authority(social_worker, child):
    episode = start(social_worker, child)
    assert episode.local_authority == social_worker.team.partner
    assert episode.home_postcode == "LS1 4AP"
    event = AccessEvent.objects.get(record_type="care_episode")
    assert (event.person_id, event.action, event.record_id) == (
        child.pk,
        AuditAction.CREATE,
        str(episode.pk),
    )


def test_a_change_of_placement_ends_the_open_episode_with_x1_and_the_reason(social_worker, child):
    first = start(social_worker, child)
    start(
        social_worker,
        child,
        started_on=dt.date(2025, 9, 1),
        reason_new="P",
        placement_type="U6",
        reason_place_change="CARPL",
    )
    first.refresh_from_db()
    assert (first.ended_on, first.reason_ended, first.reason_place_change) == (
        dt.date(2025, 9, 1),
        "X1",
        "CARPL",
    )


@pytest.mark.parametrize(
    ("reason_place_change", "message"),
    [
        ("", "Give the reason the child's placement changed"),
        ("NOPE", "not a REASON_PLACE_CHANGE code"),
    ],
)
def test_a_placement_move_needs_a_known_reason_and_saves_nothing_without(
    social_worker, child, reason_place_change, message
):
    first = start(social_worker, child)
    with pytest.raises(ValidationError) as e:
        start(
            social_worker,
            child,
            started_on=dt.date(2025, 9, 1),
            reason_new="P",
            placement_type="U6",
            reason_place_change=reason_place_change,
        )
    assert message in " ".join(e.value.message_dict["reason_place_change"])
    first.refresh_from_db()
    assert first.ended_on is None
    assert CareEpisode.objects.filter(child=child).count() == 1


def test_a_move_into_a_temporary_placement_needs_no_reason(social_worker, child):
    start(social_worker, child)
    start(
        social_worker, child, started_on=dt.date(2025, 9, 1), reason_new="T", placement_type="T1"
    )
    assert CareEpisode.objects.filter(child=child).count() == 2


def test_a_second_start_while_looked_after_is_refused(social_worker, child):
    start(social_worker, child)
    with pytest.raises(ValidationError) as e:
        start(social_worker, child, started_on=dt.date(2025, 9, 1))
    assert "reason_new" in e.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [("legal_status", "Z9"), ("placement_type", "H5"), ("category_of_need", "N0")],
)
def test_a_code_not_in_the_years_list_is_refused_naming_the_field(
    social_worker, child, field, value
):
    with pytest.raises(ValidationError) as e:
        start(social_worker, child, **{field: value})
    assert list(e.value.message_dict) == [field]
    assert not CareEpisode.objects.exists()


def test_an_end_needs_a_reason(social_worker, child):
    episode = start(social_worker, child)
    with pytest.raises(ValidationError) as e:
        end(social_worker, child, episode, "")
    assert "reason_ended" in e.value.message_dict


def test_an_episode_of_another_child_is_not_found_under_this_child(social_worker, child, team):
    """The nested id must belong to its child, even when the actor may see both children."""
    other = factories.ChildFactory()
    factories.InvolvementFactory(child=other, team=team, kind=InvolvementKind.OWNING_TEAM)
    theirs = start(social_worker, other)
    with pytest.raises(NotFound):
        end(social_worker, child, theirs, "E11")
    assert CareEpisode.objects.get(pk=theirs.pk).ended_on is None


def test_a_stranger_gets_not_found_and_nothing_is_saved(stranger, child):
    with pytest.raises(NotFound):
        start(stranger, child)
    assert not CareEpisode.objects.exists()


def test_a_role_that_does_not_record_care_is_refused(child, team):
    nurse = factories.UserFactory(role=Role.HEALTH_PRACTITIONER, team=team)
    with pytest.raises(PermissionDenied):
        start(nurse, child)


def test_items_are_recorded_validated_and_read_back_audited(social_worker, child):
    services.care_item_record(
        grant=grant_for(social_worker, child.pk, Purpose.DIRECT_WORK),
        part="review",
        held_on=dt.date(2025, 6, 1),
        participation="PN1",
    )
    with pytest.raises(ValidationError) as e:
        services.care_item_record(
            grant=grant_for(social_worker, child.pk, Purpose.DIRECT_WORK),
            part="review",
            held_on=dt.date(2025, 7, 1),
            participation="PN9",
        )
    assert list(e.value.message_dict) == ["participation"]
    assert CareReview.objects.count() == 1
    record = selectors.care_record_get(
        grant=grant_for(social_worker, child.pk, Purpose.DIRECT_WORK)
    )
    assert [r.participation for r in record.reviews] == ["PN1"]
    assert AccessEvent.objects.filter(
        record_type="care_record", person_id=child.pk, action=AuditAction.VIEW
    ).exists()


def test_the_record_is_hidden_from_a_stranger(stranger, child):
    with pytest.raises(NotFound):
        selectors.care_record_get(grant=grant_for(stranger, child.pk, Purpose.DIRECT_WORK))


def test_a_care_leaver_contact_is_the_recording_authoritys(social_worker, child):
    contact = services.care_item_record(
        grant=grant_for(social_worker, child.pk, Purpose.DIRECT_WORK),
        part="care_leaver",
        year="2025-26",
        in_touch="YES",
        activity="F2",
        accommodation="D1",
    )
    assert contact.local_authority == social_worker.team.partner


def test_a_care_leaver_contact_cannot_name_another_authority(social_worker, child):
    with pytest.raises(ValidationError) as refused:
        services.care_item_record(
            grant=grant_for(social_worker, child.pk, Purpose.DIRECT_WORK),
            part="care_leaver",
            year="2025-26",
            in_touch="NO",
            activity="0",
            accommodation="0",
            local_authority=factories.PartnerFactory(),
        )
    assert "local_authority" in refused.value.message_dict


def test_the_record_is_sliced_by_category(social_worker, child, front_door):
    """The front door (identity only) gets none of the looked-after record; someone without
    the address (a protected one they are not named on) gets the episodes without postcodes."""
    from tandem.access.models import RestrictionKind
    from tandem.access.services import restriction_add

    start(social_worker, child)
    _, manager = front_door
    factories.ReferralFactory(child=child, to_team=manager.team)

    def read(actor):
        return selectors.care_record_get(grant=grant_for(actor, child.pk, "direct_work"))

    assert read(manager).is_empty
    assert [e.placement_postcode for e in read(social_worker).episodes] == ["LS6 2AB"]
    restriction_add(
        actor=factories.UserFactory(role=Role.IG_LEAD, team=social_worker.team),
        child_id=child.pk,
        kind=RestrictionKind.PROTECTED_ADDRESS,
        reason="A refuge",
        named_people=[],
    )
    episode = read(social_worker).episodes[0]
    assert (episode.home_postcode, episode.placement_postcode) == ("", "")
    assert CareEpisode.objects.get().placement_postcode == "LS6 2AB"  # only the view is blanked


def test_an_episode_ends_once_and_not_with_x1(social_worker, child):
    episode = start(social_worker, child)
    with pytest.raises(ValidationError) as e:
        end(social_worker, child, episode, "X1")
    assert "reason_ended" in e.value.message_dict
    end(social_worker, child, episode, "E13")
    with pytest.raises(ValidationError) as e:
        end(social_worker, child, episode, "E4A")
    assert e.value.message_dict == {"ended_on": ["The episode has ended already"]}
    assert CareEpisode.objects.get(pk=episode.pk).reason_ended == "E13"


def test_a_manager_outside_a_local_authority_cannot_end_the_councils_episode(social_worker, child):
    episode = start(social_worker, child)
    police = factories.TeamFactory(partner=factories.PartnerFactory(kind=PartnerKind.POLICE))
    factories.InvolvementFactory(child=child, team=police, kind=InvolvementKind.OWNING_TEAM)
    manager = factories.UserFactory(role=Role.TEAM_MANAGER, team=police)
    with pytest.raises(ValidationError) as e:
        end(manager, child, episode, "E13")
    assert "local_authority" in e.value.message_dict
    assert CareEpisode.objects.get(pk=episode.pk).ended_on is None


def test_another_councils_episode_is_not_this_councils_to_end(social_worker, child):
    theirs = CareEpisode.objects.create(
        child=child, local_authority=factories.PartnerFactory(kind="local_authority"),
        started_on=dt.date(2025, 5, 1), reason_new="S", legal_status="C2",
        category_of_need="N1", placement_type="U4", placement_provider="PR1",
    )  # fmt: skip
    with pytest.raises(ValidationError) as e:
        end(social_worker, child, theirs, "E13")
    assert e.value.message_dict == {
        "local_authority": ["Another local authority looks after the child"]
    }


def test_a_change_of_legal_status_keeps_no_reason_for_a_move(social_worker, child):
    first = start(social_worker, child)
    services.care_episode_start(
        grant=grant_for(social_worker, child.pk, Purpose.DIRECT_WORK),
        **{**EPISODE, "started_on": dt.date(2025, 9, 1), "reason_new": "L", "legal_status": "C1"},
        reason_place_change="CARPL",
    )
    first.refresh_from_db()
    assert (first.reason_ended, first.reason_place_change) == ("X1", "")
