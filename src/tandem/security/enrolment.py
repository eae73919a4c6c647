"""One-time set-up codes: what a first sign-in needs, besides the password, to set up the
authenticator app that every later sign-in trusts. Without it, anyone who learnt a new account's
password before its owner signed in could enrol their own phone.

An information-governance lead issues a code for a user of their own partner (`/governance/
set-up-codes`), or an operator runs `tandem enrol NAME`; either gives it to the practitioner
by another channel. A code is kept only as a keyed hash, works once, and lasts
`TANDEM_ENROLMENT_CODE_HOURS` (72). A new code voids the user's earlier unused ones. Wrong
set-up codes count towards the same lock-out as wrong passwords and wrong sign-in codes.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from tandem.access.checks import require_role
from tandem.access.policies import Action
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.partners.models import User
from tandem.partners.sign_in import _locked, later_step_settle
from tandem.security.models import EnrolmentCode

# The session remembers, for one user, that their set-up code was right: only then is the
# authenticator's secret shown and a device confirmed (`two_factor.code_check`).
SESSION_KEY = "tandem_enrolment_user"
# No 0/O, 1/I/L: read out over the phone without mistakes. 10 characters: about 48 bits.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
WRONG_CODE = "Enter the set-up code you were given, like ABCDE-23456"


def _hash(code: str) -> str:
    return salted_hmac("tandem.security.enrolment", _normal(code), algorithm="sha256").hexdigest()


def _normal(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _hours() -> int:
    return settings.TANDEM_ENROLMENT_CODE_HOURS


@transaction.atomic
def enrolment_code_issue(*, actor, user) -> tuple[EnrolmentCode, str]:
    """A new set-up code for `user`, shown once (the caller prints or shows it). `actor` is an
    IG lead of the user's partner, or None for the operator's command line."""
    if actor is not None:
        require_role(actor, Action.MANAGE_GOVERNANCE)
        if not (actor.team and user.team and actor.team.partner_id == user.team.partner_id):
            raise PermissionDenied("You can issue set-up codes only for your own partner's users")
    if not user.is_active:
        raise ValidationError({"username": "This account is not active"})
    now = timezone.now()
    EnrolmentCode.objects.filter(user=user, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=now
    )
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    code = EnrolmentCode(
        user=user,
        code_hash=_hash(raw),
        issued_by=actor,
        issued_by_name=actor.username if actor is not None else "tandem enrol (command line)",
        issued_at=now,
        expires_at=now + timedelta(hours=_hours()),
    )
    code.full_clean()
    code.save()
    Audit(actor, Purpose.ACCOUNT).row(
        AuditAction.CREATE,
        "enrolment_code",
        code.pk,
        detail={"user": user.username, "expires_at": code.expires_at.isoformat()},
    )
    return code, f"{raw[:5]}-{raw[5:]}"


def enrolment_codes_list(*, actor) -> list[EnrolmentCode]:
    """The codes issued for the IG lead's partner's users, newest first (never the codes)."""
    require_role(actor, Action.MANAGE_GOVERNANCE)
    return list(
        EnrolmentCode.objects.filter(user__team__partner_id=actor.team.partner_id)
        .select_related("user")
        .order_by("-issued_at")[:100]
    )


class SetUpCodeRefused(Exception):
    def __init__(self, message: str, *, locked: bool = False):
        super().__init__(message)
        self.message = message
        self.locked = locked


def enrolment_code_redeem(*, request, code: str) -> EnrolmentCode:
    """Check the half-signed-in user's set-up code; if right, use it up and let this session
    set up an authenticator. Raises SetUpCodeRefused (and counts the failure)."""
    from django.contrib.auth import logout

    now = timezone.now()
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=request.user.pk)
        candidates = EnrolmentCode.objects.select_for_update().filter(
            user=account, used_at__isnull=True, voided_at__isnull=True, expires_at__gt=now
        )
        wanted = _hash(code)
        match = next((c for c in candidates if constant_time_compare(c.code_hash, wanted)), None)
        if account.locked_until and account.locked_until > now:
            refused, outcome = _locked(account.locked_until, now), "locked"
        elif match is not None:
            refused, outcome = None, "set_up_code"
            account.failed_sign_ins = 0
            match.used_at = now
            match.save(update_fields=["used_at"])
        else:
            refused, outcome = SetUpCodeRefused(WRONG_CODE), "wrong_set_up_code"
        refused = later_step_settle(
            account, now, step="set_up_code", refused=refused, outcome=outcome
        )
    if refused is not None:
        locked = getattr(refused, "locked", False)
        if locked:
            logout(request)
        raise SetUpCodeRefused(refused.message, locked=locked)
    request.session[SESSION_KEY] = str(account.pk)
    return match


def may_set_up(request) -> bool:
    """Whether this session has given the user's set-up code."""
    return request.session.get(SESSION_KEY) == str(request.user.pk)
