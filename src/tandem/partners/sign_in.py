"""Signing in, with a lock-out after repeated failures.

After `TANDEM_LOCKOUT_FAILURES` wrong attempts in a row an account is locked for
`TANDEM_LOCKOUT_MINUTES`; the right password does not open it until the lock ends. A username
that does not exist is counted and locked in just the same way (in the cache, as there is no row
to hold the count), so what the page says never tells anyone whether an account exists.
Every attempt, right or wrong, writes an audit row.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.partners.models import User

WRONG_DETAILS = "Enter a correct username and password"
LOCKED = (
    "You have entered the wrong details too many times. Try again in {minutes}. "
    "If you have forgotten your password, ask your system administrator to reset it."
)
# How long a count of failures for a username that does not exist is kept.
_UNKNOWN_MEMORY = timedelta(days=1)


class SignInRefused(Exception):
    def __init__(self, message: str, *, locked: bool):
        super().__init__(message)
        self.message = message
        self.locked = locked


@dataclass(frozen=True)
class _Attempt:
    """Stands in for the actor on the audit row of a username that does not exist."""

    username: str
    pk: None = None
    team: None = None


@dataclass
class _Outcome:
    refused: SignInRefused | None
    reason: str


def sign_in(*, request, username: str, password: str) -> User:
    """Sign `username` in on `request`, or raise SignInRefused with the message to show."""
    username = username.strip()
    now = timezone.now()
    # Always check the password first, even for a locked or unknown account, so that every
    # attempt takes about as long and timing does not reveal which accounts exist.
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        account = User.objects.select_for_update().filter(username=username).first()
        if account is None:
            outcome = _unknown_failure(username, now)
        else:
            outcome = _known_attempt(account, user, now)
        Audit(account or _Attempt(username=username[:150]), Purpose.ACCOUNT).row(
            AuditAction.SIGN_IN_FAILED if outcome.refused else AuditAction.SIGN_IN,
            "user",
            str(account.pk) if account else "",
            detail={"outcome": outcome.reason},
        )
    if outcome.refused:
        raise outcome.refused
    login(request, user)
    return user


def _limit() -> int:
    return settings.TANDEM_LOCKOUT_FAILURES


def _lock_length() -> timedelta:
    return timedelta(minutes=settings.TANDEM_LOCKOUT_MINUTES)


def _locked(until: datetime, now: datetime) -> SignInRefused:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return SignInRefused(LOCKED.format(minutes=wait), locked=True)


def later_step_settle(account: User, now: datetime, *, step: str, refused, outcome: str):
    """After a code step (the authenticator's code or a set-up code) was checked: a wrong one
    counts towards the same lock-out as a wrong password; the account is saved and the step
    audited. Returns the refusal to raise, if any (a lock-out replaces the step's own)."""
    if refused is not None and outcome.startswith("wrong"):
        account.failed_sign_ins += 1
        if account.failed_sign_ins >= _limit():
            account.failed_sign_ins = 0
            account.locked_until = now + _lock_length()
            refused, outcome = _locked(account.locked_until, now), "wrong_code_now_locked"
    account.save(update_fields=["failed_sign_ins", "locked_until"])
    Audit(account, Purpose.ACCOUNT).row(
        AuditAction.SIGN_IN_FAILED if refused else AuditAction.SIGN_IN,
        "user",
        account.pk,
        detail={"step": step, "outcome": outcome},
    )
    return refused


def _known_attempt(account: User, user: User | None, now: datetime) -> _Outcome:
    if account.locked_until and account.locked_until > now:
        return _Outcome(_locked(account.locked_until, now), "locked")
    if user is not None and user.pk == account.pk:
        account.failed_sign_ins = 0
        account.locked_until = None
        account.save(update_fields=["failed_sign_ins", "locked_until"])
        return _Outcome(None, "signed_in")
    account.failed_sign_ins += 1
    refused = SignInRefused(WRONG_DETAILS, locked=False)
    reason = "wrong_password" if account.is_active else "inactive_account"
    if account.failed_sign_ins >= _limit():
        # The count starts again once the lock ends: another full set of tries, then another lock.
        account.failed_sign_ins = 0
        account.locked_until = now + _lock_length()
        refused = _locked(account.locked_until, now)
        reason = f"{reason}_now_locked"
    account.save(update_fields=["failed_sign_ins", "locked_until"])
    return _Outcome(refused, reason)


def _unknown_failure(username: str, now: datetime) -> _Outcome:
    key = "sign-in-unknown:" + hashlib.sha256(username.lower().encode()).hexdigest()
    state = cache.get(key) or {"failures": 0, "locked_until": None}
    if state["locked_until"] and state["locked_until"] > now:
        return _Outcome(_locked(state["locked_until"], now), "unknown_username")
    state["failures"] += 1
    refused = SignInRefused(WRONG_DETAILS, locked=False)
    if state["failures"] >= _limit():
        state = {"failures": 0, "locked_until": now + _lock_length()}
        refused = _locked(state["locked_until"], now)
    cache.set(key, state, timeout=_UNKNOWN_MEMORY.total_seconds())
    return _Outcome(refused, "unknown_username")
