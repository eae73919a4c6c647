"""The two-level check every selector and service makes before touching a child."""

from django.core.exceptions import PermissionDenied

from tandem.access.errors import NotFound
from tandem.access.policies import Action, access_basis, role_allows


def require_role(actor, action: Action) -> None:
    if not role_allows(actor, action):
        raise PermissionDenied(f"Your role does not allow this ({action.value.replace('_', ' ')})")


def require_child(actor, child_id, action: Action = Action.VIEW_CHILD) -> str:
    """Role first, then this child; returns the reason access was allowed, for the audit row."""
    require_role(actor, action)
    basis = access_basis(actor, child_id, action)
    if basis is None:
        raise NotFound("No child with that id is in your records")
    return basis
