"""The acceptable-use notice: every practitioner accepts the current version before they see
anything, and again whenever it changes. The words are in
`web/jinja2/web/security/acceptable_use.html`; `TANDEM_ACCEPTABLE_USE_VERSION` names them, so
changing the words means changing the version, and everyone is asked again."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.security.models import AcceptableUseAcceptance

SESSION_KEY = "acceptable_use_version"


def current_version() -> str:
    return settings.TANDEM_ACCEPTABLE_USE_VERSION


def has_accepted(user, version: str | None = None) -> bool:
    return AcceptableUseAcceptance.objects.filter(
        user_id=user.pk, version=version or current_version()
    ).exists()


def acceptable_use_accept(*, actor) -> AcceptableUseAcceptance:
    """Record that `actor` accepts the current version (once: a second acceptance is a no-op)."""
    version = current_version()
    existing = AcceptableUseAcceptance.objects.filter(user_id=actor.pk, version=version).first()
    if existing:
        return existing
    acceptance = AcceptableUseAcceptance(user=actor, version=version, accepted_at=timezone.now())
    acceptance.full_clean()
    try:
        with transaction.atomic():
            acceptance.save()
            Audit(actor, Purpose.ACCOUNT).row(
                AuditAction.CREATE, "acceptable_use", acceptance.pk, detail={"version": version}
            )
    except IntegrityError:  # accepted in another tab at the same moment
        return AcceptableUseAcceptance.objects.get(user_id=actor.pk, version=version)
    return acceptance
