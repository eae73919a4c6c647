import pytest

from tandem.access.models import InvolvementKind
from tandem.partners.models import Role
from tests import factories
from tests.signing_in import VerifiedClient


@pytest.fixture
def client():
    """Django's test client, whose `force_login` also completes the second factor and the
    acceptable-use notice (see tests/signing_in.py): a plain `Client()` stops half-way."""
    return VerifiedClient()


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


@pytest.fixture(scope="session", autouse=True)
def _every_route_imported():
    """Import every view and API schema before a test freezes the clock: pydantic cannot build
    a schema while freezegun has replaced `datetime`, so whichever test happened to load the
    routes first, under a frozen clock, failed."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imported for its side effect


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; the tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The migrations make the audit table append-only with triggers, but tests on a real
    (transactional) database, such as the browser tests, end by emptying every table. The test
    database starts without the triggers; `append_only_audit` puts them back for the tests that
    prove them."""
    from django.db import connections

    from tandem.audit import triggers

    with django_db_blocker.unblock():
        for connection in connections.all():
            triggers.remove(connection)


@pytest.fixture
def append_only_audit(db):
    """The triggers, as migrated, for one test (rolled back with the test's transaction)."""
    from django.db import connection

    from tandem.audit import triggers

    triggers.install(connection)
