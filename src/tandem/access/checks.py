"""The role level of every decision; the record level is the grant (`access.grants`)."""

from django.core.exceptions import PermissionDenied

from tandem.access.policies import Action, role_allows


def require_role(actor, action: Action) -> None:
    if not role_allows(actor, action):
        raise PermissionDenied(f"Your role does not allow this ({action.value.replace('_', ' ')})")
