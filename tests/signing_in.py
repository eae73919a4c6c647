"""Signing in, for tests, through the second factor and the acceptable-use notice.

`VerifiedClient.force_login(user)` is Django's `force_login` (which skips the password) carried
on through the two later steps in the same way: it gives the user an authenticator device and
an acceptance of the current notice, and marks the session verified with that device, as
`django_otp.login` does after a right code. Nothing in the application is bypassed: the real
steps, codes and all, are proved in tests/security/, and `sign_in_for_real` walks them.
"""

import time

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.security.acceptable_use import SESSION_KEY, current_version
from tandem.security.models import AcceptableUseAcceptance
from tests.factories import PASSWORD


def device_of(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="Test authenticator", confirmed=True
    )


def fresh_code(device: TOTPDevice) -> str:
    """The code a phone would show now, or the next one if the current one was already used:
    django-otp accepts each time step's code once (no replay), within `tolerance` steps of its
    own clock (which includes the drift it learnt from earlier codes). Never the step before
    the server's, so a step ending between here and the check cannot make the code too old."""
    device.refresh_from_db()
    while True:
        now = time.time()
        server_t = int(now - device.t0) // device.step + device.drift
        wanted = max(device.last_t + 1, server_t)
        if wanted <= server_t + device.tolerance:
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
            totp.time = device.t0 + wanted * device.step
            return f"{totp.token():0{device.digits}d}"
        time.sleep(device.step - (now - device.t0) % device.step + 0.05)  # the next step


def complete_second_step(client: Client, user) -> None:
    device = device_of(user)
    AcceptableUseAcceptance.objects.get_or_create(
        user=user, version=current_version(), defaults={"accepted_at": timezone.now()}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_KEY] = current_version()
    session.save()


class VerifiedClient(Client):
    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        complete_second_step(self, user)


def sign_in_for_real(client: Client, user, *, password: str = PASSWORD):
    """Password, then the real code from the user's device (made if missing). Returns the
    answer to the code; the notice, if not yet accepted, is the caller's next step."""
    device = device_of(user)
    response = client.post("/sign-in", {"username": user.username, "password": password})
    assert response.status_code == 302, response
    return client.post("/sign-in/code", {"code": fresh_code(device)})


def signed_in_for_real(user, landing: str) -> Client:
    """A browser signed in as a practitioner is (password, code, the acceptable-use notice),
    for benchmarks: each request then pays for the security middleware's checks as theirs do."""
    client = Client()
    response = sign_in_for_real(client, user)
    assert response.status_code == 302, response
    response = client.post("/acceptable-use", {"accept": "yes", "next": landing})
    assert response.status_code == 302, response
    assert response["Location"] == landing, response["Location"]
    return client
