import pytest

from tandem.access.models import InvolvementKind
from tandem.partners.models import Role
from tests import factories


@pytest.fixture
def team():
    return factories.TeamFactory()


@pytest.fixture
def social_worker(team):
    return factories.UserFactory(role=Role.SOCIAL_WORKER, team=team)


@pytest.fixture
def child(team):
    """A child whose case the `team` owns."""
    child = factories.ChildFactory()
    factories.InvolvementFactory(child=child, team=team, kind=InvolvementKind.OWNING_TEAM)
    return child


@pytest.fixture
def stranger():
    """A social worker in another team, with no reason to see `child`."""
    return factories.UserFactory(role=Role.SOCIAL_WORKER)


@pytest.fixture
def front_door():
    """A team that receives referrals, and its manager."""
    team = factories.TeamFactory(receives_referrals=True, name="Front door")
    manager = factories.UserFactory(role=Role.TEAM_MANAGER, team=team)
    return team, manager


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; the tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
