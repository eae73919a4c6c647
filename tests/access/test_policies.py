import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tandem.access.errors import NotFound
from tandem.access.grants import child_grant
from tandem.access.models import InvolvementKind
from tandem.access.policies import Action
from tandem.partners.models import Role
from tandem.people.selectors import children_visible_to
from tandem.referrals.codes import Status
from tests import factories
from tests.grants import access_basis

pytestmark = pytest.mark.django_db


def _visible(user, child) -> bool:
    """Both forms of the rule must agree, always."""
    in_list = children_visible_to(actor=user).filter(pk=child.pk).exists()
    assert in_list == (access_basis(user, child.pk) is not None)
    return in_list


def test_owning_team_sees_child(social_worker, child):
    assert _visible(social_worker, child)
    assert access_basis(social_worker, child.pk) == "team owns or is involved in the case"


def test_other_team_does_not_see_child(stranger, child):
    assert not _visible(stranger, child)
    with pytest.raises(NotFound):
        child_grant(actor=stranger, child_id=child.pk, purpose="direct_work")


def test_allocated_worker_in_another_team_sees_child(child):
    worker = factories.UserFactory(role=Role.PERSONAL_ADVISER)
    factories.InvolvementFactory(
        child=child, team=worker.team, practitioner=worker, kind=InvolvementKind.ALLOCATED
    )
    assert access_basis(worker, child.pk) == "allocated worker"


def test_ended_involvement_gives_no_access(child):
    worker = factories.UserFactory()
    factories.InvolvementFactory(child=child, team=worker.team, ended_on=dt.date(2024, 6, 1))
    assert not _visible(worker, child)


def test_open_referral_lets_the_receiving_team_in_until_it_closes(child, front_door):
    team, manager = front_door
    referral = factories.ReferralFactory(child=child, to_team=team)
    assert _visible(manager, child)
    referral.status = Status.CLOSED
    referral.save()
    assert not _visible(manager, child)


def test_making_a_referral_opens_nothing_of_the_record(child, front_door):
    """Otherwise anyone who knows a child's NHS number could "refer" them to read the record."""
    team, _ = front_door
    referral = factories.ReferralFactory(child=child, to_team=team)
    colleague = factories.UserFactory(role=Role.SCHOOL_DSL, team=referral.made_by.team)
    assert not _visible(referral.made_by, child)
    assert not _visible(colleague, child)


def test_an_involvement_that_has_not_started_gives_no_access(child):
    worker = factories.UserFactory()
    factories.InvolvementFactory(child=child, team=worker.team, started_on=dt.date(2999, 1, 1))
    assert not _visible(worker, child)


@pytest.mark.parametrize("role", [Role.PARTNERSHIP_ANALYST, Role.IG_LEAD, Role.SYSTEM_ADMIN])
def test_roles_without_child_access_see_nothing_even_in_the_owning_team(role, team, child):
    user = factories.UserFactory(role=role, team=team if role != Role.SYSTEM_ADMIN else None)
    assert not children_visible_to(actor=user).exists()
    with pytest.raises(PermissionDenied):
        child_grant(actor=user, child_id=child.pk, purpose="direct_work")


def test_inactive_user_sees_nothing(social_worker, child):
    social_worker.is_active = False
    assert not _visible(social_worker, child)


def test_adults_are_never_listed_as_children(social_worker, team):
    adult = factories.AdultFactory()
    factories.InvolvementFactory(child=adult, team=team)
    assert not children_visible_to(actor=social_worker).filter(pk=adult.pk).exists()


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        (role, action, role in allowed)
        for action, allowed in {
            Action.VIEW_CHILD: {
                "social_worker",
                "family_support_worker",
                "personal_adviser",
                "police_safeguarding_officer",
                "health_practitioner",
                "school_dsl",
                "team_manager",
            },
            Action.DECIDE_REFERRAL: {"social_worker", "team_manager"},
            Action.GIVE_FEEDBACK: {"social_worker", "team_manager"},
            Action.VIEW_AUDIT: {"ig_lead"},
        }.items()
        for role in Role.values
    ],
)
def test_role_action_matrix(role, action, allowed):
    from tandem.access.policies import role_allows

    user = factories.UserFactory.build(role=role)
    assert role_allows(user, action) is allowed


@pytest.mark.parametrize(
    ("started", "ended", "active"),
    [
        (-10, None, True),
        (-10, 1, True),  # ends tomorrow
        (-10, 0, False),  # ends today: it has ended
        (-10, -1, False),
        (0, None, True),  # starts today
        (1, None, False),  # starts tomorrow
    ],
)
def test_active_means_the_same_everywhere(child, started, ended, active):
    """One definition of an active involvement: the facts query's SQL, the lists' Q, and every
    app that asks (the returns' owners among them) agree, to the day."""
    from django.utils import timezone

    from tandem.access.policies import active_involvements

    today = timezone.localdate()
    worker = factories.UserFactory()
    factories.InvolvementFactory(
        child=child,
        team=worker.team,
        started_on=today + dt.timedelta(days=started),
        ended_on=None if ended is None else today + dt.timedelta(days=ended),
    )
    assert _visible(worker, child) is active
    assert active_involvements().filter(team=worker.team).exists() is active
