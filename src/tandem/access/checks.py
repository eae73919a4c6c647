"""The two-level check every selector and service makes before touching a child."""

from django.core.exceptions import PermissionDenied

from tandem.access.categories import Category
from tandem.access.errors import NotFound
from tandem.access.policies import Action, role_allows
from tandem.access.sharing import child_access


def require_role(actor, action: Action) -> None:
    if not role_allows(actor, action):
        raise PermissionDenied(f"Your role does not allow this ({action.value.replace('_', ' ')})")


def require_child_access(
    actor, child_id, action: Action = Action.VIEW_CHILD
) -> tuple[str, frozenset[Category]]:
    """Role first, then this child; returns the reason access was allowed (for the audit row)
    and the categories of the record the actor sees."""
    require_role(actor, action)
    basis, categories = child_access(actor, child_id, action)
    if basis is None:
        raise NotFound("No child with that id is in your records")
    return basis, categories


def require_child(actor, child_id, action: Action = Action.VIEW_CHILD) -> str:
    """Role first, then this child; returns the reason access was allowed, for the audit row."""
    return require_child_access(actor, child_id, action)[0]
