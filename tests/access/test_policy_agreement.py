"""The list filter and the single-record check are one rule set: on any mix of involvements and
referrals, a child is in `children_visible_to(user)` exactly when `access_basis` names a reason."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tandem.access.models import Involvement
from tandem.access.policies import access_basis
from tandem.partners.models import Role
from tandem.people.selectors import children_visible_to
from tests import factories

ROLES = [Role.SOCIAL_WORKER, Role.SCHOOL_DSL, Role.TEAM_MANAGER, Role.PARTNERSHIP_ANALYST]

involvement = st.tuples(
    st.integers(0, 3),  # child
    st.integers(0, 2),  # team
    st.one_of(st.none(), st.integers(0, 3)),  # allocated user
    st.sampled_from([None, dt.date(2020, 1, 1), dt.date(2999, 1, 1)]),  # ended (past/future)
)
referral = st.tuples(
    st.integers(0, 3),  # child
    st.integers(0, 3),  # made by user
    st.integers(0, 2),  # to team
    st.sampled_from(["submitted", "decided", "closed"]),
)


class PolicyAgreementTests(TestCase):
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,
    )
    @given(
        roles=st.lists(st.sampled_from(ROLES), min_size=4, max_size=4),
        user_teams=st.lists(st.integers(0, 2), min_size=4, max_size=4),
        involvements=st.lists(involvement, max_size=6),
        referrals=st.lists(referral, max_size=4),
    )
    def test_list_and_single_checks_agree(self, roles, user_teams, involvements, referrals):
        teams = [factories.TeamFactory(receives_referrals=True) for _ in range(3)]
        users = [
            factories.UserFactory(role=r, team=teams[t])
            for r, t in zip(roles, user_teams, strict=True)
        ]
        children = [factories.ChildFactory() for _ in range(4)]
        for c, t, u, ended in involvements:
            Involvement.objects.create(
                child=children[c],
                team=teams[t],
                practitioner=users[u] if u is not None else None,
                kind="allocated" if u is not None else "involved",
                started_on=dt.date(2019, 1, 1),
                ended_on=ended,
            )
        for c, u, t, status in referrals:
            factories.ReferralFactory(
                child=children[c], made_by=users[u], to_team=teams[t], status=status
            )
        for user in users:
            listed = set(children_visible_to(actor=user).values_list("pk", flat=True))
            single = {c.pk for c in children if access_basis(user, c.pk) is not None}
            assert listed == single
            if user.role == Role.PARTNERSHIP_ANALYST:
                assert listed == set()


@pytest.mark.django_db
def test_single_check_costs_few_queries(django_assert_max_num_queries, social_worker, child):
    # The team's rule after the allocated worker's, then one look for a restricted record.
    with django_assert_max_num_queries(3):
        assert access_basis(social_worker, child.pk) is not None
