import pytest

from tests.api.support import ApiClient


@pytest.fixture(params=["token", "session"])
def as_user(request):
    """`as_user(user)`: a client for that user. A test using it runs twice: token, then session."""
    return lambda user: ApiClient(user, request.param)


@pytest.fixture
def with_token():
    """`with_token(user)`: a client for that user, signed in with a personal token."""
    return lambda user: ApiClient(user, "token")
