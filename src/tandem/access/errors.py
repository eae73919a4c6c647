class NotFound(Exception):
    """The record does not exist *or* the actor may not see it: the two are never told apart,
    so nobody can probe for children they have no right to know about."""
