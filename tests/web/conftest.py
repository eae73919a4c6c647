import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Sign-in failures for unknown usernames are counted in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def signed_in(client):
    """`signed_in(user)`: the test client, signed in as `user` (without an audited sign-in)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def worker_client(signed_in, social_worker):
    return signed_in(social_worker)
