"""The second step of signing in: a six-digit code from an authenticator app (TOTP, RFC 6238,
with django-otp's `TOTPDevice`).

The first time, a practitioner sets up the app from a secret shown once on the set-up page and
proves it with a code; after that every sign-in asks for a code. Wrong codes count towards the
same lock-out as wrong passwords (`partners.sign_in`): after `TANDEM_LOCKOUT_FAILURES` in a row
the account is locked and the half-signed-in session ends. Every attempt is audited.
"""

import base64
import io
import math
import time
from dataclasses import dataclass

from django.contrib.auth import logout
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.partners.models import User
from tandem.partners.sign_in import _locked, later_step_settle

APP_DEVICE = "Authenticator app"
# Made by `tandem demo`; only these devices' codes can be printed by `tandem otp`.
DEMO_DEVICE = "Demo authenticator (tandem otp)"
WRONG_CODE = "Enter the 6-digit code shown in your authenticator app now"
NEEDS_SET_UP_CODE = "Enter your set-up code first"


class CodeRefused(Exception):
    def __init__(self, message: str, *, locked: bool = False):
        super().__init__(message)
        self.message = message
        self.locked = locked


def device_for(user) -> TOTPDevice | None:
    """The user's confirmed device, or None if they have not set one up yet."""
    return (
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("created_at").first()
    )


def needs_set_up(user) -> bool:
    return not TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


@transaction.atomic
def set_up_device(*, request) -> TOTPDevice:
    """The device being set up: made once, and the same secret shown until it is proved. Only
    for a session that has given the user's one-time set-up code (`security.enrolment`)."""
    from django.core.exceptions import PermissionDenied

    from tandem.security.enrolment import may_set_up

    if not may_set_up(request):
        raise PermissionDenied(NEEDS_SET_UP_CODE)
    user = request.user
    User.objects.select_for_update().filter(pk=user.pk).first()  # one set-up at a time
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None:
        device = TOTPDevice(user=user, name=APP_DEVICE, confirmed=False)
        device.full_clean()
        device.save()
    return device


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret, in groups of four, to type into an app that cannot scan."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code (an SVG data URI, so no inline script or style)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def code_check(*, request, code: str) -> TOTPDevice:
    """Check the code of the signed-in (not yet verified) user against their device, or the
    device they are setting up, and mark the session verified. Raises CodeRefused."""
    from tandem.security.enrolment import may_set_up

    code = "".join((code or "").split())
    now = timezone.now()
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=request.user.pk)
        setting_up = needs_set_up(account)
        if setting_up and not may_set_up(request):
            # The set-up code comes first: a password alone never confirms a new device.
            raise CodeRefused(NEEDS_SET_UP_CODE)
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user_id=account.pk, confirmed=not setting_up)
            .order_by("created_at")
            .first()
        )
        if account.locked_until and account.locked_until > now:
            refused, outcome = _locked(account.locked_until, now), "locked"
        elif (
            device is not None and code.isdigit() and len(code) == 6 and device.verify_token(code)
        ):
            refused, outcome = None, "set_up" if setting_up else "verified"
            account.failed_sign_ins = 0
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
        else:
            refused, outcome = CodeRefused(WRONG_CODE), "wrong_code"
        refused = later_step_settle(account, now, step="code", refused=refused, outcome=outcome)
    if refused is not None:
        locked = getattr(refused, "locked", False)
        if locked:
            logout(request)  # a locked account keeps no half-signed-in session
        raise CodeRefused(refused.message, locked=locked)
    otp_login(request, device)
    # The session becomes fully signed in here: a new session id, so one fixed or seen before
    # the second step (after the password alone) is worth nothing now.
    request.session.cycle_key()
    return device


def _well_formed(code: str) -> bool:
    return code.isdigit() and len(code) == 6


# -- the demo ----------------------------------------------------------------------------------


@transaction.atomic
def demo_device_create(*, user) -> TOTPDevice:
    """A confirmed device for a demo user, whose code `tandem otp NAME` prints."""
    TOTPDevice.objects.filter(user_id=user.pk).delete()
    device = TOTPDevice(user=user, name=DEMO_DEVICE, confirmed=True)
    device.full_clean()
    device.save()
    return device


class NotADemoDevice(Exception):
    pass


@dataclass(frozen=True)
class CurrentCode:
    code: str
    seconds_left: int


def current_code(device: TOTPDevice, at: float | None = None) -> CurrentCode:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    left = device.step - (math.floor(totp.time - device.t0) % device.step)
    return CurrentCode(code=f"{totp.token():0{device.digits}d}", seconds_left=int(left))


def demo_code(*, username: str) -> CurrentCode:
    """The demo user's code now. Only a demo device's: a real practitioner's secret never
    leaves their app, so no command can print their code."""
    device = TOTPDevice.objects.filter(
        user__username=username, confirmed=True, name=DEMO_DEVICE
    ).first()
    if device is None:
        raise NotADemoDevice(
            f"{username} has no demo authenticator: only the demo sign-ins made by "
            "`tandem demo` have one"
        )
    return current_code(device)


@transaction.atomic
def devices_remove(*, actor, user) -> int:
    """A lost or changed phone: the user's authenticator is removed, every session it verified
    stops being verified (django-otp finds no device), and they set up a new one at their next
    sign-in. Only a system administrator does this (the admin action checks)."""
    removed, _ = TOTPDevice.objects.filter(user_id=user.pk).delete()
    Audit(actor, Purpose.ACCOUNT).row(
        AuditAction.DELETE,
        "otp_device",
        user.pk,
        detail={"user": user.username, "removed": removed},
    )
    return removed
