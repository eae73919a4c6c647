import pytest


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
