"""What tests ask of the access decision for one child: the basis, or the categories."""

from tandem.access.grants import child_grant, child_grant_or_none
from tandem.access.policies import Action


def access_basis(user, child_id, action: Action = Action.VIEW_CHILD) -> str | None:
    grant = child_grant_or_none(actor=user, child_id=child_id, purpose="", action=action)
    return grant.basis if grant else None


def categories_for(user, child_id) -> frozenset:
    grant = child_grant_or_none(actor=user, child_id=child_id, purpose="")
    return grant.categories if grant else frozenset()


def grant_for(user, child_id, purpose: str = "direct_work", action: Action = Action.VIEW_CHILD):
    """The grant a request by `user` about this child is given (raising as a request would)."""
    return child_grant(actor=user, child_id=child_id, purpose=purpose, action=action)
