"""Personal API tokens: made, revoked and checked here and nowhere else.

A token is shown once, when it is made; only its SHA-256 hash is stored, so a copy of the
database (or a backup) gives nobody a working token. Tokens expire, can be revoked, and stop
working when their user is made inactive.

A checked token is remembered by the process that checked it, with its user, team and partner:
looking those up cost more than the rest of an API read (bench/RESULTS.md). Before trusting
what it remembers, a process reads one number (`AccessRevision`, a one-row table) that goes up
whenever a token is revoked or a user, team or partner changes, so revoking a token or making a
user inactive takes effect on the very next request in every process. Expiry is checked on
every request.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.partners.models import ApiToken, User

logger = logging.getLogger(__name__)

PREFIX = "tdm_"  # makes a leaked token easy to recognise (and to search for in logs and repos)
DEFAULT_DAYS = 90
MAX_DAYS = 366
# Writing `last_used_at` on every request would turn each read into a write; once a minute is
# enough to tell a live token from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)
_TRUSTED_MAX = 10_000
# token hash -> (the access revision when it was checked; when it expires; its user)
_trusted: dict[str, tuple[int, object, User]] = {}


def _revision() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM partners_accessrevision WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def forget_checked_tokens(**kwargs) -> None:
    """Every process checks every token against the database again (connected to User, Team
    and Partner saves in apps.py). Written in the caller's transaction: it counts only if the
    change it announces is kept."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE partners_accessrevision SET number = number + 1 WHERE id = 1")
    _trusted.clear()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Operator:
    """Stands in for the actor on the audit row when a token is made or revoked from the shell."""

    username: str
    pk: None = None
    team: None = None


@transaction.atomic
def api_token_create(
    *, actor, user: User, name: str = "API token", days: int = DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """Make a token for `user`. Returns the row and the token itself, which is never kept."""
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"A token lasts from 1 to {MAX_DAYS} days"})
    if not user.is_active:
        raise ValidationError({"user": "This account is inactive: it cannot have a token"})
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        name=name.strip(),
        key_hash=token_hash(token),
        expires_at=timezone.now() + timedelta(days=days),
    )
    row.full_clean()
    row.save()
    Audit(actor, Purpose.ACCOUNT).row(
        AuditAction.CREATE,
        "api_token",
        row.pk,
        detail={"user": user.username, "name": row.name, "days": days},
    )
    return row, token


@transaction.atomic
def api_tokens_revoke(*, actor, user: User, name: str | None = None) -> int:
    """Revoke the user's live tokens (only those called `name`, if given); returns how many."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if name is not None:
        tokens = tokens.filter(name=name)
    ids = [str(pk) for pk in tokens.values_list("pk", flat=True)]
    revoked = tokens.update(revoked_at=timezone.now())
    forget_checked_tokens()
    Audit(actor, Purpose.ACCOUNT).row(
        AuditAction.UPDATE,
        "api_token",
        detail={"user": user.username, "revoked": ids, "name": name},
    )
    return revoked


def api_token_user(token: str) -> User | None:
    """The active user a live token belongs to, or None.

    The user comes with their team and partner: every audit row names them.
    """
    if not token.startswith(PREFIX):
        return None
    now = timezone.now()
    key = token_hash(token)
    revision = _revision()
    trusted = _trusted.get(key)
    if trusted is not None:
        checked, expires_at, user = trusted
        if checked == revision and (expires_at is None or now < expires_at):
            return user
    row = (
        ApiToken.objects.select_related("user__team__partner")
        .filter(key_hash=key, revoked_at__isnull=True)
        .first()
    )
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    if not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        try:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        except OperationalError:  # a busy database: the next minute's request records it
            logger.warning("Could not record when API token %s was last used", row.pk)
    if len(_trusted) >= _TRUSTED_MAX:
        _trusted.clear()
    _trusted[key] = (revision, row.expires_at, row.user)
    return row.user
