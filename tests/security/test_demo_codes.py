"""`tandem otp NAME` prints a demo user's code, which signs them in; never a real user's."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tandem.security.two_factor import demo_device_create
from tests import factories
from tests.signing_in import device_of

pytestmark = pytest.mark.django_db


def test_the_printed_code_signs_a_demo_user_in():
    user = factories.UserFactory(username="demo-social-worker")
    demo_device_create(user=user)
    out = StringIO()
    call_command("otp", "demo-social-worker", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6
    assert code.isdigit()
    browser = Client()
    browser.post("/sign-in", {"username": user.username, "password": factories.PASSWORD})
    browser.post("/sign-in/code", {"code": code})
    assert "otp_device_id" in browser.session


def test_a_real_practitioners_code_is_never_printed():
    user = factories.UserFactory(username="sam.worker")
    device_of(user)  # a device of their own app
    with pytest.raises(CommandError, match="only the demo sign-ins"):
        call_command("otp", "sam.worker", stdout=StringIO())
    with pytest.raises(CommandError, match="only the demo sign-ins"):
        call_command("otp", "nobody", stdout=StringIO())
